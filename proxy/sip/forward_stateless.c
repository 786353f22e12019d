/* forward_stateless.c — forwarding without a transaction: ACK for a 2xx, BENOTIFY, stray
 * responses (RFC 3261 §16.11, §16.7 step 4; [MS-SIP] §3.4). */
#include <string.h>

#include "forward_int.h"
#include "alias.h"
#include "dialplan.h"
#include "log.h"
#include "nexthop.h"
#include "presence_convert.h"
#include "presence_proxy.h"
#include "proxy_gen.h"

struct sl_job {
    su_home_t home[1];
    struct forward_env *env;
    msg_t *msg;
    const char *what;
    struct proxy_gen *gen;               /* held while the next hop is selected */
    const struct zone *zone;             /* the searched target's zone; NULL: loose routing */
};

static void sl_hop_done(void *arg, int status, const char *reason, const struct nexthop *hop)
{
    struct sl_job *job = arg;
    sip_t *sip = sip_object(job->msg);

    if (status) {
        log_warn("route", "method=%s call_id=%s stateless=yes status=%d reason=\"%s\"", job->what,
                 sip->sip_call_id ? sip->sip_call_id->i_id : "-", status, reason);
        job->env->counters->send_failed++;
        msg_destroy(job->msg);
    } else {
        char *url = nexthop_route_url(job->home, hop);
        /* read before nta takes the message */
        presence_proxy_observe(job->env->presence, sip, job->gen->cfg->presence_busy_as_dnd);
        presence_convert_msg(job->msg, job->zone ? job->zone
                             : presence_convert_zone_at(job->gen->dp, job->gen->sz, hop->ip, hop->port));
        /* nta takes the message: everything the log needs is copied first. */
        const char *alias = fwd_uri_alias(job->home, sip->sip_request->rq_url);
        const char *call_id = su_strdup(job->home, sip->sip_call_id ? sip->sip_call_id->i_id : "-");
        nta_outgoing_t *o = fwd_send(job->env, job->zone, hop, url, job->msg, NULL, NULL, NULL,
                                     NTATAG_STATELESS(1), TAG_END());
        job->msg = NULL;
        if (!o) {
            job->env->counters->send_failed++;
            log_warn("route", "method=%s alias=%s stateless=yes next_hop=%s status=send-failed "
                     "call_id=%s", job->what, alias, url, call_id);
        } else {
            job->env->counters->stateless++;
            /* BENOTIFY is a routed request and gets its route line; an ACK for a 2xx only
             * completes the INVITE already logged. */
            LOG_AT(su_casematch(job->what, "ACK") ? LOG_LVL_DEBUG : LOG_LVL_INFO, "route",
                   "method=%s alias=%s stateless=yes next_hop=%s:%u/%s status=- call_id=%s",
                   job->what, alias, hop->ip, hop->port, sip_transport_name(hop->transport),
                   call_id);
            if (o != (nta_outgoing_t *)-1)
                nta_outgoing_destroy(o);
        }
    }
    proxy_gen_unref(job->gen);
    su_home_unref(job->home);
}

/* Forward `msg` (ours) without a transaction: ACK for a 2xx (an end-to-end request of its own,
 * RFC 3261 §13.2.2.4, §16.11) and BENOTIFY ([MS-SIP] best-effort NOTIFY: never answered). */
