/* test_config.c — the node-file loader (SPEC §3.1): every key of every section with good and bad
 * values and the exact `file:line: message`, TLS file checks, defaults, path resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <unistd.h>

#include "config.h"
#include "workers.h"
#include "loader_fixture.h"

struct cfg_case {
    const char *name;
    const char *text;
    const char *expect[8];       /* every diagnostic, in order; none: loads cleanly */
};

/* The mandatory keys (lines 1-4); a case appends its sections from line 5. */
#define PROXY "[proxy]\nhostname = edge.ciscoexample.test\nlisten = tcp:127.0.0.1:5060\n" \
              "dialplan = rules\n"
#define TLS "[tls]\ncertificate = certs/edge.pem\nprivate_key = certs/edge.key\n"

static const struct cfg_case cfg_cases[] = {
    { "minimal", PROXY, { NULL } },
    { "every key", "[proxy]\nhostname = Edge.CiscoExample.test\n"
                   "listen = tls:127.0.0.1:5061, tcp:[::1]:5060,\n    udp:localhost:5060\n"
                   "dialplan = /etc/sipfed/rules\nmax_forwards = 255\nmax_message_size = 1024\n"
                   TLS "client_certificate = certs/client.pem\n"
                   "client_private_key = certs/client.key\nca_file = /dev/null\n"
                   "min_version = 1.3\nciphers = ECDHE+AESGCM\n"
                   "[dns]\nservers = 192.0.2.53, [2001:db8::53]:5353, ns.test:53\n"
                   "[log]\nlevel = debug\n[admin]\nlisten = 127.0.0.1:9061\n"
                   "[presence]\nbusy_as_dnd = on\n",
      { NULL } },
    { "empty optional values", PROXY "[dns]\nservers =\n[admin]\nlisten =\n"
                               TLS "ciphers =\nca_file =\n", { NULL } },
    { "missing proxy keys", "[proxy]\n",
      { "node.ini:1: missing required key 'hostname' in [proxy]",
        "node.ini:1: missing required key 'listen' in [proxy]",
        "node.ini:1: missing required key 'dialplan' in [proxy]" } },
    { "no proxy section", "[log]\nlevel = info\n",
      { "node.ini: missing section [proxy] (hostname, listen and dialplan are required)" } },
    { "hostname ip", "[proxy]\nhostname = 192.0.2.1\nlisten = tcp:127.0.0.1:5060\n"
                     "dialplan = rules\n",
      { "node.ini:2: invalid value '192.0.2.1' for 'hostname' (expected a host name, not an IP "
        "address: Lync sends in-dialog requests only to an FQDN)" } },
    { "hostname bad", "[proxy]\nhostname = edge ciscoexample\nlisten = tcp:127.0.0.1:5060\n"
                      "dialplan = rules\n",
      { "node.ini:2: invalid value 'edge ciscoexample' for 'hostname' (expected a fully "
        "qualified host name)" } },
    { "listen bad transport", "[proxy]\nhostname = e.test\nlisten = sctp:127.0.0.1:5060\n"
                              "dialplan = rules\n",
      { "node.ini:3: invalid value 'sctp:127.0.0.1:5060' for 'listen' (expected "
        "udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061)" } },
    { "listen without port", "[proxy]\nhostname = e.test\nlisten = udp:127.0.0.1\n"
                             "dialplan = rules\n",
      { "node.ini:3: invalid value 'udp:127.0.0.1' for 'listen' (expected "
        "udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061: a port is required)" } },
    { "listen bare ipv6", "[proxy]\nhostname = e.test\nlisten = tcp:::1:5060\n"
                          "dialplan = rules\n",
      { "node.ini:3: invalid value 'tcp:::1:5060' for 'listen' (expected "
        "udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061: write an IPv6 address in brackets, "
        "e.g. [::1]:5061)" } },
    { "listen bad port", "[proxy]\nhostname = e.test\nlisten = tcp:[::1]:65536, udp:h.test:0\n"
                         "dialplan = rules\n",
      { "node.ini:3: invalid value 'tcp:[::1]:65536' for 'listen' (expected "
        "udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061: the port must be a number from 1 to "
        "65535)",
        "node.ini:3: invalid value 'udp:h.test:0' for 'listen' (expected "
        "udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061: the port must be a number from 1 to "
        "65535)" } },
    { "listen empty", "[proxy]\nhostname = e.test\nlisten =\ndialplan = rules\n",
      { "node.ini:3: invalid value '' for 'listen' (expected at least one "
        "udp|tcp|tls:HOST:PORT)" } },
    { "tls listen without [tls]", "[proxy]\nhostname = e.test\n"
                                  "listen = tcp:127.0.0.1:5060, tls:127.0.0.1:5061\n"
                                  "dialplan = rules\n",
      { "node.ini:3: listen address tls:127.0.0.1:5061 needs a [tls] section (certificate, "
        "private_key)" } },
    { "dialplan empty", "[proxy]\nhostname = e.test\nlisten = tcp:127.0.0.1:5060\n"
                        "dialplan =\n",
      { "node.ini:4: invalid value '' for 'dialplan' (expected the directory of the dial-plan "
        "files)" } },
    { "max_forwards 0", PROXY "max_forwards = 0\n",
      { "node.ini:5: invalid value '0' for 'max_forwards' (expected a number from 1 to 255)" } },
    { "max_forwards 256", PROXY "max_forwards = 256\n",
      { "node.ini:5: invalid value '256' for 'max_forwards' (expected a number from 1 to "
        "255)" } },
    { "max_forwards text", PROXY "max_forwards = seventy\n",
      { "node.ini:5: invalid value 'seventy' for 'max_forwards' (expected a number from 1 to "
        "255)" } },
    { "max_message_size small", PROXY "max_message_size = 100\n",
      { "node.ini:5: invalid value '100' for 'max_message_size' (expected a number from 1024 to "
        "16777216)" } },
    { "max_message_size huge", PROXY "max_message_size = 99999999999999999999\n",
      { "node.ini:5: invalid value '99999999999999999999' for 'max_message_size' (expected a "
        "number from 1024 to 16777216)" } },
    { "unknown key", PROXY "threads = 4\n", { "node.ini:5: unknown key 'threads' in [proxy]" } },
    { "workers 0", PROXY "workers = 0\n",
      { "node.ini:5: invalid value '0' for 'workers' (expected a number from 1 to 64)" } },
    { "workers word", PROXY "workers = all\n",
      { "node.ini:5: invalid value 'all' for 'workers' (expected a number from 1 to 64)" } },
    { "duplicate key", PROXY "hostname = other.test\n",
      { "node.ini:5: duplicate key 'hostname' in [proxy] (first at line 2)" } },
    { "unknown section", PROXY "[proxi]\nhostname = x\n",
      { "node.ini:5: unknown section [proxi] (expected proxy, tls, dns, log, admin, "
        "presence or gateway; did you mean [proxy]?)" } },
    { "section with a name", PROXY "[log main]\nlevel = info\n",
      { "node.ini:5: unknown section [log main] (expected proxy, tls, dns, log, admin, "
        "presence or gateway)" } },
    { "duplicate section", PROXY "[log]\nlevel = info\n[log]\nlevel = debug\n",
      { "node.ini:7: section [log] given twice (first at line 5)" } },
    { "tls certificate missing", PROXY "[tls]\ncertificate = certs/none.pem\n"
                                 "private_key = certs/edge.key\n",
      { "node.ini:6: cannot read certificate '$D/certs/none.pem': No such file or "
        "directory" } },
    { "tls private key readable by others", PROXY "[tls]\ncertificate = certs/edge.pem\n"
                                            "private_key = certs/open.key\n",
      { "node.ini:7: private_key '$D/certs/open.key' is readable by others (mode 0644, group "
        "root): run chmod 600 $D/certs/open.key, or give it a group root is a member of and "
        "chmod 640 (Debian: chgrp ssl-cert, adduser root ssl-cert)" } },
    { "tls client key readable by another group", PROXY TLS
      "client_certificate = certs/client.pem\nclient_private_key = certs/nogroup.key\n",
      { "node.ini:9: client_private_key '$D/certs/nogroup.key' is readable by a group sipfed "
        "does not read it through (mode 0640, group nogroup): run chmod 600 "
        "$D/certs/nogroup.key, or give it a group root is a member of and chmod 640 (Debian: "
        "chgrp ssl-cert, adduser root ssl-cert)" } },
    /* Debian's convention: root:ssl-cert 0640, sipfed's user in ssl-cert (here: our group) */
    { "tls key readable by our group", PROXY TLS "client_certificate = certs/client.pem\n"
                                       "client_private_key = certs/group.key\n", { NULL } },
    /* [proxy] user: its groups decide (started as root); nobody is not in root's group */
    { "tls key readable by a group the user is not in", "[proxy]\nhostname = edge.test\n"
      "listen = tcp:127.0.0.1:5060\ndialplan = rules\nuser = nobody\n" TLS
      "client_certificate = certs/client.pem\nclient_private_key = certs/group.key\n",
      { "node.ini:10: client_private_key '$D/certs/group.key' is readable by a group sipfed "
        "does not read it through (mode 0640, group root): run chmod 600 $D/certs/group.key, "
        "or give it a group nobody is a member of and chmod 640 (Debian: chgrp ssl-cert, "
        "adduser nobody ssl-cert)" } },
    { "user and group", PROXY "user = nobody\ngroup = nogroup\n", { NULL } },
    { "user unknown", PROXY "user = no-such-user-sipfed\ngroup = no-such-group-sipfed\n",
      { "node.ini:5: invalid value 'no-such-user-sipfed' for 'user' (expected a user of this "
        "system)",
        "node.ini:6: invalid value 'no-such-group-sipfed' for 'group' (expected a group of "
        "this system)" } },
    { "tls missing certificate and key", PROXY "[tls]\nca_file = certs/ca.pem\n",
      { "node.ini:5: missing required key 'certificate' in [tls]",
        "node.ini:5: missing required key 'private_key' in [tls]" } },
    { "tls client certificate alone", PROXY TLS "client_certificate = certs/client.pem\n",
      { "node.ini:5: [tls] needs both client_certificate and client_private_key, or "
        "neither" } },
    { "tls ca_file missing", PROXY TLS "ca_file = /nonexistent/ca.pem\n",
      { "node.ini:8: cannot read ca_file '/nonexistent/ca.pem': No such file or directory" } },
    { "tls min_version 1.1", PROXY TLS "min_version = 1.1\n",
      { "node.ini:8: invalid value '1.1' for 'min_version' (expected 1.2 or 1.3)" } },
    { "tls unknown key", PROXY TLS "protocols = TLSv1.3\n",
      { "node.ini:8: unknown key 'protocols' in [tls]" } },
    { "dns server bad port", PROXY "[dns]\nservers = 192.0.2.53:0\n",
      { "node.ini:6: invalid value '192.0.2.53:0' for 'servers' (the port must be a number from "
        "1 to 65535)" } },
    { "dns server bad name", PROXY "[dns]\nservers = 192.0.2.53, ns 1\n",
      { "node.ini:6: invalid value 'ns 1' for 'servers' (not a host name or IP address)" } },
    { "log level bad", PROXY "[log]\nlevel = verbose\n",
      { "node.ini:6: invalid value 'verbose' for 'level' (expected error, warn, info or "
        "debug)" } },
    { "admin listen without port", PROXY "[admin]\nlisten = 127.0.0.1\n",
      { "node.ini:6: invalid value '127.0.0.1' for 'listen' (a port is required)" } },
    { "admin listen ipv6 loopback", PROXY "[admin]\nlisten = [::1]:9061\n", { NULL } },
    { "admin listen localhost", PROXY "[admin]\nlisten = localhost:9061\nhistory = 4096\n",
      { NULL } },
    { "admin remote without token", PROXY "[admin]\nlisten = 0.0.0.0:9061\n",
      { "node.ini:6: admin listen 0.0.0.0:9061 is not a loopback address: the admin interface "
        "shows routing, peers and presence, so a remote listen needs allow_remote = yes and "
        "token_file (a bearer token); or listen on 127.0.0.1" } },
    { "admin remote token without allow", PROXY "[admin]\nlisten = 192.0.2.1:9061\n"
                                          "token_file = certs/token\n",
      { "node.ini:6: admin listen 192.0.2.1:9061 is not a loopback address: the admin interface "
        "shows routing, peers and presence, so a remote listen needs allow_remote = yes and "
        "token_file (a bearer token); or listen on 127.0.0.1" } },
    { "admin remote allowed", PROXY "[admin]\nlisten = [2001:db8::1]:9061\nallow_remote = yes\n"
                              "token_file = certs/token\n", { NULL } },
    { "admin token readable by others", PROXY "[admin]\nlisten = 127.0.0.1:9061\n"
                                        "token_file = certs/open.token\n",
      { "node.ini:7: token_file '$D/certs/open.token' is readable by group or others (mode "
        "0644): run chmod 600 $D/certs/open.token" } },
    { "admin token too short", PROXY "[admin]\nlisten = 127.0.0.1:9061\n"
                               "token_file = certs/short.token\n",
      { "node.ini:7: token_file '$D/certs/short.token' must hold one token of 16 to 4096 "
        "characters without spaces (e.g. openssl rand -hex 32 > $D/certs/short.token)" } },
    { "admin token missing", PROXY "[admin]\nlisten = 127.0.0.1:9061\n"
                             "token_file = certs/none\n",
      { "node.ini:7: cannot read token_file '$D/certs/none': No such file or directory" } },
    { "admin history bad", PROXY "[admin]\nlisten = 127.0.0.1:9061\nhistory = 0\n",
      { "node.ini:7: invalid value '0' for 'history' (expected a number from 1 to 4096)" } },
    { "admin without listen", PROXY "[admin]\nallow_remote = yes\n",
      { "node.ini:5: warning: [admin] has no listen address: the admin interface is off" } },
    { "presence busy_as_dnd bad", PROXY "[presence]\nbusy_as_dnd = sometimes\n",
      { "node.ini:6: invalid value 'sometimes' for 'busy_as_dnd' (expected on or off (yes/no, "
        "true/false))" } },
    { "syntax error", PROXY "[log]\nlevel\n",
      { "node.ini:6: expected 'key = value', a [section] header or a comment" } },
};

