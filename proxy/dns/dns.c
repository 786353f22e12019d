/* dns.c — c-ares in the sofia event loop: SRV (Microsoft's pick) then A/AAAA, cached, shared. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>

struct dns_resolver;
#define SU_WAKEUP_ARG_T struct dns_resolver
#define SU_TIMER_ARG_T struct dns_resolver

#include <ares.h>
#include <sofia-sip/su_wait.h>

#include "dns.h"
#include "log.h"

enum {
    DNS_DEFAULT_TIMEOUT_MS = 1000,
    DNS_DEFAULT_TRIES = 2,
    DNS_DEFAULT_CACHE_MAX = 1024,
};

/* A socket c-ares asked us to watch. */
struct dns_sock {
    ares_socket_t fd;
    int index;                   /* su_root_register() index */
};

/* A caller waiting for an answer: on a lookup's list, then on the resolver's ready list. */
struct dns_query {
    struct dns_query *next, **prev;
    struct dns_resolver *r;
    dns_resolve_f *cb;
    void *arg;
    const struct dns_answer *ans;    /* a reference, once ready */
    bool from_cache;
};

/* One lookup in flight, shared by every query for the same key. Owns its home. */
struct dns_lookup {
    su_home_t home[1];
    struct dns_lookup *next, **prev;
    struct dns_resolver *r;
    char *key;
    char *domain;
    char **services;
    size_t n_services;
    size_t svc;                      /* the service being queried */
    bool fallback_a;
    uint16_t port;                   /* the A-record port */
    struct dns_query *waiters;
    struct dns_answer *ans;          /* being built */
    uint32_t srv_ttl;                /* UINT32_MAX: no SRV step */
};

struct dns_cache_entry {
    char *key;                       /* from the resolver's home */
    const struct dns_answer *ans;    /* a reference */
    long long expires_ms;            /* monotonic */
};

struct dns_resolver {
    su_home_t home[1];
    su_root_t *root;
    ares_channel channel;
    bool channel_ok;
    bool destroying;
    su_timer_t *timer;               /* c-ares' next timeout */
    su_timer_t *flush;               /* delivers ready queries on the next loop turn */
    struct dns_sock *socks;
    size_t n_socks, cap_socks;
    struct dns_lookup *lookups;
    struct dns_query *ready, **ready_tail;
    char *servers;                   /* the servers as configured (CSV), "" = system resolver */
    struct dns_cache_entry *cache;   /* linear: a few hundred partner domains, O(n) is fine */
    size_t n_cache, cache_max;
    struct dns_stats stats;
};

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- event-loop glue ------------------------------------------------------------------ */

static void dns_timer_update(struct dns_resolver *r);

static int dns_sock_ready(su_root_magic_t *magic, su_wait_t *w, struct dns_resolver *r)
{
    (void)magic;
    ares_socket_t fd = su_wait_socket(w);
    int ev = su_wait_events(w, fd);
    ares_socket_t rfd = (ev & (SU_WAIT_IN | SU_WAIT_HUP | SU_WAIT_ERR)) ? fd : ARES_SOCKET_BAD;
    ares_socket_t wfd = (ev & SU_WAIT_OUT) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(r->channel, rfd, wfd);
    dns_timer_update(r);
    return 0;
}

/* ARES_OPT_SOCK_STATE_CB: watch, re-mask or forget a c-ares socket. */
static void dns_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct dns_resolver *r = data;
    int events = (readable ? SU_WAIT_IN : 0) | (writable ? SU_WAIT_OUT : 0);
    size_t i;
    for (i = 0; i < r->n_socks && r->socks[i].fd != fd; i++)
        ;
    if (events == 0) {
        if (i < r->n_socks) {
            su_root_deregister(r->root, r->socks[i].index);
            r->socks[i] = r->socks[--r->n_socks];
        }
        return;
    }
    if (i < r->n_socks) {
        su_root_eventmask(r->root, r->socks[i].index, fd, events);
        return;
    }
    if (r->n_socks == r->cap_socks) {
        size_t cap = r->cap_socks ? 2 * r->cap_socks : 4;
        struct dns_sock *s = su_realloc(r->home, r->socks, cap * sizeof *s);
        if (s == NULL)
            goto fail;
        r->socks = s, r->cap_socks = cap;
    }
    su_wait_t w[1];
    if (su_wait_create(w, fd, events) < 0)
        goto fail;
    int index = su_root_register(r->root, w, dns_sock_ready, r, su_pri_normal);
    if (index <= 0) {
        su_wait_destroy(w);
        goto fail;
    }
    r->socks[r->n_socks++] = (struct dns_sock){ .fd = fd, .index = index };
    return;
