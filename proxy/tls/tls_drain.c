/* tls_drain.c — read what a TLS connection already holds in one poll turn, not one record.
 *
 * Why: sofia-sip 1.12 reads a TLS connection one record per poll wake-up. tport_tls_events()
 * calls tls_read() (one SSL_read: one record, OpenSSL reads no further ahead) and
 * tport_recv_event() reads again only while tport_tls_recv() reports more pending, which it
 * asks tls_pending() = SSL_pending(): the decrypted bytes OpenSSL still holds, 0 once the record
 * is consumed. The rest waits in the kernel for the next turn. sofia also writes a message as
 * one record per piece of its I/O vector (tport_tls_send: three for a forwarded MESSAGE or its
 * 200). Meanwhile a TCP connection gives up to 16 kB per turn (stream_read.c), about 27
 * requests. So a node taking requests over TCP and their answers over TLS (node A of make
 * bench) took in 27 requests but a third of an answer per turn whenever it fell behind (a
 * moment without a CPU is enough): answers piled up in its socket, the TLS peer's window
 * closed, the peer stopped sending (480 ms seen), and the live transactions reached the
 * overload limit: 503 to hundreds of requests at a third of the node's capacity
 * (docs/performance.md, "Latency before saturation").
 *
 * How: the executable interposes tls_pending() (sofia calls it through the PLT, like tls_read;
 * tls_readbuf.c). It answers as sofia's does, and also "more" when the socket holds more bytes
 * and this connection has read less than TLS_DRAIN_CHUNK of ciphertext in this run of reads:
 * sofia then reads the next record at once. A record that is not complete yet makes SSL_read
 * say WANT_READ and sofia waits for the socket as before; every error takes sofia's own path.
 * Nothing is read ahead into OpenSSL (bytes left there would wait for the next packet): what
 * this turn does not read stays in the kernel, and the level-triggered poll comes back for it
 * after the other sockets had their turn. Only with sofia's struct known (sofia_tls.h). */
#include "tls_int.h"

#include <dlfcn.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "sofia_tls.h"

typedef int tls_pending_f(const struct sofia_tls *);

/* The connection reading now and its BIO's byte count when its run of reads began. A run ends
 * when the answer is "no more"; a run cut short by WANT_READ just makes the next cap come
 * early (the count goes on from the old start), which costs one poll turn, never a stall. */
static _Thread_local const struct sofia_tls *run_conn;
static _Thread_local uint64_t run_start;

bool tls_drain_more(uint64_t read_in_run, int readable)
{
    return readable > 0 && read_in_run < TLS_DRAIN_CHUNK;
}

/* Interposes sofia's tls_pending(): non-zero when sofia should read this connection again now. */
int tls_pending(const struct sofia_tls *t)
{
    static _Thread_local tls_pending_f *real;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "tls_pending");
    int pending = real ? real(t) : 0;
    if (pending || !t || !t->con || !tls_sofia_layout_known())
        return pending;

    uint64_t read = BIO_number_read(SSL_get_rbio(t->con));
    if (run_conn != t) {
        run_conn = t;
        run_start = read;
    }
    int readable = 0;
    if (ioctl(SSL_get_rfd(t->con), FIONREAD, &readable) != 0)
        readable = 0;
    if (tls_drain_more(read - run_start, readable))
        return 1;
    run_conn = NULL;
    return 0;
}

bool tls_drain_in_effect(void)
{
    tls_pending_f *ours = tls_pending;
    void *bound = dlsym(RTLD_DEFAULT, "tls_pending");
    return bound && bound == *(void **)&ours && dlsym(RTLD_NEXT, "tls_pending");
}
