/* srv.h — pure DNS-name logic of the DNS zone: Microsoft's SRV record selection, Microsoft's
 * "same namespace" rule and the certificate-name check `sipfed check --dns` applies. No sockets. */
#ifndef SIPFED_SRV_H
#define SIPFED_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct srv_record {
    const char *target;          /* host name, as in the answer (a trailing dot is ignored) */
    uint16_t priority;
    uint16_t weight;
    uint16_t port;
    uint32_t ttl;                /* seconds */
};

/* The one record a Microsoft Access Edge uses: the lowest priority, then the highest weight (no
 * weighted random choice and no failover to other records, [MS-SIPRE] 3.1.4 / the Lync edge
 * behaviour the Cisco guide documents). Remaining ties are broken deterministically so that every
 * node and every run picks the same record: the target name first in case-insensitive byte order,
 * then the lowest port, then the first in answer order. Returns the index in `recs`, or -1 when
 * n == 0. A record with the RFC 2782 "service not available" target "." is never picked; if only
 * such records exist, -1. */
int srv_pick_ms(const struct srv_record *recs, size_t n);

/* Microsoft's "same namespace" rule (ms-diagnostics 1009): the SRV target of `domain` must be
 * `domain` itself or a name inside it (sip.msexample.test for msexample.test; never
 * sip.msexample.test.evil.example or xmsexample.test). Case-insensitive; trailing dots ignored. */
bool srv_target_in_namespace(const char *domain, const char *target);

/* Whether `name` (a SRV target or static-route host) is carried by a certificate whose names
 * (SAN dNSName entries, or the CN when there is no SAN) are `names`. Exact, case-insensitive match,
 * trailing dots ignored, no wildcards: the same rule sofia's tport applies to the certificates it
 * checks, and the safe reading of Microsoft's requirement that the SRV target FQDN be in the
 * edge certificate (ms-diagnostics 1010). */
bool srv_name_in_cert(const char *name, const char *const *names, size_t n);

/* Case-insensitive equality of two DNS names, ignoring one trailing dot on either. */
bool srv_name_equal(const char *a, const char *b);

#endif
