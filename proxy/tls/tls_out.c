/* tls_out.c — which connection an outgoing request may use (SPEC §5.3, issue 10).
 *
 * sofia's tport reuses any open connection to a request's IP:port, whatever name the request
 * needs, so a name checked only when a handshake starts would be skipped for every later request
 * on that connection (SOFIA-NOTES). Instead every request states what the server must prove
 * (struct tls_want) and goes down a connection only when that connection's certificate proved it:
 * an established one whose verified names include one of the wanted names, or one still in its
 * handshake that checks a subset of them. Otherwise sofia is told to open a fresh connection
 * (TPTAG_FRESH), and the hook arms that connection's handshake with the request's names.
 *
 * sofia never gives up on a connection whose TCP connect or TLS handshake stalls (later requests
 * queue on it, and nta is not told before Timer F). Every connection opened for a request must
 * complete within [proxy] connect_timeout; otherwise it is reported failed (its requests fail
 * over or are answered at once) and closed, and the next request opens a new one. */
#define SU_TIMER_ARG_T struct tls_setup

#include "tls.h"
#include "tls_int.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "log.h"

static bool is_ip_literal(const char *host)
{
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    freeaddrinfo(res);
    return true;
}

void tls_want_zone(const struct zone *z, const char *name, const char *one[1],
                   struct tls_want *w)
{
    memset(w, 0, sizeof *w);
    if (z && !z->tls_verify && z->n_tls_verify_subject == 0)
        return;                                       /* tls_verify off: nothing checked */
    w->verify = true;
    if (z && z->type != ZONE_DNS && z->n_tls_verify_subject > 0) {
        w->names = (const char *const *)z->tls_verify_subject;
        w->n_names = z->n_tls_verify_subject;
        return;
    }
    if (name && *name && !is_ip_literal(name)) {
        one[0] = name;
        w->names = one;
        w->n_names = 1;
    }
}

static bool want_has(const struct tls_want *w, const char *name)
{
    for (size_t i = 0; i < w->n_names; i++)
        if (tls_name_equal(name, w->names[i]))
            return true;
    return false;
}

/* `c` may carry a request that needs `w`. */
static bool conn_proves(const struct tls_conn *c, const struct tls_want *w)
{
    if (c->server || c->failed || !c->tport || !tport_is_clear_to_send(c->tport))
        return false;
    if (!c->done && c->ts->connect_timeout_ms &&
        su_duration(su_now(), c->opened) >= (su_duration_t)c->ts->connect_timeout_ms)
        return false;                                 /* about to be closed */
    if (!w->verify)
        return true;
    if (c->done) {
        /* A verified certificate proves every name it carries. */
        if (!c->peer.verified)
            return false;
        if (w->n_names == 0)
            return true;
        for (size_t i = 0; i < w->n_names; i++)
            if (tls_names_contain(c->peer.names, c->peer.n_names, w->names[i]))
                return true;
        return false;
    }
    /* Still connecting: its handshake succeeds only with one of its own wanted names, so each of
     * them must be one this request accepts. */
    if (!c->armed || !c->want_verify || (w->n_names > 0 && c->n_want == 0))
        return false;
    for (size_t i = 0; i < c->n_want; i++)
        if (!want_has(w, c->want_names[i]))
            return false;
    return true;
}

tport_t *tls_send_begin(struct tls_setup *ts, const struct tls_want *w, const char *ip,
                        uint16_t port)
{
    ts->arm = NULL;
    ts->armed_new = NULL;
    for (struct tls_conn *c = ts->conns; c; c = c->next)      /* newest first */
        if (c->port == port && strcmp(c->ip, ip) == 0 && conn_proves(c, w))
            return c->tport;
    ts->arm = w;
    ts->arm_ip = ip;
    ts->arm_port = port;
    return NULL;
}

uint64_t tls_send_end(struct tls_setup *ts, tport_t *used)
{
    struct tls_conn *made = ts->armed_new;

    ts->arm = NULL;
    ts->armed_new = NULL;
    if (made && used && !made->tport)
        made->tport = used;
    for (struct tls_conn *c = ts->conns; used && c; c = c->next)
        if (c->tport == used)
            return c->done ? 0 : c->id;
    return 0;
}

/* The hook, in SSL_new: a connection opened between tls_send_begin() and tls_send_end() is the
 * request's fresh connection (sofia connects synchronously inside the send): it takes the
 * request's names and its address (for the failure report before any handshake). */
static void connect_timer_check(su_root_magic_t *magic, su_timer_t *t, struct tls_setup *ts);

void tls_out_watch(struct tls_setup *ts)
{
    su_time_t now = su_now();
    su_duration_t next = -1;

    for (const struct tls_conn *c = ts->conns; c; c = c->next) {
        if (!c->armed || c->done || c->failed)
            continue;
        su_duration_t left = (su_duration_t)ts->connect_timeout_ms - su_duration(now, c->opened);
        if (next < 0 || left < next)
            next = left > 0 ? left : 0;
    }
    if (next < 0 || !ts->connect_timer || ts->connect_timeout_ms == 0)
        return;
    su_timer_set_interval(ts->connect_timer, connect_timer_check, ts, next + 1);
}

/* Close the first expired connection; restart from the head each time, because failing the
 * requests on it may open new connections (failover) and closing it frees its record. */
static void connect_timer_check(su_root_magic_t *magic, su_timer_t *t, struct tls_setup *ts)
{
    (void)magic;
    (void)t;
    for (;;) {
        su_time_t now = su_now();
        struct tls_conn *c = ts->conns;
        while (c && (!c->armed || c->done || c->failed ||
                     su_duration(now, c->opened) < (su_duration_t)ts->connect_timeout_ms))
            c = c->next;
        if (!c)
            break;
        char why[160];
        snprintf(why, sizeof why, "no TLS connection within connect_timeout (%u ms): %s",
                 ts->connect_timeout_ms,
                 c->started ? "the handshake did not complete" : "TCP connect did not complete");
        tls_conn_fail(c, why, false);                 /* log once; reported here, not deferred */
        tport_t *tp = c->tport ? tport_ref(c->tport) : NULL;
        uint64_t id = c->id;
        char ip[sizeof c->ip];
        uint16_t port = c->port;
        snprintf(ip, sizeof ip, "%s", c->ip);
        if (ts->failure_cb)
            ts->failure_cb(ts->failure_arg, id, ip, port, true, why);
        if (tp) {
            tport_shutdown(tp, 2);                    /* closes it; its record goes with it */
            tport_unref(tp);
        }
    }
    tls_out_watch(ts);
}

void tls_out_stop(struct tls_setup *ts)
{
    if (ts->connect_timer)
        su_timer_destroy(ts->connect_timer), ts->connect_timer = NULL;
}

void tls_out_conn_new(struct tls_setup *ts, struct tls_conn *c)
{
    const struct tls_want *w = ts->arm;

    if (!w || ts->armed_new)
        return;
    ts->armed_new = c;
    c->armed = true;
    c->want_verify = w->verify;
    snprintf(c->ip, sizeof c->ip, "%s", ts->arm_ip);
    c->port = ts->arm_port;
    if (w->n_names && (c->want_names = su_zalloc(c->home, (w->n_names + 1) * sizeof(char *))))
        for (size_t i = 0; i < w->n_names; i++)
            if ((c->want_names[c->n_want] = su_strdup(c->home, w->names[i])) != NULL)
                c->n_want++;
    tls_out_watch(ts);
}
