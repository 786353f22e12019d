/* tls_hook.c — sipfed's policy on every TLS connection sofia-sip creates.
 *
 * Why a hook: Debian's sofia-sip 1.12.11 builds its SSL_CTX itself (TLS_method() with no minimum
 * version; TPTAG_TLS_VERSION ignored; cipher list "ALL:!ADH:!LOW:!EXP:!MD5:@STRENGTH", which
 * allows static-RSA suites; only the first certificate of agent.pem; the same certificate as
 * server and client; no SNI; a name check whose failure the transaction never hears about). The
 * context lives in a private struct and no tag or callback exposes it.
 *
 * Options weighed (see docs/tls.md):
 *  - an OpenSSL config file (OPENSSL_CONF / OPENSSL_init_ssl with LOAD_CONFIG): honours
 *    MinProtocol and Ciphersuites, but sofia overrides CipherString afterwards, and a config file
 *    cannot choose a certificate per direction, verify names, send SNI or report failures;
 *  - interposing SSL_CTX_new / SSL_CTX_set_cipher_list: sofia keeps calling setters on the
 *    context after SSL_CTX_new (verify mode and callback, cipher list), so every one of them would
 *    have to be recognised and overridden;
 *  - interposing SSL_new (chosen): sofia creates every connection, accepted or connected, with
 *    SSL_new(ctx) (tport_tls.c, tls_init_secondary) after it has finished with the context and
 *    sets nothing on the SSL afterwards but its BIO, a mode and its ex_data. Everything sipfed
 *    needs is per-SSL API in OpenSSL 3, so configuring the new SSL gives complete control:
 *    versions, ciphers, certificate chain per direction, trust store, verification with our
 *    callback, SNI and the host name check, and an info callback that sees handshake failures.
 *    sofia closes a connection with SSL_shutdown (it never calls SSL_free), which is where the
 *    connection record is released.
 *
 * How: the executable defines SSL_new and SSL_shutdown; because libsofia-sip-ua imports them from
 * libssl, the linker exports our definitions and the dynamic linker binds sofia's calls to them
 * (ELF symbol interposition: the executable comes first in the global scope). The real functions
 * are found with dlsym(RTLD_NEXT). tls_hook_in_effect() checks at start-up that the binding really
 * is ours, and tls_setup_activate() refuses to start otherwise. sipfed opens no TLS connection of
 * its own, so every SSL_new in the process is sofia's.
 *
 * The policy pointer (with the connection counter) is the one piece of process-wide mutable
 * state: SSL_new has no user argument. It is set and read only on the event-loop thread. */
#include "tls.h"
#include "tls_int.h"

#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "log.h"

/* Written for sofia-sip 1.12, which never frees a closed connection's SSL (SSL_shutdown below
 * does). The maintained 1.13 fork frees it in tport_tls_free(): with this hook that would be a
 * double free. Refuse to build against it (its nta_tag.h is the first header to differ) and,
 * for a library swapped under a built binary, to start (tls_hook_in_effect()). */
#ifdef NTATAG_TLS_ORQ_CONNECT_TIMEOUT
#error "sofia-sip 1.13 frees each connection's SSL itself; tls_hook.c is written for 1.12"
#endif
#define SOFIA_VERSION_WRITTEN_FOR "1.12."

static struct tls_setup *policy;
static int conn_idx = -1;
static uint64_t last_conn_id;       /* unique across reloads (connections move between set-ups) */
static unsigned live_conns;         /* connections with a record (SSL_new .. SSL_shutdown) */
static struct tls_trim trim;        /* when to give the heap back (tls_trim.c) */

typedef SSL *ssl_new_f(SSL_CTX *);
typedef int ssl_shutdown_f(SSL *);

static ssl_new_f *real_ssl_new(void)
{
    static ssl_new_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "SSL_new");
    return fn;
}

static ssl_shutdown_f *real_ssl_shutdown(void)
{
    static ssl_shutdown_f *fn;
    if (!fn)
        *(void **)&fn = dlsym(RTLD_NEXT, "SSL_shutdown");
    return fn;
}

