/* decide.h — from a parsed request to a routing decision. The one code path shared by the proxy
 * (forward), `sipfed locate` and `sipfed check --cases`: alias (SPEC §4.1), traffic type (§4.2),
 * federation policy (§6) and the search (§4.3). Pure: no sockets, no DNS. */
#ifndef SIPFED_DECIDE_H
#define SIPFED_DECIDE_H

#include <stdbool.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>

#include "dialplan.h"
#include "policy.h"
#include "search.h"
#include "types.h"

struct decide_input {
    const sip_t *sip;              /* the request, parsed by sofia-sip */
    const struct zone *source;     /* its source zone (SPEC §5.1); never NULL */
    bool authenticated;            /* SPEC §5.5: zone flag, or a verified client certificate */
    const struct policy_learnt *learnt;  /* open federation's learnt domains (policy.h); NULL:
                                          * none (check, locate) */
};

struct decision {
    int status;                    /* 0: route along `search`; else the SIP status to answer */
    const char *reason;            /* short text for the log and the trace when status != 0 */
    const char *alias;             /* the request's alias */
    enum traffic traffic;          /* its classification */
    const char *from_domain;       /* the From host the inbound policy judged (NULL: none) */
    const char *from_policy;       /* its verdict (policy.h reason: "allow_list", "not_allowed"...);
                                    * NULL when not judged (source is not the default zone) */
    bool from_allowed;             /* the inbound verdict, when from_policy is set */
    struct search_result search;   /* levels and trace (empty when refused before the search) */
};

/* Decide how to route `in->sip`. Everything in *out is allocated from `home`. Returns 0 (see
 * out->status: 404 when no rule matched, 403 when the federation policy refuses the request,
 * 400 when the Request-URI has no usable alias), or ENOMEM. */
int decide_request(su_home_t *home, const struct dialplan *dp, const struct decide_input *in,
                   struct decision *out);

#endif
