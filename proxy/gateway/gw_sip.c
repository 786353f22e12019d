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
