/* test_tls_hook.c — the connection hook (proxy/tls/tls_hook.c) on real handshakes in memory:
 * this test links the hook as the daemon does, so SSL_new and SSL_shutdown here are the hook's,
 * run under a set-up made from the lab PKI (certs/mklab.sh), both ends over a BIO pair.
 *
 * A handshake is counted (and its names read, and the inbound guard told) once per connection,
 * however often OpenSSL reports SSL_CB_HANDSHAKE_DONE for it. The TLS 1.2 cipher list is
 * parsed once per context and set-up, and a reload's new list is in force for the next
 * connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <sofia-sip/su_alloc.h>

#include "log.h"
#include "tls.h"
#include "tls_int.h"
#include "lab_pki.h"
#include "lab_tls_pair.h"

static char pki[256];
static int inbound_handshakes;       /* the set-up's handshake callback (the inbound guard's) */

static int pki_make(void **state)
{
    (void)state;
    log_set_level(LOG_LVL_ERROR);
    return lab_pki_make(pki, sizeof pki, "hook");
}

static int pki_remove(void **state)
{
    (void)state;
    return lab_pki_remove(pki);
}

static void on_handshake(void *arg, int fd)
{
    (void)fd;
    ++*(int *)arg;
}

/* A set-up as tls.c makes one (the lab's edge certificate, trusting the lab root), with the
 * TLS 1.2 cipher list `ciphers`, made the hook's policy. */
static struct tls_setup *setup_new(const char *ciphers)
{
    char path[300];
    struct tls_setup *ts = su_home_new(sizeof *ts);
    assert_non_null(ts);
    snprintf(path, sizeof path, "%s/lab/edge.pem", pki);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    ts->m.server.cert = PEM_read_X509(f, NULL, NULL, NULL);
    ts->m.server.chain = sk_X509_new_null();
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(ts->m.server.chain, x);
    ERR_clear_error();
    fclose(f);
    snprintf(path, sizeof path, "%s/lab/edge.key", pki);
    assert_non_null(f = fopen(path, "r"));
    ts->m.server.key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(ts->m.server.cert);
    assert_non_null(ts->m.server.key);
    snprintf(path, sizeof path, "%s/lab/ca.pem", pki);
    assert_non_null(ts->m.store = X509_STORE_new());
    assert_int_equal(X509_STORE_load_file(ts->m.store, path), 1);
    ts->m.min_version = TLS1_2_VERSION;
    ts->m.ciphers = ciphers;
    tls_setup_on_handshake(ts, on_handshake, &inbound_handshakes);
    tls_hook_set_policy(ts);
    return ts;
}

static void setup_free(struct tls_setup *ts)
{
    assert_null(ts->conns);                 /* every connection closed */
    tls_hook_clear_policy(ts);
    tls_material_clear(&ts->m);
    su_home_unref(ts->home);
}

/* One test's world: a set-up made the policy, the client's and the server's context (sofia has
 * one per transport), the counters as they were. */
struct run {
    struct tls_setup *ts;
    SSL_CTX *cctx, *sctx;
    unsigned long in0, out0;
    int guard0;
};

static unsigned long handshakes_ok(enum tls_direction d)
{
    struct tls_stats st;
    tls_stats_get(&st);
    return st.handshakes[d][TLS_RESULT_OK];
}

static void run_start(struct run *r, const char *ciphers)
{
    r->ts = setup_new(ciphers);
    assert_non_null(r->cctx = SSL_CTX_new(TLS_method()));
    assert_non_null(r->sctx = SSL_CTX_new(TLS_method()));
    r->in0 = handshakes_ok(TLS_DIR_IN);
    r->out0 = handshakes_ok(TLS_DIR_OUT);
    r->guard0 = inbound_handshakes;
}

static void run_end(struct run *r)
{
    SSL_CTX_free(r->cctx);
    SSL_CTX_free(r->sctx);
    setup_free(r->ts);
}

/* Both ends made by the hook (as sofia makes them), handshaken over a BIO pair. */
static struct lab_tls_pair pair_connect(struct run *r, int max_version)
{
    struct lab_tls_pair p = { SSL_new(r->cctx), SSL_new(r->sctx) };
    lab_tls_pair_join(&p);
    assert_int_equal(SSL_set_max_proto_version(p.client, max_version), 1);
    lab_tls_pair_handshake(&p);
    return p;
}

/* Let each side read what the other sent (post-handshake messages included) for a while. */
static void pump(struct lab_tls_pair *p)
{
    char buf[256];
    for (int i = 0; i < 20; i++) {
        (void)SSL_read(p->client, buf, sizeof buf);
        (void)SSL_read(p->server, buf, sizeof buf);
        (void)SSL_do_handshake(p->client);
        (void)SSL_do_handshake(p->server);
    }
    ERR_clear_error();
}

/* Close one end as sofia's tls_free() does: SSL_shutdown (the hook frees the SSL), then the
 * socket BIO and the context reference sofia drops for every connection. */
static void conn_close(SSL *ssl)
{
    BIO *bio = SSL_get_rbio(ssl);
    SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
    (void)SSL_shutdown(ssl);
    BIO_free(bio);
    SSL_CTX_free(ctx);
}

static void pair_close(struct lab_tls_pair *p)
{
    conn_close(p->client);
    conn_close(p->server);
}

/* `n` connections counted at each end since run_start(), the inbound guard told as often. */
static void assert_counted(const struct run *r, unsigned long n)
{
    assert_int_equal(handshakes_ok(TLS_DIR_IN) - r->in0, n);
    assert_int_equal(handshakes_ok(TLS_DIR_OUT) - r->out0, n);
    assert_int_equal(inbound_handshakes - r->guard0, (int)n);
}

