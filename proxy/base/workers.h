/* workers.h — the arithmetic of `[proxy] workers` (docs/workers.md): how many worker processes
 * run, how a node-wide limit is shared between them, and how long the supervisor waits before
 * restarting a worker that died. Pure: no processes, no clock. */
#ifndef SIPFED_WORKERS_H
#define SIPFED_WORKERS_H

#include <stddef.h>
#include <stdint.h>

/* `workers = auto` is stored as WORKERS_AUTO: one worker per online CPU, at most
 * WORKERS_AUTO_CAP (beyond that the kernel's SO_REUSEPORT spreading and the per-worker
 * connections to each partner cost more than they bring). An explicit value may go up to
 * WORKERS_MAX. */
enum { WORKERS_AUTO = 0, WORKERS_AUTO_CAP = 16, WORKERS_MAX = 64 };

/* A worker that lived at least this long before dying starts a new streak of restarts. */
enum { WORKERS_STABLE_MS = 60000 };
/* The first restart waits WORKERS_RESTART_MIN_MS, each further one of a streak twice as long,
 * up to WORKERS_RESTART_MAX_MS. */
enum { WORKERS_RESTART_MIN_MS = 100, WORKERS_RESTART_MAX_MS = 30000 };

/* The number of workers to run: `configured` (WORKERS_AUTO or 1..WORKERS_MAX); `online_cpus`
 * is sysconf(_SC_NPROCESSORS_ONLN) (<= 0: unknown, one worker). Always >= 1. */
unsigned workers_count(unsigned configured, long online_cpus);

/* A node-wide limit `total` shared by `n` workers: each gets total / n, rounded up, so the node
 * admits at least `total` in all; never 0 when total > 0. total 0 (off) stays 0. */
unsigned workers_share(unsigned total, unsigned n);

/* The restart streak after a worker that lived `uptime_ms` died: 1 when it had been stable,
 * else `streak` + 1. */
unsigned workers_streak_next(unsigned streak, uint64_t uptime_ms);
/* How long to wait before restarting a worker whose crash streak is `streak` (>= 1). */
unsigned workers_restart_delay_ms(unsigned streak);

/* The messages between the supervisor and a worker (one per SOCK_SEQPACKET datagram, text):
 * worker -> supervisor: "ready", "reload ok", "reload refused", "learnt DOMAIN";
 * supervisor -> worker: "learnt DOMAIN" (a domain another worker learnt, SPEC §6). */
enum workers_msg {
    WORKERS_MSG_BAD, WORKERS_MSG_READY, WORKERS_MSG_RELOAD_OK, WORKERS_MSG_RELOAD_REFUSED,
    WORKERS_MSG_LEARNT
};
enum { WORKERS_MSG_SIZE = 512 };

/* Read one message of `n` bytes in `buf` (not NUL-terminated; the caller's buffer has room for
 * one more byte, which this writes). For WORKERS_MSG_LEARNT, `*domain` points at the domain
 * inside `buf`. */
enum workers_msg workers_msg_parse(char *buf, size_t n, const char **domain);

#endif
