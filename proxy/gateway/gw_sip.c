/* gw_sip.c — the gateway's SIP user agent (sofia NUA): created on the gateway's own address,
 * every request sent through the sipfed proxy (NUTAG_PROXY), events dispatched to IM sessions
 * (gw_im.c) and presence (gw_presence.c). */
#include "gateway_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include "log.h"

static const char *transport_param(enum sip_transport tp)
{
    return tp == SIP_TP_UDP ? "udp" : "tcp";
}

bool gw_sip_addr_jid(const sip_from_t *a, char *out, size_t size)
{
    return a && a->a_url->url_user && a->a_url->url_host &&
           gw_jid_from_sip(a->a_url->url_user, a->a_url->url_host, out, size) == 0;
}

int gw_sip_request_parties(struct gateway *gw, sip_t const *sip, char *local, char *partner,
                           size_t size, const char **phrase)
{
    char domain[GW_ADDR_MAX];
    struct gw_component *c = NULL;

    if (!gw_sip_addr_jid(sip->sip_to, local, size) ||
        gw_jid_domain(local, domain, sizeof domain) != 0 ||
        !gateway_domain_in(gw->cfg->local_domains, gw->cfg->n_local_domains, domain))
        return *phrase = sip_404_Not_found, 404;
    if (!gw_sip_addr_jid(sip->sip_from, partner, size) ||
        gw_jid_domain(partner, domain, sizeof domain) != 0 ||
        !(c = gw_component_find(gw, domain)))
        return *phrase = sip_403_Forbidden, 403;
    if (!gw_component_up(c))
        return *phrase = "XMPP Server Unavailable", GW_SIP_XMPP_DOWN;
    return 0;
}

nua_handle_t *gw_sip_handle(struct gateway *gw, struct gw_handle_ctx *ctx, const char *local_jid,
                            const char *partner_jid)
{
    char from[GW_ADDR_MAX + 8], to[GW_ADDR_MAX + 8], from_uri[GW_ADDR_MAX], to_uri[GW_ADDR_MAX];

    if (gw_sip_uri_from_jid(local_jid, from_uri, sizeof from_uri) != 0 ||
        gw_sip_uri_from_jid(partner_jid, to_uri, sizeof to_uri) != 0)
        return NULL;
    snprintf(from, sizeof from, "<%s>", from_uri);
    snprintf(to, sizeof to, "<%s>", to_uri);
    return nua_handle(gw->nua, ctx, SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to), TAG_END());
}

static void nua_event_cb(nua_event_t event, int status, char const *phrase, nua_t *nua,
                         struct gateway *gw, nua_handle_t *nh, struct gw_handle_ctx *ctx,
                         sip_t const *sip, tagi_t tags[])
{
    (void)nua;
    if (event == nua_r_shutdown) {
        if (status >= 200)
            su_root_break(gw->root);
        return;
    }
    if (ctx && ctx->kind == GW_H_SESSION) {
        gw_im_nua_event(gw, event, status, phrase, nh, (struct gw_session *)ctx, sip, tags);
        return;
    }
    if (ctx) {
        gw_presence_nua_event(gw, event, status, phrase, nh, ctx, sip, tags);
        return;
    }
    /* a request on a handle of its own: new dialogs and page-mode messages */
    switch (event) {
    case nua_i_invite:
    case nua_i_message:
        if (sip)
            gw_im_incoming(gw, event, nh, sip);
        return;
    case nua_i_subscribe:
        if (sip)
            gw_presence_incoming(gw, nh, sip, tags);
        return;
    case nua_i_error:
        log_warn("gateway", "event=sip_error status=%d phrase=\"%s\"", status,
                 phrase ? phrase : "");
        return;
    default:
        if (nh && event < nua_r_set_params && event != nua_i_state)
            nua_handle_destroy(nh);
        return;
    }
}

int gw_sip_start(struct gateway *gw)
{
    const struct gateway_config *cfg = gw->cfg;
    char url[300], proxy[300];

    snprintf(url, sizeof url, "sip:%s:%u;transport=%s", cfg->sip_host, cfg->sip_port,
             transport_param(cfg->sip_transport));
    snprintf(proxy, sizeof proxy, "sip:%s:%u;transport=%s;lr", cfg->proxy_host, cfg->proxy_port,
             transport_param(cfg->proxy_transport));
    gw->nua = nua_create(gw->root, nua_event_cb, gw,
                         NUTAG_URL(url),
                         NUTAG_PROXY(proxy),
                         NUTAG_MEDIA_ENABLE(0),
                         NUTAG_AUTOANSWER(0),
                         NUTAG_ENABLEMESSAGE(1),
                         NUTAG_APPL_METHOD("MESSAGE"),
                         NUTAG_APPL_METHOD("SUBSCRIBE"),
                         NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY"),
                         NUTAG_ALLOW_EVENTS("presence"),
                         NUTAG_SUB_EXPIRES(cfg->subscribe_expires),
                         SIPTAG_USER_AGENT_STR("sipfed-gateway"),
                         TAG_END());
    if (!gw->nua) {
        log_error("gateway", "event=sip_failed listen=%s msg=\"cannot create the SIP agent "
                  "(address in use or not local?)\"", url);
        return EADDRNOTAVAIL;
    }
    log_info("gateway", "event=sip_up listen=%s proxy=%s", url, proxy);
    return 0;
}
