/* tls_int.h — private to tls*.c: the loaded TLS material, the set-up, the connection hook and
 * the registry both of them use. */
#ifndef SIPFED_TLS_INT_H
#define SIPFED_TLS_INT_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"
#include "tls.h"
#include "diag.h"
#include "dialplan.h"
#include "tls.h"
#include "tls_names.h"

#include <sofia-sip/su_time.h>

/* sofia's timer type, declared rather than included (tls.h explains why). */
typedef struct su_timer_s su_timer_t;

/* Forward secrecy only for TLS 1.2 (ECDHE/DHE key exchange, AEAD first, then CBC with SHA-2 for
 * older Microsoft edges); TLS 1.3 suites are all forward secret and keep OpenSSL's default. */
#define TLS_DEFAULT_CIPHERS \
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDHE+AES+SHA384:ECDHE+AES+SHA256"

struct tls_identity {
    X509 *cert;                 /* the leaf */
    STACK_OF(X509) *chain;      /* the intermediates that follow it in the PEM file */
    EVP_PKEY *key;
};

struct tls_material {
    struct tls_identity server;
    struct tls_identity client; /* cert NULL: the server identity is used outgoing too */
    X509_STORE *store;          /* ca_file */
    STACK_OF(X509_NAME) *ca_names; /* sent in CertificateRequest */
    int min_version;            /* TLS1_2_VERSION or TLS1_3_VERSION */
    const char *ciphers;        /* TLS 1.2 cipher list (points into cfg or the default) */
    bool require_client_cert;   /* the default zone says require_client_certificate */
};

/* Load and validate the [tls] material; every problem goes to `d`. Returns 0 or EINVAL/ENOMEM;
 * on error `m` holds nothing. tls_material_clear() frees it. */
int tls_material_load(const struct node_config *cfg, const struct dialplan *dp, struct diag *d,
                      struct tls_material *m);
void tls_material_clear(struct tls_material *m);

/* tls_hook.c: the connection hook. tls_ssl_configure(): sipfed's direction-independent settings
 * on `ssl` (versions, ciphers, DH, trust store, options); 0 or -1. */
int tls_ssl_configure(SSL *ssl, const struct tls_material *m);
bool tls_hook_in_effect(void);
/* tls_ciphers.c: make `ciphers` the TLS 1.2 list of `ctx` (sofia's context, shared by its
 * connections): set on the context, which a connection without a list of its own reads during
 * its handshake, rather than copied into every connection (two stacks, 0.4 kB per idle
 * connection); sofia is done with the context before its first SSL_new, and every SSL on it is
 * configured by the hook. The context remembers the list it was given, so the string is parsed
 * only when it differs: at a context's first connection, and at its first connection after a
 * reload made a set-up with another list the policy (that list is then in force for every new
 * connection). Returns 0, or -1 when OpenSSL refuses the list. */
int tls_ctx_ciphers_use(SSL_CTX *ctx, const char *ciphers);
/* tls_readbuf.c: sofia's tls_init_secondary/tls_read/tls_free are ours (one read buffer per
 * event loop instead of 16 kB per connection). */
bool tls_readbuf_in_effect(void);
/* tls_drain.c: sofia's tls_pending() is ours: a TLS connection is read on, record after record,
 * while its socket holds more and it has read less than TLS_DRAIN_CHUNK bytes in this run of
 * reads (sofia reads one record per poll turn). tls_drain_more(): that decision. */
enum { TLS_DRAIN_CHUNK = 16384 };
bool tls_drain_more(uint64_t read_in_run, int readable);
bool tls_drain_in_effect(void);
/* tls_release.c: after a handshake, give back what nothing reads again: the peer's certificate
 * chains (the session keeps the leaf) and, on a server, the acceptable-CA list. Returns how
 * many certificate references were dropped. */
size_t tls_release_after_handshake(SSL *ssl, bool server);
/* tls_release.c: on an established server connection whose session nobody can resume from
 * (not in the cache), drop the peer's own certificate once sofia has read it
 * (tls_after_check.c): SSL_get0_peer_certificate() is NULL afterwards; the verification result
 * stays. What happened: */
enum tls_leaf {
    TLS_LEAF_RELEASED,
    TLS_LEAF_NONE,      /* not a finished server connection, or no certificate (left) */
    TLS_LEAF_CACHED,    /* the session may be resumed from this process's cache: kept */
    TLS_LEAF_LAYOUT,    /* OpenSSL's session is not laid out as 3.0's: kept (warned once) */
};
enum tls_leaf tls_release_peer_leaf(SSL *ssl);
struct tls_conn;
/* tls_after_check.c: sofia's tls_connect() is ours; tls_after_check_due(c): c's handshake is
 * done, release its peer's leaf when sofia's check has read it; _forget(c): c goes. */
void tls_after_check_due(struct tls_conn *c);
void tls_after_check_forget(const struct tls_conn *c);
bool tls_after_check_in_effect(void);
/* tls_trim.c: after a burst of closed TLS connections, give the freed heap back (malloc_trim).
 * tls_trim_due(): the pure decision — at least TLS_TRIM_MIN_CLOSED closed since the last trim
 * and `live` (open now) at most half of the most open since then; true resets the count.
 * tls_trim_closed(): one connection closed, `live` still open; trims when due. */
