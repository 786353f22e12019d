/* gw_xmpp_out.c — what the gateway sends to the XMPP server: chat messages, message errors
 * and presence, each on the component of the sender's (partner) domain; and the components'
 * state (gw_xmpp.c connects them). */
#include "gateway_int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

bool gw_component_up(const struct gw_component *c)
{
    return c && c->up;
}

struct gw_component *gw_component_find(struct gateway *gw, const char *domain)
{
    for (size_t i = 0; i < gw->n_comps; i++)
        if (strcasecmp(gw->comps[i].domain, domain) == 0)
            return &gw->comps[i];
    return NULL;
}

bool gw_xmpp_send(struct gateway *gw, xmpp_stanza_t *st)
{
    char domain[GW_ADDR_MAX];
    const char *from = xmpp_stanza_get_from(st);
    struct gw_component *c = NULL;

    if (from && gw_jid_domain(from, domain, sizeof domain) == 0)
        c = gw_component_find(gw, domain);
    bool ok = gw_component_up(c);
    if (ok)
        xmpp_send(c->conn, st);
    xmpp_stanza_release(st);
    return ok;
}

static xmpp_stanza_t *child_text(xmpp_ctx_t *ctx, xmpp_stanza_t *parent, const char *name,
                                 const char *ns, const char *text)
{
    xmpp_stanza_t *el = xmpp_stanza_new(ctx), *t = text ? xmpp_stanza_new(ctx) : NULL;
    xmpp_stanza_set_name(el, name);
    if (ns)
        xmpp_stanza_set_ns(el, ns);
    if (t) {
        xmpp_stanza_set_text(t, text);
        xmpp_stanza_add_child(el, t);
        xmpp_stanza_release(t);
    }
    xmpp_stanza_add_child(parent, el);
    xmpp_stanza_release(el);
    return el;
}

bool gw_xmpp_send_chat(struct gateway *gw, const char *from, const char *to, const char *text)
{
    xmpp_stanza_t *m = xmpp_message_new(gw->xctx, "chat", to, NULL);
    if (!m)
        return false;
    xmpp_stanza_set_from(m, from);
    xmpp_message_set_body(m, text);
    return gw_xmpp_send(gw, m);
}

void gw_xmpp_send_error(struct gateway *gw, const char *from, const char *to, const char *id,
                        struct gw_stanza_error e, const char *text)
{
    xmpp_stanza_t *m = xmpp_message_new(gw->xctx, "error", to, id);
    if (!m)
        return;
    xmpp_stanza_set_from(m, from);
    xmpp_stanza_t *err = child_text(gw->xctx, m, "error", NULL, NULL);
    xmpp_stanza_set_type(err, e.type);
    child_text(gw->xctx, err, e.condition, NS_STANZAS, NULL);
    if (text)
        child_text(gw->xctx, err, "text", NS_STANZAS, text);
    log_info("gateway", "event=xmpp_error_out from=%s to=%s condition=%s text=\"%s\"", from, to,
             e.condition, text ? text : "");
    gw_xmpp_send(gw, m);
}

bool gw_xmpp_send_presence(struct gateway *gw, const char *from, const char *to,
                           const char *type, const char *show, const char *status)
{
    xmpp_stanza_t *p = xmpp_presence_new(gw->xctx);
    if (!p)
        return false;
    xmpp_stanza_set_from(p, from);
    xmpp_stanza_set_to(p, to);
    if (type)
        xmpp_stanza_set_type(p, type);
    if (show)
        child_text(gw->xctx, p, "show", NULL, show);
    if (status && *status)
        child_text(gw->xctx, p, "status", NULL, status);
    return gw_xmpp_send(gw, p);
}
