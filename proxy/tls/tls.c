/* tls.c — the TLS set-up: material, sofia's certificate directory, outgoing expectations, the
 * registry of live connections and the deferred report of failed outgoing handshakes. */
#define SU_TIMER_ARG_T struct tls_setup

#include "tls.h"
#include "tls_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include "log.h"

/* An outgoing expectation: what the next connection to ip:port must prove. */
struct tls_expectation {
    char ip[64];
    uint16_t port;
    bool verify;
    char **names;
    size_t n_names;
};

/* A failed outgoing handshake waiting to be reported from the event loop. */
struct tls_failure {
    char ip[64];
    uint16_t port;
    char reason[256];
};

/* Bounded tables: a node talks to a modest set of next hops; beyond these the oldest entry is
 * replaced (expectations) or the report is dropped with a log line (failures). */
enum { TLS_MAX_EXPECT = 1024, TLS_MAX_FAILURES = 64 };

struct tls_setup {
    su_home_t home[1];
    struct tls_material m;
    char *dir;                      /* the runtime directory for TPTAG_CERTIFICATE */
    char *agent_pem, *cafile_pem;
    tagi_t tags[3];

    struct tls_expectation expect[TLS_MAX_EXPECT];
    size_t n_expect, next_expect;   /* ring: next_expect is replaced when full */

    struct tls_conn *conns;         /* live connections, newest first */

    su_root_t *root;
    su_timer_t *timer;
    tls_failure_f *failure_cb;
    void *failure_arg;
    struct tls_failure failures[TLS_MAX_FAILURES];
    size_t n_failures;
};

static void tls_setup_destroy(void *arg)
{
    struct tls_setup *ts = arg;

    tls_hook_clear_policy(ts);      /* only when `ts` is the active policy */
    for (struct tls_conn *c = ts->conns, *next; c; c = next) {
        next = c->next;
        c->ts = NULL;
        c->linked = false;
        c->prev = c->next = NULL;
    }
    ts->conns = NULL;
    if (ts->timer)
        su_timer_destroy(ts->timer), ts->timer = NULL;
    if (ts->agent_pem)
        unlink(ts->agent_pem);
    if (ts->cafile_pem)
        unlink(ts->cafile_pem);
    if (ts->dir)
        rmdir(ts->dir);
    tls_material_clear(&ts->m);
}

/* Write `path` (mode 0600, never an existing file) with the PEM of `id` and/or the CA file. */
static int write_pem(const char *path, const struct tls_identity *id, const char *copy_from)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return errno;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        int err = errno;
        close(fd);
        return err;
    }
    int ok = 1;
    if (id) {
        ok = PEM_write_X509(f, id->cert);
        for (int i = 0; ok && i < sk_X509_num(id->chain); i++)
            ok = PEM_write_X509(f, sk_X509_value(id->chain, i));
        ok = ok && PEM_write_PrivateKey(f, id->key, NULL, NULL, 0, NULL, NULL);
    }
    if (copy_from) {
        FILE *in = fopen(copy_from, "r");
        char buf[4096];
        size_t n;
        ok = in != NULL;
        while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
            ok = fwrite(buf, 1, n, f) == n;
        if (in)
            fclose(in);
    }
    if (fclose(f) != 0 || !ok)
        return EIO;
    return 0;
}

/* sofia's TPTAG_CERTIFICATE directory: agent.pem (certificate, chain, key) and cafile.pem. sofia
 * needs both to initialise its context (it refuses TLS without cafile.pem); the hook replaces
 * what sofia loads with the in-memory material, so these files are only sofia's start-up
 * formality. They live in a fresh 0700 directory, never next to the configuration, and are
 * removed when the set-up is freed. */
static int runtime_dir_create(struct tls_setup *ts, const struct node_config *cfg)
{
    const char *base = getenv("XDG_RUNTIME_DIR");
    if (!base || !*base)
        base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    char *tmpl = su_sprintf(ts->home, "%s/sipfed-tls-XXXXXX", base);
    if (!tmpl || !mkdtemp(tmpl))
        return tmpl ? errno : ENOMEM;
    ts->dir = tmpl;
    ts->agent_pem = su_sprintf(ts->home, "%s/agent.pem", ts->dir);
    ts->cafile_pem = su_sprintf(ts->home, "%s/cafile.pem", ts->dir);
    if (!ts->agent_pem || !ts->cafile_pem)
        return ENOMEM;
    int err = write_pem(ts->agent_pem, &ts->m.server, NULL);
    if (!err)
        err = write_pem(ts->cafile_pem, NULL, cfg->tls.ca_file);
    return err;
}

