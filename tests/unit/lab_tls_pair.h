/* lab_tls_pair.h — two SSLs in one process, joined by a BIO pair, for unit tests of TLS code:
 * lab_tls_pair_join() connects a client and a server SSL (the caller may then set either up),
 * lab_tls_pair_handshake() runs both handshakes to the end, lab_tls_pair_exchange() sends
 * application data both ways (a TLS 1.3 client reads its session tickets there). Header-only,
 * static inline; include after cmocka.h. */
#ifndef SIPFED_TEST_LAB_TLS_PAIR_H
#define SIPFED_TEST_LAB_TLS_PAIR_H

#include <openssl/ssl.h>

struct lab_tls_pair {
    SSL *client, *server;
};

static inline void lab_tls_pair_join(struct lab_tls_pair *p)
{
    BIO *cb, *sb;
    assert_non_null(p->client);
    assert_non_null(p->server);
    assert_int_equal(BIO_new_bio_pair(&cb, 0, &sb, 0), 1);
    SSL_set_bio(p->client, cb, cb);
    SSL_set_bio(p->server, sb, sb);
    SSL_set_connect_state(p->client);
    SSL_set_accept_state(p->server);
}

static inline void lab_tls_pair_handshake(struct lab_tls_pair *p)
{
    int done_c = 0, done_s = 0;
    for (int i = 0; i < 100 && !(done_c && done_s); i++) {
        if (!done_c)
            done_c = SSL_do_handshake(p->client) == 1;
        if (!done_s)
            done_s = SSL_do_handshake(p->server) == 1;
    }
    assert_true(done_c && done_s);
}

static inline void lab_tls_pair_exchange(struct lab_tls_pair *p)
{
    char buf[64];
    assert_int_equal(SSL_write(p->client, "MESSAGE", 7), 7);
    assert_int_equal(SSL_read(p->server, buf, sizeof buf), 7);
    assert_memory_equal(buf, "MESSAGE", 7);
    assert_int_equal(SSL_write(p->server, "SIP/2.0 200 OK", 14), 14);
    assert_int_equal(SSL_read(p->client, buf, sizeof buf), 14);
    assert_memory_equal(buf, "SIP/2.0 200 OK", 14);
}

#endif
