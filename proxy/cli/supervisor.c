/* supervisor.c — the supervisor of a node's workers (see supervisor.h, docs/workers.md).
 *
 * The supervisor runs no event loop of sofia's: nothing of an su_root (its epoll descriptor,
 * timers, sockets) exists before a fork, so each worker builds its own from scratch. It waits in
 * poll() on a signalfd (HUP, TERM, INT, CHLD) and on one SOCK_SEQPACKET channel per worker
 * (workers.h messages: ready, reload results, learnt domains). The configuration generation is
 * loaded before the fork and inherited by the workers (copy on write); a restarted worker gets
 * the last one the supervisor loaded successfully. */
#include "supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proxy.h"
#include "service_notify.h"
#include "workers.h"

/* SIGTERM: workers drain for up to 5 s (proxy.c); whoever is still there after this is killed. */
enum { SUPERVISOR_STOP_MS = 10000 };
/* Learnt domains replayed to a restarted worker (as many as one worker keeps, proxy.c). */
enum { SUPERVISOR_LEARNT_MAX = 1024 };

struct worker_slot {
    pid_t pid;                  /* 0: not running */
    int fd;                     /* our end of its channel, -1: none */
    bool ready;                 /* said "ready" since it was started */
    bool reload_pending;        /* sent SIGHUP, its result not yet heard */
    uint64_t started_ms;
    unsigned streak;            /* restarts without a stable run in between */
    uint64_t restart_at_ms;     /* 0: no restart scheduled */
};

struct supervisor {
    su_home_t home[1];          /* the slots, learnt domains, pid file name */
    struct proxy_gen *gen;      /* the last configuration loaded successfully */
    const char *config_path;
    unsigned n;
    struct worker_slot *w;
    int sigfd;
    pid_t self;
    bool node_ready;            /* every worker was ready once: READY=1 was sent */
    bool stopping;
    uint64_t stop_deadline_ms;
    bool reloading;
    unsigned reloads_refused;
    char *learnt[SUPERVISOR_LEARNT_MAX];   /* ring of learnt domains (in home) */
    size_t n_learnt, learnt_next;
    char *pid_file;             /* written when the node is ready; NULL: none */
    int exit_err;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

/* ------------------------------------------------------------------ the worker */

/* In the child: close what belongs to the supervisor, die with it, run one proxy. Never
 * returns. */
static void worker_main(struct supervisor *s, unsigned i, int fd)
{
    for (unsigned k = 0; k < s->n; k++)
        if (s->w[k].fd >= 0)
            close(s->w[k].fd);
    close(s->sigfd);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != s->self)
        _exit(EXIT_FAILURE);                /* the supervisor died before the line above */
    unsetenv("NOTIFY_SOCKET");              /* the supervisor speaks to systemd */
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);  /* the proxy blocks what it reads itself */
    struct proxy_worker pw = { .index = i, .count = s->n, .link_fd = fd };
    struct proxy *px = NULL;
    int rc = EXIT_FAILURE;
    if (proxy_create(proxy_gen_ref(s->gen), s->config_path, &pw, &px) == 0) {
        /* Dropping privileges ([proxy] user) cleared the death signal (prctl(2)): again. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() == s->self && proxy_run(px) == 0)
            rc = EXIT_SUCCESS;
    }
    proxy_destroy(px);
    /* exit(), not _exit(): the leak check of the sanitizer build runs at exit. What the worker
     * inherited from the supervisor is still referenced from the supervisor's frame. */
    exit(rc);
}

static void learnt_send(int fd, const char *domain)
{
    char msg[WORKERS_MSG_SIZE];
    int n = snprintf(msg, sizeof msg, "learnt %s", domain);
    if (n > 0 && (size_t)n < sizeof msg)
        send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int worker_start(struct supervisor *s, unsigned i)
{
    struct worker_slot *w = &s->w[i];
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return errno;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(sv[0]);
        close(sv[1]);
        return err;
    }
    if (pid == 0) {
        close(sv[0]);
        worker_main(s, i, sv[1]);
    }
    close(sv[1]);
    w->pid = pid;
    w->fd = sv[0];
    w->ready = false;
    w->reload_pending = false;
    w->started_ms = now_ms();
    w->restart_at_ms = 0;
    /* What the others learnt before it started (read once its loop runs). */
    for (size_t k = 0; k < s->n_learnt; k++)
        learnt_send(w->fd, s->learnt[k]);
    log_info("supervisor", "event=worker_start worker=%u pid=%ld", i, (long)pid);
    return 0;
}

