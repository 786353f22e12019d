/* forward_branch.c — the branches of a transaction (RFC 3261 §16.5-16.10): forking by level,
 * best-response selection, CANCEL of branches, peer failover, TLS handshake failures.
 * Provisional and 2xx responses are relayed at once; other finals are kept and the best one
 * (§16.7) is sent when every branch of the last level tried is done. */
#include <stdio.h>
#include <string.h>

#include "forward_int.h"
#include "alias.h"
#include "dialplan.h"
#include "log.h"
#include "nexthop.h"
#include "policy.h"
#include "presence_convert.h"
#include "presence_proxy.h"
#include "proxy_gen.h"
#include "tls.h"

/* Our own no-answer limit per attempt: a dead UDP peer or a TLS handshake that never completes
 * is not reported to nta before Timer F (32 s), far beyond what failover should cost. It ends
 * with 504, never 408: nta withholds a local 408 to a non-INVITE (RFC 4320), and the caller
 * would hear nothing. */
enum { FWD_ATTEMPT_TIMEOUT_MS = 4000, FWD_CANCEL_TIMEOUT_MS = 32000 };

static void branch_start(struct fwd_branch *br);
static void txn_finish(struct fwd_txn *tx);

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

static void branch_tls_link(struct fwd_branch *br, uint64_t conn)
{
    struct forward_env *env = br->tx->env;
    br->tls_conn = conn;
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
    /* The CANCEL follows its INVITE down the same connection (RFC 3261 §9.1): never another one
     * sofia would pick for the address (over TLS it may not have proved the name), and for a
     * traversal branch never a new one. */
    tport_t *tp = cs ? nta_outgoing_transport(br->orq) : NULL;
    if (cs && (!br->pinned || tp))
        co = nta_outgoing_mcreate(tx->env->agent, cancel_response, NULL,
                                  (url_string_t const *)br->route_url, c, NTATAG_USER_VIA(1),
                                  NTATAG_BRANCH_KEY(br->branch_key),
                                  TAG_IF(tp && tport_is_secondary(tp), NTATAG_TPORT(tp)),
                                  TAG_END());
    else if (cs)
        msg_destroy(c);
    if (tp)
        tport_unref(tp);
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
    struct route_level_state st = {
        .canceled = tx->canceled, .stop = lv && lv->stop,
        .more_levels = lv && tx->level + 1 < tx->dec.search.n_levels,
        .best = tx->best, .best_local = tx->best_local, .best_msg = tx->best_msg != NULL,
    };
    switch (route_level_end(&st)) {
    case ROUTE_NEXT_LEVEL:
        tx->level++;
        fwd_level_start(tx);
        return;
    case ROUTE_ANSWER_487:
        fwd_txn_reply_local(tx, SIP_487_REQUEST_TERMINATED);
        fwd_txn_log(tx, STATUS_TERMINATED);
        break;
    case ROUTE_ANSWER_500:
        /* RFC 3261 §16.7 step 6: a 503 from downstream must not make the upstream client think
         * that we are overloaded. */
        fwd_txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
        fwd_txn_log(tx, STATUS_SERVER_ERROR);
        break;
    case ROUTE_RELAY_BEST: {
        msg_t *m = tx->best_msg;
        tx->best_msg = NULL;
        tx->answered = fwd_txn_relay(tx, m);
        fwd_txn_log(tx, tx->best);
        break;
    }
    case ROUTE_ANSWER_BEST: {
        int status = tx->best ? tx->best : STATUS_SERVER_ERROR;
        fwd_txn_reply_failure(tx, status, tx->best_phrase ? tx->best_phrase
                                                          : sip_status_phrase(status),
                              tx->best_cause);
        fwd_txn_log(tx, status);
        break;
    }
    }
    txn_finish(tx);
}

/* The transaction is over for us: stop what is left and free. */
static void txn_finish(struct fwd_txn *tx)
{
    for (struct fwd_branch *br = tx->branches; br; br = br->next)
        branch_stop(br);
    fwd_txn_free(tx);
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

    tx->log_failed = fwd_str_add(tx->home, tx->log_failed, "; ",
                           su_sprintf(tx->home, "%s: %d %s", fwd_zone_name_or(br->zone, "route"),
                                      status, reason));
    struct route_failover_in fo = {
        .status = status, .before_response = true, .local = true, .zone_target = br->zone != NULL,
        .more_peers = br->zone && nexthop_has_more(&tx->gen->nh, br->zone, br->attempt),
        .canceled = tx->canceled, .answered = tx->answered,
    };
    if (route_failover(&fo)) {
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
        tx->best_cause = su_strdup(tx->home, reason);
    }
    branch_final(br, status);
}

