/* test_mime.c — the read-only multipart reader shared by presence batches and IM bodies
 * (proxy/base/mime.c): delimiters, line ends, closing, early stop, part headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mime.h"

struct seen {
    unsigned n, stop_after;
    char bodies[4][64];
    char types[4][64];
};

static bool collect(void *arg, const struct mime_part *p)
{
    struct seen *s = arg;
    if (s->n < 4) {
        if (p->body)
            snprintf(s->bodies[s->n], sizeof s->bodies[0], "%.*s", (int)p->body_len, p->body);
        else
            snprintf(s->bodies[s->n], sizeof s->bodies[0], "(none)");
        if (!mime_header_value(p->hdrs, p->hdrs_len, "content-type", s->types[s->n],
                               sizeof s->types[0]))
            s->types[s->n][0] = '\0';
    }
    s->n++;
    return s->stop_after == 0 || s->n < s->stop_after;
}

static void test_split(void **state)
{
    static const char crlf[] = "preamble\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n"
                               "one\r\n--b  \r\nContent-Type:text/html\r\n\r\n<p>two</p>\r\n--b--\r\n"
                               "epilogue";
    static const char lf[] = "--b\nContent-Type: a/b\n\nx\n--b\n\nno headers\n--b--";
    struct seen s = { 0 };
    unsigned n = 0;
    (void)state;

    assert_int_equal(mime_multipart_each(crlf, strlen(crlf), "b", collect, &s, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(s.bodies[0], "one");
    assert_string_equal(s.types[0], "text/plain; charset=UTF-8");
    assert_string_equal(s.bodies[1], "<p>two</p>");
    assert_string_equal(s.types[1], "text/html");

    memset(&s, 0, sizeof s);
    assert_int_equal(mime_multipart_each(lf, strlen(lf), "b", collect, &s, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(s.bodies[0], "x");
    assert_string_equal(s.bodies[1], "no headers");
    assert_string_equal(s.types[1], "");

    /* a part without its empty line has no body */
    static const char nobody[] = "--b\r\nContent-Type: a/b\r\n--b--\r\n";
    memset(&s, 0, sizeof s);
    assert_int_equal(mime_multipart_each(nobody, strlen(nobody), "b", collect, &s, &n), 0);
    assert_string_equal(s.bodies[0], "(none)");

    /* "--bb" is not a delimiter of boundary "b"; the body never closes */
    static const char open_body[] = "--b\r\n\r\nx\r\n--bb--\r\n";
    memset(&s, 0, sizeof s);
    assert_int_equal(mime_multipart_each(open_body, strlen(open_body), "b", collect, &s, &n),
                     EINVAL);

    /* the callback may stop early */
    memset(&s, 0, sizeof s);
    s.stop_after = 1;
    assert_int_equal(mime_multipart_each(crlf, strlen(crlf), "b", collect, &s, &n), 0);
    assert_int_equal(s.n, 1);

    char long_b[80];
    memset(long_b, 'x', 71);
    long_b[71] = '\0';
    assert_int_equal(mime_multipart_each(crlf, strlen(crlf), long_b, collect, &s, &n), EINVAL);
    assert_int_equal(mime_multipart_each(crlf, strlen(crlf), "", collect, &s, &n), EINVAL);
}

static void test_media_type(void **state)
{
    char mt[32];
    (void)state;
    mime_media_type("  Text/HTML ; charset=utf-8", mt, sizeof mt);
    assert_string_equal(mt, "text/html");
    mime_media_type("multipart/alternative;boundary=x", mt, sizeof mt);
    assert_string_equal(mt, "multipart/alternative");
    mime_media_type("application/very-long-type-name-that-does-not-fit", mt, 8);
    assert_string_equal(mt, "applica");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_media_type),
    };
    return cmocka_run_group_tests_name("mime", tests, NULL, NULL);
}
