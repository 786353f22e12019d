/* presence_ms.c — Microsoft bodies: application/msrtc-event-categories+xml ([MS-PRES] enhanced
 * presence) and the legacy text/xml+msrtc.pidf ([MS-SIP]), read into the canonical state. */
#include "presence_int.h"

#include <errno.h>
#include <string.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

bool presence_ms_number_parse(const char *s, size_t len, unsigned long *out)
{
    unsigned long v = 0;
    size_t i = 0, digits = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        v = v * 10 + (unsigned long)(s[i] - '0');
        if (++digits > 10 || v > PRESENCE_MS_NUMBER_MAX)
            return false;
    }
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (digits == 0 || i != len)
        return false;
    *out = v;
    return true;
}

/* Number -> state, or unknown with the reason. */
static void ms_number_apply(unsigned long number, struct presence_info *info)
{
    info->state = presence_state_from_ms_number(number);
    if (info->state == PRESENCE_UNKNOWN)
        presence_reason(info, "availability %lu is outside the Microsoft ranges", number);
}

/* ---- application/msrtc-event-categories+xml ---- */

#define NS_MS_NOTE    "http://schemas.microsoft.com/2006/09/sip/note"
#define NS_MS_CARD    "http://schemas.microsoft.com/2006/09/sip/contactcard"
#define NS_MS_ROAMING "http://schemas.microsoft.com/2006/09/sip/roaming-self"

enum { C_CATEGORIES = 1, C_CATEGORY, C_STATE, C_AVAILABILITY, C_ACTIVITY, C_CUSTOM, C_LEGACY,
       C_NOTE, C_NOTE_BODY, C_DISPLAY_NAME, C_ROAMING };

static const struct pxml_name cat_names[] = {
    { NS_MS_CATS, "categories" },
    { NS_MS_CATS, "category" },
    { NS_MS_STATE, "state" },
    { NS_MS_STATE, "availability" },
    { NS_MS_STATE, "activity" },
    { NS_MS_STATE, "custom" },
    { NS_MS_CATS, "legacyInterop" },
    { NS_MS_NOTE, "note" },
    { NS_MS_NOTE, "body" },
    { NS_MS_CARD, "displayName" },
    { NS_MS_ROAMING, "roamingData" },
};

struct cats {
    bool in_state_category;      /* inside <category name="state"> */
    unsigned instance;           /* state elements seen so far */
    bool cur_counted;            /* the current state is a category's own value */
    bool cur_aggregate;          /* the current state is xsi:type="aggregateState" */
    unsigned chosen;             /* instance the number came from (0: none) */
    bool chosen_aggregate;
    unsigned long number;
    char token[64];
    bool have_custom;
    bool have_legacy;
    unsigned long legacy_number;
    char legacy_token[64];
    bool have_note_body;
};

