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

struct sofialog_stream {
    bool nta;                         /* nta's log (filtered) or another (every line) */
    const char *event;                /* not nta: the event= of its lines ("transport", "sofia") */
    size_t len;
    char buf[SOFIALOG_LINE];          /* the line being assembled (sofia writes in pieces) */
    char request[SOFIALOG_LINE];      /* the last "received ..." line: what the next refers to */
    /* nta: told of every message nta dropped as garbage (may be NULL; unreadable.h) */
    void (*on_garbage)(void *arg);
    void *garbage_arg;
};

/* nta's log, tport's, and sofia's default log: every other sofia module (su, tls...) writes
 * there unless redirected, and it would otherwise go to stderr unformatted. */
struct sofialog {
    struct sofialog_stream nta, tport, other;
    bool attached;
    su_logger_f *saved_logger;        /* sofia's default log as it was before sofialog_attach */
    void *saved_stream;
};

/* Redirect sofia's logs into `sl` (owned by the caller, alive until sofialog_detach). */
void sofialog_attach(struct sofialog *sl);
/* From now on, call `fn(arg)` for every message nta drops as garbage (no request or status
 * line), right after nta's own (debug) line about it. */
void sofialog_on_garbage(struct sofialog *sl, void (*fn)(void *arg), void *arg);
/* Give sofia its logs back (its default log as it was); nothing when `sl` is not attached. */
void sofialog_detach(struct sofialog *sl);

/* Copy `s` for a quoted log value: no quotes, no control bytes (a peer's text must not be able
 * to forge log lines). */
void sofialog_clean(char *dst, size_t size, const char *s);

/* One complete line of sofia's log (no newline); exposed for the unit test. */
void sofialog_line(struct sofialog_stream *s, const char *line);

#endif
