/* forward.h — transaction-stateful forwarding on nta (RFC 3261 §16): one server transaction in,
 * client transactions out (forking by priority level, peer failover), responses relayed. */
#ifndef SIPFED_FORWARD_H
#define SIPFED_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/nta.h>

struct proxy;
struct proxy_gen;
struct policy_learnt;

/* What forward.c needs from the proxy; owned by proxy.c. */
struct forward_env {
    nta_agent_t *agent;
    su_root_t *root;
    struct proxy_gen *gen;             /* current configuration (new requests take a ref) */
    struct proxy_counters *counters;
    bool stopping;                     /* SIGTERM: new requests get 503 */
    unsigned active;                   /* transactions in flight */
    uint64_t branch_seq;               /* makes our Via branches unique */
    void (*idle)(struct forward_env *env); /* called when `active` drops to 0 while stopping */
    struct policy_learnt *learnt;      /* open federation's learnt domains (policy.h); owned by
                                        * the proxy, kept across reloads */
};

/* The default leg's callback: every request. Returns 0 (we own the transaction) or a status
 * for nta to answer. `env` is the leg's magic. */
int forward_request(struct forward_env *env, nta_leg_t *leg, nta_incoming_t *irq,
                    const sip_t *sip);

/* The agent's callback for messages outside any transaction: a retransmitted 2xx to an INVITE
 * from downstream is passed on statelessly (RFC 3261 §16.7 step 4 / §13.3.1.4). Always 0. */
int forward_stray(struct forward_env *env, nta_agent_t *agent, msg_t *msg, sip_t *sip);

#endif
