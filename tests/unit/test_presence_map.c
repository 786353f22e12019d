/* test_presence_map.c — the mapping tables of docs/presence-contract.md: Microsoft number ranges,
 * Cisco Tables 1-3, busy_as_dnd, subscription edge cases, note clean-up and XML escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "presence.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

/* PRESENCE.md §2 and §7: every range edge, 0, and out of range. */
static void test_ms_number_boundaries(void **state)
{
    static const struct { unsigned long n; enum presence_state want; } rows[] = {
        { 0, PRESENCE_UNKNOWN },
        { 1, PRESENCE_AVAILABLE },
        { 3500, PRESENCE_AVAILABLE },
        { 4499, PRESENCE_AVAILABLE },
        { 4500, PRESENCE_AVAILABLE_IDLE },
        { 5999, PRESENCE_AVAILABLE_IDLE },
        { 6000, PRESENCE_BUSY },
        { 7499, PRESENCE_BUSY },
        { 7500, PRESENCE_BUSY_IDLE },
        { 8400, PRESENCE_BUSY_IDLE },
        { 8999, PRESENCE_BUSY_IDLE },
        { 9000, PRESENCE_DND },
        { 11999, PRESENCE_DND },
        { 12000, PRESENCE_BRB },
        { 14999, PRESENCE_BRB },
        { 15000, PRESENCE_AWAY },
        { 17999, PRESENCE_AWAY },
        { 18000, PRESENCE_OFFLINE },
        { 18500, PRESENCE_OFFLINE },
        { 4294967295ul, PRESENCE_OFFLINE },
        { 4294967296ul, PRESENCE_UNKNOWN },
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        enum presence_state got = presence_state_from_ms_number(rows[i].n);
        if (got != rows[i].want)
            fail_msg("%lu: got %s, want %s", rows[i].n, presence_state_name(got),
                     presence_state_name(rows[i].want));
    }
}

/* The number sipfed publishes (PRESENCE.md §2, third column) lands back in its own range. */
static void test_ms_number_published(void **state)
{
    static const struct { enum presence_state st; unsigned n; } rows[] = {
        { PRESENCE_UNKNOWN, 0 },
        { PRESENCE_AVAILABLE, 3500 },
        { PRESENCE_BUSY, 6500 },
        { PRESENCE_DND, 9500 },
        { PRESENCE_BRB, 12500 },
        { PRESENCE_AWAY, 15500 },
        { PRESENCE_OFFLINE, 18500 },
        { PRESENCE_AVAILABLE_IDLE, 15500 },   /* (sipfed) idle is published as away */
        { PRESENCE_BUSY_IDLE, 6500 },         /* (sipfed) */
        { PRESENCE_XA, 15500 },               /* (sipfed) */
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        assert_int_equal(presence_ms_number(rows[i].st), rows[i].n);
        if (rows[i].n && rows[i].st != PRESENCE_AVAILABLE_IDLE && rows[i].st != PRESENCE_BUSY_IDLE &&
            rows[i].st != PRESENCE_XA)
            assert_int_equal(presence_state_from_ms_number(rows[i].n), rows[i].st);
    }
}

/* Cisco Table 1 with PRESENCE.md §4: canonical -> <presence/>, both busy_as_dnd settings,
 * and the Jabber label. */
