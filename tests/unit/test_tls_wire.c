/* test_tls_wire.c — the TLS policy on real sockets: an nta agent with sipfed's TLS set-up on
 * loopback, probed with `openssl s_client` (TLS 1.0/1.1 and static-RSA refused, 1.2/1.3
 * accepted with the full chain, client certificates required and verified) and connecting out
 * to `openssl s_server` (the server name checked, a failure reported fast, our client
 * certificate sent). Addresses come from $SIPFED_TEST_NET (default 127.0.0). */
#define SU_ROOT_MAGIC_T void
#define NTA_AGENT_MAGIC_T void
#define NTA_OUTGOING_MAGIC_T void
#define NTA_LEG_MAGIC_T void

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include "tls.h"

/* LeakSanitizer hook (only called in the ASan build): Debian's sofia-sip leaks the parsed
 * subjectAltName of every peer certificate in tls_post_connection_check(); that is sofia's, not
 * ours (docs/tls.md). Everything else must be leak-free. */
const char *__lsan_default_suppressions(void);
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "fast_unwind_on_malloc=0";   /* libcrypto has no frame pointers: unwind fully */
}

const char *__lsan_default_suppressions(void)
{
    return "leak:tls_post_connection_check\nleak:tls_connect\n";
}

static char pki[256];
static struct fixture *current;   /* the live fixture (freed by teardown on failure) */
static char ip[32];
static unsigned port_in, port_out;

struct fixture {
    su_home_t home[1];
    su_root_t *root;
    su_home_t *tls_home;        /* owns the TLS set-up: freed before the root (its timer) */
    nta_agent_t *agent;
    nta_leg_t *leg;
    struct tls_setup *ts;
    int failures;
    char failure_reason[256];
    int final_status;
    int requests;
    bool peer_verified;
    char peer_names[128];
};

static int pki_make(void **state)
{
    (void)state;
    char cmd[512];
    const char *net = getenv("SIPFED_TEST_NET");
    snprintf(ip, sizeof ip, "%s.1", net && *net ? net : "127.0.0");
    port_in = 21000 + (unsigned)getpid() % 20000;
    port_out = port_in + 1;
    snprintf(pki, sizeof pki, "/tmp/sipfed-test-wire-XXXXXX");
    if (!mkdtemp(pki))
        return -1;
    snprintf(cmd, sizeof cmd, "certs/mklab.sh %s/lab >/dev/null", pki);
    signal(SIGPIPE, SIG_IGN);
    return system(cmd) == 0 ? 0 : -1;
}

static int pki_remove(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, getenv("KEEP") ? "true %s" : "rm -rf %s", pki);
    return system(cmd) == 0 ? 0 : -1;
}

static char *lab(su_home_t *home, const char *file)
{
    return su_sprintf(home, "%s/lab/%s", pki, file);
}

static void on_failure(void *arg, uint64_t conn_id, const char *fip, uint16_t fport,
                       bool timed_out, const char *reason)
{
    struct fixture *f = arg;
    assert_true(conn_id > 0);
    assert_false(timed_out);
    assert_string_equal(fip, ip);
    assert_int_equal(fport, port_out);
    f->failures++;
    snprintf(f->failure_reason, sizeof f->failure_reason, "%s", reason);
}


/* Stateless agent callback: record what tls_peer_of() says about the delivering connection. */
static int on_request(void *magic, nta_agent_t *agent, msg_t *msg, sip_t *sip)
{
    (void)magic;
    (void)sip;
    struct fixture *f = current;
    tport_t *tp = tport_delivered_by(nta_agent_tports(agent), msg);
    const struct tls_peer *p = tls_peer_of(f->ts, tp);
    f->requests++;
    if (p) {
        f->peer_verified = p->verified;
        snprintf(f->peer_names, sizeof f->peer_names, "%s", p->n_names ? p->names[0] : "");
    }
    msg_destroy(msg);
    return 0;
}