static void worker_channel_close(struct worker_slot *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}

/* ------------------------------------------------------------------ the node */

static void node_ready_check(struct supervisor *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (!s->w[i].ready)
            return;
    s->node_ready = true;
    if (s->pid_file) {
        FILE *f = fopen(s->pid_file, "w");
        bool ok = f && fprintf(f, "%ld\n", (long)s->self) > 0;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok)
            log_error("supervisor", "event=pid_file file=%s error=\"%s\"", s->pid_file,
                      strerror(errno));
    }
    char status[128];
    snprintf(status, sizeof status, "serving: %u workers, %zu zones, %zu rules", s->n,
             s->gen->dp->n_zones, s->gen->dp->n_rules);
    log_info("supervisor", "event=ready workers=%u pid=%ld", s->n, (long)s->self);
    service_notify_ready(status);
}

static void reload_done_check(struct supervisor *s)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->w[i].reload_pending)
            return;
    s->reloading = false;
    char status[160];
    if (s->reloads_refused)
        snprintf(status, sizeof status, "reload refused by %u of %u workers (see the log); "
                 "serving the previous configuration", s->reloads_refused, s->n);
    else
        snprintf(status, sizeof status, "configuration reloaded: %u workers, %zu zones, "
                 "%zu rules", s->n, s->gen->dp->n_zones, s->gen->dp->n_rules);
    log_info("supervisor", "event=reload status=%s workers=%u refused=%u",
             s->reloads_refused ? "refused" : "ok", s->n, s->reloads_refused);
    service_notify_reloaded(s->reloads_refused == 0, status);
}

static void learnt_keep(struct supervisor *s, const char *domain)
{
    for (size_t k = 0; k < s->n_learnt; k++)
        if (strcmp(s->learnt[k], domain) == 0)
            return;
    char *copy = su_strdup(s->home, domain);
    if (!copy)
        return;
    if (s->n_learnt < SUPERVISOR_LEARNT_MAX) {
        s->learnt[s->n_learnt++] = copy;
        return;
    }
    su_free(s->home, s->learnt[s->learnt_next]);    /* full: the oldest goes */
    s->learnt[s->learnt_next] = copy;
    s->learnt_next = (s->learnt_next + 1) % SUPERVISOR_LEARNT_MAX;
}

static void worker_message(struct supervisor *s, unsigned i)
{
    struct worker_slot *w = &s->w[i];
    char buf[WORKERS_MSG_SIZE + 1];
    ssize_t n = recv(w->fd, buf, WORKERS_MSG_SIZE, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        worker_channel_close(w);            /* it exited: SIGCHLD tells the rest */
        return;
    }
    const char *domain = NULL;
    enum workers_msg kind = workers_msg_parse(buf, (size_t)n, &domain);
    switch (kind) {
    case WORKERS_MSG_READY:
        w->ready = true;
        if (s->node_ready)
            log_info("supervisor", "event=worker_ready worker=%u pid=%ld", i, (long)w->pid);
        else
            node_ready_check(s);
        break;
    case WORKERS_MSG_RELOAD_OK:
    case WORKERS_MSG_RELOAD_REFUSED:
        if (w->reload_pending) {
            w->reload_pending = false;
            s->reloads_refused += kind == WORKERS_MSG_RELOAD_REFUSED;
            reload_done_check(s);
        }
        break;
    case WORKERS_MSG_LEARNT:
        learnt_keep(s, domain);
        for (unsigned k = 0; k < s->n; k++)
            if (k != i && s->w[k].fd >= 0)
                learnt_send(s->w[k].fd, domain);
        break;
    case WORKERS_MSG_BAD:
        log_warn("supervisor", "event=worker_message worker=%u msg=\"unexpected message\"", i);
        break;
    }
}

