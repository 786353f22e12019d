/* decide.c — from a parsed request to a routing decision (SPEC §4, §6). Pure. */
#include <errno.h>
#include <string.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "alias.h"
#include "classify.h"
#include "decide.h"

/* The Request-URI as an alias; only sip: and sips: URIs with a host route (a tel: URI or a
 * missing host has no alias). Sets *alias NULL for that case; returns ENOMEM on allocation
 * failure only. */
static int decide_alias(su_home_t *home, const sip_t *sip, const char **alias)
{
    const url_t *url = sip && sip->sip_request ? sip->sip_request->rq_url : NULL;
    *alias = NULL;
    if (url == NULL || (url->url_type != url_sip && url->url_type != url_sips) ||
        url->url_host == NULL || url->url_host[0] == '\0')
        return 0;
    *alias = alias_from_url(home, url);
    return *alias ? 0 : ENOMEM;
}

int decide_request(su_home_t *home, const struct dialplan *dp, const struct decide_input *in,
                   struct decision *out)
{
    int err;

    memset(out, 0, sizeof *out);
    if ((err = decide_alias(home, in->sip, &out->alias)) != 0)
        return err;
    if (out->alias == NULL) {
        out->status = SIP_400_BAD_REQUEST;
        out->reason = "no usable alias in the Request-URI";
        return 0;
    }
    out->traffic = classify_request(in->sip, in->source);

    /* Federation policy, before the search (SPEC §6): the From domain of a request from the
     * default zone. The dns helper's policy.c goes here; until then nothing is refused. */

    struct search_request req = {
        .alias = out->alias,
        .method = in->sip->sip_request->rq_method_name,
        .source = in->source,
        .traffic = out->traffic,
        .authenticated = in->authenticated,
    };
    if ((err = search_run(home, dp, &req, &out->search)) != 0)
        return err;

    /* Federation policy, after the search (SPEC §6): the target domain of every DNS-zone
     * target (out->search.levels[].targets[] with zone->type == ZONE_DNS). The dns helper's
     * policy.c goes here too; a refused request gets SIP_403_FORBIDDEN. */

    if (out->search.n_levels == 0) {
        out->status = SIP_404_NOT_FOUND;
        out->reason = "no search rule matched";
    }
    return 0;
}
