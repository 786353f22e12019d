/* tls_after_check.c — a moment after sofia's post-handshake check, on the same connection.
 *
 * Why: some of what a connection holds after its handshake is read one last time by sofia, in
 * tls_post_connection_check() (the peer's certificate, for its names), which runs inside
 * tls_connect() right after SSL_accept/SSL_connect has finished, i.e. after the handshake's
 * info callback (tls_hook.c, conn_done) and before anything is read from the connection. An
 * idle connection never gives sipfed another turn, so the release has to follow sofia's check
 * on the same call.
 *
 * How: sofia registers tls_connect as the event callback of a connection in its handshake
 * (tport_type_tls.c takes its address through the GOT), so the executable interposes it like
 * tls_read (tls_readbuf.c): conn_done() marks its connection due (inbound only), the wrapper
 * calls sofia's tls_connect and then releases the due connection's peer certificate
 * (tls_release.c). A connection closed meanwhile is forgotten (SSL_shutdown, tls_hook.c).
 * Thread-local: each event loop has its own. */
#include "tls_int.h"

#include <dlfcn.h>

#include "log.h"

typedef int tls_connect_f(void *magic, void *wait, void *tport);

/* sofia's (tport_tls.h is not installed): su_root_magic_t *, su_wait_t *, tport_t * */
int tls_connect(void *magic, void *wait, void *tport);

static _Thread_local struct tls_conn *due;

void tls_after_check_due(struct tls_conn *c)
{
    due = c;
}

void tls_after_check_forget(const struct tls_conn *c)
{
    if (due == c)
        due = NULL;
}

int tls_connect(void *magic, void *wait, void *tport)
{
    static _Thread_local tls_connect_f *real;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "tls_connect");
    if (!real)
        return 0;
    due = NULL;
    int ret = real(magic, wait, tport);
    if (due && due->ssl && tls_release_peer_leaf(due->ssl) == TLS_LEAF_RELEASED)
        log_debug("tls", "event=peer_leaf_released peer=%s:%u", due->ip, due->port);
    due = NULL;
    return ret;
}

bool tls_after_check_in_effect(void)
{
    tls_connect_f *ours = tls_connect;
    void *bound = dlsym(RTLD_DEFAULT, "tls_connect");
    return bound && bound == *(void **)&ours && dlsym(RTLD_NEXT, "tls_connect");
}