int tls_setup_create(su_home_t *home, const struct node_config *cfg, const struct dialplan *dp,
                     struct diag *d, struct tls_setup **out)
{
    struct tls_setup *ts;
    int err;

    *out = NULL;
    if (!(ts = su_home_clone(home, sizeof *ts)))
        return ENOMEM;
    su_home_destructor(ts->home, tls_setup_destroy);

    if ((err = tls_material_load(cfg, dp, d, &ts->m)) != 0)
        goto out;
    if (!cfg->tls.present)
        goto out;               /* no TLS anywhere (tls_material_load checked): *out stays NULL */
    if ((err = runtime_dir_create(ts, cfg)) != 0) {
        diag_error(d, cfg->file, cfg->tls.line, "cannot prepare the TLS runtime directory: %s",
                   strerror(err));
        goto out;
    }
    /* sofia's own checks are off: every connection's verification is done by tls_hook.c, which
     * can require a client certificate per policy, check names and report failures. */
    ts->tags[0] = (tagi_t){ TPTAG_CERTIFICATE(ts->dir) };
    ts->tags[1] = (tagi_t){ TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_NONE) };
    ts->tags[2] = (tagi_t){ TAG_END() };
    *out = ts;
    return 0;
out:
    su_home_unref(ts->home);
    return err;
}

const tagi_t *tls_setup_tport_tags(const struct tls_setup *ts)
{
    return ts->tags;
}

const struct tls_material *tls_setup_material(const struct tls_setup *ts)
{
    return &ts->m;
}

static void failures_deliver(su_root_magic_t *magic, su_timer_t *t, struct tls_setup *ts)
{
    (void)magic;
    (void)t;
    /* Copy first: the callback may fail branches, which may open new connections. */
    struct tls_failure batch[TLS_MAX_FAILURES];
    size_t n = ts->n_failures;
    memcpy(batch, ts->failures, n * sizeof batch[0]);
    ts->n_failures = 0;
    for (size_t i = 0; i < n && ts->failure_cb; i++)
        ts->failure_cb(ts->failure_arg, batch[i].ip, batch[i].port, batch[i].reason);
}

int tls_setup_activate(struct tls_setup *ts, su_root_t *root, tls_failure_f *cb, void *arg)
{
    if (!tls_hook_in_effect()) {
        log_error("tls", "event=hook_missing reason=\"SSL_new is not interposed; sofia's TLS "
                  "would run with its own defaults\"");
        return ENOSYS;
    }
    ts->root = root;
    ts->failure_cb = cb;
    ts->failure_arg = arg;
    if (root && !ts->timer && !(ts->timer = su_timer_create(su_root_task(root), 1)))
        return ENOMEM;
    struct tls_setup *prev = tls_hook_policy();
    if (prev && prev != ts) {
        /* A reload: live connections keep their certificate facts under the new set-up. */
        while (prev->conns) {
            struct tls_conn *c = prev->conns;
            tls_setup_conn_unlink(prev, c);
            tls_setup_conn_link(ts, c);
            c->ts = ts;
        }
        prev->failure_cb = NULL;
    }
    tls_hook_set_policy(ts);
    log_info("tls", "event=ready min_version=%s client_certificate=%s require_client_cert=%s",
             ts->m.min_version == TLS1_3_VERSION ? "1.3" : "1.2",
             ts->m.client.cert ? "separate" : "same", ts->m.require_client_cert ? "on" : "off");
    return 0;
}

void tls_setup_report_failure(struct tls_setup *ts, const char *ip, uint16_t port,
                              const char *reason)
{
    if (!ts->failure_cb || !ts->timer)
        return;
    if (ts->n_failures == TLS_MAX_FAILURES) {
        log_warn("tls", "event=failure_dropped peer=%s:%u", ip, port);
        return;
    }
    struct tls_failure *f = &ts->failures[ts->n_failures++];
    snprintf(f->ip, sizeof f->ip, "%s", ip);
    f->port = port;
    snprintf(f->reason, sizeof f->reason, "%s", reason);
    if (ts->n_failures == 1)
        su_timer_set(ts->timer, failures_deliver, ts);
}

static struct tls_expectation *expect_find(const struct tls_setup *ts, const char *ip,
                                           uint16_t port)
{
    for (size_t i = 0; i < ts->n_expect; i++) {
        const struct tls_expectation *e = &ts->expect[i];
        if (e->port == port && strcmp(e->ip, ip) == 0)
            return (struct tls_expectation *)e;
    }
    return NULL;
}

