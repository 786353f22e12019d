/* types.h — small enums shared by the configuration, the search engine and the proxy. */
#ifndef SIPFED_TYPES_H
#define SIPFED_TYPES_H

#include <stdint.h>

enum sip_transport { SIP_TP_UDP, SIP_TP_TCP, SIP_TP_TLS };

/* Expressway's "SIP variant" (SPEC §4.2). The first three classify a request; the rest are
 * rule filters only. */
enum traffic {
    TRAFFIC_STANDARD,
    TRAFFIC_MS_SIP,
    TRAFFIC_MS_IMP,
    TRAFFIC_ANY,     /* filter: every request */
    TRAFFIC_MS_ANY,  /* filter: ms-sip or ms-imp */
};

const char *sip_transport_name(enum sip_transport tp);   /* "udp" | "tcp" | "tls" */
/* The port a host without one is reached on: 5061 for TLS, else 5060 (sofia's SIPS_DEFAULT_PORT
 * and SIP_DEFAULT_PORT, RFC 3261 §19.1.2). */
uint16_t sip_transport_default_port(enum sip_transport tp);
const char *traffic_name(enum traffic t);                /* "standard" | "ms-sip" | ... */

#endif
