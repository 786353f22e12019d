/* presence_convert.c — Microsoft-only presence bodies converted to PIDF for a zone with
 * `presence_format = pidf` (SPEC §7, PRESENCE.md §5); see presence_convert.h. */
#include "presence_convert.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>

#include "log.h"
#include "presence_proxy.h"

/* (sipfed) the PIDF entity is the presentity's address without URI parameters or headers: XPIDF
 * names it "sip:user@host;method=SUBSCRIBE". Parameters start after the host (a telephone-number
 * user part may hold ';'). */
static void entity_params_cut(char *entity)
{
    char *host = strchr(entity, '@');
    char *scheme = strchr(entity, ':');

    host = host ? host : scheme ? scheme : entity;
    host[strcspn(host, ";?")] = '\0';
}

enum presence_convert_result presence_convert_body(const char *content_type, const char *body,
                                                   size_t len, const char *entity,
                                                   struct presence_info *info, char *out,
                                                   size_t size, size_t *out_len)
{
    enum presence_doc_format fmt =
        content_type ? presence_format_from_content_type(content_type) : PRESENCE_FMT_AUTO;
    int n;

    memset(info, 0, sizeof *info);
    *out_len = 0;
    if (size)
        out[0] = '\0';
    switch (fmt) {
    case PRESENCE_FMT_CATEGORIES:
    case PRESENCE_FMT_MSRTC:
    case PRESENCE_FMT_XPIDF:
        break;
    case PRESENCE_FMT_MULTIPART:
        /* (sipfed) a batch is left whole: its parts are each addressed by the rlmi list
         * (Content-ID, cid: URIs, RFC 4662 §5), and rewriting parts of a batch is not done. */
        snprintf(info->reason, sizeof info->reason, "multipart batch: parts are not converted");
        return PRESENCE_CONVERT_BATCH;
    default:
        /* application/pidf+xml is PIDF already; anything else is not ours to touch. */
        return PRESENCE_CONVERT_NOT_MS;
    }
    if (!body || len == 0) {
        snprintf(info->reason, sizeof info->reason, "empty %s body", presence_format_name(fmt));
        return PRESENCE_CONVERT_UNMAPPED;
    }
    /* The parser checks that the body really is a document of that format. */
    if (presence_doc_parse(fmt, body, len, info) != 0 || info->state == PRESENCE_UNKNOWN) {
        if (!info->reason[0])
            snprintf(info->reason, sizeof info->reason, "no state");
        return PRESENCE_CONVERT_UNMAPPED;
    }
    /* RFC 3863 §4.1.1: entity is the presentity; the document's own URI wins over the headers. */
    if (!info->entity[0] && entity && *entity)
        presence_text_copy(info->entity, entity, strlen(entity));
    entity_params_cut(info->entity);
    n = presence_to_pidf(info, out, size);
    if (n <= 0) {
        snprintf(info->reason, sizeof info->reason, "PIDF does not fit in %zu bytes", size);
        return PRESENCE_CONVERT_UNMAPPED;
    }
    *out_len = (size_t)n;
    return PRESENCE_CONVERT_DONE;
}

const struct zone *presence_convert_zone_at(const struct dialplan *dp,
                                            const struct srczone_table *sz, const char *ip,
                                            uint16_t port)
{
    if (!dp || !sz || !ip)
        return NULL;
    for (size_t i = 0; i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (z->type != ZONE_NEIGHBOR && z->type != ZONE_TRAVERSAL_CLIENT &&
            z->type != ZONE_TRAVERSAL_SERVER)
            continue;
        for (size_t p = 0; p < z->n_peers; p++) {
            size_t n;
            const struct srczone_addr *a = srczone_peer_addrs(sz, z, p, &n);
            for (size_t k = 0; k < n; k++)
                if (a[k].port == port && strcmp(a[k].ip, ip) == 0)
                    return z;
        }
    }
    return NULL;
}

/* A reason inside a quoted log value: its own double quotes become single ones. */
static void reason_quote(char *reason)
{
    for (char *q = reason; (q = strchr(q, '"')) != NULL; q++)
        *q = '\'';
}

int presence_convert_msg(msg_t *msg, const struct zone *z)
{
    sip_t *sip = sip_object(msg);
    char entity[PRESENCE_TEXT_MAX + 1];
    struct presence_info info;
    const char *label;
    size_t len = 0;

    if (!z || z->presence_format != PRESENCE_FORMAT_PIDF || !sip || !sip->sip_payload ||
        !sip->sip_content_type || !(label = presence_proxy_carrier(sip, entity, sizeof entity)))
        return ENOENT;

    char pidf[PRESENCE_OUT_MAX];
    const char *ct = sip->sip_content_type->c_type;
    switch (presence_convert_body(ct, sip->sip_payload->pl_data, sip->sip_payload->pl_len,
                                  entity, &info, pidf, PRESENCE_OUT_MAX, &len)) {
    case PRESENCE_CONVERT_DONE:
        break;
    case PRESENCE_CONVERT_NOT_MS:
        return ENOENT;
    case PRESENCE_CONVERT_BATCH:
    case PRESENCE_CONVERT_UNMAPPED:
    default:
        reason_quote(info.reason);
        log_info("presence", "event=not_converted zone=%s method=%s entity=%s content_type=%s "
                 "reason=\"%s\" msg=\"forwarded unchanged\"", z->name, label,
                 entity[0] ? entity : "-", ct, info.reason);
        return EINVAL;
    }

    /* The copy's own headers are replaced (sip_payload_create copies the body into the
     * message's home); sip_complete_message() re-encodes Content-Length from the new payload,
     * as nta does again before sending. */
    su_home_t *home = msg_home(msg);
    sip_payload_t *pl = sip_payload_create(home, pidf, (isize_t)len);
    sip_content_type_t *c = sip_content_type_make(home, PRESENCE_PIDF_CONTENT_TYPE);
    if (!pl || !c ||
        msg_header_replace(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_content_type,
                           (msg_header_t *)c) < 0 ||
        msg_header_replace(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_payload,
                           (msg_header_t *)pl) < 0 ||
        sip_complete_message(msg) < 0) {
        /* Allocations fail before anything is replaced; msg_header_replace() and
         * sip_complete_message() only fail on a message nta would not send either. */
        log_warn("presence", "event=not_converted zone=%s method=%s entity=%s reason=\"cannot "
                 "rebuild the message (out of memory?)\"", z->name, label,
                 info.entity[0] ? info.entity : "-");
        return ENOMEM;
    }
    log_debug("presence", "event=converted zone=%s method=%s entity=%s from=%s state=%s bytes=%zu",
              z->name, label, info.entity[0] ? info.entity : "-",
              presence_format_name(presence_format_from_content_type(ct)),
              presence_state_name(info.state), len);
    return 0;
}
