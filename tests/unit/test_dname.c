/* test_dname.c — domain-name comparison: case, the trailing root dot, labels. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dname.h"

static void test_dname_equal(void **state)
{
    (void)state;
    static const struct { const char *a, *b; bool equal; int cmp_sign; } cases[] = {
        { "msexample.test", "msexample.test", true, 0 },
        { "MSexample.TEST", "msexample.test", true, 0 },
        { "msexample.test.", "msexample.test", true, 0 },
        { "msexample.test", "MSEXAMPLE.test.", true, 0 },
        { "msexample.test..", "msexample.test", false, 1 },  /* one root dot, not two */
        { "sub.msexample.test", "msexample.test", false, 1 }, /* equality, not namespace */
        { "msexample.tes", "msexample.test", false, -1 },
        { "a.test", "b.test", false, -1 },
        { ".", "", true, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (dname_equal(cases[i].a, cases[i].b) != cases[i].equal ||
            dname_equal(cases[i].b, cases[i].a) != cases[i].equal)
            fail_msg("dname_equal(%s, %s) != %d", cases[i].a, cases[i].b, cases[i].equal);
        int c = dname_cmp(cases[i].a, cases[i].b);
        if ((c > 0) - (c < 0) != cases[i].cmp_sign)
            fail_msg("dname_cmp(%s, %s) = %d", cases[i].a, cases[i].b, c);
    }
    assert_false(dname_equal(NULL, "a.test"));
    assert_false(dname_equal("a.test", NULL));
    assert_int_equal(dname_len("a.test."), 6);
    assert_int_equal(dname_len(""), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dname_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
