/* sip_mclass.h — the SIP message class of the proxy's agent (NTATAG_MCLASS): sofia's own,
 * with fallbacks for requests sofia 1.12 refuses so early that the sender hears nothing.
 *
 * sofia parses a message's first line before anything else; when that fails the message is
 * "garbage" and nta drops it without reading its Via, so even a request that could be
 * answered gets silence. sipfed's class keeps sofia's parsers and falls back, only where they
 * fail, to RFC 3261's grammar (docs/errors.md):
 *   - a request line with a token method sofia refuses (SERVICE, SUB, A+B: sip_method_d()
 *     refuses an unknown method shorter than a known one with the same first letter, and the
 *     token characters + and `) is parsed as an unknown method; so is the same method in CSeq.
 *     Such a request is forwarded like any other method (RFC 3261 §16.6);
 *   - a request line whose Request-URI does not parse (sip:alice@, sip:a@[::1) is parsed with
 *     the URI marked invalid (sip_request_uri_is_bad()): the rest of the message is read, and
 *     the proxy answers 400 through the top Via;
 *   - a first line that is neither is dropped as before; nta counts the message as garbage, and
 *     unreadable.c logs it once per episode with the sender, this reason and the line
 *     (sip_first_line_dropped_take()); each one is logged here at debug level only
 *     (`module=sip event=dropped src=IP:PORT/TP`). */
#ifndef SIPFED_SIP_MCLASS_H
#define SIPFED_SIP_MCLASS_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/msg_types.h>
#include <sofia-sip/sip.h>

struct sip_mclass;

/* A new message class (NULL when out of memory); the agent using it must be destroyed first. */
struct sip_mclass *sip_mclass_create(void);
void sip_mclass_destroy(struct sip_mclass *m);
/* For NTATAG_MCLASS(). */
msg_mclass_t const *sip_mclass_get(const struct sip_mclass *m);

/* True when the request line was read by the fallback with a Request-URI that does not parse. */
bool sip_request_uri_is_bad(const sip_t *sip);

/* True when `msg` is the message whose first line the fallback could not read last: `line` gets
 * that line (control characters replaced, cut to `size`) and `*why` the reason (static text).
 * The record is taken: a second call returns false. */
bool sip_first_line_dropped_take(const msg_t *msg, char *line, size_t size, const char **why);

/* "IP:PORT/udp" or "IP:PORT/tcp" (TLS too) of the peer a received message came from ("-" when
 * unknown). */
void sip_msg_sender(msg_t *msg, char *buf, size_t size);

#endif
