/* admin_status.c — GET /status, /history and /presence: JSON documents from the live state. */
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_config.h>
#include <sofia-sip/sofia_features.h>

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

static void json_key(struct textbuf *b, bool *first, const char *key)
{
    textbuf_add(b, *first ? "" : ",");
    *first = false;
    textbuf_json_str(b, key);
    textbuf_add(b, ":");
}

static void json_time(struct textbuf *b, time_t t)
{
    char buf[32];
    if (!t)
        textbuf_add(b, "null");
    else
        textbuf_json_str(b, admin_time(t, buf, sizeof buf));
}

/* ---- TLS connections, attributed to zone peers by address ---- */

static void status_peer(struct textbuf *b, const struct proxy_gen *g, const struct zone *z,
                        size_t p)
{
    struct admin_peer_conns cc;
    admin_peer_conns(g, z, p, &cc);

    textbuf_printf(b, "{\"peer\":");
    textbuf_json_str(b, su_sprintf(b->home, "%s:%u", z->peers[p].host, z->peers[p].port));
    textbuf_add(b, ",\"addresses\":[");
    for (size_t i = 0; i < cc.n_addrs; i++) {
        textbuf_add(b, i ? "," : "");
        textbuf_json_str(b, cc.addrs[i].ip);
    }
    textbuf_printf(b, "],\"resolved\":%s,\"health\":\"%s\",\"tls_connections\":"
                   "{\"in\":%zu,\"out\":%zu}}", cc.n_addrs ? "true" : "false",
                   admin_peer_health(g, z, &cc), cc.in, cc.out);
}

static void status_zones(struct textbuf *b, const struct proxy_gen *g)
{
    textbuf_add(b, "[");
    for (size_t i = 0; i < g->dp->n_zones; i++) {
        const struct zone *z = g->dp->zones[i];
        bool first = true;
        textbuf_add(b, i ? ",{" : "{");
        json_key(b, &first, "name");
        textbuf_json_str(b, z->name);
        json_key(b, &first, "type");
        textbuf_json_str(b, zone_type_name(z->type));
        if (z->type != ZONE_DEFAULT && z->type != ZONE_DNS) {
            json_key(b, &first, "transport");
            textbuf_json_str(b, sip_transport_name(z->transport));
        }
        json_key(b, &first, "peers");
        textbuf_add(b, "[");
        for (size_t p = 0; p < z->n_peers; p++) {
            textbuf_add(b, p ? "," : "");
            status_peer(b, g, z, p);
        }
        textbuf_add(b, "]}");
    }
    textbuf_add(b, "]");
}

static void conn_list_one(void *arg, const struct tls_connection_info *c)
{
    struct admin_list *cl = arg;
    struct textbuf *b = cl->b;
    textbuf_add(b, cl->n++ ? ",{\"peer\":" : "{\"peer\":");
    textbuf_json_str(b, su_sprintf(b->home, "%s:%u", c->ip, c->port));
    textbuf_printf(b, ",\"direction\":\"%s\",\"established\":%s,\"verified\":%s,\"names\":[",
                   c->incoming ? "in" : "out", c->established ? "true" : "false",
                   c->peer && c->peer->verified ? "true" : "false");
    for (size_t i = 0; c->peer && i < c->peer->n_names; i++) {
        textbuf_add(b, i ? "," : "");
        textbuf_json_str(b, c->peer->names[i]);
    }
    textbuf_add(b, "]}");
}

