/* traversal_server.c — the DMZ node's side of the pair (SPEC §5.4): the connections verified
 * internal nodes opened, registered when their first request (normally the connecting OPTIONS)
 * arrives, dropped when they close or fall silent. The DMZ node never opens one itself. */
#include "traversal_int.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su_string.h>

#include "log.h"
#include "proxy_gen.h"
#include "tls_names.h"

void trav_conn_destroy(struct trav_conn *c)
{
    if (c->tp)
        tport_unref(c->tp);
    su_home_unref(c->home);
}

/* The certificate name of `peer` that admitted it to zone `z` (first match), or NULL. */
static const char *admitting_name(const struct zone *z, const struct tls_peer *peer)
{
    for (size_t i = 0; i < z->n_tls_verify_subject; i++)
        if (tls_names_contain(peer->names, peer->n_names, z->tls_verify_subject[i]))
            return z->tls_verify_subject[i];
    return NULL;
}

static struct trav_conn *conn_create(const struct zone *z, tport_t *tp,
                                     const struct tls_peer *peer, const char *name)
{
    struct trav_conn *c = su_home_new(sizeof *c);
    const su_addrinfo_t *ai = tport_get_address(tp);
    char port[16] = "0";

    if (!c)
        return NULL;
    if (!ai || getnameinfo((const struct sockaddr *)ai->ai_addr, (socklen_t)ai->ai_addrlen,
                           c->ip, sizeof c->ip, port, sizeof port,
                           NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        snprintf(c->ip, sizeof c->ip, "?");
    c->port = (uint16_t)strtoul(port, NULL, 10);
    snprintf(c->peer_text, sizeof c->peer_text, strchr(c->ip, ':') ? "[%s]:%u" : "%s:%u", c->ip,
             (unsigned)c->port);
    c->zone = su_strdup(c->home, z->name);
    c->name = su_strdup(c->home, name);
    c->names = su_zalloc(c->home, (peer->n_names + 1) * sizeof *c->names);
    for (size_t i = 0; c->names && i < peer->n_names; i++)
        c->names[c->n_names++] = su_strdup(c->home, peer->names[i]);
    c->silence_ms = TRAVERSAL_SILENCE_INTERVALS * z->keepalive_interval * 1000U;
    c->since = time(NULL);
    c->tp = tport_ref(tp);
    return c;
}

void traversal_observe(struct traversal *tv, const struct zone *src, tport_t *tp,
                       const struct tls_peer *peer)
{
    if (!tv || !src || src->type != ZONE_TRAVERSAL_SERVER || !tp || !peer || !peer->inbound ||
        !peer->verified || !tport_is_secondary(tp))
        return;
    for (struct trav_conn *c = tv->conns; c; c = c->next)
        if (c->tp == tp) {
            c->last_seen = time(NULL);
            c->last_seen_ms = trav_now_ms();
            return;
        }
    const char *name = admitting_name(src, peer);
    struct trav_conn *c = name ? conn_create(src, tp, peer, name) : NULL;
    if (!c) {
        log_error("traversal", "event=register_failed role=server zone=%s reason=\"%s\"",
                  src->name, name ? "out of memory" : "certificate name not configured");
        return;
    }
    c->last_seen = c->since;
    c->last_seen_ms = trav_now_ms();
    /* Appended: the first client to connect stays the first choice, the next is its failover. */
    size_t live = 1;
    struct trav_conn **pp = &tv->conns;
    for (; *pp; pp = &(*pp)->next)
        live += strcmp((*pp)->zone, src->name) == 0;
    *pp = c;
    log_info("traversal", "event=connected role=server zone=%s peer=%s name=%s connections=%zu",
             src->name, c->peer_text, c->name, live);
}

void trav_conns_tick(struct traversal *tv, uint64_t now_ms)
{
    for (struct trav_conn **pp = &tv->conns; *pp;) {
        struct trav_conn *c = *pp;
        const char *why = NULL;
        if (!trav_tport_usable(c->tp))
            why = "connection closed";
        else if (now_ms - c->last_seen_ms > c->silence_ms)
            why = "no keep-alive";
        if (!why) {
            pp = &c->next;
            continue;
        }
        *pp = c->next;
        if (!tport_is_closed(c->tp))
            tport_shutdown(c->tp, 2);
        size_t live = 0;
        for (struct trav_conn *o = tv->conns; o; o = o->next)
            live += strcmp(o->zone, c->zone) == 0;
        log_warn("traversal", "event=disconnected role=server zone=%s peer=%s name=%s "
                 "reason=\"%s\" connections=%zu", c->zone, c->peer_text, c->name, why, live);
        trav_conn_destroy(c);
    }
}
