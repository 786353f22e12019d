/* dnszone.c — DNS-zone next hop: static route or SRV request; resolver options. */
#include "dnszone.h"

#include <string.h>

void dnszone_request(const struct dialplan *dp, const struct zone *z, const char *domain,
                     struct dns_request *req, const struct static_route **route)
{
    const struct static_route *sr = dialplan_static_route_find(dp, domain);
    memset(req, 0, sizeof *req);
    if (sr != NULL) {
        req->domain = sr->next_hop.host;
        req->fallback_a = true;
        /* The transport's default port, as the proxy's static-route table uses (nexthop.c). */
        req->port = sr->next_hop.port ? sr->next_hop.port
                                      : sip_transport_default_port(sr->transport);
    } else {
        req->domain = domain;
        req->services = z->srv;
        req->n_services = z->n_srv;
        req->fallback_a = z->fallback_a_record;
    }
    if (route != NULL)
        *route = sr;
}

void dnszone_options(const struct node_config *cfg, struct dns_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->servers = (const char *const *)cfg->dns_servers;
    opt->n_servers = cfg->n_dns_servers;
}
