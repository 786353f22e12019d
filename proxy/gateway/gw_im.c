/* gw_im.c — instant messages as Lync/Skype for Business do them ([MS-SIPRE] §3.2, session
 * mode): one INVITE dialog with an m=message SDP per conversation pair (local XMPP user, partner
 * user), MESSAGEs inside it one at a time (so order is kept), BYE after `session_idle` seconds
 * without a message. Either side may open the dialog; both directions then use it. A SIP failure
 * goes back to the XMPP sender as <message type='error'>. */
#include "gateway_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_string.h>

#include "log.h"

enum gw_session_state { S_INVITING, S_ACTIVE, S_CLOSING };

struct gw_pending {
    struct gw_pending *next;
    char *text;
    char *id;            /* the XMPP message id, for an error */
    char *from_full;     /* the XMPP sender's full JID */
};

struct gw_session {
    struct gw_handle_ctx ctx;      /* first: the handle's magic */
    struct gw_session *next;
    su_home_t home[1];
    struct gateway *gw;
    nua_handle_t *nh;
    enum gw_session_state state;
    bool outgoing;
    char local[GW_ADDR_MAX];       /* bare JID of the XMPP user */
    char partner[GW_ADDR_MAX];     /* bare JID (= SIP AOR) of the Microsoft user */
    struct gw_pending *queue, **tail;
    bool in_flight;                /* the queue's head is sent, its answer awaited */
    su_timer_t *idle;
    unsigned n_in, n_out;
};

static const char *state_name(const struct gw_session *s)
{
    static const char *const names[] = { "inviting", "active", "closing" };
    return names[s->state];
}

static struct gw_session *session_find(struct gateway *gw, const char *local, const char *partner)
{
    for (struct gw_session *s = gw->sessions; s; s = s->next)
        if (s->state != S_CLOSING && strcmp(s->local, local) == 0 &&
            strcmp(s->partner, partner) == 0)
            return s;
    return NULL;
}

static void pending_fail(struct gw_session *s, struct gw_pending *p, int status,
                         const char *phrase)
{
    char why[96];
    snprintf(why, sizeof why, "SIP %d %s", status, phrase ? phrase : "");
    gw_xmpp_send_error(s->gw, s->partner, p->from_full, p->id, gw_stanza_error_from_sip(status),
                       why);
}

static void pending_pop(struct gw_session *s)
{
    struct gw_pending *p = s->queue;
    s->queue = p->next;
    if (!s->queue)
        s->tail = &s->queue;
    su_free(s->home, p->text);
    su_free(s->home, p->id);
    su_free(s->home, p->from_full);
    su_free(s->home, p);
    s->in_flight = false;
}

/* Every queued message fails with `status`; the session is then unlinked and freed when its
 * handle is gone. */
static void session_end(struct gw_session *s, int status, const char *phrase, const char *why)
{
    struct gateway *gw = s->gw;

    while (s->queue) {
        pending_fail(s, s->queue, status, phrase);
        pending_pop(s);
    }
    log_info("gateway", "event=im_session_end local=%s partner=%s state=%s reason=\"%s\" in=%u "
             "out=%u", s->local, s->partner, state_name(s), why, s->n_in, s->n_out);
    for (struct gw_session **pp = &gw->sessions; *pp; pp = &(*pp)->next) {
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    }
    su_timer_destroy(s->idle);
    if (s->nh) {
        nua_handle_bind(s->nh, NULL);
        nua_handle_destroy(s->nh);
    }
    su_home_deinit(s->home);
    free(s);
}

static void idle_fire(su_root_magic_t *m, su_timer_t *t, void *arg)
{
    struct gw_session *s = arg;
    (void)m, (void)t;
    if (s->queue || s->state != S_ACTIVE) {
        su_timer_set(s->idle, idle_fire, s);
        return;
    }
    log_info("gateway", "event=im_idle local=%s partner=%s idle=%us", s->local, s->partner,
             s->gw->cfg->session_idle);
    s->state = S_CLOSING;
    nua_bye(s->nh, TAG_END());
}

