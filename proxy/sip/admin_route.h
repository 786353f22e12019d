/* admin_route.h — which answer an admin HTTP request gets, decided from the parsed request alone
 * (no listener, no proxy state): the method, the bearer token, the path and its query. admin.c
 * renders the chosen document; tests/fuzz/fuzz_admin.c drives this with requests framed and
 * parsed by sofia's HTTP parser as nth does. */
#ifndef SIPFED_ADMIN_ROUTE_H
#define SIPFED_ADMIN_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/http.h>

/* Longest Authorization value read: "Bearer " and a token of up to 4096 characters. */
enum { ADMIN_AUTH_MAX = 4200 };

enum admin_page {
    ADMIN_PAGE_NONE,             /* refused: 401 or 405 */
    ADMIN_PAGE_METRICS,
    ADMIN_PAGE_STATUS,
    ADMIN_PAGE_HISTORY,
    ADMIN_PAGE_SUMMARY,
    ADMIN_PAGE_PRESENCE,
    ADMIN_PAGE_HTML,
    ADMIN_PAGE_NOT_FOUND,        /* 404 with the list of pages */
};

struct admin_route {
    int status;                  /* 200, 401, 404 or 405 */
    enum admin_page page;
    bool head;                   /* HEAD: the headers only */
    size_t history_n;            /* ADMIN_PAGE_HISTORY: entries asked for (?n=), at most
                                  * HISTORY_MAX */
};

/* Route request `http` for `path` (nth's: the URL path without its leading '/', NULL for "/").
 * `expected_auth` is the whole Authorization value required ("Bearer TOKEN"), NULL when no
 * token is configured; it is compared in constant time. */
void admin_route_request(const http_t *http, const char *path, const char *expected_auth,
                         struct admin_route *out);

#endif
