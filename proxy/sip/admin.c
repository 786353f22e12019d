/* admin.c — the admin listener: an nth site on the proxy's su_root, request dispatch, the
 * bearer token check. The documents are rendered by admin_metrics.c, admin_status.c and
 * admin_html.c from the proxy's live state, in the event loop (no copy, no lock). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct admin;
#define NTH_SITE_MAGIC_T struct admin

#include <sofia-sip/http_header.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nth.h>
#include <sofia-sip/su_string.h>

#include "admin_int.h"
#include "log.h"
#include "ops_stats.h"
#include "prom.h"

#define ADMIN_JSON "application/json; charset=utf-8"
#define ADMIN_HTML "text/html; charset=utf-8"
#define ADMIN_TEXT "text/plain; charset=utf-8"

/* Longest Authorization value read: "Bearer " and a token of up to 4096 characters. */
enum { ADMIN_AUTH_MAX = 4200 };

struct admin {
    su_home_t home[1];
    nth_site_t *site;
    struct admin_sources src;
    char *token;                 /* "Bearer <token>" expected, or NULL: no token */
    char *listen;
};

/* Constant-time comparison of the Authorization header with the expected value. */
static bool token_matches(const char *expected, const char *given)
{
    size_t n = strlen(expected), m = given ? strlen(given) : 0;
    unsigned char diff = n != m;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(expected[i] ^ (i < m ? given[i] : 0));
    return diff == 0;
}

static bool request_authorized(struct admin *a, const http_t *http)
{
    if (!a->token)
        return true;
    if (!http->http_authorization)
        return false;
    /* the field value as sofia encodes it back: "Bearer <token>" */
    char given[ADMIN_AUTH_MAX];
    issize_t n = msg_header_field_e(given, sizeof given,
                                    (const msg_header_t *)http->http_authorization, 0);
    return n > 0 && (size_t)n < sizeof given && token_matches(a->token, given);
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

static void reply(nth_request_t *req, int status, const char *phrase, const char *type,
                  const char *body, bool head_only)
{
    nth_request_treply(req, status, phrase, HTTPTAG_CONTENT_TYPE_STR(type),
                       HTTPTAG_CACHE_CONTROL_STR("no-store"),
                       TAG_IF(!head_only, HTTPTAG_PAYLOAD_STR(body)), TAG_END());
}

static int admin_request(struct admin *a, nth_site_t *site, nth_request_t *req,
                         const http_t *http, const char *path)
{
    (void)site;
    http_method_t method = http->http_request->rq_method;
    const char *query = http->http_request->rq_url->url_headers;

    if (method != http_method_get && method != http_method_head) {
        nth_request_treply(req, HTTP_405_NOT_ALLOWED, HTTPTAG_ALLOW_STR("GET, HEAD"),
                           TAG_END());
        return 405;
    }
    if (!request_authorized(a, http)) {
        log_warn("admin", "event=refused path=/%s reason=\"missing or wrong bearer token\"",
                 path ? path : "");
        nth_request_treply(req, HTTP_401_UNAUTHORIZED,
                           HTTPTAG_WWW_AUTHENTICATE_STR("Bearer realm=\"sipfed\""),
                           HTTPTAG_CONTENT_TYPE_STR(ADMIN_TEXT),
                           HTTPTAG_PAYLOAD_STR("a bearer token is required\n"), TAG_END());
        return 401;
    }

    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct textbuf b;
    struct admin_doc d = { .src = &a->src, .now = time(NULL) };
    const char *type = ADMIN_JSON;
    int status = 200;
    bool head = method == http_method_head;

    textbuf_init(&b, home);
    if (!path)
        path = "";
    if (strcmp(path, "metrics") == 0) {
        admin_metrics_render(&d, &b);
        type = PROM_CONTENT_TYPE;
    } else if (strcmp(path, "status") == 0) {
        admin_status_render(&d, &b);
    } else if (strcmp(path, "history") == 0) {
        admin_history_render(&d, query_count(query, HISTORY_DEFAULT, HISTORY_MAX), &b);
    } else if (strcmp(path, "summary") == 0) {
        admin_summary_render(&d, &b);
        type = ADMIN_TEXT;
    } else if (strcmp(path, "presence") == 0) {
        admin_presence_render(&d, &b);
    } else if (strcmp(path, "") == 0 || strcmp(path, "index.html") == 0) {
        admin_html_render(&d, &b);
        type = ADMIN_HTML;
    } else {
        status = 404;
        type = ADMIN_TEXT;
        textbuf_add(&b, "not found: try /, /status, /summary, /metrics, /history?n=50 or /presence\n");
    }
    if (b.failed) {
        reply(req, HTTP_500_INTERNAL_SERVER, ADMIN_TEXT, "out of memory\n", head);
        status = 500;
    } else if (status == 404) {
        reply(req, HTTP_404_NOT_FOUND, type, textbuf_str(&b), head);
    } else {
        reply(req, HTTP_200_OK, type, textbuf_str(&b), head);
    }
    log_debug("admin", "event=request path=/%s status=%d bytes=%zu", path, status, b.len);
    su_home_deinit(home);
    return status;
}

static void admin_token_set(struct admin *a, const char *token)
{
    su_free(a->home, a->token);
    a->token = token ? su_sprintf(a->home, "Bearer %s", token) : NULL;
}

int admin_create(su_root_t *root, const struct node_config *cfg, const struct admin_sources *src,
                 struct admin **out)
{
    struct admin *a = su_home_new(sizeof *a);

    *out = NULL;
    if (!a)
        return ENOMEM;
    a->src = *src;
    a->listen = su_strdup(a->home, cfg->admin_listen);
    admin_token_set(a, cfg->admin_token);
    bool v6 = strchr(cfg->admin_host, ':') != NULL;
    char *url = su_sprintf(a->home, "http://%s%s%s:%u", v6 ? "[" : "", cfg->admin_host,
                           v6 ? "]" : "", cfg->admin_port + src->port_offset);
    a->site = nth_site_create(NULL, admin_request, a, URL_STRING_MAKE(url), NTHTAG_ROOT(root),
                              TAG_END());
    if (!a->site) {
        log_text(LOG_LVL_ERROR, "%s:%u: cannot listen on admin address %s: %s", cfg->file,
                 cfg->admin_line, cfg->admin_listen, strerror(errno));
        su_home_unref(a->home);
        return EADDRNOTAVAIL;
    }
    log_info("admin", "event=listen url=%s/ token=%s", url, a->token ? "required" : "none");
    *out = a;
    return 0;
}

void admin_reconfigure(struct admin *a, const struct node_config *cfg)
{
    if (!a)
        return;
    admin_token_set(a, cfg->admin_token);
    if (!cfg->admin_listen || strcmp(cfg->admin_listen, a->listen) != 0)
        log_warn("admin", "event=reload msg=\"admin listen changed: restart to apply\"");
}

void admin_destroy(struct admin *a)
{
    if (!a)
        return;
    if (a->site)
        nth_site_destroy(a->site);
    su_home_unref(a->home);
}
