/* search.c — priority levels, parallel targets, stop/continue (SPEC §4.3). Pure. */
#include <errno.h>
#include <string.h>

#include "match.h"
#include "search.h"

const char *search_verdict_name(enum search_verdict v)
{
    switch (v) {
    case SEARCH_MATCHED: return "matched";
    case SEARCH_SKIP_DISABLED: return "disabled";
    case SEARCH_SKIP_SOURCE: return "source";
    case SEARCH_SKIP_TRAFFIC: return "traffic";
    case SEARCH_SKIP_AUTH: return "authentication";
    case SEARCH_SKIP_PATTERN: return "pattern";
    case SEARCH_SKIP_STOPPED: return "stopped";
    }
    return "?";
}

/* `source = any | all_zones | ZONE,...`: all_zones is every zone but the default zone. */
static bool search_source_ok(const struct rule *r, const struct zone *src)
{
    switch (r->source) {
    case RULE_SOURCE_ANY:
        return true;
    case RULE_SOURCE_ALL_ZONES:
        return src != NULL && src->type != ZONE_DEFAULT;
    case RULE_SOURCE_NAMED:
        for (size_t i = 0; i < r->n_sources; i++)
            if (r->sources[i] == src)
                return true;
        return false;
    }
    return false;
}

/* Rule filter `any | standard | ms-any | ms-sip | ms-imp` against a classified request. */
static bool search_traffic_ok(enum traffic filter, enum traffic t)
{
    if (filter == TRAFFIC_ANY)
        return true;
    if (filter == TRAFFIC_MS_ANY)
        return t == TRAFFIC_MS_SIP || t == TRAFFIC_MS_IMP;
    return filter == t;
}

/* Two rules of one level sending the same alias to the same zone make one branch, not two. */
static bool search_level_has(const struct search_level *lv, const struct zone *zone,
                             const char *alias)
{
    for (size_t i = 0; i < lv->n_targets; i++)
        if (lv->targets[i].zone == zone && strcmp(lv->targets[i].alias, alias) == 0)
            return true;
    return false;
}

/* The rules are sorted by priority (dialplan.h). Every rule of the request's search sees the
 * request's own alias: a `continue` rule's transform reaches only its own target, so a later
 * level is searched as if that rule had not matched (docs/routing.md, "Transforms"). */
int search_run(su_home_t *home, const struct dialplan *dp, const struct search_request *req,
               struct search_result *out)
{
    size_t n = dp->n_rules;
    int err = 0;
    pcre2_match_data *md = NULL;

    memset(out, 0, sizeof *out);
    if (n == 0)
        return 0;
    out->trace = su_zalloc(home, n * sizeof *out->trace);
    out->levels = su_zalloc(home, n * sizeof *out->levels);
    md = match_data_new();
    if (out->trace == NULL || out->levels == NULL || md == NULL) {
        err = ENOMEM;
        goto out;
    }

    bool stopped = false;
    for (size_t i = 0; i < n; i++) {
        const struct rule *r = dp->rules[i];
        struct search_step *st = &out->trace[out->n_trace++];
        st->rule = r;
        st->alias_in = req->alias;

        /* A new priority: the previous level is closed; a stop there ends the search. */
        struct search_level *lv = out->n_levels ? &out->levels[out->n_levels - 1] : NULL;
        if (lv != NULL && lv->priority != r->priority && lv->stop)
            stopped = true;

        if (stopped) {
            st->verdict = SEARCH_SKIP_STOPPED;
            continue;
        }
        if (!r->enabled) {
            st->verdict = SEARCH_SKIP_DISABLED;
            continue;
        }
        if (!search_source_ok(r, req->source)) {
            st->verdict = SEARCH_SKIP_SOURCE;
            continue;
        }
        if (!search_traffic_ok(r->traffic, req->traffic)) {
            st->verdict = SEARCH_SKIP_TRAFFIC;
            continue;
        }
        if (r->authenticated && !req->authenticated) {
            st->verdict = SEARCH_SKIP_AUTH;
            continue;
        }
        const char *alias_out = NULL;
        enum match_result m = match_rule(home, r, req->alias, md, &alias_out);
        if (m == MATCH_NOMEM) {
            err = ENOMEM;
            goto out;
        }
        if (m != MATCH_YES) {
            /* A regex that PCRE2 gave up on (match limit) cannot route: treated as no match. */
            st->verdict = SEARCH_SKIP_PATTERN;
            continue;
        }
        st->verdict = SEARCH_MATCHED;
        st->alias_out = alias_out;

        if (lv == NULL || lv->priority != r->priority) {
            lv = &out->levels[out->n_levels++];
            lv->priority = r->priority;
            lv->targets = su_zalloc(home, n * sizeof *lv->targets);
            if (lv->targets == NULL) {
                err = ENOMEM;
                goto out;
            }
        }
        if (r->on_match == ON_MATCH_STOP)
            lv->stop = true;
        if (!search_level_has(lv, r->target, alias_out))
            lv->targets[lv->n_targets++] = (struct search_target){
                .zone = r->target, .alias = alias_out, .rule = r };
    }

out:
    match_data_free(md);
    return err;
}
