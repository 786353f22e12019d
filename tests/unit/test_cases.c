/* test_cases.c — routing-case lines (SPEC §3.3): parsing, formatting a decision, comparing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"

struct parse_case {
    const char *line;
    enum case_parse_result expect;
    const char *source, *method, *alias, *expect_str;
    bool auth;
    size_t n_headers;
    const char *header0;
    const char *err;             /* CASE_MALFORMED: the message */
};

static const struct parse_case parses[] = {
    { "IMP MESSAGE bob@msexample.test -> DNS", CASE_PARSED, "IMP", "MESSAGE",
      "bob@msexample.test", "DNS", false, 0, NULL, NULL },
    { "  default   SUBSCRIBE  alice@ciscoexample.test auth header=User-Agent:UCCAPI/16.0 -> IMP",
      CASE_PARSED, "default", "SUBSCRIBE", "alice@ciscoexample.test", "IMP", true, 1,
      "User-Agent:UCCAPI/16.0", NULL },
    { "default NOTIFY imp1-public.ciscoexample.test:5061;transport=tls -> IMP # in-dialog",
      CASE_PARSED, "default", "NOTIFY", "imp1-public.ciscoexample.test:5061;transport=tls",
      "IMP", false, 0, NULL, NULL },
    { "default MESSAGE a@b.test header=\"User-Agent: UCCAPI/16.0 OC/16.0\" -> 404",
      CASE_PARSED, "default", "MESSAGE", "a@b.test", "404", false, 1,
      "User-Agent: UCCAPI/16.0 OC/16.0", NULL },
    { "IMP MESSAGE a@b.test -> A+B,C=x@y.test", CASE_PARSED, "IMP", "MESSAGE", "a@b.test",
      "A+B,C=x@y.test", false, 0, NULL, NULL },
    { "", CASE_EMPTY, NULL, NULL, NULL, NULL, false, 0, NULL, NULL },
    { "   # just a comment", CASE_EMPTY, NULL, NULL, NULL, NULL, false, 0, NULL, NULL },
    { "IMP MESSAGE bob@msexample.test DNS", CASE_MALFORMED, NULL, NULL, NULL, NULL, false, 0,
      NULL, "missing '-> EXPECT'" },
    { "IMP MESSAGE -> DNS", CASE_MALFORMED, NULL, NULL, NULL, NULL, false, 0, NULL,
      "expected 'SOURCE METHOD ALIAS [auth] [from=URI] [header=Name:value]... -> EXPECT'" },
    { "IMP MESSAGE a@b.test ->", CASE_MALFORMED, NULL, NULL, NULL, NULL, false, 0, NULL,
      "missing expectation after '->'" },
    { "IMP MESSAGE a@b.test -> DNS IMP", CASE_MALFORMED, NULL, NULL, NULL, NULL, false, 0,
      NULL, "unexpected 'IMP' after the expectation" },
    { "IMP MESSAGE a@b.test authenticated -> DNS", CASE_MALFORMED, NULL, NULL, NULL, NULL,
      false, 0, NULL, "unknown field 'authenticated' (expected auth, from=URI or header=Name:value)" },
    { "IMP MESSAGE a@b.test header=NoColon -> DNS", CASE_MALFORMED, NULL, NULL, NULL, NULL,
      false, 0, NULL, "bad 'header=NoColon': expected header=Name:value" },
    { "IMP MESSAGE a@b.test header=\"User-Agent: x -> DNS", CASE_MALFORMED, NULL, NULL, NULL,
      NULL, false, 0, NULL, "unclosed quote" },
};

static void test_case_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parses / sizeof *parses; i++) {
        const struct parse_case *p = &parses[i];
        su_home_t *home = su_home_new(sizeof *home);
        struct routing_case c = { .line = 7 };
        char err[256] = "";
        enum case_parse_result r = case_parse_line(home, p->line, &c, err, sizeof err);
        if (r != p->expect)
            fail_msg("'%s': result %d, expected %d (%s)", p->line, r, p->expect, err);
        assert_int_equal(c.line, 7);
        if (r == CASE_PARSED) {
            assert_string_equal(c.source, p->source);
            assert_string_equal(c.method, p->method);
            assert_string_equal(c.alias, p->alias);
            assert_string_equal(c.expect, p->expect_str);
            assert_int_equal(c.authenticated, p->auth);
            assert_int_equal(c.n_headers, p->n_headers);
            if (p->header0)
                assert_string_equal(c.headers[0], p->header0);
        } else if (r == CASE_MALFORMED) {
            assert_string_equal(err, p->err);
        }
        su_home_unref(home);
    }
}

