/* test_tls_release.c — tls_release_after_handshake() on real handshakes in memory (two SSLs over
 * a BIO pair, the lab's certificates: leaf + intermediate, as peers send them): the peer's
 * intermediates are freed on both sides, its own certificate, the verification result and the
 * connection stay, and a TLS 1.2 session resumed from the server's cache after the release
 * still has its peer's certificate; tls_release_peer_leaf() frees the server's copy of the
 * client's certificate unless the session may be resumed from the server's cache, and a
 * connection resumed from a ticket still shows it. Which certificates are freed is seen through
 * an X509 ex_data free callback, so the test does not depend on the allocator or its
 * statistics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls_int.h"
#include "lab_pki.h"
#include "lab_tls_pair.h"

static char pki[256];
static int mark_idx = -1;
static int freed_intermediates, freed_leaves;

enum mark { MARK_INTERMEDIATE = 1, MARK_LEAF = 2 };
static char marks[3];          /* addresses used as ex_data values */

static void on_x509_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                         void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    if (ptr == &marks[MARK_INTERMEDIATE])
        freed_intermediates++;
    else if (ptr == &marks[MARK_LEAF])
        freed_leaves++;
}

static int pki_make(void **state)
{
    (void)state;
    mark_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_X509, 0, NULL, NULL, NULL, on_x509_free);
    return mark_idx >= 0 ? lab_pki_make(pki, sizeof pki, "release") : -1;
}

static int pki_remove(void **state)
{
    (void)state;
    return lab_pki_remove(pki);
}

/* A context with NAME.pem (leaf + intermediate) and NAME.key, trusting the lab root, verifying
 * its peer (a server requires a client certificate, like the default zone's
 * require_client_certificate). */
static SSL_CTX *ctx_new(bool server, const char *name, int max_version)
{
    char pem[300], key[300], ca[300];
    snprintf(pem, sizeof pem, "%s/lab/%s.pem", pki, name);
    snprintf(key, sizeof key, "%s/lab/%s.key", pki, name);
    snprintf(ca, sizeof ca, "%s/lab/ca.pem", pki);
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_use_certificate_chain_file(ctx, pem), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), 1);
    assert_int_equal(SSL_CTX_load_verify_locations(ctx, ca, NULL), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
                       NULL);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, max_version), 1);
    if (server) {
        static const unsigned char sid[] = "test";
        SSL_CTX_set_session_id_context(ctx, sid, sizeof sid - 1);
    }
    return ctx;
}

/* Handshake both ends over a BIO pair; `session`: the client offers it for resumption. */
static struct lab_tls_pair handshake(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *session)
{
    struct lab_tls_pair p = { SSL_new(cctx), SSL_new(sctx) };
    lab_tls_pair_join(&p);
    /* the acceptable-CA list on the connection, as tls_hook.c sets it */
    char ca[300];
    snprintf(ca, sizeof ca, "%s/lab/ca.pem", pki);
    STACK_OF(X509_NAME) *cas = SSL_load_client_CA_file(ca);
    assert_non_null(cas);
    SSL_set_client_CA_list(p.server, cas);
    if (session)
        assert_int_equal(SSL_set_session(p.client, session), 1);
    lab_tls_pair_handshake(&p);
    return p;
}

static void pair_free(struct lab_tls_pair *p)
{
    SSL_free(p->client);
    SSL_free(p->server);
}

/* Mark the peer's leaf and its intermediate (the one its leaf names as issuer). */
static void mark_peer(SSL *ssl)
{
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
    assert_non_null(leaf);
    assert_non_null(chain);
    X509_set_ex_data(leaf, mark_idx, &marks[MARK_LEAF]);
    int marked = 0;
    for (int i = 0; i < sk_X509_num(chain); i++) {
        X509 *x = sk_X509_value(chain, i);
        if (x != leaf && X509_check_issued(x, leaf) == X509_V_OK) {
            X509_set_ex_data(x, mark_idx, &marks[MARK_INTERMEDIATE]);
            marked++;
        }
    }
    assert_int_equal(marked, 1);
}

static void assert_released(SSL *ssl, bool server, const char *peer_cn)
{
    char cn[128] = "";
    int before = freed_intermediates;

    mark_peer(ssl);
    /* session chain (+ the leaf on a client) and verified chain: leaf, intermediate, root */
    assert_int_equal(tls_release_after_handshake(ssl, server), server ? 4 : 5);
    assert_int_equal(freed_intermediates, before + 1);
    assert_int_equal(freed_leaves, 0);
    assert_int_equal(sk_X509_num(SSL_get_peer_cert_chain(ssl)), 0);
    assert_int_equal(sk_X509_num(SSL_get0_verified_chain(ssl)), 0);
    /* what sofia and tls_hook.c read after the handshake is still there */
    X509 *leaf = SSL_get0_peer_certificate(ssl);
    assert_non_null(leaf);
    X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName, cn, sizeof cn);
    assert_string_equal(cn, peer_cn);
    assert_int_equal(SSL_get_verify_result(ssl), X509_V_OK);
    if (server)
        assert_int_equal(sk_X509_NAME_num(SSL_get_client_CA_list(ssl)), 0);
    /* a second call finds nothing left */
    assert_int_equal(tls_release_after_handshake(ssl, server), 0);
}