fail:
    /* The query on this socket will time out (c-ares' timer still runs): a 503, not a hang. */
    log_error("dns", "event=socket_register_failed fd=%d", (int)fd);
}

static void dns_timer_fire(su_root_magic_t *magic, su_timer_t *t, struct dns_resolver *r)
{
    (void)magic, (void)t;
    ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    dns_timer_update(r);
}

/* Arm the timer for c-ares' next timeout, or stop it when nothing is pending. */
static void dns_timer_update(struct dns_resolver *r)
{
    struct timeval buf, *tv;
    if (r->destroying)
        return;
    tv = ares_timeout(r->channel, NULL, &buf);
    if (tv == NULL) {
        su_timer_reset(r->timer);
        return;
    }
    su_duration_t ms = (su_duration_t)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000);
    su_timer_set_interval(r->timer, dns_timer_fire, r, ms);
}

/* ---- queries, delivery ---------------------------------------------------------------- */

static void query_unlink(struct dns_query *q)
{
    if ((*q->prev = q->next) != NULL)
        q->next->prev = q->prev;
    else if (q->r->ready_tail == &q->next)
        q->r->ready_tail = q->prev;
    q->next = NULL, q->prev = NULL;
}

static void dns_flush_fire(su_root_magic_t *magic, su_timer_t *t, struct dns_resolver *r);

static void query_push_ready(struct dns_resolver *r, struct dns_query *q)
{
    q->next = NULL;
    q->prev = r->ready_tail;
    *r->ready_tail = q;
    r->ready_tail = &q->next;
    su_timer_set_interval(r->flush, dns_flush_fire, r, 0);
}

static void dns_flush_fire(su_root_magic_t *magic, su_timer_t *t, struct dns_resolver *r)
{
    (void)magic, (void)t;
    struct dns_query *q;
    /* Pop one at a time: a callback may cancel or add queries. */
    while ((q = r->ready) != NULL) {
        query_unlink(q);
        q->cb(q->arg, q->ans, q->from_cache);
        dns_answer_unref(q->ans);
        su_free(r->home, q);
    }
}

void dns_query_cancel(struct dns_query *q)
{
    if (q == NULL)
        return;
    query_unlink(q);
    if (q->ans != NULL)
        dns_answer_unref(q->ans);
    su_free(q->r->home, q);
}

const struct dns_answer *dns_answer_ref(const struct dns_answer *ans)
{
    su_home_ref((su_home_t *)ans->home);
    return ans;
}

void dns_answer_unref(const struct dns_answer *ans)
{
    if (ans != NULL)
        su_home_unref((su_home_t *)ans->home);
}

/* ---- the cache ------------------------------------------------------------------------ */

static struct dns_cache_entry *cache_find(struct dns_resolver *r, const char *key)
{
    long long now = now_ms();
    for (size_t i = 0; i < r->n_cache; i++) {
        struct dns_cache_entry *e = &r->cache[i];
        if (strcmp(e->key, key) != 0)
            continue;
        if (e->expires_ms > now)
            return e;
        su_free(r->home, e->key);
        dns_answer_unref(e->ans);
        *e = r->cache[--r->n_cache];
        return NULL;
    }
    return NULL;
}

