/* presence_convert.h — `presence_format = pidf` (SPEC §7): a zone that only understands PIDF
 * receives Microsoft-only presence bodies converted into the PIDF of PRESENCE.md §5. The body
 * conversion is pure; the message rewrite works on the per-branch copy with sofia's API. */
#ifndef SIPFED_PRESENCE_CONVERT_H
#define SIPFED_PRESENCE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/msg.h>

#include "dialplan.h"
#include "presence.h"
#include "srczone.h"

#define PRESENCE_PIDF_CONTENT_TYPE "application/pidf+xml"

enum presence_convert_result {
    PRESENCE_CONVERT_DONE,        /* `out` holds the PIDF body */
    PRESENCE_CONVERT_NOT_MS,      /* not a Microsoft-only format (PIDF already, another type,
                                   * no Content-Type): nothing to do */
    PRESENCE_CONVERT_BATCH,       /* a multipart/related batch: left unchanged (sipfed) */
    PRESENCE_CONVERT_UNMAPPED,    /* a Microsoft-only body with no usable state, malformed or
                                   * refused: left unchanged, info->reason says why */
};

/* Convert one body whose Content-Type value is `content_type` (parameters allowed; NULL: none).
 * Microsoft-only formats (application/msrtc-event-categories+xml, text/xml+msrtc.pidf,
 * application/xpidf+xml) are read (PRESENCE.md §3) and written as PIDF (§5) into `out`
 * (`size` >= PRESENCE_OUT_MAX always suffices). The PIDF entity is the presentity the body names,
 * else `entity` (the presentity from the headers, may be NULL or ""). `info` receives what was
 * read (state, activity, note, reason) for the caller's log line. Pure: no allocation, no I/O. */
enum presence_convert_result presence_convert_body(const char *content_type, const char *body,
                                                   size_t len, const char *entity,
                                                   struct presence_info *info, char *out,
                                                   size_t size, size_t *out_len);

/* The neighbor or traversal zone one of whose peers resolved to `ip`:`port`, or NULL. For
 * branches whose zone routing did not choose (loose routing in a dialog: an in-dialog NOTIFY
 * goes to the Contact behind our Record-Route). */
const struct zone *presence_convert_zone_at(const struct dialplan *dp,
                                            const struct srczone_table *sz, const char *ip,
                                            uint16_t port);

/* Rewrite `msg` (a copy the caller owns, about to be sent toward zone `z`; NULL: unknown zone)
 * when z->presence_format is pidf and `msg` is a presence carrier (NOTIFY, BENOTIFY, PUBLISH,
 * 2xx to SUBSCRIBE with ms-piggyback-cseq) with a Microsoft-only body: the payload becomes the
 * PIDF and Content-Type application/pidf+xml; Content-Length is set by sip_complete_message().
 * Every other header is left as it was. A body that cannot be mapped, a batch, or an allocation
 * failure leaves the message as it was, with a log line. Returns 0 when the message was
 * converted, else ENOENT (nothing to convert) or the reason it was left alone (EINVAL, ENOMEM). */
int presence_convert_msg(msg_t *msg, const struct zone *z);

#endif
