/* forward.c — the nta transaction glue of the proxy (RFC 3261 §16, SPEC §4.3); see forward.h.
 *
 * A request becomes one `fwd_txn` (own su_home, holds a reference to the configuration it
 * started with). Its targets come from loose routing (our Route entries removed, RFC 3261
 * §16.4) or from the search (decide_request). Each target of the current priority level is a
 * `fwd_branch` (forward_branch.c). Messages without a transaction are in forward_stateless.c,
 * admission control in forward_overload.c, the route log line in forward_log.c. */
#include <string.h>

#include "forward_int.h"
#include "inbound.h"
#include "log.h"
#include "presence_proxy.h"
#include "proxy.h"
#include "route.h"
#include "srczone.h"
#include "tls.h"

/* Retry-After (seconds) on our own 503s. */
#define FWD_RETRY_AFTER "30"

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
bool fwd_max_forwards_step(msg_t *msg, sip_t *sip, unsigned dflt)
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
int fwd_route_strip_self(const struct route_self *self, msg_t *msg, sip_t *sip)
{
    int n = 0;
    while (sip->sip_route && route_uri_is_self(self, sip->sip_route->r_url)) {
        msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_route);
        n++;
    }
    return n;
}

void fwd_txn_free(struct fwd_txn *tx)
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

/* Answer locally with `status` (a refusal or a failure with no downstream response). */
void fwd_txn_reply_local(struct fwd_txn *tx, int status, const char *phrase)
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
bool fwd_txn_relay(struct fwd_txn *tx, msg_t *rmsg)
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

/* Where the request came from: source zone and authenticated flag (SPEC §5.1, §5.5). */
const struct zone *fwd_source_classify(struct proxy_gen *g, su_home_t *home, tport_t *tp,
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
    tx->src = fwd_source_classify(tx->gen, tx->home, tp, req, tx->sip, &tx->authenticated,
                              &tx->in_tp);
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
        return txn_refuse(tx, 400, su_sprintf(tx->home, "Bad %s Header", bad),
                          su_sprintf(tx->home, "malformed %s", bad));
    /* RFC 3261 §19.1.5: headers in a URI are for the request built from it; a Request-URI
     * carrying them (sip:a@b?Route=...) is refused rather than passed on (issue 11). */
    if (sip->sip_request->rq_url->url_headers)
        return txn_refuse(tx, 400, "Bad Request-URI: Headers Not Allowed",
                          "Request-URI with headers");
    if (!fwd_max_forwards_step(tx->msg, tx->sip, g->cfg->max_forwards))
        return txn_refuse(tx, SIP_483_TOO_MANY_HOPS, "Max-Forwards 0");
    char *unsupported = route_unsupported_tags(tx->home, sip->sip_proxy_require);
    if (unsupported) {
        tx->log_note = su_sprintf(tx->home, "unsupported Proxy-Require: %s", unsupported);
        if (nta_incoming_treply(irq, SIP_420_BAD_EXTENSION, SIPTAG_UNSUPPORTED_STR(unsupported),
                                TAG_END()) < 0)
            env->counters->send_failed++;
        tx->answered = true;
        env->counters->refused++;
        fwd_txn_log(tx, 420);
        fwd_txn_free(tx);
        return 0;
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
    su_addrinfo_t *ai = msg_addrinfo(msg);
    if (ai && ai->ai_addr && ai->ai_protocol != IPPROTO_UDP)
        inbound_guard_delivered(env->inbound, ai->ai_addr);
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
    if (fwd_ratelimit_refuse(env, agent, msg, sip))
        return 0;
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
        nta_incoming_treply(irq, status, NULL, TAG_END());
        nta_incoming_destroy(irq);
    }
    return 0;
}