bool tls_hook_sofia_supported(const char **version)
{
    *version = nta_version;
    return strncmp(nta_version, SOFIA_VERSION_WRITTEN_FOR,
                   sizeof SOFIA_VERSION_WRITTEN_FOR - 1) == 0;
}

bool tls_hook_in_effect(void)
{
    void *bound = dlsym(RTLD_DEFAULT, "SSL_new");
    ssl_new_f *ours = SSL_new;
    return bound && bound == *(void **)&ours && real_ssl_new() && real_ssl_shutdown();
}

void tls_hook_set_policy(struct tls_setup *ts)
{
    if (conn_idx < 0)
        conn_idx = SSL_get_ex_new_index(0, "sipfed connection", NULL, NULL, NULL);
    policy = ts;
}

struct tls_setup *tls_hook_policy(void)
{
    return policy;
}

void tls_hook_clear_policy(const struct tls_setup *ts)
{
    if (policy == ts)
        policy = NULL;
}

/* Handshake counters: process-wide like the hook itself; only the event loop touches them. */
static struct tls_stats stats;

void tls_stats_get(struct tls_stats *out)
{
    *out = stats;
}

const char *tls_result_name(enum tls_result r)
{
    static const char *const names[TLS_RESULT_N] = {
        [TLS_RESULT_OK] = "ok", [TLS_RESULT_CERT_NAME] = "certificate_name",
        [TLS_RESULT_CERT_EXPIRED] = "certificate_expired",
        [TLS_RESULT_CERT_UNTRUSTED] = "certificate_untrusted",
        [TLS_RESULT_NO_CERT] = "no_certificate", [TLS_RESULT_PROTOCOL] = "protocol",
        [TLS_RESULT_ALERT] = "alert_received", [TLS_RESULT_CLOSED] = "closed",
        [TLS_RESULT_OTHER] = "other",
    };
    return r < TLS_RESULT_N ? names[r] : "other";
}

const char *tls_direction_name(enum tls_direction d)
{
    return d == TLS_DIR_IN ? "in" : "out";
}

/* The class of a verification error (X509_V_ERR_*). */
static enum tls_result verify_result(int err)
{
    switch (err) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
        return TLS_RESULT_CERT_NAME;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return TLS_RESULT_CERT_EXPIRED;
    default:
        return TLS_RESULT_CERT_UNTRUSTED;
    }
}

/* The class of an OpenSSL error queue reason (SSL_R_*) seen when a handshake failed. */
static enum tls_result ssl_error_result(unsigned long e)
{
    if (!e)
        return TLS_RESULT_CLOSED;
    switch (ERR_GET_REASON(e)) {
    case SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE:
        return TLS_RESULT_NO_CERT;
    case SSL_R_CERTIFICATE_VERIFY_FAILED:
        return TLS_RESULT_CERT_UNTRUSTED;
    case SSL_R_NO_SHARED_CIPHER:
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_UNKNOWN_PROTOCOL:
        return TLS_RESULT_PROTOCOL;
    default:
        return TLS_RESULT_OTHER;
    }
}

static struct tls_conn *conn_of(const SSL *ssl)
{
    return conn_idx < 0 ? NULL : SSL_get_ex_data(ssl, conn_idx);
}

static const char *direction(const struct tls_conn *c)
{
    return c->server ? "in" : "out";
}

/* Once per connection: count the result (a verification problem seen first is the cause,
 * whatever alert followed it), then log and report it (tls_registry.c). */
static void conn_fail(struct tls_conn *c, const char *why, enum tls_result result)
{
    if (c->failed || c->done)
        return;
    stats.handshakes[c->server ? TLS_DIR_IN : TLS_DIR_OUT]
                    [c->verify_result != TLS_RESULT_OK ? c->verify_result : result]++;
    tls_conn_fail(c, why, true);
}

