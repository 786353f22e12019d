/* search.h — the search engine (SPEC §4.1–4.3): from a request's alias, source zone, traffic type
 * and authentication to the ordered priority levels of targets, with a trace of every rule tried.
 * Pure: no sockets, no DNS. The proxy, `sipfed locate` and `sipfed check` all call search_run(). */
#ifndef SIPFED_SEARCH_H
#define SIPFED_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

#include "dialplan.h"
#include "types.h"

struct search_request {
    const char *alias;           /* user@host[:port][;params], host already lowercased (alias.h) */
    const char *method;          /* e.g. "MESSAGE" (for traces and logs) */
    const struct zone *source;   /* the source zone (never NULL: the default zone at least) */
    enum traffic traffic;        /* TRAFFIC_STANDARD, TRAFFIC_MS_SIP or TRAFFIC_MS_IMP */
    bool authenticated;
};

/* Why a rule did or did not contribute a target. */
enum search_verdict {
    SEARCH_MATCHED,
    SEARCH_SKIP_DISABLED,
    SEARCH_SKIP_SOURCE,
    SEARCH_SKIP_TRAFFIC,
    SEARCH_SKIP_AUTH,
    SEARCH_SKIP_PATTERN,
    SEARCH_SKIP_STOPPED,         /* a higher-priority level already said stop */
};

struct search_step {
    const struct rule *rule;
    enum search_verdict verdict;
    const char *alias_in;        /* the alias the rule saw */
    const char *alias_out;       /* SEARCH_MATCHED: the alias its target receives */
};

struct search_target {
    const struct zone *zone;
    const char *alias;           /* the alias (Request-URI without scheme) this target receives */
    const struct rule *rule;     /* the rule that chose it */
};

struct search_level {
    unsigned priority;
    struct search_target *targets;   /* tried in parallel */
    size_t n_targets;
    bool stop;                       /* a rule of this level said stop: no level follows */
};

struct search_result {
    struct search_level *levels;     /* tried in turn while every branch of a level fails */
    size_t n_levels;
    struct search_step *trace;       /* every enabled or disabled rule, in search order */
    size_t n_trace;
};

/* Run the search. Everything in *out is allocated from `home`. Returns 0 (n_levels == 0 means
 * no rule matched: 404), or ENOMEM. */
int search_run(su_home_t *home, const struct dialplan *dp, const struct search_request *req,
               struct search_result *out);

const char *search_verdict_name(enum search_verdict v);

#endif
