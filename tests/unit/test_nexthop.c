/* test_nexthop.c — next-hop selection without DNS: neighbor peers in order (failover attempts),
 * static routes, URIs (IP literal, maddr, known names), and the route URI given to nta. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "nexthop.h"

static struct hostport imp_peers[] = { { "127.0.0.2", 5062 }, { "127.0.0.4", 0 } };
static struct zone z_imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .peers = imp_peers,
                             .n_peers = 2, .transport = SIP_TP_TLS };
static struct zone z_dns = { .name = "DNS", .type = ZONE_DNS };
static struct zone z_default = { .name = "default", .type = ZONE_DEFAULT };
static struct zone *zones[] = { &z_imp, &z_dns, &z_default };
static struct static_route sr_ms = { .domain = "msexample.test",
                                     .next_hop = { "127.0.0.3", 5061 },
                                     .transport = SIP_TP_TCP };
static struct static_route *routes[] = { &sr_ms };
static struct dialplan dp = { .dir = "rules", .zones = zones, .n_zones = 3,
                              .static_routes = routes, .n_static_routes = 1 };

struct result {
    int calls;
    int status;
    struct nexthop hop;
};

static void done(void *arg, int status, const char *reason, const struct nexthop *hop)
{
    struct result *r = arg;
    (void)reason;
    r->calls++;
    r->status = status;
    if (hop)
        r->hop = *hop;
}

static void test_nexthop_select(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct nexthop_ctx ctx = { .dp = &dp };
    struct srczone_table *sz;
    struct nexthop_table *nt;
    assert_int_equal(srczone_table_build(home, &dp, NULL, &sz), 0);
    assert_int_equal(nexthop_table_build(home, &dp, NULL, &nt), 0);
    ctx.sz = sz;
    ctx.nt = nt;

    static const struct {
        struct zone *zone; const char *domain; const char *uri; size_t attempt;
        int status; const char *host; const char *ip; unsigned port; enum sip_transport tp;
    } cases[] = {
        { &z_imp, NULL, NULL, 0, 0, "127.0.0.2", "127.0.0.2", 5062, SIP_TP_TLS },
        { &z_imp, NULL, NULL, 1, 0, "127.0.0.4", "127.0.0.4", 5061, SIP_TP_TLS }, /* tls default */
        { &z_imp, NULL, NULL, 2, 502, NULL, NULL, 0, 0 },                     /* no more peers */
        { &z_dns, "msexample.test", NULL, 0, 0, "127.0.0.3", "127.0.0.3", 5061, SIP_TP_TCP },
        { &z_dns, "MSexample.test", NULL, 1, 502, NULL, NULL, 0, 0 },        /* no fallback */
        /* a domain written with its root dot is the same domain: the static route, not DNS */
        { &z_dns, "msexample.test.", NULL, 0, 0, "127.0.0.3", "127.0.0.3", 5061, SIP_TP_TCP },
        { &z_default, "x.test", NULL, 0, 480, NULL, NULL, 0, 0 },
        { NULL, NULL, "sip:bob@127.0.0.9:5070;transport=tcp", 0, 0, "127.0.0.9", "127.0.0.9",
          5070, SIP_TP_TCP },
        { NULL, NULL, "sip:bob@127.0.0.9", 0, 0, "127.0.0.9", "127.0.0.9", 5060, SIP_TP_UDP },
        { NULL, NULL, "sips:edge.test;maddr=127.0.0.8", 0, 0, "edge.test", "127.0.0.8", 5061,
          SIP_TP_TLS },
        { NULL, NULL, "sip:[::1]:5080", 0, 0, "[::1]", "::1", 5080, SIP_TP_UDP },
        /* a name no peer or static route knows, and no resolver (our own fault): 500 */
        { NULL, NULL, "sip:edge.unknown.test;lr", 0, 500, NULL, NULL, 0, 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct result r = { 0 };
        struct nexthop_request rq = {
            .zone = cases[i].zone, .domain = cases[i].domain, .attempt = cases[i].attempt,
            .uri = cases[i].uri ? url_hdup(home, (url_t *)cases[i].uri) : NULL,
        };
        assert_null(nexthop_select(&ctx, &rq, done, &r));
        assert_int_equal(r.calls, 1);
        if (r.status != cases[i].status)
            fail_msg("case %zu: status %d, expected %d", i, r.status, cases[i].status);
        if (cases[i].status)
            continue;
        assert_string_equal(r.hop.host, cases[i].host);
        assert_string_equal(r.hop.ip, cases[i].ip);
        assert_int_equal(r.hop.port, cases[i].port);
        assert_int_equal(r.hop.transport, cases[i].tp);
    }
    assert_true(nexthop_has_more(&ctx, &z_imp, 0));
    assert_false(nexthop_has_more(&ctx, &z_imp, 1));
    assert_false(nexthop_has_more(&ctx, &z_dns, 0));
    su_home_deinit(home);
}

static void test_nexthop_route_url(void **state)
{
    (void)state;
    static const struct { struct nexthop hop; const char *url; } cases[] = {
        { { .host = "127.0.0.2", .ip = "127.0.0.2", .port = 5062, .transport = SIP_TP_TCP },
          "sip:127.0.0.2:5062;transport=tcp" },
        { { .host = "sip.msexample.test", .ip = "127.0.0.3", .port = 5061,
            .transport = SIP_TP_TLS },
          "sip:sip.msexample.test:5061;transport=tls;maddr=127.0.0.3" },
        { { .host = "::1", .ip = "::1", .port = 5060, .transport = SIP_TP_UDP },
          "sip:[::1]:5060;transport=udp" },
        { { .host = "edge.test", .ip = "::1", .port = 5061, .transport = SIP_TP_TLS },
          "sip:edge.test:5061;transport=tls;maddr=[::1]" },
    };
    su_home_t home[1] = { SU_HOME_INIT(home) };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(nexthop_route_url(home, &cases[i].hop), cases[i].url);
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nexthop_select),
        cmocka_unit_test(test_nexthop_route_url),
    };
    return cmocka_run_group_tests_name("nexthop", tests, NULL, NULL);
}