/* The TLS files the cases name, with the modes that make them good or bad. */
static void cfg_files_write(struct fixture *f)
{
    fixture_write(f, "certs/edge.pem", "-\n", 0644);
    fixture_write(f, "certs/edge.key", "-\n", 0600);
    fixture_write(f, "certs/client.pem", "-\n", 0644);
    fixture_write(f, "certs/client.key", "-\n", 0400);
    fixture_write(f, "certs/ca.pem", "-\n", 0644);
    fixture_write(f, "certs/open.key", "-\n", 0644);
    fixture_write(f, "certs/group.key", "-\n", 0640);
    fixture_write(f, "certs/nogroup.key", "-\n", 0640);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/certs/nogroup.key", f->dir);
    assert_int_equal(chown(path, (uid_t)-1, getgrnam("nogroup")->gr_gid), 0);   /* as root */
    fixture_write(f, "certs/token", "0123456789abcdef0123456789abcdef\n", 0600);
    fixture_write(f, "certs/open.token", "0123456789abcdef0123456789abcdef\n", 0644);
    fixture_write(f, "certs/short.token", "abc\n", 0600);
}

static struct node_config *cfg_load(struct fixture *f, const char *text, int expect_rc)
{
    char path[128];
    struct node_config *cfg = (struct node_config *)1;
    snprintf(path, sizeof path, "%s/node.ini", f->dir);
    fixture_write(f, "node.ini", text, 0644);
    assert_int_equal(node_config_load(path, f->d, &cfg), expect_rc);
    if (expect_rc)
        assert_null(cfg);
    else
        assert_non_null(cfg);
    return cfg;
}

