/* test_log.c — the log line format: ISO-8601 timestamp on a terminal or file; under systemd
 * (stderr is the journal named by $JOURNAL_STREAM) a syslog priority prefix and no timestamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "log.h"

static char out[4096];

/* Run `fn` with stderr captured into `out`. */
static const char *captured(void (*fn)(void))
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    size_t len = fread(out, 1, sizeof out - 1, tmp);
    out[len] = '\0';
    fclose(tmp);
    return out;
}

static void write_lines(void)
{
    log_error("config", "event=reload status=refused");
    log_warn("sip", "event=transport msg=\"x\"");
    log_info("route", "method=MESSAGE status=200");
    log_debug("sofia", "msg=\"y\"");
    log_text(LOG_LVL_ERROR, "%s:%u: cannot listen", "sipfed.ini", 3u);
}

static void test_log_terminal_format(void **state)
{
    (void)state;
    log_set_journal(false);
    log_set_level(LOG_LVL_DEBUG);
    const char *o = captured(write_lines);
    /* 2026-11-22T05:32:45.649Z error module=config event=reload status=refused */
    assert_int_equal(strlen(o) > 25 && o[4] == '-' && o[10] == 'T' && o[23] == 'Z', 1);
    assert_non_null(strstr(o, "Z error module=config event=reload status=refused\n"));
    assert_non_null(strstr(o, "Z debug module=sofia msg=\"y\"\n"));
    assert_non_null(strstr(o, "\nsipfed.ini:3: cannot listen\n"));
    assert_null(strchr(o, '<'));
}

static void test_log_journal_format(void **state)
{
    (void)state;
    log_set_journal(true);
    log_set_level(LOG_LVL_INFO);
    const char *o = captured(write_lines);
    log_set_journal(false);
    assert_string_equal(o, "<3>error module=config event=reload status=refused\n"
                           "<4>warn module=sip event=transport msg=\"x\"\n"
                           "<6>info module=route method=MESSAGE status=200\n"
                           "<3>sipfed.ini:3: cannot listen\n");
    assert_int_equal(log_priority(LOG_LVL_DEBUG), 7);
}

/* Configuration errors at start-up and from `sipfed check` (ExecStartPre): under the journal an
 * error is <3>, a warning <4>; on a terminal the bare `file:line: message`. */
static struct diag *report_diag;
static void report(void) { diag_report(report_diag); }

static void test_log_diag_report(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    report_diag = diag_new(home);
    diag_error(report_diag, "rules/a.ini", 3, "unknown key 'foo' in [zone IMP]");
    diag_warn(report_diag, "rules/b.ini", 7, "pattern contains \\c");
    log_set_journal(true);
    const char *o = captured(report);
    assert_string_equal(o, "<3>rules/a.ini:3: unknown key 'foo' in [zone IMP]\n"
                           "<4>rules/b.ini:7: warning: pattern contains \\c\n");
    log_set_journal(false);
    o = captured(report);
    assert_string_equal(o, "rules/a.ini:3: unknown key 'foo' in [zone IMP]\n"
                           "rules/b.ini:7: warning: pattern contains \\c\n");
    su_home_deinit(home);
}

/* $JOURNAL_STREAM is "DEVICE:INODE" of the journal's socket: only the file it names counts. */
static void test_log_fd_is_journal(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    struct stat st;
    assert_int_equal(fstat(fileno(f), &st), 0);
    char env[64];
    snprintf(env, sizeof env, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    assert_true(log_fd_is_journal(env, fileno(f)));
    snprintf(env, sizeof env, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino + 1);
    assert_false(log_fd_is_journal(env, fileno(f)));      /* stderr redirected elsewhere */
    assert_false(log_fd_is_journal(NULL, fileno(f)));     /* not started by systemd */
    assert_false(log_fd_is_journal("", fileno(f)));
    assert_false(log_fd_is_journal("12:34x", fileno(f)));
    assert_false(log_fd_is_journal("garbage", fileno(f)));
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_terminal_format),
        cmocka_unit_test(test_log_journal_format),
        cmocka_unit_test(test_log_fd_is_journal),
        cmocka_unit_test(test_log_diag_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
