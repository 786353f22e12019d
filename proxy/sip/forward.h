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
struct fwd_branch;
struct inbound_guard;
struct fwd_ratelimit;
struct ops_stats;

/* What forward*.c need from the proxy; owned by proxy.c. */
struct forward_env {
    nta_agent_t *agent;
    su_root_t *root;
    struct proxy_gen *gen;             /* current configuration (new requests take a ref) */
    struct proxy_counters *counters;
    bool stopping;                     /* SIGTERM: new requests get 503 */
    unsigned active;                   /* transactions in flight */
    uint64_t branch_seq;               /* makes our Via branches unique */
    void (*idle)(struct forward_env *env); /* called when `active` drops to 0 while stopping */
    struct presence_store *presence;   /* last state per presentity (presence_proxy.h) */
    struct policy_learnt *learnt;      /* open federation's learnt domains (policy.h); owned by
                                        * the proxy, kept across reloads */
    /* Told each newly learnt domain (the other workers learn it too); may be NULL. */
    void (*learnt_new)(struct forward_env *env, const char *domain);
    struct fwd_branch *tls_waiting;    /* sent on a TLS connection still in its handshake */
    struct inbound_guard *inbound;     /* told when a message arrives (inbound.h); may be NULL */
    struct fwd_ratelimit *ratelimit;   /* per-source buckets (forward_ratelimit.c); may be NULL */
    struct ops_stats *ops;             /* metrics and search history (ops_stats.h); owned by the
                                        * proxy, may be NULL */
    struct traversal *traversal;       /* the traversal pair's connections (traversal.h) */
    struct unreadable *unreadable;     /* messages nta dropped as garbage (unreadable.h); owned
                                        * by the proxy, may be NULL */
    bool overloaded;                   /* refusing new requests (forward_overload.c) */
    uint64_t overload_refused;         /* refused in the current overload episode */
};

/* The agent's message callback (the agent runs with NTATAG_STATELESS(1), so every request that
 * matches no transaction comes here first): ACK for a 2xx and BENOTIFY are forwarded without a
 * transaction (BENOTIFY must never be answered, and an nta server transaction destroyed without
 * a final response answers 500); every other request gets a server transaction
 * (nta_incoming_create) and goes to forward_request(). A response outside any transaction is
 * passed on only when it is a 2xx to INVITE under our Via. Always returns 0. */
int forward_message(struct forward_env *env, nta_agent_t *agent, msg_t *msg, sip_t *sip);

/* The per-source rate limit state (forward_ratelimit.c); the limits themselves are read from
 * the current configuration. Returns 0 or ENOMEM. */
int fwd_ratelimit_create(struct fwd_ratelimit **out);
void fwd_ratelimit_destroy(struct fwd_ratelimit *rl);

/* Route one request held in server transaction `irq` (`leg` unused, may be NULL). Returns 0 (we
 * own the transaction) or a status for the caller to answer with. */
int forward_request(struct forward_env *env, nta_leg_t *leg, nta_incoming_t *irq,
                    const sip_t *sip);

/* tls_failure_f for tls_setup_activate() (`env` is the forward_env): outgoing TLS connection
 * `conn_id` (to ip:port) failed before its handshake completed, so every branch waiting on it
 * fails now (failover applies) instead of waiting for the attempt timer. */
void forward_tls_failed(void *env, uint64_t conn_id, const char *ip, uint16_t port,
                        bool timed_out, const char *reason);

#endif
