/* proxy_gen.h — one loaded configuration (node file, dial plan and what the proxy built from
 * them) and the proxy's counters: what forward*.c need from the proxy without calling proxy.c. */
#ifndef SIPFED_PROXY_GEN_H
#define SIPFED_PROXY_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "config.h"
#include "dialplan.h"
#include "gen_names.h"
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

/* Load the node file and dial plan into a new generation (refs = 1), resolve its host names on a
 * private event loop (gen_names_resolve_now: start-up and the CLI, before any loop runs) and
 * build it (proxy_gen_build). Every problem goes to `d`. Returns 0, EINVAL (configuration
 * errors, a name that does not resolve) or ENOMEM. */
int proxy_gen_load(const char *config_path, struct diag *d, struct proxy_gen **out);

/* The same in steps, for a reload that must not block the event loop: read the files into an
 * unbuilt generation (refs = 1; errors in `d`); the options of the resolver for its names
 * (its own [dns] servers); with every name answered (gen_names.h), build what the proxy derives
 * (source zones, static-route hops, TLS set-up). proxy_gen_build returns 0, EINVAL or ENOMEM;
 * on error the caller unrefs the generation. */
int proxy_gen_parse(const char *config_path, struct diag *d, struct proxy_gen **out);
void proxy_gen_names_options(const struct proxy_gen *g, struct dns_options *opt);
int proxy_gen_build(struct proxy_gen *g, const struct gen_names *names, struct diag *d);
struct proxy_gen *proxy_gen_ref(struct proxy_gen *g);
void proxy_gen_unref(struct proxy_gen *g);

#endif
