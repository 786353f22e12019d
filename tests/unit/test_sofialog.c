/* test_sofialog.c — sofia's debug lines that record a refusal become sipfed log lines with the
 * request they refer to; other nta chatter is dropped; a peer's text cannot forge log lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_log.h>
#include <sofia-sip/su_time.h>
#include <sofia-sip/su_wait.h>

#include "log.h"
#include "sofialog.h"

/* Exported by libsofia-sip-ua, declared only in its private headers. */
extern su_log_t nta_log[];

static char out[8192];

/* Capture what is logged to stderr between capture_begin() and capture_end() (into `out`). */
struct capture {
    FILE *tmp;
    int saved;
};

static void capture_begin(struct capture *c)
{
    c->tmp = tmpfile();
    assert_non_null(c->tmp);
    fflush(stderr);
    c->saved = dup(STDERR_FILENO);
    dup2(fileno(c->tmp), STDERR_FILENO);
}

static const char *capture_end(struct capture *c)
{
    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    rewind(c->tmp);
    size_t len = fread(out, 1, sizeof out - 1, c->tmp);
    out[len] = '\0';
    fclose(c->tmp);
    return out;
}

/* Run the lines through a stream and return what was logged. */
static const char *feed(bool nta, const char *const *lines, size_t n)
{
    struct sofialog_stream s = { .nta = nta };
    struct capture c;
    capture_begin(&c);
    for (size_t i = 0; i < n; i++)
        sofialog_line(&s, lines[i]);
    return capture_end(&c);
}

static void test_sofialog_refusals(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "nta: received MESSAGE sip:alice@ciscoexample.test SIP/2.0 (CSeq 1)",
        "nta: MESSAGE has bad To header",
        "nta: MESSAGE (1) is Bad To Header",
        "nta: received MESSAGE sip:a@b.test SIP/3.0 (CSeq 2)",
        "nta: bad version SIP/3.0 for MESSAGE (2)",
        "nta: received CANCEL sip:a@b.test SIP/2.0 (CSeq 3)",
        "nta: sent 481 Call/Transaction Does Not Exist for CANCEL (3)",
        "nta: MESSAGE (4) is going to a default leg",
        "nta: received MESSAGE sip:a@b.test SIP/2.0 (CSeq 5)",
        "nta: MESSAGE (5) is Request Entity Too Large",
        "nta_agent: received garbage from udp/192.0.2.1:5060",
    };
    const char *o = feed(true, lines, sizeof lines / sizeof lines[0]);
    assert_non_null(strstr(o, "event=bad-request request=\"MESSAGE sip:alice@ciscoexample.test "
                              "SIP/2.0 (CSeq 1)\" reason=\"bad To header\""));
    assert_non_null(strstr(o, "event=refused status=400 request=\"MESSAGE sip:alice@"
                              "ciscoexample.test SIP/2.0 (CSeq 1)\" reason=\"Bad To Header\""));
    assert_non_null(strstr(o, "event=refused status=505 request=\"MESSAGE sip:a@b.test SIP/3.0 "
                              "(CSeq 2)\" reason=\"unsupported SIP version SIP/3.0\""));
    assert_non_null(strstr(o, "event=refused status=481 request=\"CANCEL"));
    assert_non_null(strstr(o, "event=refused status=413"));
    /* nta's garbage line names our listening socket, not the sender: debug only (the first-line
     * parsers of sip_mclass.c log the drop with the sender). */
    assert_null(strstr(o, "received garbage"));
    assert_null(strstr(o, "default leg"));
}

static void test_sofialog_no_forged_lines(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "nta: received MESSAGE sip:a\"b@x.test\n2026 error module=x SIP/2.0 (CSeq 1)",
        "nta: MESSAGE (1) failed sanity check",
        "tport_parse(0x1): too large message from tcp/192.0.2.1:5060",
    };
    const char *o = feed(true, lines, 2);
    assert_non_null(strstr(o, "request=\"MESSAGE sip:a'b@x.test?2026 error"));
    const char *nl = strchr(o, '\n');
    assert_non_null(nl);
    assert_int_equal(nl[1], '\0');                        /* one line, not two */
    o = feed(false, lines + 2, 1);
    assert_non_null(strstr(o, "event=transport msg=\"tport_parse(0x1): too large message"));
}

/* Through the real nta log with nta's own formats: the refusal and its request context are
 * formatted; the per-response and per-reply lines and the routing note of a normal transaction
 * are dropped before formatting, except a 481 to a CANCEL. */
static void test_sofialog_filters_by_format(void **state)
{
    (void)state;
    struct sofialog sl;
    struct capture c;
    capture_begin(&c);
    sofialog_attach(&sl);
    su_llog(nta_log, 5, "nta: received %03d %s for %s (%u)\n", 200, "OK", "MESSAGE", 1u);
    su_llog(nta_log, 5, "nta: %s %u %s for %s (%u)\n", "sent", 200u, "OK", "MESSAGE", 1u);
    su_llog(nta_log, 5, "nta: %s %u %s for %s (%u)\n", "sent", 481u,
            "Call/Transaction Does Not Exist", "CANCEL", 3u);
    su_llog(nta_log, 5, "nta: received %s sip:%s %s (CSeq %u)\n", "MESSAGE", "a@b.test",
            "SIP/2.0", 4u);
    su_llog(nta_log, 5, "nta: %s (%u) is %s\n", "MESSAGE", 4u, "Bad To Header");
    /* one format for the routing note of every request and for two refusals */
    su_llog(nta_log, 5, "nta: %s (%u) %s\n", "MESSAGE", 4u, "going to a dialogless leg");
    su_llog(nta_log, 5, "nta: %s (%u) %s\n", "MESSAGE", 5u, "failed sanity check");
    su_llog(nta_log, 5, "nta: %s (%u) %s\n", "MESSAGE", 6u, "has invalid Via");
    sofialog_detach(&sl);
    capture_end(&c);
    assert_non_null(strstr(out, "event=refused status=481"));
    assert_non_null(strstr(out, "event=refused status=400 request=\"MESSAGE sip:a@b.test SIP/2.0"));
    assert_non_null(strstr(out, "event=bad-request"));
    assert_non_null(strstr(out, "failed sanity check"));
    assert_non_null(strstr(out, "event=dropped"));
    assert_non_null(strstr(out, "invalid Via"));
    assert_null(strstr(out, "200"));
    assert_null(strstr(out, "dialogless"));
    size_t lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    assert_int_equal(lines, 4);           /* the 481, the 400, the sanity check and the Via */
}

