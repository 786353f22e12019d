/* test_alias.c — the alias of a Request-URI (SPEC §4.1), from URLs parsed by sofia. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "alias.h"

static const struct { const char *uri, *alias, *host; } cases[] = {
    { "sip:bob@msexample.test", "bob@msexample.test", "msexample.test" },
    { "sip:Bob@MSExample.TEST", "Bob@msexample.test", "msexample.test" },
    { "sips:bob@msexample.test", "bob@msexample.test", "msexample.test" },
    { "sip:bob@msexample.test:5061", "bob@msexample.test:5061", "msexample.test" },
    { "sip:bob@msexample.test;transport=TLS", "bob@msexample.test;transport=TLS",
      "msexample.test" },
    { "sip:imp1-public.CiscoExample.test:5061;transport=tls",
      "imp1-public.ciscoexample.test:5061;transport=tls", "imp1-public.ciscoexample.test" },
    { "sip:bob:secret@msexample.test", "bob@msexample.test", "msexample.test" },
    { "sip:+15551234;phone-context=X@GW.test;user=phone",
      "+15551234;phone-context=X@gw.test;user=phone", "gw.test" },
    { "sip:192.0.2.1:5062", "192.0.2.1:5062", "192.0.2.1" },
    { "sip:alice@[2001:DB8::1]:5061", "alice@[2001:db8::1]:5061", "[2001:db8::1]" },
    /* URI headers (?Subject=...) are not part of the alias */
    { "sip:bob@msexample.test?Subject=hi", "bob@msexample.test", "msexample.test" },
};

static void test_alias_from_url(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        su_home_t *home = su_home_new(sizeof *home);
        url_t *url = url_make(home, cases[i].uri);
        assert_non_null(url);
        char *alias = alias_from_url(home, url);
        assert_non_null(alias);
        if (strcmp(alias, cases[i].alias) != 0)
            fail_msg("%s: alias '%s', expected '%s'", cases[i].uri, alias, cases[i].alias);
        char *host = alias_host(home, alias);
        if (strcmp(host, cases[i].host) != 0)
            fail_msg("%s: host '%s', expected '%s'", cases[i].uri, host, cases[i].host);
        su_home_unref(home);
    }
}

static void test_alias_without_host(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    assert_null(alias_from_url(home, NULL));
    url_t *url = url_make(home, "tel:+15551234");
    assert_non_null(url);
    assert_null(alias_from_url(home, url));
    assert_null(alias_host(home, NULL));
    su_home_unref(home);
}

static void test_alias_normalize(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } norm[] = {
        { "Bob@MS.Test;X=Y", "Bob@ms.test;X=Y" },
        { "HOST.Test:5061", "host.test:5061" },
        { "a@[2001:DB8::A]:5061", "a@[2001:db8::a]:5061" },
        { "", "" },
    };
    for (size_t i = 0; i < sizeof norm / sizeof *norm; i++) {
        char buf[64];
        strcpy(buf, norm[i].in);
        alias_normalize(buf);
        assert_string_equal(buf, norm[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alias_from_url),
        cmocka_unit_test(test_alias_without_host),
        cmocka_unit_test(test_alias_normalize),
    };
    return cmocka_run_group_tests_name("alias", tests, NULL, NULL);
}
