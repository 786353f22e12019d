/* test_search.c — levels, parallel targets, stop/continue, source, traffic, authentication,
 * disabled rules and the trace of search_run() (SPEC §4.3), over dial plans built in C. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_parser.h>

#include "decide.h"
#include "match.h"
#include "search.h"
#include "sipmsg.h"

/* A small dial plan: zones IMP (neighbor), TC (traversal client), DNS and default. */
struct fixture {
    struct dialplan *dp;
    struct zone *imp, *tc, *dns, *dflt;
};

static struct zone *zone_add(struct dialplan *dp, const char *name, enum zone_type type)
{
    struct zone *z = su_zalloc(dp->home, sizeof *z);
    z->name = su_strdup(dp->home, name);
    z->type = type;
    dp->zones[dp->n_zones++] = z;
    return z;
}

/* A rule with SPEC §3.2 defaults, regex pattern `pattern` (NULL: any_alias), target `target`. */
static struct rule *rule_add(struct fixture *f, const char *name, unsigned priority,
                             const char *pattern, struct zone *target)
{
    struct dialplan *dp = f->dp;
    struct rule *r = su_zalloc(dp->home, sizeof *r);
    r->name = su_strdup(dp->home, name);
    r->priority = priority;
    r->source = RULE_SOURCE_ANY;
    r->traffic = TRAFFIC_ANY;
    r->mode = pattern ? RULE_MODE_ALIAS_PATTERN : RULE_MODE_ANY_ALIAS;
    r->pattern_type = PATTERN_REGEX;
    r->pattern = pattern ? su_strdup(dp->home, pattern) : NULL;
    if (pattern) {
        int ec;
        PCRE2_SIZE eo;
        r->regex = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
        assert_non_null(r->regex);
    }
    r->behavior = BEHAVIOR_LEAVE;
    r->on_match = ON_MATCH_STOP;
    r->target = target;
    r->enabled = true;
    dp->rules[dp->n_rules++] = r;   /* tests add rules in priority order, as the loader sorts */
    return r;
}

static void rule_sources(struct fixture *f, struct rule *r, struct zone *z)
{
    r->source = RULE_SOURCE_NAMED;
    r->sources = su_zalloc(f->dp->home, sizeof *r->sources);
    r->sources[0] = z;
    r->n_sources = 1;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dp = su_home_new(sizeof *f->dp);
    f->dp->zones = su_zalloc(f->dp->home, 8 * sizeof *f->dp->zones);
    f->dp->rules = su_zalloc(f->dp->home, 16 * sizeof *f->dp->rules);
    f->imp = zone_add(f->dp, "IMP", ZONE_NEIGHBOR);
    f->tc = zone_add(f->dp, "TC", ZONE_TRAVERSAL_CLIENT);
    f->dns = zone_add(f->dp, "DNS", ZONE_DNS);
    f->dflt = zone_add(f->dp, "default", ZONE_DEFAULT);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (size_t i = 0; i < f->dp->n_rules; i++)
        pcre2_code_free(f->dp->rules[i]->regex);
    su_home_unref(f->dp->home);
    free(f);
    return 0;
}

/* The search result as the cases format writes it: `A+B,C`, `Z=alias` when rewritten. */
static const char *result_string(const struct search_result *res, const char *alias)
{
    static char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < res->n_levels; i++)
        for (size_t j = 0; j < res->levels[i].n_targets; j++) {
            const struct search_target *t = &res->levels[i].targets[j];
            bool same = strcmp(t->alias, alias) == 0;
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s%s%s",
                                    j ? "+" : (i ? "," : ""), t->zone->name, same ? "" : "=",
                                    same ? "" : t->alias);
        }
    return res->n_levels ? buf : "404";
}

struct search_case {
    const char *alias;
    const char *source;          /* zone name */
    enum traffic traffic;
    bool authenticated;
    const char *expect;
};

