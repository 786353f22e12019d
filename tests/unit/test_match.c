/* test_match.c — every pattern type, behavior and case rule of match_rule() (SPEC §4.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "match.h"

struct match_case {
    enum rule_mode mode;
    enum pattern_type type;
    const char *pattern;
    enum rule_behavior behavior;
    const char *replace;
    const char *alias;
    enum match_result expect;
    const char *alias_out;       /* expected alias after the transform (MATCH_YES) */
};

#define PAT RULE_MODE_ALIAS_PATTERN
#define ANY RULE_MODE_ANY_ALIAS

static const struct match_case cases[] = {
    /* regex: anchored at both ends */
    { PAT, PATTERN_REGEX, ".*@msexample\\.test", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test", MATCH_YES, "bob@msexample.test" },
    { PAT, PATTERN_REGEX, ".*@msexample\\.test", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test.evil.test", MATCH_NO, NULL },
    { PAT, PATTERN_REGEX, "msexample\\.test", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test", MATCH_NO, NULL },
    { PAT, PATTERN_REGEX, "bob", BEHAVIOR_LEAVE, NULL, "bobby@x.test", MATCH_NO, NULL },
    { PAT, PATTERN_REGEX, ".*@msexample\\.test(;.*)?", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test;transport=tls", MATCH_YES, "bob@msexample.test;transport=tls" },
    /* regex: the pattern is case-sensitive; the alias host arrives lowercased */
    { PAT, PATTERN_REGEX, ".*@MSEXAMPLE\\.test", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test", MATCH_NO, NULL },
    /* regex strip: unchanged (defined for prefix/suffix only) */
    { PAT, PATTERN_REGEX, "(.*)@msexample\\.test", BEHAVIOR_STRIP, NULL,
      "bob@msexample.test", MATCH_YES, "bob@msexample.test" },
    /* regex replace with groups; \0 the whole match, unset group empty, \\ a backslash */
    { PAT, PATTERN_REGEX, "(.*)@ciscoexample\\.test", BEHAVIOR_REPLACE, "\\1@imp.ciscoexample.test",
      "alice@ciscoexample.test", MATCH_YES, "alice@imp.ciscoexample.test" },
    { PAT, PATTERN_REGEX, "([^@]*)@([^;]*)(;.*)?", BEHAVIOR_REPLACE, "\\2/\\1\\3",
      "alice@a.test", MATCH_YES, "a.test/alice" },
    { PAT, PATTERN_REGEX, "(.*)", BEHAVIOR_REPLACE, "<\\0>\\\\", "x@h.test", MATCH_YES,
      "<x@h.test>\\" },
    /* replace lowercases the host it writes, keeps the user */
    { PAT, PATTERN_REGEX, "(.*)@old\\.test", BEHAVIOR_REPLACE, "\\1@NEW.Test",
      "Alice@old.test", MATCH_YES, "Alice@new.test" },

    /* prefix: user part exact, host part case-insensitive */
    { PAT, PATTERN_PREFIX, "alice@", BEHAVIOR_LEAVE, NULL, "alice@a.test", MATCH_YES,
      "alice@a.test" },
    { PAT, PATTERN_PREFIX, "Alice@", BEHAVIOR_LEAVE, NULL, "alice@a.test", MATCH_NO, NULL },
    { PAT, PATTERN_PREFIX, "alice@A.TE", BEHAVIOR_LEAVE, NULL, "alice@a.test", MATCH_YES,
      "alice@a.test" },
    { PAT, PATTERN_PREFIX, "IMP1-public.", BEHAVIOR_LEAVE, NULL,
      "imp1-public.ciscoexample.test:5061", MATCH_YES, "imp1-public.ciscoexample.test:5061" },
    { PAT, PATTERN_PREFIX, "alice@a.test.longer", BEHAVIOR_LEAVE, NULL, "alice@a.test",
      MATCH_NO, NULL },
    { PAT, PATTERN_PREFIX, "9", BEHAVIOR_STRIP, NULL, "912@a.test", MATCH_YES, "12@a.test" },
    { PAT, PATTERN_PREFIX, "9", BEHAVIOR_REPLACE, "00", "912@a.test", MATCH_YES,
      "0012@a.test" },

    /* suffix */
    { PAT, PATTERN_SUFFIX, "@msexample.test", BEHAVIOR_LEAVE, NULL, "bob@msexample.test",
      MATCH_YES, "bob@msexample.test" },
    { PAT, PATTERN_SUFFIX, "@MSEXAMPLE.TEST", BEHAVIOR_LEAVE, NULL, "bob@msexample.test",
      MATCH_YES, "bob@msexample.test" },
    { PAT, PATTERN_SUFFIX, "@msexample.test", BEHAVIOR_LEAVE, NULL, "bob@xmsexample.test",
      MATCH_NO, NULL },
    { PAT, PATTERN_SUFFIX, "@msexample.test", BEHAVIOR_STRIP, NULL, "bob@msexample.test",
      MATCH_YES, "bob" },
    { PAT, PATTERN_SUFFIX, "@old.test", BEHAVIOR_REPLACE, "@New.test", "bob@old.test",
      MATCH_YES, "bob@new.test" },
    /* the suffix starts inside the user part: that part compares exactly */
    { PAT, PATTERN_SUFFIX, "B@x.test", BEHAVIOR_LEAVE, NULL, "bob@x.test", MATCH_NO, NULL },

    /* exact */
    { PAT, PATTERN_EXACT, "bob@MSexample.test", BEHAVIOR_LEAVE, NULL, "bob@msexample.test",
      MATCH_YES, "bob@msexample.test" },
    { PAT, PATTERN_EXACT, "Bob@msexample.test", BEHAVIOR_LEAVE, NULL, "bob@msexample.test",
      MATCH_NO, NULL },
    { PAT, PATTERN_EXACT, "bob@msexample.test", BEHAVIOR_LEAVE, NULL,
      "bob@msexample.test;x=1", MATCH_NO, NULL },
    { PAT, PATTERN_EXACT, "bob@msexample.test", BEHAVIOR_STRIP, NULL, "bob@msexample.test",
      MATCH_YES, "bob@msexample.test" },
    { PAT, PATTERN_EXACT, "bob@msexample.test", BEHAVIOR_REPLACE, "robert@msexample.test",
      "bob@msexample.test", MATCH_YES, "robert@msexample.test" },
    /* no user part: the whole alias is host and compares case-insensitively */
    { PAT, PATTERN_EXACT, "IMP1-PUBLIC.ciscoexample.test", BEHAVIOR_LEAVE, NULL,
      "imp1-public.ciscoexample.test", MATCH_YES, "imp1-public.ciscoexample.test" },

    /* any alias */
    { ANY, PATTERN_REGEX, NULL, BEHAVIOR_LEAVE, NULL, "anything@any.test", MATCH_YES,
      "anything@any.test" },
    { ANY, PATTERN_REGEX, NULL, BEHAVIOR_REPLACE, "fixed@Target.test", "x@y.test", MATCH_YES,
      "fixed@target.test" },
};

/* Run the table with regexes compiled plain (anchored at match time) and as the loader compiles
 * them (anchored at compile time, UTF, JIT): the results must be the same. */
static void match_table_run(uint32_t compile_opts, bool jit)
{
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct match_case *c = &cases[i];
        su_home_t *home = su_home_new(sizeof *home);
        pcre2_match_data *md = match_data_new();
        struct rule r = {
            .name = "t", .mode = c->mode, .pattern_type = c->type, .pattern = (char *)c->pattern,
            .behavior = c->behavior, .replace = (char *)c->replace, .enabled = true,
        };
        int errcode;
        PCRE2_SIZE erroff;
        if (c->mode == PAT && c->type == PATTERN_REGEX) {
            r.regex = pcre2_compile((PCRE2_SPTR)c->pattern, PCRE2_ZERO_TERMINATED, compile_opts,
                                    &errcode, &erroff, NULL);
            assert_non_null(r.regex);
            if (jit)
                (void)pcre2_jit_compile(r.regex, PCRE2_JIT_COMPLETE);
        }
        const char *out = NULL;
        enum match_result m = match_rule(home, &r, c->alias, md, &out);
        if (m != c->expect)
            fail_msg("case %zu: pattern '%s' alias '%s': got %d, expected %d", i,
                     c->pattern ? c->pattern : "(any)", c->alias, m, c->expect);
        if (c->expect == MATCH_YES && strcmp(out, c->alias_out) != 0)
            fail_msg("case %zu: alias '%s' -> '%s', expected '%s'", i, c->alias, out,
                     c->alias_out);
        pcre2_code_free(r.regex);
        match_data_free(md);
        su_home_unref(home);
    }
}

static void test_match_table(void **state)
{
    (void)state;
    match_table_run(0, false);
}

static void test_match_table_loader_compiled(void **state)
{
    (void)state;
    match_table_run(PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF, true);
}

/* A regex rule without a compiled regex (never from the loader) is an error, not a match. */
static void test_match_regex_missing_is_error(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    pcre2_match_data *md = match_data_new();
    struct rule r = { .name = "t", .pattern_type = PATTERN_REGEX, .pattern = ".*" };
    const char *out;
    assert_int_equal(match_rule(home, &r, "a@b.test", md, &out), MATCH_ERROR);
    match_data_free(md);
    su_home_unref(home);
}

/* One match-data serves consecutive rules: groups of one match never leak into the next. */
static void test_match_data_reused(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    pcre2_match_data *md = match_data_new();
    int ec;
    PCRE2_SIZE eo;
    struct rule r1 = { .pattern_type = PATTERN_REGEX, .pattern = "(a+)(b+)@x",
                       .behavior = BEHAVIOR_REPLACE, .replace = "\\2\\1@x" };
    struct rule r2 = { .pattern_type = PATTERN_REGEX, .pattern = "(c+)@x|(d+)@x",
                       .behavior = BEHAVIOR_REPLACE, .replace = "[\\1][\\2]@x" };
    r1.regex = pcre2_compile((PCRE2_SPTR)r1.pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    r2.regex = pcre2_compile((PCRE2_SPTR)r2.pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    const char *out;
    assert_int_equal(match_rule(home, &r1, "aabbb@x", md, &out), MATCH_YES);
    assert_string_equal(out, "bbbaa@x");
    assert_int_equal(match_rule(home, &r2, "dd@x", md, &out), MATCH_YES);
    assert_string_equal(out, "[][dd]@x");
    pcre2_code_free(r1.regex);
    pcre2_code_free(r2.regex);
    match_data_free(md);
    su_home_unref(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match_table),
        cmocka_unit_test(test_match_table_loader_compiled),
        cmocka_unit_test(test_match_regex_missing_is_error),
        cmocka_unit_test(test_match_data_reused),
    };
    return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
