/* types.h — small enums shared by the configuration, the search engine and the proxy. */
#ifndef SIPFED_TYPES_H
#define SIPFED_TYPES_H

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
/* RFC 3261 §19.1.2 / RFC 3263: 5061 for TLS, 5060 otherwise. */
unsigned sip_transport_default_port(enum sip_transport tp);
const char *traffic_name(enum traffic t);                /* "standard" | "ms-sip" | ... */

#endif
