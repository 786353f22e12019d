/* admin_route.c — the admin request's answer from the request alone (see admin_route.h). */
#include "admin_route.h"

#include <stdlib.h>
#include <string.h>

#include <sofia-sip/http_header.h>
#include <sofia-sip/msg_header.h>

#include "history.h"

/* Constant-time comparison of the Authorization header with the expected value. */
static bool token_matches(const char *expected, const char *given)
{
    size_t n = strlen(expected), m = given ? strlen(given) : 0;
    unsigned char diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(expected[i] ^ (i < m ? given[i] : 0));
    return diff == 0;
}

static bool request_authorized(const char *expected, const http_t *http)
{
    if (!expected)
        return true;
    if (!http->http_authorization)
        return false;
    /* the field value as sofia encodes it back: "Bearer <token>" */
    char given[ADMIN_AUTH_MAX];
    issize_t n = msg_header_field_e(given, sizeof given,
                                    (const msg_header_t *)http->http_authorization, 0);
    return n > 0 && (size_t)n < sizeof given && token_matches(expected, given);
}

/* `n` from a query string `n=50&...` (`dflt` when absent or not a number). */
static size_t query_count(const char *query, size_t dflt, size_t max)
{
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, "n=", 2) != 0)
            continue;
        char *end;
        unsigned long v = strtoul(p + 2, &end, 10);
        if (end != p + 2 && (*end == '\0' || *end == '&'))
            return v > max ? max : (size_t)v;
    }
    return dflt;
}

void admin_route_request(const http_t *http, const char *path, const char *expected_auth,
                         struct admin_route *out)
{
    static const struct { const char *path; enum admin_page page; } pages[] = {
        { "metrics", ADMIN_PAGE_METRICS }, { "status", ADMIN_PAGE_STATUS },
        { "history", ADMIN_PAGE_HISTORY }, { "summary", ADMIN_PAGE_SUMMARY },
        { "presence", ADMIN_PAGE_PRESENCE }, { "", ADMIN_PAGE_HTML },
        { "index.html", ADMIN_PAGE_HTML },
    };
    http_method_t method = http->http_request->rq_method;

    memset(out, 0, sizeof *out);
    out->head = method == http_method_head;
    if (method != http_method_get && method != http_method_head) {
        out->status = 405;
        return;
    }
    if (!request_authorized(expected_auth, http)) {
        out->status = 401;
        return;
    }
    out->status = 404;
    out->page = ADMIN_PAGE_NOT_FOUND;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (strcmp(path ? path : "", pages[i].path) == 0) {
            out->status = 200;
            out->page = pages[i].page;
            break;
        }
    if (out->page == ADMIN_PAGE_HISTORY)
        out->history_n = query_count(http->http_request->rq_url->url_headers, HISTORY_DEFAULT,
                                     HISTORY_MAX);
}
