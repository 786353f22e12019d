/* test_tls_trim.c — when the TLS layer gives the heap back (tls_trim_due): after a burst of
 * closed connections, not during the normal coming and going of peers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tls_int.h"

/* Open `n` connections, then close them one by one down to `to`; how many trims were due. */
static int burst(struct tls_trim *t, unsigned from, unsigned n, unsigned to)
{
    int trims = 0;
    unsigned live = from;
    for (unsigned i = 0; i < n; i++)
        tls_trim_due(t, ++live);
    while (live > to) {
        t->closed++;                    /* as tls_trim_closed() counts */
        trims += tls_trim_due(t, --live);
    }
    return trims;
}

static void test_burst_closing_trims_once_per_halving(void **state)
{
    (void)state;
    struct tls_trim t = { 0 };
    /* 1000 open, all closed: trims at 500 and at 250 and then every 64 below half */
    int trims = burst(&t, 0, 1000, 0);
    assert_true(trims >= 2);
    assert_true(trims <= 1000 / TLS_TRIM_MIN_CLOSED);
    assert_int_equal(t.closed < TLS_TRIM_MIN_CLOSED, 1);
}

static void test_steady_churn_never_trims(void **state)
{
    (void)state;
    struct tls_trim t = { 0 };
    /* 200 peers stay connected while 5000 come and go one at a time */
    burst(&t, 0, 200, 200);
    int trims = 0;
    for (int i = 0; i < 5000; i++) {
        tls_trim_due(&t, 201);
        t.closed++;
        trims += tls_trim_due(&t, 200);
    }
    assert_int_equal(trims, 0);
}

static void test_few_connections_never_trim(void **state)
{
    (void)state;
    struct tls_trim t = { 0 };
    /* fewer than TLS_TRIM_MIN_CLOSED connections: a heap walk for nothing */
    assert_int_equal(burst(&t, 0, TLS_TRIM_MIN_CLOSED - 1, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_closing_trims_once_per_halving),
        cmocka_unit_test(test_steady_churn_never_trims),
        cmocka_unit_test(test_few_connections_never_trim),
    };
    return cmocka_run_group_tests_name("tls_trim", tests, NULL, NULL);
}
