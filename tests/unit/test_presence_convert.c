/* test_presence_convert.c — `presence_format = pidf` (SPEC §7): each Microsoft-only format
 * converted to the PIDF of PRESENCE.md §5 (read back: state, activity, note, entity), PIDF and
 * unknown bodies left alone, and the rewritten message: only Content-Type, Content-Length and the
 * body change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>

#include "presence_convert.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define CT_CATS "application/msrtc-event-categories+xml"
#define CT_MSRTC "text/xml+msrtc.pidf"
#define CT_XPIDF "application/xpidf+xml"
#define CT_PIDF "application/pidf+xml"

#define CATS(uri, inner) "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"" \
    uri "><category name=\"state\"><state xmlns=\"http://schemas.microsoft.com/2006/09/sip/state\" " \
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"aggregateState\">" inner \
    "</state></category></categories>"
#define MSRTC(avail, act) "<presence xmlns=\"http://schemas.microsoft.com/2002/09/sip/presence\">" \
    "<presentity uri=\"sip:carol@fabrikam.com\"><availability aggregate=\"" avail "\"/>" \
    "<activity aggregate=\"" act "\"/><userInfo><note>Back at 3</note></userInfo></presentity></presence>"
#define XPIDF(status, sub) "<?xml version=\"1.0\"?><!DOCTYPE presence PUBLIC \"-//IETF//DTD RFCxxxx XPIDF 1.0//EN\" \"xpidf.dtd\">" \
    "<presence><presentity uri=\"sip:dave@fabrikam.com;method=SUBSCRIBE\"/><atom id=\"1\">" \
    "<address uri=\"sip:dave@fabrikam.com\"><status status=\"" status "\"/>" \
    "<msnsubstatus substatus=\"" sub "\"/></address></atom></presence>"
#define PIDF_BUSY "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" entity=\"sip:erin@fabrikam.com\">" \
    "<tuple id=\"t\"><status><basic>open</basic></status></tuple></presence>"

/* ------------------------------------------------------------ the pure conversion */

struct body_row {
    const char *name, *content_type, *body, *header_entity;
    enum presence_convert_result result;
    enum presence_state state;     /* what the PIDF out reads back as (Cisco Table 2/3 view) */
    const char *activity;          /* the ep:activity written, NULL: none */
    const char *basic;             /* open | closed */
    const char *note;              /* NULL: no <note> */
    const char *entity;            /* the PIDF entity */
};

