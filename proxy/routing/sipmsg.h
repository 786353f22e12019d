/* sipmsg.h — a real sofia request for `check` and `locate` (and tests), composed as text and
 * parsed by sofia's own parser, so they take the proxy's code path unchanged. */
#ifndef SIPFED_SIPMSG_H
#define SIPFED_SIPMSG_H

#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

#include <stdbool.h>

#include <sofia-sip/su_alloc.h>

/* The From of a composed request when the caller gives none. Its domain is no partner's: from
 * the default zone the federation policy refuses it (check and locate say so). */
#define SIPMSG_DEFAULT_FROM "sip:check@sipfed.invalid"

/* Does `s` begin with a `sip:` or `sips:` scheme (any case)? */
bool sipmsg_uri_scheme(const char *s);

/* `message` -> `MESSAGE`: when `method` has lowercase letters and its uppercase form is a method
 * sofia knows, write that to `buf` and return it (the caller warns: methods are case-sensitive
 * on the wire, RFC 3261 §7.1). Else NULL: use `method` as written. */
const char *sipmsg_method_canonical(const char *method, char *buf, size_t size);

/* For a method that is no SIP or Microsoft method (an extension method to sofia), the known
 * one it is most likely a typo of (`MESAGE` -> `MESSAGE`), or NULL. */
const char *sipmsg_method_suggest(const char *method);

/* A "From: <sip:URI>;tag=check" header line for `uri` (user@domain or a sip:/sips: URI), from
 * `home`. NULL with the reason in `err` when the URI is unusable (or ENOMEM). */
char *sipmsg_from_header(su_home_t *home, const char *uri, char *err, size_t err_size);

/* Compose `METHOD sip:ALIAS SIP/2.0` (ALIAS may itself be a sip: or sips: URI) with Via, Max-Forwards, From, To, Call-ID, CSeq, the given
 * headers (each "Name: value"; a From, To, Call-ID or CSeq given here replaces the default
 * one), Content-Length and `body` (may be NULL), then parse it with sip_default_mclass().
 * Returns 0 and *out (free with msg_destroy(); sip_object(*out) is the parsed request), EINVAL
 * with a message in `err` when the input or the result does not parse, or ENOMEM. */
int sipmsg_build(const char *method, const char *alias, const char *const *headers,
                 size_t n_headers, const char *body, msg_t **out, char *err, size_t err_size);

#endif