static void conn_peer_address(struct tls_conn *c)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char port[16];
    int fd = SSL_get_fd(c->ssl);

    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) != 0 ||
        getnameinfo((struct sockaddr *)&ss, len, c->ip, sizeof c->ip, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        if (!c->ip[0])          /* an armed connection already knows where it goes */
            snprintf(c->ip, sizeof c->ip, "unknown");
        return;
    }
    c->port = (uint16_t)strtoul(port, NULL, 10);
    uint16_t same;
    tls_addr_set(&c->addr, &same, (struct sockaddr *)&ss);
}

static int verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct tls_conn *c = ssl ? conn_of(ssl) : NULL;

    if (ok || !c)
        return ok;
    if (X509_STORE_CTX_get_error(store) == X509_V_ERR_HOSTNAME_MISMATCH)
        c->name_mismatch = true;
    if (!c->reason) {
        char subject[160] = "";
        X509 *cert = X509_STORE_CTX_get_current_cert(store);
        if (cert)
            X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
        c->verify_result = verify_result(X509_STORE_CTX_get_error(store));
        c->reason = su_sprintf(c->home, "certificate %s: %s (depth %d)", subject,
                 X509_verify_cert_error_string(X509_STORE_CTX_get_error(store)),
                 X509_STORE_CTX_get_error_depth(store));
    }
    /* Not required (an optional client certificate): go on, the peer is just not verified. */
    return c->verify_required ? 0 : 1;
}

static void set_identity(struct tls_conn *c, const struct tls_identity *id)
{
    if (SSL_use_cert_and_key(c->ssl, id->cert, id->key, id->chain, 1) != 1) {
        c->reason = su_sprintf(c->home, "cannot use our certificate: %s",
                 ERR_reason_error_string(ERR_peek_last_error()));
        ERR_clear_error();
    }
}

/* The direction is known when the handshake starts: choose certificate and verification. */
static void conn_start(struct tls_conn *c)
{
    const struct tls_material *m = tls_setup_material(c->ts);

    c->started = true;
    c->server = SSL_is_server(c->ssl);
    conn_peer_address(c);
    if (c->server) {
        set_identity(c, &m->server);
        c->verify_required = m->require_client_cert;
        SSL_set_verify(c->ssl,
                       SSL_VERIFY_PEER | (c->verify_required ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       verify_cb);
        return;
    }

    set_identity(c, m->client.cert ? &m->client : &m->server);
    /* What this connection's server must prove: the names of the request that opened it
     * (tls_out.c); a connection sofia opened for anything else checks the chain only and is
     * never chosen for a request that needs a name before its certificate proved it. */
    char *const *names = c->want_names;
    size_t n = c->n_want;
    bool verify = c->armed ? c->want_verify : true;
    if (!c->armed)
        log_debug("tls", "event=no_expectation peer=%s:%u check=chain", c->ip, c->port);
    c->verify_required = verify;
    SSL_set_verify(c->ssl, SSL_VERIFY_PEER, verify_cb);
    if (n > 0) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(c->ssl);
        /* SPEC §5.3: exact names, SAN dNSName (CN only without one), no wildcards. */
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_WILDCARDS);
        char expected[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < n; i++) {
            if (i == 0)
                X509_VERIFY_PARAM_set1_host(vp, names[i], 0);
            else
                X509_VERIFY_PARAM_add1_host(vp, names[i], 0);
            int w = snprintf(expected + used, sizeof expected - used, "%s%s",
                             i ? "," : "", names[i]);
            if (w > 0 && (size_t)w < sizeof expected - used)
                used += (size_t)w;
        }
        c->expected = su_strdup(c->home, expected);
        /* RFC 5922 §7.3 / Microsoft edges host several domains: tell the server which. */
        SSL_set_tlsext_host_name(c->ssl, names[0]);
    }
}

