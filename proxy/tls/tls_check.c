/* tls_check.c — load and validate the [tls] certificates, keys, trust store and ciphers. */
#include "tls.h"
#include "tls_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "secret_file.h"

/* Where problems are reported: the [tls] header (config.h keeps no line per key). */
struct where {
    struct diag *d;
    const char *file;
    unsigned line;
    const char *run_user;        /* [proxy] user: whose groups may read a key */
};

static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "unknown error";
}

static bool need_tls(const struct node_config *cfg, const struct dialplan *dp, const char **file,
                     unsigned *line, const char **why)
{
    *file = cfg->file;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        if (cfg->listen[i].transport == SIP_TP_TLS) {
            *line = cfg->listen[i].line;
            *why = "a tls: listen address";
            return true;
        }
    }
    /* SPEC §3.1: a tls: listen address or a TLS zone. A dns zone is not counted: its next hops
     * may be plain (srv = _sip._tcp, static routes over tcp), and without [tls] sofia simply has
     * no TLS transport to reach a TLS one. */
    for (size_t i = 0; dp && i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (z->type != ZONE_DEFAULT && z->type != ZONE_DNS && z->transport == SIP_TP_TLS) {
            *line = z->line;
            *why = "a TLS zone";
            *file = z->file;
            return true;
        }
    }
    return false;
}

static int load_chain(const struct where *w, const char *what, const char *path,
                      struct tls_identity *id)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        diag_error(w->d, w->file, w->line, "%s %s: %s", what, path, strerror(errno));
        return EINVAL;
    }
    id->cert = PEM_read_X509(f, NULL, NULL, NULL);
    if (!id->cert) {
        diag_error(w->d, w->file, w->line, "%s %s: no PEM certificate (%s)", what, path,
                   ssl_reason());
        fclose(f);
        return EINVAL;
    }
    id->chain = sk_X509_new_null();
    X509 *x;
    while (id->chain && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(id->chain, x);
    ERR_clear_error();          /* the loop ends on "no start line" */
    fclose(f);
    if (!id->chain)
        return ENOMEM;

    if (X509_cmp_current_time(X509_get0_notAfter(id->cert)) < 0)
        diag_error(w->d, w->file, w->line, "%s %s has expired", what, path);
    else if (X509_cmp_current_time(X509_get0_notBefore(id->cert)) > 0)
        diag_error(w->d, w->file, w->line, "%s %s is not valid yet", what, path);
    return 0;
}

static int load_key(const struct where *w, const char *what, const char *path,
                    struct tls_identity *id)
{
    struct stat st;
    FILE *f = fopen(path, "r");
    if (!f || fstat(fileno(f), &st) != 0) {
        diag_error(w->d, w->file, w->line, "%s %s: %s", what, path, strerror(errno));
        if (f)
            fclose(f);
        return EINVAL;
    }
    /* relayd/smtpd discipline: a key others can read is a leaked key; refuse it (its group
     * only when that is how sipfed reads it: Debian's ssl-cert, secret_file.h). */
    su_home_t home[1] = { SU_HOME_INIT(home) };
    char *why = secret_file_refusal(home, what, path, &st, w->run_user);
    if (why) {
        diag_error(w->d, w->file, w->line, "%s", why);
        su_home_deinit(home);
        fclose(f);
        return EINVAL;
    }
    su_home_deinit(home);
    id->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!id->key) {
        diag_error(w->d, w->file, w->line, "%s %s: no unencrypted PEM private key (%s)", what,
                   path, ssl_reason());
        return EINVAL;
    }
    return 0;
}

static int load_identity(const struct where *w, const char *kind, const char *cert_path,
                         const char *key_path, struct tls_identity *id)
{
    char what[64];
    int err;

    snprintf(what, sizeof what, "%scertificate", kind);
    err = load_chain(w, what, cert_path, id);
    snprintf(what, sizeof what, "%sprivate_key", kind);
    int kerr = load_key(w, what, key_path, id);
    if (err || kerr)
        return err ? err : kerr;
    if (X509_check_private_key(id->cert, id->key) != 1) {
        diag_error(w->d, w->file, w->line, "%sprivate_key %s does not match %scertificate %s",
                   kind, key_path, kind, cert_path);
        return EINVAL;
    }
    return 0;
}

/* The chain we send must lead to a CA peers know; ours is the best guess we have of theirs. */
static void warn_unverifiable(const struct where *w, const char *what, const char *path,
                              const struct tls_identity *id, X509_STORE *store)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || !X509_STORE_CTX_init(ctx, store, id->cert, id->chain)) {
        X509_STORE_CTX_free(ctx);
        return;
    }
    if (X509_verify_cert(ctx) != 1)
        diag_warn(w->d, w->file, w->line, "%s %s does not verify against ca_file: %s", what,
                  path, X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    X509_STORE_CTX_free(ctx);
}

static int load_store(const struct where *w, const char *path, struct tls_material *m)
{
    m->store = X509_STORE_new();
    m->ca_names = SSL_load_client_CA_file(path);
    if (!m->store)
        return ENOMEM;
    if (X509_STORE_load_file(m->store, path) != 1 || !m->ca_names) {
        diag_error(w->d, w->file, w->line, "ca_file %s: no PEM CA certificate (%s)", path,
                   ssl_reason());
        ERR_clear_error();
        return EINVAL;
    }
    return 0;
}

