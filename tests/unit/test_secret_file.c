/* test_secret_file.c — who may read a private key (secret_file.h): owner only, or its group when
 * sipfed reads it through that group (Debian's root:ssl-cert 0640); never others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "secret_file.h"

enum { SSL_CERT = 112, OTHER = 200, OWN = 1000 };

static void test_secret_file_problem(void **state)
{
    (void)state;
    static const gid_t member_of[] = { OWN, SSL_CERT };
    static const struct { mode_t mode; gid_t gid; const char *problem; } cases[] = {
        { 0600, OTHER, NULL },
        { 0400, OTHER, NULL },
        { 0640, SSL_CERT, NULL },                        /* Debian: root:ssl-cert 0640 */
        { 0440, SSL_CERT, NULL },
        { 0640, OWN, NULL },
        { 0640, OTHER, "readable by a group sipfed does not read it through" },
        { 0660, SSL_CERT, "writable by its group" },
        { 0650, SSL_CERT, "writable by its group" },
        { 0644, SSL_CERT, "readable by others" },        /* world-readable: always refused */
        { 0604, OTHER, "readable by others" },
        { 0602, OTHER, "readable by others" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_mode = S_IFREG | cases[i].mode;
        st.st_gid = cases[i].gid;
        const char *p = secret_file_problem(&st, member_of, 2);
        if ((p == NULL) != (cases[i].problem == NULL) ||
            (p && strcmp(p, cases[i].problem) != 0))
            fail_msg("case %zu: mode %04o gid %u: %s", i, (unsigned)cases[i].mode,
                     (unsigned)cases[i].gid, p ? p : "accepted");
    }
}

/* The groups of a user come from the group database, as initgroups() sets them. */
static void test_secret_file_groups(void **state)
{
    (void)state;
    gid_t groups[SECRET_GROUPS_MAX];
    assert_int_equal(secret_file_groups("no-such-user-sipfed", groups, SECRET_GROUPS_MAX), -1);
    int n = secret_file_groups("root", groups, SECRET_GROUPS_MAX);
    assert_true(n >= 1);
    assert_int_equal(groups[0], 0);                     /* root's primary group first */
    assert_true(secret_file_groups(NULL, groups, SECRET_GROUPS_MAX) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_file_problem),
        cmocka_unit_test(test_secret_file_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
