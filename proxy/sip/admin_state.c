/* admin_state.c — helpers the admin documents share: times, and a zone peer's addresses and
 * TLS connections. */
#include <string.h>

#include "admin_int.h"
#include "dialplan.h"
#include "proxy_gen.h"
#include "srczone.h"
#include "forward.h"
#include "peerhealth.h"
#include "tls.h"
#include "traversal.h"

const char *admin_time(time_t t, char *buf, size_t size)
{
    struct tm tm;
    if (!t || !gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        buf[0] = '\0';
    return buf;
}

static void peer_conn_one(void *arg, const struct tls_connection_info *c)
{
    struct admin_peer_conns *pc = arg;
    for (size_t i = 0; i < pc->n_addrs; i++) {
        if (strcmp(pc->addrs[i].ip, c->ip) != 0)
            continue;
        /* outgoing: to the peer's port; incoming: from any port of its address */
        if (c->incoming)
            pc->in++;
        else if (pc->addrs[i].port == c->port)
            pc->out++;
        return;
    }
}

void admin_peer_conns(const struct proxy_gen *g, const struct zone *z, size_t p,
                      struct admin_peer_conns *out)
{
    out->in = out->out = 0;
    out->addrs = srczone_peer_addrs(g->sz, z, p, &out->n_addrs);
    if (g->tls)
        tls_connections_foreach(g->tls, peer_conn_one, out);
}

const char *admin_peer_health(const struct proxy_gen *g, const struct zone *z,
                              const struct admin_peer_conns *pc)
{
    const struct peer_health *ph = g->nh.health;
    size_t n = ph ? peer_health_count(ph) : 0;
    bool probed = false, up = false;

    for (size_t i = 0; i < n; i++) {
        const struct peer_health_entry *e = peer_health_get(ph, i);
        if (!e || e->probes == 0 || strcmp(e->zone, z->name) != 0)
            continue;
        for (size_t k = 0; k < pc->n_addrs; k++) {
            if (e->port == pc->addrs[k].port && strcmp(e->ip, pc->addrs[k].ip) == 0) {
                probed = true;
                up = up || e->up;
            }
        }
    }
    return !probed ? "unknown" : up ? "up" : "down";
}

size_t admin_traversal_rows(const struct admin_doc *d, struct traversal_status *rows, size_t max)
{
    const struct traversal *tv = d->src->env->traversal;
    size_t n = tv ? traversal_status_get(tv, rows, max) : 0;
    return n < max ? n : max;
}
