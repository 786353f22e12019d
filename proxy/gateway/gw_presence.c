/* gw_presence.c — presence both ways between XMPP users and Microsoft users, through the
 * canonical state of proxy/presence (shared/PRESENCE.md):
 *  - watch (XMPP user -> Microsoft user): an XMPP subscribe or probe to a partner user becomes
 *    a SIP SUBSCRIBE (Event: presence, the formats Microsoft serves); NOTIFY bodies are read with
 *    presence_body_parse() and sent as <presence/> (PRESENCE.md §4); unsubscribe ends it.
 *  - watcher (Microsoft user -> XMPP user): a SIP SUBSCRIBE becomes an XMPP subscribe + probe
 *    from the partner user; the local user's presence stanzas are mapped (§5) and NOTIFied as
 *    PIDF. */
#include "gateway_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include "log.h"

/* What sipfed accepts in NOTIFY: every format presence_body_parse() reads. */
#define GW_PRESENCE_ACCEPT "application/msrtc-event-categories+xml, application/pidf+xml, " \
    "text/xml+msrtc.pidf, application/xpidf+xml, multipart/related, application/rlmi+xml"

struct gw_watch {
    struct gw_handle_ctx ctx;      /* GW_H_WATCH or GW_H_WATCHER; first: the handle's magic */
    struct gw_watch *next;
    struct gateway *gw;
    nua_handle_t *nh;
    char local[GW_ADDR_MAX];
    char partner[GW_ADDR_MAX];
    bool confirmed;                /* WATCH: the SUBSCRIBE was accepted */
    enum presence_state last;      /* WATCH: last state sent to XMPP */
    char last_show[16], last_status[PRESENCE_TEXT_MAX * 2 + 16];
};

/* The last presence of a local XMPP user, as seen by the component. */
struct gw_local {
    struct gw_local *next;
    char jid[GW_ADDR_MAX];
    struct presence_info info;
};

static struct gw_watch *watch_find(struct gateway *gw, enum gw_handle_kind kind,
                                   const char *local, const char *partner)
{
    for (struct gw_watch *w = gw->watches; w; w = w->next)
        if (w->ctx.kind == kind && strcmp(w->local, local) == 0 &&
            strcmp(w->partner, partner) == 0)
            return w;
    return NULL;
}

static struct gw_watch *watch_new(struct gateway *gw, enum gw_handle_kind kind,
                                  const char *local, const char *partner)
{
    struct gw_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ctx.kind = kind;
    w->gw = gw;
    snprintf(w->local, sizeof w->local, "%s", local);
    snprintf(w->partner, sizeof w->partner, "%s", partner);
    w->next = gw->watches;
    gw->watches = w;
    return w;
}

static void watch_free(struct gw_watch *w)
{
    for (struct gw_watch **pp = &w->gw->watches; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    if (w->nh) {
        nua_handle_bind(w->nh, NULL);
        nua_handle_destroy(w->nh);
    }
    free(w);
}

static struct gw_local *local_get(struct gateway *gw, const char *jid, bool create)
{
    for (struct gw_local *l = gw->locals; l; l = l->next)
        if (strcmp(l->jid, jid) == 0)
            return l;
    if (!create)
        return NULL;
    struct gw_local *l = su_zalloc(gw->home, sizeof *l);
    if (!l)
        return NULL;
    snprintf(l->jid, sizeof l->jid, "%s", jid);
    l->info.state = PRESENCE_UNKNOWN;
    l->next = gw->locals;
    gw->locals = l;
    return l;
}

/* ---- Microsoft user's state -> the XMPP user ---- */

static void watch_send_state(struct gw_watch *w, const struct presence_info *info)
{
    struct presence_xmpp_opts opts = { .busy_as_dnd = w->gw->cfg->busy_as_dnd };
    char status[PRESENCE_TEXT_MAX * 2 + 16];

    if (info->state == PRESENCE_UNKNOWN)
        return;
    const char *show = presence_xmpp_show(info->state, &opts);
    presence_xmpp_status(info, status, sizeof status);
    const char *type = info->state == PRESENCE_OFFLINE ? "unavailable" : NULL;
    w->last = info->state;
    snprintf(w->last_show, sizeof w->last_show, "%s", show ? show : "");
    snprintf(w->last_status, sizeof w->last_status, "%s", status);
    log_info("gateway", "event=presence_to_xmpp from=%s to=%s state=%s xmpp_show=%s "
             "xmpp_status=\"%s\"", w->partner, w->local, presence_state_name(info->state),
             show ? show : (type ? type : "-"), status);
    gw_xmpp_send_presence(w->gw, w->partner, w->local, type, show, status);
}

static void notify_part(void *arg, const struct presence_info *info, int err)
{
    struct gw_watch *w = arg;
    if (err || info->state == PRESENCE_UNKNOWN) {
        log_info("gateway", "event=presence_unread from=%s reason=\"%s\"", w->partner,
                 info->reason);
        return;
    }
    watch_send_state(w, info);
}

static void watch_notify_in(struct gw_watch *w, sip_t const *sip, tagi_t tags[])
{
    int substate = -1;
    tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());

    if (sip && sip->sip_payload && sip->sip_payload->pl_len) {
        presence_body_parse(sip->sip_content_type ? sip->sip_content_type->c_type : NULL,
                            sip->sip_payload->pl_data, sip->sip_payload->pl_len, notify_part, w);
    } else if (sip && sip->sip_subscription_state) {
        struct presence_info info = { .state = PRESENCE_UNKNOWN };
        if (presence_empty_notify_state(sip->sip_subscription_state->ss_substate, &info.state))
            watch_send_state(w, &info);
    }
    if (substate == nua_substate_terminated) {
        log_info("gateway", "event=presence_watch_end local=%s partner=%s reason=terminated",
                 w->local, w->partner);
        if (w->last != PRESENCE_OFFLINE)
            gw_xmpp_send_presence(w->gw, w->partner, w->local, "unavailable", NULL, NULL);
        watch_free(w);
    }
}

