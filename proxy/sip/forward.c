/* forward.c — the nta transaction glue of the proxy (RFC 3261 §16, SPEC §4.3); see forward.h.
 *
 * A request becomes one `fwd_txn` (own su_home, holds a reference to the configuration it
 * started with). Its targets come from loose routing (our Route entries removed, RFC 3261
 * §16.4) or from the search (decide_request). Each target of the current priority level is a
 * `fwd_branch` (forward_branch.c). Messages without a transaction are in forward_stateless.c,
 * admission control in forward_overload.c, the route log line in forward_log.c; the checks both
 * paths make on arrival in forward_inbound.c, answering and releasing a transaction in
 * forward_txn.c. */
#include <stdio.h>
#include <string.h>

#include "forward_int.h"
#include "inbound.h"
#include "log.h"
#include "ops_stats.h"
#include "presence_proxy.h"
#include "proxy_gen.h"
#include "route.h"
#include "sip_mclass.h"
#include "sofialog.h"
#include "tls.h"
#include "traversal.h"

/* The methods a proxy passes on, for our own answer to OPTIONS. */
#define FWD_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, BENOTIFY, " \
                  "INFO, PUBLISH, REFER, UPDATE, PRACK"

/* Where the request came from: source zone and authenticated flag (SPEC §5.1, §5.5). */
static void txn_classify_source(struct fwd_txn *tx, msg_t *req)
{
    tport_t *tp = nta_incoming_transport(tx->env->agent, tx->irq, req);
    tx->src = fwd_source_classify(tx->gen, tx->home, tp, req, tx->sip, &tx->authenticated,
                              &tx->in_tp);
    /* DMZ node: a verified internal node's connection becomes a traversal connection. */
    if (tp && tx->src->type == ZONE_TRAVERSAL_SERVER)
        traversal_observe(tx->env->traversal, tx->src, tp, tls_peer_of(tx->gen->tls, tp));
    if (tp)
        tport_unref(tp);
}

/* Refuse before forwarding: reply, log, count. Returns 0 (the transaction is ours and done). */
static int txn_refuse(struct fwd_txn *tx, int status, const char *phrase, const char *reason)
{
    tx->log_note = reason;
    fwd_txn_reply_local(tx, status, phrase);
    tx->env->counters->refused++;
    fwd_txn_log(tx, status);
    fwd_txn_free(tx);
    return 0;
}

/* OPTIONS with Max-Forwards: 0 is for us (RFC 3261 §11, §16.3 step 3): the keep-alive of a
 * traversal client (traversal_client.c) or any peer's ping. Answered 200, logged at debug. */
static int txn_answer_ping(struct fwd_txn *tx)
{
    if (nta_incoming_treply(tx->irq, SIP_200_OK, SIPTAG_ALLOW_STR(FWD_ALLOW), TAG_END()) < 0)
        tx->env->counters->send_failed++;
    tx->answered = true;
    log_debug("route", "method=OPTIONS src=%s status=200 reason=\"Max-Forwards 0: answered by "
              "this node\"", tx->src ? tx->src->name : "-");
    fwd_txn_free(tx);
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
    nta_incoming_bind(irq, fwd_txn_ack_cancel, tx);

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
        return txn_refuse(tx, STATUS_BAD_REQUEST, su_sprintf(tx->home, "Bad %s Header", bad),
                          su_sprintf(tx->home, "malformed %s", bad));
    /* RFC 3261 §19.1.5: headers in a URI are for the request built from it; a Request-URI
     * carrying them (sip:a@b?Route=...) is refused rather than passed on (issue 11). */
    if (sip->sip_request->rq_url->url_headers)
        return txn_refuse(tx, 400, "Bad Request-URI: Headers Not Allowed",
                          "Request-URI with headers");
    if (method == sip_method_options && tx->sip->sip_max_forwards &&
        tx->sip->sip_max_forwards->mf_count == 0)
        return txn_answer_ping(tx);
    if (!fwd_max_forwards_step(tx->msg, tx->sip, g->cfg->max_forwards))
        return txn_refuse(tx, SIP_483_TOO_MANY_HOPS, "Max-Forwards 0");
    char *unsupported = route_unsupported_tags(tx->home, sip->sip_proxy_require);
    if (unsupported) {
        tx->reply_unsupported = unsupported;
        return txn_refuse(tx, SIP_420_BAD_EXTENSION,
                          su_sprintf(tx->home, "unsupported Proxy-Require: %s", unsupported));
    }
    route_loop_hash(sip, tx->loop_hash);
    if (route_request_loops(&g->self, sip, tx->loop_hash))
        return txn_refuse(tx, SIP_482_LOOP_DETECTED, "our own branch seen again");

    /* RFC 3261 §16.4 / SPEC §4.3.1: loose routing. */
    int stripped = fwd_route_strip_self(&g->self, tx->msg, tx->sip);
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
        fwd_level_start(tx);
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
    fwd_level_start(tx);
    return 0;
}

/* A request line whose Request-URI does not parse: sip_mclass.c read the rest of the message,
 * so the sender gets 400 through its Via instead of silence (docs/errors.md). */