/* An agent listening with TLS on ip:port_in; `require` and `client` vary the policy. */
static struct fixture *fixture_new(bool require, bool separate_client)
{
    struct fixture *f = su_home_new(sizeof *f);
    struct node_config *cfg = su_zalloc(f->home, sizeof *cfg);
    struct diag *d = diag_new(f->home);
    struct zone *dz = su_zalloc(f->home, sizeof *dz);
    struct zone **zones = su_zalloc(f->home, sizeof *zones);
    struct dialplan *dp = su_zalloc(f->home, sizeof *dp);
    struct listen_addr *l = su_zalloc(f->home, sizeof *l);

    *dz = (struct zone){ .name = "default", .type = ZONE_DEFAULT,
                         .require_client_certificate = require };
    zones[0] = dz;
    dp->zones = zones;
    dp->n_zones = 1;
    *l = (struct listen_addr){ SIP_TP_TLS, ip, (uint16_t)port_in, 2 };
    cfg->file = "node.ini";
    cfg->hostname = "edge.ciscoexample.test";
    cfg->listen = l;
    cfg->n_listen = 1;
    cfg->tls = (struct tls_config){
        .present = true, .certificate = lab(f->home, "edge.pem"),
        .private_key = lab(f->home, "edge.key"), .ca_file = lab(f->home, "ca.pem"),
        .min_version = 12, .line = 5,
    };
    if (separate_client) {
        cfg->tls.client_certificate = lab(f->home, "edge-client.pem");
        cfg->tls.client_private_key = lab(f->home, "edge-client.key");
    }
    f->tls_home = su_home_new(sizeof *f->tls_home);
    assert_int_equal(tls_setup_create(f->tls_home, cfg, dp, d, &f->ts), 0);
    f->root = su_root_create(NULL);
    assert_non_null(f->root);
    assert_int_equal(tls_setup_activate(f->ts, f->root, on_failure, f), 0);
    char *url = su_sprintf(f->home, "sips:%s:%u", ip, port_in);
    f->agent = nta_agent_create(f->root, (url_string_t *)url, on_request, NULL,
                                NTATAG_UA(0), TAG_NEXT(tls_setup_tport_tags(f->ts)));
    assert_non_null(f->agent);
    current = f;
    return f;
}

static void fixture_free(struct fixture *f)
{
    current = NULL;
    if (f->leg)
        nta_leg_destroy(f->leg);
    nta_agent_destroy(f->agent);
    su_home_unref(f->tls_home);
    su_root_destroy(f->root);
    su_home_unref(f->home);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Run `cmd` (sh -c) while the agent's loop turns; returns its exit status (-1 on timeout). */
static int run_with_loop(struct fixture *f, const char *cmd)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    double deadline = now() + 10;
    int status;
    while (now() < deadline) {
        su_root_step(f->root, 20);
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

/* s_client against our listener; `opts` chooses version, ciphers and client certificate. */
static int probe(struct fixture *f, const char *opts)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "openssl s_client -connect %s:%u -CAfile %s/lab/ca.pem -verify_return_error "
             "-verify_hostname edge.ciscoexample.test %s </dev/null >%s/probe.out 2>&1",
             ip, port_in, pki, opts, pki);
    return run_with_loop(f, cmd);
}

/* The file `name` of the test directory contains `text`. */
static bool output_has(const char *name, const char *text)
{
    char path[300], buf[16384];
    snprintf(path, sizeof path, "%s/%s", pki, name);
    FILE *in = fopen(path, "r");
    size_t n = in ? fread(buf, 1, sizeof buf - 1, in) : 0;
    if (in)
        fclose(in);
    buf[n] = '\0';
    return strstr(buf, text) != NULL;
}

static void test_versions_and_ciphers(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, false);

    assert_int_not_equal(probe(f, "-tls1"), 0);
    assert_int_not_equal(probe(f, "-tls1_1"), 0);
    assert_int_equal(probe(f, "-tls1_2"), 0);
    assert_true(output_has("probe.out", "Protocol  : TLSv1.2"));
    /* the full chain: s_client only has the root, so the intermediate came from us */
    assert_true(output_has("probe.out", "Verify return code: 0 (ok)"));
    assert_true(output_has("probe.out", "ECDHE"));
    assert_int_equal(probe(f, "-tls1_3"), 0);
    assert_true(output_has("probe.out", "TLSv1.3"));
    /* static RSA key exchange (no forward secrecy) and CBC-SHA1 are not offered */
    assert_int_not_equal(probe(f, "-tls1_2 -cipher AES128-GCM-SHA256"), 0);
    assert_int_not_equal(probe(f, "-tls1_2 -cipher ECDHE-ECDSA-AES128-SHA"), 0);
    fixture_free(f);
}

