/* admin_metrics.c — GET /metrics: every counter of the proxy in the Prometheus text format
 * (names and labels by Prometheus conventions: snake_case, _total for counters, base units).
 * Unlabelled values are one table; labelled families are written from their counter sets. */
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_config.h>
#include <sofia-sip/sofia_features.h>

#include "admin_int.h"
#include "dns.h"
#include "forward.h"
#include "ops_stats.h"
#include "policy.h"
#include "presence_proxy.h"
#include "prom.h"
#include "proxy_gen.h"
#include "tls.h"
#include "traversal.h"
#include "unreadable.h"
#include "version.h"

struct scalar {
    const char *name;
    enum prom_type type;
    const char *help;
    uint64_t value;
};

static void scalars_write(struct textbuf *b, const struct scalar *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        prom_scalar(b, s[i].name, s[i].type, s[i].help, s[i].value);
}

#define SCALARS_WRITE(b, table) scalars_write((b), (table), sizeof (table) / sizeof (table)[0])

static void metrics_scalars(const struct admin_doc *d, const struct dns_stats *ds,
                            struct textbuf *b)
{
    const struct forward_env *env = d->src->env;
    const struct ops_stats *ops = d->src->ops;
    const struct proxy_counters *c = env->counters;
    const struct scalar table[] = {
        { "sipfed_start_time_seconds", PROM_GAUGE, "When the process started (Unix time)",
          (uint64_t)ops->started },
        { "sipfed_transactions_active", PROM_GAUGE, "Server transactions in flight",
          env->active },
        { "sipfed_overloaded", PROM_GAUGE,
          "1 while the proxy refuses new requests with 503 (admission control)",
          env->overloaded },
        { "sipfed_overload_refused_total", PROM_COUNTER,
          "Requests refused with 503 by the proxy's own admission control",
          ops->overload_refused },
        { "sipfed_stateless_forwarded_total", PROM_COUNTER,
          "ACKs for 2xx and BENOTIFYs forwarded without a transaction", c->stateless },
        { "sipfed_failovers_total", PROM_COUNTER,
          "Attempts moved to the next peer of a zone (SPEC 5.2)", c->failover },
        { "sipfed_unreadable_messages_total", PROM_COUNTER,
          "Messages dropped because no SIP request or status line could be read in them "
          "(not SIP, binary, a datagram with no line end)", unreadable_count(env->unreadable) },
        { "sipfed_send_failures_total", PROM_COUNTER,
          "Requests or responses the SIP stack refused to send", c->send_failed },
        { "sipfed_metric_series_dropped_total", PROM_COUNTER,
          "Increments not kept because a metric reached its series limit",
          counter_set_overflow(ops->requests) },
        { "sipfed_dns_cache_hits_total", PROM_COUNTER, "DNS zone lookups answered from the cache",
          ds->cache_hits },
        { "sipfed_dns_cache_entries", PROM_GAUGE, "DNS answers cached now", ds->cached },
        { "sipfed_config_last_reload_successful", PROM_GAUGE,
          "0 when the last reload was refused, else 1", ops->last_reload_ok },
        { "sipfed_config_generation", PROM_GAUGE,
          "Configuration generation serving now (1 at start, +1 per accepted reload)",
          ops->generation },
        { "sipfed_config_last_reload_timestamp_seconds", PROM_GAUGE,
          "When the serving configuration was loaded (Unix time)",
          (uint64_t)ops->generation_loaded },
        { "sipfed_learnt_domains", PROM_GAUGE,
          "Partner domains learnt by open federation (SPEC 6)",
          env->learnt ? policy_learnt_count(env->learnt) : 0 },
        { "sipfed_presence_presentities", PROM_GAUGE, "Presentities whose last state is kept",
          presence_store_count(env->presence) },
        { "sipfed_presence_dropped_total", PROM_COUNTER,
          "Presentities not kept because the store was full",
          presence_store_dropped(env->presence) },
    };
    SCALARS_WRITE(b, table);
}

static void metrics_tls(struct textbuf *b)
{
    struct tls_stats ts;

    tls_stats_get(&ts);
    prom_family(b, "sipfed_tls_handshakes_total", PROM_COUNTER,
                "TLS handshakes by direction and result (ok, or the class of the failure)");
    for (int dir = 0; dir < TLS_DIR_N; dir++)
        for (int r = 0; r < TLS_RESULT_N; r++) {
            /* ok always, failures once seen: a complete but mostly-zero matrix is noise */
            if (r != TLS_RESULT_OK && ts.handshakes[dir][r] == 0)
                continue;
            const char *labels[] = { "direction", tls_direction_name((enum tls_direction)dir),
                                     "result", tls_result_name((enum tls_result)r), NULL };
            prom_sample_u64(b, "sipfed_tls_handshakes_total", labels, ts.handshakes[dir][r]);
        }
}

static void metrics_dns(const struct dns_stats *ds, struct textbuf *b)
{
    prom_family(b, "sipfed_dns_queries_total", PROM_COUNTER,
                "DNS zone lookups finished, by result (srv, a_record, no_srv, no_address, "
                "srv_unavailable, timeout, dns_error)");
    for (size_t i = 0; i < ds->n_results; i++) {
        const char *labels[] = { "result", ds->results[i].result, NULL };
        prom_sample_u64(b, "sipfed_dns_queries_total", labels, ds->results[i].n);
    }
}

