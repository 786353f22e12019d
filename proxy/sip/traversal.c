/* traversal.c — the traversal pair's state (SPEC §5.4; see traversal.h): configuration changes,
 * the tick, next-hop selection over the held connections, status rows. The client side is in
 * traversal_client.c, the server side in traversal_server.c. */
#include "traversal_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_string.h>

#include "log.h"
#include "nexthop.h"
#include "proxy_gen.h"
#include "srczone.h"
#include "tls_names.h"

static void traversal_tick(su_root_magic_t *magic, su_timer_t *t, struct traversal *tv)
{
    (void)magic;
    (void)t;
    uint64_t now_ms = trav_now_ms();
    if (!tv->gen)
        return;
    for (struct trav_link *l = tv->links; l; l = l->next)
        trav_link_tick(l, now_ms);
    trav_conns_tick(tv, now_ms);
}

int traversal_create(su_root_t *root, nta_agent_t *agent, struct traversal **out)
{
    struct traversal *tv = su_home_new(sizeof *tv);

    *out = NULL;
    if (!tv)
        return ENOMEM;
    tv->root = root;
    tv->agent = agent;
    tv->tick = su_timer_create(su_root_task(root), TRAVERSAL_TICK_MS);
    if (!tv->tick || su_timer_set_for_ever(tv->tick, traversal_tick, tv) < 0) {
        traversal_destroy(tv);
        return ENOMEM;
    }
    *out = tv;
    return 0;
}

void traversal_destroy(struct traversal *tv)
{
    if (!tv)
        return;
    if (tv->tick)
        su_timer_destroy(tv->tick);
    while (tv->links) {
        struct trav_link *l = tv->links;
        tv->links = l->next;
        trav_link_destroy(l);
    }
    while (tv->conns) {
        struct trav_conn *c = tv->conns;
        tv->conns = c->next;
        trav_conn_destroy(c);
    }
    su_home_unref(tv->home);
}

/* The link for peer `p` of zone `z`, when it still fits (same peer address). */
static struct trav_link *link_find(struct traversal *tv, const struct zone *z, size_t p,
                                   const char *ip, uint16_t port)
{
    for (struct trav_link *l = tv->links; l; l = l->next)
        if (!l->keep && strcmp(l->zone, z->name) == 0 && l->peer == p &&
            su_casematch(l->host, z->peers[p].host) && strcmp(l->ip, ip) == 0 && l->port == port)
            return l;
    return NULL;
}

static void apply_clients(struct traversal *tv, const struct proxy_gen *gen)
{
    for (struct trav_link *l = tv->links; l; l = l->next)
        l->keep = false;
    for (size_t i = 0; i < gen->dp->n_zones; i++) {
        const struct zone *z = gen->dp->zones[i];
        if (z->type != ZONE_TRAVERSAL_CLIENT)
            continue;
        for (size_t p = 0; p < z->n_peers; p++) {
            size_t n = 0;
            const struct srczone_addr *a = srczone_peer_addrs(gen->sz, z, p, &n);
            if (n == 0) {
                log_error("traversal", "event=unresolved role=client zone=%s peer=%s "
                          "msg=\"the DMZ node's name does not resolve: no connection\"",
                          z->name, z->peers[p].host);
                continue;
            }
            struct trav_link *l = link_find(tv, z, p, a[0].ip, a[0].port);
            if (!l) {
                l = trav_link_create(tv, z, p, a[0].ip, a[0].port);
                if (!l) {
                    log_error("traversal", "event=link_failed zone=%s reason=\"out of memory\"",
                              z->name);
                    continue;
                }
                l->next = tv->links;
                tv->links = l;
                log_info("traversal", "event=start role=client zone=%s peer=%s address=%s:%u "
                         "keepalive_interval=%u reconnect_max=%u", z->name, l->peer_text, l->ip,
                         (unsigned)l->port, z->keepalive_interval, z->reconnect_max);
            } else {
                trav_link_configure(l, z);
            }
            l->keep = true;
        }
    }
    for (struct trav_link **pp = &tv->links; *pp;) {
        struct trav_link *l = *pp;
        if (l->keep) {
            pp = &l->next;
            continue;
        }
        *pp = l->next;
        trav_link_destroy(l);
    }
}

