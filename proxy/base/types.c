/* types.c — names of the shared enums, as written in config files and logs. */
#include "types.h"

#include <sofia-sip/sip.h>

const char *sip_transport_name(enum sip_transport tp)
{
    switch (tp) {
    case SIP_TP_UDP: return "udp";
    case SIP_TP_TCP: return "tcp";
    case SIP_TP_TLS: return "tls";
    }
    return "?";
}

uint16_t sip_transport_default_port(enum sip_transport tp)
{
    return tp == SIP_TP_TLS ? SIPS_DEFAULT_PORT : SIP_DEFAULT_PORT;
}

const char *traffic_name(enum traffic t)
{
    switch (t) {
    case TRAFFIC_STANDARD: return "standard";
    case TRAFFIC_MS_SIP: return "ms-sip";
    case TRAFFIC_MS_IMP: return "ms-imp";
    case TRAFFIC_ANY: return "any";
    case TRAFFIC_MS_ANY: return "ms-any";
    }
    return "?";
}
