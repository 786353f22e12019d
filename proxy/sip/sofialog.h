/* sofialog.h — what sofia-sip refuses or drops by itself becomes an operator log line.
 *
 * nta answers a malformed request (400 "Bad To Header", 413, 505, 481 to a stray CANCEL) or
 * drops it (no Via, invalid Via, garbage) before sipfed's message callback runs; it only says so
 * through its own debug log. sofialog redirects sofia's nta and tport logs (su_log_redirect),
 * keeps the lines that record such a refusal, and writes them as `module=sip event=...` lines
 * (docs/errors.md). */
#ifndef SIPFED_SOFIALOG_H
#define SIPFED_SOFIALOG_H

#include <stdbool.h>
#include <stddef.h>

enum { SOFIALOG_LINE = 512 };

struct sofialog_stream {
    bool nta;                         /* nta's log (filtered) or tport's (every line) */
    size_t len;
    char buf[SOFIALOG_LINE];          /* the line being assembled (sofia writes in pieces) */
    char request[SOFIALOG_LINE];      /* the last "received ..." line: what the next refers to */
};

struct sofialog {
    struct sofialog_stream nta, tport;
};

/* Redirect sofia's logs into `sl` (owned by the caller, alive until sofialog_detach). */
void sofialog_attach(struct sofialog *sl);
void sofialog_detach(void);

/* One complete line of sofia's log (no newline); exposed for the unit test. */
void sofialog_line(struct sofialog_stream *s, const char *line);

#endif