static void test_config_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cfg_cases / sizeof cfg_cases[0]; i++) {
        const struct cfg_case *tc = &cfg_cases[i];
        struct fixture f;
        fixture_open(&f);
        cfg_files_write(&f);
        print_message("case: %s\n", tc->name);
        bool errors = false;
        for (size_t k = 0; tc->expect[k]; k++)
            errors |= strstr(tc->expect[k], ": warning: ") == NULL;
        struct node_config *cfg = cfg_load(&f, tc->text, errors ? EINVAL : 0);
        fixture_diag_expect(&f, tc->expect);
        node_config_free(cfg);
        fixture_close(&f);
    }
}

static void test_config_defaults(void **state)
{
    (void)state;
    struct fixture f;
    char want[PATH_MAX];
    fixture_open(&f);
    struct node_config *cfg = cfg_load(&f, PROXY, 0);
    assert_string_equal(cfg->hostname, "edge.ciscoexample.test");
    assert_int_equal(cfg->n_listen, 1);
    assert_int_equal(cfg->listen[0].transport, SIP_TP_TCP);
    assert_string_equal(cfg->listen[0].host, "127.0.0.1");
    assert_int_equal(cfg->listen[0].port, 5060);
    assert_int_equal(cfg->listen[0].line, 3);
    assert_string_equal(cfg->dir, f.dir);
    snprintf(want, sizeof want, "%s/rules", f.dir);
    assert_string_equal(cfg->dialplan_dir, want);
    assert_int_equal(cfg->max_forwards, 70);
    assert_int_equal(cfg->max_message_size, 65536);
    assert_false(cfg->tls.present);
    assert_null(cfg->tls.certificate);
    assert_int_equal(cfg->n_dns_servers, 0);
    assert_null(cfg->dns_servers);
    assert_int_equal(cfg->log_level, LOG_LVL_INFO);
    assert_null(cfg->admin_listen);
    assert_false(cfg->presence_busy_as_dnd);
    assert_int_equal(cfg->workers, WORKERS_AUTO);
    node_config_free(cfg);
    cfg = cfg_load(&f, PROXY "workers = auto\n", 0);
    assert_int_equal(cfg->workers, WORKERS_AUTO);
    node_config_free(cfg);
    cfg = cfg_load(&f, PROXY "workers = 3\n", 0);
    assert_int_equal(cfg->workers, 3);
    assert_int_equal(cfg->workers_line, 5);
    node_config_free(cfg);
    fixture_close(&f);
}