static const struct zone *zone_by_name(struct fixture *f, const char *name)
{
    for (size_t i = 0; i < f->dp->n_zones; i++)
        if (strcmp(f->dp->zones[i]->name, name) == 0)
            return f->dp->zones[i];
    return NULL;
}

static void run_cases(struct fixture *f, const struct search_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        su_home_t *home = su_home_new(sizeof *home);
        struct search_request req = {
            .alias = cases[i].alias, .method = "MESSAGE",
            .source = zone_by_name(f, cases[i].source), .traffic = cases[i].traffic,
            .authenticated = cases[i].authenticated,
        };
        struct search_result res;
        assert_int_equal(search_run(home, f->dp, &req, &res), 0);
        const char *got = result_string(&res, cases[i].alias);
        if (strcmp(got, cases[i].expect) != 0)
            fail_msg("case %zu (%s from %s): expected %s, got %s", i, cases[i].alias,
                     cases[i].source, cases[i].expect, got);
        assert_int_equal(res.n_trace, f->dp->n_rules);
        su_home_unref(home);
    }
}

#define N(a) (sizeof (a) / sizeof *(a))

/* Equal priorities fork in parallel; a stop ends the search after its own level. */
static void test_search_levels_parallel_stop(void **state)
{
    struct fixture *f = *state;
    rule_add(f, "a", 10, ".*@p\\.test", f->imp)->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "b", 10, ".*@p\\.test", f->tc)->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "c", 20, "x@.*", f->dns);               /* stop */
    rule_add(f, "d", 20, ".*@p\\.test", f->imp)->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "e", 30, ".*", f->tc);
    static const struct search_case cases[] = {
        { "y@p.test", "default", TRAFFIC_STANDARD, false, "IMP+TC,IMP,TC" },
        { "x@p.test", "default", TRAFFIC_STANDARD, false, "IMP+TC,DNS+IMP" },
        { "x@q.test", "default", TRAFFIC_STANDARD, false, "DNS" },
        { "z@q.test", "default", TRAFFIC_STANDARD, false, "TC" },
    };
    run_cases(f, cases, N(cases));
}

/* Rules after a stop level are traced as stopped; rules of the stop level itself still run. */
static void test_search_trace(void **state)
{
    struct fixture *f = *state;
    rule_add(f, "off", 5, ".*", f->dns)->enabled = false;
    rule_add(f, "src", 6, ".*", f->dns)->source = RULE_SOURCE_ALL_ZONES;
    rule_add(f, "traffic", 7, ".*", f->dns)->traffic = TRAFFIC_MS_IMP;
    rule_add(f, "auth", 8, ".*", f->dns)->authenticated = true;
    rule_add(f, "nomatch", 9, "nobody@.*", f->dns);
    struct rule *r = rule_add(f, "rewrite", 10, "(.*)@p\\.test", f->imp);
    r->behavior = BEHAVIOR_REPLACE;
    r->replace = "\\1@imp.p.test";
    rule_add(f, "same-level", 10, ".*", f->tc);
    rule_add(f, "later", 11, ".*", f->dns);

    su_home_t *home = su_home_new(sizeof *home);
    struct search_request req = { .alias = "bob@p.test", .method = "MESSAGE",
                                  .source = f->dflt, .traffic = TRAFFIC_STANDARD };
    struct search_result res;
    assert_int_equal(search_run(home, f->dp, &req, &res), 0);
    static const enum search_verdict expect[] = {
        SEARCH_SKIP_DISABLED, SEARCH_SKIP_SOURCE, SEARCH_SKIP_TRAFFIC, SEARCH_SKIP_AUTH,
        SEARCH_SKIP_PATTERN, SEARCH_MATCHED, SEARCH_MATCHED, SEARCH_SKIP_STOPPED,
    };
    assert_int_equal(res.n_trace, N(expect));
    for (size_t i = 0; i < N(expect); i++) {
        if (res.trace[i].verdict != expect[i])
            fail_msg("rule %s: verdict %s, expected %s", res.trace[i].rule->name,
                     search_verdict_name(res.trace[i].verdict), search_verdict_name(expect[i]));
        assert_string_equal(res.trace[i].alias_in, "bob@p.test");
    }
    assert_string_equal(res.trace[5].alias_out, "bob@imp.p.test");
    assert_string_equal(res.trace[6].alias_out, "bob@p.test");
    assert_null(res.trace[4].alias_out);
    assert_int_equal(res.n_levels, 1);
    assert_true(res.levels[0].stop);
    assert_int_equal(res.levels[0].priority, 10);
    assert_ptr_equal(res.levels[0].targets[0].rule, r);
    assert_string_equal(result_string(&res, "bob@p.test"), "IMP=bob@imp.p.test+TC");
    su_home_unref(home);
}

