/* test_decide_policy.c — the federation policy inside decide_request() (SPEC §6): 403 for a
 * refused From domain from the default zone (before the search: a SUBSCRIBE never reaches IM&P),
 * 403 for a refused DNS-zone target domain, static routes, learnt domains, other zones untouched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_parser.h>

#include "decide.h"

static char *local_domains[] = { "ciscoexample.test" };
static char *allow[] = { "msexample.test" };
static struct static_route route_static = { .domain = "static.test" };
static struct static_route *routes[] = { &route_static };

struct fixture {
    struct dialplan dp;
    struct zone imp, dns, dflt;
    struct rule in, out;
    const struct zone *in_sources[1], *out_sources[1];
    struct rule *rules[2];
    struct zone *zones[3];
};

static void fixture_init(struct fixture *f, enum privacy privacy, bool open_federation)
{
    memset(f, 0, sizeof *f);
    f->imp = (struct zone){ .name = "IMP", .type = ZONE_NEIGHBOR };
    f->dns = (struct zone){ .name = "DNS", .type = ZONE_DNS };
    f->dflt = (struct zone){ .name = "default", .type = ZONE_DEFAULT };
    /* any_alias rules: the policy, not the patterns, is under test */
    f->in_sources[0] = &f->dflt;
    f->in = (struct rule){ .name = "Inbound", .priority = 10, .source = RULE_SOURCE_NAMED,
                           .sources = f->in_sources, .n_sources = 1, .traffic = TRAFFIC_ANY,
                           .mode = RULE_MODE_ANY_ALIAS, .target = &f->imp, .enabled = true };
    f->out_sources[0] = &f->imp;
    f->out = (struct rule){ .name = "Outbound", .priority = 20, .source = RULE_SOURCE_NAMED,
                            .sources = f->out_sources, .n_sources = 1, .traffic = TRAFFIC_ANY,
                            .mode = RULE_MODE_ANY_ALIAS, .target = &f->dns, .enabled = true };
    f->rules[0] = &f->in, f->rules[1] = &f->out;
    f->zones[0] = &f->imp, f->zones[1] = &f->dns, f->zones[2] = &f->dflt;
    f->dp.zones = f->zones, f->dp.n_zones = 3;
    f->dp.rules = f->rules, f->dp.n_rules = 2;
    f->dp.federation = (struct federation){ .local_domains = local_domains, .n_local_domains = 1,
                                            .privacy = privacy, .domains = allow, .n_domains = 1,
                                            .open_federation = open_federation };
    f->dp.static_routes = routes, f->dp.n_static_routes = 1;
}

static msg_t *request_make(const char *method, const char *ruri, const char *from_domain)
{
    char text[1024];
    int n = snprintf(text, sizeof text,
                     "%s sip:%s SIP/2.0\r\n"
                     "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
                     "From: <sip:alice@%s>;tag=1\r\n"
                     "To: <sip:%s>\r\n"
                     "Call-ID: 1@test\r\n"
                     "CSeq: 1 %s\r\n"
                     "Max-Forwards: 70\r\n"
                     "Content-Length: 0\r\n\r\n",
                     method, ruri, from_domain, ruri, method);
    return msg_make(sip_default_mclass(), 0, text, (size_t)n);
}

struct decide_case {
    enum privacy privacy;
    bool open_federation;
    bool learnt;                 /* elsewhere.test is in the learnt cache */
    const char *source;          /* "IMP" or "default" */
    const char *method;
    const char *ruri;
    const char *from_domain;
    int status;                  /* expected decision status */
    const char *target;          /* zone of the first target when status == 0 */
};

static const struct decide_case cases[] = {
    /* inbound from the default zone: the From domain */
    { PRIVACY_ALLOW_LIST, false, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "msexample.test", 0, "IMP" },
    { PRIVACY_ALLOW_LIST, false, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "elsewhere.test", 403, NULL },
    { PRIVACY_ALLOW_LIST, false, false, "default", "MESSAGE", "bob@ciscoexample.test",
      "static.test", 0, "IMP" },
    { PRIVACY_DENY_LIST, false, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "msexample.test", 403, NULL },
    { PRIVACY_DENY_LIST, false, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "elsewhere.test", 0, "IMP" },
    { PRIVACY_OFF, false, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "elsewhere.test", 0, "IMP" },
    { PRIVACY_ALLOW_LIST, true, true, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "elsewhere.test", 0, "IMP" },
    { PRIVACY_ALLOW_LIST, true, false, "default", "SUBSCRIBE", "bob@ciscoexample.test",
      "elsewhere.test", 403, NULL },
    /* outbound to the DNS zone: the target domain; the From domain of a neighbor is not checked */
    { PRIVACY_ALLOW_LIST, false, false, "IMP", "MESSAGE", "bob@msexample.test",
      "ciscoexample.test", 0, "DNS" },
    { PRIVACY_ALLOW_LIST, false, false, "IMP", "MESSAGE", "bob@MSEXAMPLE.test",
      "elsewhere.test", 0, "DNS" },
    { PRIVACY_ALLOW_LIST, false, false, "IMP", "MESSAGE", "bob@elsewhere.test",
      "ciscoexample.test", 403, NULL },
    { PRIVACY_ALLOW_LIST, false, false, "IMP", "MESSAGE", "bob@static.test",
      "ciscoexample.test", 0, "DNS" },
    { PRIVACY_DENY_LIST, false, false, "IMP", "MESSAGE", "bob@msexample.test",
      "ciscoexample.test", 403, NULL },
    { PRIVACY_ALLOW_LIST, true, false, "IMP", "MESSAGE", "bob@elsewhere.test",
      "ciscoexample.test", 0, "DNS" },
    { PRIVACY_OFF, false, false, "IMP", "MESSAGE", "bob@elsewhere.test",
      "ciscoexample.test", 0, "DNS" },
};

static void test_decide_policy_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct decide_case *c = &cases[i];
        su_home_t *home = su_home_new(sizeof *home);
        struct fixture f;
        struct policy_learnt *pl;
        struct decision d;
        fixture_init(&f, c->privacy, c->open_federation);
        assert_int_equal(policy_learnt_create(home, 4, &pl), 0);
        if (c->learnt)
            assert_int_equal(policy_learnt_add(pl, "elsewhere.test", NULL), 0);
        msg_t *msg = request_make(c->method, c->ruri, c->from_domain);
        assert_non_null(msg);
        struct decide_input in = {
            .sip = sip_object(msg),
            .source = strcmp(c->source, "IMP") == 0 ? &f.imp : &f.dflt,
            .learnt = pl,
        };
        assert_int_equal(decide_request(home, &f.dp, &in, &d), 0);
        if (d.status != c->status)
            fail_msg("case %zu (%s %s from %s): status %d, expected %d (%s)", i, c->method,
                     c->ruri, c->from_domain, d.status, c->status, d.reason ? d.reason : "");
        if (c->status == 0) {
            assert_true(d.search.n_levels > 0);
            assert_string_equal(d.search.levels[0].targets[0].zone->name, c->target);
        } else {
            assert_non_null(strstr(d.reason, "federation policy"));
            assert_int_equal(d.search.n_levels, 0);
        }
        msg_destroy(msg);
        su_home_unref(home);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decide_policy_table),
    };
    return cmocka_run_group_tests_name("decide_policy", tests, NULL, NULL);
}
