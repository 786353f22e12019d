/* test_sip_mclass.c — the agent's message class reads what sofia 1.12 refuses but RFC 3261
 * allows (token methods), reads a request whose Request-URI does not parse with the URI marked,
 * leaves everything sofia reads itself as sofia reads it, and still takes headers made with
 * sofia's own classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/sip_util.h>

#include "log.h"
#include "sip_mclass.h"

static struct sip_mclass *mc;

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_LVL_ERROR);     /* the dropped first lines are logged at debug */
    mc = sip_mclass_create();
    return mc ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sip_mclass_destroy(mc);
    return 0;
}

/* Parse `first` + CSeq `cseq` + the other mandatory headers with the class. */
static msg_t *parse(const char *first, const char *cseq)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n"
             "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c1\r\n"
             "CSeq: %s\r\nContent-Length: 0\r\n\r\n", first, cseq);
    msg_t *m = msg_make(sip_mclass_get(mc), 0, buf, (ssize_t)strlen(buf));
    assert_non_null(m);
    return m;
}

static void test_token_methods_sofia_refuses(void **state)
{
    (void)state;
    static const char *const methods[] = { "SERVICE", "SUB", "S", "A+B", "X`Y" };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        char first[128], cseq[64];
        snprintf(first, sizeof first, "%s sip:alice@example.com SIP/2.0", methods[i]);
        snprintf(cseq, sizeof cseq, "0007 %s", methods[i]);
        msg_t *m = parse(first, cseq);
        sip_t *sip = sip_object(m);
        assert_non_null(sip->sip_request);
        assert_int_equal(sip->sip_request->rq_method, sip_method_unknown);
        assert_string_equal(sip->sip_request->rq_method_name, methods[i]);
        assert_string_equal(sip->sip_request->rq_url->url_host, "example.com");
        assert_false(sip_request_uri_is_bad(sip));
        assert_non_null(sip->sip_cseq);
        assert_int_equal(sip->sip_cseq->cs_seq, 7);
        assert_string_equal(sip->sip_cseq->cs_method_name, methods[i]);
        assert_int_equal(sip_sanity_check(sip), 0);
        assert_null(sip->sip_error);
        msg_destroy(m);
    }
}

static void test_bad_request_uri_is_marked(void **state)
{
    (void)state;
    static const char *const lines[] = { "MESSAGE sip:alice@ SIP/2.0",
                                         "MESSAGE sip:alice@[::1 SIP/2.0" };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        msg_t *m = parse(lines[i], "1 MESSAGE");
        sip_t *sip = sip_object(m);
        assert_non_null(sip->sip_request);
        assert_int_equal(sip->sip_request->rq_method, sip_method_message);
        assert_true(sip_request_uri_is_bad(sip));
        assert_null(sip->sip_request->rq_url->url_host);
        assert_non_null(sip->sip_via);                 /* the rest is read: an answer can go */
        assert_non_null(sip->sip_call_id);
        msg_destroy(m);
    }
}

static void test_what_sofia_reads_is_unchanged(void **state)
{
    (void)state;
    msg_t *m = parse("MESSAGE sip:alice@example.com;transport=tcp SIP/2.0", "12 MESSAGE");
    sip_t *sip = sip_object(m);
    assert_int_equal(sip->sip_request->rq_method, sip_method_message);
    assert_string_equal(sip->sip_request->rq_url->url_params, "transport=tcp");
    assert_int_equal(sip->sip_cseq->cs_method, sip_method_message);
    assert_int_equal(sip->sip_cseq->cs_seq, 12);
    msg_destroy(m);
    m = parse("FOO sip:alice@example.com SIP/2.0", "1 FOO");
    sip = sip_object(m);
    assert_int_equal(sip->sip_request->rq_method, sip_method_unknown);
    assert_string_equal(sip->sip_cseq->cs_method_name, "FOO");
    msg_destroy(m);
}

