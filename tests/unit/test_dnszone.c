/* test_dnszone.c — the DNS zone's next hop, pure parts: static route vs SRV request, the route
 * URI (name kept for the TLS check, maddr for the address) and the hop of an answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "dnszone.h"
#include "nexthop_dns.h"

static char *srv_default[] = { "_sipfederationtls._tcp" };

static void test_dnszone_request_static_route_or_srv(void **state)
{
    (void)state;
    struct static_route tls_route = { .domain = "pinned.test",
                                      .next_hop = { "sip.pinned.test", 0 },
                                      .transport = SIP_TP_TLS };
    struct static_route tcp_route = { .domain = "tcp.test", .next_hop = { "10.0.0.1", 0 },
                                      .transport = SIP_TP_TCP };
    struct static_route port_route = { .domain = "port.test", .next_hop = { "h.port.test", 5071 },
                                       .transport = SIP_TP_TLS };
    struct static_route *routes[] = { &tls_route, &tcp_route, &port_route };
    struct dialplan dp;
    memset(&dp, 0, sizeof dp);
    dp.static_routes = routes, dp.n_static_routes = 3;
    struct zone z = { .name = "DNS", .type = ZONE_DNS, .srv = srv_default, .n_srv = 1,
                      .fallback_a_record = true };
    struct dns_request req;
    const struct static_route *sr;

    static const struct {
        const char *domain;
        const char *expect_name;
        size_t n_services;
        unsigned port;
        bool static_route;
    } cases[] = {
        { "pinned.test", "sip.pinned.test", 0, 5061, true },     /* TLS default port */
        { "PINNED.TEST", "sip.pinned.test", 0, 5061, true },     /* case-insensitive */
        { "pinned.test.", "sip.pinned.test", 0, 5061, true },    /* trailing root dot */
        { "tcp.test", "10.0.0.1", 0, 5060, true },               /* TCP default port */
        { "port.test", "h.port.test", 0, 5071, true },
        { "msexample.test", "msexample.test", 1, 0, false },     /* no static route: SRV */
        { "sub.pinned.test", "sub.pinned.test", 1, 0, false },   /* exact domain only */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dnszone_request(&dp, &z, cases[i].domain, &req, &sr);
        if (strcmp(req.domain, cases[i].expect_name) != 0 || req.n_services != cases[i].n_services ||
            req.port != cases[i].port || (sr != NULL) != cases[i].static_route || !req.fallback_a)
            fail_msg("%s: got %s services=%zu port=%u static=%d", cases[i].domain, req.domain,
                     req.n_services, (unsigned)req.port, sr != NULL);
    }
}

static void test_dnszone_hop_and_route_url(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    char *v4[] = { "192.0.2.13", "192.0.2.14" };
    char *v6[] = { "2001:db8::13" };
    struct dns_answer ok = { .status = DNS_OK, .target = "sip3.msexample.test", .port = 5063,
                             .addrs = v4, .n_addrs = 2, .service = "_sipfederationtls._tcp" };
    struct dns_answer ok6 = { .status = DNS_OK, .target = "sip.a.test", .port = 5061,
                              .addrs = v6, .n_addrs = 1 };
    struct dns_answer nx = { .status = DNS_NOT_FOUND, .reason = "no_srv" };
    struct nexthop hop;

    assert_true(nexthop_dns_hop(&ok, 0, SIP_TP_TLS, &hop));
    assert_string_equal(nexthop_route_url(home, &hop),
                        "sip:sip3.msexample.test:5063;transport=tls;maddr=192.0.2.13");
    assert_true(nexthop_dns_hop(&ok6, 0, SIP_TP_TCP, &hop));
    assert_string_equal(nexthop_route_url(home, &hop),
                        "sip:sip.a.test:5061;transport=tcp;maddr=[2001:db8::13]");
    assert_true(nexthop_dns_hop(&ok, 1, SIP_TP_TLS, &hop));
    assert_string_equal(hop.host, "sip3.msexample.test");
    assert_string_equal(hop.ip, "192.0.2.14");
    assert_int_equal(hop.port, 5063);
    assert_int_equal(hop.transport, SIP_TP_TLS);
    assert_false(nexthop_dns_hop(&ok, 2, SIP_TP_TLS, &hop));
    assert_false(nexthop_dns_hop(&nx, 0, SIP_TP_TLS, &hop));
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dnszone_request_static_route_or_srv),
        cmocka_unit_test(test_dnszone_hop_and_route_url),
    };
    return cmocka_run_group_tests_name("dnszone", tests, NULL, NULL);
}
