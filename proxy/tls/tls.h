/* tls.h — TLS for the agent's transports, prepared from the node file's [tls] (SPEC §5.6).
 *
 * sofia-sip 1.12 (Debian) cannot express sipfed's TLS policy with its tags (no minimum version,
 * no cipher choice, first certificate only, same certificate both ways, no SNI, no name check
 * that fails a transaction fast). sipfed therefore takes over every TLS connection sofia creates
 * (tls_hook.c explains how and why) and applies the policy prepared here. docs/tls.md has the
 * operator's view. */
#ifndef SIPFED_TLS_H
#define SIPFED_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "diag.h"
#include "dialplan.h"
#include "tls_names.h"

struct tls_setup;
/* sofia's types, declared rather than included so that this header does not fix anyone's
 * SU_*_MAGIC_T choices (C11 allows repeating a typedef). */
typedef struct su_root_s su_root_t;
typedef struct tport_s tport_t;

/* Validate [tls] against the node file and the dial plan without side effects: [tls] present
 * when needed, files readable, private keys not readable by group/others, certificate and key
 * matching, the certificate carrying [proxy] hostname, min_version, ciphers. Every problem goes
 * to `d` as file:line. Returns 0, or EINVAL when there was an error. `sipfed check` may call it. */
int tls_config_check(const struct node_config *cfg, const struct dialplan *dp, struct diag *d);

/* `sipfed check`: print the cipher suites a TLS connection with this configuration offers, per
 * protocol version, narrowed to what our certificate's key can serve. Returns 0, or EINVAL when
 * the material does not load (tls_config_check() says why). */
int tls_report_suites(FILE *out, const struct node_config *cfg, const struct dialplan *dp);

/* Validate (tls_config_check) and prepare what sofia's TLS transport needs: certificates and
 * keys loaded into memory, the trust store, and a private 0700 runtime directory for sofia's
 * TPTAG_CERTIFICATE (removed when `home` is freed). Problems go to `d` as file:line. Returns 0 or
 * an errno code; *out is owned by `home`, and NULL when the node uses no TLS at all (no [tls], no
 * tls: listen address, no TLS zone). `dp` may be NULL (no zone-specific requirement). Free it
 * (with `home`) before the su_root it was activated on. */
int tls_setup_create(su_home_t *home, const struct node_config *cfg, const struct dialplan *dp,
                     struct diag *d, struct tls_setup **out);

/* The tag list to pass to nta_agent_create()/nta_agent_add_tport() for a TLS listen address
 * (certificate directory, sofia's own verification switched off because tls_hook.c does it).
 * Valid while `ts` lives. */
const tagi_t *tls_setup_tport_tags(const struct tls_setup *ts);

/* An outgoing TLS connection failed before its handshake completed (handshake error, name
 * mismatch, connection closed; `timed_out`: no TCP connection and completed handshake within
 * [proxy] connect_timeout, and sipfed closed it). Called from the event loop (never from inside
 * sofia), once per failed connection, with the connection's id (tls_send_end() gave it to the
 * requests sent on it), the peer's IP literal and port, and a reason for the log and the answer.
 * The proxy fails the branches waiting on that connection at once (SOFIA-NOTES: nta is not told
 * before Timer F). */
typedef void tls_failure_f(void *arg, uint64_t conn_id, const char *ip, uint16_t port,
                           bool timed_out, const char *reason);

/* Make `ts` the policy for every TLS connection from now on and report outgoing handshake
 * failures to `cb` (may be NULL) through `root`. Must be called before the agent opens its
 * first TLS connection. Fails with ENOTSUP when the loaded sofia-sip is not the 1.12 the hook is
 * written for (1.13 frees the SSL itself: a double free), and with ENOSYS when the connection
 * hook is not in effect (then sofia would run TLS with its own weak defaults): refuse to start. Activating another set-up (reload)
 * applies it to new connections; live connections move over with their certificate facts. */
int tls_setup_activate(struct tls_setup *ts, su_root_t *root, tls_failure_f *cb, void *arg);

/* Called from the TLS hook (on the event loop) when an inbound TLS connection on socket `fd` has
 * finished its handshake: the inbound guard starts its message_timeout watch there instead of
 * at handshake_timeout. */
typedef void tls_handshake_f(void *arg, int fd);
/* Tell `cb` (NULL: nobody) about every inbound handshake that finishes from now on. A set-up
 * activated later (reload) that was given no callback of its own keeps this one. */
