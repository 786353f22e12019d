/* dns_report.c — `locate` output for DNS-zone targets and `check --dns`. */
#include "dns_report.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <openssl/pem.h>

#include "dns.h"
#include "dnszone.h"
#include "nexthop_dns.h"
#include "policy.h"
#include "srv.h"
#include "tls_names.h"

#define MS_SERVICE "_sipfederationtls._tcp"

static void report_srv_sets(FILE *out, const struct dns_answer *ans)
{
    for (size_t i = 0; i < ans->n_srv; i++) {
        const struct dns_srv_set *set = &ans->srv[i];
        fprintf(out, "  SRV %s: %s\n", set->name, set->result);
        for (size_t k = 0; k < set->n; k++) {
            const struct srv_record *r = &set->records[k];
            fprintf(out, "    priority=%u weight=%u port=%u target=%s ttl=%u%s\n",
                    (unsigned)r->priority, (unsigned)r->weight, (unsigned)r->port, r->target,
                    (unsigned)r->ttl, (int)k == set->chosen ? "  <- chosen" : "");
        }
    }
}

static void report_addrs(FILE *out, const struct dns_answer *ans)
{
    if (ans->target == NULL)
        return;
    fprintf(out, "  A/AAAA %s:", ans->target);
    for (size_t i = 0; i < ans->n_addrs; i++)
        fprintf(out, " %s", ans->addrs[i]);
    fprintf(out, "%s\n", ans->n_addrs ? "" : " none");
}

static bool report_is_ip_literal(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];
    return host != NULL && (inet_pton(AF_INET, host, addr) == 1 ||
                            inet_pton(AF_INET6, host, addr) == 1);
}

int dns_report_locate(FILE *out, const struct node_config *cfg, const struct dialplan *dp,
                      const struct zone *z, const char *domain)
{
    const char *why, *error = NULL;
    if (!policy_domain_allowed(dp, NULL, POLICY_OUTBOUND, domain, &why)) {
        fprintf(out, "  policy: %s refused (%s) -> 403\n", domain, why);
        return 403;
    }
    fprintf(out, "  policy: %s allowed (%s)\n", domain, why);

    struct dns_request req;
    const struct static_route *sr;
    struct dns_options opt;
    const struct dns_answer *ans = NULL;
    dnszone_request(dp, z, domain, &req, &sr);
    dnszone_options(cfg, &opt);
    if (sr != NULL)
        fprintf(out, "  static route (%s:%u): %s:%u transport=%s, no DNS fallback\n", sr->file,
                sr->line, sr->next_hop.host, (unsigned)req.port, sip_transport_name(sr->transport));
    int err = dns_resolve_once(&opt, &req, &ans, &error);
    if (err != 0 || ans == NULL) {
        fprintf(out, "  dns: cannot resolve: %s\n", error ? error : strerror(err));
        return 503;
    }
    report_srv_sets(out, ans);
    report_addrs(out, ans);
    int status = ans->status;
    if (status == DNS_OK) {
        su_home_t home[1] = { SU_HOME_INIT(home) };
        struct nexthop hop;
        enum sip_transport tp = sr ? sr->transport : srv_service_transport(ans->service);
        char *url = nexthop_dns_hop(ans, 0, tp, &hop) ? nexthop_route_url(home, &hop) : NULL;
        /* as tls_expect_zone(): an address names nothing, so only the chain is verified */
        if (report_is_ip_literal(ans->target))
            fprintf(out, "  next hop: %s (an IP address: the server certificate must chain to "
                    "[tls] ca_file; no name is checked)\n", url ? url : "?");
        else
            fprintf(out, "  next hop: %s (server certificate must name %s)\n", url ? url : "?",
                    ans->target);
        su_home_deinit(home);
    } else {
        fprintf(out, "  dns: %d (%s%s%s)\n", status, ans->reason, ans->error ? ": " : "",
                ans->error ? ans->error : "");
    }
    dns_answer_unref(ans);
    return status;
}

/* The names of the first certificate of the PEM file `path` (tls_cert_names' rule). */
static int report_cert_names(su_home_t *home, const char *path, char ***names, size_t *n)
{
    FILE *f = path ? fopen(path, "r") : NULL;
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (x == NULL)
        return EIO;
    int err = tls_cert_names(home, x, names, n);
    X509_free(x);
    return err;
}

