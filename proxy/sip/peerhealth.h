/* peerhealth.h — OPTIONS keep-alives to neighbor zone peers (issue 11).
 *
 * Every `peer_keepalive_interval` seconds each resolved peer address of every neighbor zone
 * gets an OPTIONS (traversal zones have their own keep-alive). A peer that gives no final
 * response within PEER_PROBE_TIMEOUT (or answers 408/503, or cannot be sent to) is marked down;
 * any other final response marks it up.
 * Next-hop selection tries down peers last (nexthop.c, route_peer_attempt), so failover costs
 * nothing for the requests that follow, and a stale mark never makes a peer unreachable. Each change is
 * logged once (`module=health event=peer_down|peer_up`). The table is readable by others
 * (peer_health_count/peer_health_get) for /status and /metrics. */
#ifndef SIPFED_PEERHEALTH_H
#define SIPFED_PEERHEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "types.h"

typedef struct su_root_s su_root_t;
typedef struct nta_agent_s nta_agent_t;
struct proxy_gen;
struct peer_health;

/* One peer address and what is known about it. Strings live as long as the entry. */
struct peer_health_entry {
    const char *zone;            /* zone name */
    const char *host;            /* the peer as configured (name or IP) */
    char ip[64];                 /* the address probed */
    uint16_t port;
    enum sip_transport transport;
    bool up;                     /* true until a probe fails */
    time_t changed;              /* wall clock of the last up/down change (0: never) */
    unsigned last_status;        /* status of the last probe's answer (0: none, timed out) */
    uint64_t probes, failures;   /* probes sent; probes that failed */
};

/* Create the prober on `root`/`agent`; `hostname` is our FQDN (From of the OPTIONS). Probing
 * starts with peer_health_set_targets(). Returns 0 or ENOMEM. */
int peer_health_create(su_root_t *root, nta_agent_t *agent, const char *hostname,
                       struct peer_health **out);
/* Probe the peers of `gen` every `interval_s` seconds (0: no probing; every peer counts as up).
 * An address already known keeps its state (reload). Returns 0 or ENOMEM. */
int peer_health_set_targets(struct peer_health *ph, const struct proxy_gen *gen,
                            unsigned interval_s);
/* True when ip:port over `tp` was marked down by its last probe. Unknown addresses are up. */
bool peer_health_is_down(const struct peer_health *ph, const char *ip, uint16_t port,
                         enum sip_transport tp);
size_t peer_health_count(const struct peer_health *ph);
const struct peer_health_entry *peer_health_get(const struct peer_health *ph, size_t i);
void peer_health_destroy(struct peer_health *ph);

#endif