static void copy_token(char *dst, size_t size, const char *src)
{
    size_t n = src ? strnlen(src, size - 1) : 0;

    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static void cat_start(struct pxml *x, int id, const char **attrs)
{
    struct cats *c = x->ctx;
    const char *v;

    if (x->depth == 1 && id != C_CATEGORIES && id != C_ROAMING) {
        pxml_fail(x, EPROTONOSUPPORT, "not a categories document (root {%s}%s)", x->cur_ns,
                  x->cur_local);
        return;
    }
    switch (id) {
    case C_CATEGORIES:
        if ((v = pxml_attr(attrs, "", "uri")) && !x->info->entity[0])
            presence_text_copy(x->info->entity, v, strlen(v));
        break;
    case C_CATEGORY:
        v = pxml_attr(attrs, "", "name");
        c->in_state_category = v && strcmp(v, "state") == 0;
        break;
    case C_STATE:
        c->cur_counted = c->in_state_category && pxml_parent(x, 1) == C_CATEGORY;
        if (!c->cur_counted)
            break;
        c->instance++;
        /* [MS-PRES]: xsi:type; (sipfed) an unprefixed type= is read the same way */
        v = pxml_attr(attrs, NS_XSI, "type");
        if (!v)
            v = pxml_attr(attrs, "", "type");
        c->cur_aggregate = v && strcmp(v, "aggregateState") == 0;
        break;
    case C_AVAILABILITY:
        if (pxml_parent(x, 1) == C_STATE && c->cur_counted)
            pxml_capture(x);
        break;
    case C_ACTIVITY:
        if (pxml_parent(x, 1) == C_STATE && c->cur_counted && c->chosen == c->instance &&
            !c->token[0])
            copy_token(c->token, sizeof c->token, pxml_attr(attrs, "", "token"));
        break;
    case C_CUSTOM:
        if (pxml_parent(x, 1) == C_ACTIVITY && c->chosen && c->chosen == c->instance &&
            !c->have_custom)
            pxml_capture(x);
        break;
    case C_LEGACY:
        v = pxml_attr(attrs, "", "availability");
        if (!c->have_legacy && v && presence_ms_number_parse(v, strlen(v), &c->legacy_number)) {
            c->have_legacy = true;
            copy_token(c->legacy_token, sizeof c->legacy_token, pxml_attr(attrs, "", "token"));
        }
        break;
    case C_NOTE_BODY:
        if (pxml_parent(x, 1) == C_NOTE && !c->have_note_body)
            pxml_capture(x);
        break;
    case C_DISPLAY_NAME:
        if (!x->info->display_name[0])
            pxml_capture(x);
        break;
    default:
        break;
    }
}

static void cat_text(struct pxml *x, int id, const char *text, size_t len)
{
    struct cats *c = x->ctx;
    unsigned long n;

    switch (id) {
    case C_AVAILABILITY:
        /* The aggregate instance wins; otherwise the first state that has a number. */
        if (!presence_ms_number_parse(text, len, &n))
            break;
        if (!c->chosen || (c->cur_aggregate && !c->chosen_aggregate)) {
            c->chosen = c->instance;
            c->chosen_aggregate = c->cur_aggregate;
            c->number = n;
            c->token[0] = '\0';
            if (c->have_custom)
                x->info->note[0] = '\0';
            c->have_custom = false;
        }
        break;
    case C_CUSTOM:
        presence_text_copy(x->info->note, text, len);
        c->have_custom = x->info->note[0] != '\0';
        break;
    case C_NOTE_BODY:
        /* (sipfed) the note category is the note when the activity has no custom text */
        if (!c->have_custom) {
            presence_text_copy(x->info->note, text, len);
            c->have_note_body = x->info->note[0] != '\0';
        }
        break;
    case C_DISPLAY_NAME:
        presence_text_copy(x->info->display_name, text, len);
        break;
    default:
        break;
    }
}

static const struct pxml_spec cat_spec = {
    .names = cat_names, .n_names = N_OF(cat_names), .start = cat_start, .text = cat_text,
};

int presence_categories_parse(const char *body, size_t len, struct presence_info *out)
{
    struct cats c = { 0 };
    int err = pxml_run(&cat_spec, &c, out, body, len);

    if (err)
        return err;
    if (c.chosen) {
        ms_number_apply(c.number, out);
        out->activity = presence_activity_from_token(c.token);
    } else if (c.have_legacy) {
        /* legacyInterop: the number sets the state, the token the activity (PRESENCE.md §2) */
        ms_number_apply(c.legacy_number, out);
        out->activity = presence_activity_from_token(c.legacy_token);
    } else {
        presence_reason(out, "no availability (no state or legacyInterop category)");
    }
    if (out->state == PRESENCE_UNKNOWN)
        out->activity = PRESENCE_ACT_NONE;
    return 0;
}

/* ---- text/xml+msrtc.pidf ---- */

/* [MS-SIP] §2.2.1 names the namespace .../2002/09/sip/presence; the published XSD (and some
 * servers) spell it .../09/2002/sip/presence. Both are read; ids of the second spelling are
 * folded onto the first by msrtc_id(). */
#define NS_MSRTC "http://schemas.microsoft.com/2002/09/sip/presence"
#define NS_MSRTC_XSD "http://schemas.microsoft.com/09/2002/sip/presence"

enum { M_PRESENCE = 1, M_PRESENTITY, M_AVAILABILITY, M_ACTIVITY, M_DISPLAY_NAME, M_USER_INFO,
       M_NOTE, M_N = M_NOTE };

static const struct pxml_name msrtc_names[] = {
    { NS_MSRTC, "presence" },
    { NS_MSRTC, "presentity" },
    { NS_MSRTC, "availability" },
    { NS_MSRTC, "activity" },
    { NS_MSRTC, "displayName" },
    { NS_MSRTC, "userInfo" },
    { NS_MSRTC, "note" },
    { NS_MSRTC_XSD, "presence" },
    { NS_MSRTC_XSD, "presentity" },
    { NS_MSRTC_XSD, "availability" },
    { NS_MSRTC_XSD, "activity" },
    { NS_MSRTC_XSD, "displayName" },
    { NS_MSRTC_XSD, "userInfo" },
    { NS_MSRTC_XSD, "note" },
};

static int msrtc_id(int id)
{
    return id > M_N ? id - M_N : id;
}

struct msrtc {
    bool have_avail, have_act, bad_number;
    unsigned long avail, act;
};

static void msrtc_number(struct pxml *x, const char **attrs, bool *have, unsigned long *v)
{
    struct msrtc *m = x->ctx;
    const char *s = pxml_attr(attrs, "", "aggregate");

    if (*have || !s)
        return;
    if (presence_ms_number_parse(s, strlen(s), v))
        *have = true;
    else
        m->bad_number = true;
}

static void msrtc_start(struct pxml *x, int id, const char **attrs)
{
    struct msrtc *m = x->ctx;
    const char *v;

    id = msrtc_id(id);
    /* The root is `presence` wrapping a `presentity`, or (MS-SIP §2.2.1) the `presentity`
     * itself. */
    if (x->depth == 1 && id != M_PRESENCE && id != M_PRESENTITY) {
        pxml_fail(x, EPROTONOSUPPORT, "not a msrtc.pidf document (root {%s}%s)", x->cur_ns,
                  x->cur_local);
        return;
    }
    /* Only the presentity's own aggregate, not each device's (devices/devicePresence). */
    bool top = msrtc_id(pxml_parent(x, 1)) == M_PRESENTITY;
    switch (id) {
    case M_PRESENTITY:
        if ((v = pxml_attr(attrs, "", "uri")) && !x->info->entity[0])
            presence_text_copy(x->info->entity, v, strlen(v));
        break;
    case M_AVAILABILITY:
        if (top)
            msrtc_number(x, attrs, &m->have_avail, &m->avail);
        break;
    case M_ACTIVITY:
        if (top)
            msrtc_number(x, attrs, &m->have_act, &m->act);
        break;
    case M_DISPLAY_NAME:
        if (top && (v = pxml_attr(attrs, "", "displayName")) && !x->info->display_name[0])
            presence_text_copy(x->info->display_name, v, strlen(v));
        break;
    case M_NOTE:
        if (msrtc_id(pxml_parent(x, 1)) == M_USER_INFO && !x->info->note[0])
            pxml_capture(x);
        break;
    default:
        break;
    }
}

static void msrtc_text(struct pxml *x, int id, const char *text, size_t len)
{
    if (msrtc_id(id) == M_NOTE)
        presence_text_copy(x->info->note, text, len);
}

static const struct pxml_spec msrtc_spec = {
    .names = msrtc_names, .n_names = N_OF(msrtc_names), .start = msrtc_start,
    .text = msrtc_text,
};

/* PRESENCE.md §3: activity aggregate bands once availability is >= 300. */
static const struct {
    unsigned long below;
    enum presence_state state;
    enum presence_activity act;
} msrtc_bands[] = {
    { 150, PRESENCE_AWAY, PRESENCE_ACT_NONE },
    { 200, PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH },
    { 300, PRESENCE_AVAILABLE_IDLE, PRESENCE_ACT_NONE },
    { 400, PRESENCE_BRB, PRESENCE_ACT_NONE },
    { 500, PRESENCE_AVAILABLE, PRESENCE_ACT_NONE },
    { 600, PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE },
    { 700, PRESENCE_BUSY, PRESENCE_ACT_NONE },
    { 800, PRESENCE_AWAY, PRESENCE_ACT_NONE },
};

int presence_msrtc_parse(const char *body, size_t len, struct presence_info *out)
{
    struct msrtc m = { 0 };
    int err = pxml_run(&msrtc_spec, &m, out, body, len);

    if (err)
        return err;
    if (m.have_avail && m.avail < 300) {
        out->state = PRESENCE_OFFLINE;
        return 0;
    }
    if (!m.have_act) {
        if (m.have_avail)
            out->state = PRESENCE_AVAILABLE;   /* (sipfed) online without an activity */
        else
            presence_reason(out, m.bad_number ? "aggregate is not a number"
                                              : "no availability or activity aggregate");
        return 0;
    }
    /* (sipfed) an activity without an availability is read on its own */
    out->state = PRESENCE_AVAILABLE;
    for (size_t i = 0; i < N_OF(msrtc_bands); i++) {
        if (m.act < msrtc_bands[i].below) {
            out->state = msrtc_bands[i].state;
            out->activity = msrtc_bands[i].act;
            break;
        }
    }
    return 0;
}