/* SIGHUP: the supervisor loads the configuration too (a restarted worker starts with the last
 * good one), and every worker reloads on its own; READY=1 when all have said how it went. */
static void node_reload(struct supervisor *s)
{
    service_notify_reloading(s->config_path);
    struct proxy_gen *g = NULL;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    if (proxy_gen_load(s->config_path, d, &g) == 0) {
        proxy_gen_unref(s->gen);
        s->gen = g;
    }
    su_home_deinit(home);                   /* the workers log the errors, once each */
    s->reloading = true;
    s->reloads_refused = 0;
    for (unsigned i = 0; i < s->n; i++) {
        struct worker_slot *w = &s->w[i];
        w->reload_pending = w->pid > 0 && w->ready && kill(w->pid, SIGHUP) == 0;
    }
    log_info("supervisor", "event=reload signal=HUP workers=%u", s->n);
    reload_done_check(s);
}

static void node_stop(struct supervisor *s, const char *why)
{
    if (s->stopping)
        return;
    s->stopping = true;
    s->stop_deadline_ms = now_ms() + SUPERVISOR_STOP_MS;
    log_info("supervisor", "event=stop signal=%s workers=%u", why, s->n);
    service_notify_stopping("stopping: workers finish their transactions");
    for (unsigned i = 0; i < s->n; i++) {
        s->w[i].restart_at_ms = 0;
        if (s->w[i].pid > 0)
            kill(s->w[i].pid, SIGTERM);
    }
}

static void describe_status(int status, char *buf, size_t size)
{
    if (WIFSIGNALED(status))
        snprintf(buf, size, "signal=%d", WTERMSIG(status));
    else
        snprintf(buf, size, "exit=%d", WEXITSTATUS(status));
}

static void workers_reap(struct supervisor *s)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        unsigned i = 0;
        while (i < s->n && s->w[i].pid != pid)
            i++;
        if (i == s->n)
            continue;
        struct worker_slot *w = &s->w[i];
        char how[32];
        describe_status(status, how, sizeof how);
        w->pid = 0;
        w->ready = false;
        worker_channel_close(w);
        if (w->reload_pending) {
            w->reload_pending = false;
            reload_done_check(s);
        }
        if (s->stopping) {
            log_info("supervisor", "event=worker_exit worker=%u pid=%ld %s", i, (long)pid, how);
            continue;
        }
        if (!s->node_ready) {
            /* A worker that cannot start (it logged why) would fail again: give up. */
            log_error("supervisor", "event=worker_exit worker=%u pid=%ld %s msg=\"a worker "
                      "failed before the node was ready: stopping\"", i, (long)pid, how);
            s->exit_err = EIO;
            node_stop(s, "worker-failed");
            continue;
        }
        uint64_t now = now_ms();
        w->streak = workers_streak_next(w->streak, now - w->started_ms);
        unsigned delay = workers_restart_delay_ms(w->streak);
        w->restart_at_ms = now + delay;
        log_error("supervisor", "event=worker_exit worker=%u pid=%ld %s restart_in_ms=%u "
                  "restarts_in_a_row=%u", i, (long)pid, how, delay, w->streak);
    }
}

static void signals_read(struct supervisor *s)
{
    struct signalfd_siginfo si;
    while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            workers_reap(s);
        else if (si.ssi_signo == SIGHUP && !s->stopping)
            node_reload(s);
        else if (si.ssi_signo == SIGTERM)
            node_stop(s, "TERM");
        else if (si.ssi_signo == SIGINT)
            node_stop(s, "INT");
    }
}

static unsigned workers_running(const struct supervisor *s)
{
    unsigned n = 0;
    for (unsigned i = 0; i < s->n; i++)
        n += s->w[i].pid > 0;
    return n;
}

