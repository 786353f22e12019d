/* dns_report.h — what `sipfed locate` prints for a DNS-zone target and what `sipfed check --dns`
 * verifies about our own published records (the Microsoft edge's view of us). */
#ifndef SIPFED_DNS_REPORT_H
#define SIPFED_DNS_REPORT_H

#include <stdio.h>

#include "config.h"
#include "dialplan.h"

/* Print, for the DNS zone `z` and the target `domain`, the federation policy verdict, then the
 * static route, or the SRV answers with the record chosen and the A/AAAA answers, and the route
 * URI the proxy would use. Resolves with a private event loop (bounded by c-ares' timeouts).
 * Returns the SIP status the proxy would give (0: routable, 403, 404, 503). */
int dns_report_locate(FILE *out, const struct node_config *cfg, const struct dialplan *dp,
                      const struct zone *z, const char *domain);

/* `check --dns`: resolve _sipfederationtls._tcp of every local domain and report what a Microsoft
 * Access Edge would reject: no record, more than one record (it uses one, never fails over), a
 * target outside the domain's namespace (ms-diagnostics 1009), a target our certificate
 * ([tls] certificate) does not name (1010), a target with no address. Returns the number of
 * problems found (0: all good); an unreadable certificate or no local domain counts as one. */
int dns_report_check(FILE *out, const struct node_config *cfg, const struct dialplan *dp);

#endif
