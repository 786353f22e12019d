/* nexthop_dns.h — the DNS zone's next hop through c-ares (dns.h): SRV with Microsoft's pick, then
 * A/AAAA, for a domain without a static route. Called by nexthop_select(); see nexthop.h for the
 * contract (`done` exactly once unless cancelled). */
#ifndef SIPFED_NEXTHOP_DNS_H
#define SIPFED_NEXTHOP_DNS_H

#include "dns.h"
#include "nexthop.h"

/* Resolve rq->domain in the DNS zone rq->zone with `dns` (NULL: answers 503 at once). The
 * attempt-th address of the chosen target is the hop (failover across its addresses); the hop's
 * host is the SRV target, which the server certificate must carry. Outcomes: 404 when the
 * domain has no federation record (NXDOMAIN, no SRV, no address), 503 when DNS failed (timeout,
 * SERVFAIL, REFUSED) or no address is left. Returns the pending query, or NULL when `done` has
 * already run. */
struct nexthop_query *nexthop_dns_select(struct dns_resolver *dns, const struct dialplan *dp,
                                         const struct nexthop_request *rq, nexthop_done_f *done,
                                         void *arg);
/* A URI's host name (a Route entry or a dialog's remote target, e.g. a Microsoft edge's
 * Record-Route FQDN) that is no peer or static-route name: its A/AAAA, on `port`, reached with
 * `tp` (the URI's transport). Same contract as nexthop_dns_select(). */
struct nexthop_query *nexthop_dns_select_host(struct dns_resolver *dns, const char *host,
                                              uint16_t port, enum sip_transport tp,
                                              nexthop_done_f *done, void *arg);
/* Drop a pending query (NULL is fine): its `done` never runs. */
void nexthop_dns_cancel(struct nexthop_query *q);

/* Fill `hop` with the attempt-th address of a DNS_OK answer. Returns false when there is no
 * such address. */
bool nexthop_dns_hop(const struct dns_answer *ans, size_t attempt, enum sip_transport tp,
                     struct nexthop *hop);

#endif