static void idle_restart(struct gw_session *s)
{
    su_timer_reset(s->idle);
    su_timer_set(s->idle, idle_fire, s);
}

static struct gw_session *session_new(struct gateway *gw, const char *local, const char *partner,
                                      bool outgoing)
{
    struct gw_session *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    su_home_init(s->home);
    s->ctx.kind = GW_H_SESSION;
    s->gw = gw;
    s->outgoing = outgoing;
    s->tail = &s->queue;
    snprintf(s->local, sizeof s->local, "%s", local);
    snprintf(s->partner, sizeof s->partner, "%s", partner);
    s->idle = su_timer_create(su_root_task(gw->root), gw->cfg->session_idle * 1000);
    if (!s->idle) {
        su_home_deinit(s->home);
        free(s);
        return NULL;
    }
    s->next = gw->sessions;
    gw->sessions = s;
    idle_restart(s);
    return s;
}

/* Send the queue's head when nothing is in flight. */
static void session_send_next(struct gw_session *s)
{
    if (s->state != S_ACTIVE || s->in_flight || !s->queue)
        return;
    s->in_flight = true;
    nua_message(s->nh, SIPTAG_CONTENT_TYPE_STR("text/plain;charset=UTF-8"),
                SIPTAG_PAYLOAD_STR(s->queue->text), TAG_END());
}

static void session_invite(struct gw_session *s)
{
    char sdp[512];
    const struct gateway_config *cfg = s->gw->cfg;

    s->nh = gw_sip_handle(s->gw, &s->ctx, s->local, s->partner);
    if (!s->nh || gw_im_sdp(cfg->sip_host, cfg->sip_port, sdp, sizeof sdp) < 0) {
        session_end(s, 500, "Internal Server Error", "no handle");
        return;
    }
    log_info("gateway", "event=im_invite local=%s partner=%s", s->local, s->partner);
    nua_invite(s->nh, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp),
               TAG_END());
}

void gw_im_from_xmpp(struct gateway *gw, const char *from_full, const char *to_bare,
                     const char *id, const char *text)
{
    char local[GW_ADDR_MAX], domain[GW_ADDR_MAX];
    struct gw_session *s;

    if (gw_jid_bare(from_full, local, sizeof local) != 0 ||
        gw_jid_domain(local, domain, sizeof domain) != 0 ||
        !gateway_domain_in(gw->cfg->local_domains, gw->cfg->n_local_domains, domain)) {
        /* Prosody routes any user's messages here, remote servers' too: only local users. */
        gw_xmpp_send_error(gw, to_bare, from_full, id, (struct gw_stanza_error){ "cancel",
                           "not-allowed" }, "only users of this XMPP service may use this gateway");
        return;
    }
    s = session_find(gw, local, to_bare);
    if (!s) {
        s = session_new(gw, local, to_bare, true);
        if (!s) {
            gw_xmpp_send_error(gw, to_bare, from_full, id, (struct gw_stanza_error){ "wait",
                               "resource-constraint" }, NULL);
            return;
        }
        session_invite(s);
        if (!session_find(gw, local, to_bare))
            return;   /* ended at once (and the error went back) */
    }
    struct gw_pending *p = su_zalloc(s->home, sizeof *p);
    if (!p || !(p->text = su_strdup(s->home, text)) ||
        !(p->from_full = su_strdup(s->home, from_full)) ||
        (id && !(p->id = su_strdup(s->home, id)))) {
        gw_xmpp_send_error(gw, to_bare, from_full, id, (struct gw_stanza_error){ "wait",
                           "resource-constraint" }, NULL);
        return;
    }
    *s->tail = p;
    s->tail = &p->next;
    idle_restart(s);
    session_send_next(s);
}

/* The text of a MESSAGE body into *text (malloc'd, the caller frees it); 0 or the error of
 * gw_im_text_from_body() (EPROTONOSUPPORT when there is no body), ENOMEM. */
