/* inbound.h — the guard on inbound TCP/TLS connections (issue 11, docs/security.md).
 *
 * sofia-sip 1.12 accepts every connection and keeps it as long as the peer likes: a socket that
 * never sends, a TLS handshake that never finishes and a message trickled a byte at a time are
 * never closed, and nothing limits how many connections one address holds. The guard sees every
 * connection sofia accepts on a SIP listen address (inbound_hook.c) and
 *  - refuses it at accept (closed with a reset) past max_connections or max_connections_per_ip;
 *  - closes it (shutdown: sofia then tears its transport down) when a TLS handshake has not
 *    finished within handshake_timeout, when it has sent nothing within idle_timeout, or when
 *    it has been trickling bytes for message_timeout without one message arriving or one byte
 *    being answered.
 * Each kind of refusal or cut is logged once per episode (a start line and an end line with the
 * count), never once per connection: a line per attacker would itself be a flood. */
#ifndef SIPFED_INBOUND_H
#define SIPFED_INBOUND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

typedef struct su_root_s su_root_t;

struct inbound_guard;

struct inbound_limits {
    unsigned handshake_timeout_ms;      /* TLS: handshake finished within */
    unsigned idle_timeout_ms;           /* first byte within */
    unsigned message_timeout_ms;        /* trickling without progress for */
    unsigned max_connections;           /* in total, over every listen address */
    unsigned max_connections_per_ip;
};

/* Counters, cumulative since start (the ops engineer's /metrics reads them). */
struct inbound_stats {
    uint64_t accepted;
    uint64_t refused_max;               /* max_connections reached */
    uint64_t refused_per_ip;            /* max_connections_per_ip reached */
    uint64_t closed_handshake;          /* TLS handshake not finished in time */
    uint64_t closed_silent;             /* nothing sent within idle_timeout */
    uint64_t closed_trickle;            /* bytes without a message for message_timeout */
    unsigned open;                      /* connections open now */
};

/* True when the TLS handshake on accepted socket `fd` has finished (the TLS layer knows); asked
 * once, when handshake_timeout has passed without inbound_guard_handshake_done() for it: false
 * means the guard closes the connection. */
typedef bool inbound_handshake_done_f(void *arg, int fd);

/* Create the guard on `root` with `limits` and make it the process's (inbound_hook.c: accept()
 * has no user argument). `done`/`arg` answer the handshake question. Returns 0 or ENOMEM. */
int inbound_guard_create(su_root_t *root, const struct inbound_limits *limits,
                         inbound_handshake_done_f *done, void *arg, struct inbound_guard **out);
/* Guard the listening socket bound to local `addr` (our SIP TCP/TLS listen address, as bound:
 * address and port). Connections accepted on other sockets (admin HTTP) are left alone. */
int inbound_guard_listen(struct inbound_guard *g, const struct sockaddr *addr, bool tls);
/* New limits (reload): apply to new decisions; open connections are not re-judged at once. */
void inbound_guard_set_limits(struct inbound_guard *g, const struct inbound_limits *limits);
/* The TLS handshake on accepted socket `fd` has finished: its message_timeout watch (the
 * trickle rule) starts now, not at handshake_timeout. */
void inbound_guard_handshake_done(struct inbound_guard *g, int fd);
/* A complete SIP message arrived from `peer` (a request's source): the connection progresses. */
void inbound_guard_delivered(struct inbound_guard *g, const struct sockaddr *peer);
const struct inbound_stats *inbound_guard_stats(const struct inbound_guard *g);
void inbound_guard_destroy(struct inbound_guard *g);

/* inbound_hook.c -> inbound.c: the hook's view of the guard (process-wide, event-loop thread). */
struct inbound_guard *inbound_guard_active(void);
void inbound_guard_set_active(struct inbound_guard *g);
/* Listening socket `lfd` is one the guard watches: *tls tells which kind. */
bool inbound_guard_watches(struct inbound_guard *g, int lfd, bool *tls);
/* Connection `fd` from `peer` was accepted on a watched socket: false when it must be refused
 * (then the caller closes it). */
bool inbound_guard_admit(struct inbound_guard *g, int fd, const struct sockaddr *peer,
                         socklen_t len, bool tls);
/* Socket `fd` is being closed. */
void inbound_guard_forget(struct inbound_guard *g, int fd);

#endif
