/* tls_out.c — which connection an outgoing request may use (SPEC §5.3, issue 10).
 *
 * sofia's tport reuses any open connection to a request's IP:port, whatever name the request
 * needs, so a name checked only when a handshake starts would be skipped for every later request
 * on that connection (SOFIA-NOTES). Instead every request states what the server must prove
 * (struct tls_want) and goes down a connection only when that connection's certificate proved it:
 * an established one whose verified names include one of the wanted names, or one still in its
 * handshake that checks a subset of them. Otherwise sofia is told to open a fresh connection
 * (TPTAG_FRESH), and the hook arms that connection's handshake with the request's names. */
#include "tls.h"
#include "tls_int.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

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
}