static const struct body_row body_rows[] = {
    { "categories busy + on-the-phone + custom text", CT_CATS,
      CATS(" uri=\"sip:bob@fabrikam.com\"", "<availability>6500</availability><activity "
           "token=\"on-the-phone\"><custom LCID=\"1033\">In a call</custom></activity>"),
      "sip:other@fabrikam.com", PRESENCE_CONVERT_DONE, PRESENCE_BUSY, "busy", "open", "In a call",
      "sip:bob@fabrikam.com" },
    { "categories away 15500 with a note", CT_CATS,
      CATS(" uri=\"sip:bob@fabrikam.com\"", "<availability>15500</availability><activity><custom "
           "LCID=\"1033\">Out of office until next week</custom></activity>"),
      NULL, PRESENCE_CONVERT_DONE, PRESENCE_AWAY, "away", "open", "Out of office until next week",
      "sip:bob@fabrikam.com" },
    { "categories dnd 9500 -> busy (Cisco never shows DND)", CT_CATS,
      CATS(" uri=\"sip:bob@fabrikam.com\"", "<availability>9500</availability>"),
      NULL, PRESENCE_CONVERT_DONE, PRESENCE_BUSY, "busy", "open", NULL, "sip:bob@fabrikam.com" },
    { "categories offline 18500, entity from the headers", CT_CATS,
      CATS("", "<availability>18500</availability>"), "sip:bob@fabrikam.com",
      PRESENCE_CONVERT_DONE, PRESENCE_OFFLINE, NULL, "closed", NULL, "sip:bob@fabrikam.com" },
    { "categories available 3500, Content-Type with parameters and case", "Application/MSRTC-Event-Categories+XML; charset=utf-8",
      CATS(" uri=\"sip:bob@fabrikam.com\"", "<availability>3500</availability>"),
      NULL, PRESENCE_CONVERT_DONE, PRESENCE_AVAILABLE, NULL, "open", NULL, "sip:bob@fabrikam.com" },
    { "msrtc.pidf 300/400 -> available", CT_MSRTC, MSRTC("300", "400"), NULL,
      PRESENCE_CONVERT_DONE, PRESENCE_AVAILABLE, NULL, "open", "Back at 3", "sip:carol@fabrikam.com" },
    { "msrtc.pidf 300/600 -> busy", CT_MSRTC, MSRTC("300", "600"), NULL,
      PRESENCE_CONVERT_DONE, PRESENCE_BUSY, "busy", "open", "Back at 3", "sip:carol@fabrikam.com" },
    { "msrtc.pidf 300/350 brb -> away", CT_MSRTC, MSRTC("300", "350"), NULL,
      PRESENCE_CONVERT_DONE, PRESENCE_AWAY, "away", "open", "Back at 3", "sip:carol@fabrikam.com" },
    { "msrtc.pidf 0 -> offline", CT_MSRTC, MSRTC("0", "400"), NULL,
      PRESENCE_CONVERT_DONE, PRESENCE_OFFLINE, NULL, "closed", "Back at 3", "sip:carol@fabrikam.com" },
    { "xpidf away", CT_XPIDF, XPIDF("open", "away"), NULL, PRESENCE_CONVERT_DONE, PRESENCE_AWAY,
      "away", "open", NULL, "sip:dave@fabrikam.com" },
    { "xpidf onthephone -> busy", CT_XPIDF, XPIDF("open", "onthephone"), NULL,
      PRESENCE_CONVERT_DONE, PRESENCE_BUSY, "busy", "open", NULL,
      "sip:dave@fabrikam.com" },
    { "xpidf closed", CT_XPIDF, XPIDF("closed", "online"), NULL, PRESENCE_CONVERT_DONE,
      PRESENCE_OFFLINE, NULL, "closed", NULL, "sip:dave@fabrikam.com" },
    /* left alone */
    { "PIDF is PIDF already", CT_PIDF, PIDF_BUSY, NULL, PRESENCE_CONVERT_NOT_MS, 0, 0, 0, 0, 0 },
    { "another type", "text/plain", "busy", NULL, PRESENCE_CONVERT_NOT_MS, 0, 0, 0, 0, 0 },
    { "no Content-Type", NULL, CATS("", "<availability>6500</availability>"), NULL,
      PRESENCE_CONVERT_NOT_MS, 0, 0, 0, 0, 0 },
    { "categories without state: unknown", CT_CATS,
      "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"><category "
      "name=\"note\"/></categories>", NULL, PRESENCE_CONVERT_UNMAPPED, 0, 0, 0, 0, 0 },
    { "categories number out of range: unknown", CT_CATS,
      CATS("", "<availability>0</availability>"), NULL, PRESENCE_CONVERT_UNMAPPED, 0, 0, 0, 0, 0 },
    { "malformed XML", CT_CATS, "<categories xmlns=\"http://schemas.microsoft.com/2006/09/sip/categories\"><x>",
      NULL, PRESENCE_CONVERT_UNMAPPED, 0, 0, 0, 0, 0 },
    { "a PIDF labelled as categories", CT_CATS, PIDF_BUSY, NULL, PRESENCE_CONVERT_UNMAPPED,
      0, 0, 0, 0, 0 },
    { "billion laughs", CT_MSRTC, "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><presentity xmlns=\"http://schemas.microsoft.com/"
      "2002/09/sip/presence\"><availability aggregate=\"300\"/>&lol2;</presentity>", NULL,
      PRESENCE_CONVERT_UNMAPPED, 0, 0, 0, 0, 0 },
    { "empty body", CT_XPIDF, "", NULL, PRESENCE_CONVERT_UNMAPPED, 0, 0, 0, 0, 0 },
    { "multipart batch", "multipart/related;type=\"application/rlmi+xml\";boundary=b",
      "--b\r\nContent-Type: " CT_CATS "\r\n\r\n" CATS("", "<availability>6500</availability>")
      "\r\n--b--\r\n", NULL, PRESENCE_CONVERT_BATCH, 0, 0, 0, 0, 0 },
};

