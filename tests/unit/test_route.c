/* test_route.c — the forwarder's pure helpers: who we are (Route/Via), loop hashes and loop
 * detection vs spirals, Proxy-Require filtering, Record-Route values, best-response selection. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>

#include "route.h"

static const char *self_hosts[] = { "127.0.0.1", "127.0.0.1", "::1" };
static const uint16_t self_ports[] = { 5060, 5061, 5070 };
static const struct route_self self = {
    .hostname = "edge.ciscoexample.test",
    .hosts = self_hosts,
    .ports = self_ports,
    .n = 3,
};

static msg_t *parse(const char *text)
{
    msg_t *msg = msg_make(sip_default_mclass(), 0, text, strlen(text));
    assert_non_null(msg);
    assert_non_null(sip_object(msg));
    return msg;
}

static void test_route_uri_is_self(void **state)
{
    (void)state;
    static const struct { const char *uri; bool self; } cases[] = {
        { "sip:edge.ciscoexample.test;transport=tls;lr", true },
        { "sip:EDGE.ciscoexample.test:5999;lr", true },            /* hostname: any port */
        { "sip:127.0.0.1;lr", true },                                /* 5060 by default */
        { "sip:127.0.0.1:5061;transport=tls;lr", true },
        { "sips:127.0.0.1;lr", true },                               /* sips: 5061 */
        { "sip:127.0.0.1:5062;lr", false },
        { "sip:[::1]:5070;lr", true },
        { "sip:imp1.ciscoexample.test:5062;lr", false },
        { "sip:ciscoexample.test;lr", false },
    };
    su_home_t home[1] = { SU_HOME_INIT(home) };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        url_t *u = url_hdup(home, (url_t *)cases[i].uri);
        assert_non_null(u);
        if (route_uri_is_self(&self, u) != cases[i].self)
            fail_msg("%s: expected %s", cases[i].uri, cases[i].self ? "self" : "not self");
    }
    su_home_deinit(home);
}

#define REQ(ruri, via_extra)                                                        \
    "MESSAGE " ruri " SIP/2.0\r\n" via_extra                                        \
    "Via: SIP/2.0/UDP 127.0.0.2:5090;branch=z9hG4bK-1\r\n"                         \
    "From: <sip:a@ciscoexample.test>;tag=f1\r\n"                                    \
    "To: <sip:b@msexample.test>\r\n"                                                \
    "Call-ID: c1@x\r\nCSeq: 7 MESSAGE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"

