/* peerhealth.c — OPTIONS keep-alives to neighbor zone peers; see peerhealth.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct peer_health;
struct probe_target;
#define NTA_OUTGOING_MAGIC_T struct probe_target
#define SU_TIMER_ARG_T       struct peer_health

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include "log.h"
#include "nexthop.h"
#include "peerhealth.h"
#include "proxy.h"
#include "tls.h"

/* A probe with no final answer after this long fails (nta's own Timer F would take 32 s, and
 * nta withholds a non-INVITE 408, RFC 4320). Never longer than the interval. */
enum { PEER_PROBE_TIMEOUT_MS = 5000, PEER_TICK_MS = 250 };

struct probe_target {
    struct peer_health_entry e;
    struct peer_health *ph;
    const struct zone *zone;     /* of the generation the targets were set from */
    char *route_url;
    nta_outgoing_t *orq;
    uint64_t sent_ms, next_ms;
    bool keep;
};

struct peer_health {
    su_home_t home[1];
    su_root_t *root;
    nta_agent_t *agent;
    char *hostname;
    su_timer_t *timer;
    const struct proxy_gen *gen; /* the current generation (set_targets on every reload) */
    struct probe_target **targets;
    size_t n, cap;
    unsigned interval_ms;
    uint64_t seq;
};

static uint64_t ph_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static unsigned probe_timeout_ms(const struct peer_health *ph)
{
    return ph->interval_ms < PEER_PROBE_TIMEOUT_MS ? ph->interval_ms : PEER_PROBE_TIMEOUT_MS;
}

static void target_state(struct probe_target *t, bool up, unsigned status, const char *why)
{
    t->e.last_status = status;
    if (!up)
        t->e.failures++;
    if (t->e.up == up)
        return;
    t->e.up = up;
    t->e.changed = time(NULL);
    if (up)
        log_info("health", "event=peer_up zone=%s peer=%s addr=%s:%u/%s status=%u", t->e.zone,
                 t->e.host, t->e.ip, t->e.port, sip_transport_name(t->e.transport), status);
    else
        log_warn("health", "event=peer_down zone=%s peer=%s addr=%s:%u/%s reason=\"%s\" "
                 "msg=\"requests skip this peer until it answers OPTIONS again\"", t->e.zone,
                 t->e.host, t->e.ip, t->e.port, sip_transport_name(t->e.transport), why);
}

static void probe_end(struct probe_target *t)
{
    if (t->orq)
        nta_outgoing_destroy(t->orq);
    t->orq = NULL;
}

static int probe_response(struct probe_target *t, nta_outgoing_t *orq, const sip_t *sip)
{
    int status = sip && sip->sip_status ? sip->sip_status->st_status : nta_outgoing_status(orq);
    if (status < 200)
        return 0;
    probe_end(t);
    /* Any final answer shows a live SIP peer, except the ones that say it cannot serve now:
     * 408 (no answer, nta's own) and 503 (transport failure, nta's own, or overload). */
    if (status == 408 || status == 503) {
        char why[64];
        snprintf(why, sizeof why, "OPTIONS answered %d", status);
        target_state(t, false, (unsigned)status, why);
    } else {
        target_state(t, true, (unsigned)status, NULL);
    }
    return 0;
}

