/* presence_proxy.c — the proxy's view of presence: which messages carry it, the log line per
 * presentity, and the last state per presentity (a small hash table in one su_home). */
#include "presence_proxy.h"

#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "log.h"

#define STORE_BUCKETS 1024u   /* power of two */

struct store_node {
    struct store_node *next;
    struct presence_entry e;
};

/* Source "formats" counted: the document formats, and an empty NOTIFY read from its
 * Subscription-State (PRESENCE.md §6). */
#define FROM_EMPTY_NOTIFY (PRESENCE_FMT_MULTIPART + 1)
#define FROM_N            (PRESENCE_FMT_MULTIPART + 2)
#define STATE_N           (PRESENCE_OFFLINE + 1)

struct presence_store {
    su_home_t home[1];        /* owns the store and every node */
    struct store_node *buckets[STORE_BUCKETS];
    size_t count;
    unsigned long dropped;
    unsigned long mapped[FROM_N][STATE_N];   /* documents mapped, by source and state */
};

struct presence_store *presence_store_create(void)
{
    return su_home_new(sizeof (struct presence_store));
}

void presence_store_destroy(struct presence_store *st)
{
    if (st)
        su_home_unref(st->home);
}

static unsigned store_hash(const char *s)
{
    unsigned h = 2166136261u;   /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h & (STORE_BUCKETS - 1);
}

static struct store_node *store_find(const struct presence_store *st, const char *entity)
{
    for (struct store_node *n = st->buckets[store_hash(entity)]; n; n = n->next) {
        if (strcmp(n->e.info.entity, entity) == 0)
            return n;
    }
    return NULL;
}

const struct presence_entry *presence_store_get(const struct presence_store *st,
                                                const char *entity)
{
    const struct store_node *n = st && entity ? store_find(st, entity) : NULL;

    return n ? &n->e : NULL;
}

size_t presence_store_count(const struct presence_store *st)
{
    return st ? st->count : 0;
}

void presence_store_foreach(const struct presence_store *st,
                            void (*fn)(void *arg, const struct presence_entry *e), void *arg)
{
    for (size_t b = 0; st && b < STORE_BUCKETS; b++)
        for (const struct store_node *n = st->buckets[b]; n; n = n->next)
            fn(arg, &n->e);
}

void presence_store_mapped_foreach(const struct presence_store *st,
                                   void (*fn)(void *arg, const char *from, const char *to,
                                              unsigned long n),
                                   void *arg)
{
    for (int f = 0; st && f < FROM_N; f++)
        for (int k = 0; k < STATE_N; k++)
            if (st->mapped[f][k])
                fn(arg, f == FROM_EMPTY_NOTIFY ? "subscription-state"
                                               : presence_format_name((enum presence_doc_format)f),
                   presence_state_name((enum presence_state)k), st->mapped[f][k]);
}

unsigned long presence_store_dropped(const struct presence_store *st)
{
    return st ? st->dropped : 0;
}

/* Keep `info` as the last state of its entity; false when the store is full. */
static bool store_put(struct presence_store *st, const struct presence_info *info)
{
    struct store_node *n = store_find(st, info->entity);

    if (!n) {
        if (st->count >= PRESENCE_STORE_MAX || !(n = su_zalloc(st->home, sizeof *n))) {
            st->dropped++;
            return false;
        }
        unsigned b = store_hash(info->entity);
        n->next = st->buckets[b];
        st->buckets[b] = n;
        st->count++;
    }
    n->e.info = *info;
    n->e.info.reason[0] = '\0';
    n->e.updated = time(NULL);
    return true;
}

/* ---- which messages, and what they say ---- */

struct observe {
    struct presence_store *st;
    int from;                             /* the body's format, or FROM_EMPTY_NOTIFY */
    const char *method;                   /* for the log line */
    char entity[PRESENCE_TEXT_MAX + 1];   /* from the headers, when the body names none */
    struct presence_xmpp_opts xmpp;
};

/* Write `s` as a log value: bare when it is one token (and `quote` is false), else quoted with
 * \" and \\ escaped. */
static void log_value(char *out, size_t size, const char *s, bool quote)
{
    size_t n = 0;

    quote = quote || !*s || strpbrk(s, " \"\\=") != NULL;

    if (size < 3)
        return;
    if (quote)
        out[n++] = '"';
    for (; *s && n + 3 < size; s++) {
        if (quote && (*s == '"' || *s == '\\'))
            out[n++] = '\\';
        out[n++] = *s;
    }
    if (quote)
        out[n++] = '"';
    out[n] = '\0';
}

