/* traversal_int.h — private to proxy/sip/traversal*.c: the state of the pair's connections.
 * Include it first: it sets nta's magic types for the keep-alive transactions. */
#ifndef SIPFED_TRAVERSAL_INT_H
#define SIPFED_TRAVERSAL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct traversal;
struct trav_link;
#define NTA_OUTGOING_MAGIC_T struct trav_link
#define SU_TIMER_ARG_T       struct traversal

#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "traversal.h"

/* The event-loop tick that drives keep-alives, back-off and close detection (sofia tells an
 * application nothing when a connection it did not just send on closes). */
enum { TRAVERSAL_TICK_MS = 250 };
/* A keep-alive (or the OPTIONS that opens the connection) unanswered this long: the link is
 * lost. Fixed rather than Timer F (32 s): a DMZ node that stopped answering must be noticed
 * within seconds. */
enum { TRAVERSAL_ANSWER_TIMEOUT_MS = 5000 };
/* First reconnect delay; doubled after each failure up to the zone's reconnect_max. */
enum { TRAVERSAL_BACKOFF_FIRST_MS = 500 };
/* A server connection silent for this many keep-alive intervals is closed. */
enum { TRAVERSAL_SILENCE_INTERVALS = 3 };

/* Internal node: one link per peer (DMZ node) of each traversal_client zone. */
struct trav_link {
    su_home_t home[1];
    struct traversal *tv;
    struct trav_link *next;
    const char *zone;              /* zone name (the zone object changes with reloads) */
    size_t peer;                   /* index in the zone's peers */
    const char *host;              /* the peer as configured (name or IP) */
    char ip[64];                   /* the address connected to (first resolved) */
    uint16_t port;
    char peer_text[320];           /* host:port for the logs and status */
    unsigned keepalive_ms, reconnect_max_ms;
    enum traversal_state state;
    tport_t *tp;                   /* the connection (a reference) while connected */
    nta_outgoing_t *ka;            /* the OPTIONS in flight (connect or keep-alive) */
    uint64_t ka_sent_ms;           /* when it was sent (monotonic ms) */
    uint64_t next_ms;              /* next keep-alive (connected) or attempt (reconnecting) */
    unsigned backoff_ms;           /* the current back-off (0 after a success) */
    time_t since, last_keepalive;
    unsigned reconnects;
    uint32_t cseq;
    bool keep;                     /* traversal_apply(): still configured */
    bool logged_failure;           /* the current outage was logged (one line per outage) */
};

/* DMZ node: one per connection a verified client opened. */
struct trav_conn {
    su_home_t home[1];
    struct trav_conn *next;
    const char *zone;
    tport_t *tp;                   /* a reference */
    char ip[64];
    uint16_t port;
    char peer_text[96];            /* ip:port */
    const char *name;              /* the certificate name that admitted it */
    char **names;                  /* every name of the certificate */
    size_t n_names;
    unsigned silence_ms;           /* TRAVERSAL_SILENCE_INTERVALS x keepalive_interval */
    time_t since, last_seen;
    uint64_t last_seen_ms;
};

struct traversal {
    su_home_t home[1];
    su_root_t *root;
    nta_agent_t *agent;
    struct proxy_gen *gen;         /* the configuration in force (not a reference) */
    su_timer_t *tick;
    struct trav_link *links;
    struct trav_conn *conns;
};

/* traversal_tport.c */
/* Monotonic milliseconds. */
uint64_t trav_now_ms(void);
/* Usable for a send: not closed, clear to send. */
bool trav_tport_usable(tport_t *tp);

/* traversal_client.c */
struct trav_link *trav_link_create(struct traversal *tv, const struct zone *z, size_t peer,
                                   const char *ip, uint16_t port);
void trav_link_destroy(struct trav_link *l);
/* Refresh the link's timers from zone `z` (reload). */
void trav_link_configure(struct trav_link *l, const struct zone *z);
/* One tick: keep-alive due, answer overdue, connection closed, back-off over. */
void trav_link_tick(struct trav_link *l, uint64_t now_ms);

/* traversal_server.c */
void trav_conn_destroy(struct trav_conn *c);
/* One tick: closed or silent connections are dropped (and logged). */
void trav_conns_tick(struct traversal *tv, uint64_t now_ms);

#endif