static void watch_start(struct gateway *gw, const char *local, const char *partner)
{
    struct gw_watch *w = watch_new(gw, GW_H_WATCH, local, partner);
    char expires[16];
    if (!w)
        return;
    w->nh = gw_sip_handle(gw, &w->ctx, local, partner);
    if (!w->nh) {
        watch_free(w);
        return;
    }
    snprintf(expires, sizeof expires, "%u", gw->cfg->subscribe_expires);
    log_info("gateway", "event=presence_subscribe local=%s partner=%s", local, partner);
    nua_subscribe(w->nh, SIPTAG_EVENT_STR("presence"), SIPTAG_ACCEPT_STR(GW_PRESENCE_ACCEPT),
                  SIPTAG_SUPPORTED_STR("eventlist"), SIPTAG_EXPIRES_STR(expires), TAG_END());
}

static void watch_event(struct gw_watch *w, nua_event_t event, int status, char const *phrase,
                        sip_t const *sip, tagi_t tags[])
{
    switch (event) {
    case nua_r_subscribe:
        if (status < 200)
            return;
        if (status < 300) {
            if (!w->confirmed)
                gw_xmpp_send_presence(w->gw, w->partner, w->local, "subscribed", NULL, NULL);
            w->confirmed = true;
            return;
        }
        log_info("gateway", "event=presence_subscribe_failed local=%s partner=%s status=%d "
                 "phrase=\"%s\"", w->local, w->partner, status, phrase ? phrase : "");
        if (status == 403 || status == 404 || status == 603 || status == 604)
            gw_xmpp_send_presence(w->gw, w->partner, w->local, "unsubscribed", NULL, NULL);
        else
            gw_xmpp_send_presence(w->gw, w->partner, w->local, "unavailable", NULL, NULL);
        watch_free(w);
        return;
    case nua_i_notify:
        watch_notify_in(w, sip, tags);
        return;
    case nua_r_unsubscribe:
        if (status >= 200)
            watch_free(w);
        return;
    default:
        return;
    }
}

/* ---- the XMPP user's state -> Microsoft watchers ---- */

/* NOTIFY the watcher; `reason` (RFC 6665 §4.2.2) goes with a terminated state. */
static void watcher_notify(struct gw_watch *w, const struct presence_info *known,
                           enum nua_substate substate, const char *reason)
{
    char body[PRESENCE_OUT_MAX];
    struct presence_info info = { .state = PRESENCE_OFFLINE };

    /* Until the XMPP user's presence is known, they are offline (PRESENCE.md §6: what
     * Microsoft shows a watcher who is not, or not yet, allowed). */
    if (known && known->state != PRESENCE_UNKNOWN)
        info = *known;
    char entity[GW_ADDR_MAX + 8];
    snprintf(entity, sizeof entity, "sip:%s", w->local);
    presence_text_copy(info.entity, entity, strlen(entity));
    if (presence_to_pidf(&info, body, sizeof body) <= 0)
        return;
    log_info("gateway", "event=presence_to_sip from=%s to=%s state=%s number=%u", w->local,
             w->partner, presence_state_name(info.state), presence_ms_number(info.state));
    char ss[64];
    if (substate == nua_substate_terminated)
        snprintf(ss, sizeof ss, "terminated;reason=%s", reason ? reason : "noresource");
    nua_notify(w->nh, NUTAG_SUBSTATE(substate), SIPTAG_EVENT_STR("presence"),
               TAG_IF(substate == nua_substate_terminated, SIPTAG_SUBSCRIPTION_STATE_STR(ss)),
               SIPTAG_CONTENT_TYPE_STR("application/pidf+xml"), SIPTAG_PAYLOAD_STR(body),
               TAG_END());
}

