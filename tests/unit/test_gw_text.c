/* test_gw_text.c — the XMPP gateway's pure translations (proxy/gateway/gw_text.c): JID <-> SIP
 * URI, the plain text of Microsoft IM bodies, the session SDP, SIP failures as XMPP stanza
 * errors; and the [gateway] section of the node file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gateway_config.h"
#include "gw_text.h"

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

static void test_sip_uri_from_jid(void **state)
{
    static const struct { const char *jid; int err; const char *uri; } rows[] = {
        { "alice@xmpp.example", 0, "sip:alice@xmpp.example" },
        { "a.b-c_d@x.test", 0, "sip:a.b-c_d@x.test" },
        { "o%brien@x.test", 0, "sip:o%25brien@x.test" },          /* % itself is escaped */
        { "caf\xc3\xa9@x.test", 0, "sip:caf%C3%A9@x.test" },      /* UTF-8 bytes escaped */
        { "x[1]@x.test", 0, "sip:x%5B1%5D@x.test" },
        { "x.test", EINVAL, NULL },                               /* no node */
        { "@x.test", EINVAL, NULL },
        { "a@", EINVAL, NULL },
        { "a@x.test/res", EINVAL, NULL },                         /* not bare */
    };
    char out[GW_ADDR_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        int err = gw_sip_uri_from_jid(rows[i].jid, out, sizeof out);
        assert_int_equal(err, rows[i].err);
        if (!err)
            assert_string_equal(out, rows[i].uri);
    }
    assert_int_equal(gw_sip_uri_from_jid("abcdefgh@x.test", out, 12), ENOSPC);
}

static void test_jid_from_sip(void **state)
{
    static const struct { const char *user, *host; int err; const char *jid; } rows[] = {
        { "Bob", "MSExample.test", 0, "bob@msexample.test" },
        { "caf%C3%A9", "x.test", 0, "caf\xc3\xa9@x.test" },
        { "o%25brien", "x.test", 0, "o%brien@x.test" },
        { "a%40b", "x.test", EINVAL, NULL },      /* @ in a localpart (RFC 7622) */
        { "a%2Fb", "x.test", EINVAL, NULL },      /* / */
        { "a:b", "x.test", EINVAL, NULL },
        { "a&b", "x.test", EINVAL, NULL },
        { "a%20b", "x.test", EINVAL, NULL },      /* space */
        { "a%0", "x.test", EINVAL, NULL },        /* truncated escape */
        { "a%zz", "x.test", EINVAL, NULL },
        { "", "x.test", EINVAL, NULL },
        { "a", "", EINVAL, NULL },
    };
    char out[GW_ADDR_MAX];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        int err = gw_jid_from_sip(rows[i].user, rows[i].host, out, sizeof out);
        assert_int_equal(err, rows[i].err);
        if (!err)
            assert_string_equal(out, rows[i].jid);
    }
}

static void test_jid_parts(void **state)
{
    char out[GW_ADDR_MAX];
    (void)state;
    assert_int_equal(gw_jid_bare("Carol@XMPP.test/Res/x", out, sizeof out), 0);
    assert_string_equal(out, "carol@xmpp.test");
    assert_int_equal(gw_jid_bare("xmpp.test", out, sizeof out), EINVAL);
    assert_int_equal(gw_jid_bare("carol@/r", out, sizeof out), EINVAL);
    assert_int_equal(gw_jid_domain("carol@XMPP.test/r", out, sizeof out), 0);
    assert_string_equal(out, "xmpp.test");
    assert_int_equal(gw_jid_domain("msexample.test", out, sizeof out), 0);
    assert_string_equal(out, "msexample.test");
    assert_int_equal(gw_jid_domain("a@", out, sizeof out), EINVAL);
}

