/* forward.c — the nta transaction glue of the proxy (RFC 3261 §16, SPEC §4.3); see forward.h.
 *
 * A request becomes one `fwd_txn` (own su_home, holds a reference to the configuration it
 * started with). Its targets come from loose routing (our Route entries removed, RFC 3261
 * §16.4) or from the search (decide_request). Each target of the current priority level is a
 * `fwd_branch`: a client transaction created with nta_outgoing_mcreate() on a copy of the
 * request. Responses: provisional and 2xx are relayed at once; other finals are kept and the best
 * one (§16.7) is sent when every branch of the last level tried is done. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

struct fwd_txn;
struct fwd_branch;
struct forward_env;
#define NTA_LEG_MAGIC_T      struct forward_env
#define NTA_AGENT_MAGIC_T    struct forward_env
#define NTA_INCOMING_MAGIC_T struct fwd_txn
#define NTA_OUTGOING_MAGIC_T struct fwd_branch
#define SU_TIMER_ARG_T       struct fwd_branch

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "alias.h"
#include "decide.h"
#include "forward.h"
#include "log.h"
#include "nexthop.h"
#include "presence_convert.h"
#include "presence_proxy.h"
#include "policy.h"
#include "proxy.h"
#include "route.h"
#include "srczone.h"
#include "tls.h"

/* Our own no-answer limit per attempt: a dead UDP peer or a TLS handshake that never completes
 * is not reported to nta before Timer F (32 s), far beyond what failover should cost. */
enum { FWD_ATTEMPT_TIMEOUT_MS = 4000, FWD_CANCEL_TIMEOUT_MS = 32000 };
/* Retry-After (seconds) on our own 503s. */
#define FWD_RETRY_AFTER "30"
/* Overload control. A single sofia event loop without admission control collapses at ~1.2x its
 * capacity (SOFIA-NOTES): queues grow, every transaction times out. Beyond FWD_MAX_ACTIVE live
 * transactions (~200 ms of work at 5000/s) a new request is refused statelessly with 503 and a
 * short Retry-After (RFC 3261 §21.5.4) before it costs a transaction. */
enum { FWD_MAX_ACTIVE = 1000 };
#define FWD_OVERLOAD_RETRY_AFTER "5"

/* Statuses returned to nta as plain numbers (sip_status.h's SIP_nnn_* are status + phrase). */
enum {
    STATUS_TERMINATED = 487,
    STATUS_NO_TRANSACTION = 481,
    STATUS_UNAVAILABLE = 503,
    STATUS_SERVER_ERROR = 500,
};

struct fwd_branch {
    struct fwd_txn *tx;
    struct fwd_branch *next;
    const struct zone *zone;             /* NULL: loose-routed to `uri` */
    const char *alias;                   /* the alias this target receives (search) */
    const struct rule *rule;
    size_t attempt;
    nta_outgoing_t *orq;
    struct nexthop_query *nq;
    su_timer_t *timer;
    int status;                          /* final status, 0 while pending */
    bool provisional;                    /* got a 1xx (100 included): the peer is alive */
    bool cancel_wanted;                  /* CANCEL as soon as a provisional arrives */
    bool cancel_sent;
    bool done;
    const char *branch_key;              /* our Via branch of the current attempt */
    const char *route_url;               /* where the current attempt went */
    /* sent over TLS and waiting (env->tls_waiting): a handshake failure there fails it */
    char hop_ip[64];
    uint16_t hop_port;
    uint64_t tls_seq;
    struct fwd_branch *tls_next, **tls_pprev;
};

struct fwd_txn {
    su_home_t home[1];
    struct forward_env *env;
    struct proxy_gen *gen;
    nta_incoming_t *irq;
    msg_t *msg;                          /* the prepared request: template of every branch */
    sip_t *sip;
    sip_method_t method;
    const char *method_name;
    char loop_hash[ROUTE_LOOP_HASH_LEN + 1];
    enum sip_transport in_tp;
    const struct zone *src;
    bool authenticated;
    const char *alias;                   /* set by the search; else tx_alias() formats it */
    const url_t *route_uri;              /* loose routing: the next hop URI; NULL: search */
    struct decision dec;
    size_t level;
    struct fwd_branch *branches;         /* of the current level */
    size_t pending;
    int best;                            /* best final non-2xx so far (0 none) */
    bool best_local;
    msg_t *best_msg;                     /* its response (top Via removed), or NULL if local */
    const char *best_phrase;
    bool answered;                       /* a final response went upstream */
    bool canceled;
    const char *log_rules, *log_targets, *log_hops, *log_diag;
    const char *log_note;                /* why we refused (reason=...) */
    const char *log_failed;              /* attempts that failed (failed=...) */
};

/* ------------------------------------------------------------------ helpers */

static const char *str_add(su_home_t *home, const char *list, const char *sep, const char *item)
{
    if (!item)
        return list;
    return list ? su_sprintf(home, "%s%s%s", list, sep, item) : su_strdup(home, item);
}

static const char *zone_name_or(const struct zone *z, const char *dflt)
{
    return z ? z->name : dflt;
}

/* The alias of a URI for logs: user@host[:port][;params]. */
static const char *uri_alias(su_home_t *home, const url_t *u)
{
    char *s = url_as_string(home, u);
    const char *colon = s ? strchr(s, ':') : NULL;
    return colon ? colon + 1 : "-";
}

