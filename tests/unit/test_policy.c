/* test_policy.c — privacy off/allow/deny, static routes, local domains, open federation and the
 * bounded learnt-domain cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "policy.h"

static char *local_domains[] = { "ciscoexample.test" };
static char *listed[] = { "msexample.test", "partner.test" };
static struct static_route static_route = { .domain = "static.test" };
static struct static_route *static_routes[] = { &static_route };

/* A hand-built dial plan: only the federation and static routes matter to the policy. */
static void dp_init(struct dialplan *dp, enum privacy privacy, bool open_federation)
{
    memset(dp, 0, sizeof *dp);
    dp->federation.local_domains = local_domains;
    dp->federation.n_local_domains = 1;
    dp->federation.privacy = privacy;
    dp->federation.domains = listed;
    dp->federation.n_domains = 2;
    dp->federation.open_federation = open_federation;
    dp->static_routes = static_routes;
    dp->n_static_routes = 1;
}

struct policy_case {
    enum privacy privacy;
    bool open_federation;
    enum policy_dir dir;
    const char *domain;
    bool learnt;                 /* the domain is in the learnt cache */
    bool expect;
    const char *reason;
};

#define IN POLICY_INBOUND
#define OUT POLICY_OUTBOUND
static const struct policy_case cases[] = {
    /* privacy = off: everything but an empty domain */
    { PRIVACY_OFF, false, IN, "anything.test", false, true, "privacy_off" },
    { PRIVACY_OFF, false, OUT, "anything.test", false, true, "privacy_off" },
    { PRIVACY_OFF, false, IN, "", false, false, "no_domain" },
    { PRIVACY_OFF, false, OUT, NULL, false, false, "no_domain" },
    /* allow_list */
    { PRIVACY_ALLOW_LIST, false, IN, "msexample.test", false, true, "allow_list" },
    { PRIVACY_ALLOW_LIST, false, OUT, "PARTNER.test.", false, true, "allow_list" },
    { PRIVACY_ALLOW_LIST, false, IN, "elsewhere.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, false, OUT, "elsewhere.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, false, OUT, "sub.msexample.test", false, true, "allow_list" },
    { PRIVACY_ALLOW_LIST, false, IN, "SIP.msexample.test.", false, true, "allow_list" },
    { PRIVACY_ALLOW_LIST, false, OUT, "xmsexample.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, false, OUT, "msexample.test.evil.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, false, OUT, "sub.static.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, false, IN, "imp1-public.ciscoexample.test", false, true, "local_domain" },
    { PRIVACY_ALLOW_LIST, false, OUT, "192.0.2.15", false, true, "ip_address" },
    { PRIVACY_ALLOW_LIST, false, OUT, "[2001:db8::1]", false, true, "ip_address" },
    { PRIVACY_ALLOW_LIST, false, IN, "192.0.2.15", false, false, "not_allowed" },
    { PRIVACY_DENY_LIST, false, OUT, "edge.msexample.test", false, false, "deny_list" },
    { PRIVACY_ALLOW_LIST, false, OUT, "static.test", false, true, "static_route" },
    { PRIVACY_ALLOW_LIST, false, OUT, "Static.Test.", false, true, "static_route" },
    { PRIVACY_ALLOW_LIST, false, IN, "static.test", false, true, "static_route" },
    { PRIVACY_ALLOW_LIST, false, IN, "ciscoexample.test", false, true, "local_domain" },
    /* a learnt domain only counts with open federation on */
    { PRIVACY_ALLOW_LIST, false, IN, "learnt.test", true, false, "not_allowed" },
    /* deny_list */
    { PRIVACY_DENY_LIST, false, IN, "msexample.test", false, false, "deny_list" },
    { PRIVACY_DENY_LIST, false, OUT, "Msexample.Test", false, false, "deny_list" },
    { PRIVACY_DENY_LIST, false, IN, "elsewhere.test", false, true, "not_denied" },
    { PRIVACY_DENY_LIST, false, OUT, "elsewhere.test", false, true, "not_denied" },
    { PRIVACY_DENY_LIST, false, OUT, "static.test", false, true, "static_route" },
    /* open federation */
    { PRIVACY_ALLOW_LIST, true, OUT, "elsewhere.test", false, true, "open_federation" },
    { PRIVACY_ALLOW_LIST, true, IN, "elsewhere.test", false, false, "not_allowed" },
    { PRIVACY_ALLOW_LIST, true, IN, "learnt.test", true, true, "learnt" },
    { PRIVACY_ALLOW_LIST, true, OUT, "learnt.test", true, true, "learnt" },
    { PRIVACY_DENY_LIST, true, IN, "partner.test", true, false, "deny_list" },
    { PRIVACY_DENY_LIST, true, OUT, "partner.test", false, false, "deny_list" },
    { PRIVACY_DENY_LIST, true, IN, "elsewhere.test", false, true, "not_denied" },
};

static void test_policy_domain_allowed_table(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct policy_learnt *pl;
    assert_int_equal(policy_learnt_create(home, 8, &pl), 0);
    assert_int_equal(policy_learnt_add(pl, "learnt.test", NULL), 0);
    assert_int_equal(policy_learnt_add(pl, "partner.test", NULL), 0);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct policy_case *c = &cases[i];
        struct dialplan dp;
        const char *why = NULL;
        dp_init(&dp, c->privacy, c->open_federation);
        bool got = policy_domain_allowed(&dp, pl, c->dir, c->domain, &why);
        if (got != c->expect || strcmp(why, c->reason) != 0)
            fail_msg("case %zu (%s %s): expected %d/%s, got %d/%s", i, policy_dir_name(c->dir),
                     c->domain ? c->domain : "(null)", c->expect, c->reason, got, why);
        if (c->learnt)
            assert_true(policy_learnt_contains(pl, c->domain));
    }
    /* No cache at all: learnt domains are unknown. */
    struct dialplan dp;
    dp_init(&dp, PRIVACY_ALLOW_LIST, true);
    assert_false(policy_domain_allowed(&dp, NULL, IN, "learnt.test", NULL));
    su_home_unref(home);
}

