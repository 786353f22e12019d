/* sofialog.h — what sofia-sip refuses or drops by itself becomes an operator log line.
 *
 * nta answers a malformed request (400 "Bad To Header", 413, 505, 481 to a stray CANCEL) or
 * drops it (no Via, invalid Via, garbage) before sipfed's message callback runs; it only says so
 * through its own debug log. sofialog redirects sofia's nta and tport logs (su_log_redirect),
 * keeps the lines that record such a refusal, and writes them as `module=sip event=...` lines
 * (docs/errors.md). Every other line sofia writes goes through the same logger
 * (`event=transport`, `event=sofia`), never raw to stderr. */
#ifndef SIPFED_SOFIALOG_H
#define SIPFED_SOFIALOG_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_log.h>

enum { SOFIALOG_LINE = 512 };

/* sofialog_limit.c: the refusal lines (event=bad-request, refused, dropped), all kinds together,
 * at most SOFIALOG_LIMIT_BURST at once, then one every SOFIALOG_LIMIT_EVERY_S seconds; the rest
 * are counted in a suppression episode (a start line, an end line with the count). */
enum { SOFIALOG_LIMIT_BURST = 30, SOFIALOG_LIMIT_EVERY_S = 5, SOFIALOG_LIMIT_QUIET_MS = 10000 };
struct sofialog_limit;
struct su_root_s;                     /* sofia's su_root_t (su_wait.h) */

struct sofialog_stream {
    bool nta;                         /* nta's log (filtered) or another (every line) */
    const char *event;                /* not nta: the event= of its lines ("transport", "sofia") */
    size_t len;
    char buf[SOFIALOG_LINE];          /* the line being assembled (sofia writes in pieces) */
    char request[SOFIALOG_LINE];      /* the last "received ..." line: what the next refers to */
    /* nta: told of every message nta dropped as garbage (may be NULL; unreadable.h) */
    void (*on_garbage)(void *arg);
    void *garbage_arg;
    struct sofialog_limit *limit;     /* nta: bounds its refusal lines (NULL: every line) */
};

/* nta's log, tport's, and sofia's default log: every other sofia module (su, tls...) writes
 * there unless redirected, and it would otherwise go to stderr unformatted. */
struct sofialog {
    struct sofialog_stream nta, tport, other;
    bool attached;
    su_logger_f *saved_logger;        /* sofia's default log as it was before sofialog_attach */
    void *saved_stream;
    struct sofialog_limit *limit;     /* sofialog_limit_start(); NULL: not bounded */
};

/* Redirect sofia's logs into `sl` (owned by the caller, alive until sofialog_detach). */
void sofialog_attach(struct sofialog *sl);
/* From now on, call `fn(arg)` for every message nta drops as garbage (no request or status
 * line), right after nta's own (debug) line about it. */
void sofialog_on_garbage(struct sofialog *sl, void (*fn)(void *arg), void *arg);
/* Bound the refusal lines (sofialog_limit.c); episodes end after `quiet_ms` without a line held
 * back (SOFIALOG_LIMIT_QUIET_MS; shorter in tests), from a timer on `root`. 0 or ENOMEM.
 * sofialog_limit_stop() ends open episodes (their end lines) and frees it; call it before
 * sofialog_detach(). */
int sofialog_limit_start(struct sofialog *sl, struct su_root_s *root, unsigned quiet_ms);
void sofialog_limit_stop(struct sofialog *sl);
/* A refusal line is about to be written: true to write it, false when held back. */
bool sofialog_limit_admit(struct sofialog_limit *l);
/* Give sofia its logs back (its default log as it was); nothing when `sl` is not attached. */
void sofialog_detach(struct sofialog *sl);

/* Copy `s` for a quoted log value: no quotes, no control bytes (a peer's text must not be able
 * to forge log lines). */
void sofialog_clean(char *dst, size_t size, const char *s);

/* One complete line of sofia's log (no newline); exposed for the unit test. */
void sofialog_line(struct sofialog_stream *s, const char *line);

#endif
