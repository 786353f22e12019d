/* tls.c — the TLS set-up's life: material and sofia's certificate directory at creation,
 * activation as the hook's policy (a reload moves live connections over), and its end. What it
 * knows while it runs (connections, failure reports) is in tls_registry.c; which connection
 * an outgoing request may use, and the connect timeout, in tls_out.c. */
#define SU_TIMER_ARG_T struct tls_setup

#include "tls.h"
#include "tls_int.h"

#include <errno.h>
#include <fcntl.h>
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
    tls_out_stop(ts);
    if (ts->dir && ts->dir_owner == getpid()) {
        if (ts->agent_pem)
            unlink(ts->agent_pem);
        if (ts->cafile_pem)
            unlink(ts->cafile_pem);
        rmdir(ts->dir);
    }
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
    ts->dir_owner = getpid();
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
    ts->connect_timeout_ms = cfg->connect_timeout * 1000U;
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

int tls_setup_activate(struct tls_setup *ts, su_root_t *root, tls_failure_f *cb, void *arg)
{
    const char *sofia_version;
    if (!tls_hook_sofia_supported(&sofia_version)) {
        log_error("tls", "event=sofia_unsupported version=%s reason=\"the TLS connection hook is "
                  "written for sofia-sip 1.12, which never frees a connection's SSL; this version "
                  "would free it twice\"", sofia_version);
        return ENOTSUP;
    }
    if (!tls_hook_in_effect()) {
        log_error("tls", "event=hook_missing reason=\"SSL_new is not interposed; sofia's TLS "
                  "would run with its own defaults\"");
        return ENOSYS;
    }
    if (!tls_readbuf_in_effect())
        log_warn("tls", "event=read_buffer_shared_off reason=\"sofia's tls_read is not "
                 "interposed; each TLS connection keeps its own 16 kB read buffer\"");
    if (!tls_drain_in_effect())
        log_warn("tls", "event=read_one_record reason=\"sofia's tls_pending is not interposed; "
                 "a TLS connection is read one record per poll turn\"");
    if (!tls_after_check_in_effect())
        log_warn("tls", "event=peer_leaf_kept reason=\"sofia's tls_connect is not interposed; "
                 "each inbound TLS connection keeps its peer's certificate (about 4 kB)\"");
    ts->root = root;
    ts->failure_cb = cb;
    ts->failure_arg = arg;
    if (root && !ts->timer && !(ts->timer = su_timer_create(su_root_task(root), 1)))
        return ENOMEM;
    if (root && !ts->connect_timer &&
        !(ts->connect_timer = su_timer_create(su_root_task(root), ts->connect_timeout_ms)))
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
        if (!ts->handshake_cb) {
            ts->handshake_cb = prev->handshake_cb;
            ts->handshake_arg = prev->handshake_arg;
        }
        tls_out_watch(ts);          /* connections still in their handshake keep their deadline */
    }
    tls_hook_set_policy(ts);
    log_info("tls", "event=ready min_version=%s client_certificate=%s require_client_cert=%s",
             ts->m.min_version == TLS1_3_VERSION ? "1.3" : "1.2",
             ts->m.client.cert ? "separate" : "same", ts->m.require_client_cert ? "on" : "off");
    return 0;
}