/* Keep `ans` for its TTL. When full, replace the entry that expires first. */
static void cache_store(struct dns_resolver *r, const char *key, const struct dns_answer *ans)
{
    if (ans->ttl == 0)
        return;
    char *k = su_strdup(r->home, key);
    if (k == NULL)
        return;
    struct dns_cache_entry *e;
    if (r->n_cache < r->cache_max) {
        e = &r->cache[r->n_cache++];
    } else {
        e = &r->cache[0];
        for (size_t i = 1; i < r->n_cache; i++)
            if (r->cache[i].expires_ms < e->expires_ms)
                e = &r->cache[i];
        su_free(r->home, e->key);
        dns_answer_unref(e->ans);
    }
    e->key = k;
    e->ans = dns_answer_ref(ans);
    e->expires_ms = now_ms() + (long long)ans->ttl * 1000;
}

/* ---- a lookup ------------------------------------------------------------------------- */

/* Count a finished lookup under its result (reasons are a handful of constant strings). */
static void stats_result_count(struct dns_stats *st, const char *reason)
{
    size_t i;
    for (i = 0; i < st->n_results && strcmp(st->results[i].result, reason) != 0; i++)
        ;
    if (i == st->n_results) {
        if (i == DNS_RESULTS_MAX)
            return;
        st->results[st->n_results++].result = reason;
    }
    st->results[i].n++;
}

/* Deliver the lookup's answer to its waiters, cache it, free the lookup. */
static void lookup_finish(struct dns_lookup *lk, int status, const char *reason, const char *error)
{
    struct dns_resolver *r = lk->r;
    stats_result_count(&r->stats, reason);
    struct dns_answer *ans = lk->ans;
    ans->status = status;
    ans->reason = reason;
    ans->error = error;
    if (status == DNS_NOT_FOUND)
        ans->ttl = DNS_NEGATIVE_TTL;
    else if (status != DNS_OK)
        ans->ttl = 0;
    if (ans->ttl > DNS_TTL_MAX)
        ans->ttl = DNS_TTL_MAX;
    log_debug("dns", "event=answer domain=%s status=%d reason=%s target=%s addr=%s ttl=%u",
              lk->domain, status, reason, ans->target ? ans->target : "-",
              ans->n_addrs ? ans->addrs[0] : "-", (unsigned)ans->ttl);
    cache_store(r, lk->key, ans);

    struct dns_query *q;
    while ((q = lk->waiters) != NULL) {
        query_unlink(q);
        q->ans = dns_answer_ref(ans);
        query_push_ready(r, q);
    }
    if ((*lk->prev = lk->next) != NULL)
        lk->next->prev = lk->prev;
    r->stats.pending--;
    dns_answer_unref(ans);
    su_home_unref(lk->home);
}

/* RFC 6761 §6.4: names under .invalid are answered "no such name" at once, without asking a
 * server (a lab or test host may have no reachable resolver). With or without the root's dot. */
static bool dns_name_is_invalid(const char *name)
{
    static const char tld[] = "invalid";
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        n--;
    size_t t = sizeof tld - 1;
    if (n < t || strncasecmp(name + n - t, tld, t) != 0)
        return false;
    return n == t || name[n - t - 1] == '.';
}

/* c-ares' status -> our outcome: true when the name simply does not exist (404). */
static bool ares_status_absent(int status)
{
    return status == ARES_ENOTFOUND || status == ARES_ENODATA || status == ARES_ENONAME;
}

static const char *ares_status_reason(int status)
{
    return status == ARES_ETIMEOUT ? "timeout" : "dns_error";
}

static void lookup_next_service(struct dns_lookup *lk);