static int im_text_of(sip_t const *sip, char **text)
{
    *text = malloc(GW_TEXT_MAX);
    if (!*text)
        return ENOMEM;
    if (!sip->sip_payload)
        return EPROTONOSUPPORT;
    return gw_im_text_from_body(sip->sip_content_type ? sip->sip_content_type->c_type : NULL,
                                sip->sip_payload->pl_data, sip->sip_payload->pl_len, *text,
                                GW_TEXT_MAX);
}

/* The answer to a MESSAGE whose text could not be delivered: `err` from im_text_of(), or 0
 * when the XMPP side is down. Logged as one line. */
static void im_refuse(struct gateway *gw, nua_handle_t *nh, sip_t const *sip, const char *from,
                      const char *to, int err)
{
    int status;
    const char *phrase;
    switch (err) {
    case 0: status = GW_SIP_XMPP_DOWN, phrase = "XMPP Server Unavailable"; break;
    case EMSGSIZE: status = 413, phrase = sip_413_Request_too_large; break;
    case ENOMEM: status = 500, phrase = sip_500_Internal_server_error; break;
    case EPROTONOSUPPORT: status = 415, phrase = sip_415_Unsupported_media; break;
    default: status = 400, phrase = "Bad Message Body"; break;
    }
    log_info("gateway", "event=im_in_refused from=%s to=%s content_type=%s status=%d", from, to,
             sip->sip_content_type ? sip->sip_content_type->c_type : "-", status);
    nua_respond(nh, status, phrase, NUTAG_WITH_THIS(gw->nua),
                TAG_IF(status == 415, SIPTAG_ACCEPT_STR("text/plain, text/html, "
                                                        "multipart/alternative")),
                TAG_END());
}

/* A new INVITE (m=message) or MESSAGE from a partner user to a local XMPP user. */
void gw_im_incoming(struct gateway *gw, nua_event_t event, nua_handle_t *nh, sip_t const *sip)
{
    char local[GW_ADDR_MAX], partner[GW_ADDR_MAX], sdp[512];
    const char *method = event == nua_i_invite ? "INVITE" : "MESSAGE";
    const char *phrase = NULL;
    int status = gw_sip_request_parties(gw, sip, local, partner, GW_ADDR_MAX, &phrase);

    if (!status && event == nua_i_invite &&
        (!sip->sip_payload ||
         !gw_sdp_offers_message(sip->sip_payload->pl_data, sip->sip_payload->pl_len)))
        status = 488, phrase = sip_488_Not_acceptable;
    if (status) {
        log_info("gateway", "event=sip_refused method=%s from=%s to=%s status=%d", method,
                 sip->sip_from && sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user
                                                                 : "-",
                 sip->sip_to && sip->sip_to->a_url->url_host ? sip->sip_to->a_url->url_host : "-",
                 status);
        nua_respond(nh, status, phrase, NUTAG_WITH_THIS(gw->nua), TAG_END());
        nua_handle_destroy(nh);
        return;
    }
    if (event == nua_i_message) {
        /* page mode (no dialog): deliver it and answer */
        char *text;
        int err = im_text_of(sip, &text);
        if (err == 0 && gw_xmpp_send_chat(gw, partner, local, text)) {
            log_info("gateway", "event=im_in mode=page from=%s to=%s bytes=%zu", partner, local,
                     strlen(text));
            nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(gw->nua), TAG_END());
        } else {
            im_refuse(gw, nh, sip, partner, local, err);
        }
        free(text);
        nua_handle_destroy(nh);
        return;
    }
    struct gw_session *s = session_new(gw, local, partner, false);
    if (!s || gw_im_sdp(gw->cfg->sip_host, gw->cfg->sip_port, sdp, sizeof sdp) < 0) {
        nua_respond(nh, SIP_500_INTERNAL_SERVER_ERROR, NUTAG_WITH_THIS(gw->nua), TAG_END());
        nua_handle_destroy(nh);
        if (s)
            session_end(s, 500, "Internal Server Error", "no memory");
        return;
    }
    s->nh = nh;
    s->state = S_ACTIVE;
    nua_handle_bind(nh, &s->ctx);
    log_info("gateway", "event=im_session_in local=%s partner=%s", local, partner);
    nua_respond(nh, SIP_200_OK, NUTAG_WITH_THIS(gw->nua),
                SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp), TAG_END());
}