static void test_canonical_to_xmpp_table1(void **state)
{
    static const struct {
        enum presence_state st;
        const char *note;
        const char *want, *want_dnd, *label;
    } rows[] = {
        { PRESENCE_AVAILABLE, "", "<presence/>", "<presence/>", "Available" },
        { PRESENCE_AVAILABLE_IDLE, "", "<presence><show>away</show><status>Idle</status></presence>",
          "<presence><show>away</show><status>Idle</status></presence>", "Away" },
        { PRESENCE_BUSY, "", "<presence><show>away</show><status>Busy</status></presence>",
          "<presence><show>dnd</show><status>Busy</status></presence>", "Busy" },
        { PRESENCE_BUSY_IDLE, "", "<presence><show>away</show><status>Busy</status></presence>",
          "<presence><show>dnd</show><status>Busy</status></presence>", "Busy" },
        { PRESENCE_DND, "", "<presence><show>away</show><status>Busy</status></presence>",
          "<presence><show>dnd</show><status>Busy</status></presence>", "Busy" },
        { PRESENCE_BRB, "", "<presence><show>away</show></presence>",
          "<presence><show>away</show></presence>", "Away" },
        { PRESENCE_AWAY, "", "<presence><show>away</show></presence>",
          "<presence><show>away</show></presence>", "Away" },
        { PRESENCE_XA, "", "<presence><show>xa</show></presence>",
          "<presence><show>xa</show></presence>", "Away" },
        { PRESENCE_OFFLINE, "", "<presence type=\"unavailable\"/>",
          "<presence type=\"unavailable\"/>", "Offline" },
        { PRESENCE_UNKNOWN, "", "", "", NULL },
        /* status: the label, the note, or "label - note" (sipfed) */
        { PRESENCE_AVAILABLE, "At my desk", "<presence><status>At my desk</status></presence>",
          "<presence><status>At my desk</status></presence>", "Available" },
        { PRESENCE_BUSY, "In a call", "<presence><show>away</show><status>Busy - In a call</status></presence>",
          "<presence><show>dnd</show><status>Busy - In a call</status></presence>", "Busy" },
        { PRESENCE_AWAY, "Out of office until next week",
          "<presence><show>away</show><status>Out of office until next week</status></presence>",
          "<presence><show>away</show><status>Out of office until next week</status></presence>", "Away" },
    };
    const struct presence_xmpp_opts plain = { .busy_as_dnd = false }, dnd = { .busy_as_dnd = true };
    char buf[PRESENCE_OUT_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct presence_info info;
        memset(&info, 0, sizeof info);
        info.state = rows[i].st;
        snprintf(info.note, sizeof info.note, "%s", rows[i].note);
        assert_true(presence_to_xmpp(&info, &plain, buf, sizeof buf) >= 0);
        assert_string_equal(buf, rows[i].want);
        assert_true(presence_to_xmpp(&info, &dnd, buf, sizeof buf) >= 0);
        assert_string_equal(buf, rows[i].want_dnd);
        if (rows[i].label)
            assert_string_equal(presence_jabber_label(rows[i].st), rows[i].label);
        else
            assert_null(presence_jabber_label(rows[i].st));
    }
}

/* Cisco Table 2 and PRESENCE.md §5: XMPP -> canonical -> number and PIDF activity. */
static void test_xmpp_to_ms_table2(void **state)
{
    static const struct {
        const char *show, *type;
        enum presence_state want;
        unsigned number;
        const char *pidf_has, *pidf_lacks;
        bool unusual;
    } rows[] = {
        { NULL, NULL, PRESENCE_AVAILABLE, 3500, "<basic>open</basic>", "ep:activity", false },
        { "chat", NULL, PRESENCE_AVAILABLE, 3500, "<basic>open</basic>", "ep:activity", false },
        { "away", NULL, PRESENCE_AWAY, 15500, "<ep:activity>away</ep:activity>", "closed", false },
        { "xa", NULL, PRESENCE_AWAY, 15500, "<ep:activity>away</ep:activity>", "closed", false },
        { "dnd", NULL, PRESENCE_BUSY, 6500, "<ep:activity>busy</ep:activity>", "closed", false },
        { NULL, "unavailable", PRESENCE_OFFLINE, 18500, "<basic>closed</basic>", "ep:activity", false },
        { "lunch", NULL, PRESENCE_AVAILABLE, 3500, "<basic>open</basic>", "ep:activity", true },
        { NULL, "subscribe", PRESENCE_UNKNOWN, 0, NULL, NULL, false },
    };
    char buf[PRESENCE_OUT_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct presence_info info;
        bool unusual;
        memset(&info, 0, sizeof info);
        info.state = presence_state_from_xmpp(rows[i].show, rows[i].type, &unusual);
        assert_int_equal(info.state, rows[i].want);
        assert_int_equal(unusual, rows[i].unusual);
        assert_int_equal(presence_ms_number(info.state), rows[i].number);
        assert_true(presence_to_pidf(&info, buf, sizeof buf) >= 0);
        if (rows[i].pidf_has) {
            assert_non_null(strstr(buf, rows[i].pidf_has));
            assert_null(strstr(buf, rows[i].pidf_lacks));
        } else {
            assert_string_equal(buf, "");
        }
    }
}

