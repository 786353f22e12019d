/* gateway.h — `sipfed gateway`: the XMPP gateway process (docs/xmpp.md). An XEP-0114 component
 * of the XMPP server per Microsoft partner domain (libstrophe) and a SIP user agent (sofia NUA)
 * that reaches Microsoft through the sipfed proxy. */
#ifndef SIPFED_GATEWAY_H
#define SIPFED_GATEWAY_H

#include "gateway_config.h"

/* Run the gateway until SIGTERM/SIGINT. Returns 0 after a clean stop, else an errno-style code
 * (set-up failed; the reason is logged). `cfg` stays owned by the caller. */
int gateway_run(const struct gateway_config *cfg);

#endif
