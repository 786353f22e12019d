/* proxy_gen.h — one loaded configuration (node file, dial plan and what the proxy built from
 * them) and the proxy's counters: what forward*.c need from the proxy without calling proxy.c. */
#ifndef SIPFED_PROXY_GEN_H
#define SIPFED_PROXY_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "config.h"
#include "dialplan.h"
#include "nexthop.h"
#include "route.h"
#include "srczone.h"
#include "tls.h"

/* One loaded configuration: node file, dial plan and what was resolved from them. Immutable;
 * a reload builds a new one. Transactions hold a reference (proxy_gen_ref) for their lifetime. */
struct proxy_gen {
    su_home_t home[1];
    unsigned refs;
    struct node_config *cfg;
    struct dialplan *dp;
    struct srczone_table *sz;
    struct nexthop_table *nt;
    struct route_self self;       /* hostname + listen addresses, for Route/Via matching */
    struct nexthop_ctx nh;        /* dp + sz + nt, for nexthop_select() */
    struct tls_setup *tls;        /* [tls] prepared (tls.h); NULL when the node uses no TLS */
};

/* Counters for every drop and error path (shown by the admin status when it lands). */
struct proxy_counters {
    uint64_t requests;            /* requests routed statefully */
    uint64_t stateless;           /* ACK-for-2xx and BENOTIFY forwarded without a transaction */
    uint64_t refused;             /* answered locally with an error (404, 420, 482, 483, ...) */
    uint64_t failover;            /* next-peer attempts */
    uint64_t send_failed;         /* nta refused to create/send a request or a response */
    uint64_t rate_refused_ip;     /* refused by rate_limit_per_ip (503, also in `refused`) */
    uint64_t rate_refused_domain; /* refused by rate_limit_per_domain (503, also in `refused`) */
};

/* Load the node file and dial plan into a new generation (refs = 1). Every problem goes to `d`.
 * Returns 0, EINVAL (configuration errors) or ENOMEM. */
int proxy_gen_load(const char *config_path, struct diag *d, struct proxy_gen **out);
struct proxy_gen *proxy_gen_ref(struct proxy_gen *g);
void proxy_gen_unref(struct proxy_gen *g);

#endif
