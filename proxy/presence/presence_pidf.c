/* presence_pidf.c — application/pidf+xml (RFC 3863 with Lync's rpid-status ep: activities,
 * RFC 4480 rpid and Microsoft's own extensions) and application/xpidf+xml, read into the
 * canonical state per PRESENCE.md §3. */
#include "presence_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define NS_RPID_STATUS "urn:ietf:params:xml:ns:pidf:status:rpid-status"   /* Lync's ep: */
#define NS_RPID        "urn:ietf:params:xml:ns:pidf:rpid"                  /* RFC 4480 */
#define NS_DM          "urn:ietf:params:xml:ns:pidf:data-model"            /* RFC 4479 */
#define NS_CIPID       "urn:ietf:params:xml:ns:pidf:cipid"                 /* RFC 4482 */

enum { P_PRESENCE = 1, P_TUPLE, P_STATUS, P_BASIC, P_NOTE, P_EP_ACTIVITIES, P_EP_ACTIVITY,
       P_RPID_ACTIVITIES, P_DM_NOTE, P_DISPLAY_NAME, P_LEGACY, P_MS_AVAILABILITY,
       P_MS_ACTIVITY };

static const struct pxml_name pidf_names[] = {
    { NS_PIDF, "presence" },
    { NS_PIDF, "tuple" },
    { NS_PIDF, "status" },
    { NS_PIDF, "basic" },
    { NS_PIDF, "note" },
    { NS_RPID_STATUS, "activities" },
    { NS_RPID_STATUS, "activity" },
    { NS_RPID, "activities" },
    { NS_DM, "note" },
    { NS_CIPID, "display-name" },
    { NS_MS_CATS, "legacyInterop" },
    { NS_MS_STATE, "availability" },
    { NS_MS_STATE, "activity" },
};

struct pidf {
    bool open, closed;                 /* some tuple said so */
    bool have_activity;                /* first known activity token found */
    struct presence_info activity;     /* its state and activity */
    bool have_number;                  /* a Microsoft availability number */
    unsigned long number;
    char ms_token[64];
    char tuple_note[PRESENCE_TEXT_MAX + 1];
    char dm_note[PRESENCE_TEXT_MAX + 1];
};

static void pidf_token(struct pidf *p, const char *token)
{
    struct presence_info scratch;

    if (p->have_activity)
        return;
    memset(&scratch, 0, sizeof scratch);
    if (presence_pidf_activity_apply(token, &scratch)) {
        p->activity = scratch;
        p->have_activity = true;
    }
}

static void pidf_start(struct pxml *x, int id, const char **attrs)
{
    struct pidf *p = x->ctx;
    const char *v;
    int parent = pxml_parent(x, 1);

    if (x->depth == 1 && id != P_PRESENCE) {
        pxml_fail(x, EPROTONOSUPPORT, "not a PIDF document (root {%s}%s)", x->cur_ns,
                  x->cur_local);
        return;
    }
    /* RFC 4480: each activity is an element of its own (<rpid:on-the-phone/>). */
    if (parent == P_RPID_ACTIVITIES && strcmp(x->cur_ns, NS_RPID) == 0) {
        pidf_token(p, x->cur_local);
        return;
    }
    switch (id) {
    case P_PRESENCE:
        if (x->depth == 1 && (v = pxml_attr(attrs, "", "entity")))
            presence_text_copy(x->info->entity, v, strlen(v));
        break;
    case P_BASIC:
        if (parent == P_STATUS)
            pxml_capture(x);
        break;
    case P_NOTE:
        if ((parent == P_PRESENCE && !x->info->note[0]) || (parent == P_TUPLE && !p->tuple_note[0]))
            pxml_capture(x);
        break;
    case P_EP_ACTIVITY:
        if (parent == P_EP_ACTIVITIES)
            pxml_capture(x);
        break;
    case P_DM_NOTE:
        if (!p->dm_note[0])
            pxml_capture(x);
        break;
    case P_DISPLAY_NAME:
        if (!x->info->display_name[0])
            pxml_capture(x);
        break;
    case P_LEGACY:
        v = pxml_attr(attrs, "", "availability");
        if (!p->have_number && v && presence_ms_number_parse(v, strlen(v), &p->number)) {
            p->have_number = true;
            v = pxml_attr(attrs, "", "token");
            snprintf(p->ms_token, sizeof p->ms_token, "%s", v ? v : "");
        }
        break;
    case P_MS_AVAILABILITY:
        if (!p->have_number)
            pxml_capture(x);
        break;
    case P_MS_ACTIVITY:
        if (!p->ms_token[0] && (v = pxml_attr(attrs, "", "token")))
            snprintf(p->ms_token, sizeof p->ms_token, "%s", v);
        break;
    default:
        break;
    }
}

/* Trimmed token text in a small buffer. */
static void token_copy(char *dst, size_t size, const char *text, size_t len)
{
    while (len && (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r' ||
                   text[len - 1] == '\n'))
        len--;
    if (len >= size)
        len = size - 1;
    memcpy(dst, text, len);
    dst[len] = '\0';
}

