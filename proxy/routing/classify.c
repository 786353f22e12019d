/* classify.c — Expressway's "SIP variant" of a request by sipfed's explicit rule (SPEC §4.2). */
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip_header.h>

#include "classify.h"

/* User-Agent/Server products Microsoft clients and servers send: Lync/SfB clients say
 * `UCCAPI/16.0...`, servers `RTC/7.0`, older ones `Microsoft Office Communicator`. */
static bool classify_product_is_ms(const sip_generic_t *g)
{
    const char *s = g ? g->g_string : NULL;
    return s != NULL && (strstr(s, "RTC/") || strstr(s, "UCCAPI") || strstr(s, "Microsoft"));
}

static bool classify_has_ms_prefix(const char *s)
{
    return s != NULL && strncasecmp(s, "ms-", 3) == 0;
}

/* An `ms-*` option tag ([MS-SIPRE]: ms-benotify, ms-dialog-route-set-update, ...). */
static bool classify_list_has_ms_tag(const msg_list_t *k)
{
    for (; k != NULL; k = k->k_next)
        for (msg_param_t const *item = k->k_items; item && *item; item++)
            if (classify_has_ms_prefix(*item))
                return true;
    return false;
}

static bool classify_addr_has_epid(const sip_addr_t *a)
{
    return a != NULL && msg_params_find(a->a_params, "epid") != NULL;
}

static const char *classify_method_name(const sip_t *sip)
{
    return sip->sip_request ? sip->sip_request->rq_method_name : NULL;
}

static bool classify_method_is(const sip_t *sip, const char *name)
{
    const char *m = classify_method_name(sip);
    return m != NULL && strcmp(m, name) == 0;
}

/* Collect the Microsoft markers of `sip` (descriptions for `locate`) into out[0..max); with
 * max == 0 stop at the first. Returns how many were found (at most max, or 1 with max == 0). */
static size_t classify_scan(const sip_t *sip, const char **out, size_t max)
{
    size_t n = 0;
#define MARK(text) do { if (max == 0) return 1; if (n < max) out[n++] = (text); } while (0)
    if (sip == NULL)
        return 0;
    if (classify_product_is_ms((const sip_generic_t *)sip->sip_user_agent))
        MARK("User-Agent names a Microsoft product");
    if (classify_product_is_ms((const sip_generic_t *)sip->sip_server))
        MARK("Server names a Microsoft product");
    /* sofia keeps headers it does not know (every ms-* one) in the sip_unknown list. */
    for (const sip_unknown_t *u = sip->sip_unknown; u != NULL; u = u->un_next)
        if (classify_has_ms_prefix(u->un_name)) {
            MARK("an ms-* header");
            break;
        }
    if (classify_list_has_ms_tag((const msg_list_t *)sip->sip_supported))
        MARK("an ms-* option tag in Supported");
    if (classify_list_has_ms_tag((const msg_list_t *)sip->sip_require))
        MARK("an ms-* option tag in Require");
    if (classify_list_has_ms_tag((const msg_list_t *)sip->sip_proxy_require))
        MARK("an ms-* option tag in Proxy-Require");
    if (classify_addr_has_epid(sip->sip_from))
        MARK("epid on From");
    if (classify_addr_has_epid(sip->sip_to))
        MARK("epid on To");
    if (classify_method_is(sip, "BENOTIFY"))
        MARK("method BENOTIFY");
    if (classify_method_is(sip, "SERVICE"))
        MARK("method SERVICE");
    const char *ct = sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
    if (ct != NULL && (strncasecmp(ct, "application/msrtc-", 18) == 0 ||
                       strcasecmp(ct, "text/xml+msrtc.pidf") == 0))
        MARK("a Microsoft Content-Type");
#undef MARK
    return n;
}

bool classify_has_ms_markers(const sip_t *sip)
{
    return classify_scan(sip, NULL, 0) > 0;
}

size_t classify_describe_markers(const sip_t *sip, const struct zone *source, const char **out,
                                 size_t max)
{
    size_t n = 0;
    if (source != NULL && source->traffic_ms_imp && max > 0)
        out[n++] = "source zone has traffic = ms-imp";
    return n + classify_scan(sip, out + n, max - n);
}

/* An SDP offer whose every offered stream (port != 0) is m=message, with at least one. */
static bool classify_sdp_is_message_only(const sip_payload_t *pl)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    bool message_only = false;

    sdp_parser_t *p = sdp_parse(home, pl->pl_data, (issize_t)pl->pl_len, 0);
    const sdp_session_t *s = p ? sdp_session(p) : NULL;
    if (s != NULL) {
        size_t offered = 0, other = 0;
        for (const sdp_media_t *m = s->sdp_media; m != NULL; m = m->m_next) {
            if (m->m_port == 0 || m->m_rejected)
                continue;
            if (m->m_type == sdp_media_message)
                offered++;
            else
                other++;
        }
        message_only = offered > 0 && other == 0;
    }
    sdp_parser_free(p);
    su_home_deinit(home);
    return message_only;
}

/* INVITE without a body is IM&P (Lync opens an IM session that way, or with m=message). */
static bool classify_invite_is_imp(const sip_t *sip)
{
    const sip_payload_t *pl = sip->sip_payload;
    if (pl == NULL || pl->pl_len == 0)
        return true;
    const char *ct = sip->sip_content_type ? sip->sip_content_type->c_type : NULL;
    if (ct == NULL || strcasecmp(ct, "application/sdp") != 0)
        return false;
    return classify_sdp_is_message_only(pl);
}

bool classify_is_imp_request(const sip_t *sip)
{
    static const char *const imp_methods[] = {
        "MESSAGE", "SUBSCRIBE", "NOTIFY", "BENOTIFY", "PUBLISH", "INFO", "SERVICE", "OPTIONS",
    };
    const char *m = sip ? classify_method_name(sip) : NULL;
    if (m == NULL)
        return false;
    for (size_t i = 0; i < sizeof imp_methods / sizeof *imp_methods; i++)
        if (strcmp(m, imp_methods[i]) == 0)
            return true;
    return strcmp(m, "INVITE") == 0 && classify_invite_is_imp(sip);
}

enum traffic classify_request(const sip_t *sip, const struct zone *source)
{
    bool ms = (source != NULL && source->traffic_ms_imp) || classify_has_ms_markers(sip);
    if (!ms)
        return TRAFFIC_STANDARD;
    return classify_is_imp_request(sip) ? TRAFFIC_MS_IMP : TRAFFIC_MS_SIP;
}