static void test_route_loop_detection(void **state)
{
    (void)state;
    char hash[ROUTE_LOOP_HASH_LEN + 1], hash2[ROUTE_LOOP_HASH_LEN + 1], via[256];
    msg_t *first = parse(REQ("sip:b@msexample.test", ""));
    route_loop_hash(sip_object(first), hash);
    assert_int_equal(strlen(hash), ROUTE_LOOP_HASH_LEN);
    assert_false(route_request_loops(&self, sip_object(first), hash));

    /* The same request back with our Via on it: a loop. */
    snprintf(via, sizeof via, "Via: SIP/2.0/UDP 127.0.0.1;branch=%s%s.1\r\n", ROUTE_BRANCH_MAGIC,
             hash);
    char text[1024];
    snprintf(text, sizeof text,
             "MESSAGE sip:b@msexample.test SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-x\r\n%s"
             "Via: SIP/2.0/UDP 127.0.0.2:5090;branch=z9hG4bK-1\r\n"
             "From: <sip:a@ciscoexample.test>;tag=f1\r\nTo: <sip:b@msexample.test>\r\n"
             "Call-ID: c1@x\r\nCSeq: 7 MESSAGE\r\nMax-Forwards: 68\r\nContent-Length: 0\r\n\r\n",
             via);
    msg_t *back = parse(text);
    route_loop_hash(sip_object(back), hash2);
    assert_string_equal(hash, hash2);            /* top Via and Max-Forwards are not hashed */
    assert_true(route_request_loops(&self, sip_object(back), hash2));

    /* A spiral: the Request-URI was rewritten downstream, so the hash differs. */
    snprintf(text, sizeof text,
             "MESSAGE sip:bob@other.test SIP/2.0\r\n%s"
             "Via: SIP/2.0/UDP 127.0.0.2:5090;branch=z9hG4bK-1\r\n"
             "From: <sip:a@ciscoexample.test>;tag=f1\r\nTo: <sip:b@msexample.test>\r\n"
             "Call-ID: c1@x\r\nCSeq: 7 MESSAGE\r\nMax-Forwards: 68\r\nContent-Length: 0\r\n\r\n",
             via);
    msg_t *spiral = parse(text);
    route_loop_hash(sip_object(spiral), hash2);
    assert_string_not_equal(hash, hash2);
    assert_false(route_request_loops(&self, sip_object(spiral), hash2));

    /* Our branch magic under somebody else's sent-by is not ours. */
    snprintf(via, sizeof via, "Via: SIP/2.0/UDP 127.0.0.8;branch=%s%s.1\r\n", ROUTE_BRANCH_MAGIC,
             hash);
    snprintf(text, sizeof text, REQ("sip:b@msexample.test", "%s"), via);
    msg_t *other = parse(text);
    assert_false(route_request_loops(&self, sip_object(other), hash));

    msg_destroy(first);
    msg_destroy(back);
    msg_destroy(spiral);
    msg_destroy(other);
}

static void test_route_unsupported_tags(void **state)
{
    (void)state;
    static const struct { const char *header; const char *expect; } cases[] = {
        { "Proxy-Require: ms-benotify\r\n", NULL },
        { "Proxy-Require: ms-benotify, MS-Piggyback-First-Notify\r\n", NULL },
        { "Proxy-Require: foo\r\n", "foo" },
        { "Proxy-Require: ms-benotify, foo, bar\r\n", "foo, bar" },
        { "Proxy-Require: foo\r\nProxy-Require: ms-x, baz\r\n", "foo, baz" },
        { "", NULL },
    };
    su_home_t home[1] = { SU_HOME_INIT(home) };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, REQ("sip:b@msexample.test", "%s"), cases[i].header);
        msg_t *m = parse(text);
        char *got = route_unsupported_tags(home, sip_object(m)->sip_proxy_require);
        if (cases[i].expect)
            assert_string_equal(got, cases[i].expect);
        else
            assert_null(got);
        msg_destroy(m);
    }
    su_home_deinit(home);
}

static void test_route_record_route_make(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    assert_string_equal(route_record_route_make(home, "edge.ciscoexample.test", SIP_TP_TLS, 5061),
                        "<sip:edge.ciscoexample.test;transport=tls;lr>");
    assert_string_equal(route_record_route_make(home, "edge.ciscoexample.test", SIP_TP_UDP, 0),
                        "<sip:edge.ciscoexample.test;transport=udp;lr>");
    /* not the transport's default port: RFC 3263 resolution must land on it */
    assert_string_equal(route_record_route_make(home, "edge.ciscoexample.test", SIP_TP_TLS, 27061),
                        "<sip:edge.ciscoexample.test:27061;transport=tls;lr>");
    assert_string_equal(route_record_route_make(home, "edge.ciscoexample.test", SIP_TP_TCP, 5061),
                        "<sip:edge.ciscoexample.test:5061;transport=tcp;lr>");
    su_home_deinit(home);
}

