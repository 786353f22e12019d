/* gw_xmpp.c — one XEP-0114 component connection per partner domain (libstrophe), reconnected
 * with back-off, and the stanzas the gateway sends.
 *
 * Event loops: su_root owns the process. libstrophe 0.12 gives the application no handle on its
 * sockets that carries a context (the sockopt callback sees only the connection), so a 20 ms
 * su_timer calls xmpp_run_once(ctx, 0): one non-blocking pass over libstrophe's sockets, send
 * queues and timers. Latency is at most one tick; an idle gateway costs 50 poll(2) calls a
 * second. libstrophe never blocks the SIP side, and its handlers run on the same thread as the
 * NUA callbacks, so neither needs a lock. */
#include "gateway_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

enum { XMPP_TICK_MS = 20, BACKOFF_FIRST_S = 1 };


static void component_connect(struct gw_component *c);

static void retry_fire(su_root_magic_t *m, su_timer_t *t, void *arg)
{
    (void)m, (void)t;
    component_connect(arg);
}

static void retry_schedule(struct gw_component *c)
{
    if (c->gw->stopping)
        return;
    log_info("gateway", "event=xmpp_retry component=%s in=%us", c->domain, c->backoff);
    su_timer_set_interval(c->retry, retry_fire, c, c->backoff * 1000);
    c->backoff = c->backoff * 2 > c->gw->cfg->reconnect_max ? c->gw->cfg->reconnect_max
                                                            : c->backoff * 2;
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
    struct gw_component *c = arg;
    const char *type = xmpp_stanza_get_type(st);
    const char *from = xmpp_stanza_get_from(st), *to = xmpp_stanza_get_to(st);
    const char *id = xmpp_stanza_get_id(st);
    char to_bare[GW_ADDR_MAX];
    (void)conn;

    if (!from || !to)
        return 1;
    if (type && strcmp(type, "error") == 0) {
        log_info("gateway", "event=xmpp_error_in component=%s from=%s to=%s", c->domain, from,
                 to);
        return 1;
    }
    if (gw_jid_bare(to, to_bare, sizeof to_bare) != 0) {
        /* to the component itself: nobody to talk to */
        gw_xmpp_send_error(c->gw, to, from, id, (struct gw_stanza_error){ "cancel",
                           "service-unavailable" }, "address a user of this domain");
        return 1;
    }
    if (type && strcmp(type, "groupchat") == 0) {
        gw_xmpp_send_error(c->gw, to_bare, from, id, (struct gw_stanza_error){ "cancel",
                           "feature-not-implemented" }, "group chat is not gatewayed");
        return 1;
    }
    xmpp_stanza_t *body = xmpp_stanza_get_child_by_name(st, "body");
    char *text = body ? xmpp_stanza_get_text(body) : NULL;
    if (!text || !*text) {
        /* chat states and receipts alone carry no text (not gatewayed) */
        log_debug("gateway", "event=xmpp_no_body from=%s to=%s", from, to_bare);
        xmpp_free(c->gw->xctx, text);
        return 1;
    }
    gw_im_from_xmpp(c->gw, from, to_bare, id, text);
    xmpp_free(c->gw->xctx, text);
    return 1;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
    struct gw_component *c = arg;
    (void)conn;
    gw_presence_from_xmpp(c->gw, st);
    return 1;
}

static int on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *arg)
{
    struct gw_component *c = arg;
    const char *type = xmpp_stanza_get_type(st);
    (void)conn;
    /* RFC 6120 §8.2.3: an iq get/set nobody handles is answered service-unavailable. */
    if (type && (strcmp(type, "get") == 0 || strcmp(type, "set") == 0)) {
        xmpp_stanza_t *r = xmpp_stanza_reply_error(st, "cancel", "service-unavailable", NULL);
        if (r)
            xmpp_send(c->conn, r), xmpp_stanza_release(r);
    }
    return 1;
}

static void on_conn(xmpp_conn_t *conn, xmpp_conn_event_t ev, int error,
                    xmpp_stream_error_t *stream_error, void *arg)
{
    struct gw_component *c = arg;
    (void)conn, (void)stream_error;

    if (ev == XMPP_CONN_CONNECT || ev == XMPP_CONN_RAW_CONNECT) {
        c->up = true;
        c->backoff = BACKOFF_FIRST_S;
        log_info("gateway", "event=xmpp_up component=%s server=%s:%u", c->domain,
                 c->gw->cfg->xmpp_host, c->gw->cfg->xmpp_port);
        xmpp_handler_add(c->conn, on_message, NULL, "message", NULL, c);
        xmpp_handler_add(c->conn, on_presence, NULL, "presence", NULL, c);
        xmpp_handler_add(c->conn, on_iq, NULL, "iq", NULL, c);
        return;
    }
    bool was_up = c->up;
    c->up = false;
    if (was_up)
        log_warn("gateway", "event=xmpp_down component=%s error=%d", c->domain, error);
    else
        log_warn("gateway", "event=xmpp_connect_failed component=%s server=%s:%u error=%d "
                 "msg=\"refused, unreachable or wrong secret\"", c->domain,
                 c->gw->cfg->xmpp_host, c->gw->cfg->xmpp_port, error);
    xmpp_handler_delete(c->conn, on_message);
    xmpp_handler_delete(c->conn, on_presence);
    xmpp_handler_delete(c->conn, on_iq);
    retry_schedule(c);
}

