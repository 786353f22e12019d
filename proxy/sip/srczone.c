/* srczone.c — source zone by peer address and certificate names (SPEC §5.1, §5.5). */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <sofia-sip/su_string.h>

#include "ini_value.h"
#include "srczone.h"


struct peer_entry {
    const struct zone *zone;
    size_t peer_index;
    struct srczone_addr *addrs;
    size_t n_addrs;
};

struct srczone_table {
    struct peer_entry *peers;
    size_t n_peers;
};

static bool zone_has_peers(const struct zone *z)
{
    return z->type == ZONE_NEIGHBOR || z->type == ZONE_TRAVERSAL_CLIENT ||
           z->type == ZONE_TRAVERSAL_SERVER;
}

int srczone_resolve(su_home_t *home, const struct gen_names *names, const char *host,
                    uint16_t port, struct srczone_addr **addrs, size_t *n_addrs)
{
    char *const *ips = &(char *){ (char *)host };
    size_t n = 1;
    const char *why;

    *addrs = NULL;
    *n_addrs = 0;
    if (!ini_text_is_ip(host) && gen_names_get(names, host, &ips, &n, &why) != 0)
        return ENOENT;
    struct srczone_addr *out = su_zalloc(home, (n + 1) * sizeof *out);
    if (!out)
        return ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct srczone_addr *a = &out[*n_addrs];
        unsigned char bin[16];
        int af = strchr(ips[i], ':') ? AF_INET6 : AF_INET;
        /* one spelling of each address, as the peer's source address is printed */
        if (inet_pton(af, ips[i], bin) != 1 || !inet_ntop(af, bin, a->ip, sizeof a->ip))
            continue;
        a->port = port;
        bool dup = false;
        for (size_t k = 0; k < *n_addrs; k++)
            dup = dup || (strcmp(out[k].ip, a->ip) == 0);
        if (!dup)
            (*n_addrs)++;
    }
    *addrs = out;
    return 0;
}

int srczone_table_build(su_home_t *home, const struct dialplan *dp,
                        const struct gen_names *names, struct srczone_table **out)
{
    struct srczone_table *t = su_zalloc(home, sizeof *t);
    size_t n = 0;

    if (!t)
        return ENOMEM;
    for (size_t i = 0; i < dp->n_zones; i++)
        if (zone_has_peers(dp->zones[i]))
            n += dp->zones[i]->n_peers;
    t->peers = su_zalloc(home, (n + 1) * sizeof *t->peers);
    if (!t->peers)
        return ENOMEM;

    for (size_t i = 0; i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (!zone_has_peers(z))
            continue;
        for (size_t p = 0; p < z->n_peers; p++) {
            struct peer_entry *pe = &t->peers[t->n_peers++];
            uint16_t port = z->peers[p].port ? z->peers[p].port
                                             : sip_transport_default_port(z->transport);
            pe->zone = z;
            pe->peer_index = p;
            /* a name that did not resolve: reported by gen_names_report(), no address */
            if (srczone_resolve(home, names, z->peers[p].host, port, &pe->addrs,
                                &pe->n_addrs) == ENOMEM)
                return ENOMEM;
        }
    }
    *out = t;
    return 0;
}

const struct srczone_addr *srczone_peer_addrs(const struct srczone_table *t, const struct zone *z,
                                              size_t peer_index, size_t *n)
{
    for (size_t i = 0; i < t->n_peers; i++)
        if (t->peers[i].zone == z && t->peers[i].peer_index == peer_index) {
            *n = t->peers[i].n_addrs;
            return t->peers[i].addrs;
        }
    *n = 0;
    return NULL;
}

bool srczone_subjects_have(const su_strlst_t *subjects, const char *name)
{
    if (!subjects)
        return false;
    for (usize_t i = 0; i < su_strlst_len(subjects); i++)
        if (su_casematch(su_strlst_item(subjects, i), name))
            return true;
    return false;
}

/* `tls_verify_subject`: the certificate must carry one of the zone's names. */
static bool zone_subject_ok(const struct zone *z, const struct srczone_origin *o)
{
    if (z->n_tls_verify_subject == 0 || z->transport != SIP_TP_TLS)
        return true;
    if (!o->tls || !o->tls_verified)
        return false;
    for (size_t i = 0; i < z->n_tls_verify_subject; i++)
        if (srczone_subjects_have(o->subjects, z->tls_verify_subject[i]))
            return true;
    return false;
}

/* SPEC §5.5 `authenticated = verified`: a verified client certificate naming the From domain or
 * a name inside it (sip.msexample.test for msexample.test). */
static bool cert_names_domain(const struct srczone_origin *o)
{
    if (!o->tls || !o->tls_verified || !o->subjects || !o->from_domain)
        return false;
    size_t dlen = strlen(o->from_domain);
    for (usize_t i = 0; i < su_strlst_len(o->subjects); i++) {
        const char *s = su_strlst_item(o->subjects, i);
        size_t slen = strlen(s);
        if (su_casematch(s, o->from_domain))
            return true;
        if (slen > dlen + 1 && s[slen - dlen - 1] == '.' &&
            su_casematch(s + slen - dlen, o->from_domain))
            return true;
    }
    return false;
}

/* SPEC §5.4: the internal node of a traversal pair, by the certificate on the connection it
 * opened. */
static const struct zone *traversal_server_by_cert(const struct dialplan *dp,
                                                   const struct srczone_origin *o)
{
    if (!o->tls || !o->tls_verified || !o->tls_inbound)
        return NULL;
    for (size_t i = 0; i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (z->type == ZONE_TRAVERSAL_SERVER && z->n_tls_verify_subject > 0 &&
            zone_subject_ok(z, o))
            return z;
    }
    return NULL;
}

const struct zone *srczone_lookup(const struct srczone_table *t, const struct dialplan *dp,
                                  const struct srczone_origin *o, bool *authenticated)
{
    const struct zone *by_ip = NULL;
    const struct zone *z = traversal_server_by_cert(dp, o);

    for (size_t i = 0; i < t->n_peers && !z; i++) {
        const struct peer_entry *pe = &t->peers[i];
        for (size_t a = 0; a < pe->n_addrs; a++) {
            if (strcmp(pe->addrs[a].ip, o->ip) != 0 || !zone_subject_ok(pe->zone, o))
                continue;
            if (pe->addrs[a].port == o->port) {
                z = pe->zone;
                break;
            }
            /* Over TCP/TLS the peer connects from an ephemeral port: the IP decides. */
            if (!by_ip)
                by_ip = pe->zone;
        }
    }
    if (!z)
        z = by_ip;
    if (!z)
        z = dialplan_default_zone(dp);

    if (z->authenticated == ZONE_AUTH_YES)
        *authenticated = true;
    else if (z->authenticated == ZONE_AUTH_VERIFIED)
        *authenticated = cert_names_domain(o);
    else
        *authenticated = false;
    return z;
}