static void probe_send(struct peer_health *ph, struct probe_target *t, uint64_t now)
{
    su_home_t *home = ph->home;
    msg_t *m = nta_msg_create(ph->agent, 0);
    sip_t *sip = m ? sip_object(m) : NULL;
    unsigned long long seq = ++ph->seq;

    t->sent_ms = now;
    t->next_ms = now + ph->interval_ms;
    t->e.probes++;
    char *rq = su_sprintf(home, "OPTIONS %s SIP/2.0", t->route_url);
    char *from = su_sprintf(home, "<sip:ping@%s>;tag=hc%llx", ph->hostname, seq);
    char *to = su_sprintf(home, "<%s>", t->route_url);
    char *cid = su_sprintf(home, "hc-%llx@%s", seq, ph->hostname);
    /* Over TLS: a connection that proved the peer's name, else a fresh one armed with it
     * (tls_send_begin, docs/tls.md "Connections per name"). */
    struct tls_setup *ts = t->e.transport == SIP_TP_TLS && ph->gen ? ph->gen->tls : NULL;
    tport_t *reuse = NULL;
    const char *one[1];
    struct tls_want w;
    bool ok = sip && sip_add_tl(m, sip, SIPTAG_REQUEST_STR(rq), SIPTAG_FROM_STR(from),
                                SIPTAG_TO_STR(to), SIPTAG_CALL_ID_STR(cid),
                                SIPTAG_CSEQ_STR("1 OPTIONS"), SIPTAG_MAX_FORWARDS_STR("70"),
                                SIPTAG_CONTENT_LENGTH_STR("0"), TAG_END()) >= 0;
    if (ok && ts) {
        tls_want_zone(t->zone, t->e.host, one, &w);
        reuse = tls_send_begin(ts, &w, t->e.ip, t->e.port);
    }
    if (ok)
        t->orq = nta_outgoing_mcreate(ph->agent, probe_response, t,
                                      (url_string_t const *)t->route_url, m,
                                      TAG_IF(reuse, NTATAG_TPORT(reuse)),
                                      TAG_IF(ts && !reuse, TPTAG_FRESH(1)), TAG_END());
    if (ok && ts) {
        tport_t *used = t->orq ? nta_outgoing_transport(t->orq) : NULL;
        tls_send_end(ts, used);
        if (used)
            tport_unref(used);
    }
    if (!ok || !t->orq) {
        if (m && !t->orq)
            msg_destroy(m);
        target_state(t, false, 0, "cannot send OPTIONS");
    }
    su_free(home, rq);
    su_free(home, from);
    su_free(home, to);
    su_free(home, cid);
}

static void ph_tick(su_root_magic_t *magic, su_timer_t *timer, struct peer_health *ph)
{
    (void)magic;
    (void)timer;
    uint64_t now = ph_now_ms();
    for (size_t i = 0; i < ph->n; i++) {
        struct probe_target *t = ph->targets[i];
        if (t->orq && now >= t->sent_ms + probe_timeout_ms(ph)) {
            char why[64];
            probe_end(t);
            snprintf(why, sizeof why, "no answer to OPTIONS within %u ms", probe_timeout_ms(ph));
            target_state(t, false, 0, why);
        }
        if (!t->orq && ph->interval_ms && now >= t->next_ms)
            probe_send(ph, t, now);
    }
}

int peer_health_create(su_root_t *root, nta_agent_t *agent, const char *hostname,
                       struct peer_health **out)
{
    struct peer_health *ph = su_home_new(sizeof *ph);
    *out = NULL;
    if (!ph)
        return ENOMEM;
    ph->root = root;
    ph->agent = agent;
    ph->hostname = su_strdup(ph->home, hostname);
    ph->timer = su_timer_create(su_root_task(root), PEER_TICK_MS);
    if (!ph->hostname || !ph->timer || su_timer_run(ph->timer, ph_tick, ph) < 0) {
        peer_health_destroy(ph);
        return ENOMEM;
    }
    *out = ph;
    return 0;
}

static struct probe_target *target_find(const struct peer_health *ph, const char *ip,
                                        uint16_t port, enum sip_transport tp)
{
    for (size_t i = 0; i < ph->n; i++) {
        struct probe_target *t = ph->targets[i];
        if (t->e.port == port && t->e.transport == tp && strcmp(t->e.ip, ip) == 0)
            return t;
    }
    return NULL;
}

