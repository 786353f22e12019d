/* traversal_client.c — the internal node's side of the pair (SPEC §5.4): one TLS connection to
 * each DMZ node, opened by an OPTIONS and kept by OPTIONS keep-alives (RFC 5626 §4.4.1 asks for
 * keep-alives on flows a UA keeps open; a SIP OPTIONS, answered by the DMZ node itself because
 * of Max-Forwards: 0, RFC 3261 §11 and §16.3 step 3, also proves that its SIP layer is alive,
 * which a CRLF pong does not), and re-opened with capped exponential back-off when it is lost. */
#include "traversal_int.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include "log.h"
#include "proxy_gen.h"
#include "tls.h"

static void link_send(struct trav_link *l, uint64_t now_ms);

static const struct zone *link_zone(const struct trav_link *l)
{
    const struct zone *z = dialplan_zone_find(l->tv->gen->dp, l->zone);
    return z && z->type == ZONE_TRAVERSAL_CLIENT ? z : NULL;
}

void trav_link_configure(struct trav_link *l, const struct zone *z)
{
    l->keepalive_ms = z->keepalive_interval * 1000U;
    l->reconnect_max_ms = z->reconnect_max * 1000U;
}

struct trav_link *trav_link_create(struct traversal *tv, const struct zone *z, size_t peer,
                                   const char *ip, uint16_t port)
{
    struct trav_link *l = su_home_new(sizeof *l);
    if (!l)
        return NULL;
    l->tv = tv;
    l->zone = su_strdup(l->home, z->name);
    l->peer = peer;
    l->host = su_strdup(l->home, z->peers[peer].host);
    snprintf(l->ip, sizeof l->ip, "%s", ip);
    l->port = port;
    snprintf(l->peer_text, sizeof l->peer_text, "%s:%u", l->host, (unsigned)port);
    trav_link_configure(l, z);
    l->state = TRAVERSAL_CONNECTING;
    l->since = time(NULL);
    l->next_ms = 0;                       /* the first tick connects */
    return l;
}

static void link_drop_connection(struct trav_link *l, bool shutdown)
{
    if (l->ka) {
        nta_outgoing_destroy(l->ka);
        l->ka = NULL;
    }
    if (l->tp) {
        if (shutdown && !tport_is_closed(l->tp))
            tport_shutdown(l->tp, 2);
        tport_unref(l->tp);
        l->tp = NULL;
    }
}

void trav_link_destroy(struct trav_link *l)
{
    if (l->state == TRAVERSAL_CONNECTED)
        log_info("traversal", "event=closed role=client zone=%s peer=%s reason=\"no longer "
                 "configured\"", l->zone, l->peer_text);
    /* Our connection: close it, so the DMZ node stops routing down it at once. */
    link_drop_connection(l, true);
    su_home_unref(l->home);
}

/* The connection is gone or unusable: back off and try again. One warning per outage. */
static void link_lost(struct trav_link *l, const char *reason, uint64_t now_ms)
{
    bool was_up = l->state == TRAVERSAL_CONNECTED;

    link_drop_connection(l, true);
    l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : TRAVERSAL_BACKOFF_FIRST_MS;
    if (l->backoff_ms > l->reconnect_max_ms)
        l->backoff_ms = l->reconnect_max_ms;
    l->next_ms = now_ms + l->backoff_ms;
    if (was_up) {
        l->reconnects++;
        l->since = time(NULL);
    }
    if (was_up || l->state == TRAVERSAL_CONNECTING || !l->logged_failure)
        log_warn("traversal", "event=%s role=client zone=%s peer=%s reason=\"%s\" retry_in_ms=%u "
                 "reconnects=%u", was_up ? "disconnected" : "connect_failed", l->zone,
                 l->peer_text, reason, l->backoff_ms, l->reconnects);
    else
        log_debug("traversal", "event=connect_failed role=client zone=%s peer=%s reason=\"%s\" "
                  "retry_in_ms=%u", l->zone, l->peer_text, reason, l->backoff_ms);
    l->logged_failure = true;
    l->state = TRAVERSAL_RECONNECTING;
}

static void link_up(struct trav_link *l, tport_t *tp)
{
    const tp_name_t *n = tport_name(tp);
    l->tp = tp;
    l->state = TRAVERSAL_CONNECTED;
    l->since = time(NULL);
    l->last_keepalive = l->since;
    l->backoff_ms = 0;
    l->logged_failure = false;
    log_info("traversal", "event=connected role=client zone=%s peer=%s address=%s:%s "
             "reconnects=%u", l->zone, l->peer_text, n && n->tpn_host ? n->tpn_host : "-",
             n && n->tpn_port ? n->tpn_port : "-", l->reconnects);
}

