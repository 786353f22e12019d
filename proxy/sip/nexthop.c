/* nexthop.c — next-hop selection for a branch (SPEC §5.2, §5.3); see nexthop.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/su_string.h>

#include "log.h"
#include "nexthop.h"
#include "nexthop_dns.h"
#include "peerhealth.h"
#include "route.h"
#include "traversal.h"

struct static_hop {
    const struct static_route *sr;
    struct srczone_addr *addrs;
    size_t n_addrs;
};

struct nexthop_table {
    struct static_hop *hops;
    size_t n_hops;
};

int nexthop_table_build(su_home_t *home, const struct dialplan *dp,
                        const struct gen_names *names, struct nexthop_table **out)
{
    struct nexthop_table *t = su_zalloc(home, sizeof *t);

    if (!t || !(t->hops = su_zalloc(home, (dp->n_static_routes + 1) * sizeof *t->hops)))
        return ENOMEM;
    for (size_t i = 0; i < dp->n_static_routes; i++) {
        const struct static_route *sr = dp->static_routes[i];
        struct static_hop *h = &t->hops[t->n_hops++];
        uint16_t port = sr->next_hop.port ? sr->next_hop.port : sip_transport_default_port(sr->transport);
        h->sr = sr;
        if (srczone_resolve(home, names, sr->next_hop.host, port, &h->addrs, &h->n_addrs) ==
            ENOMEM)
            return ENOMEM;
    }
    *out = t;
    return 0;
}

static void hop_fill(struct nexthop *hop, const char *host, const struct srczone_addr *a,
                     enum sip_transport tp)
{
    snprintf(hop->host, sizeof hop->host, "%s", host);
    snprintf(hop->ip, sizeof hop->ip, "%.*s", (int)sizeof hop->ip - 1, a->ip);
    hop->port = a->port;
    hop->transport = tp;
}

static bool addr_down(const struct nexthop_ctx *ctx, const struct zone *z,
                      const struct srczone_addr *a)
{
    return peer_health_is_down(ctx->health, a->ip, a->port, z->transport);
}

/* The attempt-th (peer, address) pair of a zone with peers: the addresses not marked down
 * first, then those marked down (route_peer_attempt), each in peer order. */
static const struct srczone_addr *peer_attempt(const struct nexthop_ctx *ctx, const struct zone *z,
                                               size_t attempt, size_t *peer)
{
    size_t n_live = 0, n_down = 0, nth = 0;
    bool want_down = false;

    for (size_t p = 0; p < z->n_peers; p++) {
        size_t n = 0;
        const struct srczone_addr *a = srczone_peer_addrs(ctx->sz, z, p, &n);
        for (size_t k = 0; k < n; k++)
            addr_down(ctx, z, &a[k]) ? n_down++ : n_live++;
    }
    if (!route_peer_attempt(n_live, n_down, attempt, &want_down, &nth))
        return NULL;
    for (size_t p = 0; p < z->n_peers; p++) {
        size_t n = 0;
        const struct srczone_addr *a = srczone_peer_addrs(ctx->sz, z, p, &n);
        for (size_t k = 0; k < n; k++)
            if (addr_down(ctx, z, &a[k]) == want_down && nth-- == 0) {
                *peer = p;
                return &a[k];
            }
    }
    return NULL;
}

bool nexthop_has_more(const struct nexthop_ctx *ctx, const struct zone *z, size_t attempt)
{
    size_t peer;
    if (z && (z->type == ZONE_TRAVERSAL_CLIENT || z->type == ZONE_TRAVERSAL_SERVER))
        return traversal_has_more(ctx->trav, z, attempt);
    return z && z->n_peers > 0 && peer_attempt(ctx, z, attempt + 1, &peer) != NULL;
}

/* A traversal zone's live connection (traversal.c), or 503 at once: never a new connection. */
static struct nexthop_query *select_traversal(const struct nexthop_ctx *ctx, const struct zone *z,
                                              const char *name, size_t attempt,
                                              nexthop_done_f *done, void *arg)
{
    struct nexthop hop;
    const char *reason = "no traversal connection";

    memset(&hop, 0, sizeof hop);
    int status = ctx->trav ? traversal_select(ctx->trav, z, name, attempt, &hop, &reason) : 503;
    if (status)
        done(arg, status, reason, NULL);
    else
        done(arg, 0, NULL, &hop);
    return NULL;
}

/* A URI host that is a name: only names resolved at load (peers, static routes) are known
 * until the dns module resolves at run time. */
static const struct srczone_addr *known_name(const struct nexthop_ctx *ctx, const char *host)
{
    for (size_t i = 0; i < ctx->nt->n_hops; i++)
        if (ctx->nt->hops[i].n_addrs && su_casematch(ctx->nt->hops[i].sr->next_hop.host, host))
            return &ctx->nt->hops[i].addrs[0];
    for (size_t zi = 0; zi < ctx->dp->n_zones; zi++) {
        const struct zone *z = ctx->dp->zones[zi];
        for (size_t p = 0; p < z->n_peers; p++) {
            size_t n = 0;
            const struct srczone_addr *a = srczone_peer_addrs(ctx->sz, z, p, &n);
            if (n && su_casematch(z->peers[p].host, host))
                return &a[0];
        }
    }
    return NULL;
}

