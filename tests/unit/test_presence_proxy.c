/* test_presence_proxy.c — which messages the proxy reads presence from, the entity fallback to
 * From/To, §6 empty NOTIFYs, and the last state per presentity kept across bad bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/msg.h>

#include "log.h"
#include "presence_proxy.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CATS(uri, n) "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"" uri ">" \
    "<category name=\"state\"><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" " \
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"aggregateState\">" \
    "<availability>" n "</availability></state></category></categories>"

/* A request or response, Content-Length computed. */
static msg_t *make(const char *start, const char *headers, const char *body)
{
    char buf[8192];
    int n = snprintf(buf, sizeof buf,
                     "%s\r\nVia: SIP/2.0/TCP 192.0.2.1:5061;branch=z9hG4bK-1\r\n"
                     "From: <sip:alice@fabrikam.com>;tag=a\r\nTo: <sip:bob@ciscoexample.test>;tag=b\r\n"
                     "Call-ID: c1@192.0.2.1\r\n%s\r\nContent-Length: %zu\r\n\r\n%s",
                     start, headers, strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    msg_t *m = msg_make(sip_default_mclass(), 0, buf, (size_t)n);
    assert_non_null(m);
    assert_non_null(sip_object(m));
    return m;
}

struct row {
    const char *name, *start, *headers, *body;
    const char *entity;            /* where the state is expected, NULL: nothing stored */
    enum presence_state state;
};

static const struct row rows[] = {
    { "NOTIFY categories", "NOTIFY sip:bob@192.0.2.2 SIP/2.0",
      "CSeq: 1 NOTIFY\r\nEvent: presence\r\nContent-Type: application/msrtc-event-categories+xml",
      CATS(" uri=\"sip:alice@fabrikam.com\"", "6500"), "sip:alice@fabrikam.com", PRESENCE_BUSY },
    { "BENOTIFY, entity from From", "BENOTIFY sip:bob@192.0.2.2 SIP/2.0",
      "CSeq: 2 BENOTIFY\r\nEvent: presence\r\nContent-Type: application/msrtc-event-categories+xml",
      CATS("", "15500"), "sip:alice@fabrikam.com", PRESENCE_AWAY },
    { "PUBLISH, entity from To", "PUBLISH sip:bob@ciscoexample.test SIP/2.0",
      "CSeq: 3 PUBLISH\r\nEvent: presence\r\nContent-Type: application/pidf+xml",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\"><tuple id=\"t\"><status><basic>closed</basic>"
      "</status></tuple></presence>", "sip:bob@ciscoexample.test", PRESENCE_OFFLINE },
    { "2xx SUBSCRIBE with ms-piggyback-cseq", "SIP/2.0 200 OK",
      "CSeq: 4 SUBSCRIBE\r\nms-piggyback-cseq: 1\r\nContent-Type: application/msrtc-event-categories+xml",
      CATS("", "12500"), "sip:bob@ciscoexample.test", PRESENCE_BRB },
    { "2xx SUBSCRIBE without it: ignored", "SIP/2.0 200 OK",
      "CSeq: 5 SUBSCRIBE\r\nContent-Type: application/msrtc-event-categories+xml",
      CATS(" uri=\"sip:zed@fabrikam.com\"", "3500"), NULL, PRESENCE_UNKNOWN },
    { "MESSAGE: ignored", "MESSAGE sip:bob@192.0.2.2 SIP/2.0",
      "CSeq: 6 MESSAGE\r\nContent-Type: application/pidf+xml",
      "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:yan@fabrikam.com\"><tuple id=\"t\">"
      "<status><basic>open</basic></status></tuple></presence>", NULL, PRESENCE_UNKNOWN },
    { "NOTIFY of another package's type: ignored", "NOTIFY sip:bob@192.0.2.2 SIP/2.0",
      "CSeq: 7 NOTIFY\r\nEvent: message-summary\r\nContent-Type: application/simple-message-summary",
      "Messages-Waiting: yes\r\n", NULL, PRESENCE_UNKNOWN },
};

static void test_observe_rows(void **state)
{
    (void)state;
    log_set_level(LOG_LVL_ERROR);
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct presence_store *st = presence_store_create();
        msg_t *m = make(rows[i].start, rows[i].headers, rows[i].body);
        const struct presence_entry *e;

        presence_proxy_observe(st, sip_object(m), false);
        if (rows[i].entity) {
            e = presence_store_get(st, rows[i].entity);
            if (!e || e->info.state != rows[i].state)
                fail_msg("%s: %s", rows[i].name, e ? presence_state_name(e->info.state) : "not stored");
            assert_int_equal(presence_store_count(st), 1);
        } else if (presence_store_count(st) != 0) {
            fail_msg("%s: stored", rows[i].name);
        }
        msg_destroy(m);
        presence_store_destroy(st);
    }
}