/* `s` with `"` and `\` escaped, for a quoted log value. */
static const char *log_quote(su_home_t *home, const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += (*p == '"' || *p == '\\') ? 2 : 1;
    char *out = su_alloc(home, n + 1), *o = out;
    if (!out)
        return "";
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

/* ms-diagnostics / ms-diagnostics-public of a response (SPEC §4.3.7), or NULL. */
static const char *ms_diagnostics(su_home_t *home, const sip_t *sip)
{
    const char *out = NULL;

    for (const sip_unknown_t *u = sip ? sip->sip_unknown : NULL; u; u = u->un_next)
        if (su_casematch(u->un_name, "ms-diagnostics") ||
            su_casematch(u->un_name, "ms-diagnostics-public"))
            out = str_add(home, out, " ", su_sprintf(home, "%s=\"%s\"", u->un_name,
                                                     log_quote(home, u->un_value)));
    return out;
}

static enum sip_transport tport_transport(const tport_t *tp)
{
    const tp_name_t *n = tp ? tport_name(tp) : NULL;
    if (n && n->tpn_proto && su_casematch(n->tpn_proto, "tls"))
        return SIP_TP_TLS;
    if (n && n->tpn_proto && su_casematch(n->tpn_proto, "tcp"))
        return SIP_TP_TCP;
    return SIP_TP_UDP;
}

/* Max-Forwards (RFC 3261 §16.6 step 3): decrement, or insert the node's default. Returns false
 * when it is already 0 (483). */
static bool max_forwards_step(msg_t *msg, sip_t *sip, unsigned dflt)
{
    if (sip->sip_max_forwards) {
        if (sip->sip_max_forwards->mf_count == 0)
            return false;
        /* In place, so the header keeps its position; clearing the fragment makes sofia
         * encode the new value. */
        sip->sip_max_forwards->mf_count--;
        msg_fragment_clear(sip->sip_max_forwards->mf_common);
    } else {
        sip_add_make(msg, sip, sip_max_forwards_class,
                     su_sprintf(msg_home(msg), "%u", dflt ? dflt - 1 : 0));
    }
    return true;
}

/* Remove the Route entries that name us; returns how many were removed. */
static int route_strip_self(const struct route_self *self, msg_t *msg, sip_t *sip)
{
    int n = 0;
    while (sip->sip_route && route_uri_is_self(self, sip->sip_route->r_url)) {
        msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_route);
        n++;
    }
    return n;
}

static const struct zone *source_classify(struct proxy_gen *g, su_home_t *home, tport_t *tp,
                                          msg_t *req, const sip_t *sip, bool *authenticated,
                                          enum sip_transport *in_tp);