void gw_presence_incoming(struct gateway *gw, nua_handle_t *nh, sip_t const *sip, tagi_t tags[])
{
    char local[GW_ADDR_MAX], partner[GW_ADDR_MAX];
    const char *phrase = NULL;
    int status;
    (void)tags;

    if (!sip->sip_event || !su_casematch(sip->sip_event->o_type, "presence"))
        status = 489, phrase = sip_489_Bad_event;
    else
        status = gw_sip_request_parties(gw, sip, local, partner, GW_ADDR_MAX, &phrase);
    struct gw_watch *w = status ? NULL : watch_new(gw, GW_H_WATCHER, local, partner);
    if (!status && !w)
        status = 500, phrase = sip_500_Internal_server_error;
    if (status) {
        log_info("gateway", "event=sip_refused method=SUBSCRIBE status=%d", status);
        nua_respond(nh, status, phrase, NUTAG_WITH_THIS(gw->nua), TAG_END());
        nua_handle_destroy(nh);
        return;
    }
    w->nh = nh;
    nua_handle_bind(nh, &w->ctx);
    log_info("gateway", "event=presence_watcher local=%s partner=%s", local, partner);
    nua_respond(nh, SIP_202_ACCEPTED, NUTAG_WITH_THIS(gw->nua), TAG_END());
    struct gw_local *l = local_get(gw, local, false);
    watcher_notify(w, l ? &l->info : NULL, nua_substate_active, NULL);
    /* Ask the XMPP user (RFC 6121 §3.1). The answer is `subscribed` (the user approves, or had
     * approved before: the server answers for them), then the current presence; or
     * `unsubscribed`. No probe before that: a server answers a probe from a contact without a
     * subscription with `unsubscribed`, which would end the watcher. */
    gw_xmpp_send_presence(gw, partner, local, "subscribe", NULL, NULL);
}

static void watcher_event(struct gw_watch *w, nua_event_t event, int status, sip_t const *sip,
                          tagi_t tags[])
{
    int substate = -1;
    switch (event) {
    case nua_i_subscribe: {
        /* a refresh, or Expires: 0 to end it */
        bool ending = sip && sip->sip_expires && sip->sip_expires->ex_delta == 0;
        nua_respond(w->nh, ending ? 200 : 202, ending ? sip_200_OK : sip_202_Accepted,
                    NUTAG_WITH_THIS(w->gw->nua), TAG_END());
        struct gw_local *l = local_get(w->gw, w->local, false);
        watcher_notify(w, l ? &l->info : NULL,
                       ending ? nua_substate_terminated : nua_substate_active, "timeout");
        if (ending)
            log_info("gateway", "event=presence_watcher_end local=%s partner=%s "
                     "reason=unsubscribed", w->local, w->partner);
        return;
    }
    case nua_r_notify:
        tl_gets(tags, NUTAG_SUBSTATE_REF(substate), TAG_END());
        if (status >= 200 && (substate == nua_substate_terminated || status == 481)) {
            watch_free(w);
        }
        return;
    case nua_i_subscription:
    case nua_i_state:
    default:
        (void)status;
        return;
    }
}

/* ---- XMPP presence stanzas addressed to a partner user ---- */

