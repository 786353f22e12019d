/* nexthop.h — where a branch goes: a zone target (neighbor peer by attempt, DNS zone via static
 * route) or a URI (Route header, dialog target) to host/IP/port/transport. The interface is
 * asynchronous so that DNS (SRV, A/AAAA through c-ares) can answer later; today every answer is
 * immediate. nta never resolves: the route URI always carries the IP (SOFIA-NOTES). */
#ifndef SIPFED_NEXTHOP_H
#define SIPFED_NEXTHOP_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "diag.h"
#include "dialplan.h"
#include "srczone.h"
#include "types.h"

struct dns_resolver;
struct peer_health;
struct traversal;
typedef struct tport_s tport_t;

struct nexthop {
    char host[256];              /* the name to put in the route URI (TLS name check), or the IP */
    char ip[64];                 /* numeric address to connect to */
    uint16_t port;
    enum sip_transport transport;
    /* a static route's tls_verify_subject (borrowed from the dial plan): over TLS the server
     * must carry one of these instead of `host` */
    char *const *verify_names;
    size_t n_verify_names;
    tport_t *tport;              /* traversal: send on this connection only (NTATAG_TPORT),
                                  * borrowed for the callback; NULL: nta picks or connects */
};

/* Names resolved at load: static-route next hops (neighbor peers live in srczone). */
struct nexthop_table;

/* The addresses of every static route's next hop of `dp`: IP literals as they are, names from
 * `names` (resolved before, gen_names.h; NULL: none). A name that did not resolve has no address
 * (requests for that domain fail with 502); proxy_gen refuses such a configuration. */
int nexthop_table_build(su_home_t *home, const struct dialplan *dp,
                        const struct gen_names *names, struct nexthop_table **out);

/* Everything next-hop selection may consult; owned by the proxy's current configuration. */
struct nexthop_ctx {
    const struct dialplan *dp;
    const struct srczone_table *sz;
    const struct nexthop_table *nt;
    struct dns_resolver *dns;    /* the proxy's resolver (dns.h, outlives reloads); NULL: none */
    const struct peer_health *health; /* peers marked down are tried last (peerhealth.h); may be NULL */
    const struct traversal *trav; /* the proxy's traversal connections (traversal.h); NULL:
                                   * none, traversal zones then fail with 503 */
};

struct nexthop_request {
    const struct zone *zone;     /* target zone; NULL: go to `uri` */
    const char *domain;          /* the alias's host (DNS zone), lowercased */
    const url_t *uri;            /* zone == NULL: a Route entry or the dialog's remote target */
    size_t attempt;              /* 0 first; the n-th failover (neighbor: next peer/address) */
};

/* The answer to a failure of one destination (docs/errors.md "Next-hop failures"). Never 503:
 * with or without Retry-After, an upstream proxy reads it as "sipfed is unavailable" and stops
 * sending everything through it (RFC 3261 §21.5.4); 503 is for sipfed's own overload only. */
enum {
    HOP_BAD_GATEWAY = 502,     /* refused: no address, connection refused, TLS handshake or name */
    HOP_TIMEOUT = 504,         /* DNS failure, connect/handshake timeout, no response */
    HOP_UNAVAILABLE = 480,     /* the zone has no peer to try */
};

/* Called exactly once per nexthop_select() unless cancelled: status 0 and `hop`, or a SIP
 * status (HOP_*, or 404 the domain does not federate) and a
 * short reason for the log. `hop` is valid only during the call. */
typedef void nexthop_done_f(void *arg, int status, const char *reason, const struct nexthop *hop);

struct nexthop_query;

/* Select the next hop for `rq`. `done` may run before this returns (then the result is NULL);
 * otherwise the returned query is pending until `done` runs or nexthop_cancel() is called. */
struct nexthop_query *nexthop_select(const struct nexthop_ctx *ctx,
                                     const struct nexthop_request *rq,
                                     nexthop_done_f *done, void *arg);
/* Drop a pending query: its `done` never runs. */
void nexthop_cancel(struct nexthop_query *q);

/* True when more attempts may follow attempt `attempt` for zone `z` (peer failover). Peers
 * marked down by their OPTIONS keep-alive count too: they are tried after the others. */
bool nexthop_has_more(const struct nexthop_ctx *ctx, const struct zone *z, size_t attempt);

/* `sip:HOST:PORT;transport=X[;maddr=IP]` (maddr when HOST is a name), from `home`. */
char *nexthop_route_url(su_home_t *home, const struct nexthop *hop);

#endif