static void test_config_values(void **state)
{
    (void)state;
    struct fixture f;
    char want[PATH_MAX];
    fixture_open(&f);
    cfg_files_write(&f);
    struct node_config *cfg = cfg_load(&f, cfg_cases[1].text, 0);
    assert_string_equal(cfg->hostname, "edge.ciscoexample.test");
    assert_int_equal(cfg->n_listen, 3);
    assert_int_equal(cfg->listen[0].transport, SIP_TP_TLS);
    assert_int_equal(cfg->listen[0].port, 5061);
    assert_string_equal(cfg->listen[1].host, "::1");
    assert_int_equal(cfg->listen[1].transport, SIP_TP_TCP);
    assert_string_equal(cfg->listen[2].host, "localhost");
    assert_int_equal(cfg->listen[2].transport, SIP_TP_UDP);
    assert_string_equal(cfg->dialplan_dir, "/etc/sipfed/rules");
    assert_int_equal(cfg->max_forwards, 255);
    assert_int_equal(cfg->max_message_size, 1024);
    assert_true(cfg->tls.present);
    assert_int_equal(cfg->tls.line, 8);
    snprintf(want, sizeof want, "%s/certs/edge.pem", f.dir);
    assert_string_equal(cfg->tls.certificate, want);
    snprintf(want, sizeof want, "%s/certs/client.key", f.dir);
    assert_string_equal(cfg->tls.client_private_key, want);
    assert_string_equal(cfg->tls.ca_file, "/dev/null");
    assert_int_equal(cfg->tls.min_version, 13);
    assert_string_equal(cfg->tls.ciphers, "ECDHE+AESGCM");
    assert_int_equal(cfg->n_dns_servers, 3);
    assert_string_equal(cfg->dns_servers[1], "[2001:db8::53]:5353");
    assert_int_equal(cfg->log_level, LOG_LVL_DEBUG);
    assert_string_equal(cfg->admin_listen, "127.0.0.1:9061");
    assert_true(cfg->presence_busy_as_dnd);
    node_config_free(cfg);
    fixture_close(&f);
}

