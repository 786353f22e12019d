/* tls_registry.c — what a TLS set-up knows while it runs: the live connections with their
 * certificate facts, and the failure of an outgoing one (logged once, reported to the proxy
 * from the event loop). Below tls.c, tls_hook.c and tls_out.c: they call it, it calls none. */
#define SU_TIMER_ARG_T struct tls_setup

#include "tls.h"
#include "tls_int.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "log.h"

const struct tls_material *tls_setup_material(const struct tls_setup *ts)
{
    return &ts->m;
}

static void failures_deliver(su_root_magic_t *magic, su_timer_t *t, struct tls_setup *ts)
{
    (void)magic;
    (void)t;
    /* Copy first: the callback may fail branches, which may open new connections. */
    struct tls_failure batch[TLS_MAX_FAILURES];
    size_t n = ts->n_failures;
    memcpy(batch, ts->failures, n * sizeof batch[0]);
    ts->n_failures = 0;
    for (size_t i = 0; i < n && ts->failure_cb; i++)
        ts->failure_cb(ts->failure_arg, batch[i].conn_id, batch[i].ip, batch[i].port,
                       batch[i].timed_out, batch[i].reason);
}

void tls_setup_report_failure(struct tls_setup *ts, uint64_t conn_id, const char *ip,
                              uint16_t port, const char *reason)
{
    if (!ts->failure_cb || !ts->timer)
        return;
    if (ts->n_failures == TLS_MAX_FAILURES) {
        log_warn("tls", "event=failure_dropped peer=%s:%u", ip, port);
        return;
    }
    struct tls_failure *f = &ts->failures[ts->n_failures++];
    f->conn_id = conn_id;
    f->timed_out = false;
    snprintf(f->ip, sizeof f->ip, "%s", ip);
    f->port = port;
    snprintf(f->reason, sizeof f->reason, "%s", reason);
    if (ts->n_failures == 1)
        su_timer_set(ts->timer, failures_deliver, ts);
}

/* Once per connection: log the failure; an outgoing one is reported to the proxy. */
void tls_conn_fail(struct tls_conn *c, const char *why, bool report)
{
    if (c->failed || c->done)
        return;
    c->failed = true;
    const char *dir = c->server ? "in" : "out";
    const char *reason = c->reason ? c->reason : why;
    const char *expected = c->expected ? c->expected : "";
    if (c->reason && why && strcmp(why, c->reason) != 0)
        log_warn("tls", "event=handshake_failed dir=%s peer=%s:%u%s%s reason=\"%s; %s\"", dir,
                 c->ip, c->port, expected[0] ? " expected=" : "", expected, why, c->reason);
    else
        log_warn("tls", "event=handshake_failed dir=%s peer=%s:%u%s%s reason=\"%s\"", dir, c->ip,
                 c->port, expected[0] ? " expected=" : "", expected, reason);
    if (!report || c->server || !c->ts || !c->ip[0])
        return;
    /* The cause as the answer upstream names it (Warning/Reason, docs/errors.md). */
    char cause[320];
    if (c->name_mismatch)
        snprintf(cause, sizeof cause, "TLS name mismatch: expected %s", expected);
    else
        snprintf(cause, sizeof cause, "TLS handshake failed: %s", reason);
    tls_setup_report_failure(c->ts, c->id, c->ip, c->port, cause);
}

void tls_setup_conn_link(struct tls_setup *ts, struct tls_conn *c)
{
    if (c->linked)
        return;
    c->prev = NULL;
    c->next = ts->conns;
    if (ts->conns)
        ts->conns->prev = c;
    ts->conns = c;
    c->linked = true;
}

void tls_setup_conn_unlink(struct tls_setup *ts, struct tls_conn *c)
{
    if (!c->linked)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        ts->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->linked = false;
}

void tls_setup_on_handshake(struct tls_setup *ts, tls_handshake_f *cb, void *arg)
{
    ts->handshake_cb = cb;
    ts->handshake_arg = arg;
}

bool tls_setup_handshake_expire(struct tls_setup *ts, int fd)
{
    for (struct tls_conn *c = ts ? ts->conns : NULL; c; c = c->next)
        if (SSL_get_fd(c->ssl) == fd) {
            if (!c->done)
                c->failed = true;       /* conn_fail() stays quiet: the guard reports it */
            return c->done;
        }
    return false;
}

bool tls_addr_set(struct tls_addr *a, uint16_t *port, const struct sockaddr *sa)
{
    memset(a, 0, sizeof *a);
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        a->family = AF_INET;
        memcpy(a->bytes, &in->sin_addr, sizeof in->sin_addr);
        *port = ntohs(in->sin_port);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        a->family = AF_INET6;
        memcpy(a->bytes, &in6->sin6_addr, sizeof in6->sin6_addr);
        *port = ntohs(in6->sin6_port);
        return true;
    }
    return false;
}

const struct tls_peer *tls_peer_of(const struct tls_setup *ts, const tport_t *tp)
{
    const su_addrinfo_t *ai = tp ? tport_get_address(tp) : NULL;
    struct tls_addr a;
    uint16_t port;

    if (!ts || !ai || !tport_has_tls(tp) || !tls_addr_set(&a, &port, ai->ai_addr))
        return NULL;
    /* O(connections) per request, comparing binary addresses (no formatting): a node holds tens
     * of TLS connections (an Access Edge opens up to four); a hash would only pay off far
     * beyond that. */
    for (const struct tls_conn *c = ts->conns; c; c = c->next)
        if (c->done && c->port == port && c->addr.family == a.family &&
            memcmp(c->addr.bytes, a.bytes, sizeof a.bytes) == 0)
            return &c->peer;
    return NULL;
}

size_t tls_connections_foreach(const struct tls_setup *ts,
                               void (*fn)(void *arg, const struct tls_connection_info *c),
                               void *arg)
{
    size_t n = 0;
    for (const struct tls_conn *c = ts ? ts->conns : NULL; c; c = c->next) {
        if (!c->started)
            continue;
        struct tls_connection_info info = {
            .ip = c->ip, .port = c->port, .incoming = c->server, .established = c->done,
            .peer = c->done ? &c->peer : NULL,
        };
        if (fn)
            fn(arg, &info);
        n++;
    }
    return n;
}