static void branch_timeout(su_root_magic_t *magic, su_timer_t *t, struct fwd_branch *br)
{
    (void)magic;
    (void)t;
    if (!br->done && (!br->provisional || br->cancel_sent))
        branch_fail(br, HOP_TIMEOUT,
                    su_sprintf(br->tx->home, "no response from %s within %u ms",
                               br->route_url ? br->route_url : "the next hop",
                               br->cancel_sent ? FWD_CANCEL_TIMEOUT_MS : FWD_ATTEMPT_TIMEOUT_MS));
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
        policy_learnt_add(tx->env->learnt, domain, &added) == 0 && added) {
        log_info("policy", "event=learnt domain=%s method=%s learnt=%zu", domain,
                 tx->method_name, policy_learnt_count(tx->env->learnt));
        if (tx->env->learnt_new)
            tx->env->learnt_new(tx->env, domain);
    }
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
                fwd_txn_relay(tx, m);
        }
        return 0;
    }
    const char *diag = fwd_ms_diagnostics(tx->home, sip);
    if (diag)
        tx->log_diag = fwd_str_add(tx->home, tx->log_diag, " ", diag);

    /* nta's own answers for this hop: 503 for a transport error (connection refused or lost),
     * 408 for Timer F. They are failures of that hop, answered like ours (nexthop.h HOP_*). */
    if (local && status >= 300 && status != STATUS_TERMINATED) {
        const char *why = sip && sip->sip_status ? sip->sip_status->st_phrase : "failed";
        branch_fail(br, status == 408 ? HOP_TIMEOUT : HOP_BAD_GATEWAY,
                    su_sprintf(tx->home, "%s: %d %s", br->route_url ? br->route_url : "next hop",
                               status, why));
        return 0;
    }
    /* SPEC §5.2: transport error, timeout or 503 moves to the next peer of a neighbor zone. */
    struct route_failover_in fo = {
        .status = status, .local = local, .zone_target = br->zone != NULL,
        .more_peers = br->zone && nexthop_has_more(&tx->gen->nh, br->zone, br->attempt),
        .canceled = tx->canceled, .answered = tx->answered,
    };
    if (route_failover(&fo)) {
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
            if (m && fwd_txn_relay(tx, m))
                tx->answered = true;
            fwd_txn_log(tx, status);
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
    tx->log_hops = fwd_str_add(tx->home, tx->log_hops, ",",
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
    if (br->zone && br->alias && (!tx->dec.alias || strcmp(br->alias, tx->dec.alias) != 0))
        /* The search rewrote the alias (strip/replace): it becomes the URI. An unchanged alias
         * leaves the Request-URI as received (no format-and-parse per request). */
        route_request_uri_set(m, s, br->alias);
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

    char branch[ROUTE_LOOP_HASH_LEN + 64];
    snprintf(branch, sizeof branch, "%s%s.%llx", ROUTE_BRANCH_MAGIC, tx->loop_hash,
             (unsigned long long)++tx->env->branch_seq);
    br->branch_key = su_strdup(tx->home, branch);
    br->route_url = url;
    br->cancel_wanted = br->cancel_sent = false;
    /* Traversal (SPEC §5.4): the held connection and no other (fwd_send); nta fails the branch
     * with 503 when it has closed meanwhile instead of connecting anew. */
    br->pinned = hop->tport != NULL;
    uint64_t tls_conn = 0;
    br->orq = fwd_send(tx->env, br->zone, hop, url, m, branch_response, br, &tls_conn,
                       NTATAG_BRANCH_KEY(branch), TAG_END());
    if (!br->orq) {
        tx->env->counters->send_failed++;
        branch_fail(br, HOP_BAD_GATEWAY, su_sprintf(tx->home, "cannot send to %s", url));
        return;
    }
    if (tls_conn)
        branch_tls_link(br, tls_conn);
    br->timer = su_timer_create(su_root_task(tx->env->root), FWD_ATTEMPT_TIMEOUT_MS);
    if (br->timer)
        su_timer_set(br->timer, branch_timeout, br);
}

void forward_tls_failed(void *arg, uint64_t conn_id, const char *ip, uint16_t port,
                        bool timed_out, const char *reason)
{
    struct forward_env *env = arg;

    /* One branch at a time: failing one may finish its transaction (freeing its siblings) or
     * fail over (adding new branches), so the list is searched again each time. */
    for (;;) {
        struct fwd_branch *br = env->tls_waiting;
        while (br && (br->tls_conn != conn_id || br->provisional || br->done))
            br = br->tls_next;
        if (!br)
            break;
        branch_tls_unlink(br);
        branch_fail(br, timed_out ? HOP_TIMEOUT : HOP_BAD_GATEWAY,
                    su_sprintf(br->tx->home, "%s:%u: %s", ip, port, reason));
    }
}

static void branch_start(struct fwd_branch *br)
{
    struct fwd_txn *tx = br->tx;
    struct nexthop_request rq = {
        .zone = br->zone,
        .domain = alias_host(tx->home, br->alias),   /* NULL without an alias */
        .uri = tx->route_uri,
        .attempt = br->attempt,
    };
    br->provisional = false;
    br->nq = NULL;
    /* `done` may run (and fail the branch, even end and free the transaction) before
     * nexthop_select() returns; the result is then NULL and `br` must not be touched. */
    struct nexthop_query *q = nexthop_select(&tx->gen->nh, &rq, branch_hop_ready, br);
    if (q)
        br->nq = q;
}

void fwd_level_start(struct fwd_txn *tx)
{
    tx->branches = NULL;
    if (tx->route_uri) {
        struct fwd_branch *br = su_zalloc(tx->home, sizeof *br);
        if (!br) {
            fwd_txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
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
        tx->log_rules = fwd_str_add(tx->home, tx->log_rules, ",", br->rule ? br->rule->name : NULL);
        tx->log_targets = fwd_str_add(tx->home, tx->log_targets, tx->log_targets && i ? "+" : ",",
                                  br->zone->name);
    }
    if (tx->pending == 0) {
        fwd_txn_reply_local(tx, SIP_500_INTERNAL_SERVER_ERROR);
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
int fwd_txn_ack_cancel(struct fwd_txn *tx, nta_incoming_t *irq, const sip_t *sip)
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