/* A relative node-file path: its directory is made absolute from the working directory. */
static void test_config_relative_path(void **state)
{
    (void)state;
    struct fixture f;
    char cwd[PATH_MAX], want[PATH_MAX];
    struct node_config *cfg = NULL;
    fixture_open(&f);
    fixture_write(&f, "etc/node.ini", PROXY, 0644);
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f.dir), 0);
    int rc = node_config_load("etc/node.ini", f.d, &cfg);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    snprintf(want, sizeof want, "%s/etc", f.dir);
    assert_string_equal(cfg->dir, want);
    snprintf(want, sizeof want, "%s/etc/rules", f.dir);
    assert_string_equal(cfg->dialplan_dir, want);
    assert_string_equal(cfg->file, "etc/node.ini");
    node_config_free(cfg);
    fixture_close(&f);
}

static void test_config_unreadable(void **state)
{
    (void)state;
    struct fixture f;
    struct node_config *cfg = NULL;
    char path[128];
    fixture_open(&f);
    snprintf(path, sizeof path, "%s/none.ini", f.dir);
    assert_int_equal(node_config_load(path, f.d, &cfg), ENOENT);
    assert_null(cfg);
    static const char *const expect[] = { "none.ini: cannot open: No such file or directory",
                                          NULL };
    fixture_diag_expect(&f, expect);
    fixture_close(&f);
}