void gw_presence_from_xmpp(struct gateway *gw, xmpp_stanza_t *st)
{
    const char *from = xmpp_stanza_get_from(st), *to = xmpp_stanza_get_to(st);
    const char *type = xmpp_stanza_get_type(st);
    char local[GW_ADDR_MAX], partner[GW_ADDR_MAX], domain[GW_ADDR_MAX];

    if (!from || !to || gw_jid_bare(from, local, sizeof local) != 0 ||
        gw_jid_bare(to, partner, sizeof partner) != 0 ||
        gw_jid_domain(local, domain, sizeof domain) != 0 ||
        !gateway_domain_in(gw->cfg->local_domains, gw->cfg->n_local_domains, domain))
        return;   /* not for a partner user, or not from a local user: dropped (RFC 6121) */

    if (type && strcmp(type, "subscribe") == 0) {
        struct gw_watch *w = watch_find(gw, GW_H_WATCH, local, partner);
        if (w && w->confirmed)
            gw_xmpp_send_presence(gw, partner, local, "subscribed", NULL, NULL);
        else if (!w)
            watch_start(gw, local, partner);
        return;
    }
    if (type && strcmp(type, "probe") == 0) {
        struct gw_watch *w = watch_find(gw, GW_H_WATCH, local, partner);
        if (!w)
            watch_start(gw, local, partner);
        else if (w->last != PRESENCE_UNKNOWN)
            gw_xmpp_send_presence(gw, partner, local,
                                  w->last == PRESENCE_OFFLINE ? "unavailable" : NULL,
                                  w->last_show[0] ? w->last_show : NULL, w->last_status);
        return;
    }
    if (type && strcmp(type, "unsubscribe") == 0) {
        struct gw_watch *w = watch_find(gw, GW_H_WATCH, local, partner);
        if (w) {
            log_info("gateway", "event=presence_unsubscribe local=%s partner=%s", local,
                     partner);
            nua_unsubscribe(w->nh, SIPTAG_EVENT_STR("presence"), TAG_END());
        }
        gw_xmpp_send_presence(gw, partner, local, "unavailable", NULL, NULL);
        return;
    }
    if (type && strcmp(type, "subscribed") == 0) {
        /* the XMPP user allows the Microsoft watcher: ask for the current presence */
        if (watch_find(gw, GW_H_WATCHER, local, partner))
            gw_xmpp_send_presence(gw, partner, local, "probe", NULL, NULL);
        return;
    }
    if (type && strcmp(type, "unsubscribed") == 0) {
        /* the XMPP user refused or withdrew the Microsoft user's permission */
        struct gw_watch *w = watch_find(gw, GW_H_WATCHER, local, partner);
        if (w) {
            log_info("gateway", "event=presence_watcher_end local=%s partner=%s "
                     "reason=rejected", local, partner);
            watcher_notify(w, NULL, nua_substate_terminated, "rejected");
        }
        return;
    }
    if (type && strcmp(type, "unavailable") != 0)
        return;   /* subscribed, error: nothing to map */

    /* an availability: RFC 6121 §4.7, mapped per PRESENCE.md §5 */
    xmpp_stanza_t *show_el = xmpp_stanza_get_child_by_name(st, "show");
    xmpp_stanza_t *status_el = xmpp_stanza_get_child_by_name(st, "status");
    char *show = show_el ? xmpp_stanza_get_text(show_el) : NULL;
    char *status = status_el ? xmpp_stanza_get_text(status_el) : NULL;
    bool unusual = false;
    struct gw_local *l = local_get(gw, local, true);
    if (l) {
        memset(&l->info, 0, sizeof l->info);
        l->info.state = presence_state_from_xmpp(show, type, &unusual);
        if (status)
            presence_text_copy(l->info.note, status, strlen(status));
        if (unusual)
            log_info("gateway", "event=presence_unusual_show from=%s show=\"%.32s\"", local, show);
        for (struct gw_watch *w = gw->watches; w; w = w->next)
            if (w->ctx.kind == GW_H_WATCHER && strcmp(w->local, local) == 0 &&
                strcmp(w->partner, partner) == 0)
                watcher_notify(w, &l->info, nua_substate_active, NULL);
    }
    xmpp_free(gw->xctx, show);
    xmpp_free(gw->xctx, status);
}

void gw_presence_nua_event(struct gateway *gw, nua_event_t event, int status,
                           char const *phrase, nua_handle_t *nh, struct gw_handle_ctx *ctx,
                           sip_t const *sip, tagi_t tags[])
{
    (void)gw, (void)nh;
    if (ctx->kind == GW_H_WATCH)
        watch_event((struct gw_watch *)ctx, event, status, phrase, sip, tags);
    else
        watcher_event((struct gw_watch *)ctx, event, status, sip, tags);
}

void gw_presence_stop_all(struct gateway *gw)
{
    while (gw->watches) {
        struct gw_watch *w = gw->watches;
        if (w->ctx.kind == GW_H_WATCH && w->confirmed)
            nua_unsubscribe(w->nh, SIPTAG_EVENT_STR("presence"), TAG_END());
        else if (w->ctx.kind == GW_H_WATCHER)
            nua_notify(w->nh, NUTAG_SUBSTATE(nua_substate_terminated), TAG_END());
        /* the handle goes with nua_shutdown; its last events find no watch */
        nua_handle_bind(w->nh, NULL);
        w->nh = NULL;
        watch_free(w);
    }
}
