/* admin.h — the admin HTTP interface (SPEC §8) in the proxy's event loop, served by sofia-sip's
 * nth (no HTTP code of our own): GET /metrics (Prometheus), /status, /history and /presence
 * (JSON) and / (a server-rendered HTML page). Read-only; docs/operations.md is the operator's
 * view. */
#ifndef SIPFED_ADMIN_H
#define SIPFED_ADMIN_H

#include <sofia-sip/su_wait.h>

#include "config.h"

struct admin;
struct forward_env;
struct dns_resolver;
struct ops_stats;

/* What the pages show; every pointer is owned by the proxy and outlives the admin listener. */
struct admin_sources {
    const struct forward_env *env;     /* configuration generation, transactions, counters,
                                        * presence store, learnt domains */
    struct dns_resolver *dns;
    const struct ops_stats *ops;
    const char *config_path;
    unsigned port_offset;              /* worker i of a node listens on the admin port + i */
    unsigned workers;                  /* the node's workers (docs/workers.md); 0 or 1: one */
};

/* Listen on cfg->admin_host:admin_port (the caller checks that admin_listen is set). Problems
 * are printed to stderr as `file:line: message`. Returns 0, EADDRNOTAVAIL or ENOMEM. */
int admin_create(su_root_t *root, const struct node_config *cfg, const struct admin_sources *src,
                 struct admin **out);
/* A reload: take the new token (the listen address itself needs a restart; a change is logged). */
void admin_reconfigure(struct admin *a, const struct node_config *cfg);
void admin_destroy(struct admin *a);

#endif