static void status_config(struct textbuf *b, const struct admin_doc *d)
{
    const struct ops_stats *ops = d->src->ops;
    const struct proxy_gen *g = d->src->env->gen;
    bool first = true;

    textbuf_add(b, "{");
    json_key(b, &first, "file");
    textbuf_json_str(b, d->src->config_path);
    json_key(b, &first, "generation");
    textbuf_printf(b, "%u", ops->generation);
    json_key(b, &first, "loaded");
    json_time(b, ops->generation_loaded);
    json_key(b, &first, "zones");
    textbuf_printf(b, "%zu", g->dp->n_zones);
    json_key(b, &first, "rules");
    textbuf_printf(b, "%zu", g->dp->n_rules);
    json_key(b, &first, "last_reload");
    if (!ops->last_reload_at) {
        textbuf_add(b, "null");
    } else {
        textbuf_add(b, "{\"at\":");
        json_time(b, ops->last_reload_at);
        textbuf_printf(b, ",\"result\":\"%s\",\"errors\":%zu,\"first_error\":",
                       ops->last_reload_ok ? "ok" : "refused", ops->last_reload_errors);
        textbuf_json_str(b, ops->last_reload_ok ? NULL : ops->last_reload_error);
        textbuf_add(b, "}");
    }
    textbuf_add(b, "}");
}

static void status_dns(struct textbuf *b, const struct admin_doc *d)
{
    struct dns_stats ds = { .n_results = 0 };
    if (d->src->dns)
        dns_resolver_stats(d->src->dns, &ds);
    textbuf_printf(b, "{\"lookups\":%lu,\"cache_hits\":%lu,\"shared\":%lu,\"cached\":%zu,"
                   "\"pending\":%zu,\"results\":{", ds.lookups, ds.cache_hits, ds.shared,
                   ds.cached, ds.pending);
    for (size_t i = 0; i < ds.n_results; i++) {
        textbuf_add(b, i ? "," : "");
        textbuf_json_str(b, ds.results[i].result);
        textbuf_printf(b, ":%lu", ds.results[i].n);
    }
    textbuf_add(b, "}}");
}

static void status_tls(struct textbuf *b, const struct proxy_gen *g)
{
    struct tls_stats ts;
    struct admin_list cl = { .b = b };

    tls_stats_get(&ts);
    textbuf_add(b, "{\"connections\":[");
    if (g->tls)
        tls_connections_foreach(g->tls, conn_list_one, &cl);
    textbuf_add(b, "],\"handshakes\":{");
    for (int dir = 0; dir < TLS_DIR_N; dir++) {
        textbuf_printf(b, "%s\"%s\":{", dir ? "," : "", tls_direction_name((enum tls_direction)dir));
        for (int r = 0; r < TLS_RESULT_N; r++)
            textbuf_printf(b, "%s\"%s\":%lu", r ? "," : "", tls_result_name((enum tls_result)r),
                           ts.handshakes[dir][r]);
        textbuf_add(b, "}");
    }
    textbuf_add(b, "}}");
}

/* ---- the traversal pair's connections (SPEC §5.4, traversal.h) ---- */

enum { STATUS_TRAVERSAL_ROWS = 64 };

static void status_traversal(struct textbuf *b, const struct traversal *tv)
{
    struct traversal_status rows[STATUS_TRAVERSAL_ROWS];
    size_t n = traversal_status_get(tv, rows, STATUS_TRAVERSAL_ROWS);
    if (n > STATUS_TRAVERSAL_ROWS)
        n = STATUS_TRAVERSAL_ROWS;
    textbuf_add(b, "[");
    for (size_t i = 0; i < n; i++) {
        const struct traversal_status *r = &rows[i];
        bool first = true;
        textbuf_add(b, i ? ",{" : "{");
        json_key(b, &first, "zone");
        textbuf_json_str(b, r->zone);
        json_key(b, &first, "role");
        textbuf_json_str(b, r->role);
        json_key(b, &first, "peer");
        textbuf_json_str(b, r->peer);
        json_key(b, &first, "name");
        textbuf_json_str(b, r->name);
        json_key(b, &first, "state");
        textbuf_json_str(b, traversal_state_name(r->state));
        json_key(b, &first, "since");
        json_time(b, r->since);
        json_key(b, &first, "last_keepalive");
        json_time(b, r->last_keepalive);
        json_key(b, &first, "reconnects");
        textbuf_printf(b, "%u", r->reconnects);
        json_key(b, &first, "retry_in_ms");
        textbuf_printf(b, "%u}", r->retry_in_ms);
    }
    textbuf_add(b, "]");
}

