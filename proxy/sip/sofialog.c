/* sofialog.c — sofia's own refusals and drops as sipfed log lines (see sofialog.h).
 *
 * nta reports them only at debug level 5 ("nta: MESSAGE (1) is Bad To Header"), so its log is
 * raised to 5 and redirected here; every other nta line is dropped (or kept at debug level).
 * The tport log stays at its own level (3 unless TPORT_DEBUG says otherwise): its lines are
 * transport errors ("received garbage", "too large message") and all of them are kept. */
#define _GNU_SOURCE 1
#include "sofialog.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_log.h>

#include "log.h"

/* Exported by libsofia-sip-ua, declared only in its private headers. */
extern su_log_t nta_log[];
extern su_log_t tport_log[];

enum { NTA_REFUSAL_LEVEL = 5 };

void sofialog_clean(char *dst, size_t size, const char *s)
{
    size_t i = 0;
    for (; s && *s && i + 1 < size; s++) {
        unsigned char c = (unsigned char)*s;
        dst[i++] = c == '"' ? '\'' : (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    dst[i] = '\0';
}

static void emit(struct sofialog_stream *s, enum log_level lvl, const char *event, int status,
                 const char *request, const char *reason)
{
    char req[SOFIALOG_LINE], why[SOFIALOG_LINE];
    if (!log_enabled(lvl) || !sofialog_limit_admit(s->limit))
        return;
    sofialog_clean(req, sizeof req, request && *request ? request : "-");
    sofialog_clean(why, sizeof why, reason);
    if (status)
        LOG_AT(lvl, "sip", "event=%s status=%d request=\"%s\" reason=\"%s\"", event, status, req, why);
    else
        LOG_AT(lvl, "sip", "event=%s request=\"%s\" reason=\"%s\"", event, req, why);
}

static void nta_line(struct sofialog_stream *s, const char *line)
{
    const char *p;
    char what[SOFIALOG_LINE];

    if (strncmp(line, "nta: received ", 14) == 0) {
        snprintf(s->request, sizeof s->request, "%s", line + 14);
        return;
    }
    if (strstr(line, ") failed sanity check")) {
        emit(s, LOG_LVL_WARN, "bad-request", 0, s->request,
             "failed sanity check: a mandatory header (Via, From, To, Call-ID, CSeq) is missing "
             "or malformed, or CSeq does not match the method");
        return;
    }
    if ((p = strstr(line, " has bad ")) != NULL && strncmp(line, "nta: ", 5) == 0) {
        snprintf(what, sizeof what, "bad%s", p + 8);
        emit(s, LOG_LVL_WARN, "bad-request", 0, s->request, what);
        return;
    }
    if ((p = strstr(line, ") is ")) != NULL) {
        p += 5;
        if (strncmp(p, "Bad ", 4) == 0)
            emit(s, LOG_LVL_WARN, "refused", 400, s->request, p);
        else if (strcmp(p, "Request Entity Too Large") == 0)
            emit(s, LOG_LVL_WARN, "refused", 413, s->request, "larger than max_message_size");
        else
            LOG_AT(LOG_LVL_DEBUG, "sofia", "msg=\"%s\"", line);
        return;
    }
    if (strncmp(line, "nta: bad version ", 17) == 0) {
        snprintf(what, sizeof what, "unsupported SIP version %.*s", (int)strcspn(line + 17, " "),
                 line + 17);
        emit(s, LOG_LVL_WARN, "refused", 505, s->request, what);
        return;
    }
    if (strstr(line, ") has invalid Via")) {
        emit(s, LOG_LVL_WARN, "dropped", 0, s->request,
             "invalid Via (transport differs from the connection's, or no usable sent-by)");
        return;
    }
    if (strstr(line, "received garbage")) {
        /* nta names its own listening port here, not the sender's: the line stays at debug,
         * and the episode (unreadable.c, through on_garbage) names the real sender. */
        emit(s, LOG_LVL_DEBUG, "dropped", 0, line, "not a SIP message (no request or status line)");
        if (s->on_garbage)
            s->on_garbage(s->garbage_arg);
        return;
    }
    if (strncmp(line, "nta: sent 481 ", 14) == 0 && strstr(line, " for CANCEL ")) {
        emit(s, LOG_LVL_INFO, "refused", 481, s->request, "CANCEL matches no transaction");
        return;
    }
    if (log_enabled(LOG_LVL_DEBUG)) {
        char msg[SOFIALOG_LINE];
        sofialog_clean(msg, sizeof msg, line);
        log_debug("sofia", "msg=\"%s\"", msg);
    }
}

void sofialog_line(struct sofialog_stream *s, const char *line)
{
    if (!*line)
        return;
    if (s->nta) {
        nta_line(s, line);
        return;
    }
    char msg[SOFIALOG_LINE];
    sofialog_clean(msg, sizeof msg, line);
    /* sofia writes up to three "tls_read: SSL_read: ..." lines per TLS connection that ends
     * badly, naming no peer: tls_hook.c already logs each failed handshake with its peer and
     * reason, and the inbound guard counts the connections it cuts (one line per episode), so
     * at warn these would be a line per attacker connection. */
    if (strncmp(line, "tls_read: SSL_read: ", 20) == 0) {
        log_debug("sip", "event=%s msg=\"%s\"", s->event ? s->event : "transport", msg);
        return;
    }
    log_warn("sip", "event=%s msg=\"%s\"", s->event ? s->event : "transport", msg);
}

/* The nta lines nta_line() reads, by their format (nta.c, sofia-sip 1.12.11). At level 5 nta
 * also writes a line per response received, per reply sent and a routing note per request
 * ("going to a dialogless leg"); formatting them all cost ~9 % of the instructions per forwarded
 * MESSAGE (callgrind), so those are dropped before formatting unless debug logging is on. The
 * per-request "received" line stays: it is the request context of a refusal that follows it. */
/* The third argument of "nta: %s (%u) %s\n", without consuming `ap`. */
static const char *nta_note_of(va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    (void)va_arg(cp, const char *);
    (void)va_arg(cp, unsigned);
    const char *note = va_arg(cp, const char *);
    va_end(cp);
    return note;
}

static bool nta_fmt_wanted(const char *fmt, va_list ap)
{
#define PREFIX(lit) { lit, sizeof lit - 1 }
    static const struct { const char *text; size_t len; } prefixes[] = {
        PREFIX("nta: received %s "),    /* a request (context); not "received %03d", a response */
        PREFIX("nta: %s (%u) is %s"),   /* is Bad ..., is Request Entity Too Large */
        PREFIX("nta: %s has bad "),
        PREFIX("nta: bad version %s for "),
        PREFIX("nta_agent: received garbage"),
    };
#undef PREFIX
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(fmt, prefixes[i].text, prefixes[i].len) == 0)
            return true;
    /* One format carries both refusals and the routing note every request gets ("going to a
     * dialogless leg", "to message callback"): read the note, format only the refusals. */
    if (strcmp(fmt, "nta: %s (%u) %s\n") == 0) {
        const char *note = nta_note_of(ap);
        return note && (strstr(note, "sanity check") || strstr(note, "invalid Via"));
    }
    /* "nta: sent 481 ... for CANCEL": a reply line; read its arguments, format only that one. */
    if (strcmp(fmt, "nta: %s %u %s for %s (%u)\n") == 0) {
        va_list cp;
        va_copy(cp, ap);
        (void)va_arg(cp, const char *);
        unsigned status = va_arg(cp, unsigned);
        (void)va_arg(cp, const char *);
        const char *method = va_arg(cp, const char *);
        va_end(cp);
        return status == 481 && method != NULL && strcmp(method, "CANCEL") == 0;
    }
    return false;
}

static void sofialog_logger(void *stream, char const *fmt, va_list ap)
{
    struct sofialog_stream *s = stream;
    /* Only whole lines are skipped, so a line sofia writes in pieces is never cut. */
    if (s->nta && s->len == 0 && !log_enabled(LOG_LVL_DEBUG) && fmt[0] != '\0' &&
        fmt[strlen(fmt) - 1] == '\n' && !nta_fmt_wanted(fmt, ap))
        return;
    size_t room = sizeof s->buf - s->len;
    int n = vsnprintf(s->buf + s->len, room, fmt, ap);

    if (n < 0)
        return;
    /* A line longer than the buffer is cut; the rest up to its newline is lost. */
    s->len = (size_t)n >= room ? sizeof s->buf - 1 : s->len + (size_t)n;
    char *start = s->buf, *nl;
    while ((nl = memchr(start, '\n', (size_t)(s->buf + s->len - start))) != NULL) {
        *nl = '\0';
        sofialog_line(s, start);
        start = nl + 1;
    }
    if (s->len == sizeof s->buf - 1 && start == s->buf) {
        sofialog_line(s, s->buf);     /* full without a newline: take it as one line */
        start = s->buf + s->len;
    }
    s->len = (size_t)(s->buf + s->len - start);
    memmove(s->buf, start, s->len);
}

void sofialog_attach(struct sofialog *sl)
{
    memset(sl, 0, sizeof *sl);
    sl->nta.nta = true;
    sl->tport.event = "transport";
    sl->other.event = "sofia";
    sl->attached = true;
    sl->saved_logger = su_log_default->log_logger;
    sl->saved_stream = su_log_default->log_stream;
    su_log_redirect(nta_log, sofialog_logger, &sl->nta);
    su_log_redirect(tport_log, sofialog_logger, &sl->tport);
    su_log_redirect(su_log_default, sofialog_logger, &sl->other);
    su_log_init(nta_log);             /* reads NTA_DEBUG: a higher level asked for stays */
    if (nta_log->log_level < NTA_REFUSAL_LEVEL)
        su_log_set_level(nta_log, NTA_REFUSAL_LEVEL);
}

void sofialog_on_garbage(struct sofialog *sl, void (*fn)(void *arg), void *arg)
{
    sl->nta.on_garbage = fn;
    sl->nta.garbage_arg = arg;
}

void sofialog_detach(struct sofialog *sl)
{
    if (!sl->attached)
        return;
    su_log_redirect(nta_log, NULL, NULL);
    su_log_redirect(tport_log, NULL, NULL);
    su_log_redirect(su_log_default, sl->saved_logger, sl->saved_stream);
    sl->attached = false;
}
