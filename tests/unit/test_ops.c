/* test_ops.c — the operations layer's pure parts: escaping for JSON, HTML and Prometheus labels,
 * bounded labelled counters, the Prometheus text format, the search-history ring buffer and the
 * metric label values taken from the wire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include "counter_set.h"
#include "history.h"
#include "ops_stats.h"
#include "prom.h"
#include "textbuf.h"

static void test_textbuf_escapes(void **state)
{
    (void)state;
    static const struct { const char *in, *json, *html, *prom; } cases[] = {
        { "plain", "\"plain\"", "plain", "plain" },
        { "a\"b\\c", "\"a\\\"b\\\\c\"", "a&quot;b\\c", "a\\\"b\\\\c" },
        { "l1\nl2\t\x01", "\"l1\\nl2\\t\\u0001\"", "l1\nl2\t\x01", "l1\\nl2\t\x01" },
        { "<b>&'x'", "\"<b>&'x'\"", "&lt;b&gt;&amp;&#39;x&#39;", "<b>&'x'" },
        { "é", "\"é\"", "é", "é" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        su_home_t home[1] = { SU_HOME_INIT(home) };
        struct textbuf j, h, p;
        textbuf_init(&j, home);
        textbuf_init(&h, home);
        textbuf_init(&p, home);
        textbuf_json_str(&j, cases[i].in);
        textbuf_html(&h, cases[i].in);
        textbuf_prom_label(&p, cases[i].in);
        assert_string_equal(textbuf_str(&j), cases[i].json);
        assert_string_equal(textbuf_str(&h), cases[i].html);
        assert_string_equal(textbuf_str(&p), cases[i].prom);
        su_home_deinit(home);
    }
}

static void test_textbuf_grows(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct textbuf b;
    textbuf_init(&b, home);
    assert_string_equal(textbuf_str(&b), "");
    textbuf_json_str(&b, NULL);
    for (int i = 0; i < 5000; i++)
        textbuf_printf(&b, "%04d", i % 10000);
    assert_false(b.failed);
    assert_int_equal(b.len, 4 + 5000 * 4);
    assert_int_equal(strncmp(textbuf_str(&b), "null00000001", 12), 0);
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    textbuf_printf(&b, "[%s]", big);      /* longer than the formatting fast path */
    assert_int_equal(b.len, 4 + 5000 * 4 + 601);
    assert_int_equal(textbuf_str(&b)[b.len - 1], ']');
    su_home_deinit(home);
}

static void test_counter_set_bounded(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct counter_set *cs;
    assert_int_equal(counter_set_create(home, 2, 3, &cs), 0);
    const char *a[] = { "MESSAGE", "IMP" }, *b[] = { "MESSAGE", "default" },
               *c[] = { "INVITE", "IMP" }, *d[] = { "BYE", "IMP" }, *ab[] = { "MESSAGEIMP", "" };
    counter_set_add(cs, a, 1);
    counter_set_add(cs, a, 2);
    counter_set_add(cs, b, 5);
    counter_set_add(cs, ab, 7);     /* same concatenation as `a`: another series */
    counter_set_add(cs, c, 1);      /* no room: overflow */
    counter_set_add(cs, d, 4);
    assert_int_equal(counter_set_get(cs, a), 3);
    assert_int_equal(counter_set_get(cs, b), 5);
    assert_int_equal(counter_set_get(cs, ab), 7);
    assert_int_equal(counter_set_get(cs, c), 0);
    assert_int_equal(counter_set_overflow(cs), 5);
    uint64_t v;
    const char *const *labels = counter_set_series(cs, 1, &v);
    assert_non_null(labels);
    assert_string_equal(labels[0], "MESSAGE");
    assert_string_equal(labels[1], "default");
    assert_int_equal(v, 5);
    assert_null(counter_set_series(cs, 3, &v));
    su_home_deinit(home);
}

static void test_prom_format(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct textbuf b;
    struct counter_set *cs;
    textbuf_init(&b, home);
    assert_int_equal(counter_set_create(home, 2, 8, &cs), 0);
    const char *v1[] = { "in", "ok" }, *v2[] = { "out", "we\"ird\\\n" };
    counter_set_add(cs, v1, 3);
    counter_set_add(cs, v2, 1);
    static const char *const names[] = { "direction", "result", NULL };
    prom_counter_set(&b, "x_total", "Things.", names, cs);
    prom_family(&b, "y", PROM_GAUGE, "A gauge.");
    prom_sample_u64(&b, "y", NULL, 0);
    const char *lab[] = { "k", "v", NULL };
    prom_sample_f(&b, "y", lab, 0.5);
    assert_string_equal(textbuf_str(&b),
                        "# HELP x_total Things.\n# TYPE x_total counter\n"
                        "x_total{direction=\"in\",result=\"ok\"} 3\n"
                        "x_total{direction=\"out\",result=\"we\\\"ird\\\\\\n\"} 1\n"
                        "# HELP y A gauge.\n# TYPE y gauge\ny 0\ny{k=\"v\"} 0.5\n");
    su_home_deinit(home);
}