static void conn_done(struct tls_conn *c)
{
    /* Once per connection. OpenSSL 3.0 reports the end again after a TLS 1.2 renegotiation
     * (refused: SSL_OP_NO_RENEGOTIATION), not after TLS 1.3 tickets or key updates
     * (tests/unit/test_tls_hook.c). */
    if (c->done)
        return;
    X509 *cert = SSL_get0_peer_certificate(c->ssl);

    c->done = true;
    stats.handshakes[c->server ? TLS_DIR_IN : TLS_DIR_OUT][TLS_RESULT_OK]++;
    c->peer.inbound = c->server;
    c->peer.has_cert = cert != NULL;
    c->peer.verified = cert && SSL_get_verify_result(c->ssl) == X509_V_OK;
    if (cert && tls_cert_names(c->home, cert, &c->peer.names, &c->peer.n_names) != 0)
        c->peer.verified = false;
    /* names and result taken: the chains and the CA list are not needed again */
    tls_release_after_handshake(c->ssl, c->server);
    if (c->server)      /* and the leaf, once sofia has read its names */
        tls_after_check_due(c);
    if (c->server && c->ts && c->ts->handshake_cb)
        c->ts->handshake_cb(c->ts->handshake_arg, SSL_get_fd(c->ssl));
    if (log_enabled(LOG_LVL_DEBUG)) {
        char names[256] = "";
        size_t used = 0;
        for (size_t i = 0; i < c->peer.n_names; i++) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", i ? "," : "",
                             c->peer.names[i]);
            if (w < 0 || (size_t)w >= sizeof names - used)
                break;
            used += (size_t)w;
        }
        log_debug("tls", "event=handshake_done dir=%s peer=%s:%u version=%s cipher=%s "
                  "verified=%s names=%s%s%s", direction(c), c->ip, c->port,
                  SSL_get_version(c->ssl), SSL_get_cipher_name(c->ssl),
                  c->peer.verified ? "yes" : "no", names[0] ? names : "-",
                  c->reason ? " note=" : "", c->reason ? c->reason : "");
    }
}

static void info_cb(const SSL *cssl, int where, int ret)
{
    struct tls_conn *c = conn_of(cssl);
    char why[160];

    if (!c || !c->ts)
        return;
    if ((where & SSL_CB_HANDSHAKE_START) && !c->started)
        conn_start(c);
    else if (where & SSL_CB_HANDSHAKE_DONE)
        conn_done(c);
    else if ((where & SSL_CB_ALERT) && strcmp(SSL_alert_type_string(ret), "F") == 0) {
        /* OpenSSL's own reason says more than the alert ("peer did not return a
         * certificate", "no shared cipher", "unsupported protocol"). */
        unsigned long e = (where & SSL_CB_WRITE) ? ERR_peek_last_error() : 0;
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        snprintf(why, sizeof why, "%s alert %s%s%s%s", (where & SSL_CB_READ) ? "received" : "sent",
                 SSL_alert_desc_string_long(ret), r ? " (" : "", r ? r : "", r ? ")" : "");
        conn_fail(c, why, (where & SSL_CB_READ) ? TLS_RESULT_ALERT : ssl_error_result(e));
    } else if ((where & SSL_CB_EXIT) && ret <= 0 && !c->done &&
               !SSL_want_read(cssl) && !SSL_want_write(cssl)) {
        unsigned long e = ERR_peek_last_error();
        const char *r = e ? ERR_reason_error_string(e) : NULL;
        snprintf(why, sizeof why, "%s", r ? r : "connection closed during the handshake");
        conn_fail(c, why, ssl_error_result(e));
    }
}

