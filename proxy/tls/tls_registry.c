/* tls_registry.c — what a TLS set-up knows while it runs: the expectations for outgoing
 * connections, the live connections with their certificate facts, and the deferred report of
 * failed outgoing handshakes. Below tls.c and tls_hook.c: both call it, it calls neither. */
#define SU_TIMER_ARG_T struct tls_setup

#include "tls.h"
#include "tls_int.h"

#include <netdb.h>
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
        ts->failure_cb(ts->failure_arg, batch[i].ip, batch[i].port, batch[i].reason);
}

void tls_setup_report_failure(struct tls_setup *ts, const char *ip, uint16_t port,
                              const char *reason)
{
    if (!ts->failure_cb || !ts->timer)
        return;
    if (ts->n_failures == TLS_MAX_FAILURES) {
        log_warn("tls", "event=failure_dropped peer=%s:%u", ip, port);
        return;
    }
    struct tls_failure *f = &ts->failures[ts->n_failures++];
    snprintf(f->ip, sizeof f->ip, "%s", ip);
    f->port = port;
    snprintf(f->reason, sizeof f->reason, "%s", reason);
    if (ts->n_failures == 1)
        su_timer_set(ts->timer, failures_deliver, ts);
}

static struct tls_expectation *expect_find(const struct tls_setup *ts, const char *ip,
                                           uint16_t port)
{
    for (size_t i = 0; i < ts->n_expect; i++) {
        const struct tls_expectation *e = &ts->expect[i];
        if (e->port == port && strcmp(e->ip, ip) == 0)
            return (struct tls_expectation *)e;
    }
    return NULL;
}

static bool expect_same(const struct tls_expectation *e, const char *const *names, size_t n_names,
                        bool verify)
{
    if (e->verify != verify || e->n_names != n_names)
        return false;
    for (size_t i = 0; i < n_names; i++)
        if (strcmp(e->names[i], names[i]) != 0)
            return false;
    return true;
}

int tls_expect(struct tls_setup *ts, const char *ip, uint16_t port, const char *const *names,
               size_t n_names, bool verify)
{
    if (!ip || strlen(ip) >= sizeof ts->expect[0].ip)
        return EINVAL;
    struct tls_expectation *e = expect_find(ts, ip, port);
    if (e && expect_same(e, names, n_names, verify))
        return 0;                        /* the usual case: every request to a known next hop */
    if (!e) {
        if (ts->n_expect < TLS_MAX_EXPECT) {
            e = &ts->expect[ts->n_expect++];
        } else {
            e = &ts->expect[ts->next_expect];
            ts->next_expect = (ts->next_expect + 1) % TLS_MAX_EXPECT;
        }
    }
    for (size_t i = 0; i < e->n_names; i++)
        su_free(ts->home, e->names[i]);
    su_free(ts->home, e->names);
    memset(e, 0, sizeof *e);
    snprintf(e->ip, sizeof e->ip, "%s", ip);
    e->port = port;
    e->verify = verify;
    if (n_names) {
        if (!(e->names = su_zalloc(ts->home, (n_names + 1) * sizeof *e->names)))
            return ENOMEM;
        for (size_t i = 0; i < n_names; i++)
            if ((e->names[i] = su_strdup(ts->home, names[i])) != NULL)
                e->n_names++;
    }
    return 0;
}

static bool is_ip_literal(const char *host)
{
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    freeaddrinfo(res);
    return true;
}

int tls_expect_zone(struct tls_setup *ts, const struct zone *z, const char *name, const char *ip,
                    uint16_t port)
{
    const char *one[1] = { name };

    if (z && !z->tls_verify && z->n_tls_verify_subject == 0)
        return tls_expect(ts, ip, port, NULL, 0, false);
    if (z && z->type != ZONE_DNS && z->n_tls_verify_subject > 0)
        return tls_expect(ts, ip, port, (const char *const *)z->tls_verify_subject,
                          z->n_tls_verify_subject, true);
    bool has_name = name && *name && !is_ip_literal(name);
    return tls_expect(ts, ip, port, has_name ? one : NULL, has_name ? 1 : 0, true);
}

bool tls_setup_expected(const struct tls_setup *ts, const char *ip, uint16_t port,
                        char *const **names, size_t *n_names, bool *verify)
{
    const struct tls_expectation *e = expect_find(ts, ip, port);
    if (!e)
        return false;
    *names = e->names;
    *n_names = e->n_names;
    *verify = e->verify;
    return true;
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

const struct tls_peer *tls_peer_of(const struct tls_setup *ts, const tport_t *tp)
{
    char ip[64], port[16];
    const su_addrinfo_t *ai = tp ? tport_get_address(tp) : NULL;

    if (!ts || !ai || !tport_has_tls(tp))
        return NULL;
    if (getnameinfo((const struct sockaddr *)ai->ai_addr, (socklen_t)ai->ai_addrlen, ip,
                    sizeof ip, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return NULL;
    unsigned long p = strtoul(port, NULL, 10);
    /* O(connections) per request: a node holds tens of TLS connections (an Access Edge opens up
     * to four); a hash would only pay off far beyond that. */
    for (const struct tls_conn *c = ts->conns; c; c = c->next)
        if (c->done && c->port == p && strcmp(c->ip, ip) == 0)
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