static struct nexthop_query *select_uri(const struct nexthop_ctx *ctx, const url_t *u,
                                       nexthop_done_f *done, void *arg)
{
    struct nexthop hop;
    struct srczone_addr lit;
    enum sip_transport tp = route_uri_transport(u);
    char maddr[64];
    const char *host = u->url_host;
    const struct srczone_addr *a = NULL;

    memset(&hop, 0, sizeof hop);
    /* SPEC §5.4: in-dialog requests through the pair (Route or target naming the other node of
     * the pair) go down its traversal connection, never to the name's address. */
    const struct zone *tz = u->url_host ? traversal_zone_of_host(ctx->dp, u->url_host) : NULL;
    if (tz)
        return select_traversal(ctx, tz, u->url_host, 0, done, arg);
    lit.port = u->url_port && *u->url_port ? (uint16_t)strtoul(u->url_port, NULL, 10)
                                           : sip_transport_default_port(tp);
    if (u->url_params && url_param(u->url_params, "maddr", maddr, sizeof maddr) > 0 &&
        host_is_ip_address(maddr))
        host = maddr;
    if (host && host_is_ip_address(host)) {
        size_t len = strlen(host);
        if (host[0] == '[' && len > 2)   /* IPv6 reference: keep the bare address */
            snprintf(lit.ip, sizeof lit.ip, "%.*s", (int)(len - 2), host + 1);
        else
            snprintf(lit.ip, sizeof lit.ip, "%s", host);
        a = &lit;
    } else if (host) {
        const struct srczone_addr *k = known_name(ctx, host);
        if (k) {
            snprintf(lit.ip, sizeof lit.ip, "%s", k->ip);
            a = &lit;
        }
    }
    if (!a && host && !host_is_ip_address(host))
        /* Any other name (a Microsoft edge's Record-Route FQDN): A/AAAA through c-ares. */
        return nexthop_dns_select_host(ctx->dns, host, lit.port, tp, done, arg);
    if (!a) {
        done(arg, HOP_BAD_GATEWAY, "next hop URI has no host", NULL);
        return NULL;
    }
    hop_fill(&hop, u->url_host, a, tp);
    done(arg, 0, NULL, &hop);
    return NULL;
}

static struct nexthop_query *select_dns_zone(const struct nexthop_ctx *ctx,
                                             const struct nexthop_request *rq,
                                             nexthop_done_f *done, void *arg)
{
    struct nexthop hop;

    memset(&hop, 0, sizeof hop);
    const struct static_route *sr = rq->domain ? dialplan_static_route_find(ctx->dp, rq->domain)
                                               : NULL;
    for (size_t i = 0; sr && i < ctx->nt->n_hops; i++) {
        const struct static_hop *h = &ctx->nt->hops[i];
        if (h->sr != sr)
            continue;
        /* SPEC §5.3: a static route replaces DNS for its domain, with no fallback. */
        if (rq->attempt >= h->n_addrs) {
            done(arg, HOP_BAD_GATEWAY, h->n_addrs ? "static route: no more addresses"
                                      : "static route next hop does not resolve", NULL);
            return NULL;
        }
        hop_fill(&hop, h->sr->next_hop.host, &h->addrs[rq->attempt], h->sr->transport);
        hop.verify_names = h->sr->tls_verify_subject;
        hop.n_verify_names = h->sr->n_tls_verify_subject;
        done(arg, 0, NULL, &hop);
        return NULL;
    }
    /* No static route: SRV, then A/AAAA, through c-ares (nexthop_dns.c). */
    return nexthop_dns_select(ctx->dns, ctx->dp, rq, done, arg);
}

struct nexthop_query *nexthop_select(const struct nexthop_ctx *ctx,
                                     const struct nexthop_request *rq,
                                     nexthop_done_f *done, void *arg)
{
    struct nexthop hop;
    size_t peer = 0;

    memset(&hop, 0, sizeof hop);
    if (!rq->zone)
        return select_uri(ctx, rq->uri, done, arg);
    switch (rq->zone->type) {
    case ZONE_DNS:
        return select_dns_zone(ctx, rq, done, arg);
    case ZONE_TRAVERSAL_CLIENT:
    case ZONE_TRAVERSAL_SERVER:
        return select_traversal(ctx, rq->zone, NULL, rq->attempt, done, arg);
    case ZONE_NEIGHBOR: {
        const struct srczone_addr *a = peer_attempt(ctx, rq->zone, rq->attempt, &peer);
        if (!a) {
            done(arg, rq->attempt ? HOP_BAD_GATEWAY : HOP_UNAVAILABLE,
                 rq->attempt ? "no more peers" : "no reachable peer", NULL);
            return NULL;
        }
        hop_fill(&hop, rq->zone->peers[peer].host, a, rq->zone->transport);
        done(arg, 0, NULL, &hop);
        return NULL;
    }
    case ZONE_DEFAULT:
    default:
        done(arg, HOP_UNAVAILABLE, "the default zone is not a routable target", NULL);
        return NULL;
    }
}

void nexthop_cancel(struct nexthop_query *q)
{
    /* Only DNS lookups (DNS zone, or a URI's host name) are ever left pending. */
    nexthop_dns_cancel(q);
}