static void test_case_format_decision(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct zone imp = { .name = "IMP" }, dns = { .name = "DNS" }, tc = { .name = "TC" };
    struct search_target l1[] = { { .zone = &imp, .alias = "bob@x.test" },
                                  { .zone = &tc, .alias = "bob@imp.x.test" } };
    struct search_target l2[] = { { .zone = &dns, .alias = "bob@x.test" } };
    struct search_level levels[] = { { .priority = 10, .targets = l1, .n_targets = 2 },
                                     { .priority = 20, .targets = l2, .n_targets = 1 } };
    struct decision d = { .alias = "bob@x.test",
                          .search = { .levels = levels, .n_levels = 2 } };
    assert_string_equal(case_format_decision(home, &d), "IMP+TC=bob@imp.x.test,DNS");
    d.search.n_levels = 1;
    assert_string_equal(case_format_decision(home, &d), "IMP+TC=bob@imp.x.test");
    d.search.n_levels = 0;
    d.status = 404;
    assert_string_equal(case_format_decision(home, &d), "404");
    d.status = 403;
    assert_string_equal(case_format_decision(home, &d), "403");
    d.status = 400;
    d.search.n_levels = 2;                  /* a refusal wins over any search result */
    assert_string_equal(case_format_decision(home, &d), "400");
    su_home_unref(home);
}

static const char *const zones[] = { "IMP", "DNS", "TC", "T" };
#define N_ZONES (sizeof zones / sizeof *zones)

static void test_case_expect_matches(void **state)
{
    (void)state;
    static const struct { const char *expect, *got; bool match; } cmp[] = {
        { "DNS", "DNS", true },
        { "404", "404", true },
        { "403", "404", false },
        { "404", "DNS", false },
        { "IMP+TC", "TC+IMP", true },              /* one level: a set */
        { "IMP,TC", "TC,IMP", false },             /* levels: in order */
        { "IMP+TC,DNS", "TC+IMP,DNS", true },
        { "IMP+TC", "IMP+TC,DNS", false },
        { "IMP+IMP", "IMP", false },
        { "IMP", "IMP=bob@x.test", false },        /* a rewrite must be written */
        { "IMP=bob@x.test", "IMP=bob@x.test", true },
        /* '+' and ',' inside an alias are not separators */
        { "TC=+1555,12@gw.test+IMP", "IMP+TC=+1555,12@gw.test", true },
        { "T=a+b@x.test,TC", "T=a+b@x.test,TC", true },
        { "TC+T", "T+TC", true },
    };
    for (size_t i = 0; i < sizeof cmp / sizeof *cmp; i++)
        if (case_expect_matches(cmp[i].expect, cmp[i].got, zones, N_ZONES) != cmp[i].match)
            fail_msg("'%s' vs '%s': expected %s", cmp[i].expect, cmp[i].got,
                     cmp[i].match ? "match" : "mismatch");
}

static void test_case_expect_validate(void **state)
{
    (void)state;
    static const struct { const char *expect; const char *err; } val[] = {
        { "404", NULL },
        { "403", NULL },
        { "IMP+TC,DNS=x@y.test", NULL },
        { "999", "bad status '999' (expected 100..699)" },
        { "40", "bad status '40' (expected 100..699)" },
        { "Nowhere", "unknown zone 'Nowhere' in the expectation" },
        { "IMP=", "empty alias in 'IMP='" },
        { "IMP++TC", "bad target 'IMP+' (expected ZONE or ZONE=ALIAS)" },
    };
    for (size_t i = 0; i < sizeof val / sizeof *val; i++) {
        char err[256] = "";
        int rc = case_expect_validate(val[i].expect, zones, N_ZONES, err, sizeof err);
        if (val[i].err == NULL) {
            if (rc != 0)
                fail_msg("'%s': unexpected error %s", val[i].expect, err);
        } else {
            assert_int_not_equal(rc, 0);
            assert_string_equal(err, val[i].err);
        }
    }
}

