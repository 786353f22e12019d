/* sipmsg.h — a real sofia request for `check` and `locate` (and tests), composed as text and
 * parsed by sofia's own parser, so they take the proxy's code path unchanged. */
#ifndef SIPFED_SIPMSG_H
#define SIPFED_SIPMSG_H

#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>

/* Compose `METHOD sip:ALIAS SIP/2.0` with Via, Max-Forwards, From, To, Call-ID, CSeq, the given
 * headers (each "Name: value"; a From, To, Call-ID or CSeq given here replaces the default
 * one), Content-Length and `body` (may be NULL), then parse it with sip_default_mclass().
 * Returns 0 and *out (free with msg_destroy(); sip_object(*out) is the parsed request), EINVAL
 * with a message in `err` when the input or the result does not parse, or ENOMEM. */
int sipmsg_build(const char *method, const char *alias, const char *const *headers,
                 size_t n_headers, const char *body, msg_t **out, char *err, size_t err_size);

#endif
