/* gateway_int.h — private interfaces between the gateway's files: the process object (owned by
 * the su_root loop), the XMPP components (gw_xmpp.c), IM sessions (gw_im.c), presence
 * (gw_presence.c) and the NUA event dispatch (gw_sip.c). */
#ifndef SIPFED_GATEWAY_INT_H
#define SIPFED_GATEWAY_INT_H

#include <stdbool.h>
#include <stddef.h>

struct gateway;
struct gw_session;
struct gw_component;
struct gw_watch;

/* Handles carry a tagged context: the first member of every struct a handle is bound to. */
enum gw_handle_kind { GW_H_SESSION = 1, GW_H_WATCH, GW_H_WATCHER };
struct gw_handle_ctx { enum gw_handle_kind kind; };

#define SU_ROOT_MAGIC_T struct gateway
#define SU_TIMER_ARG_T void
#define SU_WAKEUP_ARG_T struct gateway
#define NUA_MAGIC_T struct gateway
#define NUA_HMAGIC_T struct gw_handle_ctx

#include <sofia-sip/nua.h>
#include <sofia-sip/su_wait.h>
#include <strophe.h>

#include "gateway_config.h"
#include "gw_text.h"
#include "presence.h"

struct gateway {
    su_home_t home[1];
    const struct gateway_config *cfg;
    su_root_t *root;
    nua_t *nua;
    xmpp_ctx_t *xctx;
    su_timer_t *xmpp_tick;
    struct gw_component *comps;
    size_t n_comps;
    struct gw_session *sessions;    /* IM dialogs, newest first */
    struct gw_watch *watches;       /* presence, both directions */
    struct gw_local *locals;        /* last presence of local XMPP users */
    su_timer_t *stop_timer;         /* bounds the orderly shutdown */
    int sigfd;
    su_wait_t sigwait[1];
    int sigindex;
    bool stopping;
};

/* One XEP-0114 component connection (gw_xmpp.c connects it, gw_xmpp_out.c sends on it). */
struct gw_component {
    struct gateway *gw;
    char *domain;
    xmpp_conn_t *conn;
    bool up;
    unsigned backoff;      /* s before the next attempt */
    su_timer_t *retry;
};

/* ---- gw_xmpp.c: connections and stanzas in ---- */
int gw_xmpp_start(struct gateway *gw);
void gw_xmpp_stop(struct gateway *gw);

/* ---- gw_xmpp_out.c: stanzas out ---- *//* The component for a partner domain, NULL when not a partner; connected or not. */
struct gw_component *gw_component_find(struct gateway *gw, const char *domain);
bool gw_component_up(const struct gw_component *c);
/* Send a stanza (released here) on the component of `from`'s domain; false when it is down. */
bool gw_xmpp_send(struct gateway *gw, xmpp_stanza_t *st);
/* A chat message from `from` (a partner user's bare JID) to `to`. */
bool gw_xmpp_send_chat(struct gateway *gw, const char *from, const char *to, const char *text);
/* A <message type='error'> back to `to` (the XMPP sender) from `from`, for its message `id`. */
void gw_xmpp_send_error(struct gateway *gw, const char *from, const char *to, const char *id,
                        struct gw_stanza_error e, const char *text);
/* A <presence/> (type NULL: available) from a partner user to a local user. */
bool gw_xmpp_send_presence(struct gateway *gw, const char *from, const char *to,
                           const char *type, const char *show, const char *status);

/* ---- gw_im.c ---- */
/* An XMPP chat message from local `from_full` to partner `to_bare`. */
void gw_im_from_xmpp(struct gateway *gw, const char *from_full, const char *to_bare,
                     const char *id, const char *text);
void gw_im_nua_event(struct gateway *gw, nua_event_t event, int status, char const *phrase,
                     nua_handle_t *nh, struct gw_session *s, sip_t const *sip, tagi_t tags[]);
/* An incoming INVITE or MESSAGE on a new handle. */
void gw_im_incoming(struct gateway *gw, nua_event_t event, nua_handle_t *nh, sip_t const *sip);
/* A component went down: fail what waits on it. */
void gw_im_stop_all(struct gateway *gw);

/* ---- gw_presence.c ---- */
void gw_presence_from_xmpp(struct gateway *gw, xmpp_stanza_t *st);
void gw_presence_nua_event(struct gateway *gw, nua_event_t event, int status,
                           char const *phrase, nua_handle_t *nh, struct gw_handle_ctx *ctx,
                           sip_t const *sip, tagi_t tags[]);
void gw_presence_incoming(struct gateway *gw, nua_handle_t *nh, sip_t const *sip, tagi_t tags[]);
void gw_presence_stop_all(struct gateway *gw);

/* ---- gw_sip.c: the NUA and its event dispatch ---- */
int gw_sip_start(struct gateway *gw);

/* ---- gw_ua.c: SIP identities of the gateway's requests ---- *//* The SIP identities of an XMPP pair: From is the local user, To the partner user. */
nua_handle_t *gw_sip_handle(struct gateway *gw, struct gw_handle_ctx *ctx, const char *local_jid,
                            const char *partner_jid);
/* The parties of a request from Microsoft: To must be a user of local_domains (else 404), From
 * a user of a partner domain (else 403) whose component is up (else 480). Returns 0 with
 * `local` and `partner` (bare JIDs, `size` bytes each) set, or the status to answer (*phrase). */
int gw_sip_request_parties(struct gateway *gw, sip_t const *sip, char *local, char *partner,
                           size_t size, const char **phrase);
/* The bare JID of a SIP From/To address; false when it cannot be one. */
bool gw_sip_addr_jid(const sip_from_t *a, char *out, size_t size);

#endif
