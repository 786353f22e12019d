/* fuzz_stream.c — libFuzzer target over how a TCP/TLS byte stream becomes SIP messages, without
 * a socket (stream_feed.c): reads of at most STREAM_READ_CHUNK bytes (the cap of
 * proxy/sip/stream_read.c), whitespace alone before a message dropped as a keep-alive,
 * msg_extract() with the agent's message class and flags (sip_mclass.c, MSG_DO_CANONIC |
 * MSG_DO_EXTRACT_COPY, NTATAG_MAXSIZE), msg_next() carrying the bytes after a complete message
 * into the next (the copy stream_read.c keeps small), reading stopped after an error or a
 * message too large, the end of the stream completing the last one. A message nta passes on
 * and forward_message() does not refuse is encoded again as the proxy forwards it.
 *
 * The framing must not depend on how the stream was cut into reads (TCP segments, TLS records,
 * stream_read.c's cap): with the agent's maximum size, the messages read in the input's read
 * sizes must be the very messages read in reads of STREAM_READ_CHUNK (a backlog), byte for byte
 * (but for bytes without a start-line left at the end, see below).
 *
 * Input: two control bytes, then the stream.
 *   byte 0, bits 0-2  the largest read: 1, 3, 17, 64, 512, 1500, 4096 or STREAM_READ_CHUNK
 *           bit 3     the agent's maximum message size (16 MB) or a small one (2048, to reach
 *                     the too-large path with short inputs; no comparison then)
 *   byte 1            seeds the read sizes (each 1..the largest read) */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

#include "fuzz_lib.h"
#include "fuzz_sip.h"
#include "route.h"
#include "stream_feed.h"
#include "stream_read.h"

enum { FUZZ_MAX_STREAM = 70000, FUZZ_SMALL_MAXSIZE = 2048, FUZZ_MAX_MESSAGES = 4096 };
#define FUZZ_AGENT_MAXSIZE (16u * 1024 * 1024)   /* proxy.c: PROXY_STREAM_READ_MAX */

/* What one reading of the stream delivered: a hash of each message as the proxy would see it
 * (its bytes as forwarded; an error or a refused message by a fixed mark). */
struct fuzz_seen {
    uint64_t msgs[FUZZ_MAX_MESSAGES];
    size_t n;
};

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

static void fuzz_deliver(void *arg, msg_t *msg)
{
    struct fuzz_seen *seen = arg;
    sip_t *sip = sip_object(msg);
    /* 0: refused before forwarding or an error; 3: an error without a start-line */
    uint64_t h = msg_get_flags(msg, MSG_FLG_HEADERS) ? 0 : 3;
    if (sip && !msg_has_error(msg) && fuzz_nta_would_accept(msg, sip) &&
        route_duplicate_header(sip) == NULL) {
        size_t len = 0;
        msg_t *copy = msg_copy(msg);
        sip_t *cs = copy ? sip_object(copy) : NULL;
        char *wire = cs && msg_serialize(copy, (msg_pub_t *)cs) == 0
                         ? msg_as_string(msg_home(copy), copy, (msg_pub_t *)cs, 0, &len) : NULL;
        h = wire ? fnv(wire, len) | 1 : 2;
        if (copy)
            msg_destroy(copy);
    }
    if (seen->n < FUZZ_MAX_MESSAGES)
        seen->msgs[seen->n++] = h;
    msg_destroy(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_reads[8] = { 1, 3, 17, 64, 512, 1500, 4096, STREAM_READ_CHUNK };
    static struct fuzz_seen cut, whole;
    if (size < 2 || size > FUZZ_MAX_STREAM)
        return 0;
    bool small = data[0] & 8;
    struct stream_feed_opts o = {
        .mclass = fuzz_sip_mclass(), .flags = MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY,
        .maxsize = small ? FUZZ_SMALL_MAXSIZE : FUZZ_AGENT_MAXSIZE,
        .max_read = max_reads[data[0] & 7], .seed = data[1],
    };
    cut.n = 0;
    stream_feed(data + 2, size - 2, &o, fuzz_deliver, &cut);
    if (small)
        return 0;
    o.max_read = STREAM_READ_CHUNK;
    o.full_reads = true;
    whole.n = 0;
    stream_feed(data + 2, size - 2, &o, fuzz_deliver, &whole);
    /* What is left at the end of the stream without a start-line is an error in one cut (the
     * remainder of a read, e.g. a CRLF after the last message) and nothing in another (a read
     * of whitespace alone is a keep-alive): not compared. */
    if (cut.n > 0 && cut.msgs[cut.n - 1] == 3)
        cut.n--;
    if (whole.n > 0 && whole.msgs[whole.n - 1] == 3)
        whole.n--;
    if (cut.n != whole.n || memcmp(cut.msgs, whole.msgs, cut.n * sizeof cut.msgs[0]) != 0)
        abort();             /* the messages depend on where the reads were cut */
    return 0;
}
