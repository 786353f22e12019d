/* test_suggest.c — "did you mean": the closest valid word, only when it is close enough. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "suggest.h"

static const char *const keys[] = { "pattern", "pattern_type", "priority", "source", "target",
                                    "traffic", "on_match", "replace", NULL };

struct suggest_case {
    const char *word;
    const char *expect;          /* NULL: no suggestion */
};

static const struct suggest_case cases[] = {
    { "patern", "pattern" },            /* a letter missing */
    { "pattren", "pattern" },           /* two letters swapped */
    { "PATTERN", "pattern" },           /* case only */
    { "prority", "priority" },
    { "targte", "target" },
    { "pattern_typ", "pattern_type" },
    { "pattern", NULL },                /* itself: nothing to suggest */
    { "colour", NULL },                 /* nothing close */
    { "x", NULL },
    { "", NULL },
};

static void test_suggest_closest(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = suggest_closest(cases[i].word, keys);
        if (cases[i].expect == NULL)
            assert_null(got);
        else
            assert_string_equal(got, cases[i].expect);
    }
}

static void test_suggest_short_words(void **state)
{
    (void)state;
    static const char *const zones[] = { "IMP", "DNS", "default" };
    assert_string_equal(suggest_closest_n("IPM", zones, 3), "IMP");
    assert_string_equal(suggest_closest_n("imp", zones, 3), "IMP");
    assert_string_equal(suggest_closest_n("defualt", zones, 3), "default");
    assert_null(suggest_closest_n("XYZ", zones, 3));      /* 3 edits from everything */
    assert_null(suggest_closest_n("IMP", zones, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggest_closest),
        cmocka_unit_test(test_suggest_short_words),
    };
    return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
