/* stream_read.c — how much sofia reads from a TCP connection at once.
 *
 * Why: sofia-sip 1.12's tport_recv_stream() asks su_getmsgsize() (FIONREAD) how many bytes the
 * socket holds and reads them all into one message buffer. The parser then takes the messages
 * one by one, and for each one msg_next() copies everything still unparsed into a new buffer
 * (msg_buf_move): reading a backlog of B bytes holding k messages costs about k * B / 2 bytes of
 * memmove. A node that fell a few milliseconds behind (the 2-core machine, another process on
 * the core) found hundreds of kB waiting, spent most of its time copying them (perf: 45 % of
 * node A's cycles in memmove under msg_next at 3000 MESSAGE/s), fell further behind, and
 * collapsed at a rate it forwards at half a core when reads stay small (docs/performance.md).
 *
 * How: the executable interposes su_getmsgsize (libsofia-sip-ua calls its own through the PLT)
 * and caps its answer at STREAM_READ_CHUNK for stream sockets. The rest stays in the kernel;
 * sofia's poll is level-triggered, so the next loop turn reads the next chunk, after the
 * messages already read were handled and other sockets had their turn. A message longer than
 * a chunk is completed over several reads as before (the per-message limit is
 * max_message_size, forward_message()). Datagram sockets (UDP) get the true size: a datagram
 * must be read whole. Stateless; valid for any number of event loops. */
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <dlfcn.h>

#include "stream_read.h"

typedef ssize_t getmsgsize_f(int);

/* Interposes sofia's su_getmsgsize(su_socket_t): bytes readable now, at most a chunk on a stream */
ssize_t su_getmsgsize(int s);

ssize_t su_getmsgsize(int s)
{
    static getmsgsize_f *real;
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "su_getmsgsize");
    if (!real)
        return -1;
    ssize_t n = real(s);
    if (n > STREAM_READ_CHUNK) {
        int type = 0;
        socklen_t len = sizeof type;
        if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
            n = STREAM_READ_CHUNK;
    }
    return n;
}

bool stream_read_in_effect(void)
{
    getmsgsize_f *ours = su_getmsgsize;
    void *bound = dlsym(RTLD_DEFAULT, "su_getmsgsize");
    return bound && bound == *(void **)&ours && dlsym(RTLD_NEXT, "su_getmsgsize");
}
