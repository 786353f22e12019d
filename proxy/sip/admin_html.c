/* admin_html.c — GET /: one read-only HTML page for an admin with a browser: the node, its
 * zones and peers, TLS connections, the last searches and presence. Server-rendered, no
 * JavaScript; every value is HTML-escaped. */
#include <string.h>

#include "admin_int.h"
#include "dialplan.h"
#include "forward.h"
#include "ops_stats.h"
#include "policy.h"
#include "presence_proxy.h"
#include "proxy_gen.h"
#include "srczone.h"
#include "tls.h"
#include "traversal.h"
#include "version.h"

/* Searches shown on the page (all of them are at /history). */
enum { HTML_HISTORY_ROWS = 25, HTML_PRESENCE_ROWS = 100 };

static const char html_head[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>sipfed</title>\n<style>\n"
    "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
    "h1{font-size:1.4em;margin-bottom:.2em}h2{font-size:1.1em;margin-top:1.4em}\n"
    "table{border-collapse:collapse;font-size:.9em}\n"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\n"
    "th{background:#eee}.ok{color:#080}.bad{color:#b00;font-weight:bold}.muted{color:#777}\n"
    "</style></head><body>\n";

static void cell(struct textbuf *b, const char *s)
{
    textbuf_add(b, "<td>");
    textbuf_html(b, s);
    textbuf_add(b, "</td>");
}

static void html_summary(const struct admin_doc *d, struct textbuf *b)
{
    const struct forward_env *env = d->src->env;
    const struct ops_stats *ops = d->src->ops;
    char t1[32], t2[32];

    textbuf_add(b, "<h1>sipfed ");
    textbuf_html(b, env->gen->cfg->hostname);
    textbuf_add(b, "</h1>\n<p>version ");
    textbuf_html(b, SIPFED_VERSION);
    textbuf_printf(b, " &middot; up %llds since %s &middot; page %s</p>\n",
                   (long long)(d->now - ops->started), admin_time(ops->started, t1, sizeof t1),
                   admin_time(d->now, t2, sizeof t2));
    textbuf_add(b, "<table><tr><th>configuration</th><th>generation</th><th>loaded</th>"
                   "<th>last reload</th><th>transactions</th><th>overload</th>"
                   "<th>learnt domains</th></tr>\n<tr>");
    cell(b, d->src->config_path);
    textbuf_printf(b, "<td>%u</td>", ops->generation);
    cell(b, admin_time(ops->generation_loaded, t1, sizeof t1));
    if (!ops->last_reload_at) {
        textbuf_add(b, "<td class=\"muted\">none</td>");
    } else if (ops->last_reload_ok) {
        textbuf_printf(b, "<td class=\"ok\">ok at %s</td>",
                       admin_time(ops->last_reload_at, t1, sizeof t1));
    } else {
        textbuf_printf(b, "<td class=\"bad\">refused at %s: ",
                       admin_time(ops->last_reload_at, t1, sizeof t1));
        textbuf_html(b, ops->last_reload_error);
        textbuf_add(b, "</td>");
    }
    textbuf_printf(b, "<td>%u</td>", env->active);
    textbuf_printf(b, "<td class=\"%s\">%s (%llu refused)</td>", env->overloaded ? "bad" : "ok",
                   env->overloaded ? "OVERLOADED" : "no",
                   (unsigned long long)ops->overload_refused);
    textbuf_printf(b, "<td>%zu</td></tr></table>\n",
                   env->learnt ? policy_learnt_count(env->learnt) : 0);
}

static void html_zones(const struct admin_doc *d, struct textbuf *b)
{
    const struct proxy_gen *g = d->src->env->gen;

    textbuf_add(b, "<h2>Zones and peers</h2>\n<table><tr><th>zone</th><th>type</th>"
                   "<th>transport</th><th>peer</th><th>addresses</th><th>health</th>"
                   "<th>TLS in/out</th></tr>\n");
    for (size_t i = 0; i < g->dp->n_zones; i++) {
        const struct zone *z = g->dp->zones[i];
        bool peered = z->type != ZONE_DEFAULT && z->type != ZONE_DNS;
        for (size_t p = 0; p < (z->n_peers ? z->n_peers : 1); p++) {
            textbuf_add(b, "<tr>");
            cell(b, z->name);
            cell(b, zone_type_name(z->type));
            cell(b, peered ? sip_transport_name(z->transport) : "-");
            if (!z->n_peers) {
                textbuf_add(b, z->type == ZONE_DNS ? "<td colspan=\"4\">any domain, by DNS SRV"
                                                     "</td>"
                                                   : "<td colspan=\"4\">everything else</td>");
                textbuf_add(b, "</tr>\n");
                continue;
            }
            struct admin_peer_conns pc;
            admin_peer_conns(g, z, p, &pc);
            cell(b, su_sprintf(b->home, "%s:%u", z->peers[p].host, z->peers[p].port));
            textbuf_add(b, "<td>");
            for (size_t k = 0; k < pc.n_addrs; k++) {
                textbuf_add(b, k ? ", " : "");
                textbuf_html(b, pc.addrs[k].ip);
            }
            textbuf_add(b, pc.n_addrs ? "</td>" : "<span class=\"bad\">unresolved</span></td>");
            const char *health = admin_peer_health(g, z, &pc);
            textbuf_printf(b, "<td class=\"%s\">%s</td>",
                           strcmp(health, "up") == 0     ? "ok"
                           : strcmp(health, "down") == 0 ? "bad"
                                                         : "muted",
                           strcmp(health, "unknown") == 0 ? "not probed" : health);
            textbuf_printf(b, "<td>%zu / %zu</td></tr>\n", pc.in, pc.out);
        }
    }
    textbuf_add(b, "</table>\n");
}

static void html_traversal(const struct admin_doc *d, struct textbuf *b)
{
    struct traversal_status rows[ADMIN_TRAVERSAL_ROWS];
    size_t n = admin_traversal_rows(d, rows, ADMIN_TRAVERSAL_ROWS);
    char t[32];

    if (!n)
        return;
    textbuf_add(b, "<h2>Traversal</h2>\n<table><tr><th>zone</th><th>role</th><th>peer</th>"
                   "<th>certificate name</th><th>state</th><th>since</th>"
                   "<th>reconnects</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        textbuf_add(b, "<tr>");
        cell(b, rows[i].zone);
        cell(b, rows[i].role);
        cell(b, rows[i].peer);
        cell(b, rows[i].name);
        textbuf_printf(b, "<td class=\"%s\">%s</td>",
                       rows[i].state == TRAVERSAL_CONNECTED ? "ok" : "bad",
                       traversal_state_name(rows[i].state));
        cell(b, admin_time(rows[i].since, t, sizeof t));
        textbuf_printf(b, "<td>%u</td></tr>\n", rows[i].reconnects);
    }
    textbuf_add(b, "</table>\n");
}

static void html_history(const struct admin_doc *d, struct textbuf *b)
{
    const struct history *h = d->src->ops->history;
    size_t n = history_count(h);

    textbuf_printf(b, "<h2>Last searches</h2>\n<p class=\"muted\">%zu of the last %zu kept; "
                      "all at <a href=\"history\">/history</a></p>\n",
                   n < HTML_HISTORY_ROWS ? n : (size_t)HTML_HISTORY_ROWS, history_capacity(h));
    textbuf_add(b, "<table><tr><th>time (UTC)</th><th>method</th><th>source zone</th>"
                   "<th>alias</th><th>rules tried</th><th>target</th><th>next hop</th>"
                   "<th>status</th></tr>\n");
    for (size_t i = 0; i < n && i < HTML_HISTORY_ROWS; i++) {
        const struct history_entry *e = history_get(h, i);
        char t[32];
        textbuf_add(b, "<tr>");
        cell(b, admin_time(e->time.tv_sec, t, sizeof t));
        cell(b, e->method);
        cell(b, e->src);
        cell(b, e->alias);
        textbuf_add(b, "<td>");
        if (!e->n_steps)
            textbuf_html(b, e->rules);
        for (size_t k = 0; k < e->n_steps; k++) {
            textbuf_add(b, k ? "<br>" : "");
            textbuf_html(b, e->steps[k].rule);
            textbuf_add(b, strcmp(e->steps[k].verdict, "matched") == 0 ? ": <b>" : ": ");
            textbuf_html(b, e->steps[k].verdict);
            textbuf_add(b, strcmp(e->steps[k].verdict, "matched") == 0 ? "</b>" : "");
        }
        textbuf_add(b, "</td>");
        cell(b, e->targets);
        cell(b, e->next_hop);
        textbuf_printf(b, "<td class=\"%s\">%d", e->status < 300 ? "ok" : "bad", e->status);
        if (e->reason[0]) {
            textbuf_add(b, " ");
            textbuf_html(b, e->reason);
        }
        textbuf_add(b, "</td></tr>\n");
    }
    textbuf_add(b, "</table>\n");
}

static void presence_row(void *arg, const struct presence_entry *e)
{
    struct admin_list *pr = arg;
    char t[32];
    if (pr->n++ >= HTML_PRESENCE_ROWS)
        return;
    textbuf_add(pr->b, "<tr>");
    cell(pr->b, e->info.entity);
    cell(pr->b, presence_state_name(e->info.state));
    cell(pr->b, presence_activity_name(e->info.activity));
    cell(pr->b, e->info.note);
    cell(pr->b, admin_time(e->updated, t, sizeof t));
    textbuf_add(pr->b, "</tr>\n");
}

static void html_presence(const struct admin_doc *d, struct textbuf *b)
{
    const struct presence_store *st = d->src->env->presence;
    struct admin_list pr = { .b = b };

    textbuf_printf(b, "<h2>Presence</h2>\n<p class=\"muted\">%zu presentities (up to %u shown); "
                      "all at <a href=\"presence\">/presence</a></p>\n",
                   presence_store_count(st), HTML_PRESENCE_ROWS);
    textbuf_add(b, "<table><tr><th>presentity</th><th>state</th><th>activity</th><th>note</th>"
                   "<th>updated</th></tr>\n");
    presence_store_foreach(st, presence_row, &pr);
    textbuf_add(b, "</table>\n");
}

void admin_html_render(const struct admin_doc *d, struct textbuf *b)
{
    textbuf_add(b, html_head);
    html_summary(d, b);
    html_zones(d, b);
    html_traversal(d, b);
    html_history(d, b);
    html_presence(d, b);
    textbuf_add(b, "<p class=\"muted\">JSON: <a href=\"status\">/status</a> &middot; "
                   "Prometheus: <a href=\"metrics\">/metrics</a></p>\n</body></html>\n");
}
