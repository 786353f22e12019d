/* stream_feed.h — a byte stream turned into messages the way sofia-sip 1.12's stream
 * transports do it (tport_recv_stream() + tport_parse()), without a socket: shared by the
 * targets whose input arrives on a TCP/TLS connection (fuzz_stream: SIP, fuzz_admin: HTTP). */
#ifndef SIPFED_STREAM_FEED_H
#define SIPFED_STREAM_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/msg.h>

/* Told each message tport would deliver (complete, or marked as an error); it owns `msg`. */
typedef void stream_feed_deliver_f(void *arg, msg_t *msg);

struct stream_feed_opts {
    msg_mclass_t const *mclass;
    int flags;                   /* msg_create() flags (the agent's / the server's) */
    usize_t maxsize;             /* msg_maxsize(); 0: none */
    size_t max_read;             /* the largest read (STREAM_READ_CHUNK in the proxy) */
    uint32_t seed;               /* the read sizes, 1..max_read each */
    bool full_reads;             /* instead: every read max_read bytes (a backlog waiting) */
};

/* Feed `data` through reads of varying size; every complete message goes to `deliver`. Reading
 * stops after a message with an error or one too large (tport stops reading that connection);
 * otherwise the end of the data is the end of the stream. (msg_size() of a message read in
 * small pieces counts a few bytes of buffer more than its own, so it is no measure of what a
 * message took from the stream.) */
void stream_feed(const uint8_t *data, size_t size, const struct stream_feed_opts *o,
                 stream_feed_deliver_f *deliver, void *arg);

#endif
