/* stream_feed.c — sofia's stream reading and framing without a socket (see stream_feed.h).
 * Steps follow sofia-sip 1.12's tport_type_tcp.c (tport_recv_stream) and tport.c
 * (tport_recv_iovec, tport_parse). */
#include "stream_feed.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_buffer.h>

struct feed {
    const uint8_t *data;
    size_t size, pos;            /* the stream and how much of it was read */
    const struct stream_feed_opts *o;
    uint32_t rnd;
    bool stalled;                /* stop reading this connection */
    msg_t *msg;                  /* the message being received (tp_msg) */
    stream_feed_deliver_f *deliver;
    void *arg;
};

static size_t next_read_size(struct feed *f)
{
    f->rnd = f->rnd * 1103515245u + 12345u;
    size_t n = f->o->full_reads ? f->o->max_read : 1 + (f->rnd >> 8) % f->o->max_read;
    return n < f->size - f->pos ? n : f->size - f->pos;
}

/* tport_parse(): every message complete in the buffer is delivered; the rest stays. */
static void parse(struct feed *f, bool complete)
{
    msg_t *msg = f->msg, *next = NULL;
    for (; msg; msg = next) {
        int n = msg_extract(msg);
        if (n == 0) {
            if (!complete)
                break;
            msg_mark_as_complete(msg, MSG_FLG_ERROR);
            n = -1;
        }
        if (msg_get_flags(msg, MSG_FLG_TOOLARGE | MSG_FLG_ERROR))
            f->stalled = true;
        next = n == -1 ? NULL : msg_next(msg);
        f->deliver(f->arg, msg);
    }
    f->msg = msg;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tport_recv_stream() for one read of `n` bytes; false when the connection would close. */
static bool read_some(struct feed *f, size_t n)
{
    const uint8_t *p = f->data + f->pos;
    if (f->msg == NULL) {
        size_t ws = 0;
        while (ws < n && is_ws(p[ws]))
            ws++;
        if (ws == n) {           /* a keep-alive (CRLF ping): read, nothing to parse */
            f->pos += n;
            return true;
        }
        if (!(f->msg = msg_create(f->o->mclass, f->o->flags)))
            abort();
        if (f->o->maxsize)
            msg_maxsize(f->msg, f->o->maxsize);
    }
    msg_iovec_t iov[msg_n_fragments];
    memset(iov, 0, sizeof iov);
    issize_t veclen = msg_recv_iovec(f->msg, iov, msg_n_fragments, n, 0);
    if (veclen < 0)
        return false;            /* tport: no buffer, the connection is closed */
    size_t copied = 0;
    for (issize_t i = 0; i < veclen && copied < n; i++) {
        size_t k = iov[i].mv_len < n - copied ? iov[i].mv_len : n - copied;
        memcpy(iov[i].mv_base, p + copied, k);
        copied += k;
    }
    msg_recv_commit(f->msg, copied, 0);
    f->pos += copied;
    parse(f, false);
    return copied > 0;
}

void stream_feed(const uint8_t *data, size_t size, const struct stream_feed_opts *o,
                 stream_feed_deliver_f *cb, void *arg)
{
    struct feed f = { .data = data, .size = size, .o = o, .rnd = o->seed, .deliver = cb,
                      .arg = arg };
    while (f.pos < f.size && !f.stalled && read_some(&f, next_read_size(&f)))
        ;
    if (f.msg && !f.stalled) {   /* end of stream: what is left is complete, or an error */
        msg_recv_commit(f.msg, 0, 1);
        parse(&f, true);
    }
    if (f.msg)
        msg_destroy(f.msg);
}
