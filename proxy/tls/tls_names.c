/* tls_names.c — certificate names and the rules for matching them (SPEC §5.1, §5.5). */
#include "tls_names.h"

#include <errno.h>
#include <string.h>

#include <openssl/x509v3.h>
#include <sofia-sip/su_string.h>

#include "types.h"

/* Append one name; keeps the array NULL-terminated. */
static int names_push(su_home_t *home, char ***v, size_t *n, const char *s, size_t len)
{
    char **nv = su_realloc(home, *v, (*n + 2) * sizeof *nv);
    if (!nv)
        return ENOMEM;
    *v = nv;
    if (!(nv[*n] = su_strndup(home, s, (isize_t)len)))
        return ENOMEM;
    nv[++*n] = NULL;
    return 0;
}

int tls_cert_names(su_home_t *home, X509 *cert, char ***out, size_t *n_out)
{
    char **v = NULL;
    size_t n = 0;
    int err = 0;

    /* RFC 5922 §7.1: take subjectAltName dNSName; the CN is a fallback only without any. */
    GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && !err; i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(sans, i);
        if (gn->type != GEN_DNS)
            continue;
        const ASN1_IA5STRING *s = gn->d.dNSName;
        /* A name with an embedded NUL is an attack, never a name. */
        if (s->length <= 0 || memchr(s->data, '\0', (size_t)s->length))
            continue;
        err = names_push(home, &v, &n, (const char *)s->data, (size_t)s->length);
    }
    GENERAL_NAMES_free(sans);

    if (!err && n == 0) {
        const X509_NAME *subj = X509_get_subject_name(cert);
        int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
        if (idx >= 0) {
            const ASN1_STRING *cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx));
            unsigned char *utf8 = NULL;
            int len = ASN1_STRING_to_UTF8(&utf8, cn);
            if (len > 0 && !memchr(utf8, '\0', (size_t)len))
                err = names_push(home, &v, &n, (const char *)utf8, (size_t)len);
            OPENSSL_free(utf8);
        }
    }
    if (err) {
        for (size_t i = 0; i < n; i++)
            su_free(home, v[i]);
        su_free(home, v);
        return err;
    }
    *out = v;
    *n_out = n;
    return 0;
}

bool tls_name_equal(const char *cert_name, const char *wanted)
{
    if (!cert_name || !wanted || !*cert_name || !*wanted)
        return false;
    /* RFC 5922 §7.2: SIP domain certificates are matched exactly; wildcards are not honoured. */
    if (strchr(cert_name, '*'))
        return false;
    size_t a = strlen(cert_name), b = strlen(wanted);
    if (cert_name[a - 1] == '.')
        a--;
    if (wanted[b - 1] == '.')
        b--;
    return a == b && a > 0 && su_casenmatch(cert_name, wanted, a);
}

bool tls_names_contain(char *const *names, size_t n, const char *wanted)
{
    for (size_t i = 0; i < n; i++)
        if (tls_name_equal(names[i], wanted))
            return true;
    return false;
}

bool tls_peer_fits_zone(const struct tls_peer *p, const struct zone *z)
{
    if (z->type == ZONE_DEFAULT || z->type == ZONE_DNS || z->transport != SIP_TP_TLS)
        return true;
    bool need_chain = z->tls_verify || z->n_tls_verify_subject > 0;
    if (!need_chain)
        return true;
    if (!p || !p->verified)
        return false;
    if (z->n_tls_verify_subject == 0)
        return true;
    for (size_t i = 0; i < z->n_tls_verify_subject; i++)
        if (tls_names_contain(p->names, p->n_names, z->tls_verify_subject[i]))
            return true;
    return false;
}

bool tls_peer_names_domain(const struct tls_peer *p, const char *domain)
{
    if (!p || !p->verified || !domain || !*domain)
        return false;
    size_t d = strlen(domain);
    if (domain[d - 1] == '.')
        d--;
    for (size_t i = 0; i < p->n_names; i++) {
        const char *name = p->names[i];
        if (strchr(name, '*'))
            continue;
        size_t len = strlen(name);
        if (len && name[len - 1] == '.')
            len--;
        if (len == d && su_casenmatch(name, domain, d))
            return true;
        /* a name inside the domain: "<label>.domain", the label non-empty */
        if (len > d + 1 && name[len - d - 1] == '.' && su_casenmatch(name + len - d, domain, d))
            return true;
    }
    return false;
}