static int target_add(struct peer_health *ph, const struct zone *z, size_t p,
                      const struct srczone_addr *a)
{
    struct probe_target *t = target_find(ph, a->ip, a->port, z->transport);
    if (t) {
        t->keep = true;
        t->zone = z;
        return 0;
    }
    if (ph->n == ph->cap) {
        size_t cap = ph->cap ? ph->cap * 2 : 8;
        struct probe_target **v = su_realloc(ph->home, ph->targets, cap * sizeof *v);
        if (!v)
            return ENOMEM;
        ph->targets = v;
        ph->cap = cap;
    }
    t = su_zalloc(ph->home, sizeof *t);
    if (!t)
        return ENOMEM;
    struct nexthop hop;
    memset(&hop, 0, sizeof hop);
    snprintf(hop.host, sizeof hop.host, "%s", z->peers[p].host);
    snprintf(hop.ip, sizeof hop.ip, "%s", a->ip);
    hop.port = a->port;
    hop.transport = z->transport;
    t->ph = ph;
    t->zone = z;
    t->keep = true;
    t->e.up = true;
    t->e.zone = su_strdup(ph->home, z->name);
    t->e.host = su_strdup(ph->home, z->peers[p].host);
    snprintf(t->e.ip, sizeof t->e.ip, "%s", a->ip);
    t->e.port = a->port;
    t->e.transport = z->transport;
    t->route_url = nexthop_route_url(ph->home, &hop);
    if (!t->e.zone || !t->e.host || !t->route_url)
        return ENOMEM;
    ph->targets[ph->n++] = t;
    return 0;
}

int peer_health_set_targets(struct peer_health *ph, const struct proxy_gen *gen,
                            unsigned interval_s)
{
    const struct dialplan *dp = gen->dp;
    ph->gen = gen;
    ph->interval_ms = interval_s * 1000u;
    for (size_t i = 0; i < ph->n; i++)
        ph->targets[i]->keep = false;
    for (size_t zi = 0; zi < dp->n_zones; zi++) {
        const struct zone *z = dp->zones[zi];
        /* Traversal zones keep their own connection and keep-alive (traversal.c). */
        if (z->type != ZONE_NEIGHBOR)
            continue;
        for (size_t p = 0; p < z->n_peers; p++) {
            size_t n = 0;
            const struct srczone_addr *a = srczone_peer_addrs(gen->sz, z, p, &n);
            for (size_t k = 0; k < n; k++)
                if (target_add(ph, z, p, &a[k]) != 0)
                    return ENOMEM;
        }
    }
    /* Peers no longer configured go; without probing every peer counts as up. */
    size_t w = 0;
    for (size_t i = 0; i < ph->n; i++) {
        struct probe_target *t = ph->targets[i];
        if (!t->keep) {
            probe_end(t);
            su_free(ph->home, (void *)t->e.zone);
            su_free(ph->home, (void *)t->e.host);
            su_free(ph->home, t->route_url);
            su_free(ph->home, t);
            continue;
        }
        if (!ph->interval_ms) {
            probe_end(t);
            t->e.up = true;
        }
        ph->targets[w++] = t;
    }
    ph->n = w;
    return 0;
}

bool peer_health_is_down(const struct peer_health *ph, const char *ip, uint16_t port,
                         enum sip_transport tp)
{
    const struct probe_target *t = ph ? target_find(ph, ip, port, tp) : NULL;
    return t && !t->e.up;
}

size_t peer_health_count(const struct peer_health *ph)
{
    return ph ? ph->n : 0;
}

const struct peer_health_entry *peer_health_get(const struct peer_health *ph, size_t i)
{
    return ph && i < ph->n ? &ph->targets[i]->e : NULL;
}

void peer_health_destroy(struct peer_health *ph)
{
    if (!ph)
        return;
    for (size_t i = 0; i < ph->n; i++)
        probe_end(ph->targets[i]);
    if (ph->timer)
        su_timer_destroy(ph->timer);
    su_home_unref(ph->home);
}
