/* inbound.c — the guard on inbound TCP/TLS connections: caps at accept, handshake, silence and
 * trickle timeouts, one log line per episode (see inbound.h). Runs on the event loop only. */
#define SU_TIMER_ARG_T struct inbound_guard

#include "inbound.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "log.h"

/* How often open connections are judged: the timeouts act within this much of their value. */
enum { INBOUND_SWEEP_MS = 500 };
/* An episode ends when its kind of refusal or cut has not happened for this long. */
enum { INBOUND_EPISODE_QUIET_MS = 10000 };
/* Hash buckets (per peer address and port; per address). Chains stay short up to ~50 000 open
 * connections; max_connections is the real bound. */
enum { INBOUND_BUCKETS = 4096 };
enum { INBOUND_MAX_LISTENERS = 16 };

enum inbound_kind { K_MAX, K_PER_IP, K_HANDSHAKE, K_SILENT, K_TRICKLE, K_N };
/* The guard the accept()/close() hooks (inbound_hook.c) act for: process-wide because accept()
 * has no user argument; set and cleared by the event loop that owns the guard. */
static struct inbound_guard *active_guard;

struct inbound_guard *inbound_guard_active(void)
{
    return active_guard;
}

void inbound_guard_set_active(struct inbound_guard *g)
{
    active_guard = g;
}

static const char *const kind_limit[K_N] = {
    "max_connections", "max_connections_per_ip", "handshake_timeout", "idle_timeout",
    "message_timeout",
};
static const char *const kind_action[K_N] = { "refused", "refused", "closed", "closed", "closed" };

struct ip_key {
    sa_family_t family;
    unsigned char addr[16];
};

struct ip_count {
    struct ip_key key;
    unsigned n;
    struct ip_count *next;
};

struct conn {
    int fd;
    bool tls, handshake_done, cut;
    bool delivered;                 /* a message arrived since the last sweep */
    struct ip_key ip;
    uint16_t port;
    struct ip_count *count;
    uint64_t accepted_ms;
    uint64_t mark_recv, last_sent;  /* bytes at the last sign of progress */
    uint64_t pending_since_ms;      /* bytes arriving without progress since (0: not) */
    struct conn *peer_next;         /* chain in by_peer */
};

struct episode {
    bool active;
    uint64_t count, start_ms, last_ms;
};

struct listener {
    struct ip_key ip;
    uint16_t port;
    bool tls;
};

struct inbound_guard {
    su_home_t home[1];
    su_timer_t *timer;
    struct inbound_limits limits;
    inbound_handshake_done_f *handshake_done;
    void *handshake_arg;
    struct listener listeners[INBOUND_MAX_LISTENERS];
    size_t n_listeners;
    struct conn **by_fd;            /* indexed by socket */
    size_t n_by_fd;
    struct conn *by_peer[INBOUND_BUCKETS];
    struct ip_count *by_ip[INBOUND_BUCKETS];
    struct episode episodes[K_N];
    struct inbound_stats stats;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---------------------------------------------------------------- addresses */

static bool ip_key_of(const struct sockaddr *sa, struct ip_key *k, uint16_t *port)
{
    memset(k, 0, sizeof *k);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        k->family = AF_INET;
        memcpy(k->addr, &in->sin_addr, 4);
        *port = ntohs(in->sin_port);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        /* An IPv4 client on a dual-stack socket counts as its IPv4 address. */
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            k->family = AF_INET;
            memcpy(k->addr, in6->sin6_addr.s6_addr + 12, 4);
        } else {
            k->family = AF_INET6;
            memcpy(k->addr, &in6->sin6_addr, 16);
        }
        *port = ntohs(in6->sin6_port);
        return true;
    }
    return false;
}

static unsigned ip_hash(const struct ip_key *k, uint16_t port)
{
    uint32_t h = 2166136261u ^ k->family;
    for (size_t i = 0; i < sizeof k->addr; i++)
        h = (h ^ k->addr[i]) * 16777619u;
    h = (h ^ port) * 16777619u;
    return h % INBOUND_BUCKETS;
}