void admin_status_render(const struct admin_doc *d, struct textbuf *b)
{
    const struct forward_env *env = d->src->env;
    const struct ops_stats *ops = d->src->ops;
    const struct proxy_gen *g = env->gen;
    const struct proxy_counters *c = env->counters;
    bool first = true;
    char when[32];

    textbuf_add(b, "{");
    json_key(b, &first, "version");
    textbuf_json_str(b, SIPFED_VERSION);
    json_key(b, &first, "sofia_sip");
    textbuf_json_str(b, SOFIA_SIP_VERSION);
    json_key(b, &first, "hostname");
    textbuf_json_str(b, g->cfg->hostname);
    json_key(b, &first, "now");
    textbuf_json_str(b, admin_time(d->now, when, sizeof when));
    json_key(b, &first, "started");
    json_time(b, ops->started);
    json_key(b, &first, "uptime_seconds");
    textbuf_printf(b, "%lld", (long long)(d->now - ops->started));
    /* docs/workers.md: this document is one worker's; the others serve the admin port + i */
    json_key(b, &first, "worker");
    textbuf_printf(b, "{\"index\":%u,\"count\":%u,\"pid\":%ld}", d->src->port_offset,
                   d->src->workers ? d->src->workers : 1, (long)getpid());
    json_key(b, &first, "configuration");
    status_config(b, d);
    json_key(b, &first, "overload");
    textbuf_printf(b, "{\"overloaded\":%s,\"active_transactions\":%u,\"refused_total\":%llu,"
                   "\"stopping\":%s}", env->overloaded ? "true" : "false", env->active,
                   (unsigned long long)ops->overload_refused, env->stopping ? "true" : "false");
    json_key(b, &first, "zones");
    status_zones(b, g);
    json_key(b, &first, "traversal");
    status_traversal(b, env->traversal);
    json_key(b, &first, "tls");
    status_tls(b, g);
    json_key(b, &first, "learnt_domains");
    /* Learnt domains do not expire by time: the least recently confirmed one goes when the
     * cache is full (policy.h). */
    size_t n_learnt = env->learnt ? policy_learnt_count(env->learnt) : 0;
    textbuf_printf(b, "{\"count\":%zu,\"expiry\":\"least recently confirmed first when full\","
                   "\"domains\":[", n_learnt);
    for (size_t i = 0; i < n_learnt; i++) {
        textbuf_add(b, i ? "," : "");
        textbuf_json_str(b, policy_learnt_get(env->learnt, i));
    }
    textbuf_add(b, "]}");
    json_key(b, &first, "dns");
    status_dns(b, d);
    json_key(b, &first, "presence");
    textbuf_printf(b, "{\"presentities\":%zu,\"dropped\":%lu}",
                   presence_store_count(env->presence), presence_store_dropped(env->presence));
    json_key(b, &first, "counters");
    textbuf_printf(b, "{\"requests\":%llu,\"stateless\":%llu,\"refused\":%llu,\"failover\":%llu,"
                   "\"send_failed\":%llu,\"overload_refused\":%llu}",
                   (unsigned long long)c->requests, (unsigned long long)c->stateless,
                   (unsigned long long)c->refused, (unsigned long long)c->failover,
                   (unsigned long long)c->send_failed,
                   (unsigned long long)ops->overload_refused);
    json_key(b, &first, "history");
    textbuf_printf(b, "{\"kept\":%zu,\"capacity\":%zu}", history_count(ops->history),
                   history_capacity(ops->history));
    textbuf_add(b, "}\n");
}

/* ---- /history ---- */