/* Restarts that are due; the poll timeout until the next deadline (-1: none). */
static int timers_run(struct supervisor *s)
{
    uint64_t now = now_ms(), next = 0;
    if (s->stopping) {
        if (now >= s->stop_deadline_ms) {
            for (unsigned i = 0; i < s->n; i++)
                if (s->w[i].pid > 0) {
                    log_warn("supervisor", "event=worker_kill worker=%u pid=%ld msg=\"still "
                             "running after %u ms\"", i, (long)s->w[i].pid, SUPERVISOR_STOP_MS);
                    kill(s->w[i].pid, SIGKILL);
                }
            s->stop_deadline_ms = now + SUPERVISOR_STOP_MS;
        }
        next = s->stop_deadline_ms;
    }
    for (unsigned i = 0; i < s->n; i++) {
        struct worker_slot *w = &s->w[i];
        if (!w->restart_at_ms)
            continue;
        if (now >= w->restart_at_ms) {
            int err = worker_start(s, i);
            if (err) {
                log_error("supervisor", "event=worker_start worker=%u error=\"%s\"", i,
                          strerror(err));
                w->restart_at_ms = now + WORKERS_RESTART_MAX_MS;
            }
        }
        if (w->restart_at_ms && (!next || w->restart_at_ms < next))
            next = w->restart_at_ms;
    }
    return next ? (int)(next > now ? next - now : 0) : -1;
}

static int signals_setup(struct supervisor *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return errno;
    signal(SIGPIPE, SIG_IGN);
    s->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    return s->sigfd < 0 ? errno : 0;
}

static void supervisor_loop(struct supervisor *s)
{
    struct pollfd pfd[1 + WORKERS_MAX];
    unsigned who[1 + WORKERS_MAX];
    while (!s->stopping || workers_running(s) > 0) {
        int timeout = timers_run(s);
        nfds_t n = 0;
        pfd[n++] = (struct pollfd){ .fd = s->sigfd, .events = POLLIN };
        for (unsigned i = 0; i < s->n; i++)
            if (s->w[i].fd >= 0) {
                who[n] = i;
                pfd[n++] = (struct pollfd){ .fd = s->w[i].fd, .events = POLLIN };
            }
        if (poll(pfd, n, timeout) < 0 && errno != EINTR) {
            log_error("supervisor", "event=poll error=\"%s\"", strerror(errno));
            node_stop(s, "error");
            continue;
        }
        for (nfds_t k = 1; k < n; k++)
            if (pfd[k].revents)
                worker_message(s, who[k]);
        if (pfd[0].revents)
            signals_read(s);
    }
}

int supervisor_run(struct proxy_gen *gen, const char *config_path, unsigned n)
{
    struct supervisor s = { .home = { SU_HOME_INIT(s.home) }, .gen = gen,
                            .config_path = config_path, .sigfd = -1, .self = getpid() };
    if (n > WORKERS_MAX)
        n = WORKERS_MAX;
    s.n = n;
    s.w = su_zalloc(s.home, n * sizeof *s.w);
    int err = s.w ? signals_setup(&s) : ENOMEM;
    if (err) {
        log_text(LOG_LVL_ERROR, "sipfed: supervisor: %s", strerror(err));
        su_home_deinit(s.home);
        proxy_gen_unref(gen);
        return err;
    }
    if (gen->cfg->pid_file)
        s.pid_file = su_strdup(s.home, gen->cfg->pid_file);
    for (unsigned i = 0; i < n; i++)
        s.w[i].fd = -1;
    log_info("supervisor", "event=launch workers=%u pid=%ld", n, (long)s.self);
    for (unsigned i = 0; i < n && !err; i++)
        if ((err = worker_start(&s, i)) != 0) {
            log_text(LOG_LVL_ERROR, "sipfed: cannot start worker %u: %s", i, strerror(err));
            s.exit_err = err;
            node_stop(&s, "start-failed");
        }
    supervisor_loop(&s);
    log_info("supervisor", "event=exit workers=%u", n);
    if (s.pid_file && s.node_ready)
        unlink(s.pid_file);
    for (unsigned i = 0; i < n; i++)
        worker_channel_close(&s.w[i]);
    close(s.sigfd);
    su_home_deinit(s.home);
    proxy_gen_unref(s.gen);
    return s.exit_err;
}
