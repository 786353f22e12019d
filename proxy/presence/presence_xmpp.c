/* presence_xmpp.c — an XMPP <presence/> stanza (RFC 6121 §4.7) read into the canonical state,
 * the input of the XMPP -> Microsoft direction (Cisco Table 2, PRESENCE.md §5). */
#include "presence_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define NS_NICK "http://jabber.org/protocol/nick"   /* XEP-0172 */

/* A stanza is in jabber:client or jabber:server, or (sipfed) in no namespace when an operator
 * pastes one; its <show> and <status> are in the stanza's namespace. Ids: 1 + 3 * kind + ns. */
enum { XS_PRESENCE, XS_SHOW, XS_STATUS };
static const struct pxml_name xmpp_names[] = {
    { "jabber:client", "presence" }, { "jabber:server", "presence" }, { "", "presence" },
    { "jabber:client", "show" },     { "jabber:server", "show" },     { "", "show" },
    { "jabber:client", "status" },   { "jabber:server", "status" },   { "", "status" },
    { NS_NICK, "nick" },
};
#define XS_NICK_ID 10
#define XS_KIND(id) (((id) - 1) / 3)
#define XS_NS(id) (((id) - 1) % 3)

struct xmpp {
    int root_ns;
    bool have_type, have_show;
    char type[32];
    char show[PRESENCE_TEXT_MAX + 1];
};

static void xmpp_start(struct pxml *x, int id, const char **attrs)
{
    struct xmpp *s = x->ctx;
    const char *v;

    if (x->depth == 1) {
        if (id == 0 || id == XS_NICK_ID || XS_KIND(id) != XS_PRESENCE) {
            pxml_fail(x, EPROTONOSUPPORT, "not an XMPP presence stanza (root {%s}%s)",
                      x->cur_ns, x->cur_local);
            return;
        }
        s->root_ns = XS_NS(id);
        if ((v = pxml_attr(attrs, "", "type"))) {
            s->have_type = true;
            snprintf(s->type, sizeof s->type, "%s", v);
        }
        if ((v = pxml_attr(attrs, "", "from")))
            presence_text_copy(x->info->entity, v, strlen(v));
        return;
    }
    if (x->depth != 2)
        return;
    if (id == XS_NICK_ID) {
        if (!x->info->display_name[0])
            pxml_capture(x);
        return;
    }
    if (id == 0 || XS_NS(id) != s->root_ns)
        return;
    if ((XS_KIND(id) == XS_SHOW && !s->have_show) ||
        (XS_KIND(id) == XS_STATUS && !x->info->note[0]))
        pxml_capture(x);
}

static void xmpp_text(struct pxml *x, int id, const char *text, size_t len)
{
    struct xmpp *s = x->ctx;

    if (id == XS_NICK_ID) {
        presence_text_copy(x->info->display_name, text, len);
    } else if (XS_KIND(id) == XS_SHOW) {
        s->have_show = true;
        presence_text_copy(s->show, text, len);
    } else if (XS_KIND(id) == XS_STATUS) {
        presence_text_copy(x->info->note, text, len);
    }
}

static const struct pxml_spec xmpp_spec = {
    .names = xmpp_names, .n_names = N_OF(xmpp_names), .start = xmpp_start, .text = xmpp_text,
};

int presence_xmpp_parse(const char *body, size_t len, struct presence_info *out)
{
    struct xmpp s;
    bool unusual;
    int err;

    memset(&s, 0, sizeof s);
    err = pxml_run(&xmpp_spec, &s, out, body, len);
    if (err)
        return err;
    out->state = presence_state_from_xmpp(s.have_show ? s.show : NULL,
                                          s.have_type ? s.type : NULL, &unusual);
    if (out->state == PRESENCE_UNKNOWN)
        presence_reason(out, "presence type=\"%s\" carries no availability", s.type);
    else if (unusual)
        presence_reason(out, "unknown <show>%s</show> read as available", s.show);
    return 0;
}