static void test_client_certificate_required(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(true, false);
    char opts[900];

    /* TLS 1.2: the server's verdict on the client certificate ends the handshake itself */
    assert_int_not_equal(probe(f, "-tls1_2"), 0);
    snprintf(opts, sizeof opts, "-tls1_2 -cert %s/lab/rogue-client.pem -key %s/lab/rogue-client.key",
             pki, pki);
    assert_int_not_equal(probe(f, opts), 0);
    snprintf(opts, sizeof opts, "-tls1_2 -cert %s/lab/msedge.pem -cert_chain %s/lab/msedge.pem "
             "-key %s/lab/msedge.key", pki, pki, pki);
    assert_int_equal(probe(f, opts), 0);
    snprintf(opts, sizeof opts, "-tls1_3 -cert %s/lab/imp1.pem -cert_chain %s/lab/imp1.pem "
             "-key %s/lab/imp1.key", pki, pki, pki);
    assert_int_equal(probe(f, opts), 0);
    fixture_free(f);
}

static void loop_until(struct fixture *f, const int *flag, double seconds)
{
    double deadline = now() + seconds;
    while (!*flag && now() < deadline)
        su_root_step(f->root, 20);
}

static void test_incoming_peer_names(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, false);
    char cmd[2048];

    snprintf(cmd, sizeof cmd,
             "printf 'OPTIONS sip:edge.ciscoexample.test SIP/2.0\\r\\nVia: SIP/2.0/TLS "
             "sip.msexample.test;branch=z9hG4bK1\\r\\nFrom: <sip:a@msexample.test>;tag=1\\r\\n"
             "To: <sip:edge.ciscoexample.test>\\r\\nCall-ID: 1@x\\r\\nCSeq: 1 OPTIONS\\r\\n"
             "Max-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n' | openssl s_client "
             "-connect %s:%u -brief -cert %s/lab/msedge.pem -cert_chain %s/lab/msedge.pem "
             "-key %s/lab/msedge.key >/dev/null 2>&1", ip, port_in, pki, pki, pki);
    assert_int_equal(run_with_loop(f, cmd), 0);
    loop_until(f, &f->requests, 2);
    assert_int_equal(f->requests, 1);
    assert_true(f->peer_verified);
    assert_string_equal(f->peer_names, "sip.msexample.test");

    /* a rogue CA's certificate, not required: the peer is known but not verified */
    snprintf(cmd, sizeof cmd,
             "printf 'OPTIONS sip:edge.ciscoexample.test SIP/2.0\\r\\nVia: SIP/2.0/TLS "
             "sip.msexample.test;branch=z9hG4bK2\\r\\nFrom: <sip:a@msexample.test>;tag=1\\r\\n"
             "To: <sip:edge.ciscoexample.test>\\r\\nCall-ID: 2@x\\r\\nCSeq: 1 OPTIONS\\r\\n"
             "Max-Forwards: 70\\r\\nContent-Length: 0\\r\\n\\r\\n' | openssl s_client "
             "-connect %s:%u -brief -cert %s/lab/rogue-client.pem -key %s/lab/rogue-client.key "
             ">/dev/null 2>&1", ip, port_in, pki, pki);
    f->requests = 0;
    assert_int_equal(run_with_loop(f, cmd), 0);
    loop_until(f, &f->requests, 2);
    assert_int_equal(f->requests, 1);
    assert_false(f->peer_verified);
    fixture_free(f);
}

static int on_response(void *magic, nta_outgoing_t *orq, const sip_t *sip)
{
    struct fixture *f = magic;
    (void)orq;
    if (sip && sip->sip_status->st_status >= 200)
        f->final_status = sip->sip_status->st_status;
    else if (!sip)
        f->final_status = 500;
    return 0;
}

/* openssl s_server with `cert` on ip:port_out (requiring a client certificate); the agent sends
 * OPTIONS to sip:NAME:port_out;transport=tls;maddr=ip. Returns the server's pid. */
