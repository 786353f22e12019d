/* tls_int.h — private to tls*.c: the loaded TLS material, the set-up, the connection hook and
 * the registry both of them use. */
#ifndef SIPFED_TLS_INT_H
#define SIPFED_TLS_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "config.h"
#include "tls.h"
#include "diag.h"
#include "dialplan.h"
#include "tls.h"
#include "tls_names.h"

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

/* An outgoing expectation: what the next connection to ip:port must prove. */
struct tls_expectation {
    char ip[64];
    uint16_t port;
    bool verify;
    char **names;
    size_t n_names;
};

/* A failed outgoing handshake waiting to be reported from the event loop. */
struct tls_failure {
    char ip[64];
    uint16_t port;
    char reason[256];
};

/* Bounded tables: a node talks to a modest set of next hops; beyond these the oldest entry is
 * replaced (expectations) or the report is dropped with a log line (failures). */
enum { TLS_MAX_EXPECT = 1024, TLS_MAX_FAILURES = 64 };

struct tls_setup {
    su_home_t home[1];
    struct tls_material m;
    char *dir;                      /* the runtime directory for TPTAG_CERTIFICATE */
    char *agent_pem, *cafile_pem;
    tagi_t tags[3];

    struct tls_expectation expect[TLS_MAX_EXPECT];
    size_t n_expect, next_expect;   /* ring: next_expect is replaced when full */

    struct tls_conn *conns;         /* live connections, newest first */

    su_root_t *root;
    su_timer_t *timer;
    tls_failure_f *failure_cb;
    void *failure_arg;
    struct tls_failure failures[TLS_MAX_FAILURES];
    size_t n_failures;
};

/* Load and validate the [tls] material; every problem goes to `d`. Returns 0 or EINVAL/ENOMEM;
 * on error `m` holds nothing. tls_material_clear() frees it. */
int tls_material_load(const struct node_config *cfg, const struct dialplan *dp, struct diag *d,
                      struct tls_material *m);
void tls_material_clear(struct tls_material *m);

/* tls_hook.c: the connection hook. */
bool tls_hook_in_effect(void);
void tls_hook_set_policy(struct tls_setup *ts);
struct tls_setup *tls_hook_policy(void);
void tls_hook_clear_policy(const struct tls_setup *ts); /* if `ts` is the policy: none any more */

/* tls_registry.c: what the hook asks the setup. */
const struct tls_material *tls_setup_material(const struct tls_setup *ts);
/* The expectation for an outgoing connection to the address `ip`:`port`; false when none. */
bool tls_setup_expected(const struct tls_setup *ts, const char *ip, uint16_t port,
                        char *const **names, size_t *n_names, bool *verify);
void tls_setup_report_failure(struct tls_setup *ts, const char *ip, uint16_t port,
                              const char *reason);
/* One TLS connection sofia made, as the hook sees it (owned by its own home; lives from SSL_new
 * to SSL_shutdown, which sofia calls when it closes the connection). */
struct tls_conn {
    su_home_t home[1];
    struct tls_setup *ts;          /* NULL once the setup is gone */
    struct tls_conn *prev, *next;  /* the setup's list of connections */
    SSL *ssl;
    bool started, server, done, failed, linked, verify_required;
    char ip[64];                   /* peer address as connected/accepted */
    uint16_t port;
    char expected[256];            /* outgoing: the names required, for the log */
    struct tls_peer peer;          /* filled when the handshake is done */
    char reason[256];              /* the first verification problem seen */
    enum tls_result verify_result; /* its class (TLS_RESULT_OK: none) */
};
void tls_setup_conn_link(struct tls_setup *ts, struct tls_conn *c);
void tls_setup_conn_unlink(struct tls_setup *ts, struct tls_conn *c);

#endif