/* Source any / all_zones / named. */
static void test_search_source(void **state)
{
    struct fixture *f = *state;
    rule_add(f, "named", 10, "n@.*", f->dns)->on_match = ON_MATCH_CONTINUE;
    rule_sources(f, f->dp->rules[0], f->imp);
    rule_add(f, "all", 20, "(n|a)@.*", f->tc)->source = RULE_SOURCE_ALL_ZONES;
    rule_add(f, "any", 30, ".*", f->imp);
    static const struct search_case cases[] = {
        { "n@x.test", "IMP", TRAFFIC_STANDARD, false, "DNS,TC" },
        { "n@x.test", "TC", TRAFFIC_STANDARD, false, "TC" },
        { "n@x.test", "default", TRAFFIC_STANDARD, false, "IMP" },
        { "a@x.test", "DNS", TRAFFIC_STANDARD, false, "TC" },
        { "a@x.test", "default", TRAFFIC_STANDARD, false, "IMP" },
    };
    run_cases(f, cases, N(cases));
}

/* Traffic filters: any, standard, ms-any, ms-sip, ms-imp. */
static void test_search_traffic(void **state)
{
    struct fixture *f = *state;
    static const enum traffic filters[] = {
        TRAFFIC_ANY, TRAFFIC_STANDARD, TRAFFIC_MS_ANY, TRAFFIC_MS_SIP, TRAFFIC_MS_IMP,
    };
    static const char *const names[] = { "any", "standard", "ms-any", "ms-sip", "ms-imp" };
    struct zone *targets[] = { f->imp, f->tc, f->dns, f->dflt, f->imp };
    for (size_t i = 0; i < N(filters); i++) {
        struct rule *r = rule_add(f, names[i], (unsigned)(10 * (i + 1)), ".*", targets[i]);
        r->traffic = filters[i];
        r->on_match = ON_MATCH_CONTINUE;
    }
    static const struct search_case cases[] = {
        { "a@x.test", "default", TRAFFIC_STANDARD, false, "IMP,TC" },
        { "a@x.test", "default", TRAFFIC_MS_SIP, false, "IMP,DNS,default" },
        { "a@x.test", "default", TRAFFIC_MS_IMP, false, "IMP,DNS,IMP" },
    };
    run_cases(f, cases, N(cases));
}

/* Authentication requirement; disabled rules never match. */
static void test_search_auth_and_disabled(void **state)
{
    struct fixture *f = *state;
    rule_add(f, "disabled", 5, ".*", f->tc)->enabled = false;
    rule_add(f, "auth", 10, ".*@ciscoexample\\.test", f->imp)->authenticated = true;
    static const struct search_case cases[] = {
        { "a@ciscoexample.test", "default", TRAFFIC_MS_IMP, true, "IMP" },
        { "a@ciscoexample.test", "default", TRAFFIC_MS_IMP, false, "404" },
        { "a@other.test", "default", TRAFFIC_MS_IMP, true, "404" },
    };
    run_cases(f, cases, N(cases));
}

/* A continue rule's rewrite reaches only its own target; later levels see the request's alias.
 * Two rules giving the same zone the same alias at one level make one branch. */
