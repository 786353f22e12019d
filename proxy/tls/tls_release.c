/* tls_release.c — what a TLS connection gives back once its handshake is done.
 *
 * Why: an idle TLS connection kept, beside what it needs to carry records (its SSL, the session
 * with the peer's own certificate, the two AEAD contexts), everything the handshake left
 * behind that nothing reads again. With 1000 idle peers that was 30 kB per connection
 * (docs/performance.md, "Memory per idle TLS connection"). The largest piece was the peer's
 * certificate chain: OpenSSL 3.0 keeps every certificate the peer sent, decoded (about 4-6 kB
 * each with its public key), twice referenced: in the session (SSL_get_peer_cert_chain: the
 * intermediates on a server, leaf and intermediates on a client) and in the verified chain
 * (SSL_get0_verified_chain: leaf, intermediates and our trust anchor).
 *
 * What the proxy needs after the handshake is only what tls_hook.c's conn_done() and sofia's
 * tls_post_connection_check() took from it then: the peer's names (SAN dNSName, CN without
 * one), the verification result and the leaf (SSL_get0_peer_certificate, kept by the session:
 * sofia reads it once more right after the handshake). Neither reads the chains again, nor
 * does OpenSSL 3.0 after the handshake (it uses them for verification and Certificate
 * Transparency during the handshake, and hands them out through the two getters only).
 *
 * How: both getters return the SSL's own stacks; the owner frees whatever they hold with
 * sk_X509_pop_free() when it goes (SSL_free, SSL_SESSION_free), so an emptied stack is a valid
 * one. Each certificate popped loses this SSL's references and is freed when nobody else holds
 * one (the trust anchors stay in the store; the leaf stays in the session). A TLS 1.2 session
 * kept in the server's cache for resumption loses its intermediates too: a resumed connection
 * is verified from the session (verify result, leaf) as before and never had a chain of its
 * own to show. */
#include "tls_int.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "log.h"

static size_t chain_empty(STACK_OF(X509) *chain)
{
    size_t n = 0;
    X509 *x;
    while (chain && (x = sk_X509_pop(chain)) != NULL) {
        X509_free(x);
        n++;
    }
    return n;
}

size_t tls_release_after_handshake(SSL *ssl, bool server)
{
    size_t n = chain_empty(SSL_get_peer_cert_chain(ssl)) +
               chain_empty(SSL_get0_verified_chain(ssl));
    if (server)         /* the acceptable-CA list went out in the CertificateRequest */
        SSL_set_client_CA_list(ssl, NULL);
    return n;
}

/* ---- The peer's own certificate (server side), once sofia has read it ----
 *
 * Why: with the chains gone, the largest thing an idle inbound connection still holds that
 * nothing reads is the client's own certificate, decoded (4.5 kB for the lab's ECDSA leaf: its
 * public key with a private copy of the curve group, names, extension caches), kept in the
 * session (docs/performance.md). sipfed takes the peer's names and the verification result in
 * conn_done(); sofia takes its own copy of the names (tport_delivered_from_subjects) in
 * tls_post_connection_check(), right after the handshake (tls_after_check.c calls this once
 * sofia's check has returned). Afterwards nothing asks for it: OpenSSL 3.0 reads the session's
 * peer certificate only to hand it out (SSL_get0_peer_certificate) and to copy it into new
 * sessions (tickets, sent during the handshake; the verify result is kept apart).
 *
 * OpenSSL 3.0 has no call that drops a session's peer certificate (SSL_set_session on an
 * established server connection first resets its method, hence its TLS state). So the field is
 * cleared through a mirror of the head of OpenSSL 3.0's struct ssl_session_st (ssl/ssl_local.h),
 * checked on every session against six things OpenSSL's getters say about that session (two of
 * them addresses inside the struct); a library with another layout fails the check, and the
 * leaf then stays (one warning). Only when the session can never be used again for resumption
 * from this process: a server's session that is neither in the context's cache (TLS 1.2; and
 * TLS 1.3 with stateful tickets) nor handed to an external cache. A TLS 1.3 server's tickets are
 * stateless and were encoded with the peer's certificate before the handshake ended, so a
 * resumed connection still shows it. */
struct openssl30_session_head {
    int ssl_version;
    size_t master_key_length;
    unsigned char early_secret[EVP_MAX_MD_SIZE];
    unsigned char master_key[512];              /* TLS13_MAX_RESUMPTION_PSK_LENGTH */
    size_t session_id_length;
    unsigned char session_id[SSL_MAX_SSL_SESSION_ID_LENGTH];
    size_t sid_ctx_length;
    unsigned char sid_ctx[SSL_MAX_SID_CTX_LENGTH];
#ifndef OPENSSL_NO_PSK
    char *psk_identity_hint;
    char *psk_identity;
#endif
    int not_resumable;
    X509 *peer;
    STACK_OF(X509) *peer_chain;
    long verify_result;
};

static _Thread_local bool leaf_layout_unknown;  /* warned once; the leaf stays from then on */

static bool session_layout_recognised(SSL *ssl, SSL_SESSION *sess)
{
    const struct openssl30_session_head *h = (const void *)sess;
    unsigned int id_len = 0, ctx_len = 0;
    const unsigned char *id = SSL_SESSION_get_id(sess, &id_len);
    const unsigned char *ctx = SSL_SESSION_get0_id_context(sess, &ctx_len);

    return h->ssl_version == SSL_SESSION_get_protocol_version(sess) &&
           h->master_key_length == SSL_SESSION_get_master_key(sess, NULL, 0) &&
           id == h->session_id && id_len == h->session_id_length &&
           ctx == h->sid_ctx && ctx_len == h->sid_ctx_length &&
           h->peer != NULL && h->peer == SSL_SESSION_get0_peer(sess) &&
           h->peer_chain == SSL_get_peer_cert_chain(ssl) &&
           h->verify_result == SSL_get_verify_result(ssl);
}

/* Nobody can resume from this session: not cached here, not given to an external cache. */
static bool session_private(SSL *ssl, SSL_SESSION *sess)
{
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    unsigned int id_len = 0;
    const unsigned char *id = SSL_SESSION_get_id(sess, &id_len);

    return SSL_CTX_sess_get_new_cb(ctx) == NULL &&
           (id_len == 0 || !SSL_has_matching_session_id(ssl, id, id_len));
}

enum tls_leaf tls_release_peer_leaf(SSL *ssl)
{
    SSL_SESSION *sess = ssl ? SSL_get_session(ssl) : NULL;

    if (!sess || !SSL_is_server(ssl) || !SSL_is_init_finished(ssl) ||
        !SSL_SESSION_get0_peer(sess))
        return TLS_LEAF_NONE;
    if (!session_private(ssl, sess))
        return TLS_LEAF_CACHED;
    if (leaf_layout_unknown)
        return TLS_LEAF_LAYOUT;
    if (!session_layout_recognised(ssl, sess)) {
        leaf_layout_unknown = true;
        log_warn("tls", "event=peer_leaf_kept reason=\"OpenSSL's session layout is not the 3.0 "
                 "one; each inbound TLS connection keeps its peer's certificate (about 4 kB)\"");
        return TLS_LEAF_LAYOUT;
    }
    struct openssl30_session_head *h = (void *)sess;
    X509 *leaf = h->peer;
    h->peer = NULL;
    X509_free(leaf);
    return TLS_LEAF_RELEASED;
}