static void pidf_text(struct pxml *x, int id, const char *text, size_t len)
{
    struct pidf *p = x->ctx;
    char tok[64];

    switch (id) {
    case P_BASIC:
        token_copy(tok, sizeof tok, text, len);
        if (strcmp(tok, "open") == 0)
            p->open = true;
        else if (strcmp(tok, "closed") == 0)
            p->closed = true;
        break;
    case P_NOTE:
        if (pxml_parent(x, 1) == P_PRESENCE)
            presence_text_copy(x->info->note, text, len);
        else
            presence_text_copy(p->tuple_note, text, len);
        break;
    case P_EP_ACTIVITY:
        token_copy(tok, sizeof tok, text, len);
        pidf_token(p, tok);
        break;
    case P_DM_NOTE:
        presence_text_copy(p->dm_note, text, len);
        break;
    case P_DISPLAY_NAME:
        presence_text_copy(x->info->display_name, text, len);
        break;
    case P_MS_AVAILABILITY:
        if (presence_ms_number_parse(text, len, &p->number))
            p->have_number = true;
        break;
    default:
        break;
    }
}

static const struct pxml_spec pidf_spec = {
    .names = pidf_names, .n_names = N_OF(pidf_names), .start = pidf_start, .text = pidf_text,
};

int presence_pidf_parse(const char *body, size_t len, struct presence_info *out)
{
    struct pidf p;
    int err;

    memset(&p, 0, sizeof p);
    err = pxml_run(&pidf_spec, &p, out, body, len);
    if (err)
        return err;
    /* Note: presence <note>, then tuple note, then dm:note. */
    if (!out->note[0])
        memcpy(out->note, p.tuple_note[0] ? p.tuple_note : p.dm_note, sizeof out->note);

    /* A Microsoft number wins; 0 or out of range falls back to basic/activity (§2). */
    if (p.have_number && presence_state_from_ms_number(p.number) != PRESENCE_UNKNOWN) {
        out->state = presence_state_from_ms_number(p.number);
        out->activity = presence_activity_from_token(p.ms_token);
        return 0;
    }
    if (p.open) {
        out->state = PRESENCE_AVAILABLE;   /* "anything else -> available" */
        if (p.have_activity) {
            out->state = p.activity.state;
            out->activity = p.activity.activity;
        }
    } else if (p.closed) {
        out->state = PRESENCE_OFFLINE;
    } else {
        presence_reason(out, "no tuple with a basic status");
    }
    return 0;
}

/* ---- application/xpidf+xml (no namespace; Microsoft's msnsubstatus) ---- */

enum { X_PRESENCE = 1, X_PRESENTITY, X_ATOM, X_ADDRESS, X_STATUS, X_SUBSTATUS };

static const struct pxml_name xpidf_names[] = {
    { "", "presence" },
    { "", "presentity" },
    { "", "atom" },
    { "", "address" },
    { "", "status" },
    { "", "msnsubstatus" },
};

struct xpidf {
    char status[16];
    char substatus[32];
};

static void xpidf_start(struct pxml *x, int id, const char **attrs)
{
    struct xpidf *xp = x->ctx;
    const char *v;

    if (x->depth == 1 && id != X_PRESENCE) {
        pxml_fail(x, EPROTONOSUPPORT, "not an XPIDF document (root {%s}%s)", x->cur_ns,
                  x->cur_local);
        return;
    }
    switch (id) {
    case X_PRESENTITY:
        if ((v = pxml_attr(attrs, "", "uri")) && !x->info->entity[0])
            presence_text_copy(x->info->entity, v, strlen(v));
        break;
    case X_STATUS:
        if (pxml_parent(x, 1) == X_ADDRESS && !xp->status[0] && (v = pxml_attr(attrs, "", "status")))
            snprintf(xp->status, sizeof xp->status, "%s", v);
        break;
    case X_SUBSTATUS:
        if (pxml_parent(x, 1) == X_ADDRESS && !xp->substatus[0] &&
            (v = pxml_attr(attrs, "", "substatus")))
            snprintf(xp->substatus, sizeof xp->substatus, "%s", v);
        break;
    default:
        break;
    }
}

static const struct pxml_spec xpidf_spec = {
    .names = xpidf_names, .n_names = N_OF(xpidf_names), .start = xpidf_start,
    .allow_external_doctype = true,
};

/* PRESENCE.md §3, application/xpidf+xml. */
static const struct {
    const char *substatus;
    enum presence_state state;
    enum presence_activity act;
} xpidf_substatus[] = {
    { "online", PRESENCE_AVAILABLE, PRESENCE_ACT_NONE },
    { "unknown", PRESENCE_AVAILABLE, PRESENCE_ACT_NONE },
    { "idle", PRESENCE_AVAILABLE_IDLE, PRESENCE_ACT_NONE },
    { "busy", PRESENCE_BUSY, PRESENCE_ACT_NONE },
    { "onthephone", PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE },
    { "berightback", PRESENCE_BRB, PRESENCE_ACT_NONE },
    { "away", PRESENCE_AWAY, PRESENCE_ACT_NONE },
    { "outtolunch", PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH },
};

int presence_xpidf_parse(const char *body, size_t len, struct presence_info *out)
{
    struct xpidf xp;
    int err;

    memset(&xp, 0, sizeof xp);
    err = pxml_run(&xpidf_spec, &xp, out, body, len);
    if (err)
        return err;
    if (strcasecmp(xp.status, "closed") == 0) {
        out->state = PRESENCE_OFFLINE;
        return 0;
    }
    for (size_t i = 0; i < N_OF(xpidf_substatus); i++) {
        if (strcasecmp(xp.substatus, xpidf_substatus[i].substatus) == 0) {
            out->state = xpidf_substatus[i].state;
            out->activity = xpidf_substatus[i].act;
            return 0;
        }
    }
    if (xp.status[0] || xp.substatus[0])
        out->state = PRESENCE_AVAILABLE;   /* (sipfed) open, or an unlisted substatus */
    else
        presence_reason(out, "no address status");
    return 0;
}