static void refuse_bad_request_uri(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                                   sip_t *sip)
{
    const msg_common_t *rq = sip->sip_request->rq_common;
    char from[96], line[SOFIALOG_LINE];
    size_t len = rq->h_data ? rq->h_len : 0;
    while (len > 0 && (((const char *)rq->h_data)[len - 1] == '\r' ||
                       ((const char *)rq->h_data)[len - 1] == '\n'))
        len--;
    sofialog_clean(line, sizeof line, len ? su_strndup(msg_home(msg), rq->h_data, len) : "-");
    sip_msg_sender(msg, from, sizeof from);
    env->counters->refused++;
    ops_request_count(env->ops, sip->sip_request->rq_method_name, OPS_ZONE_UNCLASSIFIED,
                      STATUS_BAD_REQUEST);
    log_warn("route", "method=%s src=%s status=400 request=\"%s\" reason=\"Request-URI does not "
             "parse\"", sip->sip_request->rq_method_name, from, line);
    if (sip->sip_request->rq_method != sip_method_ack)
        nta_msg_treply(agent, msg, STATUS_BAD_REQUEST, "Bad Request-URI", TAG_END());
    else
        msg_destroy(msg);
}

/* A header that may appear once, given twice (route_duplicate_header): sofia's encoder aborts
 * the process on any copy of such a message, so it goes no further. A request is answered 400
 * (an ACK or BENOTIFY, never answered, and a response are dropped), with a log line. */
static bool fwd_refuse_duplicate(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                                 const sip_t *sip)
{
    const char *dup = route_duplicate_header(sip);
    if (dup == NULL)
        return false;
    env->counters->refused++;
    if (sip->sip_status) {
        log_warn("route", "status=%d event=dropped reason=\"response with the %s header "
                 "twice\"", sip->sip_status->st_status, dup);
        msg_destroy(msg);
        return true;
    }
    const char *method = sip->sip_request->rq_method_name;
    bool answer = sip->sip_request->rq_method != sip_method_ack &&
                  !su_casematch(method, "BENOTIFY");
    log_warn("route", "method=%s status=%s reason=\"the %s header given twice\"", method,
             answer ? "400" : "dropped", dup);
    if (answer) {
        char phrase[96];
        snprintf(phrase, sizeof phrase, "Duplicate %s Header", dup);
        ops_request_count(env->ops, method, OPS_ZONE_UNCLASSIFIED, STATUS_BAD_REQUEST);
        nta_msg_treply(agent, msg, STATUS_BAD_REQUEST, phrase, TAG_END());
    } else {
        msg_destroy(msg);
    }
    return true;
}

int forward_message(struct forward_env *env, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
    if (!sip || !env->gen) {
        msg_destroy(msg);
        return 0;
    }
    if (fwd_refuse_duplicate(env, agent, msg, sip))
        return 0;
    if (sip->sip_status) {
        forward_stray_response(env, agent, msg, sip);
        return 0;
    }
    if (!sip->sip_request) {
        msg_destroy(msg);
        return 0;
    }
    su_addrinfo_t *ai = msg_addrinfo(msg);
    if (ai && ai->ai_addr && ai->ai_protocol != IPPROTO_UDP)
        inbound_guard_delivered(env->inbound, ai->ai_addr);
    if (msg_size(msg) > env->gen->cfg->max_message_size) {
        /* RFC 3261 §21.5.14 (nta's read limit is the stream's, proxy.c). */
        env->counters->refused++;
        ops_request_count(env->ops, sip->sip_request->rq_method_name, OPS_ZONE_UNCLASSIFIED,
                          513);
        log_warn("route", "method=%s status=513 size=%u reason=\"larger than max_message_size\"",
                 sip->sip_request->rq_method_name, (unsigned)msg_size(msg));
        if (sip->sip_request->rq_method != sip_method_ack)
            nta_msg_treply(agent, msg, SIP_513_MESSAGE_TOO_LARGE, TAG_END());
        else
            msg_destroy(msg);
        return 0;
    }
    if (fwd_ratelimit_refuse(env, agent, msg, sip))
        return 0;
    if (sip_request_uri_is_bad(sip)) {
        refuse_bad_request_uri(env, agent, msg, sip);
        return 0;
    }
    sip_method_t method = sip->sip_request->rq_method;
    if (method == sip_method_ack || su_casematch(sip->sip_request->rq_method_name, "BENOTIFY")) {
        /* ACK for a 2xx (its own end-to-end transaction, RFC 3261 §17.1.1.3) and BENOTIFY (the
         * best-effort NOTIFY of [MS-SIP] §3.4: never answered) go on without a transaction. */
        forward_stateless(env, msg, sip->sip_request->rq_method_name);
        return 0;
    }
    if (fwd_overload_refuse(env, agent, msg, sip))
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
        /* refused before a transaction of ours existed (stopping, CANCEL without one) */
        ops_request_count(env->ops, sip->sip_request->rq_method_name, OPS_ZONE_UNCLASSIFIED,
                          status);
        nta_incoming_treply(irq, status, NULL, TAG_END());
        nta_incoming_destroy(irq);
    }
    return 0;
}