static void test_convert_body(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(body_rows); i++) {
        const struct body_row *r = &body_rows[i];
        struct presence_info info, back;
        char out[PRESENCE_OUT_MAX], want[512];
        size_t len = 99;

        print_message("  %s\n", r->name);
        enum presence_convert_result res =
            presence_convert_body(r->content_type, r->body, strlen(r->body), r->header_entity,
                                  &info, out, sizeof out, &len);
        assert_int_equal(res, r->result);
        if (res != PRESENCE_CONVERT_DONE) {
            assert_int_equal(len, 0);
            assert_string_equal(out, "");
            if (res != PRESENCE_CONVERT_NOT_MS)
                assert_true(info.reason[0] != '\0');   /* the log line says why */
            continue;
        }
        assert_int_equal(len, strlen(out));
        /* The output is a PIDF document that reads back as the mapped state. */
        assert_int_equal(presence_doc_parse(PRESENCE_FMT_PIDF, out, len, &back), 0);
        assert_int_equal(back.state, r->state);
        assert_string_equal(back.entity, r->entity);
        assert_string_equal(back.note, r->note ? r->note : "");
        snprintf(want, sizeof want, "<basic>%s</basic>", r->basic);
        assert_non_null(strstr(out, want));
        if (r->activity) {
            snprintf(want, sizeof want, "<ep:activity>%s</ep:activity>", r->activity);
            assert_non_null(strstr(out, want));
        } else {
            assert_null(strstr(out, "activity>"));
        }
    }
}

static void test_convert_body_small_buffer(void **state)
{
    (void)state;
    struct presence_info info;
    char out[32];
    size_t len = 1;
    const char *b = CATS(" uri=\"sip:bob@fabrikam.com\"", "<availability>6500</availability>");

    assert_int_equal(presence_convert_body(CT_CATS, b, strlen(b), NULL, &info, out, sizeof out,
                                           &len), PRESENCE_CONVERT_UNMAPPED);
    assert_int_equal(len, 0);
    assert_non_null(strstr(info.reason, "does not fit"));
}

/* ------------------------------------------------------------ the message rewrite */

static struct zone z_pidf = { .name = "IMP", .type = ZONE_NEIGHBOR,
                              .presence_format = PRESENCE_FORMAT_PIDF };
static struct zone z_asis = { .name = "IMP2", .type = ZONE_NEIGHBOR,
                              .presence_format = PRESENCE_FORMAT_ASIS };

#define HDRS_TAIL "Event: presence\r\nSubscription-State: active;expires=600\r\n" \
    "X-Custom: kept as it was\r\n"

/* A request or response as it came off the wire (Content-Length computed). */
static msg_t *make(const char *start, const char *headers, const char *ct, const char *body)
{
    char buf[8192];
    int n = snprintf(buf, sizeof buf,
                     "%s\r\nVia: SIP/2.0/TCP 192.0.2.1:5061;branch=z9hG4bK-1\r\n"
                     "Max-Forwards: 69\r\n"
                     "From: <sip:alice@fabrikam.com>;tag=a\r\nTo: <sip:bob@ciscoexample.test>;tag=b\r\n"
                     "Call-ID: c1@192.0.2.1\r\n%s%s%s%sContent-Length: %zu\r\n\r\n%s",
                     start, headers, ct ? "Content-Type: " : "", ct ? ct : "", ct ? "\r\n" : "",
                     strlen(body), body);
    assert_true(n > 0 && (size_t)n < sizeof buf);
    msg_t *m = msg_make(sip_default_mclass(), 0, buf, (size_t)n);
    assert_non_null(m);
    assert_non_null(sip_object(m));
    return m;
}

/* The message as it goes on the wire (what nta sends after sip_complete_message). */
static char *wire(msg_t *m)
{
    size_t len = 0;
    assert_int_equal(sip_complete_message(m), 0);
    char *s = msg_as_string(NULL, m, NULL, 0, &len);
    assert_non_null(s);
    return s;
}

/* The header lines of `text` except Content-Type and Content-Length, and its body. */
static void split(const char *text, char *headers, size_t size, const char **body)
{
    const char *end = strstr(text, "\r\n\r\n");
    size_t n = 0;

    assert_non_null(end);
    *body = end + 4;
    headers[0] = '\0';
    for (const char *l = text; l < end + 2;) {
        const char *eol = strstr(l, "\r\n");
        size_t ll = (size_t)(eol - l) + 2;
        if (strncasecmp(l, "Content-Type:", 13) != 0 && strncasecmp(l, "Content-Length:", 15) != 0) {
            assert_true(n + ll < size);
            memcpy(headers + n, l, ll);
            n += ll;
            headers[n] = '\0';
        }
        l += ll;
    }
}