static bool ip_equal(const struct ip_key *a, const struct ip_key *b)
{
    return a->family == b->family && memcmp(a->addr, b->addr, sizeof a->addr) == 0;
}

static const char *ip_text(const struct ip_key *k, char *buf, size_t len)
{
    if (!inet_ntop(k->family, k->addr, buf, (socklen_t)len))
        snprintf(buf, len, "unknown");
    return buf;
}

/* ----------------------------------------------------------------- episodes */

static void episode_note(struct inbound_guard *g, enum inbound_kind k, const struct ip_key *ip,
                         uint16_t port, unsigned value)
{
    struct episode *e = &g->episodes[k];
    uint64_t now = now_ms();
    if (!e->active) {
        char text[INET6_ADDRSTRLEN];
        e->active = true;
        e->count = 0;
        e->start_ms = now;
        log_warn("inbound", "event=limit_start limit=%s %s=%u action=%s first_peer=%s:%u "
                 "msg=\"one line per episode: the end line counts them\"", kind_limit[k],
                 kind_limit[k], value, kind_action[k], ip_text(ip, text, sizeof text), port);
    }
    e->count++;
    e->last_ms = now;
}

static void episodes_end_quiet(struct inbound_guard *g, uint64_t now)
{
    for (int k = 0; k < K_N; k++) {
        struct episode *e = &g->episodes[k];
        if (!e->active || now < e->last_ms + INBOUND_EPISODE_QUIET_MS)
            continue;
        e->active = false;
        log_warn("inbound", "event=limit_end limit=%s %s=%llu seconds=%llu open=%u", kind_limit[k],
                 kind_action[k], (unsigned long long)e->count,
                 (unsigned long long)((e->last_ms - e->start_ms) / 1000u), g->stats.open);
    }
}

/* ---------------------------------------------------------------- the table */

static struct ip_count *ip_count_get(struct inbound_guard *g, const struct ip_key *k, bool add)
{
    unsigned h = ip_hash(k, 0);
    for (struct ip_count *c = g->by_ip[h]; c; c = c->next)
        if (ip_equal(&c->key, k))
            return c;
    if (!add)
        return NULL;
    struct ip_count *c = su_zalloc(g->home, sizeof *c);
    if (!c)
        return NULL;
    c->key = *k;
    c->next = g->by_ip[h];
    g->by_ip[h] = c;
    return c;
}

static void ip_count_drop(struct inbound_guard *g, struct ip_count *c)
{
    if (--c->n > 0)
        return;
    for (struct ip_count **pp = &g->by_ip[ip_hash(&c->key, 0)]; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            su_free(g->home, c);
            return;
        }
}

static int by_fd_reserve(struct inbound_guard *g, int fd)
{
    if ((size_t)fd < g->n_by_fd)
        return 0;
    size_t n = g->n_by_fd ? g->n_by_fd : 256;
    while (n <= (size_t)fd)
        n *= 2;
    struct conn **v = su_realloc(g->home, g->by_fd, n * sizeof *v);
    if (!v)
        return ENOMEM;
    memset(v + g->n_by_fd, 0, (n - g->n_by_fd) * sizeof *v);
    g->by_fd = v;
    g->n_by_fd = n;
    return 0;
}

static void conn_remove(struct inbound_guard *g, struct conn *c)
{
    for (struct conn **pp = &g->by_peer[ip_hash(&c->ip, c->port)]; *pp; pp = &(*pp)->peer_next)
        if (*pp == c) {
            *pp = c->peer_next;
            break;
        }
    g->by_fd[c->fd] = NULL;
    ip_count_drop(g, c->count);
    g->stats.open--;
    su_free(g->home, c);
}

void inbound_guard_forget(struct inbound_guard *g, int fd)
{
    if (fd >= 0 && (size_t)fd < g->n_by_fd && g->by_fd[fd])
        conn_remove(g, g->by_fd[fd]);
}