#define MP_ALT "multipart/alternative; boundary=\"b1\""
static void test_im_text(void **state)
{
    static const struct { const char *ct, *body; int err; const char *text; } rows[] = {
        { "text/plain;charset=UTF-8", "hello\r\n", 0, "hello" },
        { "Text/Plain", "two\nlines", 0, "two\nlines" },
        { NULL, "no type is text", 0, "no type is text" },
        { "text/html", "<div><span style=\"x\">Hi &amp; bye</span></div><div>l2&lt;3 &#233;&#x41;&nbsp;x</div>",
          0, "Hi & bye\nl2<3 \xc3\xa9" "A x" },
        { "text/html", "a<br/>b<BR>c &bogus; &", 0, "a\nb\nc &bogus; &" },
        { "text/html", "<html><head><style>p{}</style></head><body>t</body></html>", 0, "t" },
        { "text/html", "&#0;&#xD800;&#99999999;", 0, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
        { MP_ALT, "--b1\r\nContent-Type: text/html\r\n\r\n<b>rich</b>\r\n--b1\r\n"
                  "Content-Type: text/plain; charset=UTF-8\r\n\r\nplain part\r\n--b1--\r\n",
          0, "plain part" },
        { MP_ALT, "--b1\r\nContent-Type: text/html\r\n\r\n<b>only</b> html\r\n--b1--\r\n", 0, "only html" },
        { "multipart/alternative; boundary=b1", "--b1\nContent-Type: text/rtf\n\n{\\rtf1}\n--b1--\n",
          EPROTONOSUPPORT, NULL },
        { MP_ALT, "--b1\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n", EINVAL, NULL },
        { "multipart/alternative", "--b1--\r\n", EINVAL, NULL },      /* no boundary parameter */
        { "application/im-iscomposing+xml", "<isComposing/>", EPROTONOSUPPORT, NULL },
        { "text/plain", "nul\0inside", EPROTONOSUPPORT, NULL },
    };
    char out[256];
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        size_t len = strlen(rows[i].body);
        if (i == N_OF(rows) - 1)
            len = 10;   /* the body with a NUL */
        int err = gw_im_text_from_body(rows[i].ct, rows[i].body, len, out, sizeof out);
        if (err != rows[i].err)
            fail_msg("row %zu: err %d, want %d", i, err, rows[i].err);
        if (!err)
            assert_string_equal(out, rows[i].text);
    }
    char big[300];
    memset(big, 'x', sizeof big);
    assert_int_equal(gw_im_text_from_body("text/plain", big, sizeof big, out, sizeof out),
                     EMSGSIZE);
}

static void test_sdp(void **state)
{
    char sdp[512];
    (void)state;
    assert_true(gw_im_sdp("192.0.2.7", 5070, sdp, sizeof sdp) > 0);
    assert_non_null(strstr(sdp, "\r\nm=message 5070 sip null\r\n"));
    assert_non_null(strstr(sdp, "c=IN IP4 192.0.2.7\r\n"));
    assert_non_null(strstr(sdp, "a=accept-types:text/plain"));
    assert_true(gw_sdp_offers_message(sdp, strlen(sdp)));
    assert_int_equal(gw_im_sdp("192.0.2.7", 5070, sdp, 20), -1);
    static const char audio[] = "v=0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assert_false(gw_sdp_offers_message(audio, strlen(audio)));
    static const char bare_lf[] = "v=0\nm=message 5060 sip null";
    assert_true(gw_sdp_offers_message(bare_lf, strlen(bare_lf)));
}

static void test_stanza_errors(void **state)
{
    static const struct { int status; const char *type, *condition; } rows[] = {
        { 404, "cancel", "item-not-found" },          /* issue 16 */
        { 403, "auth", "forbidden" },
        { 480, "wait", "recipient-unavailable" },
        { 408, "wait", "recipient-unavailable" },
        { 486, "wait", "recipient-unavailable" },
        { 488, "modify", "not-acceptable" },
        { 503, "wait", "service-unavailable" },
        { 504, "wait", "remote-server-timeout" },
        { 502, "cancel", "remote-server-not-found" },
        { 603, "auth", "forbidden" },
        { 302, "modify", "redirect" },
        { 599, "wait", "service-unavailable" },
        { 499, "cancel", "undefined-condition" },
    };
    (void)state;
    for (size_t i = 0; i < N_OF(rows); i++) {
        struct gw_stanza_error e = gw_stanza_error_from_sip(rows[i].status);
        assert_string_equal(e.type, rows[i].type);
        assert_string_equal(e.condition, rows[i].condition);
    }
}

/* ---- [gateway] in the node file ---- */

static char dir[] = "/tmp/test_gw_text.XXXXXX";

