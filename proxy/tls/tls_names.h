/* tls_names.h — certificate names and the name rules of SPEC §5.1, §5.3, §5.5 (pure functions). */
#ifndef SIPFED_TLS_NAMES_H
#define SIPFED_TLS_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>
#include <sofia-sip/su_alloc.h>

#include "dialplan.h"

/* What sipfed knows about the certificate a TLS peer presented. */
struct tls_peer {
    bool has_cert;       /* the peer sent a certificate */
    bool verified;       /* ... and its chain verified against ca_file (and, outgoing, the name) */
    char **names;        /* SAN dNSName entries; the subject CN only when there is no dNSName */
    size_t n_names;
    bool inbound;        /* the peer connected to us (we accepted the connection) */
};

/* The names of `cert` per SPEC §3.2 (SAN dNSName; CN only when the certificate has no dNSName;
 * never IP or URI entries), duplicated into `home`, NULL-terminated in *out. Returns 0 or ENOMEM. */
int tls_cert_names(su_home_t *home, X509 *cert, char ***out, size_t *n_out);

/* A certificate name equals the wanted name: exact, ASCII case-insensitive, no wildcards (a
 * "*.example.test" entry matches nothing), a trailing dot on either side ignored. */
bool tls_name_equal(const char *cert_name, const char *wanted);

/* One of `names` equals `wanted`. */
bool tls_names_contain(char *const *names, size_t n, const char *wanted);

/* The peer may be taken as zone `z` (SPEC §5.1): for a TLS zone with tls_verify the chain must
 * have verified; with tls_verify_subject one of those names must be in the certificate. Zones not
 * using TLS, or with tls_verify off and no subjects, accept any peer. `p` NULL: no TLS at all. */
bool tls_peer_fits_zone(const struct tls_peer *p, const struct zone *z);

/* SPEC §5.5: a verified certificate "names the From domain": one of its names equals `domain` or
 * is a name inside it (sip.msexample.test for msexample.test). False when not verified. */
bool tls_peer_names_domain(const struct tls_peer *p, const char *domain);

#endif
