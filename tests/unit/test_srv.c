/* test_srv.c — Microsoft SRV selection and the same-namespace rule (ms-diagnostics 1009). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "srv.h"

#define MAX_RECS 4

struct pick_case {
    const char *what;
    struct srv_record recs[MAX_RECS];
    size_t n;
    int expect;                  /* index, or -1 */
};

static const struct pick_case pick_cases[] = {
    { "empty answer", { { NULL, 0, 0, 0, 0 } }, 0, -1 },
    { "single record", { { "sip.a.test", 0, 0, 5061, 300 } }, 1, 0 },
    { "lowest priority wins over weight",
      { { "sip1.a.test", 10, 100, 5061, 300 }, { "sip2.a.test", 5, 1, 5061, 300 } }, 2, 1 },
    { "same priority: highest weight",
      { { "sip1.a.test", 10, 10, 5061, 300 }, { "sip2.a.test", 10, 90, 5061, 300 },
        { "sip3.a.test", 10, 50, 5061, 300 } }, 3, 1 },
    { "zero weight loses to any weight",
      { { "sip1.a.test", 0, 0, 5061, 300 }, { "sip2.a.test", 0, 1, 5061, 300 } }, 2, 1 },
    { "full tie: target name order, not answer order",
      { { "sipb.a.test", 1, 10, 5061, 300 }, { "sipa.a.test", 1, 10, 5061, 300 } }, 2, 1 },
    { "tie-break is case-insensitive and ignores the trailing dot",
      { { "SIPB.a.test.", 1, 10, 5061, 300 }, { "sipa.a.test", 1, 10, 5061, 300 },
        { "SipA.A.Test.", 1, 10, 5061, 300 } }, 3, 1 },
    { "same target: lowest port",
      { { "sip.a.test", 1, 10, 5062, 300 }, { "sip.a.test", 1, 10, 5061, 300 } }, 2, 1 },
    { "RFC 2782 '.' target is never chosen",
      { { ".", 0, 100, 0, 300 }, { "sip.a.test", 10, 0, 5061, 300 } }, 2, 1 },
    { "only '.' targets: nothing",
      { { ".", 0, 0, 0, 300 }, { "", 0, 0, 0, 300 } }, 2, -1 },
    { "the answer order does not matter",
      { { "sip2.a.test", 20, 0, 5061, 300 }, { "sip3.a.test", 10, 5, 5061, 300 },
        { "sip1.a.test", 10, 5, 5061, 300 }, { "sip0.a.test", 11, 99, 5061, 300 } }, 4, 2 },
};

static void test_srv_pick_ms_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof pick_cases / sizeof pick_cases[0]; i++) {
        const struct pick_case *c = &pick_cases[i];
        int got = srv_pick_ms(c->recs, c->n);
        if (got != c->expect)
            fail_msg("%s: expected %d, got %d", c->what, c->expect, got);
    }
}

struct ns_case {
    const char *domain;
    const char *target;
    bool expect;
};

static const struct ns_case ns_cases[] = {
    { "msexample.test", "sip.msexample.test", true },
    { "msexample.test", "sip.msexample.test.", true },
    { "msexample.test", "SIP.MSEXAMPLE.TEST", true },
    { "MSEXAMPLE.TEST.", "sip.msexample.test", true },
    { "msexample.test", "msexample.test", true },
    { "msexample.test", "a.b.c.msexample.test", true },
    { "msexample.test", "xmsexample.test", false },
    { "msexample.test", "sip.msexample.test.evil.test", false },
    { "msexample.test", "sip.lync.test", false },
    { "msexample.test", "example.test", false },
    { "msexample.test", "", false },
    { "", "sip.msexample.test", false },
    { "msexample.test", NULL, false },
};

static void test_srv_target_in_namespace_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof ns_cases / sizeof ns_cases[0]; i++) {
        const struct ns_case *c = &ns_cases[i];
        if (srv_target_in_namespace(c->domain, c->target) != c->expect)
            fail_msg("namespace(%s, %s): expected %d", c->domain,
                     c->target ? c->target : "(null)", c->expect);
    }
}

static void test_srv_service_transport_table(void **state)
{
    (void)state;
    static const struct {
        const char *service;
        enum sip_transport expect;
    } tp[] = {
        { "_sipfederationtls._tcp", SIP_TP_TLS },
        { "_SIPFederationTLS._tcp", SIP_TP_TLS },
        { "_sipinternaltls._tcp", SIP_TP_TLS },
        { "_sips._tcp", SIP_TP_TLS },
        { "_sip._tcp", SIP_TP_TCP },
        { "_sipinternal._tcp", SIP_TP_TCP },
        { "_sip._udp", SIP_TP_UDP },
        { "_sip._sctp", SIP_TP_TLS },
        { "_sip", SIP_TP_TLS },
        { NULL, SIP_TP_TLS },
    };
    for (size_t i = 0; i < sizeof tp / sizeof tp[0]; i++)
        if (srv_service_transport(tp[i].service) != tp[i].expect)
            fail_msg("%s: expected %s", tp[i].service ? tp[i].service : "(null)",
                     sip_transport_name(tp[i].expect));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srv_pick_ms_table),
        cmocka_unit_test(test_srv_target_in_namespace_table),
        cmocka_unit_test(test_srv_service_transport_table),
    };
    return cmocka_run_group_tests_name("srv", tests, NULL, NULL);
}