/* Check one local domain; returns the number of problems. */
static int check_domain(FILE *out, const struct dns_options *opt, const char *domain,
                        char *const *names, size_t n_names)
{
    static char *services[] = { MS_SERVICE };
    struct dns_request req = { .domain = domain, .services = services, .n_services = 1 };
    const struct dns_answer *ans = NULL;
    const char *error = NULL;
    int problems = 0;

    if (dns_resolve_once(opt, &req, &ans, &error) != 0 || ans == NULL) {
        fprintf(out, "dns: %s: cannot resolve: %s\n", domain, error ? error : "resolver error");
        return 1;
    }
    const struct dns_srv_set *set = ans->n_srv ? &ans->srv[0] : NULL;
    if (ans->status == DNS_UNAVAILABLE) {
        fprintf(out, "dns: %s: %s.%s: DNS failure (%s)\n", domain, MS_SERVICE, domain,
                ans->error ? ans->error : ans->reason);
        problems++;
    } else if (set == NULL || set->n == 0) {
        fprintf(out, "dns: %s: no %s.%s SRV record: Microsoft edges cannot reach this domain "
                     "(publish one, see README \"Publishing your DNS records\")\n",
                domain, MS_SERVICE, domain);
        problems++;
    } else {
        if (set->n > 1) {
            fprintf(out, "dns: %s: %zu %s records: a Microsoft edge uses only the one with the "
                         "lowest priority and highest weight, never the others (publish one)\n",
                    domain, set->n, MS_SERVICE);
            problems++;
        }
        for (size_t i = 0; i < set->n; i++) {
            const struct srv_record *r = &set->records[i];
            bool chosen = (int)i == set->chosen;
            fprintf(out, "dns: %s: SRV priority=%u weight=%u %s:%u%s\n", domain,
                    (unsigned)r->priority, (unsigned)r->weight, r->target, (unsigned)r->port,
                    chosen ? " (the record a Microsoft edge uses)" : "");
            if (!srv_target_in_namespace(domain, r->target)) {
                fprintf(out, "dns: %s: target %s is outside the domain's namespace: Microsoft "
                             "refuses it (ms-diagnostics 1009)\n", domain, r->target);
                problems++;
            }
            if (!tls_names_contain(names, n_names, r->target)) {
                fprintf(out, "dns: %s: target %s is not in our certificate (names:", domain,
                        r->target);
                for (size_t k = 0; k < n_names; k++)
                    fprintf(out, " %s", names[k]);
                fprintf(out, "%s): Microsoft refuses the TLS connection (ms-diagnostics 1010)\n",
                        n_names ? "" : " none");
                problems++;
            }
        }
        if (ans->status == DNS_OK) {
            fprintf(out, "dns: %s: %s has address", domain, ans->target);
            for (size_t i = 0; i < ans->n_addrs; i++)
                fprintf(out, " %s", ans->addrs[i]);
            fprintf(out, "\n");
        } else if (set->chosen >= 0) {
            fprintf(out, "dns: %s: target %s has no A/AAAA record\n", domain, ans->target);
            problems++;
        }
    }
    dns_answer_unref(ans);
    return problems;
}

int dns_report_check(FILE *out, const struct node_config *cfg, const struct dialplan *dp)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct dns_options opt;
    char **names = NULL;
    size_t n_names = 0;
    int problems = 0;

    dnszone_options(cfg, &opt);
    if (cfg->tls.certificate == NULL ||
        report_cert_names(home, cfg->tls.certificate, &names, &n_names) != 0) {
        fprintf(out, "dns: cannot read the certificate names from [tls] certificate %s\n",
                cfg->tls.certificate ? cfg->tls.certificate : "(not set)");
        problems++;
    }
    if (dp->federation.n_local_domains == 0) {
        fprintf(out, "dns: no [federation] local_domains to check\n");
        problems++;
    }
    for (size_t i = 0; i < dp->federation.n_local_domains; i++)
        problems += check_domain(out, &opt, dp->federation.local_domains[i], names, n_names);
    su_home_deinit(home);
    return problems;
}
