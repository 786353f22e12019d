/* fuzz_sip.h — what the SIP targets (fuzz_request, fuzz_stream) share: the agent's message
 * class and what nta lets through to the proxy. */
#ifndef SIPFED_FUZZ_SIP_H
#define SIPFED_FUZZ_SIP_H

#include <stdbool.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

/* The agent's message class (sip_mclass.c: sofia's, with fallbacks for request lines sofia
 * refuses), made once; its "dropped" log lines are turned off. */
msg_mclass_t const *fuzz_sip_mclass(void);

/* What nta (1.12, agent_recv_request) lets through to the proxy with the agent's settings
 * (proxy.c: NTATAG_BAD_REQ_MASK(sip_mask_request)): no error in a request-essential header, no
 * fatal error, sip_sanity_check() passed. Everything else is answered 400 (or dropped) by nta. */
bool fuzz_nta_would_accept(msg_t *msg, const sip_t *sip);

#endif