static unsigned long header_value_ul(const char *text, const char *name)
{
    const char *h = strstr(text, name);
    assert_non_null(h);
    return strtoul(h + strlen(name), NULL, 10);
}

struct msg_row {
    const char *name, *start, *headers, *ct, *body;
    const struct zone *zone;
    int rc;                    /* presence_convert_msg */
    const char *entity;        /* converted: the PIDF entity */
    enum presence_state state; /* converted: what it reads back as */
};

static const struct msg_row msg_rows[] = {
    { "NOTIFY categories to a pidf zone", "NOTIFY sip:watcher@192.0.2.2:5062 SIP/2.0",
      "CSeq: 1 NOTIFY\r\n" HDRS_TAIL, CT_CATS,
      CATS(" uri=\"sip:alice@fabrikam.com\"", "<availability>6500</availability>"), &z_pidf, 0,
      "sip:alice@fabrikam.com", PRESENCE_BUSY },
    { "BENOTIFY without uri: entity is the From (the notifier)", "BENOTIFY sip:watcher@192.0.2.2 SIP/2.0",
      "CSeq: 2 BENOTIFY\r\n" HDRS_TAIL, CT_CATS, CATS("", "<availability>15500</availability>"),
      &z_pidf, 0, "sip:alice@fabrikam.com", PRESENCE_AWAY },
    { "PUBLISH xpidf: entity from the body", "PUBLISH sip:bob@ciscoexample.test SIP/2.0",
      "CSeq: 3 PUBLISH\r\n" HDRS_TAIL, CT_XPIDF, XPIDF("closed", "online"), &z_pidf, 0,
      "sip:dave@fabrikam.com", PRESENCE_OFFLINE },
    { "2xx SUBSCRIBE piggy-back: entity is the To", "SIP/2.0 200 OK",
      "CSeq: 4 SUBSCRIBE\r\nms-piggyback-cseq: 1\r\nExpires: 600\r\n", CT_CATS,
      CATS("", "<availability>6500</availability>"), &z_pidf, 0, "sip:bob@ciscoexample.test",
      PRESENCE_BUSY },
    { "NOTIFY msrtc.pidf", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0", "CSeq: 5 NOTIFY\r\n" HDRS_TAIL,
      CT_MSRTC, MSRTC("300", "400"), &z_pidf, 0, "sip:carol@fabrikam.com", PRESENCE_AVAILABLE },
    /* left alone */
    { "zone without the option", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0",
      "CSeq: 1 NOTIFY\r\n" HDRS_TAIL, CT_CATS, CATS("", "<availability>6500</availability>"),
      &z_asis, ENOENT, NULL, 0 },
    { "unknown zone", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0", "CSeq: 1 NOTIFY\r\n" HDRS_TAIL,
      CT_CATS, CATS("", "<availability>6500</availability>"), NULL, ENOENT, NULL, 0 },
    { "PIDF body", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0", "CSeq: 1 NOTIFY\r\n" HDRS_TAIL, CT_PIDF,
      PIDF_BUSY, &z_pidf, ENOENT, NULL, 0 },
    { "unknown body: logged, unchanged", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0",
      "CSeq: 1 NOTIFY\r\n" HDRS_TAIL, CT_CATS, "<categories xmlns=\"http://schemas.microsoft.com/"
      "2006/09/sip/categories\"/>", &z_pidf, EINVAL, NULL, 0 },
    { "batch: logged, unchanged", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0",
      "CSeq: 1 NOTIFY\r\n" HDRS_TAIL, "multipart/related;type=\"application/rlmi+xml\";boundary=b",
      "--b\r\nContent-Type: " CT_CATS "\r\n\r\n" CATS("", "<availability>6500</availability>")
      "\r\n--b--\r\n", &z_pidf, EINVAL, NULL, 0 },
    { "MESSAGE is not a presence carrier", "MESSAGE sip:bob@ciscoexample.test SIP/2.0",
      "CSeq: 1 MESSAGE\r\n", CT_CATS, CATS("", "<availability>6500</availability>"), &z_pidf,
      ENOENT, NULL, 0 },
    { "2xx SUBSCRIBE without ms-piggyback-cseq", "SIP/2.0 200 OK", "CSeq: 4 SUBSCRIBE\r\n",
      CT_CATS, CATS("", "<availability>6500</availability>"), &z_pidf, ENOENT, NULL, 0 },
    { "empty NOTIFY", "NOTIFY sip:watcher@192.0.2.2 SIP/2.0", "CSeq: 1 NOTIFY\r\n" HDRS_TAIL,
      NULL, "", &z_pidf, ENOENT, NULL, 0 },
};