static void lookup_addr_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    struct dns_lookup *lk = arg;
    (void)timeouts;
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || lk->r->destroying) {
        ares_freeaddrinfo(res);
        return;
    }
    struct dns_answer *ans = lk->ans;
    if (status != ARES_SUCCESS) {
        ares_freeaddrinfo(res);
        if (ares_status_absent(status))
            lookup_finish(lk, DNS_NOT_FOUND, "no_address", ares_strerror(status));
        else
            lookup_finish(lk, DNS_UNAVAILABLE, ares_status_reason(status), ares_strerror(status));
        return;
    }
    size_t n = 0;
    uint32_t ttl = lk->srv_ttl;
    for (struct ares_addrinfo_node *ai = res->nodes; ai; ai = ai->ai_next)
        n++;
    for (struct ares_addrinfo_cname *cn = res->cnames; cn; cn = cn->next)
        if (cn->ttl >= 0 && (uint32_t)cn->ttl < ttl)
            ttl = (uint32_t)cn->ttl;
    ans->addrs = su_zalloc(ans->home, (n + 1) * sizeof ans->addrs[0]);
    for (struct ares_addrinfo_node *ai = res->nodes; ai && ans->addrs; ai = ai->ai_next) {
        char buf[INET6_ADDRSTRLEN];
        const void *a = ai->ai_family == AF_INET6
                            ? (const void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr
                            : (const void *)&((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr;
        if (inet_ntop(ai->ai_family, a, buf, sizeof buf) == NULL)
            continue;
        ans->addrs[ans->n_addrs++] = su_strdup(ans->home, buf);
        if (ai->ai_ttl >= 0 && (uint32_t)ai->ai_ttl < ttl)
            ttl = (uint32_t)ai->ai_ttl;
    }
    ares_freeaddrinfo(res);
    if (ans->n_addrs == 0) {
        lookup_finish(lk, DNS_NOT_FOUND, "no_address", NULL);
        return;
    }
    ans->ttl = ttl;
    lookup_finish(lk, DNS_OK, lk->srv_ttl == UINT32_MAX ? "a_record" : "srv", NULL);
}

static void lookup_resolve_target(struct dns_lookup *lk)
{
    struct ares_addrinfo_hints hints;
    char port[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = ARES_AI_NUMERICSERV;
    snprintf(port, sizeof port, "%u", (unsigned)lk->ans->port);
    if (dns_name_is_invalid(lk->ans->target))
        lookup_addr_cb(lk, ARES_ENOTFOUND, 0, NULL);
    else
        ares_getaddrinfo(lk->r->channel, lk->ans->target, port, &hints, lookup_addr_cb, lk);
}

/* The TTL of each SRV record of the answer section, in answer order (c-ares 1.18's SRV parser
 * drops them; libresolv's parser reads them). Missing ones stay at DNS_TTL_MAX. */
static void srv_ttls_parse(const unsigned char *abuf, int alen, struct srv_record *recs, size_t n)
{
    ns_msg msg;
    if (ns_initparse(abuf, alen, &msg) < 0)
        return;
    size_t k = 0;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an) && k < n; i++) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0)
            return;
        if (ns_rr_type(rr) == ns_t_srv)
            recs[k++].ttl = ns_rr_ttl(rr);
    }
}

static void lookup_srv_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
    struct dns_lookup *lk = arg;
    (void)timeouts;
    if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED || lk->r->destroying)
        return;
    struct dns_answer *ans = lk->ans;
    struct dns_srv_set *set = &ans->srv[ans->n_srv - 1];
    struct ares_srv_reply *reply = NULL;

    if (status == ARES_SUCCESS)
        status = ares_parse_srv_reply(abuf, alen, &reply);
    if (status != ARES_SUCCESS) {
        if (!ares_status_absent(status)) {
            set->result = ares_status_reason(status);
            lookup_finish(lk, DNS_UNAVAILABLE, set->result, ares_strerror(status));
            return;
        }
        set->result = status == ARES_ENOTFOUND ? "nxdomain" : "nodata";
        lookup_next_service(lk);
        return;
    }
    set->result = "ok";
    for (struct ares_srv_reply *s = reply; s; s = s->next)
        set->n++;
    set->records = su_zalloc(ans->home, (set->n + 1) * sizeof set->records[0]);
    if (set->records == NULL) {
        ares_free_data(reply);
        lookup_finish(lk, DNS_UNAVAILABLE, "dns_error", "out of memory");
        return;
    }
    size_t i = 0;
    for (struct ares_srv_reply *s = reply; s; s = s->next, i++)
        set->records[i] = (struct srv_record){ .target = su_strdup(ans->home, s->host),
                                               .priority = s->priority, .weight = s->weight,
                                               .port = s->port, .ttl = DNS_TTL_MAX };
    ares_free_data(reply);
    srv_ttls_parse(abuf, alen, set->records, set->n);

    set->chosen = srv_pick_ms(set->records, set->n);
    if (set->chosen < 0) {
        /* RFC 2782: a lone "." target says the service is decidedly not available here. */
        lookup_finish(lk, DNS_NOT_FOUND, "srv_unavailable", NULL);
        return;
    }
    const struct srv_record *pick = &set->records[set->chosen];
    ans->service = su_strdup(ans->home, lk->services[lk->svc - 1]);
    ans->target = pick->target;
    ans->port = pick->port;
    lk->srv_ttl = pick->ttl;
    lookup_resolve_target(lk);
}