static void test_unreadable_first_lines_stay_refused(void **state)
{
    (void)state;
    static const struct {
        const char *line, *why;
    } cases[] = {
        { "M@SSAGE sip:alice@example.com SIP/2.0", "the method is not a token" },
        { "hello world", "not a SIP request or response line" },
        { "MESSAGE sip:alice@example.com", "not a SIP request or response line" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        msg_t *m = parse(cases[i].line, "1 MESSAGE");
        sip_t *sip = sip_object(m);
        char line[128];
        const char *why = NULL;
        assert_true(!sip || (!sip->sip_request && !sip->sip_status));
        /* The line and the reason wait for the unreadable episode (unreadable.c), once. */
        assert_true(sip_first_line_dropped_take(m, line, sizeof line, &why));
        assert_string_equal(line, cases[i].line);
        assert_non_null(strstr(why, cases[i].why));
        assert_false(sip_first_line_dropped_take(m, line, sizeof line, &why));
        msg_destroy(m);
    }
    /* A message read whole leaves nothing to take. */
    msg_t *ok = parse("MESSAGE sip:alice@example.com SIP/2.0", "1 MESSAGE");
    char line[128];
    const char *why;
    assert_false(sip_first_line_dropped_take(ok, line, sizeof line, &why));
    msg_destroy(ok);
    /* A CSeq whose method is no token is still an error. */
    msg_t *m = parse("MESSAGE sip:alice@example.com SIP/2.0", "1 M@SSAGE");
    assert_null(sip_object(m)->sip_cseq);
    msg_destroy(m);
}

/* Headers made with sofia's own CSeq and request-line classes still find their place. */
static void test_sofia_classes_still_insert(void **state)
{
    (void)state;
    msg_t *m = msg_create(sip_mclass_get(mc), 0);
    sip_t *sip = sip_object(m);
    assert_non_null(sip);
    assert_int_equal(sip_add_tl(m, sip, SIPTAG_REQUEST_STR("OPTIONS sip:a@example.com SIP/2.0"),
                                SIPTAG_CSEQ_STR("3 OPTIONS"), TAG_END()), 0);
    assert_non_null(sip->sip_request);
    assert_non_null(sip->sip_cseq);
    assert_int_equal(sip->sip_cseq->cs_seq, 3);
    msg_destroy(m);
}

/* A CRLF keep-alive (or any whitespace) read together with the message after it: sofia's
 * extract_first() with MSG_DO_EXTRACT_COPY gave the parser the whitespace and a line cut short
 * ("\r\n\r\nMESSAGE sip:... SIP/2"), and the message was garbage. Read as the agent reads (the
 * same flags), for a request and a response; the first line is forwarded without the
 * whitespace, byte for byte. */
static void test_whitespace_before_first_line(void **state)
{
    (void)state;
    static const char *const firsts[] = { "MESSAGE sip:alice@example.com SIP/2.0",
                                          "SIP/2.0 200 OK" };
    static const char *const lead[] = { "\r\n\r\n", "\r\n", " \t\r\n" };
    for (size_t f = 0; f < 2; f++)
        for (size_t l = 0; l < 3; l++) {
            char buf[1024];
            snprintf(buf, sizeof buf, "%s%s\r\nVia: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKx\r\n"
                     "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
                     "Call-ID: c1\r\nCSeq: 7 MESSAGE\r\nContent-Length: 0\r\n\r\n", lead[l],
                     firsts[f]);
            msg_t *m = msg_make(sip_mclass_get(mc), MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY, buf,
                                (ssize_t)strlen(buf));
            assert_non_null(m);
            sip_t *sip = sip_object(m);
            assert_false(msg_has_error(m));
            if (f == 0) {
                assert_non_null(sip->sip_request);
                assert_int_equal(sip->sip_request->rq_method, sip_method_message);
                assert_string_equal(sip->sip_request->rq_version, "SIP/2.0");
            } else {
                assert_non_null(sip->sip_status);
                assert_int_equal(sip->sip_status->st_status, 200);
            }
            size_t len = 0;
            assert_int_equal(msg_serialize(m, (msg_pub_t *)sip), 0);
            char *wire = msg_as_string(msg_home(m), m, (msg_pub_t *)sip, 0, &len);
            assert_non_null(wire);
            assert_memory_equal(wire, firsts[f], strlen(firsts[f]));
            assert_memory_equal(wire + strlen(firsts[f]), "\r\n", 2);
            msg_destroy(m);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_methods_sofia_refuses),
        cmocka_unit_test(test_bad_request_uri_is_marked),
        cmocka_unit_test(test_what_sofia_reads_is_unchanged),
        cmocka_unit_test(test_unreadable_first_lines_stay_refused),
        cmocka_unit_test(test_sofia_classes_still_insert),
        cmocka_unit_test(test_whitespace_before_first_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