/* The last state stays through malformed bodies and an active empty NOTIFY; pending and
 * terminated make it offline (PRESENCE.md §3, §6). The message itself is never changed. */
static void test_last_state_kept(void **state)
{
    struct presence_store *st = presence_store_create();
    const char *who = "sip:alice@fabrikam.com";
    static const struct { const char *headers, *body; enum presence_state after; } steps[] = {
        { "Event: presence\r\nContent-Type: application/msrtc-event-categories+xml", CATS("", "6500"), PRESENCE_BUSY },
        { "Event: presence\r\nContent-Type: application/msrtc-event-categories+xml", "<categories", PRESENCE_BUSY },
        { "Event: presence\r\nContent-Type: application/pidf+xml",
          "<!DOCTYPE x [<!ENTITY a \"b\">]><presence xmlns=\"urn:ietf:params:xml:ns:pidf\"/>", PRESENCE_BUSY },
        { "Event: presence\r\nContent-Type: application/msrtc-event-categories+xml", CATS("", "0"), PRESENCE_BUSY },
        { "Event: presence\r\nSubscription-State: active;expires=3600", "", PRESENCE_BUSY },
        { "Event: presence\r\nSubscription-State: pending", "", PRESENCE_OFFLINE },
        { "Event: presence\r\nContent-Type: application/msrtc-event-categories+xml", CATS("", "3500"), PRESENCE_AVAILABLE },
        { "Event: presence\r\nSubscription-State: terminated;reason=timeout", "", PRESENCE_OFFLINE },
        { "Event: dialog\r\nSubscription-State: terminated", "", PRESENCE_OFFLINE },
    };
    (void)state;
    log_set_level(LOG_LVL_ERROR);
    assert_non_null(st);
    for (size_t i = 0; i < N_OF(steps); i++) {
        char headers[256];
        snprintf(headers, sizeof headers, "CSeq: %zu NOTIFY\r\n%s", i + 1, steps[i].headers);
        msg_t *m = make("NOTIFY sip:bob@192.0.2.2 SIP/2.0", headers, steps[i].body);
        char before[8192], after[8192];
        assert_true(msg_serialize(m, (msg_pub_t *)sip_object(m)) >= 0);
        size_t n1 = 0, n2 = 0;
        char *s1 = msg_as_string(msg_home(m), m, NULL, 0, &n1);
        assert_non_null(s1);
        snprintf(before, sizeof before, "%s", s1);

        presence_proxy_observe(st, sip_object(m), true);

        char *s2 = msg_as_string(msg_home(m), m, NULL, 0, &n2);
        assert_non_null(s2);
        snprintf(after, sizeof after, "%s", s2);
        assert_string_equal(before, after);

        const struct presence_entry *e = presence_store_get(st, who);
        assert_non_null(e);
        if (e->info.state != steps[i].after)
            fail_msg("step %zu: %s, want %s", i, presence_state_name(e->info.state),
                     presence_state_name(steps[i].after));
        msg_destroy(m);
    }
    assert_int_equal(presence_store_count(st), 1);
    presence_store_destroy(st);
}

/* A batch fills one entry per presentity. */
static void test_batch_fills_store(void **state)
{
    struct presence_store *st = presence_store_create();
    static const char body[] =
        "--b\r\nContent-Type: application/rlmi+xml\r\n\r\n<list xmlns=\"urn:ietf:params:xml:ns:rlmi\"/>\r\n"
        "--b\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n"
        CATS(" uri=\"sip:c1@fabrikam.com\"", "9500") "\r\n"
        "--b\r\nContent-Type: application/msrtc-event-categories+xml\r\n\r\n"
        CATS(" uri=\"sip:c2@fabrikam.com\"", "18000") "\r\n--b--\r\n";
    (void)state;
    log_set_level(LOG_LVL_ERROR);
    msg_t *m = make("BENOTIFY sip:bob@192.0.2.2 SIP/2.0",
                    "CSeq: 9 BENOTIFY\r\nEvent: presence\r\n"
                    "Content-Type: multipart/related;type=\"application/rlmi+xml\";boundary=b", body);
    presence_proxy_observe(st, sip_object(m), false);
    assert_int_equal(presence_store_count(st), 2);
    assert_int_equal(presence_store_get(st, "sip:c1@fabrikam.com")->info.state, PRESENCE_DND);
    assert_int_equal(presence_store_get(st, "sip:c2@fabrikam.com")->info.state, PRESENCE_OFFLINE);
    assert_null(presence_store_get(st, "sip:alice@fabrikam.com"));
    assert_int_equal(presence_store_dropped(st), 0);
    msg_destroy(m);
    presence_store_destroy(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observe_rows),
        cmocka_unit_test(test_last_state_kept),
        cmocka_unit_test(test_batch_fills_store),
    };
    return cmocka_run_group_tests_name("presence_proxy", tests, NULL, NULL);
}