/* Query the next SRV service; after the last, the A-record fallback or 404. */
static void lookup_next_service(struct dns_lookup *lk)
{
    struct dns_answer *ans = lk->ans;
    if (lk->svc == lk->n_services) {
        if (!lk->fallback_a) {
            /* Each set's result says nxdomain or nodata: either way, no federation record. */
            lookup_finish(lk, DNS_NOT_FOUND, "no_srv", NULL);
            return;
        }
        ans->target = su_strdup(ans->home, lk->domain);
        ans->port = lk->port;
        lk->srv_ttl = UINT32_MAX;
        lookup_resolve_target(lk);
        return;
    }
    struct dns_srv_set *set = &ans->srv[ans->n_srv++];
    set->name = su_sprintf(ans->home, "%s.%s", lk->services[lk->svc++], lk->domain);
    set->result = "pending";
    set->chosen = -1;
    if (dns_name_is_invalid(set->name))
        lookup_srv_cb(lk, ARES_ENOTFOUND, 0, NULL, 0);
    else
        ares_query(lk->r->channel, set->name, ns_c_in, ns_t_srv, lookup_srv_cb, lk);
}

/* The cache and sharing key: the domain and the zone settings that change the answer. */
static char *lookup_key(su_home_t *home, const struct dns_request *req)
{
    char *key = su_sprintf(home, "%s|%d|%u", req->domain, req->fallback_a, (unsigned)req->port);
    for (size_t i = 0; key && i < req->n_services; i++)
        key = su_sprintf(home, "%s|%s", key, req->services[i]);
    for (char *p = key; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return key;
}

static struct dns_lookup *lookup_create(struct dns_resolver *r, const struct dns_request *req,
                                        char *key)
{
    struct dns_lookup *lk = su_home_new(sizeof *lk);
    if (lk == NULL)
        return NULL;
    struct dns_answer *ans = su_home_new(sizeof *ans);
    if (ans == NULL) {
        su_home_unref(lk->home);
        return NULL;
    }
    lk->ans = ans;
    lk->r = r;
    lk->key = su_strdup(lk->home, key);
    lk->domain = su_strdup(lk->home, req->domain);
    lk->services = su_zalloc(lk->home, (req->n_services + 1) * sizeof lk->services[0]);
    ans->srv = su_zalloc(ans->home, (req->n_services + 1) * sizeof ans->srv[0]);
    ans->domain = su_strdup(ans->home, req->domain);
    if (!lk->key || !lk->domain || !lk->services || !ans->srv || !ans->domain) {
        su_home_unref(ans->home);
        su_home_unref(lk->home);
        return NULL;
    }
    for (size_t i = 0; i < req->n_services; i++)
        lk->services[i] = su_strdup(lk->home, req->services[i]);
    lk->n_services = req->n_services;
    lk->fallback_a = req->fallback_a;
    lk->port = req->port ? req->port : DNS_FALLBACK_PORT;
    return lk;
}

int dns_resolve(struct dns_resolver *r, const struct dns_request *req, dns_resolve_f *cb,
                void *arg, struct dns_query **qp)
{
    if (qp != NULL)
        *qp = NULL;
    if (req->domain == NULL || req->domain[0] == '\0' || cb == NULL)
        return EINVAL;
    char *key = lookup_key(r->home, req);
    struct dns_query *q = su_zalloc(r->home, sizeof *q);
    if (key == NULL || q == NULL) {
        su_free(r->home, key);
        su_free(r->home, q);
        return ENOMEM;
    }
    q->r = r, q->cb = cb, q->arg = arg;

    struct dns_cache_entry *e = cache_find(r, key);
    if (e != NULL) {
        r->stats.cache_hits++;
        q->ans = dns_answer_ref(e->ans);
        q->from_cache = true;
        query_push_ready(r, q);
        goto out;
    }
    struct dns_lookup *lk;
    bool fresh = false;
    for (lk = r->lookups; lk && strcmp(lk->key, key) != 0; lk = lk->next)
        ;
    if (lk != NULL) {
        r->stats.shared++;
    } else {
        lk = lookup_create(r, req, key);
        if (lk == NULL) {
            su_free(r->home, q);
            su_free(r->home, key);
            return ENOMEM;
        }
        if ((lk->next = r->lookups) != NULL)
            lk->next->prev = &lk->next;
        lk->prev = &r->lookups;
        r->lookups = lk;
        r->stats.lookups++;
        r->stats.pending++;
        fresh = true;
    }
    if ((q->next = lk->waiters) != NULL)
        q->next->prev = &q->next;
    q->prev = &lk->waiters;
    lk->waiters = q;
    if (fresh) {
        /* A new lookup. c-ares may answer at once (an IP literal, a local error): the lookup
         * may be finished and freed on return, `q` then sits on the ready list. */
        lookup_next_service(lk);
        dns_timer_update(r);
    }
out:
    su_free(r->home, key);
    if (qp != NULL)
        *qp = q;
    return 0;
}

/* ---- the resolver --------------------------------------------------------------------- */

/* The configured servers as c-ares' CSV ("" for the system resolver), from `home`. */
static char *dns_servers_csv(su_home_t *home, const struct dns_options *opt)
{
    char *csv = su_strdup(home, "");
    for (size_t i = 0; csv && i < opt->n_servers; i++)
        csv = su_sprintf(home, "%s%s%s", csv, i ? "," : "", opt->servers[i]);
    return csv;
}

static int dns_servers_set(struct dns_resolver *r, const struct dns_options *opt,
                           const char **error)
{
    char *csv = dns_servers_csv(r->home, opt);
    if (csv == NULL)
        return ENOMEM;
    if (csv[0] != '\0' && ares_set_servers_ports_csv(r->channel, csv) != ARES_SUCCESS) {
        *error = "[dns] servers: each must be an IP address with an optional port "
                 "(127.0.0.1:5353, [::1]:53)";
        su_free(r->home, csv);
        return EINVAL;
    }
    su_free(r->home, r->servers);
    r->servers = csv;
    return 0;
}

int dns_resolver_set_servers(struct dns_resolver *r, const struct dns_options *opt,
                             const char **error)
{
    const char *dummy;
    if (error == NULL)
        error = &dummy;
    *error = NULL;
    char *csv = dns_servers_csv(r->home, opt);
    if (csv == NULL)
        return ENOMEM;
    bool same = strcmp(csv, r->servers) == 0;
    bool to_system = csv[0] == '\0';
    su_free(r->home, csv);
    if (same)
        return 0;
    if (to_system) {
        *error = "[dns] servers emptied: the system resolver needs a restart";
        return ENOTSUP;
    }
    int err = dns_servers_set(r, opt, error);
    if (err != 0)
        return err;
    /* Answers from the old servers may not be what the new ones say. */
    for (size_t i = 0; i < r->n_cache; i++) {
        su_free(r->home, r->cache[i].key);
        dns_answer_unref(r->cache[i].ans);
    }
    r->n_cache = 0;
    return 0;
}

int dns_resolver_create(su_root_t *root, const struct dns_options *opt,
                        struct dns_resolver **out, const char **error)
{
    static char lookups_dns_only[] = "b";     /* never /etc/hosts for Internet partners */
    static char lookups_hosts_dns[] = "fb";   /* configuration names: /etc/hosts, then DNS */
    const char *dummy;
    int err = 0;
    if (error == NULL)
        error = &dummy;
    *error = NULL;
    *out = NULL;

    struct dns_resolver *r = su_home_new(sizeof *r);
    if (r == NULL)
        return ENOMEM;
    r->root = root;
    r->ready_tail = &r->ready;
    r->cache_max = opt->cache_max ? opt->cache_max : DNS_DEFAULT_CACHE_MAX;
    r->cache = su_zalloc(r->home, r->cache_max * sizeof r->cache[0]);
    r->timer = su_timer_create(su_root_task(root), 0);
    r->flush = su_timer_create(su_root_task(root), 0);
    if (r->cache == NULL || r->timer == NULL || r->flush == NULL) {
        err = ENOMEM;
        goto out;
    }

    struct ares_options ao;
    memset(&ao, 0, sizeof ao);
    ao.flags = ARES_FLAG_NOSEARCH;
    ao.timeout = (int)(opt->timeout_ms ? opt->timeout_ms : DNS_DEFAULT_TIMEOUT_MS);
    ao.tries = (int)(opt->tries ? opt->tries : DNS_DEFAULT_TRIES);
    ao.ndomains = 0;
    ao.lookups = opt->hosts_file ? lookups_hosts_dns : lookups_dns_only;
    ao.sock_state_cb = dns_sock_state;
    ao.sock_state_cb_data = r;
    int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_DOMAINS |
               ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB;
    int st = ares_init_options(&r->channel, &ao, mask);
    if (st != ARES_SUCCESS) {
        *error = ares_strerror(st);
        err = EIO;
        goto out;
    }
    r->channel_ok = true;
    err = dns_servers_set(r, opt, error);
out:
    if (err != 0) {
        dns_resolver_destroy(r);
        return err;
    }
    *out = r;
    return 0;
}

void dns_resolver_destroy(struct dns_resolver *r)
{
    if (r == NULL)
        return;
    r->destroying = true;
    if (r->channel_ok)
        ares_destroy(r->channel);    /* callbacks see destroying and return */
    for (size_t i = 0; i < r->n_socks; i++)
        su_root_deregister(r->root, r->socks[i].index);
    while (r->lookups != NULL) {
        struct dns_lookup *lk = r->lookups;
        r->lookups = lk->next;
        dns_answer_unref(lk->ans);
        su_home_unref(lk->home);
    }
    while (r->ready != NULL) {
        struct dns_query *q = r->ready;
        r->ready = q->next;
        dns_answer_unref(q->ans);
    }
    for (size_t i = 0; i < r->n_cache; i++)
        dns_answer_unref(r->cache[i].ans);
    su_timer_destroy(r->timer);
    su_timer_destroy(r->flush);
    su_home_unref(r->home);          /* frees queries, keys, the socket table */
}

void dns_resolver_stats(const struct dns_resolver *r, struct dns_stats *out)
{
    *out = r->stats;
    out->cached = r->n_cache;
}

/* ---- a private loop for the CLI ------------------------------------------------------- */

struct dns_once {
    su_root_t *root;
    const struct dns_answer *ans;
};

static void dns_once_cb(void *arg, const struct dns_answer *ans, bool from_cache)
{
    struct dns_once *o = arg;
    (void)from_cache;
    o->ans = dns_answer_ref(ans);
    su_root_break(o->root);
}

int dns_resolve_once(const struct dns_options *opt, const struct dns_request *req,
                     const struct dns_answer **out, const char **error)
{
    struct dns_once o = { 0 };
    struct dns_resolver *r = NULL;
    int err;
    *out = NULL;
    o.root = su_root_create(NULL);
    if (o.root == NULL)
        return ENOMEM;
    err = dns_resolver_create(o.root, opt, &r, error);
    if (err == 0)
        err = dns_resolve(r, req, dns_once_cb, &o, NULL);
    if (err == 0)
        su_root_run(o.root);         /* c-ares' timeouts bound it: every query ends */
    dns_resolver_destroy(r);
    su_root_destroy(o.root);
    *out = o.ans;
    return err;
}