/* TLS 1.3: tickets the server sends after the handshake (SSL_new_session_ticket) and key updates
 * asked by either end are handshake messages after HANDSHAKE_DONE. */
static void test_tls13_post_handshake_counted_once(void **state)
{
    (void)state;
    struct run r;
    run_start(&r, TLS_DEFAULT_CIPHERS);
    struct lab_tls_pair p = pair_connect(&r, TLS1_3_VERSION);
    assert_int_equal(SSL_version(p.server), TLS1_3_VERSION);
    lab_tls_pair_exchange(&p);
    assert_counted(&r, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(SSL_new_session_ticket(p.server), 1);
        lab_tls_pair_exchange(&p);
    }
    SSL *const ends[] = { p.client, p.server };
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(SSL_key_update(ends[i], SSL_KEY_UPDATE_REQUESTED), 1);
        lab_tls_pair_exchange(&p);
        pump(&p);
    }
    lab_tls_pair_exchange(&p);
    assert_counted(&r, 1);
    pair_close(&p);
    run_end(&r);
}

/* SSL_set_msg_callback: counts the Finished messages an end receives. */
static void count_finished(int write_p, int version, int content_type, const void *buf,
                           size_t len, SSL *ssl, void *arg)
{
    (void)version, (void)ssl;
    if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
        ((const unsigned char *)buf)[0] == SSL3_MT_FINISHED)
        ++*(int *)arg;
}

/* TLS 1.2 renegotiation: a second complete handshake on the connection, at whose end OpenSSL
 * reports HANDSHAKE_DONE again (on both ends). sipfed refuses it (SSL_OP_NO_RENEGOTIATION,
 * tls_hook.c); here the option is taken off both ends so that the second report comes: the
 * connection is still counted once, and the inbound guard told once. */
static void test_second_handshake_done_counted_once(void **state)
{
    (void)state;
    struct run r;
    run_start(&r, TLS_DEFAULT_CIPHERS);
    struct lab_tls_pair p = pair_connect(&r, TLS1_2_VERSION);
    assert_int_equal(SSL_version(p.server), TLS1_2_VERSION);
    assert_true(SSL_get_options(p.server) & SSL_OP_NO_RENEGOTIATION);
    lab_tls_pair_exchange(&p);
    assert_counted(&r, 1);
    int finished[2] = { 0, 0 };             /* Finished messages received: client, server */
    SSL_set_msg_callback(p.client, count_finished);
    SSL_set_msg_callback_arg(p.client, &finished[0]);
    SSL_set_msg_callback(p.server, count_finished);
    SSL_set_msg_callback_arg(p.server, &finished[1]);
    SSL_clear_options(p.server, SSL_OP_NO_RENEGOTIATION);
    SSL_clear_options(p.client, SSL_OP_NO_RENEGOTIATION);
    assert_int_equal(SSL_renegotiate(p.server), 1);
    (void)SSL_do_handshake(p.server);       /* the HelloRequest */
    pump(&p);
    lab_tls_pair_exchange(&p);
    pump(&p);
    /* the second handshake is complete: each end received the other's Finished */
    assert_int_equal(finished[0], 1);
    assert_int_equal(finished[1], 1);
    lab_tls_pair_exchange(&p);
    assert_counted(&r, 1);
    pair_close(&p);
    run_end(&r);
}

/* The negotiated suite's OpenSSL name contains `part`. */
static void assert_suite(const struct lab_tls_pair *p, const char *part)
{
    const char *name = SSL_get_cipher_name(p->server);
    assert_non_null(name);
    if (!strstr(name, part))
        fail_msg("negotiated %s, expected a %s suite", name, part);
}

/* A reload: the set-up is replaced by one with `ciphers` (tls.c activates the new one; here no
 * connection is left to move). */
static void run_reload(struct run *r, const char *ciphers)
{
    setup_free(r->ts);
    r->ts = setup_new(ciphers);
}

/* The TLS 1.2 list sits on sofia's context: it is parsed at the context's first connection and
 * when a set-up with another list has become the policy, not for every connection. What the
 * hook set is seen through the suite a TLS 1.2 handshake negotiates (server preference); a
 * list put on the contexts behind the hook's back shows whether it parsed its own again. */
static void test_cipher_list_once_per_setup(void **state)
{
    (void)state;
    struct run r;
    run_start(&r, "ECDHE+AESGCM");
    struct lab_tls_pair p = pair_connect(&r, TLS1_2_VERSION);
    assert_suite(&p, "GCM");
    pair_close(&p);

    /* Same set-up, next connection: the hook leaves the context's list alone. */
    assert_int_equal(SSL_CTX_set_cipher_list(r.cctx, "ECDHE+CHACHA20"), 1);
    assert_int_equal(SSL_CTX_set_cipher_list(r.sctx, "ECDHE+CHACHA20"), 1);
    p = pair_connect(&r, TLS1_2_VERSION);
    assert_suite(&p, "CHACHA20");
    pair_close(&p);

    /* A reload to the same list: nothing to parse either. */
    run_reload(&r, "ECDHE+AESGCM");
    p = pair_connect(&r, TLS1_2_VERSION);
    assert_suite(&p, "CHACHA20");
    pair_close(&p);

    /* A reload to another list: in force from the next connection, on both contexts. */
    run_reload(&r, "ECDHE+AES+SHA256");
    p = pair_connect(&r, TLS1_2_VERSION);
    assert_suite(&p, "AES128-SHA256");
    pair_close(&p);
    run_end(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_post_handshake_counted_once),
        cmocka_unit_test(test_second_handshake_done_counted_once),
        cmocka_unit_test(test_cipher_list_once_per_setup),
    };
    return cmocka_run_group_tests_name("tls_hook", tests, pki_make, pki_remove);
}