static void mapped_one(void *arg, const char *from, const char *to, unsigned long n)
{
    const char *labels[] = { "from", from, "to", to, NULL };
    prom_sample_u64(arg, "sipfed_presence_mapped_total", labels, n);
}

static void metrics_presence(const struct admin_doc *d, struct textbuf *b)
{
    prom_family(b, "sipfed_presence_mapped_total", PROM_COUNTER,
                "Presence documents crossing the proxy mapped to a known state, by source "
                "format and state");
    presence_store_mapped_foreach(d->src->env->presence, mapped_one, b);
}

static void metrics_families(const struct admin_doc *d, struct textbuf *b)
{
    const struct ops_stats *ops = d->src->ops;
    static const char *const req_labels[] = { "method", "source_zone", "status_class", NULL };
    static const char *const reload_labels[] = { "result", NULL };

    prom_counter_set(b, "sipfed_requests_total",
                     "SIP requests answered (or relayed a final response) by method, source zone "
                     "and status class", req_labels, ops->requests);
    prom_counter_set(b, "sipfed_config_reloads_total",
                     "Configuration reloads (SIGHUP) by result: ok or refused (the old "
                     "configuration keeps serving)", reload_labels, ops->reloads);
}

/* The traversal pair (SPEC 5.4): on the internal node one link per DMZ peer, up or not; on the
 * DMZ node the verified client connections per zone (their addresses change: no peer label). */
static void metrics_traversal(const struct admin_doc *d, struct textbuf *b)
{
    struct traversal_status rows[ADMIN_TRAVERSAL_ROWS];
    size_t n = admin_traversal_rows(d, rows, ADMIN_TRAVERSAL_ROWS);

    prom_family(b, "sipfed_traversal_up", PROM_GAUGE,
                "Internal node: 1 while the traversal connection to the DMZ peer is up");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].role, "client") != 0)
            continue;
        const char *labels[] = { "zone", rows[i].zone, "peer", rows[i].peer, NULL };
        prom_sample_u64(b, "sipfed_traversal_up", labels,
                        rows[i].state == TRAVERSAL_CONNECTED);
    }
    prom_family(b, "sipfed_traversal_reconnects_total", PROM_COUNTER,
                "Internal node: traversal connections to the DMZ peer lost");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].role, "client") != 0)
            continue;
        const char *labels[] = { "zone", rows[i].zone, "peer", rows[i].peer, NULL };
        prom_sample_u64(b, "sipfed_traversal_reconnects_total", labels, rows[i].reconnects);
    }
    prom_family(b, "sipfed_traversal_connections", PROM_GAUGE,
                "DMZ node: verified traversal client connections held, per zone");
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        uint64_t up = 0;
        if (strcmp(rows[i].role, "server") != 0)
            continue;
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(rows[k].role, "server") == 0 && strcmp(rows[k].zone, rows[i].zone) == 0;
        if (seen)
            continue;
        for (size_t k = i; k < n; k++)
            up += strcmp(rows[k].role, "server") == 0 && strcmp(rows[k].zone, rows[i].zone) == 0 &&
                  rows[k].state == TRAVERSAL_CONNECTED;
        const char *labels[] = { "zone", rows[i].zone, NULL };
        prom_sample_u64(b, "sipfed_traversal_connections", labels, up);
    }
}

/* sipfed_peer_up: neighbor peers probed by the OPTIONS keep-alive (peerhealth.h); a peer not
 * probed (keep-alives off, unresolved) has no sample rather than a guessed one. */
static void metrics_peers(const struct admin_doc *d, struct textbuf *b)
{
    const struct proxy_gen *g = d->src->env->gen;

    prom_family(b, "sipfed_peer_up", PROM_GAUGE,
                "Neighbor peer: 1 while it answers its OPTIONS keep-alives, 0 when it stopped");
    for (size_t i = 0; i < g->dp->n_zones; i++) {
        const struct zone *z = g->dp->zones[i];
        for (size_t p = 0; p < z->n_peers; p++) {
            struct admin_peer_conns pc;
            admin_peer_conns(g, z, p, &pc);
            const char *health = admin_peer_health(g, z, &pc);
            if (strcmp(health, "unknown") == 0)
                continue;
            const char *peer = su_sprintf(b->home, "%s:%u", z->peers[p].host, z->peers[p].port);
            const char *labels[] = { "zone", z->name, "peer", peer, NULL };
            prom_sample_u64(b, "sipfed_peer_up", labels, strcmp(health, "up") == 0);
        }
    }
}

void admin_metrics_render(const struct admin_doc *d, struct textbuf *b)
{
    const char *build[] = { "version", SIPFED_VERSION, "sofia_sip", SOFIA_SIP_VERSION, NULL };
    struct dns_stats ds = { .n_results = 0 };

    if (d->src->dns)
        dns_resolver_stats(d->src->dns, &ds);
    prom_family(b, "sipfed_build_info", PROM_GAUGE, "sipfed build: version and libraries");
    prom_sample_u64(b, "sipfed_build_info", build, 1);
    metrics_scalars(d, &ds, b);
    metrics_families(d, b);
    metrics_presence(d, b);
    metrics_tls(b);
    metrics_dns(&ds, b);
    metrics_traversal(d, b);
    metrics_peers(d, b);
}
