/* presence_write.c — canonical state out: an XMPP <presence/> stanza (PRESENCE.md §4) and a
 * PIDF body toward Microsoft (§5). Every text and attribute is XML-escaped. */
#include "presence.h"
#include "presence_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A bounded appender: once something does not fit, every later append fails too. */
struct out {
    char *buf;
    size_t size, len;
    bool full;
};

static void out_raw(struct out *o, const char *s)
{
    size_t l = strlen(s);

    if (o->full || o->len + l >= o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, l + 1);
    o->len += l;
}

static void out_esc(struct out *o, const char *s)
{
    int n;

    if (o->full)
        return;
    n = presence_xml_escape(o->buf + o->len, o->size - o->len, s);
    if (n < 0) {
        o->full = true;
        return;
    }
    o->len += (size_t)n;
}

static int out_done(struct out *o)
{
    if (o->full) {
        if (o->size)
            o->buf[0] = '\0';
        return -1;
    }
    return (int)o->len;
}

/* PRESENCE.md §4: <show> per state; busy_as_dnd turns the busy rows into dnd. */
static const struct {
    const char *show;      /* NULL: no <show> */
    const char *label;     /* NULL: no status label */
    bool busy;             /* a row busy_as_dnd changes */
} xmpp_out[] = {
    [PRESENCE_UNKNOWN] = { NULL, NULL, false },
    [PRESENCE_AVAILABLE] = { NULL, NULL, false },
    [PRESENCE_AVAILABLE_IDLE] = { "away", "Idle", false },   /* (sipfed) */
    [PRESENCE_BUSY] = { "away", "Busy", true },
    [PRESENCE_BUSY_IDLE] = { "away", "Busy", true },         /* (sipfed) for idle */
    [PRESENCE_DND] = { "away", "Busy", true },
    [PRESENCE_BRB] = { "away", NULL, false },
    [PRESENCE_AWAY] = { "away", NULL, false },
    [PRESENCE_XA] = { "xa", NULL, false },
    [PRESENCE_OFFLINE] = { NULL, NULL, false },
};

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

const char *presence_xmpp_show(enum presence_state state, const struct presence_xmpp_opts *opts)
{
    if ((size_t)state >= N_OF(xmpp_out))
        return NULL;
    if (xmpp_out[state].busy && opts && opts->busy_as_dnd)
        return "dnd";   /* what Kamailio, SylkServer and Kraken send */
    return xmpp_out[state].show;
}

void presence_xmpp_status(const struct presence_info *info, char *status, size_t size)
{
    const char *label = (size_t)info->state < N_OF(xmpp_out) ? xmpp_out[info->state].label : NULL;

    if (size == 0)
        return;
    /* (sipfed) label and note together: "Busy - In a call with Bob" */
    if (label && info->note[0])
        snprintf(status, size, "%s - %s", label, info->note);
    else
        snprintf(status, size, "%s", label ? label : info->note);
}

/* The bare JID of a SIP entity ("sip:alice@example.com;x=y" -> "alice@example.com"); false when
 * it has no user@host. */
static bool entity_to_jid(const char *entity, char *jid, size_t size)
{
    static const char *const schemes[] = { "sip:", "sips:", "pres:", "im:", "xmpp:" };
    size_t n;

    for (size_t i = 0; i < N_OF(schemes); i++) {
        size_t l = strlen(schemes[i]);
        if (strncasecmp(entity, schemes[i], l) == 0) {
            entity += l;
            break;
        }
    }
    n = strcspn(entity, ";?>/ ");
    if (n == 0 || n >= size || !memchr(entity, '@', n) || entity[0] == '@')
        return false;
    memcpy(jid, entity, n);
    jid[n] = '\0';
    return true;
}

int presence_to_xmpp(const struct presence_info *info, const struct presence_xmpp_opts *opts,
                     char *buf, size_t size)
{
    struct out o = { .buf = buf, .size = size };
    char jid[PRESENCE_TEXT_MAX + 1], status[2 * PRESENCE_TEXT_MAX + 8];
    const char *show;

    if (size == 0)
        return -1;
    buf[0] = '\0';
    if (info->state == PRESENCE_UNKNOWN)
        return 0;
    show = presence_xmpp_show(info->state, opts);
    presence_xmpp_status(info, status, sizeof status);

    out_raw(&o, "<presence");
    if (entity_to_jid(info->entity, jid, sizeof jid)) {
        out_raw(&o, " from=\"");
        out_esc(&o, jid);
        out_raw(&o, "\"");
    }
    if (info->state == PRESENCE_OFFLINE)
        out_raw(&o, " type=\"unavailable\"");
    if (!show && !status[0]) {
        out_raw(&o, "/>");
        return out_done(&o);
    }
    out_raw(&o, ">");
    if (show) {
        out_raw(&o, "<show>");
        out_raw(&o, show);
        out_raw(&o, "</show>");
    }
    if (status[0]) {
        out_raw(&o, "<status>");
        out_esc(&o, status);
        out_raw(&o, "</status>");
    }
    out_raw(&o, "</presence>");
    return out_done(&o);
}

int presence_to_pidf(const struct presence_info *info, char *buf, size_t size)
{
    struct out o = { .buf = buf, .size = size };
    const char *activity = presence_pidf_activity_out(info->state);
    char entity[PRESENCE_TEXT_MAX + 8];

    if (size == 0)
        return -1;
    buf[0] = '\0';
    if (info->state == PRESENCE_UNKNOWN)
        return 0;

    out_raw(&o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<presence xmlns=\"" NS_PIDF "\"\n"
                "  xmlns:ep=\"urn:ietf:params:xml:ns:pidf:status:rpid-status\"\n"
                "  xmlns:ci=\"urn:ietf:params:xml:ns:pidf:cipid\"");
    if (info->entity[0]) {
        /* (sipfed) a bare JID (XMPP from=) becomes a sip: URI, its resource dropped */
        if (strchr(info->entity, ':'))
            snprintf(entity, sizeof entity, "%s", info->entity);
        else
            snprintf(entity, sizeof entity, "sip:%.*s", (int)strcspn(info->entity, "/"),
                     info->entity);
        out_raw(&o, "\n  entity=\"");
        out_esc(&o, entity);
        out_raw(&o, "\"");
    }
    out_raw(&o, ">\n <tuple id=\"sipfed\">\n  <status>\n   <basic>");
    out_raw(&o, info->state == PRESENCE_OFFLINE ? "closed" : "open");
    out_raw(&o, "</basic>\n");
    if (activity) {
        out_raw(&o, "   <ep:activities><ep:activity>");
        out_raw(&o, activity);
        out_raw(&o, "</ep:activity></ep:activities>\n");
    }
    out_raw(&o, "  </status>\n </tuple>\n");
    if (info->note[0]) {
        out_raw(&o, " <note>");
        out_esc(&o, info->note);
        out_raw(&o, "</note>\n");
    }
    if (info->display_name[0]) {
        out_raw(&o, " <ci:display-name>");
        out_esc(&o, info->display_name);
        out_raw(&o, "</ci:display-name>\n");
    }
    out_raw(&o, "</presence>\n");
    return out_done(&o);
}