static void test_convert_msg(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_OF(msg_rows); i++) {
        const struct msg_row *r = &msg_rows[i];
        char before_h[4096], after_h[4096];
        const char *before_b, *after_b;

        print_message("  %s\n", r->name);
        msg_t *orig = make(r->start, r->headers, r->ct, r->body);
        msg_t *m = msg_copy(orig);   /* the per-branch copy, as forward.c makes it */
        assert_non_null(m);
        char *before = wire(orig);

        assert_int_equal(presence_convert_msg(m, r->zone), r->rc);
        char *after = wire(m);
        if (r->rc != 0) {
            assert_string_equal(after, before);   /* byte for byte */
        } else {
            split(before, before_h, sizeof before_h, &before_b);
            split(after, after_h, sizeof after_h, &after_b);
            /* every other header as it was, in its place */
            assert_string_equal(after_h, before_h);
            /* the new Content-Type and a Content-Length that is the body's */
            sip_t *s = sip_object(m);
            assert_string_equal(s->sip_content_type->c_type, CT_PIDF);
            assert_non_null(strstr(after, "\r\nContent-Type: " CT_PIDF "\r\n"));
            assert_int_equal(header_value_ul(after, "\r\nContent-Length: "), strlen(after_b));
            assert_int_equal(s->sip_payload->pl_len, strlen(after_b));
            struct presence_info back;
            assert_int_equal(presence_doc_parse(PRESENCE_FMT_PIDF, after_b, strlen(after_b), &back), 0);
            assert_int_equal(back.state, r->state);
            assert_string_equal(back.entity, r->entity);
            /* the parsed copy, re-read from the wire, is a whole SIP message */
            msg_t *again = msg_make(sip_default_mclass(), 0, after, strlen(after));
            assert_non_null(again);
            sip_t *sa = sip_object(again);
            assert_non_null(sa);
            assert_null(sa->sip_error);
            assert_string_equal(sa->sip_content_type->c_type, CT_PIDF);
            assert_int_equal(sa->sip_content_length->l_length, strlen(after_b));
            msg_destroy(again);
        }
        /* the original (the transaction's template) is untouched */
        char *orig_again = wire(orig);
        assert_string_equal(orig_again, before);
        free(orig_again);
        free(before);
        free(after);
        msg_destroy(m);
        msg_destroy(orig);
    }
}

/* ------------------------------------------------------------ zone of a loose-routed hop */

static struct hostport imp_peers[] = { { "127.0.0.2", 5062 }, { "127.0.0.4", 0 } };
static struct zone z_imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .peers = imp_peers,
                             .n_peers = 2, .transport = SIP_TP_TCP,
                             .presence_format = PRESENCE_FORMAT_PIDF };
static struct zone z_dns = { .name = "DNS", .type = ZONE_DNS };
static struct zone z_default = { .name = "default", .type = ZONE_DEFAULT };
static struct zone *zones[] = { &z_dns, &z_imp, &z_default };
static struct dialplan dp = { .dir = "rules", .zones = zones, .n_zones = 3 };

static void test_zone_at(void **state)
{
    (void)state;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct srczone_table *t = NULL;
    assert_int_equal(srczone_table_build(home, &dp, NULL, &t), 0);

    assert_ptr_equal(presence_convert_zone_at(&dp, t, "127.0.0.2", 5062), &z_imp);
    assert_ptr_equal(presence_convert_zone_at(&dp, t, "127.0.0.4", 5060), &z_imp); /* default port */
    assert_null(presence_convert_zone_at(&dp, t, "127.0.0.2", 5070));  /* another port */
    assert_null(presence_convert_zone_at(&dp, t, "127.0.0.3", 5062));  /* nobody's peer */
    assert_null(presence_convert_zone_at(&dp, NULL, "127.0.0.2", 5062));
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert_body),
        cmocka_unit_test(test_convert_body_small_buffer),
        cmocka_unit_test(test_convert_msg),
        cmocka_unit_test(test_zone_at),
    };
    return cmocka_run_group_tests_name("presence_convert", tests, NULL, NULL);
}
