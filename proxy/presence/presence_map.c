/* presence_map.c — the mapping tables of docs/presence-contract.md, one pure function per
 * direction.
 * Rows marked (sipfed) are our decisions where the Cisco guide is silent (docs/presence.md). */
#include "presence.h"
#include "presence_int.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* PRESENCE.md §2: Lync 2010/2013 aggregate ranges ([MS-PRES], Lync 2013 "state availability
 * element"); OCS 2007 started "available" at 3000, we follow Lync 2013 (1..). */
static const struct { unsigned long first; enum presence_state state; } ms_ranges[] = {
    { 1, PRESENCE_AVAILABLE },
    { 4500, PRESENCE_AVAILABLE_IDLE },
    { 6000, PRESENCE_BUSY },
    { 7500, PRESENCE_BUSY_IDLE },
    { 9000, PRESENCE_DND },
    { 12000, PRESENCE_BRB },
    { 15000, PRESENCE_AWAY },
    { 18000, PRESENCE_OFFLINE },
};

enum presence_state presence_state_from_ms_number(unsigned long number)
{
    enum presence_state st = PRESENCE_UNKNOWN;

    if (number == 0 || number > PRESENCE_MS_NUMBER_MAX)
        return PRESENCE_UNKNOWN;
    for (size_t i = 0; i < N_OF(ms_ranges); i++) {
        if (number >= ms_ranges[i].first)
            st = ms_ranges[i].state;
    }
    return st;
}

/* Canonical -> (number, PIDF activity) toward Microsoft: PRESENCE.md §2 column 3 and §5. */
static const struct {
    unsigned number;
    const char *pidf_activity;   /* NULL: none */
} ms_out[] = {
    [PRESENCE_UNKNOWN] = { 0, NULL },
    [PRESENCE_AVAILABLE] = { 3500, NULL },
    /* (sipfed) idle is never published: Jabber "Idle" is Away (Cisco Table 3 note) */
    [PRESENCE_AVAILABLE_IDLE] = { 15500, "away" },
    [PRESENCE_BUSY] = { 6500, "busy" },
    [PRESENCE_BUSY_IDLE] = { 6500, "busy" },               /* (sipfed) */
    /* 9500 when a Microsoft state is relayed as is; the PIDF only knows busy/away (§5) */
    [PRESENCE_DND] = { 9500, "busy" },
    [PRESENCE_BRB] = { 12500, "away" },
    [PRESENCE_AWAY] = { 15500, "away" },
    [PRESENCE_XA] = { 15500, "away" },                     /* (sipfed) */
    [PRESENCE_OFFLINE] = { 18500, NULL },
};

unsigned presence_ms_number(enum presence_state state)
{
    return (size_t)state < N_OF(ms_out) ? ms_out[state].number : 0;
}

const char *presence_pidf_activity_out(enum presence_state state)
{
    return (size_t)state < N_OF(ms_out) ? ms_out[state].pidf_activity : NULL;
}

static const struct { const char *token; enum presence_activity act; } act_tokens[] = {
    { "on-the-phone", PRESENCE_ACT_ON_THE_PHONE },
    { "in-a-conference", PRESENCE_ACT_IN_A_CONFERENCE },
    { "in-a-meeting", PRESENCE_ACT_IN_A_MEETING },
    { "in-presentation", PRESENCE_ACT_IN_PRESENTATION },
    { "out-of-office", PRESENCE_ACT_OUT_OF_OFFICE },
    { "urgent-interruptions-only", PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY },
    { "out-to-lunch", PRESENCE_ACT_OUT_TO_LUNCH },
};

enum presence_activity presence_activity_from_token(const char *token)
{
    for (size_t i = 0; token && i < N_OF(act_tokens); i++) {
        if (strcmp(token, act_tokens[i].token) == 0)
            return act_tokens[i].act;
    }
    return PRESENCE_ACT_NONE;
}

/* PRESENCE.md §3, application/pidf+xml, "when open": Lync ep:activity values and RFC 4480
 * activity element names. */
static const struct {
    const char *token;
    enum presence_state state;
    enum presence_activity act;
} pidf_tokens[] = {
    { "busy", PRESENCE_BUSY, PRESENCE_ACT_NONE },
    { "on-the-phone", PRESENCE_BUSY, PRESENCE_ACT_ON_THE_PHONE },
    { "in-a-meeting", PRESENCE_BUSY, PRESENCE_ACT_IN_A_MEETING },
    { "in-a-conference", PRESENCE_BUSY, PRESENCE_ACT_IN_A_CONFERENCE },
    { "in-presentation", PRESENCE_DND, PRESENCE_ACT_IN_PRESENTATION },
    { "do-not-disturb", PRESENCE_DND, PRESENCE_ACT_NONE },
    { "dnd", PRESENCE_DND, PRESENCE_ACT_NONE },
    { "urgent-interruptions-only", PRESENCE_DND, PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY },
    { "be-right-back", PRESENCE_BRB, PRESENCE_ACT_NONE },
    { "away", PRESENCE_AWAY, PRESENCE_ACT_NONE },
    { "out-of-office", PRESENCE_AWAY, PRESENCE_ACT_OUT_OF_OFFICE },
    { "out-to-lunch", PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH },
    { "vacation", PRESENCE_AWAY, PRESENCE_ACT_NONE },
    { "holiday", PRESENCE_AWAY, PRESENCE_ACT_NONE },
    { "idle", PRESENCE_AVAILABLE_IDLE, PRESENCE_ACT_NONE },
    { "inactive", PRESENCE_AVAILABLE_IDLE, PRESENCE_ACT_NONE },
    /* (sipfed) RFC 4480 §3.2 spells three of Lync's tokens differently */
    { "meeting", PRESENCE_BUSY, PRESENCE_ACT_IN_A_MEETING },
    { "presentation", PRESENCE_DND, PRESENCE_ACT_IN_PRESENTATION },
    { "lunch", PRESENCE_AWAY, PRESENCE_ACT_OUT_TO_LUNCH },
};

