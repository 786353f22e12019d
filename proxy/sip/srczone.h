/* srczone.h — the source zone of a request (SPEC §5.1) and its authenticated flag (§5.5).
 * Peer names are resolved once per configuration, through c-ares, before the table is built
 * (gen_names.h: at start-up, and at reload without blocking the event loop); never per request. */
#ifndef SIPFED_SRCZONE_H
#define SIPFED_SRCZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_strlst.h>

#include "diag.h"
#include "dialplan.h"
#include "gen_names.h"

/* One resolved address of a neighbor/traversal zone peer. */
struct srczone_addr {
    char ip[64];                 /* numeric, as getnameinfo(NI_NUMERICHOST) prints it */
    uint16_t port;               /* the peer's port (the zone transport's default if not given) */
};

struct srczone_table;

/* The addresses of every peer of every neighbor/traversal zone of `dp`: IP literals as they are,
 * names from `names` (resolved before; NULL: none). A name that did not resolve has no address
 * (unreachable, matches no source); proxy_gen refuses such a configuration
 * (gen_names_report). Returns 0 or ENOMEM; *out is owned by `home`. */
int srczone_table_build(su_home_t *home, const struct dialplan *dp,
                        const struct gen_names *names, struct srczone_table **out);

/* `host` (name or IP literal) as numeric addresses, each with `port`: a literal as it is, a name
 * from `names`. Returns 0, ENOENT (a name not resolved) or ENOMEM; the array is owned by `home`. */
int srczone_resolve(su_home_t *home, const struct gen_names *names, const char *host,
                    uint16_t port, struct srczone_addr **addrs, size_t *n_addrs);

/* The addresses peer `peer_index` of zone `z` resolved to (n == 0: unresolved). */
const struct srczone_addr *srczone_peer_addrs(const struct srczone_table *t, const struct zone *z,
                                              size_t peer_index, size_t *n);

/* What is known about where a request came from. */
struct srczone_origin {
    const char *ip;              /* numeric peer address */
    uint16_t port;               /* peer port */
    bool tls;                    /* arrived over TLS */
    bool tls_verified;           /* the peer's certificate chain verified (tport_is_verified) */
    bool tls_inbound;            /* the peer opened the TLS connection (we accepted it) */
    const su_strlst_t *subjects; /* the peer certificate's names (tport_delivered_from_subjects) */
    const char *from_domain;     /* host of the From URI, for `authenticated = verified` */
};

/* The zone a request from `o` belongs to: a traversal_server zone when the peer opened a TLS
 * connection with a verified certificate carrying one of the zone's tls_verify_subject names
 * (SPEC §5.4: the internal node is known by its certificate, its address is the firewall's);
 * else the first zone (declaration order) with a peer at that
 * address — exact port preferred over any port of the same IP — and, when the zone names
 * `tls_verify_subject`, a TLS peer certificate carrying one of those names; else the default
 * zone. Sets *authenticated per SPEC §5.5. Never NULL. */
const struct zone *srczone_lookup(const struct srczone_table *t, const struct dialplan *dp,
                                  const struct srczone_origin *o, bool *authenticated);

/* True when `subjects` holds `name` (case-insensitive, exact: sofia gives SAN dNSName entries,
 * or the CN without SAN; no wildcards, like tport_subject_search). */
bool srczone_subjects_have(const su_strlst_t *subjects, const char *name);

#endif
