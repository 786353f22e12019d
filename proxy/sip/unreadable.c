/* unreadable.c — messages nobody can read: one warn line per episode with the real sender, a
 * counter (see unreadable.h). Runs on the event loop only. */
#define SU_TIMER_ARG_T struct unreadable

#include "unreadable.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_buffer.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "log.h"
#include "sip_mclass.h"
#include "sofialog.h"

struct unreadable {
    su_home_t home[1];
    su_timer_t *timer;              /* runs while an episode is open */
    uint64_t total;
    bool active;
    uint64_t count, start_ms, last_ms;  /* the open episode */
    char senders[UNREADABLE_SENDERS_MAX][64];   /* its senders' addresses, each logged once */
    size_t n_senders;
    uint64_t unnamed;               /* its messages from senders beyond those */
};

/* The sender of the last message nta asked tport_delivered_from() about: set by the hook,
 * taken by unreadable_note() right after (both inside nta's garbage path, on the event loop).
 * Process-wide because sofia's call has no argument of ours. */
static char hook_sender[96];
/* The message held only whitespace: a CRLF keep-alive datagram, or the CRLF a peer left after
 * its last message on a stream it then closed. That is no unreadable message. */
static bool hook_blank;
/* Its first line, when sipfed's parser read one and could not make a SIP line of it (the reason
 * is static text; NULL: no line was read at all). */
static char hook_line[SOFIALOG_LINE];
static const char *hook_why;

typedef int delivered_from_f(tport_t *, msg_t const *, tp_name_t[1]);

static delivered_from_f *real_delivered_from(void)
{
    static delivered_from_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "tport_delivered_from");
    return fn;
}

/* Interposes sofia's tport_delivered_from() (nta calls it through the PLT; in sofia-sip 1.12
 * only its garbage path does): the answer is sofia's, and the message's real source address
 * (msg_addrinfo; nta's own name carries our listening port) is kept for unreadable_note(). */
int tport_delivered_from(tport_t *tp, msg_t const *msg, tp_name_t name[1]);

int tport_delivered_from(tport_t *tp, msg_t const *msg, tp_name_t name[1])
{
    delivered_from_f *real = real_delivered_from();
    sip_msg_sender((msg_t *)msg, hook_sender, sizeof hook_sender);
    /* sofia's parser consumed leading whitespace before it found no start-line: nothing of the
     * message is left unparsed and no header was read. */
    hook_blank = msg && !msg_get_flags(msg, MSG_FLG_HEADERS) && msg_buf_committed(msg) == 0;
    if (!sip_first_line_dropped_take(msg, hook_line, sizeof hook_line, &hook_why))
        hook_why = NULL;
    return real ? real(tp, msg, name) : -1;
}

bool unreadable_hook_in_effect(void)
{
    delivered_from_f *ours = tport_delivered_from;
    void *bound = dlsym(RTLD_DEFAULT, "tport_delivered_from");
    return bound && bound == *(void **)&ours && real_delivered_from();
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void episode_check(su_root_magic_t *magic, su_timer_t *t, struct unreadable *u)
{
    (void)magic;
    uint64_t now = now_ms();
    if (now < u->last_ms + UNREADABLE_QUIET_MS) {
        su_timer_set_interval(t, episode_check, u, (su_duration_t)(u->last_ms +
                                                                   UNREADABLE_QUIET_MS - now));
        return;
    }
    u->active = false;
    log_warn("sip", "event=unreadable_end dropped=%llu seconds=%llu senders=%zu "
             "unnamed_dropped=%llu", (unsigned long long)u->count,
             (unsigned long long)((u->last_ms - u->start_ms) / 1000u), u->n_senders,
             (unsigned long long)u->unnamed);
}

/* True when `src` ("IP:PORT/TP") is the first message of its address (IP) in the open episode
 * and there is room to name it; a sender beyond UNREADABLE_SENDERS_MAX is only counted. */
static bool episode_sender_new(struct unreadable *u, const char *src)
{
    const char *colon = strrchr(src, ':');
    size_t len = colon ? (size_t)(colon - src) : strlen(src);
    if (len >= sizeof u->senders[0])
        len = sizeof u->senders[0] - 1;
    for (size_t i = 0; i < u->n_senders; i++)
        if (strncmp(u->senders[i], src, len) == 0 && u->senders[i][len] == '\0')
            return false;
    if (u->n_senders == UNREADABLE_SENDERS_MAX) {
        u->unnamed++;
        return false;
    }
    memcpy(u->senders[u->n_senders], src, len);
    u->senders[u->n_senders++][len] = '\0';
    return true;
}

/* A sender's first line in the episode (the first one starts it): who, and why its message
 * could not be read. */
static void episode_sender_log(const char *event, const char *src, const char *what)
{
    if (hook_why)
        log_warn("sip", "event=%s src=%s reason=\"%s\" request=\"%s\" msg=\"%s\"", event, src,
                 hook_why, hook_line, what);
    else
        log_warn("sip", "event=%s src=%s reason=\"no SIP request or status line (not SIP, "
                 "binary, or no line end): dropped, nothing to answer\" msg=\"%s\"", event, src,
                 what);
}

void unreadable_note(struct unreadable *u)
{
    const char *src = hook_sender[0] ? hook_sender : "-";
    uint64_t now = now_ms();
    if (hook_blank) {
        hook_blank = false;
        hook_sender[0] = '\0';
        return;
    }
    u->total++;
    if (!u->active) {
        u->active = true;
        u->count = u->unnamed = 0;
        u->n_senders = 0;
        u->start_ms = now;
        su_timer_set_interval(u->timer, episode_check, u, UNREADABLE_QUIET_MS);
    }
    if (episode_sender_new(u, src))
        episode_sender_log(u->count == 0 ? "unreadable_start" : "unreadable_sender", src,
                           u->count == 0 ? "one line per episode and sender: the end line "
                                           "counts them" : "another sender in the open episode");
    u->count++;
    u->last_ms = now;
    hook_sender[0] = '\0';
    hook_why = NULL;
}

uint64_t unreadable_count(const struct unreadable *u)
{
    return u ? u->total : 0;
}

int unreadable_create(su_root_t *root, struct unreadable **out)
{
    struct unreadable *u = su_home_new(sizeof *u);
    *out = NULL;
    if (!u)
        return ENOMEM;
    if (!(u->timer = su_timer_create(su_root_task(root), UNREADABLE_QUIET_MS))) {
        su_home_unref(u->home);
        return ENOMEM;
    }
    *out = u;
    return 0;
}

void unreadable_destroy(struct unreadable *u)
{
    if (!u)
        return;
    su_timer_destroy(u->timer);
    su_home_unref(u->home);
}
