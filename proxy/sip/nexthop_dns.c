/* nexthop_dns.c — DNS-zone next hops through the c-ares resolver (SPEC §5.3). */
#include "nexthop_dns.h"

#include <stdio.h>
#include <string.h>

#include "dnszone.h"
#include "log.h"

/* A pending next-hop query: owns its dns query; freed before `done` runs, or by cancel. */
struct nexthop_query {
    su_home_t home[1];
    struct dns_query *dq;
    nexthop_done_f *done;
    void *arg;
    size_t attempt;
    char domain[256];
    bool uri_host;               /* nexthop_dns_select_host(): the transport is the URI's */
    enum sip_transport tp;
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
    struct nexthop_query *q = arg;
    nexthop_done_f *done = q->done;
    void *done_arg = q->arg;
    size_t attempt = q->attempt;
    /* A URI host keeps the URI's transport; a DNS-zone domain takes the SRV service's. */
    enum sip_transport tp = q->uri_host ? q->tp : srv_service_transport(ans->service);
    char domain[sizeof q->domain];
    struct nexthop hop;

    memcpy(domain, q->domain, sizeof domain);
    su_home_unref(q->home);             /* gone before `done` runs, as nexthop.h promises */
    log_debug("dns", "event=next_hop domain=%s status=%d reason=%s target=%s cached=%s",
              domain, ans->status, ans->reason, ans->target ? ans->target : "-",
              from_cache ? "yes" : "no");
    if (ans->status == DNS_NOT_FOUND) {
        done(done_arg, DNS_NOT_FOUND, ans->reason, NULL);
    } else if (ans->status != DNS_OK) {
        log_warn("dns", "event=failure domain=%s reason=%s error=\"%s\"", domain, ans->reason,
                 ans->error ? ans->error : "-");
        char cause[320];
        snprintf(cause, sizeof cause, "DNS failure for %s: %s%s%s", domain, ans->reason,
                 ans->error ? ": " : "", ans->error ? ans->error : "");
        done(done_arg, HOP_TIMEOUT, cause, NULL);
    } else if (!nexthop_dns_hop(ans, attempt, tp, &hop)) {
        done(done_arg, HOP_BAD_GATEWAY,
             attempt ? "no more addresses" : "the SRV target has no address", NULL);
    } else {
        done(done_arg, 0, NULL, &hop);
    }
}

/* Start resolving `req` for a pending query named `name` (for logs). `uri_host`: the hop keeps
 * transport `tp`; else the answering SRV service decides it. */
static struct nexthop_query *nexthop_dns_start(struct dns_resolver *dns,
                                               const struct dns_request *req, const char *name,
                                               size_t attempt, bool uri_host,
                                               enum sip_transport tp, nexthop_done_f *done,
                                               void *arg)
{
    if (dns == NULL || name == NULL) {
        done(arg, 500, dns ? "no domain" : "no DNS resolver", NULL);
        return NULL;
    }
    struct nexthop_query *q = su_home_new(sizeof *q);
    if (q == NULL) {
        done(arg, 500, "out of memory", NULL);
        return NULL;
    }
    q->done = done, q->arg = arg, q->attempt = attempt, q->uri_host = uri_host, q->tp = tp;
    snprintf(q->domain, sizeof q->domain, "%s", name);
    if (dns_resolve(dns, req, nexthop_dns_answered, q, &q->dq) != 0) {
        su_home_unref(q->home);
        done(arg, HOP_TIMEOUT, "DNS query failed", NULL);
        return NULL;
    }
    return q;
}

struct nexthop_query *nexthop_dns_select(struct dns_resolver *dns, const struct dialplan *dp,
                                         const struct nexthop_request *rq, nexthop_done_f *done,
                                         void *arg)
{
    struct dns_request req = { 0 };
    if (rq->domain != NULL)
        dnszone_request(dp, rq->zone, rq->domain, &req, NULL);
    return nexthop_dns_start(dns, &req, rq->domain, rq->attempt, false, SIP_TP_TLS, done, arg);
}

struct nexthop_query *nexthop_dns_select_host(struct dns_resolver *dns, const char *host,
                                              uint16_t port, enum sip_transport tp,
                                              nexthop_done_f *done, void *arg)
{
    struct dns_request req = { .domain = host, .fallback_a = true, .port = port };
    return nexthop_dns_start(dns, &req, host, 0, true, tp, done, arg);
}

void nexthop_dns_cancel(struct nexthop_query *q)
{
    if (q == NULL)
        return;
    dns_query_cancel(q->dq);
    su_home_unref(q->home);
}
