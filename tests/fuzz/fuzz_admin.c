/* fuzz_admin.c — libFuzzer target over the admin HTTP interface's request handling, without a
 * socket: the bytes of a connection framed and parsed as nth's server does (stream_feed.c with
 * sofia's HTTP message class and MSG_DO_CANONIC, nth_server.c's server_msg_create), the checks
 * of nth's server_request() (an error, no request line, a version other than 1.0/1.1: nth
 * answers 400/413/505 itself), then admin_route_request(): method, bearer token (constant-time
 * compare of the encoded Authorization header), path and ?n= query. The pages themselves read
 * the live proxy and are not rendered here.
 *
 * Input: two control bytes, then the stream.
 *   byte 0, bits 0-2  the largest read: 1, 3, 17, 64, 512, 1500, 4096 or 16384
 *           bit 3     a bearer token is configured ("Bearer s3cret") or not
 *   byte 1            seeds the read sizes */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/http.h>
#include <sofia-sip/http_header.h>
#include <sofia-sip/msg.h>

#include "admin_route.h"
#include "history.h"
#include "stream_feed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FUZZ_MAX_STREAM = 70000 };

static void fuzz_deliver(void *arg, msg_t *msg)
{
    const char *token = arg;
    http_t *http = http_object(msg);
    if (http && http->http_request && !(http->http_flags & (MSG_FLG_ERROR | MSG_FLG_TOOLARGE |
                                                            MSG_FLG_TIMEOUT)) &&
        (http->http_request->rq_version == http_version_1_0 ||
         http->http_request->rq_version == http_version_1_1)) {
        struct admin_route r;
        admin_route_request(http, http->http_request->rq_url->url_path, token, &r);
        if ((r.status == 200) != (r.page != ADMIN_PAGE_NONE && r.page != ADMIN_PAGE_NOT_FOUND) ||
            r.history_n > HISTORY_MAX || (token == NULL && r.status == 401))
            abort();
    }
    msg_destroy(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t max_reads[8] = { 1, 3, 17, 64, 512, 1500, 4096, 16384 };
    if (size < 2 || size > FUZZ_MAX_STREAM)
        return 0;
    struct stream_feed_opts o = {
        .mclass = http_default_mclass(), .flags = MSG_DO_CANONIC,
        .max_read = max_reads[data[0] & 7], .seed = data[1],
    };
    stream_feed(data + 2, size - 2, &o, fuzz_deliver, (data[0] & 8) ? "Bearer s3cret" : NULL);
    return 0;
}
