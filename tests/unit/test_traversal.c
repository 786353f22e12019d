/* test_traversal.c — the pure parts of the traversal pair (SPEC §5.4): the DMZ node knows the
 * internal node by the certificate on the connection it opened, whatever its address; in-dialog
 * next hops naming the other node of the pair map to the traversal zone; with no connection a
 * traversal zone answers 503 at once. The wire behaviour is tests/acceptance/t_traversal.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "nexthop.h"
#include "srczone.h"
#include "traversal.h"

static char *client_names[] = { "expc.ciscoexample.test", "expc2.ciscoexample.test" };
static char *dmz_names[] = { "edge.ciscoexample.test" };
static struct hostport dmz_peers[] = { { "198.18.77.2", 5061 } };
static struct hostport imp_peers[] = { { "127.0.0.2", 5062 } };

static struct zone z_imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .peers = imp_peers,
                             .n_peers = 1, .transport = SIP_TP_TCP,
                             .authenticated = ZONE_AUTH_YES };
static struct zone z_ts = { .name = "TS", .type = ZONE_TRAVERSAL_SERVER, .transport = SIP_TP_TLS,
                            .tls_verify = true, .tls_verify_subject = client_names,
                            .n_tls_verify_subject = 2, .authenticated = ZONE_AUTH_YES };
static struct zone z_tc = { .name = "TC", .type = ZONE_TRAVERSAL_CLIENT, .peers = dmz_peers,
                            .n_peers = 1, .transport = SIP_TP_TLS, .tls_verify = true,
                            .tls_verify_subject = dmz_names, .n_tls_verify_subject = 1,
                            .authenticated = ZONE_AUTH_YES };
static struct zone z_default = { .name = "default", .type = ZONE_DEFAULT,
                                 .authenticated = ZONE_AUTH_VERIFIED };
static struct zone *zones[] = { &z_imp, &z_ts, &z_tc, &z_default };
static struct dialplan dp = { .dir = "rules", .zones = zones, .n_zones = 4 };

static void test_traversal_server_source_by_certificate(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct srczone_table *t = NULL;
    assert_int_equal(srczone_table_build(home, &dp, NULL, &t), 0);

    su_strlst_t *expc = su_strlst_create(home);
    su_strlst_dup_append(expc, "EXPC2.ciscoexample.test");
    su_strlst_t *ms = su_strlst_create(home);
    su_strlst_dup_append(ms, "sip.msexample.test");

    static const struct {
        bool tls, verified, inbound; int subjects; const char *zone;
    } cases[] = {
        { true, true, true, 1, "TS" },          /* the internal node, any address */
        { true, true, false, 1, "default" },    /* a connection we opened: never the client */
        { true, false, true, 1, "default" },    /* chain not verified */
        { true, true, true, 2, "default" },     /* another certificate */
        { false, false, false, 0, "default" },  /* not TLS */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const su_strlst_t *subj[] = { NULL, expc, ms };
        struct srczone_origin o = { .ip = "203.0.113.9", .port = 40123, .tls = cases[i].tls,
                                    .tls_verified = cases[i].verified,
                                    .tls_inbound = cases[i].inbound,
                                    .subjects = subj[cases[i].subjects] };
        bool auth = false;
        const struct zone *z = srczone_lookup(t, &dp, &o, &auth);
        if (strcmp(z->name, cases[i].zone) != 0)
            fail_msg("case %zu: %s, expected %s", i, z->name, cases[i].zone);
        assert_int_equal(auth, strcmp(cases[i].zone, "TS") == 0);
    }
    /* The DMZ node as seen by the internal node: its address and certificate (SPEC §5.1). */
    su_strlst_t *edge = su_strlst_create(home);
    su_strlst_dup_append(edge, "edge.ciscoexample.test");
    struct srczone_origin o = { .ip = "198.18.77.2", .port = 5061, .tls = true,
                                .tls_verified = true, .subjects = edge };
    bool auth = false;
    assert_string_equal(srczone_lookup(t, &dp, &o, &auth)->name, "TC");
    su_home_deinit(home);
}

static void test_traversal_zone_of_host(void **state)
{
    (void)state;
    static const struct { const char *host; const char *zone; } cases[] = {
        { "expc.ciscoexample.test", "TS" },     /* the internal node's Record-Route */
        { "EXPC2.ciscoexample.test", "TS" },
        { "edge.ciscoexample.test", "TC" },     /* the DMZ node's Record-Route */
        { "198.18.77.2", "TC" },                /* the DMZ node as configured */
        { "127.0.0.2", NULL },                  /* a neighbor peer is no traversal */
        { "sip.msexample.test", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct zone *z = traversal_zone_of_host(&dp, cases[i].host);
        if (cases[i].zone ? !z || strcmp(z->name, cases[i].zone) != 0 : z != NULL)
            fail_msg("%s -> %s, expected %s", cases[i].host, z ? z->name : "none",
                     cases[i].zone ? cases[i].zone : "none");
    }
    assert_null(traversal_zone_of_host(&dp, NULL));
}

/* No connection: 503 at once with the reason the route log shows, and no failover. */
static void test_traversal_select_without_connection(void **state)
{
    (void)state;
    struct nexthop hop;
    const char *reason = NULL;
    memset(&hop, 0, sizeof hop);
    assert_int_equal(traversal_select(NULL, &z_ts, NULL, 0, &hop, &reason), 503);
    assert_string_equal(reason, "no traversal client connected");
    assert_int_equal(traversal_select(NULL, &z_tc, NULL, 0, &hop, &reason), 503);
    assert_string_equal(reason, "traversal connection down");
    assert_null(hop.tport);
    assert_false(traversal_has_more(NULL, &z_tc, 0));
    assert_int_equal(traversal_status_get(NULL, NULL, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_traversal_server_source_by_certificate),
        cmocka_unit_test(test_traversal_zone_of_host),
        cmocka_unit_test(test_traversal_select_without_connection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
