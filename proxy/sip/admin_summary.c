/* admin_summary.c — GET /summary: the short human summary `sipfed status` prints (zones and
 * peers, connections, rates, last reload), rendered by the daemon so that the command line
 * needs no JSON parser. */
#include <string.h>

#include "admin_int.h"
#include "dialplan.h"
#include "dns.h"
#include "forward.h"
#include "ops_stats.h"
#include "policy.h"
#include "presence_proxy.h"
#include "proxy_gen.h"
#include "srczone.h"
#include "tls.h"
#include "traversal.h"
#include "version.h"

static void duration(struct textbuf *b, long long s)
{
    if (s >= 86400)
        textbuf_printf(b, "%lldd%02lldh%02lldm", s / 86400, s % 86400 / 3600, s % 3600 / 60);
    else if (s >= 3600)
        textbuf_printf(b, "%lldh%02lldm", s / 3600, s % 3600 / 60);
    else
        textbuf_printf(b, "%lldm%02llds", s / 60, s % 60);
}

static void summary_zones(const struct proxy_gen *g, struct textbuf *b)
{
    textbuf_add(b, "zones:\n");
    for (size_t i = 0; i < g->dp->n_zones; i++) {
        const struct zone *z = g->dp->zones[i];
        textbuf_printf(b, "  %-16s %-16s", z->name, zone_type_name(z->type));
        if (z->type == ZONE_DNS)
            textbuf_add(b, " any domain by DNS SRV\n");
        else if (z->type == ZONE_DEFAULT)
            textbuf_add(b, " everything else\n");
        else
            textbuf_printf(b, " %s, %zu peer%s\n", sip_transport_name(z->transport), z->n_peers,
                           z->n_peers == 1 ? "" : "s");
        for (size_t p = 0; p < z->n_peers; p++) {
            struct admin_peer_conns pc;
            admin_peer_conns(g, z, p, &pc);
            const char *health = admin_peer_health(g, z, &pc);
            textbuf_printf(b, "    %s:%u  %s  health %s%s  TLS connections "
                              "in %zu / out %zu\n", z->peers[p].host, z->peers[p].port,
                           pc.n_addrs ? pc.addrs[0].ip : "UNRESOLVED",
                           strcmp(health, "down") == 0 ? "DOWN" : health,
                           strcmp(health, "unknown") == 0 ? " (not probed)" : "", pc.in, pc.out);
        }
    }
}

static void summary_traversal(const struct admin_doc *d, struct textbuf *b)
{
    struct traversal_status rows[ADMIN_TRAVERSAL_ROWS];
    size_t n = admin_traversal_rows(d, rows, ADMIN_TRAVERSAL_ROWS);
    char t[32];

    if (n)
        textbuf_add(b, "traversal:\n");
    for (size_t i = 0; i < n; i++)
        textbuf_printf(b, "  %-16s %-6s %s (%s) %s since %s, %u reconnect%s\n", rows[i].zone,
                       rows[i].role, rows[i].peer, rows[i].name,
                       traversal_state_name(rows[i].state),
                       admin_time(rows[i].since, t, sizeof t), rows[i].reconnects,
                       rows[i].reconnects == 1 ? "" : "s");
}

void admin_summary_render(const struct admin_doc *d, struct textbuf *b)
{
    const struct forward_env *env = d->src->env;
    const struct ops_stats *ops = d->src->ops;
    const struct proxy_gen *g = env->gen;
    char t1[32], t2[32];
    long long up = (long long)(d->now - ops->started);
    struct tls_stats ts;
    struct dns_stats ds = { .n_results = 0 };

    textbuf_printf(b, "sipfed %s on %s, up ", SIPFED_VERSION, g->cfg->hostname);
    duration(b, up);
    textbuf_printf(b, " (since %s)\n", admin_time(ops->started, t1, sizeof t1));
    textbuf_printf(b, "configuration: %s, generation %u loaded %s\n", d->src->config_path,
                   ops->generation, admin_time(ops->generation_loaded, t1, sizeof t1));
    if (!ops->last_reload_at)
        textbuf_add(b, "last reload: none since start\n");
    else if (ops->last_reload_ok)
        textbuf_printf(b, "last reload: ok at %s\n",
                       admin_time(ops->last_reload_at, t2, sizeof t2));
    else
        textbuf_printf(b, "last reload: REFUSED at %s (%zu error%s; the previous configuration "
                          "keeps serving): %s\n", admin_time(ops->last_reload_at, t2, sizeof t2),
                       ops->last_reload_errors, ops->last_reload_errors == 1 ? "" : "s",
                       ops->last_reload_error);
    textbuf_printf(b, "requests: %llu (%.2f/s over the last minute, %.2f/s since start), %u "
                      "active, overload %s (%llu refused)\n",
                   (unsigned long long)ops->requests_total, ops_request_rate(ops, d->now),
                   up > 0 ? (double)ops->requests_total / (double)up : 0.0, env->active,
                   env->overloaded ? "NOW" : "no", (unsigned long long)ops->overload_refused);
    summary_zones(g, b);
    summary_traversal(d, b);
    tls_stats_get(&ts);
    unsigned long failed = 0, ok = ts.handshakes[TLS_DIR_IN][TLS_RESULT_OK] +
                                   ts.handshakes[TLS_DIR_OUT][TLS_RESULT_OK];
    for (int dir = 0; dir < TLS_DIR_N; dir++)
        for (int r = TLS_RESULT_OK + 1; r < TLS_RESULT_N; r++)
            failed += ts.handshakes[dir][r];
    textbuf_printf(b, "tls: %zu connection%s open, %lu handshake%s ok, %lu failed\n",
                   g->tls ? tls_connections_foreach(g->tls, NULL, NULL) : 0,
                   g->tls && tls_connections_foreach(g->tls, NULL, NULL) == 1 ? "" : "s",
                   ok, ok == 1 ? "" : "s", failed);
    if (d->src->dns)
        dns_resolver_stats(d->src->dns, &ds);
    textbuf_printf(b, "dns: %lu lookups, %lu cache hits, %zu cached\n", ds.lookups,
                   ds.cache_hits, ds.cached);
    textbuf_printf(b, "learnt domains: %zu; presence: %zu presentities\n",
                   env->learnt ? policy_learnt_count(env->learnt) : 0,
                   presence_store_count(env->presence));
}
