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

#include <openssl/x509.h>

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