bool inbound_guard_watches(struct inbound_guard *g, int lfd, bool *tls)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    struct ip_key ip;
    uint16_t port;
    if (getsockname(lfd, (struct sockaddr *)&ss, &len) != 0 ||
        !ip_key_of((struct sockaddr *)&ss, &ip, &port))
        return false;
    for (size_t i = 0; i < g->n_listeners; i++) {
        const struct listener *l = &g->listeners[i];
        if (l->port == port && ip_equal(&l->ip, &ip)) {
            *tls = l->tls;
            return true;
        }
    }
    return false;
}

bool inbound_guard_admit(struct inbound_guard *g, int fd, const struct sockaddr *peer,
                         socklen_t len, bool tls)
{
    struct ip_key ip;
    uint16_t port = 0;
    (void)len;
    if (fd < 0 || !ip_key_of(peer, &ip, &port))
        return true;                    /* not an IP peer: nothing to count it by */
    inbound_guard_forget(g, fd);        /* a stale entry for a reused number */
    if (g->stats.open >= g->limits.max_connections) {
        g->stats.refused_max++;
        episode_note(g, K_MAX, &ip, port, g->limits.max_connections);
        return false;
    }
    struct ip_count *count = ip_count_get(g, &ip, false);
    if (count && count->n >= g->limits.max_connections_per_ip) {
        g->stats.refused_per_ip++;
        episode_note(g, K_PER_IP, &ip, port, g->limits.max_connections_per_ip);
        return false;
    }
    struct conn *c = su_zalloc(g->home, sizeof *c);
    if (!c || by_fd_reserve(g, fd) != 0 || !(count = count ? count : ip_count_get(g, &ip, true))) {
        /* Out of memory: let sofia have it unguarded rather than refuse a peer for our fault. */
        su_free(g->home, c);
        return true;
    }
    c->fd = fd;
    c->tls = tls;
    c->ip = ip;
    c->port = port;
    c->count = count;
    count->n++;
    c->accepted_ms = now_ms();
    unsigned h = ip_hash(&ip, port);
    c->peer_next = g->by_peer[h];
    g->by_peer[h] = c;
    g->by_fd[fd] = c;
    g->stats.open++;
    g->stats.accepted++;
    return true;
}

void inbound_guard_delivered(struct inbound_guard *g, const struct sockaddr *peer)
{
    struct ip_key ip;
    uint16_t port;
    if (!g || !peer || !ip_key_of(peer, &ip, &port))
        return;
    for (struct conn *c = g->by_peer[ip_hash(&ip, port)]; c; c = c->peer_next)
        if (c->port == port && ip_equal(&c->ip, &ip)) {
            c->delivered = true;
            return;
        }
}

/* ----------------------------------------------------------------- judging */

/* The handshake's bytes are no message: the trickle watch starts from here (the next sweep
 * takes the byte counts as its mark). */
static void conn_handshake_done(struct conn *c)
{
    c->handshake_done = true;
    c->delivered = true;
}

void inbound_guard_handshake_done(struct inbound_guard *g, int fd)
{
    struct conn *c = g && fd >= 0 && (size_t)fd < g->n_by_fd ? g->by_fd[fd] : NULL;
    if (c && c->tls && !c->handshake_done)
        conn_handshake_done(c);
}

static void conn_cut(struct inbound_guard *g, struct conn *c, enum inbound_kind k,
                     uint64_t *counter, unsigned value_s)
{
    /* sofia owns the socket: shut it down and let its read event close the transport (the
     * close comes back here through inbound_guard_forget). */
    c->cut = true;
    shutdown(c->fd, SHUT_RDWR);
    (*counter)++;
    episode_note(g, k, &c->ip, c->port, value_s);
}