enum { TLS_TRIM_MIN_CLOSED = 64 };
struct tls_trim {
    unsigned peak;              /* most connections open since the last trim */
    unsigned closed;            /* closed since the last trim */
};
bool tls_trim_due(struct tls_trim *t, unsigned live);
void tls_trim_closed(struct tls_trim *t, unsigned live);
/* The loaded sofia-sip is the one the hook was written for (1.12.x); *version: its nta version. */
bool tls_hook_sofia_supported(const char **version);
void tls_hook_set_policy(struct tls_setup *ts);
struct tls_setup *tls_hook_policy(void);
void tls_hook_clear_policy(const struct tls_setup *ts); /* if `ts` is the policy: none any more */

/* A failed outgoing connection waiting to be reported from the event loop. */
struct tls_failure {
    uint64_t conn_id;
    bool timed_out;
    char ip[64];
    uint16_t port;
    char reason[256];
};

/* Bounded: beyond this many failures between two turns of the event loop a report is dropped
 * with a log line (the branches then end on their attempt timer). */
enum { TLS_MAX_FAILURES = 64 };

/* The set-up (tls.c), shared by tls*.c. */
struct tls_setup {
    su_home_t home[1];
    struct tls_material m;
    char *dir;                      /* the runtime directory for TPTAG_CERTIFICATE */
    pid_t dir_owner;                /* the process that made it removes it: a worker inherits
                                     * its supervisor's set-up over fork() (docs/workers.md)
                                     * and must leave the files to it */
    char *agent_pem, *cafile_pem;
    tagi_t tags[3];

    struct tls_conn *conns;         /* live connections, newest first */

    /* tls_send_begin() .. tls_send_end(): what a connection sofia opens now must prove */
    const struct tls_want *arm;
    const char *arm_ip;
    uint16_t arm_port;
    struct tls_conn *armed_new;     /* the connection opened meanwhile, if any */

    unsigned connect_timeout_ms;    /* [proxy] connect_timeout; 0: none */
    su_timer_t *connect_timer;      /* runs while an outgoing connection is being set up */

    su_root_t *root;
    su_timer_t *timer;
    tls_failure_f *failure_cb;
    void *failure_arg;
    tls_handshake_f *handshake_cb;  /* inbound handshakes finished (the inbound guard) */
    void *handshake_arg;
    struct tls_failure failures[TLS_MAX_FAILURES];
    size_t n_failures;
};

/* tls_registry.c: what the hook asks the setup. */
const struct tls_material *tls_setup_material(const struct tls_setup *ts);
void tls_setup_report_failure(struct tls_setup *ts, uint64_t conn_id, const char *ip,
                              uint16_t port, const char *reason);
/* tls_registry.c: log a connection's failure once; `report`: tell the proxy (deferred). */
void tls_conn_fail(struct tls_conn *c, const char *why, bool report);
/* A peer's IP address in binary, to find a connection per request without formatting it. */
struct tls_addr {
    uint8_t family;                /* AF_INET, AF_INET6; 0: unknown */
    unsigned char bytes[16];
};
/* tls_registry.c: `sa`'s address into *a and its port; false (a->family 0) if not IPv4/IPv6. */
bool tls_addr_set(struct tls_addr *a, uint16_t *port, const struct sockaddr *sa);
/* One TLS connection sofia made, as the hook sees it (owned by its own home; lives from SSL_new
 * to SSL_shutdown, which sofia calls when it closes the connection). */
struct tls_conn {
    su_home_t home[1];
    struct tls_setup *ts;          /* NULL once the setup is gone */
    struct tls_conn *prev, *next;  /* the setup's list of connections */
    SSL *ssl;
    uint64_t id;
    bool started, server, done, failed, linked, verify_required;
    bool name_mismatch;            /* the certificate verified but lacks the expected names */
    char ip[64];                   /* peer address as connected/accepted */
    uint16_t port;
    struct tls_addr addr;          /* the same, binary, once the handshake starts (tls_peer_of) */
    /* outgoing, opened by tls_send_begin()'s request: what the server must prove */
    bool armed;
    bool want_verify;
    char **want_names;
    size_t n_want;
    tport_t *tport;                /* sofia's transport (not referenced: it outlives us) */
    su_time_t opened;              /* when sofia created it (connect_timeout) */
    char *expected;                /* outgoing: the names required, for the log (in home) */
    struct tls_peer peer;          /* filled when the handshake is done */
    char *reason;                  /* the first verification problem seen (in home), or NULL */
    enum tls_result verify_result; /* its class (TLS_RESULT_OK: none) */
};
void tls_setup_conn_link(struct tls_setup *ts, struct tls_conn *c);
/* tls_out.c: a new connection, in SSL_new: armed with the sending request's names, if any, and
 * watched by the connect timer. */
void tls_out_conn_new(struct tls_setup *ts, struct tls_conn *c);
/* tls_out.c: run the connect timer for the connection closest to its deadline (none: leave it
 * stopped); tls_out_stop(): destroy it (the set-up goes away). */
void tls_out_watch(struct tls_setup *ts);
void tls_out_stop(struct tls_setup *ts);
void tls_setup_conn_unlink(struct tls_setup *ts, struct tls_conn *c);

#endif
