/* srv.h — pure DNS-name logic of the DNS zone: Microsoft's SRV record selection and Microsoft's
 * "same namespace" rule. No sockets. (Certificate names: tls_names.h.) */
#ifndef SIPFED_SRV_H
#define SIPFED_SRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

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

/* The transport an SRV service name implies (RFC 3263 §4.1 and Microsoft's names): `_sips._tcp`
 * and any service whose name ends in "tls" (`_sipfederationtls._tcp`, `_sipinternaltls._tcp`) are
 * TLS; otherwise `._udp` is UDP and `._tcp` TCP. Anything else: TLS, the federation default. */
enum sip_transport srv_service_transport(const char *service);

#endif