static int server_stdin = -1;   /* held open: s_server stops at end of input */

static pid_t serve(const char *cert)
{
    char cmd[2048];
    int fds[2];
    snprintf(cmd, sizeof cmd,
             "exec openssl s_server -accept %s:%u -naccept 1 -cert %s/lab/%s.pem -cert_chain "
             "%s/lab/%s.pem -key %s/lab/%s.key -CAfile %s/lab/ca.pem -Verify 2 "
             "-verify_return_error -quiet >%s/server.out 2>&1", ip, port_out, pki,
             cert, pki, cert, pki, cert, pki, pki);
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    server_stdin = fds[1];
    /* wait until it listens */
    char probe_cmd[256];
    snprintf(probe_cmd, sizeof probe_cmd, "ss -ltnH 'sport = :%u' | grep -q LISTEN", port_out);
    for (int i = 0; i < 200 && system(probe_cmd) != 0; i++)
        usleep(20000);
    return pid;
}

static nta_outgoing_t *send_options(struct fixture *f, const char *name)
{
    char *route = su_sprintf(f->home, "sip:%s:%u;transport=tls;maddr=%s", name, port_out, ip);
    char *ruri = su_sprintf(f->home, "sip:%s:%u;transport=tls", name, port_out);
    const char *names[1] = { name };
    struct tls_want w = { .names = names, .n_names = 1, .verify = true };
    nta_leg_t *leg = nta_leg_tcreate(f->agent, NULL, NULL, NTATAG_NO_DIALOG(1), TAG_END());
    assert_non_null(leg);
    f->leg = leg;
    /* no connection proved the name yet: a fresh one, armed with it */
    assert_null(tls_send_begin(f->ts, &w, ip, (uint16_t)port_out));
    nta_outgoing_t *orq = nta_outgoing_tcreate(leg, on_response, f, (url_string_t *)route,
                                               SIP_METHOD_OPTIONS, (url_string_t *)ruri,
                                               SIPTAG_FROM_STR("<sip:test@edge.ciscoexample.test>"),
                                               SIPTAG_TO_STR((char *)ruri), TPTAG_FRESH(1),
                                               TAG_END());
    tport_t *tp = orq ? nta_outgoing_transport(orq) : NULL;
    assert_true(tls_send_end(f->ts, tp) > 0);      /* the request waits on its own handshake */
    tport_unref(tp);
    return orq;
}


static void stop(pid_t pid)
{
    int status;
    close(server_stdin);
    server_stdin = -1;
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
}

static void test_outgoing_name_checked_and_failure_fast(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, false);
    pid_t pid = serve("wrongname");
    double t0 = now();
    nta_outgoing_t *orq = send_options(f, "imp1.ciscoexample.test");

    assert_non_null(orq);
    loop_until(f, &f->failures, 5);
    assert_int_equal(f->failures, 1);
    assert_true(now() - t0 < 5);          /* not Timer F (32 s) */
    if (!strstr(f->failure_reason, "TLS name mismatch: expected imp1.ciscoexample.test"))
        fail_msg("reason: %s", f->failure_reason);
    nta_outgoing_destroy(orq);
    stop(pid);
    fixture_free(f);
}

static void test_outgoing_client_certificate(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, true);
    pid_t pid = serve("imp1");
    nta_outgoing_t *orq = send_options(f, "imp1.ciscoexample.test");
    double deadline = now() + 5;

    assert_non_null(orq);
    while (now() < deadline && !output_has("server.out", "OPTIONS sip:imp1.ciscoexample.test"))
        su_root_step(f->root, 20);
    assert_true(output_has("server.out", "OPTIONS sip:imp1.ciscoexample.test"));
    /* the separate client certificate (clientAuth only), not the server's */
    assert_true(output_has("server.out", "CN = sipfed edge client"));
    assert_int_equal(f->failures, 0);
    nta_outgoing_destroy(orq);
    stop(pid);
    fixture_free(f);
}

/* ---- Reading a TLS connection: all it holds per poll turn, not one record (tls_drain.c) ----
 * A client sends BURST requests, each as three TLS records (as sofia writes a forwarded
 * message), in one write, and only then does the agent's loop turn again: sofia 1.12 alone
 * needs one poll turn per record (3 * BURST); with tls_drain.c, one per 16 kB of records. */