static void test_route_response_better(void **state)
{
    (void)state;
    /* {candidate, candidate_local, best, best_local, better} */
    static const struct { int c; bool cl; int b; bool bl; bool better; } cases[] = {
        { 486, false, 0, false, true },      /* anything beats nothing */
        { 404, false, 503, false, true },    /* lowest class */
        { 503, false, 404, false, false },
        { 603, false, 404, false, true },    /* 6xx beats everything */
        { 404, false, 603, false, false },   /* ... and is never replaced */
        { 600, false, 603, false, false },   /* first 6xx kept */
        { 486, false, 404, false, false },   /* same class: first kept */
        { 500, false, 503, false, true },    /* 503 is the least useful 5xx */
        { 503, false, 500, false, false },
        { 408, false, 408, true, true },     /* downstream beats local */
        { 503, true, 503, false, false },
        { 302, false, 486, false, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (route_response_better(cases[i].c, cases[i].cl, cases[i].b, cases[i].bl) !=
            cases[i].better)
            fail_msg("case %zu: %d%s vs %d%s", i, cases[i].c, cases[i].cl ? "(local)" : "",
                     cases[i].b, cases[i].bl ? "(local)" : "");
}

/* The headers the proxy acts on that sofia could not parse (route_bad_proxy_header), and a
 * header that may appear once given twice (route_duplicate_header). Found by
 * tests/fuzz/fuzz_request.c: sofia keeps such a duplicate in its error list as itself, not as a
 * sip_error_t; route_bad_proxy_header() read er_name from it (two Date headers crashed it), and
 * sofia's encoder aborted on the forwarded copy unless the proxy refuses it first. */
static void test_route_bad_proxy_header(void **state)
{
    (void)state;
    static const struct { const char *hdr; const char *bad; const char *dup; } cases[] = {
        { "Max-Forwards: 70\r\n", NULL, NULL },
        { "Max-Forwards: -1\r\n", "Max-Forwards", NULL },
        { "Max-Forwards: seventy\r\n", "Max-Forwards", NULL },
        { "Route: <sip:a.test;lr>\r\n", NULL, NULL },
        { "Route: sip:a.test;lr>>\r\n", "Route", NULL },
        { "Proxy-Require: ms-benotify\r\n", NULL, NULL },
        { "X-Other: \x01\r\n", NULL, NULL },
        { "User-Agent: a\r\nUser-Agent: b\r\n", NULL, "User-Agent" },
        { "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\nDate: Sat, 13 Nov 2010 23:29:00 GMT\r\n",
          NULL, "Date" },
        { "Subject: a\r\nX-A: 1\r\nSubject: b\r\n", NULL, "Subject" },
        { "Max-Forwards: 70\r\nMax-Forwards: 69\r\n", "Max-Forwards", "Max-Forwards" },
        { "Supported: a\r\nSupported: b\r\n", NULL, NULL },   /* a list: fine twice */
        { "Route: <sip:a.test;lr>\r\nRoute: <sip:b.test;lr>\r\n", NULL, NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "MESSAGE sip:a@b.test SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                 "From: <sip:c@d.test>;tag=1\r\nTo: <sip:a@b.test>\r\nCall-ID: x\r\n"
                 "CSeq: 1 MESSAGE\r\n%sContent-Length: 0\r\n\r\n", cases[i].hdr);
        msg_t *msg = parse(text);
        const char *bad = route_bad_proxy_header(sip_object(msg));
        const char *dup = route_duplicate_header(sip_object(msg));
        if (cases[i].bad)
            assert_string_equal(bad, cases[i].bad);
        else
            assert_null(bad);
        if (cases[i].dup)
            assert_string_equal(dup, cases[i].dup);
        else
            assert_null(dup);
        msg_destroy(msg);
    }
}

static void test_route_host_is_unicast(void **state)
{
    (void)state;
    static const struct { const char *host; bool unicast; } cases[] = {
        { "192.0.2.1", true }, { "224.0.0.1", false }, { "239.255.255.250", false },
        { "255.255.255.255", false }, { "0.0.0.0", false }, { "223.255.255.255", true },
        { "[ff02::1]", false }, { "ff05::fb", false }, { "[2001:db8::1]", true }, { "::", false },
        { "sip.example.test", true }, { NULL, true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (route_host_is_unicast(cases[i].host) != cases[i].unicast)
            fail_msg("%s: expected %s", cases[i].host ? cases[i].host : "(null)",
                     cases[i].unicast ? "unicast" : "not unicast");
}

static void test_route_uri_transport(void **state)
{
    (void)state;
    static const struct { const char *uri; enum sip_transport tp; } cases[] = {
        { "sip:a@b", SIP_TP_UDP },
        { "sip:a@b;transport=TCP", SIP_TP_TCP },
        { "sip:a@b;transport=tls", SIP_TP_TLS },
        { "sips:a@b", SIP_TP_TLS },
    };
    su_home_t home[1] = { SU_HOME_INIT(home) };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(route_uri_transport(url_hdup(home, (url_t *)cases[i].uri)),
                         cases[i].tp);
    su_home_deinit(home);
}

/* RFC 3261 §16.7 steps 6-7 and SPEC §4.3: what happens when every branch of a level is done. */
static void test_route_level_end(void **state)
{
    (void)state;
    static const struct { struct route_level_state s; enum route_level_end end; } cases[] = {
        /* {canceled, stop, more_levels, best, best_local, best_msg} */
        { { false, false, true, 404, false, true }, ROUTE_NEXT_LEVEL },   /* continue searching */
        { { false, false, true, 0, false, false }, ROUTE_NEXT_LEVEL },    /* nothing answered */
        { { false, true, true, 404, false, true }, ROUTE_RELAY_BEST },    /* the rule said stop */
        { { false, false, true, 603, false, true }, ROUTE_RELAY_BEST },   /* 6xx ends the search */
        { { true, false, true, 0, false, false }, ROUTE_ANSWER_487 },     /* cancelled */
        { { true, false, false, 408, true, false }, ROUTE_ANSWER_487 },   /* ... our own 408 */
        { { true, false, false, 486, false, true }, ROUTE_RELAY_BEST },   /* ... a real answer */
        { { false, false, false, 503, false, true }, ROUTE_ANSWER_500 },  /* downstream 503 */
        { { false, false, false, 503, true, false }, ROUTE_ANSWER_BEST }, /* our own 503 */
        { { false, false, false, 486, false, true }, ROUTE_RELAY_BEST },
        { { false, false, false, 408, true, false }, ROUTE_ANSWER_BEST }, /* local failure */
        { { false, false, false, 0, false, false }, ROUTE_ANSWER_BEST },  /* none: 500 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (route_level_end(&cases[i].s) != cases[i].end)
            fail_msg("case %zu: %d, expected %d", i, route_level_end(&cases[i].s), cases[i].end);
}

/* SPEC §5.2: which failures move a branch on to the zone's next peer. */
static void test_route_failover(void **state)
{
    (void)state;
    static const struct { struct route_failover_in in; bool failover; } cases[] = {
        /* {status, before_response, local, zone_target, more_peers, canceled, answered} */
        { { 503, false, false, true, true, false, false }, true },    /* peer overloaded */
        { { 503, false, true, true, true, false, false }, true },     /* transport error */
        { { 408, false, true, true, true, false, false }, true },     /* no answer (Timer F) */
        { { 408, false, false, true, true, false, false }, false },   /* the peer's own 408 */
        { { 486, false, false, true, true, false, false }, false },   /* a real answer */
        { { 500, false, false, true, true, false, false }, false },
        { { 503, true, true, true, true, false, false }, true },      /* no next hop address */
        { { 408, true, true, true, true, false, false }, true },      /* our attempt timer */
        { { 500, true, true, true, true, false, false }, true },      /* could not send */
        { { 503, false, false, true, false, false, false }, false },  /* no more peers */
        { { 503, false, false, false, true, false, false }, false },  /* loose-routed */
        { { 503, true, true, true, true, true, false }, false },      /* cancelled */
        { { 503, false, false, true, true, false, true }, false },    /* already answered */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (route_failover(&cases[i].in) != cases[i].failover)
            fail_msg("case %zu: status %d failover=%d", i, cases[i].in.status,
                     !cases[i].failover);
}

/* Peers marked down are tried last, never skipped (issue 11). */
static void test_route_peer_attempt(void **state)
{
    (void)state;
    static const struct {
        size_t n_live, n_down, attempt;
        bool ok, down;
        size_t nth;
    } cases[] = {
        { 2, 0, 0, true, false, 0 },
        { 2, 0, 1, true, false, 1 },
        { 2, 0, 2, false, false, 0 },     /* no more peers */
        { 1, 1, 0, true, false, 0 },      /* the live one first */
        { 1, 1, 1, true, true, 0 },       /* then the one marked down */
        { 1, 1, 2, false, false, 0 },
        { 0, 2, 0, true, true, 0 },       /* all down: all tried, in order */
        { 0, 2, 1, true, true, 1 },
        { 0, 2, 2, false, false, 0 },
        { 2, 3, 4, true, true, 2 },
        { 0, 0, 0, false, false, 0 },     /* no address at all */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool down = false;
        size_t nth = 0;
        bool ok = route_peer_attempt(cases[i].n_live, cases[i].n_down, cases[i].attempt, &down,
                                     &nth);
        if (ok != cases[i].ok || (ok && (down != cases[i].down || nth != cases[i].nth)))
            fail_msg("case %zu: ok=%d down=%d nth=%zu", i, ok, down, nth);
    }
}

/* The one Request-URI rewrite (a transaction's branch and a stateless forward both use it). */
static void test_route_request_uri_set(void **state)
{
    (void)state;
    static const struct { const char *alias; int err; const char *uri; } cases[] = {
        { "bob@msexample.test", 0, "sip:bob@msexample.test" },
        { "bob@sip.msexample.test:5061;transport=tls", 0,
          "sip:bob@sip.msexample.test:5061;transport=tls" },
        { "alice@[2001:db8::1]:5070", 0, "sip:alice@[2001:db8::1]:5070" },
        { "msexample.test", 0, "sip:msexample.test" },
        { "", EINVAL, "sip:a@b.test" },                 /* no host: left as it was */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        msg_t *msg = parse("MESSAGE sip:a@b.test SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                           "Call-ID: r@x\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n");
        sip_t *sip = sip_object(msg);
        int err = route_request_uri_set(msg, sip, cases[i].alias);
        char buf[256];
        url_e(buf, sizeof buf, sip->sip_request->rq_url);
        if (err != cases[i].err || strcmp(buf, cases[i].uri) != 0)
            fail_msg("'%s': err %d uri %s, expected %d %s", cases[i].alias, err, buf,
                     cases[i].err, cases[i].uri);
        /* re-encoded: the message text carries the new Request-URI */
        assert_int_equal(msg_serialize(msg, (msg_pub_t *)sip), 0);
        char *text = msg_as_string(msg_home(msg), msg, NULL, 0, NULL);
        assert_non_null(text);
        if (strncmp(text + strlen("MESSAGE "), cases[i].uri, strlen(cases[i].uri)) != 0)
            fail_msg("'%s': encoded as %.60s", cases[i].alias, text);
        msg_destroy(msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_uri_is_self),
        cmocka_unit_test(test_route_bad_proxy_header),
        cmocka_unit_test(test_route_host_is_unicast),
        cmocka_unit_test(test_route_loop_detection),
        cmocka_unit_test(test_route_unsupported_tags),
        cmocka_unit_test(test_route_record_route_make),
        cmocka_unit_test(test_route_response_better),
        cmocka_unit_test(test_route_uri_transport),
        cmocka_unit_test(test_route_request_uri_set),
        cmocka_unit_test(test_route_level_end),
        cmocka_unit_test(test_route_failover),
        cmocka_unit_test(test_route_peer_attempt),
    };
    return cmocka_run_group_tests_name("route", tests, NULL, NULL);
}
