/* test_diag.c — config diagnostics keep order, count errors and format `file:line: message`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "diag.h"

static void test_diag_formats_errors_and_warnings(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    char buf[256];

    diag_error(d, "rules/a.ini", 12, "unknown key 'foo'");
    diag_warn(d, "rules/a.ini", 14, "pattern contains \\c");
    diag_error(d, "sipfed.ini", 0, "cannot open: %s", "No such file or directory");

    assert_int_equal(diag_count(d), 3);
    assert_int_equal(diag_error_count(d), 2);
    diag_format(diag_get(d, 0), buf, sizeof buf);
    assert_string_equal(buf, "rules/a.ini:12: unknown key 'foo'");
    diag_format(diag_get(d, 1), buf, sizeof buf);
    assert_string_equal(buf, "rules/a.ini:14: warning: pattern contains \\c");
    diag_format(diag_get(d, 2), buf, sizeof buf);
    assert_string_equal(buf, "sipfed.ini: cannot open: No such file or directory");
    assert_null(diag_get(d, 3));
    su_home_unref(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_formats_errors_and_warnings),
    };
    return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