static void observe_part(void *arg, const struct presence_info *in, int err)
{
    struct observe *o = arg;
    struct presence_info info = *in;
    char entity[2 * PRESENCE_TEXT_MAX + 3], reason[2 * sizeof info.reason + 3];
    char status[2 * PRESENCE_TEXT_MAX + 8], status_v[2 * sizeof status + 3];
    const char *show;

    if (!info.entity[0])
        memcpy(info.entity, o->entity, sizeof info.entity);
    log_value(entity, sizeof entity, info.entity[0] ? info.entity : "-", false);
    log_value(reason, sizeof reason, info.reason, true);
    if (err) {
        /* PRESENCE.md §3: forwarded unchanged, logged, the last known state kept */
        log_warn("presence", "entity=%s state=unknown method=%s error=%s", entity, o->method,
                 reason);
        return;
    }
    if (info.state == PRESENCE_UNKNOWN) {
        log_info("presence", "entity=%s state=unknown method=%s reason=%s", entity, o->method,
                 reason);
        return;
    }
    if (o->st && o->from >= 0 && o->from < FROM_N && (int)info.state < STATE_N)
        o->st->mapped[o->from][info.state]++;
    show = presence_xmpp_show(info.state, &o->xmpp);
    presence_xmpp_status(&info, status, sizeof status);
    log_value(status_v, sizeof status_v, status, true);
    log_info("presence", "entity=%s state=%s xmpp_show=%s xmpp_status=%s method=%s%s%s%s%s%s",
             entity, presence_state_name(info.state), show ? show : "none", status_v, o->method,
             info.activity ? " activity=" : "", presence_activity_name(info.activity),
             info.state == PRESENCE_OFFLINE ? " xmpp_type=unavailable" : "",
             info.reason[0] ? " remark=" : "", info.reason[0] ? reason : "");
    if (o->st && info.entity[0] && !store_put(o->st, &info) && o->st->dropped == 1)
        log_warn("presence", "event=store_full max=%u msg=\"new presentities are not kept\"",
                 PRESENCE_STORE_MAX);
}

/* "sip:user@host" of a From/To header, for bodies that name no entity. */
static void entity_from_addr(const sip_addr_t *a, char *out, size_t size)
{
    const url_t *u = a ? a->a_url : NULL;

    out[0] = '\0';
    if (u && u->url_host)
        snprintf(out, size, "%s:%s%s%s", u->url_scheme ? u->url_scheme : "sip",
                 u->url_user ? u->url_user : "", u->url_user ? "@" : "", u->url_host);
}

static bool has_header(const sip_t *sip, const char *name)
{
    for (const sip_unknown_t *u = sip->sip_unknown; u; u = u->un_next) {
        if (u->un_name && su_casematch(u->un_name, name))
            return true;
    }
    return false;
}

const char *presence_proxy_carrier(const sip_t *sip, char *entity, size_t size)
{
    const sip_addr_t *who;
    const char *label;

    if (size)
        entity[0] = '\0';
    if (!sip)
        return NULL;
    if (sip->sip_request) {
        const sip_request_t *rq = sip->sip_request;
        if (rq->rq_method == sip_method_notify || su_casematch(rq->rq_method_name, "BENOTIFY"))
            who = sip->sip_from;      /* RFC 6665 §4.4.1: the notifier speaks for the presentity */
        else if (rq->rq_method == sip_method_publish)
            who = sip->sip_to;        /* RFC 3903 §4: To is the presentity's AOR */
        else
            return NULL;
        label = rq->rq_method_name;
    } else if (sip->sip_status && sip->sip_status->st_status >= 200 &&
               sip->sip_status->st_status < 300 && sip->sip_cseq &&
               sip->sip_cseq->cs_method == sip_method_subscribe &&
               has_header(sip, "ms-piggyback-cseq")) {
        who = sip->sip_to;
        label = "SUBSCRIBE-2xx";
    } else {
        return NULL;
    }
    if (size)
        entity_from_addr(who, entity, size);
    return label;
}

void presence_proxy_observe(struct presence_store *st, const sip_t *sip, bool busy_as_dnd)
{
    struct observe o = { .st = st, .xmpp = { .busy_as_dnd = busy_as_dnd } };
    const char *body;
    size_t len;

    o.method = presence_proxy_carrier(sip, o.entity, sizeof o.entity);
    if (!o.method)
        return;

    body = sip->sip_payload ? sip->sip_payload->pl_data : NULL;
    len = sip->sip_payload ? sip->sip_payload->pl_len : 0;
    if (!body || len == 0) {
        /* PRESENCE.md §6: an empty presence NOTIFY speaks through Subscription-State. */
        struct presence_info info;
        if (!sip->sip_request || !sip->sip_event || !su_casematch(sip->sip_event->o_type, "presence"))
            return;
        memset(&info, 0, sizeof info);
        o.from = FROM_EMPTY_NOTIFY;
        if (presence_empty_notify_state(sip->sip_subscription_state
                                            ? sip->sip_subscription_state->ss_substate : NULL,
                                        &info.state)) {
            snprintf(info.reason, sizeof info.reason, "empty body, Subscription-State: %s",
                     sip->sip_subscription_state->ss_substate);
            observe_part(&o, &info, 0);
        }
        return;
    }

    su_home_t home[1] = { SU_HOME_INIT(home) };
    const char *ct = sip->sip_content_type
        ? sip_header_as_string(home, (const sip_header_t *)sip->sip_content_type) : NULL;
    o.from = ct ? (int)presence_format_from_content_type(ct) : PRESENCE_FMT_AUTO;
    if (!ct || o.from != PRESENCE_FMT_AUTO)
        presence_body_parse(ct, body, len, observe_part, &o);
    su_home_deinit(home);
}