static bool expect_same(const struct tls_expectation *e, const char *const *names, size_t n_names,
                        bool verify)
{
    if (e->verify != verify || e->n_names != n_names)
        return false;
    for (size_t i = 0; i < n_names; i++)
        if (strcmp(e->names[i], names[i]) != 0)
            return false;
    return true;
}

int tls_expect(struct tls_setup *ts, const char *ip, uint16_t port, const char *const *names,
               size_t n_names, bool verify)
{
    if (!ip || strlen(ip) >= sizeof ts->expect[0].ip)
        return EINVAL;
    struct tls_expectation *e = expect_find(ts, ip, port);
    if (e && expect_same(e, names, n_names, verify))
        return 0;                        /* the usual case: every request to a known next hop */
    if (!e) {
        if (ts->n_expect < TLS_MAX_EXPECT) {
            e = &ts->expect[ts->n_expect++];
        } else {
            e = &ts->expect[ts->next_expect];
            ts->next_expect = (ts->next_expect + 1) % TLS_MAX_EXPECT;
        }
    }
    for (size_t i = 0; i < e->n_names; i++)
        su_free(ts->home, e->names[i]);
    su_free(ts->home, e->names);
    memset(e, 0, sizeof *e);
    snprintf(e->ip, sizeof e->ip, "%s", ip);
    e->port = port;
    e->verify = verify;
    if (n_names) {
        if (!(e->names = su_zalloc(ts->home, (n_names + 1) * sizeof *e->names)))
            return ENOMEM;
        for (size_t i = 0; i < n_names; i++)
            if ((e->names[i] = su_strdup(ts->home, names[i])) != NULL)
                e->n_names++;
    }
    return 0;
}

static bool is_ip_literal(const char *host)
{
    struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return false;
    freeaddrinfo(res);
    return true;
}

int tls_expect_zone(struct tls_setup *ts, const struct zone *z, const char *name, const char *ip,
                    uint16_t port)
{
    const char *one[1] = { name };

    if (z && !z->tls_verify && z->n_tls_verify_subject == 0)
        return tls_expect(ts, ip, port, NULL, 0, false);
    if (z && z->type != ZONE_DNS && z->n_tls_verify_subject > 0)
        return tls_expect(ts, ip, port, (const char *const *)z->tls_verify_subject,
                          z->n_tls_verify_subject, true);
    bool has_name = name && *name && !is_ip_literal(name);
    return tls_expect(ts, ip, port, has_name ? one : NULL, has_name ? 1 : 0, true);
}

bool tls_setup_expected(const struct tls_setup *ts, const char *ip, uint16_t port,
                        char *const **names, size_t *n_names, bool *verify)
{
    const struct tls_expectation *e = expect_find(ts, ip, port);
    if (!e)
        return false;
    *names = e->names;
    *n_names = e->n_names;
    *verify = e->verify;
    return true;
}

void tls_setup_conn_link(struct tls_setup *ts, struct tls_conn *c)
{
    if (c->linked)
        return;
    c->prev = NULL;
    c->next = ts->conns;
    if (ts->conns)
        ts->conns->prev = c;
    ts->conns = c;
    c->linked = true;
}

void tls_setup_conn_unlink(struct tls_setup *ts, struct tls_conn *c)
{
    if (!c->linked)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        ts->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    c->linked = false;
}

bool tls_setup_handshake_expire(struct tls_setup *ts, int fd)
{
    for (struct tls_conn *c = ts ? ts->conns : NULL; c; c = c->next)
        if (SSL_get_fd(c->ssl) == fd) {
            if (!c->done)
                c->failed = true;       /* conn_fail() stays quiet: the guard reports it */
            return c->done;
        }
    return false;
}

const struct tls_peer *tls_peer_of(const struct tls_setup *ts, const tport_t *tp)
{
    char ip[64], port[16];
    const su_addrinfo_t *ai = tp ? tport_get_address(tp) : NULL;

    if (!ts || !ai || !tport_has_tls(tp))
        return NULL;
    if (getnameinfo((const struct sockaddr *)ai->ai_addr, (socklen_t)ai->ai_addrlen, ip,
                    sizeof ip, port, sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return NULL;
    unsigned long p = strtoul(port, NULL, 10);
    /* O(connections) per request: a node holds tens of TLS connections (an Access Edge opens up
     * to four); a hash would only pay off far beyond that. */
    for (const struct tls_conn *c = ts->conns; c; c = c->next)
        if (c->done && c->port == p && strcmp(c->ip, ip) == 0)
            return &c->peer;
    return NULL;
}
