/* nexthop_url.c — the route URI nta is given for a next hop (see nexthop.h). Its own file below
 * nexthop.c, because peerhealth.c needs it and nexthop.c asks peerhealth.c which peers are down. */
#include <stdbool.h>
#include <string.h>

#include <sofia-sip/hostdomain.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_string.h>

#include "nexthop.h"

char *nexthop_route_url(su_home_t *home, const struct nexthop *hop)
{
    bool v6 = strchr(hop->ip, ':') != NULL;
    const char *tp = sip_transport_name(hop->transport);

    if (host_is_ip_address(hop->host) || strcmp(hop->host, hop->ip) == 0)
        return su_sprintf(home, v6 ? "sip:[%s]:%u;transport=%s" : "sip:%s:%u;transport=%s",
                          hop->ip, hop->port, tp);
    return su_sprintf(home, v6 ? "sip:%s:%u;transport=%s;maddr=[%s]"
                               : "sip:%s:%u;transport=%s;maddr=%s",
                      hop->host, hop->port, tp, hop->ip);
}