static void test_history_ring(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct history *h;
    struct timeval now = { .tv_sec = 1000 };
    assert_int_equal(history_create(home, 0, &h), EINVAL);
    assert_int_equal(history_create(home, HISTORY_MAX + 1, &h), EINVAL);
    assert_int_equal(history_create(home, 3, &h), 0);
    assert_int_equal(history_count(h), 0);
    assert_null(history_get(h, 0));
    for (int i = 1; i <= 5; i++) {
        struct history_entry *e = history_next(h, &now);
        e->status = 200 + i;
    }
    assert_int_equal(history_count(h), 3);
    assert_int_equal(history_capacity(h), 3);
    assert_int_equal(history_get(h, 0)->status, 205);
    assert_int_equal(history_get(h, 0)->seq, 5);
    assert_int_equal(history_get(h, 2)->status, 203);
    assert_null(history_get(h, 3));
    su_home_deinit(home);
}

static void test_history_entry_bounded(void **state)
{
    (void)state;
    struct history_entry e;
    char longtext[1000];
    memset(&e, 0, sizeof e);
    memset(longtext, 'a', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    HISTORY_SET(e.alias, longtext);
    assert_int_equal(strlen(e.alias), sizeof e.alias - 1);
    assert_string_equal(e.alias + sizeof e.alias - 4, "...");
    /* a cut never splits a UTF-8 character */
    char utf[sizeof e.method + 8] = "";
    while (strlen(utf) + 2 < sizeof utf)
        strcat(utf, "é");
    HISTORY_SET(e.method, utf);
    size_t n = strlen(e.method) - 3;
    assert_string_equal(e.method + n, "...");
    assert_int_equal(n % 2, 0);
    HISTORY_SET(e.src, NULL);
    assert_string_equal(e.src, "");
    for (int i = 0; i < HISTORY_STEPS_MAX + 5; i++)
        history_step_add(&e, "rule", "pattern");
    assert_int_equal(e.n_steps, HISTORY_STEPS_MAX);
    assert_int_equal(e.steps_omitted, 5);
}

static void test_ops_labels(void **state)
{
    (void)state;
    static const struct { int status; const char *cls; } classes[] = {
        { 100, "1xx" }, { 200, "2xx" }, { 302, "3xx" }, { 404, "4xx" }, { 503, "5xx" },
        { 603, "6xx" }, { 99, "other" }, { 700, "other" }, { 0, "other" },
    };
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        assert_string_equal(ops_status_class(classes[i].status), classes[i].cls);
    assert_string_equal(ops_method_label("MESSAGE"), "MESSAGE");
    assert_string_equal(ops_method_label("BENOTIFY"), "BENOTIFY");
    assert_string_equal(ops_method_label("message"), "other");
    assert_string_equal(ops_method_label("X-ANYTHING-FROM-THE-WIRE"), "other");
    assert_string_equal(ops_method_label(NULL), "other");
}

static void test_ops_stats_reload(void **state)
{
    (void)state;
    struct ops_stats *st = ops_stats_create(4);
    assert_non_null(st);
    assert_int_equal(st->generation, 1);
    assert_true(st->last_reload_ok);
    ops_request_count(st, "INVITE", "IMP", 486);
    ops_request_count(st, "INVITE", NULL, 486);
    const char *v[] = { "INVITE", "IMP", "4xx" }, *none[] = { "INVITE", OPS_ZONE_NONE, "4xx" };
    assert_int_equal(counter_set_get(st->requests, v), 1);
    assert_int_equal(counter_set_get(st->requests, none), 1);
    ops_reload_record(st, false, 2, "rules/a.ini:3: bad");
    assert_false(st->last_reload_ok);
    assert_int_equal(st->generation, 1);
    assert_string_equal(st->last_reload_error, "rules/a.ini:3: bad");
    ops_reload_record(st, true, 0, NULL);
    assert_true(st->last_reload_ok);
    assert_int_equal(st->generation, 2);
    assert_string_equal(st->last_reload_error, "");
    const char *ok[] = { "ok" }, *refused[] = { "refused" };
    assert_int_equal(counter_set_get(st->reloads, ok), 1);
    assert_int_equal(counter_set_get(st->reloads, refused), 1);
    assert_int_equal(history_capacity(st->history), 4);
    /* the rate counts whole seconds before `now` within the last minute */
    time_t now = time(NULL);
    assert_true(ops_request_rate(st, now + 1) > 0.0);
    assert_true(ops_request_rate(st, now + 1) <= 2.0 / OPS_RATE_SECONDS + 1e-9);
    assert_true(ops_request_rate(st, now + OPS_RATE_SECONDS + 2) == 0.0);
    ops_stats_destroy(st);
    st = ops_stats_create(0);
    assert_null(st->history);
    ops_stats_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbuf_escapes),
        cmocka_unit_test(test_textbuf_grows),
        cmocka_unit_test(test_counter_set_bounded),
        cmocka_unit_test(test_prom_format),
        cmocka_unit_test(test_history_ring),
        cmocka_unit_test(test_history_entry_bounded),
        cmocka_unit_test(test_ops_labels),
        cmocka_unit_test(test_ops_stats_reload),
    };
    return cmocka_run_group_tests_name("ops", tests, NULL, NULL);
}