/* Server connections whose zone is gone or whose certificate no longer fits are closed. */
static void apply_servers(struct traversal *tv, const struct proxy_gen *gen)
{
    for (struct trav_conn **pp = &tv->conns; *pp;) {
        struct trav_conn *c = *pp;
        const struct zone *z = dialplan_zone_find(gen->dp, c->zone);
        bool fits = false;
        for (size_t i = 0; z && z->type == ZONE_TRAVERSAL_SERVER &&
                           i < z->n_tls_verify_subject; i++)
            fits = fits || tls_names_contain(c->names, c->n_names, z->tls_verify_subject[i]);
        if (fits) {
            c->silence_ms = TRAVERSAL_SILENCE_INTERVALS * z->keepalive_interval * 1000U;
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        log_warn("traversal", "event=closed role=server zone=%s peer=%s name=%s "
                 "reason=\"no longer admitted by the configuration\"", c->zone, c->peer_text,
                 c->name);
        if (!tport_is_closed(c->tp))
            tport_shutdown(c->tp, 2);
        trav_conn_destroy(c);
    }
}

void traversal_apply(struct traversal *tv, struct proxy_gen *gen)
{
    if (!tv || !gen)
        return;
    tv->gen = gen;
    apply_clients(tv, gen);
    apply_servers(tv, gen);
}

const struct zone *traversal_zone_of_host(const struct dialplan *dp, const char *host)
{
    for (size_t i = 0; dp && host && i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (z->type != ZONE_TRAVERSAL_CLIENT && z->type != ZONE_TRAVERSAL_SERVER)
            continue;
        if (tls_names_contain(z->tls_verify_subject, z->n_tls_verify_subject, host))
            return z;
        for (size_t p = 0; z->type == ZONE_TRAVERSAL_CLIENT && p < z->n_peers; p++)
            if (su_casematch(z->peers[p].host, host))
                return z;
    }
    return NULL;
}

/* ---------------------------------------------------------- selection */

/* Candidate `k` of zone `z` in selection order: connections to `name` first (the node a dialog
 * was recorded through), then the others; client links in peer order. */
static bool link_fits(const struct trav_link *l, const struct zone *z, const char *name, int pass)
{
    if (l->state != TRAVERSAL_CONNECTED || strcmp(l->zone, z->name) != 0 ||
        !trav_tport_usable(l->tp))
        return false;
    bool named = name && su_casematch(l->host, name);
    return pass == 0 ? named : !named;
}

static bool conn_fits(const struct trav_conn *c, const struct zone *z, const char *name, int pass)
{
    if (strcmp(c->zone, z->name) != 0 || !trav_tport_usable(c->tp))
        return false;
    bool named = name && tls_names_contain(c->names, c->n_names, name);
    return pass == 0 ? named : !named;
}

static void hop_set(struct nexthop *hop, const char *host, const char *ip, uint16_t port,
                    tport_t *tp)
{
    if (!hop)
        return;
    snprintf(hop->host, sizeof hop->host, "%s", host);
    snprintf(hop->ip, sizeof hop->ip, "%s", ip);
    hop->port = port;
    hop->transport = SIP_TP_TLS;
    hop->tport = tp;
}

static bool candidate(const struct traversal *tv, const struct zone *z, const char *name,
                      size_t k, struct nexthop *hop)
{
    size_t seen = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (z->type == ZONE_TRAVERSAL_CLIENT) {
            /* Links were prepended: walk the peers in configured order. */
            for (size_t p = 0; p < z->n_peers; p++)
                for (const struct trav_link *l = tv->links; l; l = l->next) {
                    if (l->peer != p || !link_fits(l, z, name, pass) || seen++ != k)
                        continue;
                    hop_set(hop, l->host, l->ip, l->port, l->tp);
                    return true;
                }
        } else {
            for (const struct trav_conn *c = tv->conns; c; c = c->next) {
                if (!conn_fits(c, z, name, pass) || seen++ != k)
                    continue;
                hop_set(hop, c->ip, c->ip, c->port, c->tp);
                return true;
            }
        }
    }
    return false;
}

int traversal_select(const struct traversal *tv, const struct zone *z, const char *name,
                     size_t attempt, struct nexthop *hop, const char **reason)
{
    if (tv && candidate(tv, z, name, attempt, hop))
        return 0;
    *reason = attempt ? "no more traversal connections"
                      : z->type == ZONE_TRAVERSAL_SERVER
                            ? "no traversal client connected"
                            : "traversal connection down";
    return 503;
}

bool traversal_has_more(const struct traversal *tv, const struct zone *z, size_t attempt)
{
    return tv && candidate(tv, z, NULL, attempt + 1, NULL);
}

/* ------------------------------------------------------------- status */

const char *traversal_state_name(enum traversal_state s)
{
    switch (s) {
    case TRAVERSAL_CONNECTING: return "connecting";
    case TRAVERSAL_CONNECTED: return "connected";
    case TRAVERSAL_RECONNECTING: return "reconnecting";
    case TRAVERSAL_WAITING: return "waiting";
    }
    return "?";
}

size_t traversal_status_get(const struct traversal *tv, struct traversal_status *rows,
                            size_t max)
{
    size_t n = 0;
    uint64_t now_ms = trav_now_ms();

    if (!tv)
        return 0;
    for (const struct trav_link *l = tv->links; l; l = l->next, n++) {
        if (n >= max)
            continue;
        const struct zone *z = tv->gen ? dialplan_zone_find(tv->gen->dp, l->zone) : NULL;
        rows[n] = (struct traversal_status){
            .zone = l->zone, .role = "client", .peer = l->peer_text,
            .name = z && z->n_tls_verify_subject ? z->tls_verify_subject[0] : l->host,
            .state = l->state, .since = l->since, .last_keepalive = l->last_keepalive,
            .reconnects = l->reconnects,
            .retry_in_ms = l->state == TRAVERSAL_RECONNECTING && l->next_ms > now_ms
                               ? (unsigned)(l->next_ms - now_ms) : 0,
        };
    }
    for (const struct trav_conn *c = tv->conns; c; c = c->next, n++)
        if (n < max)
            rows[n] = (struct traversal_status){
                .zone = c->zone, .role = "server", .peer = c->peer_text, .name = c->name,
                .state = TRAVERSAL_CONNECTED, .since = c->since, .last_keepalive = c->last_seen,
            };
    for (size_t i = 0; tv->gen && i < tv->gen->dp->n_zones; i++) {
        const struct zone *z = tv->gen->dp->zones[i];
        bool any = false;
        for (const struct trav_conn *c = tv->conns; c && !any; c = c->next)
            any = strcmp(c->zone, z->name) == 0;
        if (z->type != ZONE_TRAVERSAL_SERVER || any)
            continue;
        if (n < max)
            rows[n] = (struct traversal_status){
                .zone = z->name, .role = "server", .peer = "-",
                .name = z->tls_verify_subject[0], .state = TRAVERSAL_WAITING,
            };
        n++;
    }
    return n;
}
