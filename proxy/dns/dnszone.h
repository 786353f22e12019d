/* dnszone.h — the DNS zone's next hop (SPEC §5.3): from a target domain to what to resolve (its
 * static route's host, or its SRV services). Shared by the proxy's next-hop code, `locate` and
 * `check`: one code path (the route URI: nexthop_dns_hop() + nexthop_route_url()). */
#ifndef SIPFED_DNSZONE_H
#define SIPFED_DNSZONE_H

#include <sofia-sip/su_alloc.h>

#include "config.h"
#include "dialplan.h"
#include "dns.h"

/* What the DNS zone `z` resolves for `domain`. With a static route for the domain (*route set),
 * its host's A/AAAA on its port — never the domain's SRV records (no fallback to DNS); else the
 * zone's SRV services, and the A-record fallback if the zone enables it. `req` points into `dp`,
 * `z` and `domain`: valid while they are. */
void dnszone_request(const struct dialplan *dp, const struct zone *z, const char *domain,
                     struct dns_request *req, const struct static_route **route);

/* The resolver options from the node file's [dns] section. Valid while `cfg` is. */
void dnszone_options(const struct node_config *cfg, struct dns_options *opt);

#endif
