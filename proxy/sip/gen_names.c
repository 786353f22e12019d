/* gen_names.c — a configuration's host names through c-ares, at load and reload (gen_names.h). */
struct gen_names;
#define SU_TIMER_ARG_T struct gen_names

#include "gen_names.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "ini_value.h"

/* One name and its answer. */
struct gen_name {
    struct gen_names *set;
    const char *host;
    struct dns_query *q;         /* in flight; NULL once answered */
    bool answered;
    int status;                  /* DNS_OK, DNS_NOT_FOUND, DNS_UNAVAILABLE */
    char **addrs;
    size_t n_addrs;
    const char *why;             /* when not DNS_OK */
};

struct gen_names {
    su_home_t home[1];
    struct dns_resolver *resolver;   /* until every name is answered */
    su_timer_t *timer;               /* calls `done` outside c-ares' callbacks */
    gen_names_done_f *done;
    void *arg;
    struct gen_name *names;
    size_t n, pending;
};

/* The DNS request for a host name: its own A/AAAA, no SRV (the port is not used). */
static void name_request(const char *host, struct dns_request *req)
{
    memset(req, 0, sizeof *req);
    req->domain = host;
    req->fallback_a = true;
}

static const char *answer_why(struct gen_names *set, const struct dns_answer *ans)
{
    if (ans->status == DNS_NOT_FOUND)
        return "does not exist (no A or AAAA record)";
    return su_sprintf(set->home, "DNS failed: %s%s%s", ans->reason ? ans->reason : "error",
                      ans->error ? ", " : "", ans->error ? ans->error : "");
}

/* The resolver is destroyed here, outside its callbacks; then the owner hears of it. */
static void names_complete(su_root_magic_t *magic, su_timer_t *t, struct gen_names *set)
{
    (void)magic;
    (void)t;
    dns_resolver_destroy(set->resolver);
    set->resolver = NULL;
    if (set->done)
        set->done(set->arg, set);
}

static void name_answered(void *arg, const struct dns_answer *ans, bool from_cache)
{
    struct gen_name *nm = arg;
    struct gen_names *set = nm->set;
    (void)from_cache;

    nm->q = NULL;
    nm->answered = true;
    nm->status = ans->status;
    if (ans->status == DNS_OK && ans->n_addrs > 0) {
        nm->addrs = su_zalloc(set->home, (ans->n_addrs + 1) * sizeof nm->addrs[0]);
        for (size_t i = 0; nm->addrs && i < ans->n_addrs; i++)
            if ((nm->addrs[nm->n_addrs] = su_strdup(set->home, ans->addrs[i])) != NULL)
                nm->n_addrs++;
    }
    if (nm->n_addrs == 0) {
        nm->status = ans->status == DNS_OK ? DNS_NOT_FOUND : ans->status;
        nm->why = ans->status == DNS_OK ? "no address (out of memory)" : answer_why(set, ans);
    }
    /* The resolver may not be destroyed from its own callback: `done` runs from a timer. */
    if (--set->pending == 0)
        su_timer_set_interval(set->timer, names_complete, set, 0);
}

static bool names_has(const struct gen_names *set, const char *host)
{
    for (size_t i = 0; i < set->n; i++)
        if (su_casematch(set->names[i].host, host))
            return true;
    return false;
}

static void names_add(struct gen_names *set, const char *host, size_t max)
{
    if (host && *host && !ini_text_is_ip(host) && !names_has(set, host) && set->n < max)
        set->names[set->n++] = (struct gen_name){ .set = set, .host = host };
}

static bool zone_names_hosts(const struct zone *z)
{
    return z->type == ZONE_NEIGHBOR || z->type == ZONE_TRAVERSAL_CLIENT ||
           z->type == ZONE_TRAVERSAL_SERVER;
}

/* Every peer and static-route host of `dp` that is a name, once each. */
static int names_collect(struct gen_names *set, const struct dialplan *dp)
{
    size_t max = dp->n_static_routes;
    for (size_t i = 0; i < dp->n_zones; i++)
        if (zone_names_hosts(dp->zones[i]))
            max += dp->zones[i]->n_peers;
    set->names = su_zalloc(set->home, (max + 1) * sizeof set->names[0]);
    if (!set->names)
        return ENOMEM;
    for (size_t i = 0; i < dp->n_zones; i++)
        for (size_t p = 0; zone_names_hosts(dp->zones[i]) && p < dp->zones[i]->n_peers; p++)
            names_add(set, dp->zones[i]->peers[p].host, max);
    for (size_t i = 0; i < dp->n_static_routes; i++)
        names_add(set, dp->static_routes[i]->next_hop.host, max);
    return 0;
}

