/* tls_readbuf.c — one TLS read buffer per event loop instead of one per connection.
 *
 * Why: sofia-sip 1.12's TLS transport gives every connection its own 16 kB plaintext buffer
 * (tport_tls.c, tls_init_secondary: su_alloc(tls->home, 16384)) and keeps it for the
 * connection's whole life, even though a record read into it is copied into sofia's message
 * buffer before the event callback returns (tport_tls_recv: tls_read, tport_recv_iovec,
 * tls_read_buffer, memcpy). With 1000 idle peers that is 16 MB of the 46 MB a 1000-connection
 * node held (docs/performance.md).
 *
 * How: sofia calls tls_init_secondary, tls_read and tls_free through the PLT, so the executable
 * interposes them like SSL_new (tls_hook.c). The new connection's private buffer is freed at
 * once; before each SSL_read (sofia's tls_read, called only when nothing is pending) the
 * connection's read_buffer is pointed at this loop's buffer. The buffer's content belongs to
 * the last connection that read into it (`owner`) until sofia takes it with tls_read_buffer();
 * if another connection is about to read while the owner still has data pending (sofia never
 * does this today: the copy follows the read within one callback), the owner first gets a
 * 16 kB buffer of its own again (sofia's arrangement) holding its bytes. Connections with a
 * buffer of their own are left alone. So no connection ever reads another's plaintext,
 * whatever order sofia calls in.
 *
 * The fields touched mirror struct tls_s of sofia-sip 1.12.11 (tport_tls.c); the mirror is
 * checked on every new connection against what OpenSSL says about it (its SSL, context, BIO and
 * an unused 16 kB buffer). A library whose layout differs fails that check: the feature turns
 * itself off with one warning and sofia keeps its own buffers. 1.13 is refused at build time
 * (tls_hook.c). Thread-local: each event loop (worker) has its own buffer and owner. */
#include "tls_int.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "log.h"
#include "sofia_tls.h"

enum { SOFIA_TLS_BUFFER = 16384 };      /* tport_tls.c: tls_buffer_size */

typedef struct sofia_tls *init_secondary_f(struct sofia_tls *, int, int);
typedef ssize_t tls_read_f(struct sofia_tls *);
typedef void tls_free_f(struct sofia_tls *);

static _Thread_local unsigned char shared[SOFIA_TLS_BUFFER];   /* this loop's buffer */
static _Thread_local struct sofia_tls *owner;    /* whose bytes `shared` holds, if any */
static _Thread_local bool disabled;
static _Thread_local bool checked;      /* a connection's layout was recognised */

static void *real_fn(const char *name)
{
    return dlsym(RTLD_NEXT, name);
}

static bool layout_recognised(const struct sofia_tls *t)
{
    return t->con && SSL_get_SSL_CTX(t->con) == t->ctx && SSL_get_rbio(t->con) == t->bio_con &&
           t->read_buffer && t->read_buffer_len == 0;
}

/* Interposes sofia's tls_init_secondary (a new accepted or connected TLS connection). */
struct sofia_tls *tls_init_secondary(struct sofia_tls *master, int sock, int accept)
{
    static _Thread_local init_secondary_f *real;
    if (!real)
        *(void **)&real = real_fn("tls_init_secondary");
    struct sofia_tls *t = real ? real(master, sock, accept) : NULL;

    if (!t || disabled)
        return t;
    if (!layout_recognised(t)) {
        disabled = true;
        log_warn("tls", "event=read_buffer_shared_off reason=\"sofia-sip's TLS connection "
                 "layout is not the 1.12.11 one; each connection keeps its own 16 kB buffer\"");
        return t;
    }
    checked = true;
    su_free(t->home, t->read_buffer);
    t->read_buffer = shared;
    return t;
}

/* Interposes sofia's tls_read: SSL_read into read_buffer unless bytes are still pending. */
ssize_t tls_read(struct sofia_tls *t)
{
    static _Thread_local tls_read_f *real;
    if (!real)
        *(void **)&real = real_fn("tls_read");
    if (!real)
        return -1;
    if (t && t->read_buffer == shared && t->read_buffer_len == 0) {
        if (owner && owner != t && owner->read_buffer == shared && owner->read_buffer_len) {
            /* keep the owner's unread bytes: it gets a buffer of its own again, for good */
            void *keep = su_alloc(owner->home, SOFIA_TLS_BUFFER);
            if (!keep)
                return -1;      /* sofia reports the error on this connection; owner intact */
            memcpy(keep, shared, owner->read_buffer_len);
            owner->read_buffer = keep;
            log_debug("tls", "event=read_buffer_kept");
        }
        owner = t;
    }
    return real(t);
}

/* Interposes sofia's tls_free: the connection goes; its home (not `shared`) is released. */
void tls_free(struct sofia_tls *t)
{
    static _Thread_local tls_free_f *real;
    if (!real)
        *(void **)&real = real_fn("tls_free");
    if (t && t == owner)
        owner = NULL;
    if (real)
        real(t);
}

bool tls_sofia_layout_known(void)
{
    return checked && !disabled;
}

bool tls_readbuf_in_effect(void)
{
    tls_read_f *ours = tls_read;
    void *bound = dlsym(RTLD_DEFAULT, "tls_read");
    return bound && bound == *(void **)&ours && real_fn("tls_read") && real_fn("tls_free") &&
           real_fn("tls_init_secondary");
}
