/* test_admin_route.c — the admin interface's answer to a request, decided from the request as
 * sofia's HTTP parser reads it (admin_route.c): methods, the bearer token, pages, ?n=. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/http.h>
#include <sofia-sip/http_header.h>
#include <sofia-sip/msg.h>

#include "admin_route.h"
#include "history.h"

#define TOKEN "Bearer s3cret"

struct route_case {
    const char *request;         /* request line and headers, without the final CRLF */
    const char *token;           /* configured, or NULL */
    int status;
    enum admin_page page;
    size_t history_n;
    bool head;
};

static const struct route_case cases[] = {
    { "GET /metrics HTTP/1.1\r\nHost: h", NULL, 200, ADMIN_PAGE_METRICS, 0, false },
    { "GET / HTTP/1.1", NULL, 200, ADMIN_PAGE_HTML, 0, false },
    { "HEAD /index.html HTTP/1.0", NULL, 200, ADMIN_PAGE_HTML, 0, true },
    { "GET /status HTTP/1.1", NULL, 200, ADMIN_PAGE_STATUS, 0, false },
    { "GET /summary HTTP/1.1", NULL, 200, ADMIN_PAGE_SUMMARY, 0, false },
    { "GET /presence HTTP/1.1", NULL, 200, ADMIN_PAGE_PRESENCE, 0, false },
    { "GET /history HTTP/1.1", NULL, 200, ADMIN_PAGE_HISTORY, HISTORY_DEFAULT, false },
    { "GET /history?n=5 HTTP/1.1", NULL, 200, ADMIN_PAGE_HISTORY, 5, false },
    { "GET /history?x=1&n=7 HTTP/1.1", NULL, 200, ADMIN_PAGE_HISTORY, 7, false },
    { "GET /history?n=99999999 HTTP/1.1", NULL, 200, ADMIN_PAGE_HISTORY, HISTORY_MAX, false },
    { "GET /history?n=5x HTTP/1.1", NULL, 200, ADMIN_PAGE_HISTORY, HISTORY_DEFAULT, false },
    { "GET /nope HTTP/1.1", NULL, 404, ADMIN_PAGE_NOT_FOUND, 0, false },
    { "GET /metrics/ HTTP/1.1", NULL, 404, ADMIN_PAGE_NOT_FOUND, 0, false },
    { "POST /metrics HTTP/1.1\r\nContent-Length: 0", NULL, 405, ADMIN_PAGE_NONE, 0, false },
    { "DELETE / HTTP/1.1", TOKEN, 405, ADMIN_PAGE_NONE, 0, false },
    { "GET /metrics HTTP/1.1", TOKEN, 401, ADMIN_PAGE_NONE, 0, false },
    { "GET /metrics HTTP/1.1\r\nAuthorization: Bearer nope", TOKEN, 401, ADMIN_PAGE_NONE, 0,
      false },
    { "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cretX", TOKEN, 401, ADMIN_PAGE_NONE, 0,
      false },
    { "GET /metrics HTTP/1.1\r\nAuthorization: Basic czNjcmV0", TOKEN, 401, ADMIN_PAGE_NONE, 0,
      false },
    { "GET /metrics HTTP/1.1\r\nAuthorization: Bearer s3cret", TOKEN, 200, ADMIN_PAGE_METRICS, 0,
      false },
    { "GET /nope HTTP/1.1\r\nAuthorization: Bearer s3cret", TOKEN, 404, ADMIN_PAGE_NOT_FOUND, 0,
      false },
};

static void test_routes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s\r\n\r\n", cases[i].request);
        msg_t *m = msg_make(http_default_mclass(), MSG_DO_CANONIC, buf, (ssize_t)strlen(buf));
        assert_non_null(m);
        http_t *http = http_object(m);
        assert_non_null(http->http_request);
        struct admin_route r;
        admin_route_request(http, http->http_request->rq_url->url_path, cases[i].token, &r);
        assert_int_equal(r.status, cases[i].status);
        assert_int_equal(r.page, cases[i].page);
        assert_int_equal(r.history_n, cases[i].history_n);
        assert_int_equal(r.head, cases[i].head);
        msg_destroy(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
