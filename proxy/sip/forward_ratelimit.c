/* forward_ratelimit.c — per-source rate limits: a token bucket per source address and per
 * authenticated domain (docs/security.md); past it the request is refused statelessly with 503
 * and Retry-After, for that source only. Overload control (forward_overload.c) stays the global
 * backstop. */
#include "forward_int.h"

#include <stdio.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "proxy.h"
#include "ratelimit.h"

/* Sources tracked at once; beyond it new sources go unlimited (counted). An idle source leaves
 * the table once its bucket is full again. The table is swept at most once a second, from the
 * request path (no timer: a source's episode ends at the first request after it has been quiet
 * for RL_EPISODE_QUIET_MS). */
enum { RL_MAX_KEYS = 100000, RL_SWEEP_MS = 1000, RL_EPISODE_QUIET_MS = 5000 };

struct fwd_ratelimit {
    su_home_t home[1];
    struct rate_table *table;
    uint64_t next_sweep_ms;
};

static void rl_episode_end(void *arg, const char *key, uint64_t refused)
{
    (void)arg;
    log_warn("proxy", "event=rate_limit_end source=%s refused=%llu", key,
             (unsigned long long)refused);
}

int fwd_ratelimit_create(struct fwd_ratelimit **out)
{
    struct fwd_ratelimit *rl = su_home_new(sizeof *rl);
    *out = NULL;
    if (!rl)
        return ENOMEM;
    if (rate_table_create(rl->home, RL_MAX_KEYS, &rl->table) != 0) {
        fwd_ratelimit_destroy(rl);
        return ENOMEM;
    }
    *out = rl;
    return 0;
}

void fwd_ratelimit_destroy(struct fwd_ratelimit *rl)
{
    su_home_unref(rl ? rl->home : NULL);
}

/* One bucket: take a token for `key`; true (and the episode logged) when refused. */
static bool rl_take(struct fwd_ratelimit *rl, const char *key, unsigned rate, uint64_t now,
                    unsigned *retry_after)
{
    struct rate_result r;
    rate_take(rl->table, key, rate, 2.0 * rate, now, &r);
    if (!r.refused)
        return false;
    if (r.episode_started)
        log_warn("proxy", "event=rate_limit_start source=%s rate=%u/s burst=%u status=503 "
                 "retry_after=%u msg=\"one line per episode: the end line counts them\"", key,
                 rate, 2 * rate, r.retry_after_s);
    *retry_after = r.retry_after_s;
    return true;
}

bool fwd_ratelimit_refuse(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                          const sip_t *sip)
{
    const struct node_config *cfg = env->gen->cfg;
    struct fwd_ratelimit *rl = env->ratelimit;
    sip_method_t method = sip->sip_request->rq_method;

    if (!rl || (!cfg->rate_limit_per_ip && !cfg->rate_limit_per_domain) ||
        method == sip_method_cancel || method == sip_method_ack)
        return false;               /* CANCEL and ACK end work */

    su_home_t home[1] = { SU_HOME_INIT(home) };
    tport_t *tp = nta_incoming_transport(agent, NULL, msg);
    bool authenticated = false;
    enum sip_transport in_tp;
    const struct zone *src = fwd_source_classify(env->gen, home, tp, msg, sip, &authenticated,
                                                 &in_tp);
    if (tp)
        tport_unref(tp);
    bool refused = false;
    unsigned retry_after = 1;
    const char *kind = NULL;
    /* Neighbor and traversal zones are our own IM&P and Expressway peers: not limited. */
    if (src && src->type != ZONE_NEIGHBOR && src->type != ZONE_TRAVERSAL_CLIENT &&
        src->type != ZONE_TRAVERSAL_SERVER) {
        uint64_t now = rate_clock_ms();
        if (now >= rl->next_sweep_ms) {
            rate_table_sweep(rl->table, now, RL_EPISODE_QUIET_MS, rl_episode_end, NULL);
            rl->next_sweep_ms = now + RL_SWEEP_MS;
        }
        char ip[64] = "", key[300];
        su_addrinfo_t *ai = msg_addrinfo(msg);
        if (ai && ai->ai_addr) {
            su_sockaddr_t *su = (su_sockaddr_t *)ai->ai_addr;
            su_inet_ntop(su->su_family, SU_ADDR(su), ip, sizeof ip);
        }
        snprintf(key, sizeof key, "ip:%s", ip);
        if (cfg->rate_limit_per_ip && ip[0] &&
            rl_take(rl, key, cfg->rate_limit_per_ip, now, &retry_after)) {
            refused = true;
            kind = "ip";
        }
        const char *domain = sip->sip_from ? sip->sip_from->a_url->url_host : NULL;
        if (!refused && authenticated && domain && cfg->rate_limit_per_domain) {
            snprintf(key, sizeof key, "domain:%s", domain);
            for (char *p = key; *p; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
            if (rl_take(rl, key, cfg->rate_limit_per_domain, now, &retry_after)) {
                refused = true;
                kind = "domain";
            }
        }
    }
    su_home_deinit(home);
    if (!refused)
        return false;
    if (kind[0] == 'i')
        env->counters->rate_refused_ip++;
    else
        env->counters->rate_refused_domain++;
    env->counters->refused++;
    char ra[16];
    snprintf(ra, sizeof ra, "%u", retry_after);
    if (su_casematch(sip->sip_request->rq_method_name, "BENOTIFY"))
        msg_destroy(msg);           /* never answered ([MS-SIP] §3.4); counted and logged */
    else
        nta_msg_treply(agent, msg, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_RETRY_AFTER_STR(ra),
                       TAG_END());
    return true;
}
