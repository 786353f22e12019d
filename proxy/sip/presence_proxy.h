/* presence_proxy.h — presence seen by the running proxy: every presence body crossing it mapped
 * and logged, and the last state per presentity kept (SPEC §7). Read-only on the message. */
#ifndef SIPFED_PRESENCE_PROXY_H
#define SIPFED_PRESENCE_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <sofia-sip/sip.h>

#include "presence.h"

#define PRESENCE_STORE_MAX 10000u   /* presentities kept; beyond it new ones are counted, not kept */

/* The last state per presentity. Owned by the proxy object (one per process, not a global);
 * everything lives in its su_home. */
struct presence_store;

struct presence_entry {
    struct presence_info info;
    time_t updated;
};

/* Returns NULL when out of memory. Free with presence_store_destroy. */
struct presence_store *presence_store_create(void);
void presence_store_destroy(struct presence_store *st);
/* The last state of `entity` (exact string), or NULL. Valid until the next update. */
const struct presence_entry *presence_store_get(const struct presence_store *st,
                                                const char *entity);
size_t presence_store_count(const struct presence_store *st);
/* Call `fn` for every presentity kept (any order), for the admin interface. */
void presence_store_foreach(const struct presence_store *st,
                            void (*fn)(void *arg, const struct presence_entry *e), void *arg);
/* Presence documents mapped to a known state since start, by source (a format name of
 * presence_format_name(), or "subscription-state" for an empty NOTIFY) and state name: `fn` is
 * called once per pair seen. */
void presence_store_mapped_foreach(const struct presence_store *st,
                                   void (*fn)(void *arg, const char *from, const char *to,
                                              unsigned long n),
                                   void *arg);
/* Presentities not kept because the store was full. */
unsigned long presence_store_dropped(const struct presence_store *st);

/* Whether `sip` carries presence the proxy reads: a NOTIFY, BENOTIFY or PUBLISH request, or a
 * 2xx to SUBSCRIBE carrying ms-piggyback-cseq. Returns the label of log lines ("NOTIFY",
 * "SUBSCRIBE-2xx", ...) and writes into `entity` the presentity the headers name
 * ("sip:user@host", "" when none): the From of a NOTIFY/BENOTIFY, the To of a PUBLISH or of the
 * SUBSCRIBE response. NULL when the message carries no presence. */
const char *presence_proxy_carrier(const sip_t *sip, char *entity, size_t size);

/* Look at one message about to be forwarded (called once it is routed, before nta takes it): a NOTIFY, BENOTIFY or PUBLISH request, or a 2xx to
 * SUBSCRIBE carrying ms-piggyback-cseq (the first NOTIFY piggy-backed on the response,
 * [MS-SIP] §3.4). Maps its presence body (or the Subscription-State of an empty presence
 * NOTIFY, PRESENCE.md §6), logs one line per presentity and updates `st` when the state is
 * known. Anything else is ignored. Never changes the message; `st` may be NULL (log only). */
void presence_proxy_observe(struct presence_store *st, const sip_t *sip, bool busy_as_dnd);

#endif
