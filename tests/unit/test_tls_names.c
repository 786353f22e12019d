/* test_tls_names.c — certificate names (SAN dNSName, CN only without SAN), exact case-insensitive
 * matching without wildcards, zone fit (SPEC §5.1) and "names the From domain" (§5.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "tls_names.h"

/* A self-signed certificate with subject CN `cn` (NULL: none) and SAN `san` (NULL: none). */
static X509 *make_cert(const char *cn, const char *san)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    assert_non_null(key);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"lab", -1, -1, 0);
    if (cn)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
                                   0);
    X509_set_subject_name(x, name);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    if (san) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, san);
        assert_non_null(ext);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    EVP_PKEY_free(key);
    return x;
}

static void test_cert_names(void **state)
{
    (void)state;
    static const struct {
        const char *cn, *san;
        const char *want[4];       /* NULL-terminated */
    } cases[] = {
        { "edge.ciscoexample.test", "DNS:edge.ciscoexample.test", { "edge.ciscoexample.test" } },
        /* CN is ignored when there is a dNSName */
        { "cn-only.test", "DNS:a.test,DNS:b.test", { "a.test", "b.test" } },
        /* IP and URI entries are never names; the CN is used when no dNSName exists */
        { "imp1.ciscoexample.test", "IP:127.0.0.2,URI:sip:imp1.ciscoexample.test",
          { "imp1.ciscoexample.test" } },
        { "sip.msexample.test", NULL, { "sip.msexample.test" } },
        { NULL, NULL, { NULL } },
        { NULL, "email:a@b.test", { NULL } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        su_home_t *home = su_home_new(sizeof *home);
        X509 *x = make_cert(cases[i].cn, cases[i].san);
        char **names = NULL;
        size_t n = 99, want_n = 0;
        assert_int_equal(tls_cert_names(home, x, &names, &n), 0);
        while (cases[i].want[want_n])
            want_n++;
        assert_int_equal(n, want_n);
        for (size_t k = 0; k < want_n; k++)
            assert_string_equal(names[k], cases[i].want[k]);
        if (n)
            assert_null(names[n]);
        X509_free(x);
        su_home_unref(home);
    }
}

static void test_name_equal(void **state)
{
    (void)state;
    static const struct {
        const char *cert, *wanted;
        bool eq;
    } cases[] = {
        { "sip.msexample.test", "sip.msexample.test", true },
        { "SIP.MSExample.Test", "sip.msexample.test", true },        /* DNS is case-insensitive */
        { "sip.msexample.test.", "sip.msexample.test", true },       /* absolute form */
        { "sip.msexample.test", "sip.msexample.test.", true },
        { "*.msexample.test", "sip.msexample.test", false },         /* no wildcards */
        { "*.msexample.test", "*.msexample.test", false },
        { "msexample.test", "sip.msexample.test", false },
        { "sip.msexample.test", "msexample.test", false },
        { "sip.msexample.test.evil", "sip.msexample.test", false },
        { "", "", false },
        { ".", ".", false },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(tls_name_equal(cases[i].cert, cases[i].wanted), cases[i].eq);
    assert_false(tls_name_equal(NULL, "a.test"));
    assert_false(tls_name_equal("a.test", NULL));
}

static void test_peer_fits_zone(void **state)
{
    (void)state;
    char *subjects[] = { "imp1.ciscoexample.test", "imp2.ciscoexample.test" };
    char *imp1[] = { "IMP1.ciscoexample.test" };
    char *wrong[] = { "wrong.example.test" };
    char *wild[] = { "*.ciscoexample.test" };
    struct zone imp = { .name = "IMP", .type = ZONE_NEIGHBOR, .transport = SIP_TP_TLS,
                        .tls_verify = true, .tls_verify_subject = subjects,
                        .n_tls_verify_subject = 2 };
    struct zone chain_only = { .name = "C", .type = ZONE_NEIGHBOR, .transport = SIP_TP_TLS,
                               .tls_verify = true };
    struct zone tcp = { .name = "T", .type = ZONE_NEIGHBOR, .transport = SIP_TP_TCP,
                        .tls_verify = true, .tls_verify_subject = subjects,
                        .n_tls_verify_subject = 2 };
    struct zone noverify = { .name = "N", .type = ZONE_NEIGHBOR, .transport = SIP_TP_TLS };
    struct tls_peer good = { .has_cert = true, .verified = true, .names = imp1, .n_names = 1 };
    struct tls_peer unverified = { .has_cert = true, .verified = false, .names = imp1, .n_names = 1 };
    struct tls_peer other = { .has_cert = true, .verified = true, .names = wrong, .n_names = 1 };
    struct tls_peer wildcard = { .has_cert = true, .verified = true, .names = wild, .n_names = 1 };

    assert_true(tls_peer_fits_zone(&good, &imp));
    assert_false(tls_peer_fits_zone(&unverified, &imp));
    assert_false(tls_peer_fits_zone(&other, &imp));
    assert_false(tls_peer_fits_zone(&wildcard, &imp));
    assert_false(tls_peer_fits_zone(NULL, &imp));              /* not over TLS at all */
    assert_true(tls_peer_fits_zone(&other, &chain_only));
    assert_false(tls_peer_fits_zone(&unverified, &chain_only));
    assert_true(tls_peer_fits_zone(NULL, &tcp));               /* a TCP zone: IP decides */
    assert_true(tls_peer_fits_zone(&unverified, &noverify));
}

static void test_peer_names_domain(void **state)
{
    (void)state;
    char *ms[] = { "sip.msexample.test" };
    char *apex[] = { "MSexample.test" };
    char *wild[] = { "*.msexample.test" };
    struct tls_peer p = { .has_cert = true, .verified = true, .names = ms, .n_names = 1 };
    struct tls_peer q = { .has_cert = true, .verified = true, .names = apex, .n_names = 1 };
    struct tls_peer w = { .has_cert = true, .verified = true, .names = wild, .n_names = 1 };
    struct tls_peer unverified = { .has_cert = true, .verified = false, .names = ms, .n_names = 1 };

    assert_true(tls_peer_names_domain(&p, "msexample.test"));
    assert_true(tls_peer_names_domain(&p, "sip.msexample.test"));
    assert_false(tls_peer_names_domain(&p, "example.test.evil"));
    assert_false(tls_peer_names_domain(&p, "xmsexample.test") );
    assert_false(tls_peer_names_domain(&p, "partner.test"));
    assert_true(tls_peer_names_domain(&q, "msexample.test"));
    assert_false(tls_peer_names_domain(&q, "sip.msexample.test"));
    assert_false(tls_peer_names_domain(&w, "msexample.test"));
    assert_false(tls_peer_names_domain(&unverified, "msexample.test"));
    assert_false(tls_peer_names_domain(NULL, "msexample.test"));
    assert_false(tls_peer_names_domain(&p, ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert_names),
        cmocka_unit_test(test_name_equal),
        cmocka_unit_test(test_peer_fits_zone),
        cmocka_unit_test(test_peer_names_domain),
    };
    return cmocka_run_group_tests_name("tls_names", tests, NULL, NULL);
}