static void run_versions(int max_version)
{
    SSL_CTX *sctx = ctx_new(true, "msedge", max_version);
    SSL_CTX *cctx = ctx_new(false, "edge", max_version);
    freed_intermediates = freed_leaves = 0;

    struct lab_tls_pair p = handshake(cctx, sctx, NULL);
    assert_int_equal(SSL_version(p.server), max_version);
    assert_int_equal(sk_X509_NAME_num(SSL_get_client_CA_list(p.server)), 1);
    assert_released(p.server, true, "edge.ciscoexample.test");
    assert_released(p.client, false, "sip.msexample.test");
    lab_tls_pair_exchange(&p);
    lab_tls_pair_exchange(&p);
    assert_int_equal(freed_leaves, 0);
    pair_free(&p);
    assert_int_equal(freed_leaves, 2);          /* the leaves go with their connections */

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_tls13_chain_released_connection_intact(void **state)
{
    (void)state;
    run_versions(TLS1_3_VERSION);
}

static void test_tls12_chain_released_connection_intact(void **state)
{
    (void)state;
    run_versions(TLS1_2_VERSION);
}

/* The server's copy of the client's own certificate, once released, is gone for good (freed,
 * not just unreferenced); the verification result and the connection stay. */
static void assert_leaf_released(struct lab_tls_pair *p)
{
    int before = freed_leaves;
    X509_set_ex_data(SSL_get0_peer_certificate(p->server), mark_idx, &marks[MARK_LEAF]);
    assert_int_equal(tls_release_peer_leaf(p->server), TLS_LEAF_RELEASED);
    assert_int_equal(freed_leaves, before + 1);
    assert_null(SSL_get0_peer_certificate(p->server));
    assert_int_equal(SSL_get_verify_result(p->server), X509_V_OK);
    assert_int_equal(tls_release_peer_leaf(p->server), TLS_LEAF_NONE);    /* nothing left */
    assert_int_equal(tls_release_peer_leaf(p->client), TLS_LEAF_NONE);    /* servers only */
    lab_tls_pair_exchange(p);
    lab_tls_pair_exchange(p);
}

/* A second connection resumes the first one's session, after both releases on the first.
 * With tickets (TLS 1.3 always, TLS 1.2 by default) the server keeps no session: its tickets,
 * issued with the client's certificate in them before the handshake ended, carry it, so the
 * leaf goes. Without tickets (TLS 1.2) the server caches the session itself and the leaf stays
 * for the connections resumed from it. Either way the resumed connection shows the client's
 * certificate and verification result (tls_hook.c and sofia read those again). */
static void run_resumption(int version, bool tickets)
{
    SSL_CTX *sctx = ctx_new(true, "msedge", version);
    SSL_CTX *cctx = ctx_new(false, "edge", version);
    if (!tickets) {
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_options(cctx, SSL_OP_NO_TICKET);
    }
    freed_leaves = 0;

    struct lab_tls_pair first = handshake(cctx, sctx, NULL);
    assert_int_equal(SSL_version(first.server), version);
    assert_int_equal(SSL_CTX_sess_number(sctx), tickets ? 0 : 1);
    assert_true(tls_release_after_handshake(first.server, true) > 0);
    if (tickets)
        assert_leaf_released(&first);           /* the exchange read the TLS 1.3 tickets */
    else
        assert_int_equal(tls_release_peer_leaf(first.server), TLS_LEAF_CACHED);
    lab_tls_pair_exchange(&first);
    SSL_SESSION *sess = SSL_get1_session(first.client);
    assert_non_null(sess);
    assert_true(SSL_SESSION_is_resumable(sess));
    SSL_shutdown(first.client);
    SSL_shutdown(first.server);
    pair_free(&first);

    struct lab_tls_pair again = handshake(cctx, sctx, sess);
    assert_true(SSL_session_reused(again.server));
    X509 *leaf = SSL_get0_peer_certificate(again.server);
    assert_non_null(leaf);
    assert_int_equal(X509_check_host(leaf, "edge.ciscoexample.test", 0, 0, NULL), 1);
    assert_int_equal(SSL_get_verify_result(again.server), X509_V_OK);
    assert_int_equal(tls_release_after_handshake(again.server, true), 0);
    assert_int_equal(tls_release_peer_leaf(again.server),
                     tickets ? TLS_LEAF_RELEASED : TLS_LEAF_CACHED);
    lab_tls_pair_exchange(&again);
    pair_free(&again);

    SSL_SESSION_free(sess);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void test_tls12_cached_session_resumed_with_peer(void **state)
{
    (void)state;
    run_resumption(TLS1_2_VERSION, false);
}

static void test_tls12_ticket_resumed_with_peer(void **state)
{
    (void)state;
    run_resumption(TLS1_2_VERSION, true);
}

static void test_tls13_ticket_resumed_with_peer(void **state)
{
    (void)state;
    run_resumption(TLS1_3_VERSION, true);
}

/* TLS 1.2 without tickets and without the server's cache: nothing can resume from this
 * process, the leaf goes (with the cache, test_tls12_cached_session_resumed_with_peer: it stays). */
static void test_tls12_leaf_released_without_cache(void **state)
{
    (void)state;
    SSL_CTX *sctx = ctx_new(true, "msedge", TLS1_2_VERSION);
    SSL_CTX *cctx = ctx_new(false, "edge", TLS1_2_VERSION);
    SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);
    SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF);
    freed_leaves = 0;

    struct lab_tls_pair p = handshake(cctx, sctx, NULL);
    assert_int_equal(SSL_CTX_sess_number(sctx), 0);
    assert_true(tls_release_after_handshake(p.server, true) > 0);
    assert_leaf_released(&p);
    pair_free(&p);

    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_chain_released_connection_intact),
        cmocka_unit_test(test_tls12_chain_released_connection_intact),
        cmocka_unit_test(test_tls12_cached_session_resumed_with_peer),
        cmocka_unit_test(test_tls12_ticket_resumed_with_peer),
        cmocka_unit_test(test_tls13_ticket_resumed_with_peer),
        cmocka_unit_test(test_tls12_leaf_released_without_cache),
    };
    return cmocka_run_group_tests_name("tls_release", tests, pki_make, pki_remove);
}