/* A MESSAGE inside a session's dialog. */
static void session_message_in(struct gateway *gw, struct gw_session *s, sip_t const *sip)
{
    char *text;
    int err = im_text_of(sip, &text);
    idle_restart(s);
    if (err == EPROTONOSUPPORT) {
        /* typing notifications (application/im-iscomposing+xml) and other non-text bodies */
        log_debug("gateway", "event=im_in_ignored local=%s partner=%s content_type=%s", s->local,
                  s->partner, sip->sip_content_type ? sip->sip_content_type->c_type : "-");
        nua_respond(s->nh, SIP_200_OK, NUTAG_WITH_THIS(gw->nua), TAG_END());
    } else if (err == 0 && gw_xmpp_send_chat(gw, s->partner, s->local, text)) {
        s->n_in++;
        log_info("gateway", "event=im_in mode=session from=%s to=%s bytes=%zu", s->partner,
                 s->local, strlen(text));
        nua_respond(s->nh, SIP_200_OK, NUTAG_WITH_THIS(gw->nua), TAG_END());
    } else {
        im_refuse(gw, s->nh, sip, s->partner, s->local, err);
    }
    free(text);
}

void gw_im_nua_event(struct gateway *gw, nua_event_t event, int status, char const *phrase,
                     nua_handle_t *nh, struct gw_session *s, sip_t const *sip, tagi_t tags[])
{
    (void)nh;
    switch (event) {
    case nua_r_invite:
        if (status < 200)
            return;
        if (status >= 300) {
            log_info("gateway", "event=im_invite_failed local=%s partner=%s status=%d",
                     s->local, s->partner, status);
            session_end(s, status, phrase, "INVITE failed");
            return;
        }
        s->state = S_ACTIVE;
        log_info("gateway", "event=im_session_up local=%s partner=%s", s->local, s->partner);
        session_send_next(s);
        return;
    case nua_r_message:
        if (status < 200 || !s->queue)
            return;
        if (status >= 300) {
            log_info("gateway", "event=im_out_failed from=%s to=%s status=%d", s->local,
                     s->partner, status);
            pending_fail(s, s->queue, status, phrase);
        } else {
            s->n_out++;
            log_info("gateway", "event=im_out from=%s to=%s status=%d", s->local, s->partner,
                     status);
        }
        pending_pop(s);
        if (status == 481 || status == 408) {
            /* the dialog is gone: a later message opens a new one */
            session_end(s, status, phrase, "dialog gone");
            return;
        }
        session_send_next(s);
        return;
    case nua_i_message:
        session_message_in(gw, s, sip);
        return;
    case nua_r_bye:
        if (status >= 200)
            session_end(s, 408, "Request Timeout", "idle");
        return;
    case nua_i_bye:
        s->state = S_CLOSING;
        return;
    case nua_i_state: {
        int cs = -1;
        tl_gets(tags, NUTAG_CALLSTATE_REF(cs), TAG_END());
        if (cs == nua_callstate_terminated)
            session_end(s, 480, "Temporarily Unavailable",
                        s->state == S_CLOSING ? "closed" : "terminated");
        return;
    }
    default:
        return;
    }
}

void gw_im_stop_all(struct gateway *gw)
{
    while (gw->sessions) {
        struct gw_session *s = gw->sessions;
        if (s->state == S_ACTIVE)
            nua_bye(s->nh, TAG_END());
        /* the handle goes with nua_shutdown; its last events find no session */
        nua_handle_bind(s->nh, NULL);
        s->nh = NULL;
        session_end(s, 503, "Service Unavailable", "gateway stopping");
    }
}
