/* srv.c — Microsoft's SRV selection and the same-namespace rule. */
#include "srv.h"

#include "dname.h"

#include <string.h>
#include <strings.h>

static bool srv_target_is_root(const char *target)
{
    return target == NULL || dname_len(target) == 0;
}

/* Whether `r` is preferred over `best` under srv_pick_ms()'s order. */
static bool srv_record_better(const struct srv_record *r, const struct srv_record *best)
{
    if (r->priority != best->priority)
        return r->priority < best->priority;
    if (r->weight != best->weight)
        return r->weight > best->weight;
    int c = dname_cmp(r->target, best->target);
    if (c != 0)
        return c < 0;
    return r->port < best->port;
}

int srv_pick_ms(const struct srv_record *recs, size_t n)
{
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (srv_target_is_root(recs[i].target))
            continue;
        if (best < 0 || srv_record_better(&recs[i], &recs[best]))
            best = (int)i;
    }
    return best;
}

bool srv_target_in_namespace(const char *domain, const char *target)
{
    if (domain == NULL || target == NULL)
        return false;
    size_t nd = dname_len(domain), nt = dname_len(target);
    if (nd == 0 || nt < nd)
        return false;
    if (strncasecmp(target + (nt - nd), domain, nd) != 0)
        return false;
    /* Either the whole name, or the suffix starts at a label boundary. */
    return nt == nd || target[nt - nd - 1] == '.';
}

enum sip_transport srv_service_transport(const char *service)
{
    if (service == NULL)
        return SIP_TP_TLS;
    const char *dot = strchr(service, '.');
    size_t first = dot ? (size_t)(dot - service) : strlen(service);
    if (first >= 3 && strncasecmp(service + first - 3, "tls", 3) == 0)
        return SIP_TP_TLS;
    if (first == 5 && strncasecmp(service, "_sips", 5) == 0)
        return SIP_TP_TLS;
    if (dot && strcasecmp(dot, "._udp") == 0)
        return SIP_TP_UDP;
    if (dot && strcasecmp(dot, "._tcp") == 0)
        return SIP_TP_TCP;
    return SIP_TP_TLS;
}