static void test_policy_domain_learnable(void **state)
{
    (void)state;
    struct dialplan dp;
    dp_init(&dp, PRIVACY_DENY_LIST, true);
    assert_true(policy_domain_learnable(&dp, "elsewhere.test"));
    assert_false(policy_domain_learnable(&dp, "msexample.test"));    /* denied */
    assert_false(policy_domain_learnable(&dp, "ciscoexample.test")); /* local */
    assert_false(policy_domain_learnable(&dp, ""));
    dp_init(&dp, PRIVACY_ALLOW_LIST, true);
    assert_true(policy_domain_learnable(&dp, "elsewhere.test"));
    dp_init(&dp, PRIVACY_ALLOW_LIST, false);
    assert_false(policy_domain_learnable(&dp, "msexample.test"));    /* open federation off */
}

static void test_policy_learnt_is_bounded_lru(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct policy_learnt *pl;
    bool added;

    assert_int_equal(policy_learnt_create(home, 0, &pl), EINVAL);
    assert_int_equal(policy_learnt_create(home, 3, &pl), 0);
    assert_int_equal(policy_learnt_add(pl, "A.test.", &added), 0);
    assert_true(added);
    assert_string_equal(policy_learnt_get(pl, 0), "a.test");
    assert_int_equal(policy_learnt_add(pl, "a.test", &added), 0);
    assert_false(added);
    assert_int_equal(policy_learnt_count(pl), 1);
    assert_int_equal(policy_learnt_add(pl, "b.test", &added), 0);
    assert_int_equal(policy_learnt_add(pl, "c.test", &added), 0);
    assert_int_equal(policy_learnt_add(pl, "a.test", &added), 0);   /* refresh a: b is oldest */
    assert_int_equal(policy_learnt_add(pl, "d.test", &added), 0);
    assert_true(added);
    assert_int_equal(policy_learnt_count(pl), 3);
    assert_true(policy_learnt_contains(pl, "a.test"));
    assert_false(policy_learnt_contains(pl, "b.test"));
    assert_true(policy_learnt_contains(pl, "c.test"));
    assert_true(policy_learnt_contains(pl, "D.TEST"));
    assert_false(policy_learnt_contains(pl, NULL));
    assert_null(policy_learnt_get(pl, 3));
    su_home_unref(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_domain_allowed_table),
        cmocka_unit_test(test_policy_domain_learnable),
        cmocka_unit_test(test_policy_learnt_is_bounded_lru),
    };
    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