/* Cisco Table 3: Jabber labels toward Microsoft. */
static void test_jabber_to_ms_table3(void **state)
{
    static const struct { const char *label; enum presence_state want; unsigned number; } rows[] = {
        { "Available", PRESENCE_AVAILABLE, 3500 },
        { "Busy", PRESENCE_BUSY, 6500 },
        { "Do Not Disturb", PRESENCE_BUSY, 6500 },   /* Cisco never shows Lync DND */
        { "Offline", PRESENCE_OFFLINE, 18500 },
        { "Away", PRESENCE_AWAY, 15500 },            /* (sipfed) */
        { "Idle", PRESENCE_AWAY, 15500 },            /* (sipfed) */
        { "do not disturb", PRESENCE_BUSY, 6500 },
        { "Gone fishing", PRESENCE_UNKNOWN, 0 },
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        enum presence_state st = presence_state_from_jabber_label(rows[i].label);
        assert_int_equal(st, rows[i].want);
        assert_int_equal(presence_ms_number(st), rows[i].number);
    }
}

/* PRESENCE.md §6. */
static void test_empty_notify_subscription_state(void **state)
{
    static const struct { const char *value; bool changes; } rows[] = {
        { "active", false },
        { "active;expires=3600", false },
        { "pending", true },
        { "Pending;expires=600", true },
        { "terminated;reason=noresource", true },
        { " terminated", true },
        { "pendingx", false },
        { "", false },
        { NULL, false },
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        enum presence_state st = PRESENCE_AVAILABLE;
        assert_int_equal(presence_empty_notify_state(rows[i].value, &st), rows[i].changes);
        assert_int_equal(st, rows[i].changes ? PRESENCE_OFFLINE : PRESENCE_AVAILABLE);
    }
}

/* Notes: controls removed, line breaks to a space, cut at 255 bytes on a UTF-8 boundary. */
static void test_note_cleanup_and_utf8_cut(void **state)
{
    char dst[PRESENCE_TEXT_MAX + 1], src[600];
    size_t n = 0;
    (void)state;

    static const char messy[] = "  Out\tof\r\noffice\x01\x7f  ";
    presence_text_copy(dst, messy, sizeof messy - 1);
    assert_string_equal(dst, "Out of office");
    presence_text_copy(dst, "a\xc2\x85" "b", 4);   /* U+0085 (C1 NEL) dropped */
    assert_string_equal(dst, "ab");
    presence_text_copy(dst, "x\xff\xc3", 3);       /* stray and cut bytes dropped */
    assert_string_equal(dst, "x");

    /* 254 ASCII bytes then "é" (2 bytes): the é would end at 256, so it is cut whole. */
    memset(src, 'a', 254);
    n = 254;
    memcpy(src + n, "\xc3\xa9", 2), n += 2;
    presence_text_copy(dst, src, n);
    assert_int_equal(strlen(dst), 254);
    /* 253 + "€" (3 bytes) = 256: cut before the euro sign. */
    memcpy(src + 253, "\xe2\x82\xac", 3);
    presence_text_copy(dst, src, 256);
    assert_int_equal(strlen(dst), 253);
    /* 252 + "€" = 255 exactly: kept. */
    memset(src, 'a', 252);
    memcpy(src + 252, "\xe2\x82\xac" "zzz", 6);
    presence_text_copy(dst, src, 258);
    assert_int_equal(strlen(dst), 255);
    assert_memory_equal(dst + 252, "\xe2\x82\xac", 3);
}

