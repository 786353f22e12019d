/* forward_txn.c — the end of a server transaction: answer locally, relay a downstream response,
 * release it. forward.c and forward_branch.c call it; it calls neither. */
#include "forward_int.h"
#include "log.h"
#include "proxy_gen.h"

/* Retry-After (seconds) on our own 503s. */
#define FWD_RETRY_AFTER "30"

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
                            TAG_IF(status == STATUS_BAD_EXTENSION && tx->reply_unsupported,
                                   SIPTAG_UNSUPPORTED_STR(tx->reply_unsupported)),
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
