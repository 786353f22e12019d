/* admin.c — the admin listener: an nth site on the proxy's su_root, and each request answered
 * as admin_route.c decides (method, bearer token, page). The documents are rendered by admin_metrics.c, admin_status.c and
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
#include "admin_route.h"
#include "log.h"
#include "ops_stats.h"
#include "prom.h"

#define ADMIN_JSON "application/json; charset=utf-8"
#define ADMIN_HTML "text/html; charset=utf-8"
#define ADMIN_TEXT "text/plain; charset=utf-8"

struct admin {
    su_home_t home[1];
    nth_site_t *site;
    struct admin_sources src;
    char *token;                 /* "Bearer <token>" expected, or NULL: no token */
    char *listen;
};

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
    struct admin_route r;

    admin_route_request(http, path, a->token, &r);
    if (r.status == 405) {
        nth_request_treply(req, HTTP_405_NOT_ALLOWED, HTTPTAG_ALLOW_STR("GET, HEAD"),
                           TAG_END());
        return 405;
    }
    if (r.status == 401) {
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
    int status = r.status;

    textbuf_init(&b, home);
    switch (r.page) {
    case ADMIN_PAGE_METRICS:
        admin_metrics_render(&d, &b);
        type = PROM_CONTENT_TYPE;
        break;
    case ADMIN_PAGE_STATUS:
        admin_status_render(&d, &b);
        break;
    case ADMIN_PAGE_HISTORY:
        admin_history_render(&d, r.history_n, &b);
        break;
    case ADMIN_PAGE_SUMMARY:
        admin_summary_render(&d, &b);
        type = ADMIN_TEXT;
        break;
    case ADMIN_PAGE_PRESENCE:
        admin_presence_render(&d, &b);
        break;
    case ADMIN_PAGE_HTML:
        admin_html_render(&d, &b);
        type = ADMIN_HTML;
        break;
    case ADMIN_PAGE_NONE:
    case ADMIN_PAGE_NOT_FOUND:
        type = ADMIN_TEXT;
        textbuf_add(&b, "not found: try /, /status, /summary, /metrics, /history?n=50 or /presence\n");
        break;
    }
    if (b.failed) {
        reply(req, HTTP_500_INTERNAL_SERVER, ADMIN_TEXT, "out of memory\n", r.head);
        status = 500;
    } else if (status == 404) {
        reply(req, HTTP_404_NOT_FOUND, type, textbuf_str(&b), r.head);
    } else {
        reply(req, HTTP_200_OK, type, textbuf_str(&b), r.head);
    }
    log_debug("admin", "event=request path=/%s status=%d bytes=%zu", path ? path : "", status,
              b.len);
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
