/* test_workers.c — [proxy] workers: the count, shared limits, the restart back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "workers.h"

static void test_count(void **state)
{
    (void)state;
    static const struct { unsigned configured; long cpus; unsigned want; } cases[] = {
        { WORKERS_AUTO, 2, 2 },            /* auto: one per CPU */
        { WORKERS_AUTO, 1, 1 },
        { WORKERS_AUTO, 0, 1 },            /* unknown CPU count */
        { WORKERS_AUTO, -1, 1 },
        { WORKERS_AUTO, 96, WORKERS_AUTO_CAP },
        { 1, 8, 1 },                       /* explicit wins over the CPU count */
        { 4, 2, 4 },
        { 200, 2, WORKERS_MAX },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(workers_count(cases[i].configured, cases[i].cpus), cases[i].want);
}

static void test_share(void **state)
{
    (void)state;
    assert_int_equal(workers_share(10000, 1), 10000);
    assert_int_equal(workers_share(10000, 2), 5000);
    assert_int_equal(workers_share(10001, 2), 5001);   /* rounded up: the node admits >= total */
    assert_int_equal(workers_share(3, 16), 1);         /* never 0 */
    assert_int_equal(workers_share(0, 4), 0);          /* off stays off */
}

static void test_backoff(void **state)
{
    (void)state;
    assert_int_equal(workers_restart_delay_ms(1), WORKERS_RESTART_MIN_MS);
    assert_int_equal(workers_restart_delay_ms(2), 2 * WORKERS_RESTART_MIN_MS);
    assert_int_equal(workers_restart_delay_ms(4), 8 * WORKERS_RESTART_MIN_MS);
    assert_int_equal(workers_restart_delay_ms(50), WORKERS_RESTART_MAX_MS);
    assert_int_equal(workers_restart_delay_ms(1000000), WORKERS_RESTART_MAX_MS);
    /* a worker that crashes at once keeps its streak growing; a stable one starts over */
    assert_int_equal(workers_streak_next(0, 10), 1);
    assert_int_equal(workers_streak_next(3, 10), 4);
    assert_int_equal(workers_streak_next(3, WORKERS_STABLE_MS), 1);
}

static void test_msg(void **state)
{
    (void)state;
    static const struct { const char *text; enum workers_msg want; const char *domain; } cases[] = {
        { "ready", WORKERS_MSG_READY, NULL },
        { "reload ok", WORKERS_MSG_RELOAD_OK, NULL },
        { "reload refused", WORKERS_MSG_RELOAD_REFUSED, NULL },
        { "learnt msexample.test", WORKERS_MSG_LEARNT, "msexample.test" },
        { "learnt ", WORKERS_MSG_BAD, NULL },            /* no domain */
        { "learnt a b", WORKERS_MSG_BAD, NULL },         /* one word only */
        { "readyx", WORKERS_MSG_BAD, NULL },
        { "", WORKERS_MSG_BAD, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[WORKERS_MSG_SIZE + 1];
        size_t n = strlen(cases[i].text);
        memcpy(buf, cases[i].text, n);
        const char *domain = NULL;
        assert_int_equal(workers_msg_parse(buf, n, &domain), cases[i].want);
        if (cases[i].domain)
            assert_string_equal(domain, cases[i].domain);
    }
    char nul[] = "ready\0x";
    assert_int_equal(workers_msg_parse(nul, sizeof nul - 1, &(const char *){ NULL }),
                     WORKERS_MSG_BAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_share),
        cmocka_unit_test(test_backoff),
        cmocka_unit_test(test_msg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
