/* admin_int.h — private to admin*.c: the listener and the documents it renders. */
#ifndef SIPFED_ADMIN_INT_H
#define SIPFED_ADMIN_INT_H

#include <stddef.h>
#include <time.h>

#include "admin.h"
#include "textbuf.h"

/* The JSON and HTML documents are built from one snapshot of these. */
struct admin_doc {
    const struct admin_sources *src;
    time_t now;
};

/* GET /metrics: the Prometheus text exposition. */
void admin_metrics_render(const struct admin_doc *d, struct textbuf *b);
/* GET /status: the JSON status document. */
void admin_status_render(const struct admin_doc *d, struct textbuf *b);
/* GET /history?n=N: the last `n` search decisions, newest first, JSON. */
void admin_history_render(const struct admin_doc *d, size_t n, struct textbuf *b);
/* GET /presence: the last state per presentity, JSON. */
void admin_presence_render(const struct admin_doc *d, struct textbuf *b);
/* GET /summary: the text `sipfed status` prints. */
void admin_summary_render(const struct admin_doc *d, struct textbuf *b);
/* GET /: the HTML page (status, last searches, presence). */
void admin_html_render(const struct admin_doc *d, struct textbuf *b);

/* A JSON array or table being written by a foreach callback. */
struct admin_list {
    struct textbuf *b;
    size_t n;                     /* items written so far */
};

struct proxy_gen;
struct zone;
struct srczone_addr;

/* Peer `p` of zone `z`: the addresses it resolved to and the live TLS connections from it (any
 * port of one of its addresses) and to it (its port). */
struct admin_peer_conns {
    const struct srczone_addr *addrs;
    size_t n_addrs;
    size_t in, out;
};
void admin_peer_conns(const struct proxy_gen *g, const struct zone *z, size_t p,
                      struct admin_peer_conns *out);

/* The peer's health by its OPTIONS keep-alive (peerhealth.h): "up" when one of its addresses
 * answers, "down" when every probed address stopped answering, "unknown" when none is probed
 * (keep-alives off, the peer unresolved, or no probe sent yet). */
const char *admin_peer_health(const struct proxy_gen *g, const struct zone *z,
                              const struct admin_peer_conns *pc);

struct traversal_status;
/* Rows of the traversal zone state (traversal.h), at most `max`; returns how many were filled. */
size_t admin_traversal_rows(const struct admin_doc *d, struct traversal_status *rows, size_t max);
/* Traversal rows shown at most. */
enum { ADMIN_TRAVERSAL_ROWS = 64 };

/* `t` as an RFC 3339 UTC time into `buf` ("" for 0). */
const char *admin_time(time_t t, char *buf, size_t size);

#endif
