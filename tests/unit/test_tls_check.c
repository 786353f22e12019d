/* test_tls_check.c — [tls] validation: every problem reported as file:line, key permissions,
 * certificate/key match, hostname in the certificate, versions and forward-secret ciphers.
 * Uses certs/mklab.sh to make a lab PKI in a temporary directory (run from the source root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tls.h"
#include "lab_pki.h"

static char pki[256];

static int pki_make(void **state)
{
    (void)state;
    return lab_pki_make(pki, sizeof pki, "tls");
}

static int pki_remove(void **state)
{
    (void)state;
    return lab_pki_remove(pki);
}

static char *lab(su_home_t *home, const char *file)
{
    return su_sprintf(home, "%s/lab/%s", pki, file);
}

/* A node file as the loader would produce it for the bundled lab configuration. */
static struct node_config *cfg_lab(su_home_t *home)
{
    struct node_config *cfg = su_zalloc(home, sizeof *cfg);
    static struct listen_addr listen[1];
    listen[0] = (struct listen_addr){ SIP_TP_TLS, "127.0.0.1", 5061, 3 };
    cfg->file = "node.ini";
    cfg->hostname = "edge.ciscoexample.test";
    cfg->listen = listen;
    cfg->n_listen = 1;
    cfg->tls = (struct tls_config){
        .present = true, .certificate = lab(home, "edge.pem"),
        .private_key = lab(home, "edge.key"), .ca_file = lab(home, "ca.pem"),
        .min_version = 12, .line = 7,
    };
    return cfg;
}

static bool has_error(const struct diag *d, const char *text)
{
    char buf[1024];
    for (size_t i = 0; i < diag_count(d); i++) {
        const struct diag_entry *e = diag_get(d, i);
        diag_format(e, buf, sizeof buf);
        if (e->is_error && strstr(buf, text))
            return true;
    }
    return false;
}

static void print_all(const struct diag *d)
{
    diag_print(d, stderr);
}

static void test_lab_config_is_valid(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    struct node_config *cfg = cfg_lab(home);

    assert_int_equal(tls_config_check(cfg, NULL, d), 0);
    print_all(d);
    assert_int_equal(diag_error_count(d), 0);

    cfg->tls.client_certificate = lab(home, "edge-client.pem");
    cfg->tls.client_private_key = lab(home, "edge-client.key");
    cfg->tls.ciphers = "ECDHE+AESGCM";
    cfg->tls.min_version = 13;
    assert_int_equal(tls_config_check(cfg, NULL, d), 0);
    assert_int_equal(diag_error_count(d), 0);
    su_home_unref(home);
}

static void test_readable_key_refused(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    struct node_config *cfg = cfg_lab(home);
    char *copy = su_sprintf(home, "%s/open.key", pki);
    char cmd[600];

    snprintf(cmd, sizeof cmd, "cp %s %s", cfg->tls.private_key, copy);
    assert_int_equal(system(cmd), 0);
    /* readable by a group we do not read it through (as root: nogroup) */
    assert_int_equal(chmod(copy, 0640), 0);
    assert_int_equal(chown(copy, (uid_t)-1, getgrnam("nogroup")->gr_gid), 0);
    cfg->tls.private_key = copy;
    assert_int_not_equal(tls_config_check(cfg, NULL, d), 0);
    assert_true(has_error(d, "node.ini:7: private_key "));
    assert_true(has_error(d, "is readable by a group sipfed does not read it through (mode 0640, "
                             "group nogroup): run chmod 600 "));

    /* Debian's ssl-cert convention: 0640 and a group we are a member of */
    assert_int_equal(chown(copy, (uid_t)-1, getegid()), 0);
    d = diag_new(home);
    assert_int_equal(tls_config_check(cfg, NULL, d), 0);

    assert_int_equal(chmod(copy, 0604), 0);
    d = diag_new(home);
    assert_int_not_equal(tls_config_check(cfg, NULL, d), 0);
    assert_true(has_error(d, "is readable by others (mode 0604, "));

    assert_int_equal(chmod(copy, 0400), 0);
    d = diag_new(home);
    assert_int_equal(tls_config_check(cfg, NULL, d), 0);
    unlink(copy);
    su_home_unref(home);
}

