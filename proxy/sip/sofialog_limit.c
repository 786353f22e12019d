/* sofialog_limit.c — a bounded number of log lines for sofia's refusals (see sofialog.h).
 *
 * Why: nta refuses or drops a malformed request (no Via, a failed sanity check, Bad To Header,
 * 413, 505) before sipfed's message callback, so the per-address rate limit never sees it, and
 * sofialog wrote one warn line per message: anyone could fill the log with a loop of broken
 * datagrams. The answers (400, 413, 505) still go out for every message; only the lines are
 * bounded.
 *
 * How: one token bucket (ratelimit.c) for all of them — a malformed request often makes two
 * (event=bad-request for the failed sanity check, then event=refused for its 400):
 * SOFIALOG_LIMIT_BURST lines at once, then one every SOFIALOG_LIMIT_EVERY_S seconds. The first
 * line held back opens an episode (`event=log_suppression_start what=refusals`), and its end,
 * once no line has been held back for the quiet time, says how many were
 * (`event=log_suppression_end what=refusals suppressed=N`), from a timer that runs only while an
 * episode or a partly used bucket is open. */
#define SU_TIMER_ARG_T struct sofialog_limit
#include "sofialog.h"

#include <errno.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "log.h"
#include "ratelimit.h"

struct sofialog_limit {
    su_home_t home[1];
    struct rate_table *table;
    su_timer_t *timer;
    uint64_t quiet_ms;
};

static void episode_end(void *arg, const char *kind, uint64_t suppressed)
{
    (void)arg;
    log_warn("sip", "event=log_suppression_end what=%s suppressed=%llu", kind,
             (unsigned long long)suppressed);
}

static void sweep(su_root_magic_t *magic, su_timer_t *t, struct sofialog_limit *l)
{
    (void)magic;
    rate_table_sweep(l->table, rate_clock_ms(), l->quiet_ms, episode_end, NULL);
    if (rate_table_keys(l->table) > 0)
        su_timer_set(t, sweep, l);
}

int sofialog_limit_start(struct sofialog *sl, su_root_t *root, unsigned quiet_ms)
{
    struct sofialog_limit *l = su_home_new(sizeof *l);
    if (!l)
        return ENOMEM;
    l->quiet_ms = quiet_ms;
    /* a few kinds of line; the timer ticks at a tenth of the quiet time */
    if (rate_table_create(l->home, 8, &l->table) != 0 ||
        !(l->timer = su_timer_create(su_root_task(root), quiet_ms / 10 ? quiet_ms / 10 : 1))) {
        su_home_unref(l->home);
        return ENOMEM;
    }
    sl->limit = l;
    sl->nta.limit = l;
    return 0;
}

bool sofialog_limit_admit(struct sofialog_limit *l)
{
    static const char kind[] = "refusals";
    struct rate_result r;
    if (!l)
        return true;
    rate_take(l->table, kind, 1.0 / SOFIALOG_LIMIT_EVERY_S, SOFIALOG_LIMIT_BURST, rate_clock_ms(), &r);
    if (!su_timer_is_set(l->timer))
        su_timer_set(l->timer, sweep, l);
    if (!r.refused)
        return true;
    if (r.episode_started)
        log_warn("sip", "event=log_suppression_start what=%s msg=\"more than %u such lines at "
                 "once: from now on one every %u s, the others counted\"", kind,
                 (unsigned)SOFIALOG_LIMIT_BURST, (unsigned)SOFIALOG_LIMIT_EVERY_S);
    return false;
}

void sofialog_limit_stop(struct sofialog *sl)
{
    struct sofialog_limit *l = sl->limit;
    if (!l)
        return;
    /* episodes still open end now, with their counts */
    rate_table_sweep(l->table, UINT64_MAX / 2, 0, episode_end, NULL);
    su_timer_destroy(l->timer);
    su_home_unref(l->home);
    sl->limit = NULL;
    sl->nta.limit = NULL;
}