static void test_search_continue_alias_and_dedup(void **state)
{
    struct fixture *f = *state;
    struct rule *r = rule_add(f, "strip-domain", 10, "(.*)@p\\.test", f->tc);
    r->behavior = BEHAVIOR_REPLACE;
    r->replace = "\\1";
    r->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "exact-later", 20, "bob@p\\.test", f->imp)->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "dup1", 30, ".*", f->dns)->on_match = ON_MATCH_CONTINUE;
    rule_add(f, "dup2", 30, "bob@.*", f->dns)->on_match = ON_MATCH_CONTINUE;
    static const struct search_case cases[] = {
        { "bob@p.test", "default", TRAFFIC_STANDARD, false, "TC=bob,IMP,DNS" },
    };
    run_cases(f, cases, N(cases));
}

/* No rules at all: nothing matches, no trace. */
static void test_search_empty_dialplan(void **state)
{
    struct fixture *f = *state;
    static const struct search_case cases[] = {
        { "bob@p.test", "default", TRAFFIC_STANDARD, false, "404" },
    };
    run_cases(f, cases, N(cases));
}

/* decide_request(): alias + classification + search; 416 for a Request-URI that is not sip or
 * sips (RFC 3261 §8.2.2.1), 400 without a usable alias, 404 when no
 * rule matched. The request is parsed by sofia, as the proxy's would be. */
static void test_decide_request(void **state)
{
    struct fixture *f = *state;
    rule_add(f, "ms-only", 10, ".*@p\\.test", f->imp)->traffic = TRAFFIC_MS_IMP;
    f->tc->traffic_ms_imp = true;
    static const struct {
        const char *text;            /* a whole request, or NULL: MESSAGE to `alias` */
        const char *alias;
        const char *header;
        const char *zone;
        int status;
        enum traffic traffic;
    } cases[] = {
        { NULL, "bob@P.Test", "User-Agent: UCCAPI/16.0", "default", 0, TRAFFIC_MS_IMP },
        { NULL, "bob@p.test", NULL, "default", 404, TRAFFIC_STANDARD },
        { NULL, "bob@p.test", NULL, "TC", 0, TRAFFIC_MS_IMP },
        { NULL, "bob@q.test", NULL, "TC", 404, TRAFFIC_MS_IMP },
        { "MESSAGE tel:+15551234 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKx\r\n"
          "From: <sip:a@b.test>;tag=1\r\nTo: <tel:+15551234>\r\nCall-ID: x\r\n"
          "CSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n", NULL, NULL, "default", 416,
          TRAFFIC_STANDARD },
    };
    for (size_t i = 0; i < N(cases); i++) {
        su_home_t *home = su_home_new(sizeof *home);
        msg_t *msg = NULL;
        char err[128];
        if (cases[i].text) {
            msg = msg_make(sip_default_mclass(), 0, cases[i].text, -1);
        } else {
            const char *h[] = { cases[i].header };
            assert_int_equal(sipmsg_build("MESSAGE", cases[i].alias, h, cases[i].header ? 1 : 0,
                                          NULL, &msg, err, sizeof err), 0);
        }
        assert_non_null(msg);
        struct decide_input in = { .sip = sip_object(msg),
                                   .source = zone_by_name(f, cases[i].zone) };
        struct decision d;
        assert_int_equal(decide_request(home, f->dp, &in, &d), 0);
        if (d.status != cases[i].status)
            fail_msg("case %zu: status %d, expected %d", i, d.status, cases[i].status);
        if (d.status == 0) {
            assert_string_equal(d.alias, "bob@p.test");
            assert_int_equal(d.search.n_levels, 1);
        } else {
            assert_non_null(d.reason);
        }
        if (d.status != 400 && d.status != 416)
            assert_int_equal(d.traffic, cases[i].traffic);
        msg_destroy(msg);
        su_home_unref(home);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_levels_parallel_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_traffic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_auth_and_disabled, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_continue_alias_and_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search_empty_dialplan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decide_request, setup, teardown),
    };
    return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
