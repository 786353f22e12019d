/* test_ratelimit.c — token buckets by key: burst, refill, Retry-After, episodes, sweeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "ratelimit.h"

/* One request in a sequence: at `ms`, from `key`; expected verdict and Retry-After. */
struct step {
    uint64_t ms;
    const char *key;
    bool refused;
    unsigned retry_after;       /* checked when refused */
    bool episode_started;
};

struct seq_case {
    const char *what;
    double rate, burst;
    struct step steps[12];
    size_t n;
};

static const struct seq_case seq_cases[] = {
    { "a new key starts with a full burst", 2, 3,
      { { 0, "a", false, 0, false }, { 0, "a", false, 0, false }, { 0, "a", false, 0, false },
        { 0, "a", true, 1, true }, { 0, "a", true, 1, false } }, 5 },
    { "tokens come back at the rate", 2, 1,
      { { 0, "a", false, 0, false }, { 100, "a", true, 1, true }, { 500, "a", false, 0, false },
        { 600, "a", true, 1, false }, { 1000, "a", false, 0, false } }, 5 },
    { "keys are independent", 1, 1,
      { { 0, "a", false, 0, false }, { 0, "a", true, 1, true }, { 0, "b", false, 0, false },
        { 0, "b", true, 1, true } }, 4 },
    { "a slow rate says how long to wait", 0.1, 1,
      { { 0, "a", false, 0, false }, { 0, "a", true, 10, true }, { 5000, "a", true, 5, false } },
      3 },
    { "the bucket never holds more than the burst", 100, 2,
      { { 0, "a", false, 0, false }, { 60000, "a", false, 0, false },
        { 60000, "a", false, 0, false }, { 60000, "a", true, 1, true } }, 4 },
    { "a steady over-rate source is one episode", 10, 1,
      { { 0, "a", false, 0, false }, { 10, "a", true, 1, true }, { 100, "a", false, 0, false },
        { 110, "a", true, 1, false }, { 200, "a", false, 0, false },
        { 210, "a", true, 1, false } }, 6 },
    { "rate 0 is off", 0, 0,
      { { 0, "a", false, 0, false }, { 0, "a", false, 0, false }, { 0, "a", false, 0, false } },
      3 },
};

static void test_sequences(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof seq_cases / sizeof seq_cases[0]; i++) {
        const struct seq_case *c = &seq_cases[i];
        su_home_t home[1] = { SU_HOME_INIT(home) };
        struct rate_table *t;
        assert_int_equal(rate_table_create(home, 16, &t), 0);
        for (size_t k = 0; k < c->n; k++) {
            const struct step *s = &c->steps[k];
            struct rate_result r;
            rate_take(t, s->key, c->rate, c->burst, s->ms, &r);
            if (r.refused != s->refused || r.episode_started != s->episode_started ||
                (s->refused && r.retry_after_s != s->retry_after))
                fail_msg("%s: step %zu: refused=%d retry_after=%u started=%d", c->what, k,
                         r.refused, r.retry_after_s, r.episode_started);
        }
        su_home_deinit(home);
    }
}

struct ended {
    char key[32];
    uint64_t refused;
    int calls;
};

static void on_end(void *arg, const char *key, uint64_t refused)
{
    struct ended *e = arg;
    snprintf(e->key, sizeof e->key, "%s", key);
    e->refused = refused;
    e->calls++;
}

static void test_sweep_ends_episode_and_forgets_idle_keys(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct rate_table *t;
    struct rate_result r;
    struct ended e = { "", 0, 0 };
    assert_int_equal(rate_table_create(home, 16, &t), 0);
    rate_take(t, "noisy", 1, 1, 0, &r);
    for (int i = 0; i < 3; i++)
        rate_take(t, "noisy", 1, 1, 10, &r);
    rate_take(t, "calm", 1, 5, 10, &r);
    assert_int_equal(rate_table_keys(t), 2);

    rate_table_sweep(t, 1000, 5000, on_end, &e);   /* not quiet long enough */
    assert_int_equal(e.calls, 0);
    assert_int_equal(rate_table_keys(t), 2);

    rate_table_sweep(t, 5010, 5000, on_end, &e);   /* quiet: one end line with the count */
    assert_int_equal(e.calls, 1);
    assert_string_equal(e.key, "noisy");
    assert_int_equal(e.refused, 3);
    assert_int_equal(rate_table_keys(t), 0);       /* both buckets are full again */

    rate_take(t, "noisy", 1, 1, 6000, &r);         /* a new start afterwards */
    rate_take(t, "noisy", 1, 1, 6000, &r);
    assert_true(r.refused && r.episode_started);
    su_home_deinit(home);
}

static void test_full_table_fails_open(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct rate_table *t;
    struct rate_result r;
    assert_int_equal(rate_table_create(home, 2, &t), 0);
    rate_take(t, "a", 1, 1, 0, &r);
    rate_take(t, "b", 1, 1, 0, &r);
    for (int i = 0; i < 5; i++) {
        rate_take(t, "c", 1, 1, 0, &r);
        assert_false(r.refused);
    }
    assert_int_equal(rate_table_keys(t), 2);
    assert_int_equal(rate_table_full_count(t), 5);
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_sweep_ends_episode_and_forgets_idle_keys),
        cmocka_unit_test(test_full_table_fails_open),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