/* One run reports every error, in line order. */
static void test_config_all_errors_in_one_run(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    cfg_files_write(&f);
    struct node_config *cfg = cfg_load(&f, "[proxy]\nhostname = 10.0.0.1\n"
                                           "listen = tls:127.0.0.1:5061\nmax_forwards = 0\n"
                                           "[tls]\ncertificate = certs/edge.pem\n"
                                           "private_key = certs/open.key\nmin_version = 1.0\n"
                                           "[log]\nlevel = loud\n[bogus]\n", EINVAL);
    static const char *const expect[] = {
        "node.ini:1: missing required key 'dialplan' in [proxy]",
        "node.ini:2: invalid value '10.0.0.1' for 'hostname' (expected a host name, not an IP "
        "address: Lync sends in-dialog requests only to an FQDN)",
        "node.ini:4: invalid value '0' for 'max_forwards' (expected a number from 1 to 255)",
        "node.ini:7: private_key '$D/certs/open.key' is readable by others (mode 0644, group "
        "root): run chmod 600 $D/certs/open.key, or give it a group root is a member of and "
        "chmod 640 (Debian: chgrp ssl-cert, adduser root ssl-cert)",
        "node.ini:8: invalid value '1.0' for 'min_version' (expected 1.2 or 1.3)",
        "node.ini:10: invalid value 'loud' for 'level' (expected error, warn, info or debug)",
        "node.ini:11: unknown section [bogus] (expected proxy, tls, dns, log, admin, "
        "presence or gateway)",
        NULL,
    };
    fixture_diag_expect(&f, expect);
    node_config_free(cfg);
    fixture_close(&f);
}

/* `check` goes on past node-file errors: the partial loader still hands out what was valid. */
static void test_config_partial_keeps_valid_keys(void **state)
{
    (void)state;
    struct fixture f;
    struct node_config *cfg = NULL;
    char path[128];
    fixture_open(&f);
    snprintf(path, sizeof path, "%s/node.ini", f.dir);
    fixture_write(&f, "node.ini", "[proxy]\nhostname = edge.test\nlisten = udp:127.0.0.1:5060\n"
                                  "dialplan = rules\nmax_forwards = lots\n", 0644);
    assert_int_equal(node_config_load_partial(path, f.d, &cfg), EINVAL);
    assert_non_null(cfg);
    assert_string_equal(cfg->hostname, "edge.test");
    assert_non_null(strstr(cfg->dialplan_dir, "/rules"));
    assert_int_equal(diag_error_count(f.d), 1);
    node_config_free(cfg);

    /* an unreadable file gives nothing, as with node_config_load */
    cfg = NULL;
    snprintf(path, sizeof path, "%s/none.ini", f.dir);
    assert_int_equal(node_config_load_partial(path, f.d, &cfg), ENOENT);
    assert_null(cfg);
    fixture_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_cases),
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_values),
        cmocka_unit_test(test_config_relative_path),
        cmocka_unit_test(test_config_unreadable),
        cmocka_unit_test(test_config_all_errors_in_one_run),
        cmocka_unit_test(test_config_partial_keeps_valid_keys),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