static size_t count(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

/* A flood of malformed requests: sofia answers each, but only SOFIALOG_LIMIT_BURST refusal lines
 * (all kinds together) are written at once; the rest open one suppression episode whose end
 * line counts them, once no line has been held back for the quiet time (here 100 ms). */
/* Attach with the refusal lines bounded (episodes end after `quiet_ms`), capturing the log. */
static su_root_t *limited_begin(struct sofialog *sl, struct capture *c, unsigned quiet_ms)
{
    su_root_t *root = su_root_create(NULL);
    assert_non_null(root);
    capture_begin(c);
    sofialog_attach(sl);
    assert_int_equal(sofialog_limit_start(sl, root, quiet_ms), 0);
    return root;
}

static void test_sofialog_refusal_lines_bounded(void **state)
{
    (void)state;
    struct sofialog sl;
    struct capture c;
    su_root_t *root = limited_begin(&sl, &c, 100);
    for (unsigned i = 0; i < 100; i++) {
        su_llog(nta_log, 5, "nta: received %s sip:%s %s (CSeq %u)\n", "MESSAGE", "a@b.test",
                "SIP/2.0", i);
        su_llog(nta_log, 5, "nta: %s (%u) is %s\n", "MESSAGE", i, "Bad To Header");
    }
    su_llog(nta_log, 5, "nta: %s (%u) %s\n", "MESSAGE", 7u, "has invalid Via");   /* held back */
    /* the episode ends from the timer once 100 ms passed without a line held back */
    su_time_t t0 = su_now();
    while (su_duration(su_now(), t0) < 500)
        su_root_step(root, 10);
    capture_end(&c);
    assert_int_equal(count(out, "event=refused status=400"), SOFIALOG_LIMIT_BURST);
    assert_int_equal(count(out, "event=dropped"), 0);
    assert_int_equal(count(out, "event=log_suppression_start what=refusals"), 1);
    char end[96];
    snprintf(end, sizeof end, "event=log_suppression_end what=refusals suppressed=%d\n",
             101 - SOFIALOG_LIMIT_BURST);
    assert_int_equal(count(out, end), 1);
    /* nothing left open for the stop to report */
    capture_begin(&c);
    sofialog_limit_stop(&sl);
    sofialog_detach(&sl);
    capture_end(&c);
    assert_null(strstr(out, "log_suppression"));
    su_root_destroy(root);
}

/* Stopping ends an episode still open, with its count (the daemon exits during a flood). */
static void test_sofialog_limit_stop_reports(void **state)
{
    (void)state;
    struct sofialog sl;
    struct capture c;
    su_root_t *root = limited_begin(&sl, &c, 100000);
    for (unsigned i = 0; i < SOFIALOG_LIMIT_BURST + 5; i++)
        su_llog(nta_log, 5, "nta: %s has bad %s header\n", "MESSAGE", "To");
    sofialog_limit_stop(&sl);
    sofialog_detach(&sl);
    capture_end(&c);
    su_root_destroy(root);
    assert_int_equal(count(out, "event=bad-request"), SOFIALOG_LIMIT_BURST);
    assert_int_equal(count(out, "event=log_suppression_end what=refusals suppressed=5\n"), 1);
}

/* Sofia modules other than nta and tport write to sofia's default log: their lines go through
 * sipfed's logger too (module=sip event=sofia), and detaching gives sofia its own logger back. */
static void test_sofialog_default_log(void **state)
{
    (void)state;
    struct sofialog sl;
    struct capture c;
    su_logger_f *before = su_log_default->log_logger;
    capture_begin(&c);
    sofialog_attach(&sl);
    su_llog(su_log_default, 0, "su_socket: %s\n", "bind: Address \"in\" use");
    su_log("%s", "a line in ");
    su_log("%s\n", "two pieces");
    sofialog_detach(&sl);
    capture_end(&c);
    assert_non_null(strstr(out, "warn module=sip event=sofia msg=\"su_socket: bind: Address 'in' use\"\n"));
    assert_non_null(strstr(out, "event=sofia msg=\"a line in two pieces\"\n"));
    assert_ptr_equal(su_log_default->log_logger, before);
    sofialog_detach(&sl);                                 /* a second detach does nothing */
    assert_ptr_equal(su_log_default->log_logger, before);
}

int main(void)
{
    log_set_level(LOG_LVL_INFO);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sofialog_refusals),
        cmocka_unit_test(test_sofialog_no_forged_lines),
        cmocka_unit_test(test_sofialog_filters_by_format),
        cmocka_unit_test(test_sofialog_refusal_lines_bounded),
        cmocka_unit_test(test_sofialog_limit_stop_reports),
        cmocka_unit_test(test_sofialog_default_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
