/* sofia_tls.h — private to tls_readbuf.c and tls_drain.c: the head of sofia-sip 1.12.11's
 * struct tls_s (tport_tls.c; tport_tls.h is not installed), up to the receive fields, and the
 * sofia functions those files interpose (sofia calls them through its PLT). tls_readbuf.c checks
 * the mirror against OpenSSL on every new connection; tls_sofia_layout_known() says whether
 * that check passed on this thread (event loop) and never failed. */
#ifndef SIPFED_SOFIA_TLS_H
#define SIPFED_SOFIA_TLS_H

#include <stdbool.h>
#include <sys/types.h>

#include <openssl/ssl.h>
#include <sofia-sip/su_alloc.h>

struct sofia_tls {
    su_home_t home[1];
    SSL_CTX *ctx;
    SSL *con;
    BIO *bio_con;
    unsigned int flags;                 /* type, accept, verify_* bit-fields */
    int read_events;
    void *read_buffer;
    size_t read_buffer_len;
};

struct sofia_tls *tls_init_secondary(struct sofia_tls *master, int sock, int accept);
ssize_t tls_read(struct sofia_tls *t);
void tls_free(struct sofia_tls *t);
int tls_pending(const struct sofia_tls *t);

bool tls_sofia_layout_known(void);

#endif