/* The answer to our OPTIONS (connect or keep-alive). */
static int link_response(struct trav_link *l, nta_outgoing_t *orq, const sip_t *sip)
{
    int status = sip && sip->sip_status ? sip->sip_status->st_status : nta_outgoing_status(orq);
    uint64_t now_ms = trav_now_ms();

    if (status < 200)
        return 0;
    /* Everything from `sip` is read before the transaction (which owns it) is destroyed. */
    char phrase[64];
    snprintf(phrase, sizeof phrase, "%s", sip && sip->sip_status && sip->sip_status->st_phrase
                                              ? sip->sip_status->st_phrase : "no connection");
    bool local = !sip || nta_sip_is_internal(sip);
    tport_t *tp = nta_outgoing_transport(orq);      /* a reference, or NULL */
    nta_outgoing_destroy(orq);
    l->ka = NULL;
    sip = NULL;
    if (local || !tp || !tport_is_secondary(tp) || !trav_tport_usable(tp)) {
        /* nta's own answer: the connection failed (refused, TLS handshake, closed). */
        if (tp)
            tport_unref(tp);
        link_lost(l, phrase, now_ms);
        return 0;
    }
    if (status >= 300)
        /* The DMZ node answered, just not 200: the connection works (and is kept), but say so. */
        log_warn("traversal", "event=keepalive_refused role=client zone=%s peer=%s status=%d",
                 l->zone, l->peer_text, status);
    if (l->state != TRAVERSAL_CONNECTED) {
        link_up(l, tp);
    } else {
        if (tp != l->tp)   /* cannot happen with NTATAG_TPORT; keep the one we hold */
            log_warn("traversal", "event=keepalive_other_connection zone=%s peer=%s", l->zone,
                     l->peer_text);
        tport_unref(tp);
        l->last_keepalive = time(NULL);
        log_debug("traversal", "event=keepalive role=client zone=%s peer=%s status=%d",
                  l->zone, l->peer_text, status);
    }
    l->next_ms = now_ms + l->keepalive_ms;
    return 0;
}

/* OPTIONS sip:PEER with Max-Forwards: 0: the DMZ node answers it itself. While connected it
 * goes down the held connection only (NTATAG_TPORT); otherwise nta opens a new one, after the
 * TLS layer was told which name the DMZ node's certificate must carry. */
static void link_send(struct trav_link *l, uint64_t now_ms)
{
    struct traversal *tv = l->tv;
    const struct proxy_gen *g = tv->gen;
    const struct zone *z = link_zone(l);
    msg_t *m = z ? nta_msg_create(tv->agent, 0) : NULL;
    sip_t *s = m ? sip_object(m) : NULL;

    if (!s) {
        if (m)
            msg_destroy(m);
        link_lost(l, "out of memory", now_ms);
        return;
    }
    su_home_t *h = msg_home(m);
    /* nta connects to the address; the name check is the TLS layer's (tls_expect_zone). */
    char *route = su_sprintf(h, strchr(l->ip, ':') ? "sip:[%s]:%u;transport=tls"
                                                    : "sip:%s:%u;transport=tls",
                             l->ip, (unsigned)l->port);
    char *ruri = su_sprintf(h, "sip:%s:%u;transport=tls", l->host, (unsigned)l->port);
    char *from = su_sprintf(h, "<sip:%s>;tag=tv%llx", g->cfg->hostname,
                            (unsigned long long)now_ms);
    char *to = su_sprintf(h, "<sip:%s>", l->host);
    if (!l->tp && g->tls)
        tls_expect_zone(g->tls, z, l->host, l->ip, l->port);
    if (sip_add_tl(m, s,
                   SIPTAG_REQUEST(sip_request_create(h, SIP_METHOD_OPTIONS,
                                                     (url_string_t *)ruri, NULL)),
                   SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to),
                   SIPTAG_CALL_ID(sip_call_id_create(h, g->cfg->hostname)),
                   SIPTAG_CSEQ(sip_cseq_create(h, ++l->cseq, SIP_METHOD_OPTIONS)),
                   SIPTAG_MAX_FORWARDS_STR("0"), TAG_END()) < 0) {
        msg_destroy(m);
        link_lost(l, "cannot build the keep-alive", now_ms);
        return;
    }
    l->ka = nta_outgoing_mcreate(tv->agent, link_response, l, (url_string_t *)route, m,
                                 TAG_IF(l->tp, NTATAG_TPORT(l->tp)), TAG_END());
    l->ka_sent_ms = now_ms;
    if (!l->ka)
        link_lost(l, "cannot send the keep-alive", now_ms);
}

void trav_link_tick(struct trav_link *l, uint64_t now_ms)
{
    if (l->ka) {
        if (now_ms - l->ka_sent_ms >= TRAVERSAL_ANSWER_TIMEOUT_MS)
            link_lost(l, l->state == TRAVERSAL_CONNECTED ? "keep-alive unanswered"
                                                         : "no answer to the connecting OPTIONS",
                      now_ms);
        else if (l->tp && !trav_tport_usable(l->tp))
            link_lost(l, "connection closed", now_ms);
        return;
    }
    if (l->state == TRAVERSAL_CONNECTED && !trav_tport_usable(l->tp)) {
        link_lost(l, "connection closed", now_ms);
        return;
    }
    if (now_ms >= l->next_ms)
        link_send(l, now_ms);
}