/* --------------------------------------------------------- stateless sends */

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
        const char *alias = uri_alias(job->home, sip->sip_request->rq_url);
        const char *call_id = su_strdup(job->home, sip->sip_call_id ? sip->sip_call_id->i_id : "-");
        nta_outgoing_t *o = nta_outgoing_mcreate(job->env->agent, NULL, NULL,
                                                 (url_string_t const *)url, job->msg,
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
static void forward_stateless(struct forward_env *env, msg_t *msg, const char *what)
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

    if (!max_forwards_step(msg, sip, g->cfg->max_forwards)) {
        log_info("route", "method=%s stateless=yes status=483 reason=\"Max-Forwards 0: dropped\"",
                 what);
        env->counters->refused++;
        msg_destroy(msg);
        su_home_unref(job->home);
        return;
    }
    int stripped = route_strip_self(&g->self, msg, sip);
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
        in.source = source_classify(g, job->home, tp, msg, sip, &in.authenticated, &in_tp);
        if (decide_request(job->home, g->dp, &in, &dec) == 0 && dec.status == 0 &&
            dec.search.n_levels && dec.search.levels[0].n_targets) {
            const struct search_target *t = &dec.search.levels[0].targets[0];
            const char *at = strchr(t->alias, '@');
            const char *host = at ? at + 1 : t->alias;
            zone = t->zone;
            domain = su_strndup(job->home, host, strcspn(host, ":;"));
            /* The search may have rewritten the alias: it becomes the Request-URI. */
            url_t *ru = url_hdup(msg_home(msg), (url_t *)su_sprintf(msg_home(msg), "sip:%s",
                                                                     t->alias));
            if (ru && ru->url_host) {
                sip->sip_request->rq_url[0] = *ru;
                msg_fragment_clear(sip->sip_request->rq_common);
            }
        } else {
            log_info("route", "method=%s stateless=yes alias=%s status=%d reason=\"%s: dropped\"",
                     what, uri_alias(job->home, sip->sip_request->rq_url),
                     dec.status ? dec.status : 404,
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
static void forward_stray_response(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
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
        if (route_uri_is_self(&env->gen->self, u)) {
            if (nta_msg_tsend(agent, msg, NULL, TAG_END()) < 0)
                env->counters->send_failed++;
            return;
        }
    }
    log_info("route", "event=stray-response status=%d cseq=\"%s\" call_id=%s "
             "reason=\"matches no transaction: dropped\"", sip->sip_status->st_status,
             sip->sip_cseq ? sip->sip_cseq->cs_method_name : "-",
             sip->sip_call_id ? log_quote(msg_home(msg), sip->sip_call_id->i_id) : "-");
    msg_destroy(msg);
}

/* ------------------------------------------------------------ transactions */

static void branch_start(struct fwd_branch *br);
static void level_start(struct fwd_txn *tx);
static void txn_finish(struct fwd_txn *tx);

static void txn_free(struct fwd_txn *tx)
{
    struct forward_env *env = tx->env;

    if (tx->irq) {
        nta_incoming_bind(tx->irq, NULL, NULL);
        nta_incoming_destroy(tx->irq);
    }
    if (tx->msg)
        msg_destroy(tx->msg);
    if (tx->best_msg)
        msg_destroy(tx->best_msg);
    proxy_gen_unref(tx->gen);
    su_home_unref(tx->home);
    if (env->active > 0)
        env->active--;
    if (env->stopping && env->active == 0 && env->idle)
        env->idle(env);
}

static void branch_tls_unlink(struct fwd_branch *br)
{
    if (!br->tls_pprev)
        return;
    *br->tls_pprev = br->tls_next;
    if (br->tls_next)
        br->tls_next->tls_pprev = br->tls_pprev;
    br->tls_next = NULL;
    br->tls_pprev = NULL;
}

static void branch_tls_link(struct fwd_branch *br, const struct nexthop *hop)
{
    struct forward_env *env = br->tx->env;
    snprintf(br->hop_ip, sizeof br->hop_ip, "%s", hop->ip);
    br->hop_port = hop->port;
    br->tls_seq = ++env->tls_seq;
    br->tls_next = env->tls_waiting;
    if (br->tls_next)
        br->tls_next->tls_pprev = &br->tls_next;
    br->tls_pprev = &env->tls_waiting;
    env->tls_waiting = br;
}

static void branch_stop(struct fwd_branch *br)
{
    branch_tls_unlink(br);
    if (br->timer) {
        su_timer_destroy(br->timer);
        br->timer = NULL;
    }
    if (br->nq) {
        nexthop_cancel(br->nq);
        br->nq = NULL;
    }
    if (br->orq) {
        nta_outgoing_destroy(br->orq);
        br->orq = NULL;
    }
}

static void branch_timeout(su_root_magic_t *magic, su_timer_t *t, struct fwd_branch *br);

static int cancel_response(struct fwd_branch *unused, nta_outgoing_t *orq, const sip_t *sip)
{
    (void)unused;
    if (!sip || !sip->sip_status || sip->sip_status->st_status >= 200)
        nta_outgoing_destroy(orq);
    return 0;
}

/* Send a CANCEL for an INVITE branch (RFC 3261 §9.1) as its own client transaction. Not
 * nta_outgoing_tcancel(): on a reliable transport it terminates the INVITE client transaction of
 * a proxy (UA mode off) at once, so the 487 that follows matches nothing, is never ACKed and
 * never reaches us. Built from the INVITE as sent: same Request-URI, top Via, From, To,
 * Call-ID, CSeq number and Route. */
static void branch_cancel(struct fwd_branch *br)
{
    struct fwd_txn *tx = br->tx;

    if (br->done || br->cancel_sent || !br->orq)
        return;
    if (!br->provisional) {
        br->cancel_wanted = true;     /* RFC 3261 §9.1: not before a provisional response */
        return;
    }
    msg_t *inv = nta_outgoing_getrequest(br->orq);
    sip_t *is = inv ? sip_object(inv) : NULL;
    msg_t *c = is && is->sip_via ? nta_msg_create(tx->env->agent, 0) : NULL;
    sip_t *cs = c ? sip_object(c) : NULL;
    if (cs) {
        su_home_t *h = msg_home(c);
        sip_via_t via = *is->sip_via;
        via.v_next = NULL;
        if (sip_add_tl(c, cs,
                       SIPTAG_REQUEST(sip_request_create(h, SIP_METHOD_CANCEL,
                                                         (url_string_t *)is->sip_request->rq_url,
                                                         NULL)),
                       SIPTAG_VIA(&via), SIPTAG_FROM(is->sip_from), SIPTAG_TO(is->sip_to),
                       SIPTAG_CALL_ID(is->sip_call_id),
                       SIPTAG_CSEQ(sip_cseq_create(h, is->sip_cseq->cs_seq, SIP_METHOD_CANCEL)),
                       SIPTAG_ROUTE(is->sip_route), SIPTAG_MAX_FORWARDS(is->sip_max_forwards),
                       TAG_END()) < 0) {
            msg_destroy(c);
            cs = NULL;
        }
    }
    if (inv)
        msg_destroy(inv);
    nta_outgoing_t *co = NULL;
    if (cs)
        co = nta_outgoing_mcreate(tx->env->agent, cancel_response, NULL,
                                  (url_string_t const *)br->route_url, c, NTATAG_USER_VIA(1),
                                  NTATAG_BRANCH_KEY(br->branch_key), TAG_END());
    if (!co) {
        tx->env->counters->send_failed++;
        log_warn("route", "method=CANCEL call_id=%s status=send-failed",
                 tx->sip->sip_call_id ? tx->sip->sip_call_id->i_id : "-");
        return;
    }
    br->cancel_sent = true;
    /* RFC 3261 §9.1: without a final response 64*T1 after the CANCEL, give the branch up. */
    if (br->timer)
        su_timer_destroy(br->timer);
    br->timer = su_timer_create(su_root_task(tx->env->root), FWD_CANCEL_TIMEOUT_MS);
    if (br->timer)
        su_timer_set(br->timer, branch_timeout, br);
}

/* Cancel every pending INVITE branch (after a 2xx or 6xx, or a CANCEL from upstream: RFC 3261
 * §16.7 step 10, §16.10). */
static void txn_cancel_pending(struct fwd_txn *tx, struct fwd_branch *except)
{
    if (tx->method != sip_method_invite)
        return;
    for (struct fwd_branch *br = tx->branches; br; br = br->next)
        if (br != except)
            branch_cancel(br);
}

/* The alias for the log line: the search's (maybe rewritten) one, else the Request-URI's,
 * formatted only when a line is written (tx->sip's Request-URI is never modified). */
static const char *tx_alias(struct fwd_txn *tx)
{
    if (tx->alias)
        return tx->alias;
    return tx->sip ? uri_alias(tx->home, tx->sip->sip_request->rq_url) : "-";
}

static void txn_log(struct fwd_txn *tx, int status)
{
    const sip_t *sip = tx->sip;
    enum log_level lvl = status >= 500 ? LOG_LVL_WARN : LOG_LVL_INFO;

    LOG_AT(lvl, "route",
           "method=%s alias=%s src=%s auth=%s rule=\"%s\" target=%s next_hop=%s status=%d "
           "call_id=%s%s%s%s%s%s%s%s",
           tx->method_name, tx_alias(tx), zone_name_or(tx->src, "-"),
           tx->authenticated ? "yes" : "no", tx->log_rules ? tx->log_rules : "-",
           tx->log_targets ? tx->log_targets : "-", tx->log_hops ? tx->log_hops : "-", status,
           sip && sip->sip_call_id ? sip->sip_call_id->i_id : "-",
           tx->log_note ? " reason=\"" : "", tx->log_note ? tx->log_note : "",
           tx->log_note ? "\"" : "", tx->log_failed ? " failed=\"" : "",
           tx->log_failed ? tx->log_failed : "", tx->log_failed ? "\"" : "",
           tx->log_diag ? su_sprintf(tx->home, " %s", tx->log_diag) : "");
}

/* Answer locally with `status` (a refusal or a failure with no downstream response). */
static void txn_reply_local(struct fwd_txn *tx, int status, const char *phrase)
{
    /* A local 503 (next hop unreachable, DNS failure) says when to retry (RFC 3261 §21.5.4). */
    if (nta_incoming_treply(tx->irq, status, phrase,
                            TAG_IF(status == STATUS_UNAVAILABLE,
                                   SIPTAG_RETRY_AFTER_STR(FWD_RETRY_AFTER)),
                            TAG_END()) < 0)
        tx->env->counters->send_failed++;
    tx->answered = true;
}

/* Relay a downstream response (`rmsg`, ours, top Via already removed). */
static bool txn_relay(struct fwd_txn *tx, msg_t *rmsg)
{
    /* nta_incoming_mreply() takes the message in every case. */
    if (nta_incoming_mreply(tx->irq, rmsg) < 0) {
        tx->env->counters->send_failed++;
        log_warn("route", "method=%s call_id=%s status=relay-failed", tx->method_name,
                 tx->sip->sip_call_id ? tx->sip->sip_call_id->i_id : "-");
        return false;
    }
    return true;
}

/* A response of a branch as our own upstream message: a copy, top Via (ours) removed. */
static msg_t *response_for_upstream(nta_outgoing_t *orq)
{
    msg_t *m = nta_outgoing_getresponse(orq);
    if (!m)
        return NULL;
    sip_t *rs = sip_object(m);
    if (!rs || !rs->sip_via || !rs->sip_via->v_next) {
        msg_destroy(m);
        return NULL;
    }
    msg_header_remove(m, (msg_pub_t *)rs, (msg_header_t *)rs->sip_via);
    return m;
}

/* Every branch of the level is done: next level, or the final answer. */
static void level_done(struct fwd_txn *tx)
{
    if (tx->answered) {
        txn_finish(tx);
        return;
    }
    const struct search_level *lv =
        tx->route_uri ? NULL : &tx->dec.search.levels[tx->level];
    if (!tx->canceled && lv && !lv->stop && tx->best < 600 &&
        tx->level + 1 < tx->dec.search.n_levels) {
        tx->level++;
        level_start(tx);
        return;
    }
    if (tx->canceled && (tx->best == 0 || tx->best_local)) {
        txn_reply_local(tx, SIP_487_REQUEST_TERMINATED);
        txn_log(tx, 487);
    } else if (tx->best_msg && tx->best == 503) {
        /* RFC 3261 §16.7 step 6: a 503 from downstream must not make the upstream client think
         * that we are overloaded. */
        txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
        txn_log(tx, 500);
    } else if (tx->best_msg) {
        msg_t *m = tx->best_msg;
        tx->best_msg = NULL;
        tx->answered = txn_relay(tx, m);
        txn_log(tx, tx->best);
    } else {
        int st = tx->best ? tx->best : 500;
        txn_reply_local(tx, st, tx->best_phrase ? tx->best_phrase : sip_status_phrase(st));
        txn_log(tx, st);
    }
    txn_finish(tx);
}

/* The transaction is over for us: stop what is left and free. */
static void txn_finish(struct fwd_txn *tx)
{
    for (struct fwd_branch *br = tx->branches; br; br = br->next)
        branch_stop(br);
    txn_free(tx);
}

static void branch_final(struct fwd_branch *br, int status)
{
    struct fwd_txn *tx = br->tx;

    br->done = true;
    br->status = status;
    branch_stop(br);
    if (tx->pending > 0)
        tx->pending--;
    if (tx->pending == 0)
        level_done(tx);
}

/* A branch failed before any response was received (next hop, send or attempt timer):
 * `status` is ours, kept as a local candidate. Fails over when the zone has more peers. */
static void branch_fail(struct fwd_branch *br, int status, const char *reason)
{
    struct fwd_txn *tx = br->tx;

    tx->log_failed = str_add(tx->home, tx->log_failed, "; ",
                           su_sprintf(tx->home, "%s: %d %s", zone_name_or(br->zone, "route"),
                                      status, reason));
    if (!tx->canceled && !tx->answered && br->zone &&
        nexthop_has_more(&tx->gen->nh, br->zone, br->attempt)) {
        branch_stop(br);
        br->attempt++;
        tx->env->counters->failover++;
        branch_start(br);
        return;
    }
    if (route_response_better(status, true, tx->best, tx->best_local)) {
        if (tx->best_msg)
            msg_destroy(tx->best_msg);
        tx->best_msg = NULL;
        tx->best = status;
        tx->best_local = true;
        /* `reason` is a log token ("no_address"), not a reason phrase: the log keeps it. */
        tx->best_phrase = sip_status_phrase(status) ? sip_status_phrase(status)
                                                    : su_strdup(tx->home, reason);
    }
    branch_final(br, status);
}

static void branch_timeout(su_root_magic_t *magic, su_timer_t *t, struct fwd_branch *br)
{
    (void)magic;
    (void)t;
    if (!br->done && (!br->provisional || br->cancel_sent))
        branch_fail(br, SIP_408_REQUEST_TIMEOUT);
}

/* SPEC §6 open federation: a DNS-zone domain that completed a 2xx exchange is learnt. */
static void branch_learn(struct fwd_branch *br)
{
    struct fwd_txn *tx = br->tx;
    if (!br->zone || br->zone->type != ZONE_DNS || !br->alias || !tx->env->learnt)
        return;
    char *domain = alias_host(tx->home, br->alias);
    bool added = false;
    if (domain && policy_domain_learnable(tx->gen->dp, domain) &&
        policy_learnt_add(tx->env->learnt, domain, &added) == 0 && added)
        log_info("policy", "event=learnt domain=%s method=%s learnt=%zu", domain,
                 tx->method_name, policy_learnt_count(tx->env->learnt));
}

static int branch_response(struct fwd_branch *br, nta_outgoing_t *orq, const sip_t *sip)
{
    struct fwd_txn *tx = br->tx;
    int status = sip && sip->sip_status ? sip->sip_status->st_status : nta_outgoing_status(orq);
    bool local = !sip || nta_sip_is_internal(sip);

    if (status < 200) {
        br->provisional = true;
        if (br->cancel_wanted) {
            branch_cancel(br);
            return 0;
        }
        if (status > 100 && !tx->answered) {
            msg_t *m = response_for_upstream(orq);
            if (m)
                txn_relay(tx, m);
        }
        return 0;
    }
    const char *diag = ms_diagnostics(tx->home, sip);
    if (diag)
        tx->log_diag = str_add(tx->home, tx->log_diag, " ", diag);

    /* SPEC §5.2: transport error, timeout or 503 moves to the next peer of a neighbor zone. */
    if ((status == 503 || (local && status == 408)) && br->zone && !tx->canceled &&
        !tx->answered && nexthop_has_more(&tx->gen->nh, br->zone, br->attempt)) {
        branch_fail(br, status, sip && sip->sip_status ? sip->sip_status->st_phrase : "failed");
        return 0;
    }

    if (status < 300) {
        branch_learn(br);
        if (!tx->answered) {
            presence_proxy_observe(tx->env->presence, sip, tx->gen->cfg->presence_busy_as_dnd);
            msg_t *m = response_for_upstream(orq);
            if (m)   /* the piggy-backed NOTIFY goes back to the source zone */
                presence_convert_msg(m, tx->src);
            if (m && txn_relay(tx, m))
                tx->answered = true;
            txn_log(tx, status);
            txn_cancel_pending(tx, br);
        } else if (tx->method == sip_method_invite) {
            /* RFC 3261 §16.7 step 5: every 2xx to INVITE is forwarded, even after the first. */
            msg_t *m = nta_outgoing_getresponse(orq);
            if (m && nta_msg_tsend(tx->env->agent, m, NULL, TAG_END()) < 0)
                tx->env->counters->send_failed++;
        }
    } else if (route_response_better(status, local, tx->best, tx->best_local)) {
        if (tx->best_msg)
            msg_destroy(tx->best_msg);
        tx->best_msg = local ? NULL : response_for_upstream(orq);
        tx->best = status;
        tx->best_local = local || !tx->best_msg;
        tx->best_phrase = su_strdup(tx->home, sip && sip->sip_status ? sip->sip_status->st_phrase
                                                                     : sip_status_phrase(status));
        if (status >= 600)
            txn_cancel_pending(tx, br);
    }
    branch_final(br, status);
    return 0;
}

static void branch_hop_ready(void *arg, int status, const char *reason, const struct nexthop *hop)
{
    struct fwd_branch *br = arg;
    struct fwd_txn *tx = br->tx;

    br->nq = NULL;
    if (status) {
        branch_fail(br, status, reason);
        return;
    }
    char *url = nexthop_route_url(tx->home, hop);
    tx->log_hops = str_add(tx->home, tx->log_hops, ",",
                           su_sprintf(tx->home, "%s:%u/%s", hop->ip, hop->port,
                                      sip_transport_name(hop->transport)));

    msg_t *m = msg_copy(tx->msg);
    sip_t *s = m ? sip_object(m) : NULL;
    if (!s) {
        if (m)
            msg_destroy(m);
        branch_fail(br, SIP_500_INTERNAL_SERVER_ERROR);
        return;
    }
    if (br->zone && br->alias && (!tx->dec.alias || strcmp(br->alias, tx->dec.alias) != 0)) {
        /* The search rewrote the alias (strip/replace): it becomes the URI. An unchanged alias
         * leaves the Request-URI as received (no format-and-parse per request). */
        url_t *ru = url_hdup(msg_home(m), (url_t *)su_sprintf(msg_home(m), "sip:%s", br->alias));
        if (ru && ru->url_host)
            s->sip_request->rq_url[0] = *ru;
        msg_fragment_clear(s->sip_request->rq_common);
    }
    bool rr = tx->method != sip_method_ack && (!br->zone || br->zone->record_route);
    if (rr) {
        /* RFC 5658 double Record-Route when the transport changes: the entry facing each side
         * carries that side's transport. */
        const sip_record_route_t *const *ours = tx->gen->self.record_route;
        if (hop->transport != tx->in_tp)
            msg_header_insert(m, (msg_pub_t *)s, msg_header_dup(msg_home(m),
                                                                (msg_header_t *)ours[tx->in_tp]));
        msg_header_insert(m, (msg_pub_t *)s, msg_header_dup(msg_home(m),
                                                            (msg_header_t *)ours[hop->transport]));
    }

    presence_convert_msg(m, br->zone ? br->zone
                         : presence_convert_zone_at(tx->gen->dp, tx->gen->sz, hop->ip, hop->port));

    /* TLS: what the server certificate must prove (the zone's rules, the hop's name). */
    /* (the current set-up: after a reload it is the one new connections get) */
    if (hop->transport == SIP_TP_TLS && tx->env->gen->tls)
        tls_expect_zone(tx->env->gen->tls, br->zone, hop->host, hop->ip, hop->port);

    char branch[ROUTE_LOOP_HASH_LEN + 64];
    snprintf(branch, sizeof branch, "%s%s.%llx", ROUTE_BRANCH_MAGIC, tx->loop_hash,
             (unsigned long long)++tx->env->branch_seq);
    br->branch_key = su_strdup(tx->home, branch);
    br->route_url = url;
    br->cancel_wanted = br->cancel_sent = false;
    br->orq = nta_outgoing_mcreate(tx->env->agent, branch_response, br, (url_string_t const *)url,
                                   m, NTATAG_BRANCH_KEY(branch), TAG_END());
    if (!br->orq) {
        tx->env->counters->send_failed++;
        branch_fail(br, SIP_503_SERVICE_UNAVAILABLE);
        return;
    }
    if (hop->transport == SIP_TP_TLS)
        branch_tls_link(br, hop);
    br->timer = su_timer_create(su_root_task(tx->env->root), FWD_ATTEMPT_TIMEOUT_MS);
    if (br->timer)
        su_timer_set(br->timer, branch_timeout, br);
}

void forward_tls_failed(void *arg, const char *ip, uint16_t port, const char *reason)
{
    struct forward_env *env = arg;
    uint64_t before = ++env->tls_seq;   /* branches sent after this wait for their own try */

    /* One branch at a time: failing one may finish its transaction (freeing its siblings) or
     * fail over (adding new branches), so the list is searched again each time. */
    for (;;) {
        struct fwd_branch *br = env->tls_waiting;
        while (br && (br->tls_seq >= before || br->provisional || br->done ||
                      br->hop_port != port || strcmp(br->hop_ip, ip) != 0))
            br = br->tls_next;
        if (!br)
            break;
        branch_tls_unlink(br);
        branch_fail(br, STATUS_UNAVAILABLE,
                    su_sprintf(br->tx->home, "TLS handshake failed: %s", reason));
    }
}

static void branch_start(struct fwd_branch *br)
{
    struct fwd_txn *tx = br->tx;
    const char *domain = NULL;

    if (br->alias) {
        const char *at = strchr(br->alias, '@');
        domain = at ? at + 1 : br->alias;
        size_t n = strcspn(domain, ":;");
        domain = su_strndup(tx->home, domain, n);
    }
    struct nexthop_request rq = {
        .zone = br->zone,
        .domain = domain,
        .uri = tx->route_uri,
        .attempt = br->attempt,
    };
    br->provisional = false;
    br->nq = nexthop_select(&tx->gen->nh, &rq, branch_hop_ready, br);
}

static void level_start(struct fwd_txn *tx)
{
    tx->branches = NULL;
    if (tx->route_uri) {
        struct fwd_branch *br = su_zalloc(tx->home, sizeof *br);
        if (!br) {
            txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
            txn_finish(tx);
            return;
        }
        br->tx = tx;
        tx->branches = br;
        tx->pending = 1;
        tx->log_targets = "route";
        branch_start(br);
        return;
    }
    const struct search_level *lv = &tx->dec.search.levels[tx->level];
    struct fwd_branch **tail = &tx->branches;
    for (size_t i = 0; i < lv->n_targets; i++) {
        struct fwd_branch *br = su_zalloc(tx->home, sizeof *br);
        if (!br)
            break;
        br->tx = tx;
        br->zone = lv->targets[i].zone;
        br->alias = lv->targets[i].alias;
        br->rule = lv->targets[i].rule;
        *tail = br;
        tail = &br->next;
        tx->pending++;
        tx->log_rules = str_add(tx->home, tx->log_rules, ",", br->rule ? br->rule->name : NULL);
        tx->log_targets = str_add(tx->home, tx->log_targets, tx->log_targets && i ? "+" : ",",
                                  br->zone->name);
    }
    if (tx->pending == 0) {
        txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
        txn_finish(tx);
        return;
    }
    /* Start them all. A branch may complete synchronously (no next hop); only the last one
     * can end the transaction (pending reaches 0 only then), so `tx` is not used after it. */
    for (struct fwd_branch *br = tx->branches, *next; br; br = next) {
        next = br->next;
        branch_start(br);
    }
}

/* CANCEL (nta has answered it with 200) or ACK of our non-2xx final for this transaction. */
static int txn_ack_cancel(struct fwd_txn *tx, nta_incoming_t *irq, const sip_t *sip)
{
    (void)irq;
    if (!sip || !sip->sip_request || sip->sip_request->rq_method != sip_method_cancel)
        return 0;
    /* RFC 3261 §9.2: a CANCEL has no effect on a non-INVITE transaction (nta answered it). */
    if (tx->answered || tx->canceled || tx->method != sip_method_invite)
        return 0;
    tx->canceled = true;
    txn_cancel_pending(tx, NULL);
    /* Branches still waiting for a next hop have nothing to cancel downstream: end them. */
    for (struct fwd_branch *br = tx->branches, *next; br; br = next) {
        next = br->next;
        if (!br->done && !br->orq) {
            bool last = tx->pending == 1;
            branch_final(br, STATUS_TERMINATED);
            if (last)
                break;
        }
    }
    return 0;
}

/* Where the request came from: source zone and authenticated flag (SPEC §5.1, §5.5). */
static const struct zone *source_classify(struct proxy_gen *g, su_home_t *home, tport_t *tp,
                                          msg_t *req, const sip_t *sip, bool *authenticated,
                                          enum sip_transport *in_tp)
{
    struct srczone_origin o = { .ip = "" };
    char ip[64] = "";
    su_addrinfo_t *ai = msg_addrinfo(req);

    if (ai && ai->ai_addr) {
        su_sockaddr_t *su = (su_sockaddr_t *)ai->ai_addr;
        su_inet_ntop(su->su_family, SU_ADDR(su), ip, sizeof ip);
        o.port = ntohs(su->su_port);
    }
    o.ip = ip;
    *in_tp = tport_transport(tp);
    o.tls = *in_tp == SIP_TP_TLS;
    if (o.tls && tp) {
        /* The certificate facts tls_hook.c recorded for this connection: SAN dNSName, the CN
         * only without one (sofia's own subject list always adds the CN). */
        const struct tls_peer *peer = tls_peer_of(g->tls, tp);
        su_strlst_t *names = peer ? su_strlst_create(home) : NULL;
        for (size_t i = 0; names && i < peer->n_names; i++)
            su_strlst_dup_append(names, peer->names[i]);
        o.tls_verified = peer && peer->verified;
        o.subjects = names;
    }
    o.from_domain = sip->sip_from ? sip->sip_from->a_url->url_host : NULL;
    return srczone_lookup(g->sz, g->dp, &o, authenticated);
}

/* Where the request came from: source zone and authenticated flag (SPEC §5.1, §5.5). */
static void txn_classify_source(struct fwd_txn *tx, msg_t *req)
{
    tport_t *tp = nta_incoming_transport(tx->env->agent, tx->irq, req);
    tx->src = source_classify(tx->gen, tx->home, tp, req, tx->sip, &tx->authenticated,
                              &tx->in_tp);
    if (tp)
        tport_unref(tp);
}

/* Refuse before forwarding: reply, log, count. Returns 0 (the transaction is ours and done). */
static int txn_refuse(struct fwd_txn *tx, int status, const char *phrase, const char *reason)
{
    tx->log_note = reason;
    txn_reply_local(tx, status, phrase);
    tx->env->counters->refused++;
    txn_log(tx, status);
    txn_free(tx);
    return 0;
}

int forward_request(struct forward_env *env, nta_leg_t *leg, nta_incoming_t *irq,
                    const sip_t *sip)
{
    (void)leg;
    struct proxy_gen *g = env->gen;
    sip_method_t method = sip->sip_request->rq_method;
    const char *method_name = sip->sip_request->rq_method_name;

    if (method == sip_method_cancel)
        return STATUS_NO_TRANSACTION;
    if (env->stopping)
        return STATUS_UNAVAILABLE;

    struct fwd_txn *tx = su_home_new(sizeof *tx);
    if (!tx)
        return STATUS_SERVER_ERROR;
    tx->env = env;
    tx->gen = proxy_gen_ref(g);
    tx->irq = irq;
    tx->method = method;
    tx->method_name = su_strdup(tx->home, method_name);
    env->active++;
    env->counters->requests++;
    nta_incoming_bind(irq, txn_ack_cancel, tx);

    msg_t *req = nta_incoming_getrequest(irq);
    tx->msg = req ? msg_copy(req) : NULL;
    tx->sip = tx->msg ? sip_object(tx->msg) : NULL;
    if (!tx->sip) {
        if (req)
            msg_destroy(req);
        return txn_refuse(tx, SIP_500_INTERNAL_SERVER_ERROR, "out of memory");
    }
    txn_classify_source(tx, req);
    msg_destroy(req);

    if (method == sip_method_invite)
        nta_incoming_treply(irq, SIP_100_TRYING, TAG_END());

    /* RFC 3261 §16.3: validation before anything is forwarded. */
    const char *bad = route_bad_proxy_header(tx->sip);
    if (bad)
        return txn_refuse(tx, 400, su_sprintf(tx->home, "Bad %s Header", bad),
                          su_sprintf(tx->home, "malformed %s", bad));
    if (!max_forwards_step(tx->msg, tx->sip, g->cfg->max_forwards))
        return txn_refuse(tx, SIP_483_TOO_MANY_HOPS, "Max-Forwards 0");
    char *unsupported = route_unsupported_tags(tx->home, sip->sip_proxy_require);
    if (unsupported) {
        tx->log_note = su_sprintf(tx->home, "unsupported Proxy-Require: %s", unsupported);
        if (nta_incoming_treply(irq, SIP_420_BAD_EXTENSION, SIPTAG_UNSUPPORTED_STR(unsupported),
                                TAG_END()) < 0)
            env->counters->send_failed++;
        tx->answered = true;
        env->counters->refused++;
        txn_log(tx, 420);
        txn_free(tx);
        return 0;
    }
    route_loop_hash(sip, tx->loop_hash);
    if (route_request_loops(&g->self, sip, tx->loop_hash))
        return txn_refuse(tx, SIP_482_LOOP_DETECTED, "our own branch seen again");

    /* RFC 3261 §16.4 / SPEC §4.3.1: loose routing. */
    int stripped = route_strip_self(&g->self, tx->msg, tx->sip);
    const url_t *ruri = tx->sip->sip_request->rq_url;
    if (tx->sip->sip_route) {
        tx->route_uri = tx->sip->sip_route->r_url;
        tx->log_rules = "route";
    } else if (stripped && host_is_ip_address(ruri->url_host) &&
               !route_uri_is_self(&g->self, ruri)) {
        /* A dialog's remote target behind our Record-Route: follow it, no search. */
        tx->route_uri = ruri;
        tx->log_rules = "dialog";
    }
    if (tx->route_uri) {
        presence_proxy_observe(env->presence, tx->sip, g->cfg->presence_busy_as_dnd);
        level_start(tx);
        return 0;
    }

    struct decide_input in = { .sip = tx->sip, .source = tx->src,
                               .authenticated = tx->authenticated, .learnt = env->learnt };
    if (decide_request(tx->home, g->dp, &in, &tx->dec) != 0)
        return txn_refuse(tx, SIP_500_INTERNAL_SERVER_ERROR, "out of memory");
    if (tx->dec.alias)
        tx->alias = tx->dec.alias;
    if (tx->dec.status) {
        tx->log_rules = "-";
        return txn_refuse(tx, tx->dec.status, sip_status_phrase(tx->dec.status),
                          tx->dec.reason ? tx->dec.reason : "refused");
    }
    if (tx->dec.search.n_levels == 0)
        return txn_refuse(tx, SIP_404_NOT_FOUND, "no rule matched");
    presence_proxy_observe(env->presence, tx->sip, g->cfg->presence_busy_as_dnd);
    level_start(tx);
    return 0;
}

/* Overload control (FWD_MAX_ACTIVE): true when the request was refused. CANCEL always goes on
 * (it ends work). One log line when an episode starts and one when it ends. */
static bool overload_refuse(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                            const sip_t *sip)
{
    /* Hysteresis: an episode ends when half the limit is free again. */
    bool busy = env->active >= (env->overloaded ? FWD_MAX_ACTIVE / 2 : FWD_MAX_ACTIVE);
    if (!busy || sip->sip_request->rq_method == sip_method_cancel) {
        if (env->overloaded && !busy) {
            env->overloaded = false;
            log_warn("proxy", "event=overload_end refused=%llu",
                     (unsigned long long)env->overload_refused);
        }
        return false;
    }
    if (!env->overloaded) {
        env->overloaded = true;
        env->overload_refused = 0;
        log_warn("proxy", "event=overload_start active=%u status=503 retry_after=%s",
                 env->active, FWD_OVERLOAD_RETRY_AFTER);
    }
    env->overload_refused++;
    env->counters->refused++;
    nta_msg_treply(agent, msg, SIP_503_SERVICE_UNAVAILABLE,
                   SIPTAG_RETRY_AFTER_STR(FWD_OVERLOAD_RETRY_AFTER), TAG_END());
    return true;
}

int forward_message(struct forward_env *env, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
    if (!sip || !env->gen) {
        msg_destroy(msg);
        return 0;
    }
    if (sip->sip_status) {
        forward_stray_response(env, agent, msg, sip);
        return 0;
    }
    if (!sip->sip_request) {
        msg_destroy(msg);
        return 0;
    }
    if (msg_size(msg) > env->gen->cfg->max_message_size) {
        /* RFC 3261 §21.5.14 (nta's read limit is the stream's, proxy.c). */
        env->counters->refused++;
        log_warn("route", "method=%s status=513 size=%u reason=\"larger than max_message_size\"",
                 sip->sip_request->rq_method_name, (unsigned)msg_size(msg));
        if (sip->sip_request->rq_method != sip_method_ack)
            nta_msg_treply(agent, msg, SIP_513_MESSAGE_TOO_LARGE, TAG_END());
        else
            msg_destroy(msg);
        return 0;
    }
    sip_method_t method = sip->sip_request->rq_method;
    if (method == sip_method_ack || su_casematch(sip->sip_request->rq_method_name, "BENOTIFY")) {
        /* ACK for a 2xx (its own end-to-end transaction, RFC 3261 §17.1.1.3) and BENOTIFY (the
         * best-effort NOTIFY of [MS-SIP] §3.4: never answered) go on without a transaction. */
        forward_stateless(env, msg, sip->sip_request->rq_method_name);
        return 0;
    }
    if (overload_refuse(env, agent, msg, sip))
        return 0;
    /* Everything else becomes a server transaction: nta then absorbs retransmissions, matches
     * CANCEL and the ACK of a non-2xx final. */
    nta_incoming_t *irq = nta_incoming_create(agent, NULL, msg, sip, TAG_END());
    if (!irq) {
        env->counters->send_failed++;
        log_error("route", "method=%s status=dropped reason=\"cannot create a server transaction\"",
                  sip->sip_request->rq_method_name);
        return 0;
    }
    int status = forward_request(env, NULL, irq, sip);
    if (status) {
        nta_incoming_treply(irq, status, NULL, TAG_END());
        nta_incoming_destroy(irq);
    }
    return 0;
}