static void history_entry_json(struct textbuf *b, const struct history_entry *e)
{
    char when[64], base[32];
    struct tm tm;
    time_t t = e->time.tv_sec;
    if (gmtime_r(&t, &tm) && strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(when, sizeof when, "%s.%03dZ", base, (int)(e->time.tv_usec / 1000) % 1000);
    else
        when[0] = '\0';

    textbuf_printf(b, "{\"seq\":%llu,\"time\":", (unsigned long long)e->seq);
    textbuf_json_str(b, when);
    textbuf_add(b, ",\"method\":");
    textbuf_json_str(b, e->method);
    textbuf_add(b, ",\"source_zone\":");
    textbuf_json_str(b, e->src);
    textbuf_printf(b, ",\"authenticated\":%s,\"alias\":", e->authenticated ? "true" : "false");
    textbuf_json_str(b, e->alias);
    textbuf_add(b, ",\"rule\":");
    textbuf_json_str(b, e->rules);
    textbuf_add(b, ",\"rules_tried\":[");
    for (size_t i = 0; i < e->n_steps; i++) {
        textbuf_add(b, i ? ",{\"rule\":" : "{\"rule\":");
        textbuf_json_str(b, e->steps[i].rule);
        textbuf_add(b, ",\"verdict\":");
        textbuf_json_str(b, e->steps[i].verdict);
        textbuf_add(b, "}");
    }
    textbuf_printf(b, "],\"rules_omitted\":%zu,\"target\":", e->steps_omitted);
    textbuf_json_str(b, e->targets);
    textbuf_add(b, ",\"next_hop\":");
    textbuf_json_str(b, e->next_hop);
    textbuf_printf(b, ",\"status\":%d,\"reason\":", e->status);
    textbuf_json_str(b, e->reason[0] ? e->reason : NULL);
    textbuf_add(b, ",\"call_id\":");
    textbuf_json_str(b, e->call_id);
    textbuf_add(b, "}");
}

void admin_history_render(const struct admin_doc *d, size_t n, struct textbuf *b)
{
    const struct history *h = d->src->ops->history;
    size_t kept = history_count(h);

    if (n > kept)
        n = kept;
    textbuf_printf(b, "{\"capacity\":%zu,\"kept\":%zu,\"entries\":[", history_capacity(h), kept);
    for (size_t i = 0; i < n; i++) {
        textbuf_add(b, i ? ",\n" : "\n");
        history_entry_json(b, history_get(h, i));
    }
    textbuf_add(b, "]}\n");
}

/* ---- /presence ---- */

static void presence_one(void *arg, const struct presence_entry *e)
{
    struct admin_list *pl = arg;
    struct textbuf *b = pl->b;
    char when[32];

    textbuf_add(b, pl->n++ ? ",\n{\"entity\":" : "\n{\"entity\":");
    textbuf_json_str(b, e->info.entity);
    textbuf_add(b, ",\"state\":");
    textbuf_json_str(b, presence_state_name(e->info.state));
    textbuf_add(b, ",\"activity\":");
    textbuf_json_str(b, e->info.activity ? presence_activity_name(e->info.activity) : NULL);
    textbuf_add(b, ",\"note\":");
    textbuf_json_str(b, e->info.note[0] ? e->info.note : NULL);
    textbuf_add(b, ",\"display_name\":");
    textbuf_json_str(b, e->info.display_name[0] ? e->info.display_name : NULL);
    textbuf_add(b, ",\"updated\":");
    textbuf_json_str(b, admin_time(e->updated, when, sizeof when));
    textbuf_add(b, "}");
}

void admin_presence_render(const struct admin_doc *d, struct textbuf *b)
{
    const struct presence_store *st = d->src->env->presence;
    struct admin_list pl = { .b = b };

    textbuf_printf(b, "{\"count\":%zu,\"max\":%u,\"dropped\":%lu,\"presentities\":[",
                   presence_store_count(st), PRESENCE_STORE_MAX, presence_store_dropped(st));
    presence_store_foreach(st, presence_one, &pl);
    textbuf_add(b, "]}\n");
}