static void test_every_problem_reported(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    struct node_config *cfg = cfg_lab(home);

    cfg->hostname = "other.ciscoexample.test";
    cfg->tls.ciphers = "AES128-SHA256";                    /* static RSA: no forward secrecy */
    cfg->tls.client_certificate = lab(home, "edge-client.pem");
    cfg->tls.client_private_key = lab(home, "imp1.key");   /* not its key */
    assert_int_equal(tls_config_check(cfg, NULL, d), EINVAL);
    print_all(d);
    assert_true(has_error(d, "node.ini:7: certificate "));
    assert_true(has_error(d, "does not carry hostname other.ciscoexample.test"));
    assert_true(has_error(d, "node.ini:7: ciphers 'AES128-SHA256' enables AES128-SHA256, which "
                             "has no forward secrecy"));
    assert_true(has_error(d, "client_private_key"));
    assert_true(has_error(d, "does not match client_certificate"));
    assert_int_equal(diag_error_count(d), 3);
    su_home_unref(home);
}

static void test_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *field, *value, *error;
    } cases[] = {
        { "certificate", "/nonexistent/edge.pem", "node.ini:7: certificate /nonexistent/edge.pem: No such file" },
        { "private_key", "/nonexistent/edge.key", "node.ini:7: private_key /nonexistent/edge.key: No such file" },
        { "ca_file", "/nonexistent/ca.pem", "node.ini:7: ca_file /nonexistent/ca.pem" },
        { "ca_file", "", "node.ini:7: [tls] ca_file is required" },
        { "certificate", "", "node.ini:7: [tls] certificate is required" },
        { "ciphers", "NOSUCHCIPHER", "node.ini:7: ciphers 'NOSUCHCIPHER': no usable cipher" },
        { "min_version", "11", "node.ini:7: [tls] min_version must be 1.2 or 1.3" },
        { "client_certificate", "x.pem", "client_certificate and client_private_key go together" },
        { "private_key", "imp1.key", "private_key" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        su_home_t *home = su_home_new(sizeof *home);
        struct diag *d = diag_new(home);
        struct node_config *cfg = cfg_lab(home);
        const char *v = cases[i].value;
        if (strcmp(v, "imp1.key") == 0)
            v = lab(home, v);
        if (strcmp(cases[i].field, "certificate") == 0)
            cfg->tls.certificate = (char *)v;
        else if (strcmp(cases[i].field, "private_key") == 0)
            cfg->tls.private_key = (char *)v;
        else if (strcmp(cases[i].field, "ca_file") == 0)
            cfg->tls.ca_file = (char *)v;
        else if (strcmp(cases[i].field, "ciphers") == 0)
            cfg->tls.ciphers = (char *)v;
        else if (strcmp(cases[i].field, "client_certificate") == 0)
            cfg->tls.client_certificate = (char *)v;
        else
            cfg->tls.min_version = atoi(v);
        assert_int_equal(tls_config_check(cfg, NULL, d), EINVAL);
        if (!has_error(d, cases[i].error)) {
            print_all(d);
            fail_msg("case %zu: no error containing '%s'", i, cases[i].error);
        }
        su_home_unref(home);
    }
}

static void test_tls_section_needed(void **state)
{
    (void)state;
    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = diag_new(home);
    struct node_config *cfg = cfg_lab(home);

    cfg->tls.present = false;
    assert_int_equal(tls_config_check(cfg, NULL, d), EINVAL);
    assert_true(has_error(d, "node.ini:3: a tls: listen address needs a [tls] section in node.ini"));

    /* no TLS anywhere: nothing to check */
    cfg->listen[0].transport = SIP_TP_TCP;
    d = diag_new(home);
    assert_int_equal(tls_config_check(cfg, NULL, d), 0);
    assert_int_equal(diag_count(d), 0);
    su_home_unref(home);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_config_is_valid),
        cmocka_unit_test(test_readable_key_refused),
        cmocka_unit_test(test_every_problem_reported),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_tls_section_needed),
    };
    return cmocka_run_group_tests_name("tls_check", tests, pki_make, pki_remove);
}
