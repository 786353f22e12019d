/* traversal.h — the traversal zone pair (SPEC §5.4, docs/traversal.md): the internal node
 * (`type = traversal_client`) opens and keeps one mutually authenticated TLS connection to each
 * DMZ node it names, with OPTIONS keep-alives and capped exponential back-off; the DMZ node
 * (`type = traversal_server`) sends requests for the zone only down connections that a verified
 * client opened, and never connects inwards. Both nodes hand the held connection to nta
 * (NTATAG_TPORT), so every request of the zone, and of dialogs recorded through the pair, takes
 * it. The state outlives configuration reloads; it is owned by the proxy and runs on its root. */
#ifndef SIPFED_TRAVERSAL_H
#define SIPFED_TRAVERSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dialplan.h"

struct traversal;
struct proxy_gen;
struct nexthop;
struct tls_peer;
/* sofia's types, declared rather than included (C11 allows repeating a typedef). */
typedef struct su_root_s su_root_t;
typedef struct tport_s tport_t;
typedef struct nta_agent_s nta_agent_t;

/* Create the traversal state on `root` for `agent` (no connection yet: traversal_apply()).
 * Returns 0 or ENOMEM. */
int traversal_create(su_root_t *root, nta_agent_t *agent, struct traversal **out);
/* Close every connection it holds and free it. Before the agent is destroyed. */
void traversal_destroy(struct traversal *tv);

/* Make the configuration `gen` the one in force (start-up and every reload): client links are
 * started for each peer of each traversal_client zone, kept when the zone and peer are
 * unchanged, and closed when they are gone; server connections of zones that are gone, or whose
 * certificate no longer fits, are dropped. `gen` must outlive the next call. */
void traversal_apply(struct traversal *tv, struct proxy_gen *gen);

/* A request arrived on connection `tp` from source zone `src` (SPEC §5.1) with TLS facts `peer`:
 * on the DMZ node, a traversal_server zone's verified client connection is registered (or its
 * last sign of life updated). Anything else is ignored. */
void traversal_observe(struct traversal *tv, const struct zone *src, tport_t *tp,
                       const struct tls_peer *peer);

/* The zone whose traversal connection serves next-hop name `host` (a Route or Request-URI host
 * of an in-dialog request): a traversal_server zone naming it in tls_verify_subject (the internal
 * node's Record-Route), a traversal_client zone with it as a peer host or in tls_verify_subject
 * (the DMZ node's Record-Route). NULL: none. Pure. */
const struct zone *traversal_zone_of_host(const struct dialplan *dp, const char *host);

/* Next hop of attempt `attempt` (0 first, failover after) for traversal zone `z`: a live
 * connection of the zone (those to `name` first, when given), with hop->tport set (borrowed,
 * valid during the caller's callback). Returns 0, or 503 with *reason when there is none. */
int traversal_select(const struct traversal *tv, const struct zone *z, const char *name,
                     size_t attempt, struct nexthop *hop, const char **reason);
/* True when attempt `attempt` + 1 has a connection to try. */
bool traversal_has_more(const struct traversal *tv, const struct zone *z, size_t attempt);

/* ------------------------------------------------------------- status */

enum traversal_state {
    TRAVERSAL_CONNECTING,     /* client: first connection attempt in progress */
    TRAVERSAL_CONNECTED,      /* the connection is up (client: keep-alives answered) */
    TRAVERSAL_RECONNECTING,   /* client: lost, retrying with back-off */
    TRAVERSAL_WAITING,        /* server: no client connection at all */
};

/* One row of the zone state, for logs and the admin status (SPEC §8). Strings are valid until
 * the next call into the traversal module. */
struct traversal_status {
    const char *zone;
    const char *role;         /* "client" (internal node) or "server" (DMZ node) */
    const char *peer;         /* client: the DMZ node as configured; server: the client's
                               * address as seen (ip:port), "-" while waiting */
    const char *name;         /* certificate name of the other node ("-" unknown) */
    enum traversal_state state;
    time_t since;             /* entered this state (wall clock) */
    time_t last_keepalive;    /* last keep-alive answered (client) / received (server); 0 never */
    unsigned reconnects;      /* client: connections lost so far */
    unsigned retry_in_ms;     /* client, reconnecting: back-off before the next attempt */
};

/* Fill up to `max` rows (client links, server connections, server zones without any); returns
 * how many rows exist (may exceed `max`). */
size_t traversal_status_get(const struct traversal *tv, struct traversal_status *rows,
                            size_t max);
const char *traversal_state_name(enum traversal_state s);

#endif