void forward_stateless(struct forward_env *env, msg_t *msg, const char *what)
{
    struct proxy_gen *g = env->gen;
    sip_t *sip = sip_object(msg);
    const url_t *uri = NULL;
    const struct zone *zone = NULL;
    const char *domain = NULL;
    struct sl_job *job = su_home_new(sizeof *job);

    if (!job) {
        msg_destroy(msg);
        return;
    }
    job->env = env;
    job->msg = msg;
    job->what = su_strdup(job->home, what);

    if (!fwd_max_forwards_step(msg, sip, g->cfg->max_forwards)) {
        log_info("route", "method=%s stateless=yes status=483 reason=\"Max-Forwards 0: dropped\"",
                 what);
        env->counters->refused++;
        msg_destroy(msg);
        su_home_unref(job->home);
        return;
    }
    int stripped = fwd_route_strip_self(&g->self, msg, sip);
    if (sip->sip_route)
        uri = sip->sip_route->r_url;
    else if (stripped || host_is_ip_address(sip->sip_request->rq_url->url_host))
        uri = sip->sip_request->rq_url;
    else {
        /* No route: search from the real source zone, and take the first target (a request
         * without a transaction cannot fork). */
        struct decision dec;
        struct decide_input in = { .sip = sip, .learnt = env->learnt };
        memset(&dec, 0, sizeof dec);
        enum sip_transport in_tp;
        tport_t *tp = tport_delivered_by(nta_agent_tports(env->agent), msg);   /* borrowed */
        in.source = fwd_source_classify(g, job->home, tp, msg, sip, &in.authenticated, &in_tp);
        if (decide_request(job->home, g->dp, &in, &dec) == 0 && dec.status == 0 &&
            dec.search.n_levels && dec.search.levels[0].n_targets) {
            const struct search_target *t = &dec.search.levels[0].targets[0];
            zone = t->zone;
            domain = alias_host(job->home, t->alias);
            /* The search may have rewritten the alias: it becomes the Request-URI. */
            route_request_uri_set(msg, sip, t->alias);
        } else {
            log_info("route", "method=%s stateless=yes alias=%s status=%d reason=\"%s: dropped\"",
                     what, fwd_uri_alias(job->home, sip->sip_request->rq_url),
                     dec.status ? dec.status : STATUS_NOT_FOUND,
                     dec.reason ? dec.reason : "no route");
            env->counters->refused++;
            msg_destroy(msg);
            su_home_unref(job->home);
            return;
        }
    }
    struct nexthop_request rq = { .zone = zone, .uri = uri, .domain = domain };
    job->gen = proxy_gen_ref(g);
    job->zone = zone;
    nexthop_select(&g->nh, &rq, sl_hop_done, job);
}

/* A response outside any client transaction: only a 2xx to INVITE whose top Via is ours is
 * passed on (a retransmitted 2xx after our INVITE transaction ended, RFC 3261 §16.7 step 4 and
 * §13.3.1.4); nta_msg_tsend() removes our Via and sends along the next one. */
void forward_stray_response(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                                   sip_t *sip)
{
    if (sip->sip_status->st_status / 100 == 2 && sip->sip_cseq &&
        sip->sip_cseq->cs_method == sip_method_invite && sip->sip_via && sip->sip_via->v_next) {
        const sip_via_t *v = sip->sip_via;
        bool tls = v->v_protocol && su_casematch(v->v_protocol, sip_transport_tls);
        url_t u[1];
        url_init(u, tls ? url_sips : url_sip);
        u->url_host = v->v_host;
        u->url_port = v->v_port;
        const sip_via_t *next = v->v_next;
        if (route_uri_is_self(&env->gen->self, u) &&
            !(route_host_is_unicast(next->v_host) && route_host_is_unicast(next->v_received) &&
              route_host_is_unicast(next->v_maddr))) {
            /* A forged Via must not turn us into a reflector toward a multicast/broadcast
             * group (issue 11). */
            env->counters->refused++;
            log_warn("route", "event=stray-response status=%d cseq=\"%s\" call_id=%s "
                     "reason=\"next Via names a multicast or broadcast address: dropped\"",
                     sip->sip_status->st_status, sip->sip_cseq->cs_method_name,
                     sip->sip_call_id ? fwd_log_quote(msg_home(msg), sip->sip_call_id->i_id)
                                      : "-");
            msg_destroy(msg);
            return;
        }
        if (route_uri_is_self(&env->gen->self, u)) {
            if (nta_msg_tsend(agent, msg, NULL, TAG_END()) < 0)
                env->counters->send_failed++;
            return;
        }
    }
    log_info("route", "event=stray-response status=%d cseq=\"%s\" call_id=%s "
             "reason=\"matches no transaction: dropped\"", sip->sip_status->st_status,
             sip->sip_cseq ? sip->sip_cseq->cs_method_name : "-",
             sip->sip_call_id ? fwd_log_quote(msg_home(msg), sip->sip_call_id->i_id) : "-");
    msg_destroy(msg);
}
