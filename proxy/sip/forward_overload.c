/* forward_overload.c — admission control: refuse new requests statelessly past a limit. */
#include "forward_int.h"
#include "log.h"
#include "ops_stats.h"
#include "proxy_gen.h"

/* Overload control. A single sofia event loop without admission control collapses at ~1.2x its
 * capacity (SOFIA-NOTES): queues grow, every transaction times out. Beyond FWD_MAX_ACTIVE live
 * transactions (~200 ms of work at 5000/s) a new request is refused statelessly with 503 and a
 * short Retry-After (RFC 3261 §21.5.4) before it costs a transaction. */
enum { FWD_MAX_ACTIVE = 1000 };
#define FWD_OVERLOAD_RETRY_AFTER "5"

/* Overload control (FWD_MAX_ACTIVE): true when the request was refused. CANCEL always goes on
 * (it ends work). One log line when an episode starts and one when it ends. */
bool fwd_overload_refuse(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
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
    if (env->ops) {
        env->ops->overload_refused++;
        ops_request_count(env->ops, sip->sip_request->rq_method_name, OPS_ZONE_UNCLASSIFIED,
                          503);
    }
    nta_msg_treply(agent, msg, SIP_503_SERVICE_UNAVAILABLE,
                   SIPTAG_RETRY_AFTER_STR(FWD_OVERLOAD_RETRY_AFTER), TAG_END());
    return true;
}