int gen_names_start(su_root_t *root, const struct dns_options *opt, const struct dialplan *dp,
                    gen_names_done_f *done, void *arg, struct gen_names **out,
                    const char **error)
{
    struct gen_names *set = su_home_new(sizeof *set);
    struct dns_options o = *opt;
    int err;

    *out = NULL;
    *error = NULL;
    if (!set)
        return ENOMEM;
    set->done = done;
    set->arg = arg;
    o.hosts_file = true;
    o.cache_max = 1;     /* made for one load: nothing to keep */
    set->timer = su_timer_create(su_root_task(root), 0);
    if (!set->timer || (err = names_collect(set, dp)) != 0) {
        err = ENOMEM;
        goto fail;
    }
    if (set->n > 0 && (err = dns_resolver_create(root, &o, &set->resolver, error)) != 0)
        goto fail;
    set->pending = set->n + 1;   /* held until every query is sent */
    for (size_t i = 0; i < set->n; i++) {
        struct dns_request req;
        name_request(set->names[i].host, &req);
        if ((err = dns_resolve(set->resolver, &req, name_answered, &set->names[i],
                               &set->names[i].q)) != 0) {
            *error = "out of memory";
            goto fail;
        }
    }
    /* Answers come from the loop (dns_resolve never calls back at once): `done` too. */
    if (--set->pending == 0 && su_timer_set_interval(set->timer, names_complete, set, 0) < 0) {
        err = ENOMEM;
        goto fail;
    }
    *out = set;
    return 0;
fail:
    gen_names_destroy(set);
    return err;
}

static void names_once_done(void *arg, struct gen_names *names)
{
    (void)names;
    su_root_break(arg);
}

int gen_names_resolve_now(const struct dns_options *opt, const struct dialplan *dp,
                          struct gen_names **out, const char **error)
{
    su_root_t *root = su_root_create(NULL);
    struct gen_names *set = NULL;

    *out = NULL;
    *error = NULL;
    if (!root)
        return ENOMEM;
    int err = gen_names_start(root, opt, dp, names_once_done, root, &set, error);
    if (err == 0) {
        su_root_run(root);       /* c-ares' timeouts bound it: every query ends */
        su_timer_destroy(set->timer);
        set->timer = NULL;
        set->done = NULL;
        *out = set;
    }
    su_root_destroy(root);
    return err;
}

int gen_names_resolve_file(const struct dns_options *opt, const struct dialplan *dp,
                           const char *file, struct diag *d, struct gen_names **out)
{
    const char *why = NULL;
    int err = gen_names_resolve_now(opt, dp, out, &why);
    if (err)
        diag_error(d, file, 0, "cannot resolve the configuration's host names: %s",
                   why ? why : strerror(err));
    return err;
}

void gen_names_destroy(struct gen_names *set)
{
    if (!set)
        return;
    dns_resolver_destroy(set->resolver);   /* pending queries go with it, no callback */
    su_timer_destroy(set->timer);
    su_home_unref(set->home);
}

size_t gen_names_in_plan(const struct dialplan *dp)
{
    struct gen_names *set = su_home_new(sizeof *set);
    size_t n = set && names_collect(set, dp) == 0 ? set->n : 0;
    if (set)
        su_home_unref(set->home);
    return n;
}

size_t gen_names_count(const struct gen_names *set)
{
    return set ? set->n : 0;
}

size_t gen_names_pending(const struct gen_names *set)
{
    return set ? set->pending : 0;
}

static const struct gen_name *names_find(const struct gen_names *set, const char *host)
{
    for (size_t i = 0; set && host && i < set->n; i++)
        if (su_casematch(set->names[i].host, host))
            return &set->names[i];
    return NULL;
}

int gen_names_get(const struct gen_names *set, const char *host, char *const **addrs,
                  size_t *n_addrs, const char **why)
{
    const struct gen_name *nm = names_find(set, host);

    *addrs = NULL;
    *n_addrs = 0;
    *why = "not resolved";
    if (!nm || !nm->answered)
        return ENOENT;
    if (nm->n_addrs == 0) {
        *why = nm->why;
        return ENOENT;
    }
    *addrs = nm->addrs;
    *n_addrs = nm->n_addrs;
    return 0;
}

/* One line per name and place it appears: `file:line: zone Z: peer 'H' does not resolve: WHY`. */
size_t gen_names_report(const struct gen_names *set, const struct dialplan *dp, struct diag *d)
{
    size_t n = 0;
    char *const *addrs;
    size_t n_addrs;
    const char *why;

    for (size_t i = 0; i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        for (size_t p = 0; zone_names_hosts(z) && p < z->n_peers; p++) {
            const char *host = z->peers[p].host;
            if (ini_text_is_ip(host) || gen_names_get(set, host, &addrs, &n_addrs, &why) == 0)
                continue;
            diag_error(d, z->file ? z->file : dp->dir, z->line,
                       "zone %s: peer '%s' does not resolve: %s", z->name, host, why);
            n++;
        }
    }
    for (size_t i = 0; i < dp->n_static_routes; i++) {
        const struct static_route *sr = dp->static_routes[i];
        const char *host = sr->next_hop.host;
        if (ini_text_is_ip(host) || gen_names_get(set, host, &addrs, &n_addrs, &why) == 0)
            continue;
        diag_error(d, sr->file ? sr->file : dp->dir, sr->line,
                   "static route %s: next hop '%s' does not resolve: %s", sr->domain, host, why);
        n++;
    }
    return n;
}
