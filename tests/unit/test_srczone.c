/* test_srczone.c — source zone by peer address and certificate names, and the authenticated
 * flag (SPEC §5.1, §5.5). The dial plan is built by hand; peers are IP literals (no DNS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "srczone.h"

static struct hostport imp_peers[] = { { "127.0.0.2", 5062 }, { "127.0.0.4", 0 } };
static struct hostport other_peers[] = { { "127.0.0.2", 5070 } };
static struct hostport tls_peers[] = { { "127.0.0.5", 5061 } };
static char *tls_names[] = { "imp1.ciscoexample.test" };

static struct zone z_imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .peers = imp_peers,
                             .n_peers = 2, .transport = SIP_TP_TCP,
                             .authenticated = ZONE_AUTH_YES };
static struct zone z_other = { .name = "OTHER", .type = ZONE_NEIGHBOR, .peers = other_peers,
                               .n_peers = 1, .transport = SIP_TP_UDP };
static struct zone z_tls = { .name = "TLSIMP", .type = ZONE_NEIGHBOR, .peers = tls_peers,
                             .n_peers = 1, .transport = SIP_TP_TLS,
                             .tls_verify_subject = tls_names, .n_tls_verify_subject = 1,
                             .authenticated = ZONE_AUTH_YES };
static struct zone z_default = { .name = "default", .type = ZONE_DEFAULT,
                                 .authenticated = ZONE_AUTH_VERIFIED };
static struct zone *zones[] = { &z_imp, &z_other, &z_tls, &z_default };
static struct dialplan dp = { .dir = "rules", .zones = zones, .n_zones = 4 };

static void test_srczone_lookup(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct srczone_table *t = NULL;
    assert_int_equal(srczone_table_build(home, &dp, NULL, &t), 0);
    assert_int_equal(diag_count(d), 0);

    su_strlst_t *imp1 = su_strlst_create(home);
    su_strlst_dup_append(imp1, "IMP1.ciscoexample.test");
    su_strlst_t *wrong = su_strlst_create(home);
    su_strlst_dup_append(wrong, "wrong.example.test");
    su_strlst_t *ms = su_strlst_create(home);
    su_strlst_dup_append(ms, "sip.msexample.test");

    static const struct {
        const char *ip; uint16_t port; bool tls, verified; int subjects; const char *from;
        const char *zone; bool auth;
    } cases[] = {
        { "127.0.0.2", 5062, false, false, 0, NULL, "IMP", true },     /* exact peer */
        { "127.0.0.2", 5070, false, false, 0, NULL, "OTHER", false },  /* same IP, other port */
        { "127.0.0.2", 40000, false, false, 0, NULL, "IMP", true },    /* TCP ephemeral port */
        { "127.0.0.4", 5060, false, false, 0, NULL, "IMP", true },     /* default port */
        { "127.0.0.3", 5061, false, false, 0, NULL, "default", false },
        { "127.0.0.5", 41000, true, true, 1, NULL, "TLSIMP", true },   /* name matches */
        { "127.0.0.5", 41000, true, true, 2, NULL, "default", false }, /* wrong name */
        { "127.0.0.5", 41000, true, false, 1, NULL, "default", false },/* chain not verified */
        { "127.0.0.5", 41000, false, false, 0, NULL, "default", false },/* not TLS at all */
        /* default zone, authenticated = verified: the certificate names the From domain */
        { "127.0.0.3", 41000, true, true, 3, "msexample.test", "default", true },
        { "127.0.0.3", 41000, true, true, 3, "other.test", "default", false },
        { "127.0.0.3", 41000, true, false, 3, "msexample.test", "default", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const su_strlst_t *subj[] = { NULL, imp1, wrong, ms };
        struct srczone_origin o = { .ip = cases[i].ip, .port = cases[i].port,
                                    .tls = cases[i].tls, .tls_verified = cases[i].verified,
                                    .subjects = subj[cases[i].subjects],
                                    .from_domain = cases[i].from };
        bool auth = !cases[i].auth;
        const struct zone *z = srczone_lookup(t, &dp, &o, &auth);
        if (strcmp(z->name, cases[i].zone) != 0 || auth != cases[i].auth)
            fail_msg("case %zu: %s:%u -> %s auth=%d, expected %s auth=%d", i, cases[i].ip,
                     cases[i].port, z->name, auth, cases[i].zone, cases[i].auth);
    }

    size_t n = 0;
    const struct srczone_addr *a = srczone_peer_addrs(t, &z_imp, 1, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].ip, "127.0.0.4");
    assert_int_equal(a[0].port, 5060);                 /* tcp default */
    su_home_deinit(home);
}

/* Names are resolved through c-ares before the table is built (gen_names.h): one that does not
 * resolve is an error at its zone's file:line, and has no address. `.invalid` is answered
 * NXDOMAIN without asking a server (RFC 6761); `localhost` comes from /etc/hosts. */
static void test_srczone_unresolvable_peer_is_an_error(void **state)
{
    (void)state;
    static struct hostport bad[] = { { "no-such-host.invalid", 5062 }, { "localhost", 5062 },
                                     { "192.0.2.7", 0 } };
    static struct zone z_bad = { .name = "BAD", .file = "rules/x.ini", .line = 3,
                                 .type = ZONE_NEIGHBOR, .peers = bad, .n_peers = 3,
                                 .transport = SIP_TP_TCP };
    static struct zone *zs[] = { &z_bad, &z_default };
    static struct dialplan dp2 = { .dir = "rules", .zones = zs, .n_zones = 2 };
    static const char *const nobody[] = { "127.0.0.1:9" };   /* never asked */
    const struct dns_options opt = { .servers = nobody, .n_servers = 1 };
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct srczone_table *t = NULL;
    struct gen_names *names = NULL;
    const char *why = NULL;
    char buf[256];

    assert_int_equal(gen_names_resolve_now(&opt, &dp2, &names, &why), 0);
    assert_int_equal(gen_names_count(names), 2);              /* the IP literal needs no lookup */
    assert_int_equal(gen_names_pending(names), 0);
    assert_int_equal(gen_names_report(names, &dp2, d), 1);
    assert_int_equal(diag_error_count(d), 1);
    diag_format(diag_get(d, 0), buf, sizeof buf);
    assert_non_null(strstr(buf, "rules/x.ini:3: zone BAD: peer 'no-such-host.invalid' does not "
                                "resolve: does not exist"));
    assert_int_equal(srczone_table_build(home, &dp2, names, &t), 0);
    size_t n = 1;
    assert_true(srczone_peer_addrs(t, &z_bad, 0, &n) == NULL || n == 0);
    const struct srczone_addr *a = srczone_peer_addrs(t, &z_bad, 1, &n);
    assert_true(n >= 1);
    assert_string_equal(a[0].ip, "127.0.0.1");
    assert_int_equal(a[0].port, 5062);
    a = srczone_peer_addrs(t, &z_bad, 2, &n);
    assert_int_equal(n, 1);
    assert_string_equal(a[0].ip, "192.0.2.7");
    gen_names_destroy(names);
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srczone_lookup),
        cmocka_unit_test(test_srczone_unresolvable_peer_is_an_error),
    };
    return cmocka_run_group_tests_name("srczone", tests, NULL, NULL);
}
