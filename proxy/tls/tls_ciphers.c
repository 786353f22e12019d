/* tls_ciphers.c — the TLS 1.2 cipher list on sofia's shared context, parsed once per context and
 * list rather than for every connection (see tls_int.h). Event loop only. */
#include "tls_int.h"

#include <string.h>

#include <openssl/crypto.h>

/* SSL_CTX ex_data: the list the context was last given (an OPENSSL_strdup copy, freed with
 * the context). Process-wide like the hook's connection index; created on first use. */
static int list_idx = -1;

static void list_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                      void *argp)
{
    (void)parent, (void)ad, (void)idx, (void)argl, (void)argp;
    OPENSSL_free(ptr);
}

int tls_ctx_ciphers_use(SSL_CTX *ctx, const char *ciphers)
{
    if (list_idx < 0 &&
        (list_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, list_free)) < 0)
        return -1;
    char *have = SSL_CTX_get_ex_data(ctx, list_idx);
    if (have && strcmp(have, ciphers) == 0)
        return 0;
    if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1)
        return -1;
    /* Remember it; without a record (out of memory) the next connection parses it again. */
    char *copy = OPENSSL_strdup(ciphers);
    if (!copy || SSL_CTX_set_ex_data(ctx, list_idx, copy) != 1) {
        OPENSSL_free(copy);
        SSL_CTX_set_ex_data(ctx, list_idx, NULL);
    }
    OPENSSL_free(have);
    return 0;
}
