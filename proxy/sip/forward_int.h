/* forward_int.h — private to proxy/sip/forward*.c: the transaction and branch structs and the
 * functions the forwarding files share. Include it first: it sets nta's magic types. */
#ifndef SIPFED_FORWARD_INT_H
#define SIPFED_FORWARD_INT_H

#include <stdbool.h>
#include <stdint.h>

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

#include "decide.h"
#include "forward.h"
#include "route.h"
#include "types.h"

struct nexthop;
struct nexthop_query;
struct proxy_gen;
struct zone;
struct rule;

/* Statuses returned to nta as plain numbers (sip_status.h's SIP_nnn_* are status + phrase). */
enum {
    STATUS_BAD_REQUEST = 400,
    STATUS_NOT_FOUND = 404,
    STATUS_BAD_EXTENSION = 420,
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
    bool pinned;                         /* sent on a traversal connection (NTATAG_TPORT): so
                                          * is its CANCEL */
    /* sent on a TLS connection still in its handshake (env->tls_waiting): that connection's
     * failure fails the branch */
    uint64_t tls_conn;
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
    const char *best_cause;              /* a local best: why the next hop failed (Warning) */
    bool answered;                       /* a final response went upstream */
    bool canceled;
    const char *log_rules, *log_targets, *log_hops, *log_diag;
    const char *log_note;                /* why we refused (reason=...) */
    const char *log_failed;              /* attempts that failed (failed=...) */
    const char *reply_unsupported;       /* a local 420 names these tags in Unsupported */
};

/* forward_log.c: the route log line and the values it carries. */

/* `list` + `sep` + `item` allocated from `home` (`list` when `item` is NULL). */
const char *fwd_str_add(su_home_t *home, const char *list, const char *sep, const char *item);
/* The zone's name, or `dflt` when `z` is NULL (loose routing). */
const char *fwd_zone_name_or(const struct zone *z, const char *dflt);
/* The alias of a URI for logs: user@host[:port][;params], from `home`; "-" on failure. */
const char *fwd_uri_alias(su_home_t *home, const url_t *u);
/* `s` with `"` and `\` escaped, for a quoted log value (from `home`; "" on failure). */
const char *fwd_log_quote(su_home_t *home, const char *s);
/* ms-diagnostics / ms-diagnostics-public of a response (SPEC §4.3.7) from `home`, or NULL. */
const char *fwd_ms_diagnostics(su_home_t *home, const sip_t *sip);
/* Write the transaction's one route line with final `status` (warn from 500 up). */
void fwd_txn_log(struct fwd_txn *tx, int status);

/* forward_inbound.c: what both the stateful and the stateless path do to an arriving request. */

/* Max-Forwards (RFC 3261 §16.6 step 3): decrement, or insert the node's default. Returns false
 * when it is already 0 (483). */
bool fwd_max_forwards_step(msg_t *msg, sip_t *sip, unsigned dflt);
/* Remove the Route entries that name us; returns how many were removed. */
int fwd_route_strip_self(const struct route_self *self, msg_t *msg, sip_t *sip);
/* Where the request came from: source zone (NULL: none) and authenticated flag (SPEC §5.1,
 * §5.5); `tp` is borrowed, `*in_tp` gets the transport it arrived on. */
const struct zone *fwd_source_classify(struct proxy_gen *g, su_home_t *home, tport_t *tp,
                                       msg_t *req, const sip_t *sip, bool *authenticated,
                                       enum sip_transport *in_tp);

/* forward_txn.c: the end of a server transaction. */

/* Release the transaction (server transaction, messages, configuration ref) and tell the
 * proxy when the last one ends while stopping. Branches must be stopped already. */
void fwd_txn_free(struct fwd_txn *tx);
/* Answer locally with `status` (a refusal or a failure with no downstream response); a 503
 * carries Retry-After, a 420 the Unsupported tags of tx->reply_unsupported. */
void fwd_txn_reply_local(struct fwd_txn *tx, int status, const char *phrase);
/* Answer a next-hop failure (docs/errors.md): `status` with Warning (399, our hostname) and
 * Reason (RFC 3326) headers naming `cause`. */
void fwd_txn_reply_failure(struct fwd_txn *tx, int status, const char *phrase, const char *cause);
/* Relay a downstream response (`rmsg`, taken in every case, top Via already removed).
 * Returns false when it could not be sent. */
bool fwd_txn_relay(struct fwd_txn *tx, msg_t *rmsg);

/* forward_branch.c: branches, best response, CANCEL, failover. */

/* Start the branches of the current level (tx->level, or the one loose-routed branch). May end
 * and free `tx` before it returns. */
void fwd_level_start(struct fwd_txn *tx);
/* nta_incoming_magic_t callback: CANCEL (nta has answered it with 200) or ACK of our non-2xx
 * final for this transaction. Always returns 0. */
int fwd_txn_ack_cancel(struct fwd_txn *tx, nta_incoming_t *irq, const sip_t *sip);

/* forward_send.c: nta_outgoing_mcreate() of `msg` (taken) to `hop` at `url`, for zone `z` (NULL:
 * loose routing), with `cb`/`br` and the tags given. Over TLS the request only goes down a
 * connection that proved what the zone requires for `hop` (tls.h, tls_send_begin), else a fresh
 * one; `*tls_conn` (may be NULL) gets the id of that connection while its handshake is still
 * to complete (0 otherwise). */
nta_outgoing_t *fwd_send(struct forward_env *env, const struct zone *z, const struct nexthop *hop,
                         const char *url, msg_t *msg, nta_response_f *cb, struct fwd_branch *br,
                         uint64_t *tls_conn, tag_type_t tag, tag_value_t value, ...);

/* forward_stateless.c: messages without a transaction. */

/* Forward `msg` (taken) without a transaction: ACK for a 2xx and BENOTIFY. `what` is the
 * method name for the logs. */
void forward_stateless(struct forward_env *env, msg_t *msg, const char *what);
/* A response (`msg`, taken) outside any client transaction: passed on or dropped. */
void forward_stray_response(struct forward_env *env, nta_agent_t *agent, msg_t *msg, sip_t *sip);

/* forward_overload.c: admission control. */

/* Overload control: true when the request (`msg`) was refused with 503 (and taken); false
 * leaves `msg` to the caller. */
/* forward_ratelimit.c: per-source token buckets; true when the request was refused (503 +
 * Retry-After, or a BENOTIFY dropped) and `msg` consumed. */
bool fwd_ratelimit_refuse(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                          const sip_t *sip);
bool fwd_overload_refuse(struct forward_env *env, nta_agent_t *agent, msg_t *msg,
                         const sip_t *sip);

#endif