/* ciphers: valid for OpenSSL, and every TLS 1.2 suite it enables has forward secrecy. */
static int check_ciphers(const struct where *w, const char *list)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int err = 0;
    if (!ctx)
        return ENOMEM;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(ctx, list) != 1) {
        diag_error(w->d, w->file, w->line, "ciphers '%s': no usable cipher (%s)", list,
                   ssl_reason());
        ERR_clear_error();
        err = EINVAL;
        goto out;
    }
    STACK_OF(SSL_CIPHER) *cs = SSL_CTX_get_ciphers(ctx);
    for (int i = 0; i < sk_SSL_CIPHER_num(cs); i++) {
        const SSL_CIPHER *c = sk_SSL_CIPHER_value(cs, i);
        int kx = SSL_CIPHER_get_kx_nid(c);
        if (kx == NID_kx_any)   /* a TLS 1.3 suite: always (EC)DHE */
            continue;
        if (kx != NID_kx_ecdhe && kx != NID_kx_dhe) {
            diag_error(w->d, w->file, w->line,
                       "ciphers '%s' enables %s, which has no forward secrecy; add !kRSA "
                       "(or leave ciphers empty for the secure default)", list,
                       SSL_CIPHER_get_name(c));
            err = EINVAL;
            break;
        }
    }
out:
    SSL_CTX_free(ctx);
    return err;
}

int tls_material_load(const struct node_config *cfg, const struct dialplan *dp, struct diag *d,
                      struct tls_material *m)
{
    const struct tls_config *t = &cfg->tls;
    struct where w = { d, cfg->file, t->line, cfg->user };
    size_t errors = diag_error_count(d);
    unsigned need_line = 0;
    const char *why = NULL, *need_file = NULL;
    int err = 0;

    memset(m, 0, sizeof *m);
    if (!t->present) {
        if (need_tls(cfg, dp, &need_file, &need_line, &why)) {
            diag_error(d, need_file, need_line, "%s needs a [tls] section in %s", why,
                       cfg->file);
            return EINVAL;
        }
        return 0;
    }
    if (!t->certificate || !*t->certificate)
        diag_error(d, w.file, w.line, "[tls] certificate is required");
    if (!t->private_key || !*t->private_key)
        diag_error(d, w.file, w.line, "[tls] private_key is required");
    if (!t->ca_file || !*t->ca_file)
        diag_error(d, w.file, w.line, "[tls] ca_file is required (the trust store for peers)");
    if (t->min_version != 12 && t->min_version != 13)
        diag_error(d, w.file, w.line, "[tls] min_version must be 1.2 or 1.3");
    bool has_client = t->client_certificate && *t->client_certificate;
    bool has_client_key = t->client_private_key && *t->client_private_key;
    if (has_client != has_client_key)
        diag_error(d, w.file, w.line,
                   "[tls] client_certificate and client_private_key go together");
    if (diag_error_count(d) > errors)
        return EINVAL;

    m->min_version = t->min_version == 13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    m->ciphers = t->ciphers && *t->ciphers ? t->ciphers : TLS_DEFAULT_CIPHERS;
    for (size_t i = 0; dp && i < dp->n_zones; i++)
        if (dp->zones[i]->type == ZONE_DEFAULT)
            m->require_client_cert = dp->zones[i]->require_client_certificate;

    if (load_identity(&w, "", t->certificate, t->private_key, &m->server) == 0 &&
        cfg->hostname) {
        char **names = NULL;
        size_t n = 0;
        su_home_t home[1] = { SU_HOME_INIT(home) };
        if (tls_cert_names(home, m->server.cert, &names, &n) == 0 &&
            !tls_names_contain(names, n, cfg->hostname))
            diag_error(d, w.file, w.line,
                       "certificate %s does not carry hostname %s (as SAN dNSName); peers "
                       "check it against Record-Route", t->certificate, cfg->hostname);
        su_home_deinit(home);
    }
    if (has_client)
        load_identity(&w, "client_", t->client_certificate, t->client_private_key, &m->client);
    if (load_store(&w, t->ca_file, m) == 0) {
        if (m->server.cert)
            warn_unverifiable(&w, "certificate", t->certificate, &m->server, m->store);
        if (m->client.cert)
            warn_unverifiable(&w, "client_certificate", t->client_certificate, &m->client,
                              m->store);
    }
    if (t->ciphers && *t->ciphers)
        check_ciphers(&w, t->ciphers);

    if (diag_error_count(d) > errors) {
        err = EINVAL;
        tls_material_clear(m);
    }
    return err;
}

static void identity_clear(struct tls_identity *id)
{
    X509_free(id->cert);
    sk_X509_pop_free(id->chain, X509_free);
    EVP_PKEY_free(id->key);
    memset(id, 0, sizeof *id);
}

void tls_material_clear(struct tls_material *m)
{
    identity_clear(&m->server);
    identity_clear(&m->client);
    X509_STORE_free(m->store);
    sk_X509_NAME_pop_free(m->ca_names, X509_NAME_free);
    memset(m, 0, sizeof *m);
}

int tls_config_check(const struct node_config *cfg, const struct dialplan *dp, struct diag *d)
{
    struct tls_material m;
    int err = tls_material_load(cfg, dp, d, &m);
    tls_material_clear(&m);
    return err;
}