static void test_xml_escaping_on_output(void **state)
{
    struct presence_info info;
    char buf[PRESENCE_OUT_MAX];
    const struct presence_xmpp_opts opts = { 0 };
    (void)state;

    assert_int_equal(presence_xml_escape(buf, sizeof buf, "a&b<c>d\"e'f"), 31);
    assert_string_equal(buf, "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    assert_int_equal(presence_xml_escape(buf, 5, "a&b"), -1);

    memset(&info, 0, sizeof info);
    info.state = PRESENCE_AWAY;
    snprintf(info.note, sizeof info.note, "%s", "</status><show>chat</show>");
    snprintf(info.entity, sizeof info.entity, "%s", "sip:o\"neil@example.com");
    snprintf(info.display_name, sizeof info.display_name, "%s", "O'Neil & <Sons>");
    assert_true(presence_to_xmpp(&info, &opts, buf, sizeof buf) > 0);
    assert_string_equal(buf, "<presence from=\"o&quot;neil@example.com\"><show>away</show>"
                             "<status>&lt;/status&gt;&lt;show&gt;chat&lt;/show&gt;</status></presence>");
    assert_true(presence_to_pidf(&info, buf, sizeof buf) > 0);
    assert_non_null(strstr(buf, "entity=\"sip:o&quot;neil@example.com\""));
    assert_non_null(strstr(buf, "<note>&lt;/status&gt;&lt;show&gt;chat&lt;/show&gt;</note>"));
    assert_non_null(strstr(buf, "<ci:display-name>O&apos;Neil &amp; &lt;Sons&gt;</ci:display-name>"));
    /* too small a buffer: -1 and an empty string, never a cut document */
    assert_int_equal(presence_to_pidf(&info, buf, 64), -1);
    assert_string_equal(buf, "");
}

static void test_entity_and_jid(void **state)
{
    static const struct { const char *entity; const char *want; } rows[] = {
        { "sip:alice@example.com", "<presence from=\"alice@example.com\"/>" },
        { "sip:alice@example.com;transport=tls", "<presence from=\"alice@example.com\"/>" },
        { "pres:alice@example.com", "<presence from=\"alice@example.com\"/>" },
        { "alice@example.com/jabber", "<presence from=\"alice@example.com\"/>" },
        { "sip:example.com", "<presence/>" },
        { "", "<presence/>" },
    };
    char buf[PRESENCE_OUT_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct presence_info info;
        memset(&info, 0, sizeof info);
        info.state = PRESENCE_AVAILABLE;
        snprintf(info.entity, sizeof info.entity, "%s", rows[i].entity);
        presence_to_xmpp(&info, NULL, buf, sizeof buf);
        assert_string_equal(buf, rows[i].want);
    }
}

static void test_names_and_content_types(void **state)
{
    enum presence_doc_format f;
    (void)state;
    assert_string_equal(presence_state_name(PRESENCE_BUSY_IDLE), "busy_idle");
    assert_string_equal(presence_activity_name(PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY),
                        "urgent-interruptions-only");
    assert_int_equal(presence_format_parse("categories", &f), 0);
    assert_int_equal(f, PRESENCE_FMT_CATEGORIES);
    assert_int_equal(presence_format_parse("json", &f), EINVAL);
    assert_int_equal(presence_format_from_content_type("Application/PIDF+XML; charset=UTF-8"),
                     PRESENCE_FMT_PIDF);
    assert_int_equal(presence_format_from_content_type("text/xml+msrtc.pidf"), PRESENCE_FMT_MSRTC);
    assert_int_equal(presence_format_from_content_type("application/msrtc-event-categories+xml"),
                     PRESENCE_FMT_CATEGORIES);
    assert_int_equal(presence_format_from_content_type("application/xpidf+xml"), PRESENCE_FMT_XPIDF);
    assert_int_equal(presence_format_from_content_type(
                         "multipart/related;type=\"application/rlmi+xml\";boundary=x"),
                     PRESENCE_FMT_MULTIPART);
    assert_int_equal(presence_format_from_content_type("application/pidf+xmlx"), PRESENCE_FMT_AUTO);
    assert_int_equal(presence_format_from_content_type("text/plain"), PRESENCE_FMT_AUTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_number_boundaries),
        cmocka_unit_test(test_ms_number_published),
        cmocka_unit_test(test_canonical_to_xmpp_table1),
        cmocka_unit_test(test_xmpp_to_ms_table2),
        cmocka_unit_test(test_jabber_to_ms_table3),
        cmocka_unit_test(test_empty_notify_subscription_state),
        cmocka_unit_test(test_note_cleanup_and_utf8_cut),
        cmocka_unit_test(test_xml_escaping_on_output),
        cmocka_unit_test(test_entity_and_jid),
        cmocka_unit_test(test_names_and_content_types),
    };
    return cmocka_run_group_tests_name("presence_map", tests, NULL, NULL);
}
