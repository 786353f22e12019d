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

/* Drop the DNS-zone targets whose domain may not federate, then the levels left empty. Sets
 * out->status to 403 when targets were found and every one was refused. */
static int decide_policy_targets(su_home_t *home, const struct dialplan *dp,
                                 const struct decide_input *in, struct decision *out)
{
    struct search_result *sr = &out->search;
    size_t kept_levels = 0, refused = 0;
    const char *first_domain = NULL, *first_why = NULL;

    for (size_t l = 0; l < sr->n_levels; l++) {
        struct search_level *lv = &sr->levels[l];
        size_t kept = 0;
        for (size_t t = 0; t < lv->n_targets; t++) {
            struct search_target *tg = &lv->targets[t];
            if (tg->zone->type == ZONE_DNS) {
                char *domain = alias_host(home, tg->alias);
                const char *why;
                if (domain == NULL)
                    return ENOMEM;
                if (!policy_domain_allowed(dp, in->learnt, POLICY_OUTBOUND, domain, &why)) {
                    if (refused++ == 0)
                        first_domain = domain, first_why = why;
                    continue;
                }
            }
            lv->targets[kept++] = *tg;
        }
        lv->n_targets = kept;
        if (kept > 0)
            sr->levels[kept_levels++] = *lv;
    }
    bool had_targets = sr->n_levels > 0;
    sr->n_levels = kept_levels;
    if (had_targets && kept_levels == 0 && refused > 0) {
        out->status = SIP_403_FORBIDDEN;
        out->reason = su_sprintf(home, "federation policy refuses target domain %s (%s)",
                                 first_domain, first_why);
        if (out->reason == NULL)
            return ENOMEM;
    }
    return 0;
}

int decide_request(su_home_t *home, const struct dialplan *dp, const struct decide_input *in,
                   struct decision *out)
{
    int err;

    memset(out, 0, sizeof *out);
    const url_t *ru = in->sip->sip_request ? in->sip->sip_request->rq_url : NULL;
    if (ru && ru->url_type != url_sip && ru->url_type != url_sips) {
        /* RFC 3261 §8.2.2.1 / §16.3 step 2: a scheme we cannot route (tel:, http:, ...). */
        out->status = SIP_416_UNSUPPORTED_URI;
        out->reason = "unsupported Request-URI scheme";
        return 0;
    }
    if ((err = decide_alias(home, in->sip, &out->alias)) != 0)
        return err;
    if (out->alias == NULL) {
        out->status = SIP_400_BAD_REQUEST;
        out->reason = "no usable alias in the Request-URI";
        return 0;
    }
    out->traffic = classify_request(in->sip, in->source);

    /* Federation policy, before the search (SPEC §6): the From domain of a request from the
     * default zone. An inbound SUBSCRIBE from a domain that may not federate stops here, before
     * it can reach IM&P. */
    if (in->source->type == ZONE_DEFAULT) {
        const char *domain = in->sip->sip_from ? in->sip->sip_from->a_url->url_host : NULL;
        const char *why;
        out->from_allowed = policy_domain_allowed(dp, in->learnt, POLICY_INBOUND, domain, &why);
        out->from_domain = domain;
        out->from_policy = why;
        if (!out->from_allowed) {
            out->status = SIP_403_FORBIDDEN;
            out->reason = su_sprintf(home, "federation policy refuses From domain %s (%s)",
                                     domain ? domain : "(none)", why);
            return out->reason ? 0 : ENOMEM;
        }
    }

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
     * target. A refused target is dropped; when nothing is left, 403. */
    if ((err = decide_policy_targets(home, dp, in, out)) != 0 || out->status != 0)
        return err;

    if (out->search.n_levels == 0) {
        out->status = SIP_404_NOT_FOUND;
        out->reason = "no search rule matched";
    }
    return 0;
}