/* A whole file through decide_request(): passes, each kind of failure with its file:line. */
static void test_cases_run_file(void **state)
{
    (void)state;
    struct dialplan *dp = su_home_new(sizeof *dp);
    struct zone imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .authenticated = ZONE_AUTH_YES };
    struct zone dflt = { .name = "default", .type = ZONE_DEFAULT };
    struct zone *dp_zones[] = { &imp, &dflt };
    const struct zone *imp_only[] = { &imp };
    struct rule out = { .name = "out", .priority = 10, .source = RULE_SOURCE_NAMED,
                        .sources = imp_only, .n_sources = 1, .traffic = TRAFFIC_ANY,
                        .authenticated = true, .mode = RULE_MODE_ALIAS_PATTERN,
                        .pattern_type = PATTERN_SUFFIX, .pattern = "@ms.test",
                        .behavior = BEHAVIOR_STRIP, .on_match = ON_MATCH_STOP, .target = &imp,
                        .enabled = true };
    struct rule *rules[] = { &out };
    dp->zones = dp_zones;
    dp->n_zones = 2;
    dp->rules = rules;
    dp->n_rules = 1;

    char path[] = "/tmp/test_cases_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] =
        "\xEF\xBB\xBFIMP MESSAGE bob@ms.test -> IMP=bob\n" /* 1: a BOM, then a case: passes */
        "default MESSAGE bob@ms.test auth -> 404\n"     /* 2: passes (wrong source) */
        "IMP MESSAGE bob@ms.test -> IMP\n"              /* 3: the rewrite is not written */
        "Nowhere MESSAGE bob@ms.test -> 404\n"          /* 4: unknown source zone */
        "IMQ MESSAGE bob@ms.test -> 404\n"              /* 5: ... with a suggestion */
        "IMP MESSAGE bob@ms.test\n"                     /* 6: malformed */
        "# comment\n"
        "IMP MESSAGE bob@ms.test -> 403\n"              /* 8: fails */
        "IMP message sip:bob@ms.test -> IMP=bob\n"      /* 9: a warning, a URI: passes */
        "default MESSAGE bob@ms.test from=al@x.test -> IMP\n"; /* 10: fails with the reason */
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);

    char *buf = NULL;
    size_t len = 0, run = 0, failed = 0;
    FILE *out_f = open_memstream(&buf, &len);
    assert_int_equal(cases_run_file(path, dp, out_f, &run, &failed), 0);
    fclose(out_f);
    unlink(path);
    char expect[2048];
    snprintf(expect, sizeof expect,
             "%s:3: expected IMP, got IMP=bob\n"
             "%s:4: unknown source zone 'Nowhere'\n"
             "%s:5: unknown source zone 'IMQ' (did you mean 'IMP'?)\n"
             "%s:6: missing '-> EXPECT'\n"
             "%s:8: expected 403, got IMP=bob\n"
             "%s:9: warning: method 'message' taken as MESSAGE (methods are case-sensitive on "
             "the wire)\n"
             "%s:10: expected IMP, got 404: no search rule matched (From sip:al@x.test allowed: "
             "privacy_off)\n", path, path, path, path, path, path, path);
    assert_string_equal(buf, expect);
    assert_int_equal(run, 9);
    assert_int_equal(failed, 6);
    free(buf);

    out_f = open_memstream(&buf, &len);
    assert_int_not_equal(cases_run_file("/nonexistent/x.cases", dp, out_f, &run, &failed), 0);
    fclose(out_f);
    assert_string_equal(buf, "/nonexistent/x.cases: cannot open: No such file or directory\n");
    free(buf);
    su_home_unref(dp->home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_parse),
        cmocka_unit_test(test_case_format_decision),
        cmocka_unit_test(test_case_expect_matches),
        cmocka_unit_test(test_case_expect_validate),
        cmocka_unit_test(test_cases_run_file),
    };
    return cmocka_run_group_tests_name("cases", tests, NULL, NULL);
}
