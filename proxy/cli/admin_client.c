/* admin_client.c — one HTTP GET to the admin listener with nth, bounded in time. */
#include "admin_client.h"

#include <errno.h>
#include <string.h>

struct admin_get;
#define NTH_CLIENT_MAGIC_T struct admin_get
#define SU_ROOT_MAGIC_T    struct admin_get
#define SU_TIMER_ARG_T     struct admin_get

#include <sofia-sip/http_header.h>
#include <sofia-sip/nth.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>

/* sofia's own client and transport logs: their lines would repeat, less clearly, the one
 * message admin_get's caller prints. */
extern su_log_t nth_client_log[];
extern su_log_t tport_log[];

struct admin_get {
    su_root_t *root;
    su_home_t *home;
    bool done, timed_out;
    int status;
    char *body;
};

static int got_response(struct admin_get *g, nth_client_t *clnt, const http_t *http)
{
    int status = nth_client_status(clnt);
    if (status < 200)
        return 0;                      /* provisional, or nth's own progress */
    g->status = status;
    if (http && http->http_payload)
        g->body = su_strndup(g->home, http->http_payload->pl_data, http->http_payload->pl_len);
    else
        g->body = su_strdup(g->home, "");
    g->done = true;
    su_root_break(g->root);
    return 0;
}

static void timed_out(struct admin_get *g, su_timer_t *t, struct admin_get *arg)
{
    (void)t;
    (void)arg;
    g->timed_out = true;
    su_root_break(g->root);
}

int admin_get(su_home_t *home, const struct node_config *cfg, const char *path, char **body,
              int *status, const char **why)
{
    struct admin_get g = { .home = home };
    nth_engine_t *engine = NULL;
    nth_client_t *clnt = NULL;
    su_timer_t *timer = NULL;
    int err = ENOMEM;

    *why = "out of memory";
    su_log_set_level(nth_client_log, 0);
    su_log_set_level(tport_log, 0);
    /* A daemon listening on every address is reached on loopback. */
    const char *host = cfg->admin_host;
    if (strcmp(host, "0.0.0.0") == 0)
        host = "127.0.0.1";
    else if (strcmp(host, "::") == 0)
        host = "::1";
    bool v6 = strchr(host, ':') != NULL;
    char *url = su_sprintf(home, "http://%s%s%s:%u/%s", v6 ? "[" : "", host, v6 ? "]" : "",
                           cfg->admin_port, path);
    char *auth = cfg->admin_token ? su_sprintf(home, "Bearer %s", cfg->admin_token) : NULL;

    if (!url || !(g.root = su_root_create(&g)) || !(engine = nth_engine_create(g.root, TAG_END())))
        goto out;
    timer = su_timer_create(su_root_task(g.root), ADMIN_CLIENT_TIMEOUT_S * 1000);
    clnt = nth_client_tcreate(engine, got_response, &g, http_method_get, "GET",
                              URL_STRING_MAKE(url), TAG_IF(auth, HTTPTAG_AUTHORIZATION_STR(auth)),
                              TAG_END());
    if (!timer || !clnt || su_timer_set(timer, timed_out, &g) < 0)
        goto out;
    while (!g.done && !g.timed_out)
        su_root_run(g.root);
    if (g.timed_out) {
        err = ETIMEDOUT;
        *why = "no answer in time";
    } else if (g.status >= 500 && g.status < 600 && !*g.body) {
        /* nth's own 5xx without a body: the connection failed */
        err = ECONNREFUSED;
        *why = "cannot connect (is the daemon running with this [admin] listen?)";
    } else {
        err = 0;
        *body = g.body;
        *status = g.status;
    }
out:
    if (clnt)
        nth_client_destroy(clnt);
    if (timer)
        su_timer_destroy(timer);
    if (engine)
        nth_engine_destroy(engine);
    if (g.root)
        su_root_destroy(g.root);
    return err;
}