bool presence_pidf_activity_apply(const char *token, struct presence_info *info)
{
    for (size_t i = 0; token && i < N_OF(pidf_tokens); i++) {
        if (strcmp(token, pidf_tokens[i].token) == 0) {
            info->state = pidf_tokens[i].state;
            info->activity = pidf_tokens[i].act;
            return true;
        }
    }
    return false;
}

/* Cisco Table 1, third column; idle and xa rows are (sipfed). */
static const char *const jabber_labels[] = {
    [PRESENCE_UNKNOWN] = NULL,
    [PRESENCE_AVAILABLE] = "Available",
    [PRESENCE_AVAILABLE_IDLE] = "Away",     /* (sipfed) Jabber shows idle as Away */
    [PRESENCE_BUSY] = "Busy",
    [PRESENCE_BUSY_IDLE] = "Busy",          /* (sipfed) */
    [PRESENCE_DND] = "Busy",
    [PRESENCE_BRB] = "Away",
    [PRESENCE_AWAY] = "Away",
    [PRESENCE_XA] = "Away",                 /* (sipfed) */
    [PRESENCE_OFFLINE] = "Offline",
};

const char *presence_jabber_label(enum presence_state state)
{
    return (size_t)state < N_OF(jabber_labels) ? jabber_labels[state] : NULL;
}

/* Cisco Table 3 (Jabber -> Microsoft): Cisco never shows Lync "Do Not Disturb". */
static const struct { const char *label; enum presence_state state; } jabber_in[] = {
    { "Available", PRESENCE_AVAILABLE },
    { "Busy", PRESENCE_BUSY },
    { "Do Not Disturb", PRESENCE_BUSY },
    { "Offline", PRESENCE_OFFLINE },
    { "Away", PRESENCE_AWAY },                  /* (sipfed) */
    { "Idle", PRESENCE_AWAY },                  /* (sipfed) */
};

enum presence_state presence_state_from_jabber_label(const char *label)
{
    for (size_t i = 0; label && i < N_OF(jabber_in); i++) {
        if (strcasecmp(label, jabber_in[i].label) == 0)
            return jabber_in[i].state;
    }
    return PRESENCE_UNKNOWN;
}

/* Cisco Table 2 (XMPP -> Microsoft) and PRESENCE.md §5. */
static const struct { const char *show; enum presence_state state; } xmpp_in[] = {
    { "chat", PRESENCE_AVAILABLE },             /* (sipfed) */
    { "away", PRESENCE_AWAY },
    { "xa", PRESENCE_AWAY },
    { "dnd", PRESENCE_BUSY },
};

enum presence_state presence_state_from_xmpp(const char *show, const char *type, bool *unusual)
{
    *unusual = false;
    if (type && strcmp(type, "unavailable") == 0)
        return PRESENCE_OFFLINE;
    if (type)   /* subscribe, probe, error ...: RFC 6121 §4.7.1, not an availability */
        return PRESENCE_UNKNOWN;
    if (!show)
        return PRESENCE_AVAILABLE;
    for (size_t i = 0; i < N_OF(xmpp_in); i++) {
        if (strcmp(show, xmpp_in[i].show) == 0)
            return xmpp_in[i].state;
    }
    *unusual = true;   /* PRESENCE.md §5: an unknown <show> is available, and logged */
    return PRESENCE_AVAILABLE;
}

/* PRESENCE.md §6. Subscription-State is "value *(;param)" (RFC 6665 §8.2.3). */
bool presence_empty_notify_state(const char *subscription_state, enum presence_state *state)
{
    size_t n;

    if (!subscription_state)
        return false;
    while (*subscription_state == ' ' || *subscription_state == '\t')
        subscription_state++;
    n = strcspn(subscription_state, "; \t");
    /* pending: Cisco "polite blocking" shows a blocked watcher the user as offline */
    if ((n == 7 && strncasecmp(subscription_state, "pending", n) == 0) ||
        (n == 10 && strncasecmp(subscription_state, "terminated", n) == 0)) {
        *state = PRESENCE_OFFLINE;
        return true;
    }
    return false;   /* active: no change; anything else (sipfed): no change either */
}
