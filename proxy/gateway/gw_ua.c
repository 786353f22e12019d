/* gw_ua.c — the SIP identities of the gateway's dialogs and subscriptions: a NUA handle for an
 * XMPP pair, and the check of the parties of a request from Microsoft. */
#include "gateway_int.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_status.h>

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