enum { BURST = 60, BURST_PARTS = 3 };

static void burst_part(SSL *ssl, int i, int part)
{
    char buf[256];
    int n = 0;
    if (part == 0)
        n = snprintf(buf, sizeof buf, "OPTIONS sip:edge.ciscoexample.test SIP/2.0\r\n"
                     "Via: SIP/2.0/TLS sip.msexample.test;branch=z9hG4bKburst%d\r\n", i);
    else if (part == 1)
        n = snprintf(buf, sizeof buf, "From: <sip:a@msexample.test>;tag=%d\r\n"
                     "To: <sip:edge.ciscoexample.test>\r\nCall-ID: burst%d@x\r\n", i, i);
    else
        n = snprintf(buf, sizeof buf, "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                     "Content-Length: 0\r\n\r\n");
    if (SSL_write(ssl, buf, n) != n)
        _exit(4);
}

/* The client (a child process): handshake, tell `ready`, wait for `go`, write the burst's
 * records in one write, tell `ready` again, hold the connection until `go` closes. */
static void burst_client(int ready, int go)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port_in) };
    char c = 0;
    if (!ctx || s < 0 || inet_pton(AF_INET, ip, &a.sin_addr) != 1 ||
        connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        _exit(2);
    SSL *ssl = SSL_new(ctx);
    if (!ssl || !SSL_set_fd(ssl, s) || SSL_connect(ssl) != 1)
        _exit(3);
    BIO *records = BIO_new(BIO_s_mem());
    SSL_set0_wbio(ssl, records);            /* records are kept, not sent, from here on */
    for (int i = 0; i < BURST; i++)
        for (int part = 0; part < BURST_PARTS; part++)
            burst_part(ssl, i, part);
    char *bytes;
    long len = BIO_get_mem_data(records, &bytes);
    if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
        _exit(5);
    for (long off = 0; off < len;) {
        ssize_t w = write(s, bytes + off, (size_t)(len - off));
        if (w <= 0)
            _exit(6);
        off += w;
    }
    if (write(ready, &c, 1) != 1)
        _exit(7);
    while (read(go, &c, 1) > 0)
        ;
    _exit(0);
}

static void test_burst_read_per_turn(void **state)
{
    (void)state;
    struct fixture *f = fixture_new(false, false);
    int ready[2], go[2];
    char c = 0;
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        burst_client(ready[1], go[0]);
    }
    close(ready[1]);
    close(go[0]);

    /* the handshake needs the loop; then the loop stands still while the burst is written */
    struct pollfd p = { .fd = ready[0], .events = POLLIN };
    double deadline = now() + 10;
    while (poll(&p, 1, 0) == 0 && now() < deadline)
        su_root_step(f->root, 20);
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(write(go[1], &c, 1), 1);
    assert_int_equal(read(ready[0], &c, 1), 1);   /* all records are in our socket now */

    int turns = 0;
    while (f->requests < BURST && turns < 20 * BURST * BURST_PARTS && now() < deadline + 10) {
        su_root_step(f->root, 50);
        turns++;
    }
    close(go[1]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(f->requests, BURST);
    /* about 21 kB of records: two turns, three with the handshake's end; sofia alone took
     * 3 * BURST = 180 */
    print_message("%d requests in %d records read in %d poll turns\n", BURST,
                  BURST * BURST_PARTS, turns);
    assert_true(turns <= 8);
    fixture_free(f);
}

static int teardown(void **state)
{
    (void)state;
    if (current)
        fixture_free(current);
    if (server_stdin >= 0)
        close(server_stdin), server_stdin = -1;
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_versions_and_ciphers, teardown),
        cmocka_unit_test_teardown(test_client_certificate_required, teardown),
        cmocka_unit_test_teardown(test_incoming_peer_names, teardown),
        cmocka_unit_test_teardown(test_outgoing_name_checked_and_failure_fast, teardown),
        cmocka_unit_test_teardown(test_outgoing_client_certificate, teardown),
        cmocka_unit_test_teardown(test_burst_read_per_turn, teardown),
    };
    return cmocka_run_group_tests_name("tls_wire", tests, pki_make, pki_remove);
}
