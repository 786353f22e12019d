/* tls_suites.c — the cipher suites sipfed really offers, for `sipfed check` (issue 10.5): the
 * configured list as OpenSSL applies it to a connection with sipfed's settings (tls_hook.c),
 * narrowed to what our certificate can serve. */
#include "tls.h"
#include "tls_int.h"

#include <stdio.h>

#include <openssl/err.h>

/* A server with our key can negotiate `c`: TLS 1.3 suites authenticate with any key; a TLS 1.2
 * suite needs our key type (RSA or ECDSA). */
static bool suite_fits_key(const SSL_CIPHER *c, const EVP_PKEY *key)
{
    int auth = SSL_CIPHER_get_auth_nid(c);
    if (auth == NID_auth_any)
        return true;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA)
        return auth == NID_auth_rsa;
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC)
        return auth == NID_auth_ecdsa;
    return false;
}

int tls_report_suites(FILE *out, const struct node_config *cfg, const struct dialplan *dp)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct tls_material m;
    int err = EINVAL;

    if (!d || tls_material_load(cfg, dp, d, &m) != 0) {
        su_home_deinit(home);
        return EINVAL;                 /* tls_config_check() reports why */
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    SSL *ssl = ctx ? SSL_new(ctx) : NULL;
    if (ssl && tls_ssl_configure(ssl, &m) == 0) {
        STACK_OF(SSL_CIPHER) *cs = SSL_get1_supported_ciphers(ssl);
        for (int v = 0; v < 2; v++) {
            fprintf(out, "tls: %s suites offered:", v ? "TLS 1.3" : "TLS 1.2");
            size_t n = 0;
            for (int i = 0; i < sk_SSL_CIPHER_num(cs); i++) {
                const SSL_CIPHER *c = sk_SSL_CIPHER_value(cs, i);
                bool v13 = SSL_CIPHER_get_kx_nid(c) == NID_kx_any;
                if (v13 != (v == 1) || !suite_fits_key(c, m.server.key))
                    continue;
                fprintf(out, " %s", SSL_CIPHER_standard_name(c));
                n++;
            }
            fprintf(out, "%s\n", n ? "" : " none");
        }
        sk_SSL_CIPHER_free(cs);
        err = 0;
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    tls_material_clear(&m);
    su_home_deinit(home);
    return err;
}
