/* dnszone.c — DNS-zone next hop: static route or SRV request; resolver options. */
#include "dnszone.h"

#include <string.h>

enum { SIP_DEFAULT_PORT = 5060 };

void dnszone_request(const struct dialplan *dp, const struct zone *z, const char *domain,
                     struct dns_request *req, const struct static_route **route)
{
    const struct static_route *sr = NULL;
    for (size_t i = 0; i < dp->n_static_routes && sr == NULL; i++)
        if (srv_name_equal(domain, dp->static_routes[i]->domain))
            sr = dp->static_routes[i];
    memset(req, 0, sizeof *req);
    if (sr != NULL) {
        req->domain = sr->next_hop.host;
        req->fallback_a = true;
        /* The transport's default port, as the proxy's static-route table uses (nexthop.c). */
        req->port = sr->next_hop.port ? sr->next_hop.port
                    : sr->transport == SIP_TP_TLS ? DNS_FALLBACK_PORT : SIP_DEFAULT_PORT;
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