static int load(const char *text, struct diag *d, struct gateway_config **cfg)
{
    char path[128];
    snprintf(path, sizeof path, "%s/node.ini", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return gateway_config_load(path, d, cfg);
}

static bool diag_has(const struct diag *d, const char *needle)
{
    for (size_t i = 0; i < diag_count(d); i++)
        if (strstr(diag_get(d, i)->msg, needle))
            return true;
    return false;
}

static void test_config(void **state)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct gateway_config *cfg = NULL;
    char secret[160];
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(secret, sizeof secret, "%s/secret", dir);
    FILE *f = fopen(secret, "w");
    fputs("s3cret\n", f);
    fclose(f);
    chmod(secret, 0600);

    struct diag *d = diag_new(home);
    assert_int_equal(load("[proxy]\nhostname = x\n[gateway]\nlisten = 127.0.0.5:5070\n"
                          "proxy = 127.0.0.1:5060\nxmpp_server = 127.0.0.1:5347\n"
                          "component_secret_file = secret\npartner_domains = MSExample.test, b.test\n"
                          "local_domains = xmpp.test\nsession_idle = 60\n[presence]\nbusy_as_dnd = on\n",
                          d, &cfg), 0);
    assert_string_equal(cfg->secret, "s3cret");
    assert_int_equal(cfg->n_partner_domains, 2);
    assert_string_equal(cfg->partner_domains[0], "msexample.test");
    assert_int_equal(cfg->sip_port, 5070);
    assert_int_equal(cfg->session_idle, 60);
    assert_int_equal(cfg->subscribe_expires, 3600);
    assert_true(cfg->busy_as_dnd);
    assert_true(gateway_domain_in(cfg->partner_domains, cfg->n_partner_domains, "B.TEST"));
    gateway_config_free(cfg);

    d = diag_new(home);
    assert_int_equal(load("[proxy]\nhostname = x\n", d, &cfg), ENOENT);
    assert_true(diag_has(d, "no [gateway] section"));

    d = diag_new(home);
    assert_int_equal(load("[gateway]\nlisten = 127.0.0.5\ntransport = tls\nbogus = 1\n"
                          "partner_domains = a.test\nlocal_domains = a.test\nsession_idle = 1\n",
                          d, &cfg), EINVAL);
    assert_null(cfg);
    assert_true(diag_has(d, "unknown key 'bogus'"));
    assert_true(diag_has(d, "the proxy does TLS"));
    assert_true(diag_has(d, "missing required key 'proxy'"));
    assert_true(diag_has(d, "missing component_secret_file"));
    assert_true(diag_has(d, "both a partner and a local domain"));
    assert_true(diag_has(d, "'session_idle'"));

    /* `sipfed check`: no [gateway] is fine; [log] problems are the proxy loader's to report */
    d = diag_new(home);
    char path0[128];
    snprintf(path0, sizeof path0, "%s/node.ini", dir);
    load("[proxy]\nhostname = x\n[log]\nlevel = loud\n", d, &cfg);
    d = diag_new(home);
    assert_int_equal(gateway_config_check(path0, d), 0);
    assert_int_equal(diag_count(d), 0);
    load("[log]\nlevel = loud\n[gateway]\nlisten = 127.0.0.5:5070\n", d, &cfg);
    d = diag_new(home);
    assert_int_equal(gateway_config_check(path0, d), EINVAL);
    assert_true(diag_has(d, "missing required key 'proxy'"));
    assert_false(diag_has(d, "'level'"));

    chmod(secret, 0644);
    d = diag_new(home);
    assert_int_equal(load("[gateway]\nlisten = 127.0.0.5:5070\nproxy = 127.0.0.1:5060\n"
                          "xmpp_server = 127.0.0.1:5347\ncomponent_secret_file = secret\n"
                          "partner_domains = a.test\nlocal_domains = b.test\n", d, &cfg), EINVAL);
    assert_true(diag_has(d, "readable by group or others"));

    unlink(secret);
    char path[128];
    snprintf(path, sizeof path, "%s/node.ini", dir);
    unlink(path);
    rmdir(dir);
    su_home_deinit(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sip_uri_from_jid),
        cmocka_unit_test(test_jid_from_sip),
        cmocka_unit_test(test_jid_parts),
        cmocka_unit_test(test_im_text),
        cmocka_unit_test(test_sdp),
        cmocka_unit_test(test_stanza_errors),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests_name("gw_text", tests, NULL, NULL);
}