/* Everything direction-independent, set before sofia starts the handshake. Returns 0 or -1. */
int tls_ssl_configure(SSL *ssl, const struct tls_material *m)
{
    STACK_OF(X509_NAME) *cas = m->ca_names ? SSL_dup_CA_list(m->ca_names) : NULL;
    static const unsigned char sid_ctx[] = "sipfed";

    /* The TLS 1.2 list is on the context (tls_ciphers.c), parsed when it changes. */
    if (SSL_set_min_proto_version(ssl, m->min_version) != 1 ||
        tls_ctx_ciphers_use(SSL_get_SSL_CTX(ssl), m->ciphers) != 0 ||
        SSL_set1_verify_cert_store(ssl, m->store) != 1 ||
        SSL_set_session_id_context(ssl, sid_ctx, sizeof sid_ctx - 1) != 1) {
        sk_X509_NAME_pop_free(cas, X509_NAME_free);
        return -1;
    }
    SSL_set_options(ssl, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                    SSL_OP_CIPHER_SERVER_PREFERENCE);
    /* The DHE suites of the list need DH parameters: OpenSSL's built-in group sized to the
     * certificate's key (RFC 7919 ffdhe2048 for RSA 2048). Without them they were never offered,
     * whatever the list said. */
    SSL_set_dh_auto(ssl, 1);
    SSL_set_verify(ssl, SSL_VERIFY_PEER, verify_cb);
    SSL_set_verify_depth(ssl, 8);
    /* An idle connection gives its 16 kB read and write buffers back (1000 idle peers). */
    SSL_set_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
    if (cas)
        SSL_set_client_CA_list(ssl, cas);
    SSL_set_info_callback(ssl, info_cb);
    return 0;
}

/* Interposes libssl's SSL_new (see the file comment). */
SSL *SSL_new(SSL_CTX *ctx)
{
    ssl_new_f *real = real_ssl_new();
    SSL *ssl = real ? real(ctx) : NULL;
    struct tls_setup *ts = policy;

    if (!ssl || !ts)
        return ssl;
    struct tls_conn *c = su_home_new(sizeof *c);
    if (!c || tls_ssl_configure(ssl, tls_setup_material(ts)) != 0 ||
        SSL_set_ex_data(ssl, conn_idx, c) != 1) {
        /* Fail closed: sofia refuses the connection rather than run it on its defaults. */
        log_error("tls", "event=connection_setup_failed reason=\"%s\"",
                  ERR_reason_error_string(ERR_peek_last_error()));
        ERR_clear_error();
        su_home_unref(c ? c->home : NULL);
        SSL_free(ssl);
        return NULL;
    }
    c->ts = ts;
    c->ssl = ssl;
    c->id = ++last_conn_id;
    live_conns++;
    c->opened = su_now();
    tls_setup_conn_link(ts, c);
    tls_out_conn_new(ts, c);        /* outgoing for a request: its names */     /* every live connection: a reload moves them all */
    return ssl;
}

/* Interposes libssl's SSL_shutdown: sofia's tls_free() calls it once when a connection goes. */
int SSL_shutdown(SSL *ssl)
{
    ssl_shutdown_f *real = real_ssl_shutdown();
    struct tls_conn *c = ssl ? conn_of(ssl) : NULL;

    if (c) {
        SSL_set_ex_data(ssl, conn_idx, NULL);
        tls_after_check_forget(c);
        if (c->ts) {
            if (c->started && !c->done)
                conn_fail(c, "connection closed during the handshake", TLS_RESULT_CLOSED);
            tls_setup_conn_unlink(c->ts, c);
        }
        su_home_unref(c->home);
    }
    int ret = real ? real(ssl) : -1;
    if (c) {
        /* sofia's tls_free() calls SSL_shutdown, then BIO_free on the socket BIO it gave to the
         * SSL, and never SSL_free: each connection would leak its SSL (~30 KB of buffers).
         * Nothing touches the SSL after this call, so free it here; the extra BIO reference
         * keeps the BIO alive for sofia's own BIO_free. The extra context reference balances
         * the SSL_CTX_free that tls_free() wrongly applies to the shared context for every
         * connection (tls_init_secondary copies the master's type), which until now only the
         * leaked SSL's own reference absorbed. */
        BIO *bio = SSL_get_rbio(ssl);
        if (bio)
            BIO_up_ref(bio);
        SSL_CTX_up_ref(SSL_get_SSL_CTX(ssl));
        SSL_free(ssl);
        live_conns--;
        tls_trim_closed(&trim, live_conns);
    }
    return ret;
}
