/* nexthop_dns.c — DNS-zone next hops through the c-ares resolver (SPEC §5.3). */
#include "nexthop_dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnszone.h"
#include "log.h"

/* A pending next-hop query: owns its dns query; freed before `done` runs, or by cancel. */
struct nexthop_query {
    struct dns_query *dq;
    nexthop_done_f *done;
    void *arg;
    size_t attempt;
    char domain[256];
};

bool nexthop_dns_hop(const struct dns_answer *ans, size_t attempt, enum sip_transport tp,
                     struct nexthop *hop)
{
    if (ans->status != DNS_OK || attempt >= ans->n_addrs)
        return false;
    memset(hop, 0, sizeof *hop);
    snprintf(hop->host, sizeof hop->host, "%s", ans->target);
    snprintf(hop->ip, sizeof hop->ip, "%s", ans->addrs[attempt]);
    hop->port = ans->port;
    hop->transport = tp;
    return true;
}

static void nexthop_dns_answered(void *arg, const struct dns_answer *ans, bool from_cache)
{
    struct nexthop_query q = *(struct nexthop_query *)arg;
    struct nexthop hop;
    free(arg);

    log_debug("dns", "event=next_hop domain=%s status=%d reason=%s target=%s cached=%s",
              q.domain, ans->status, ans->reason, ans->target ? ans->target : "-",
              from_cache ? "yes" : "no");
    if (ans->status == DNS_NOT_FOUND) {
        q.done(q.arg, DNS_NOT_FOUND, ans->reason, NULL);
    } else if (ans->status != DNS_OK) {
        log_warn("dns", "event=failure domain=%s reason=%s error=\"%s\"", q.domain, ans->reason,
                 ans->error ? ans->error : "-");
        q.done(q.arg, DNS_UNAVAILABLE, ans->reason, NULL);
    } else if (!nexthop_dns_hop(ans, q.attempt, srv_service_transport(ans->service), &hop)) {
        q.done(q.arg, DNS_UNAVAILABLE, "no more addresses", NULL);
    } else {
        q.done(q.arg, 0, NULL, &hop);
    }
}

struct nexthop_query *nexthop_dns_select(struct dns_resolver *dns, const struct dialplan *dp,
                                         const struct nexthop_request *rq, nexthop_done_f *done,
                                         void *arg)
{
    struct dns_request req;
    if (dns == NULL || rq->domain == NULL) {
        done(arg, DNS_UNAVAILABLE, dns ? "no domain" : "no DNS resolver", NULL);
        return NULL;
    }
    struct nexthop_query *q = calloc(1, sizeof *q);
    if (q == NULL) {
        done(arg, DNS_UNAVAILABLE, "out of memory", NULL);
        return NULL;
    }
    q->done = done, q->arg = arg, q->attempt = rq->attempt;
    snprintf(q->domain, sizeof q->domain, "%s", rq->domain);
    dnszone_request(dp, rq->zone, rq->domain, &req, NULL);
    int err = dns_resolve(dns, &req, nexthop_dns_answered, q, &q->dq);
    if (err != 0) {
        free(q);
        done(arg, DNS_UNAVAILABLE, "DNS query failed", NULL);
        return NULL;
    }
    return q;
}

void nexthop_dns_cancel(struct nexthop_query *q)
{
    if (q == NULL)
        return;
    dns_query_cancel(q->dq);
    free(q);
}