static void conn_judge(struct inbound_guard *g, struct conn *c, uint64_t now)
{
    const struct inbound_limits *L = &g->limits;
    uint64_t age = now - c->accepted_ms;

    if (c->cut)
        return;
    if (c->tls && !c->handshake_done) {
        /* Told at once by the TLS layer (inbound_guard_handshake_done); asked here only when the
         * timeout has passed without that news. */
        if (age < L->handshake_timeout_ms)
            return;
        if (!g->handshake_done || !g->handshake_done(g->handshake_arg, c->fd)) {
            conn_cut(g, c, K_HANDSHAKE, &g->stats.closed_handshake, L->handshake_timeout_ms / 1000);
            return;
        }
        conn_handshake_done(c);
    }

    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
        return;
    uint64_t recv = ti.tcpi_bytes_received, sent = ti.tcpi_bytes_sent;

    if (recv == 0) {
        if (age >= L->idle_timeout_ms)
            conn_cut(g, c, K_SILENT, &g->stats.closed_silent, L->idle_timeout_ms / 1000);
        return;
    }
    /* Progress: a message arrived, or we sent the peer something (a response, a keep-alive
     * pong, a request). Bytes that arrive without either are a message still coming in. */
    if (c->delivered || sent != c->last_sent) {
        c->delivered = false;
        c->last_sent = sent;
        c->mark_recv = recv;
        c->pending_since_ms = 0;
        return;
    }
    if (recv == c->mark_recv)
        return;
    /* Data followed by silence was a message we need not answer (an ACK, a response to our
     * request, a keep-alive) or a stalled one, which sofia's own message_timeout answers. */
    if (ti.tcpi_last_data_recv >= L->message_timeout_ms / 2) {
        c->mark_recv = recv;
        c->pending_since_ms = 0;
        return;
    }
    if (!c->pending_since_ms)
        c->pending_since_ms = now;
    else if (now - c->pending_since_ms >= L->message_timeout_ms)
        conn_cut(g, c, K_TRICKLE, &g->stats.closed_trickle, L->message_timeout_ms / 1000);
}

static void guard_sweep(su_root_magic_t *magic, su_timer_t *t, struct inbound_guard *g)
{
    (void)magic;
    (void)t;
    uint64_t now = now_ms();
    for (size_t fd = 0; fd < g->n_by_fd; fd++)
        if (g->by_fd[fd])
            conn_judge(g, g->by_fd[fd], now);
    episodes_end_quiet(g, now);
}

/* ------------------------------------------------------------------ set-up */

int inbound_guard_create(su_root_t *root, const struct inbound_limits *limits,
                         inbound_handshake_done_f *done, void *arg, struct inbound_guard **out)
{
    struct inbound_guard *g = su_home_new(sizeof *g);
    *out = NULL;
    if (!g)
        return ENOMEM;
    g->limits = *limits;
    g->handshake_done = done;
    g->handshake_arg = arg;
    g->timer = su_timer_create(su_root_task(root), INBOUND_SWEEP_MS);
    if (!g->timer || su_timer_run(g->timer, guard_sweep, g) < 0) {
        inbound_guard_destroy(g);
        return ENOMEM;
    }
    inbound_guard_set_active(g);
    *out = g;
    return 0;
}

int inbound_guard_listen(struct inbound_guard *g, const struct sockaddr *addr, bool tls)
{
    struct listener l = { .tls = tls };
    if (!ip_key_of(addr, &l.ip, &l.port))
        return EAFNOSUPPORT;
    for (size_t i = 0; i < g->n_listeners; i++)
        if (g->listeners[i].port == l.port && ip_equal(&g->listeners[i].ip, &l.ip))
            return 0;
    if (g->n_listeners == INBOUND_MAX_LISTENERS)
        return ENOSPC;
    g->listeners[g->n_listeners++] = l;
    return 0;
}

void inbound_guard_set_limits(struct inbound_guard *g, const struct inbound_limits *limits)
{
    g->limits = *limits;
}

const struct inbound_stats *inbound_guard_stats(const struct inbound_guard *g)
{
    return &g->stats;
}

void inbound_guard_destroy(struct inbound_guard *g)
{
    if (!g)
        return;
    if (inbound_guard_active() == g)
        inbound_guard_set_active(NULL);
    if (g->timer)
        su_timer_destroy(g->timer);
    su_home_unref(g->home);
}