/* libstrophe 0.12 reads conn->sm_state (its XEP-0198 state) for every stanza it sends or
 * receives, but only xmpp_connect_client() allocates it: a component connection crashed on its
 * first stanza (a NULL read at offset 0xc). A client connection attempt to the empty host name
 * fails inside getaddrinfo() (no I/O, no socket) after that allocation, and the state then
 * stays with the connection object, which xmpp_connect_component() can use. */
static void component_conn_prepare(struct gw_component *c)
{
    char jid[GW_ADDR_MAX + 16];
    snprintf(jid, sizeof jid, "gateway@%s", c->domain);
    xmpp_conn_set_jid(c->conn, jid);
    xmpp_conn_set_pass(c->conn, "-");
    xmpp_connect_client(c->conn, "", 1, on_conn, c);   /* fails by design */
}

static void component_connect(struct gw_component *c)
{
    const struct gateway_config *cfg = c->gw->cfg;

    if (c->gw->stopping)
        return;
    if (c->conn)
        xmpp_conn_release(c->conn);
    c->conn = xmpp_conn_new(c->gw->xctx);
    if (!c->conn) {
        retry_schedule(c);
        return;
    }
    component_conn_prepare(c);
    xmpp_conn_set_jid(c->conn, c->domain);
    xmpp_conn_set_pass(c->conn, cfg->secret);
    if (xmpp_connect_component(c->conn, cfg->xmpp_host, cfg->xmpp_port, on_conn, c) != XMPP_EOK) {
        log_warn("gateway", "event=xmpp_connect_failed component=%s server=%s:%u",
                 c->domain, cfg->xmpp_host, cfg->xmpp_port);
        retry_schedule(c);
    }
}

static void xmpp_tick(su_root_magic_t *m, su_timer_t *t, void *arg)
{
    struct gateway *gw = arg;
    (void)m, (void)t;
    xmpp_run_once(gw->xctx, 0);
}

/* libstrophe's own log lines, as gateway debug lines. */
static void gw_strophe_log(void *arg, xmpp_log_level_t level, const char *area, const char *msg)
{
    (void)arg;
    if (level >= XMPP_LEVEL_WARN)
        log_warn("gateway", "event=libstrophe area=%s msg=\"%.200s\"", area, msg);
    else
        log_debug("gateway", "event=libstrophe area=%s msg=\"%.200s\"", area, msg);
}

int gw_xmpp_start(struct gateway *gw)
{
    static const xmpp_log_t logger = { gw_strophe_log, NULL };
    const struct gateway_config *cfg = gw->cfg;

    xmpp_initialize();
    gw->xctx = xmpp_ctx_new(NULL, &logger);
    gw->comps = su_zalloc(gw->home, cfg->n_partner_domains * sizeof *gw->comps);
    gw->xmpp_tick = su_timer_create(su_root_task(gw->root), XMPP_TICK_MS);
    if (!gw->xctx || !gw->comps || !gw->xmpp_tick)
        return ENOMEM;
    gw->n_comps = cfg->n_partner_domains;
    for (size_t i = 0; i < gw->n_comps; i++) {
        struct gw_component *c = &gw->comps[i];
        c->gw = gw;
        c->domain = cfg->partner_domains[i];
        c->backoff = BACKOFF_FIRST_S;
        c->retry = su_timer_create(su_root_task(gw->root), 1000);
        if (!c->retry)
            return ENOMEM;
        component_connect(c);
    }
    return su_timer_set_for_ever(gw->xmpp_tick, xmpp_tick, gw) < 0 ? EIO : 0;
}

void gw_xmpp_stop(struct gateway *gw)
{
    for (size_t i = 0; i < gw->n_comps; i++) {
        struct gw_component *c = &gw->comps[i];
        su_timer_destroy(c->retry);
        c->retry = NULL;
        if (c->conn && c->up)
            xmpp_disconnect(c->conn);
    }
    /* let libstrophe write the closing </stream:stream> */
    for (int i = 0; i < 5 && gw->xctx; i++)
        xmpp_run_once(gw->xctx, 10);
    for (size_t i = 0; i < gw->n_comps; i++)
        if (gw->comps[i].conn)
            xmpp_conn_release(gw->comps[i].conn);
    su_timer_destroy(gw->xmpp_tick);
    gw->xmpp_tick = NULL;
    if (gw->xctx)
        xmpp_ctx_free(gw->xctx);
    gw->xctx = NULL;
    xmpp_shutdown();
}