void tls_setup_on_handshake(struct tls_setup *ts, tls_handshake_f *cb, void *arg);

/* What the server of an outgoing TLS connection must prove for one request (SPEC §5.3): a chain
 * that verifies against ca_file (`verify`) and one of `names` (none: the chain only). The
 * pointers are borrowed for the duration of a call. */
struct tls_want {
    const char *const *names;
    size_t n_names;
    bool verify;
};

/* The rules of zone `z` for next hop `name` (the SRV target, static route or peer host as
 * written; an IP literal is no name): dns zones require `name`; neighbor and traversal zones
 * require one of tls_verify_subject, else `name`; tls_verify off checks nothing. `z` NULL (a
 * Route header's host): verify the chain and require `name`. `one` is storage for one name. */
void tls_want_zone(const struct zone *z, const char *name, const char *one[1],
                   struct tls_want *w);

/* Expected names are per request, never per address: a request goes down a connection only when
 * that connection proved what the request needs. Before sending to ip:port over TLS call
 * tls_send_begin(): it returns an open outgoing connection to ip:port whose certificate proved
 * `w` (or one still in its handshake that will check at least as much), to pass to nta with
 * NTATAG_TPORT(); or NULL, and then the next connection sofia opens is checked against `w`: send
 * with TPTAG_FRESH(1) so that sofia opens one rather than reuse any connection to the address.
 * Right after the send call tls_send_end() with the transport nta used (NULL when the send
 * failed): it returns the id of the connection the request waits on (0: an established one). */
tport_t *tls_send_begin(struct tls_setup *ts, const struct tls_want *w, const char *ip,
                        uint16_t port);
uint64_t tls_send_end(struct tls_setup *ts, tport_t *used);

/* The certificate facts of the TLS connection `tp` (a secondary transport, e.g. from
 * nta_incoming_transport()), or NULL when `tp` is not a TLS connection sipfed knows. Valid until
 * the connection closes; use it synchronously in the request callback. */
const struct tls_peer *tls_peer_of(const struct tls_setup *ts, const tport_t *tp);

/* The inbound guard's handshake_timeout: true when the TLS connection on socket `fd` has
 * finished its handshake; otherwise the connection is marked as timed out (the guard closes it
 * and counts it, so its end is not logged again as a failed handshake) and false is returned.
 * O(connections); asked only of connections past the timeout. */
bool tls_setup_handshake_expire(struct tls_setup *ts, int fd);
/* Handshake outcomes, for the metrics (SPEC §8: sipfed_tls_handshakes_total{direction,result}).
 * A failure is classified by its first cause; the log line has the details. */
enum tls_result {
    TLS_RESULT_OK,
    TLS_RESULT_CERT_NAME,        /* the certificate does not carry a required name */
    TLS_RESULT_CERT_EXPIRED,     /* expired or not yet valid */
    TLS_RESULT_CERT_UNTRUSTED,   /* any other verification failure (chain, CA, signature) */
    TLS_RESULT_NO_CERT,          /* a required client certificate was not sent */
    TLS_RESULT_PROTOCOL,         /* no common version or cipher, not TLS at all */
    TLS_RESULT_ALERT,            /* the peer refused us with a fatal alert */
    TLS_RESULT_CLOSED,           /* the connection closed during the handshake */
    TLS_RESULT_OTHER,
    TLS_RESULT_N
};
enum tls_direction { TLS_DIR_IN, TLS_DIR_OUT, TLS_DIR_N };

struct tls_stats {
    unsigned long handshakes[TLS_DIR_N][TLS_RESULT_N];
};

/* Handshakes since the process started, every setup and reload included. The counters live in
 * the connection hook, which is process-wide by nature (it interposes SSL_new). */
void tls_stats_get(struct tls_stats *out);
const char *tls_result_name(enum tls_result r);     /* "ok", "certificate_name", ... */
const char *tls_direction_name(enum tls_direction d); /* "in" | "out" */

/* One live TLS connection of `ts`, as tls_connections_foreach() reports it. */
struct tls_connection_info {
    const char *ip;
    uint16_t port;
    bool incoming;
    bool established;            /* the handshake completed */
    const struct tls_peer *peer; /* names and verification, when established */
};
/* Call `fn` for every live TLS connection (for the status page). Returns how many. */
size_t tls_connections_foreach(const struct tls_setup *ts,
                               void (*fn)(void *arg, const struct tls_connection_info *c),
                               void *arg);

#endif
