/* gw_text.h — the gateway's pure translations between XMPP and SIP instant messaging: addresses
 * (JID <-> SIP URI), message bodies (the plain text of what Microsoft sends), the session-mode
 * SDP, and SIP failures as XMPP stanza errors. No sockets, no sofia objects, no logging. */
#ifndef SIPFED_GW_TEXT_H
#define SIPFED_GW_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define GW_ADDR_MAX 512      /* a bare JID or SIP address-of-record, NUL included */
#define GW_TEXT_MAX 65536    /* one instant message, NUL included */

/* The SIP URI of a bare JID `node@domain` (no resource): "sip:node@domain", the node
 * percent-encoded where RFC 3261's user part does not allow a character. Returns 0, EINVAL (not
 * node@domain) or ENOSPC. */
int gw_sip_uri_from_jid(const char *bare_jid, char *out, size_t size);

/* The bare JID of a SIP user and host: the user part percent-decoded, lowercased domain. Returns
 * 0, EINVAL (no user, a bad escape, or a character RFC 7622 forbids in a localpart: " & ' / : <
 * > @, a space or a control character) or ENOSPC. */
int gw_jid_from_sip(const char *user, const char *host, char *out, size_t size);

/* The bare part of a JID ("a@b/res" -> "a@b"), lowercased node and domain, into out. Returns 0,
 * EINVAL (no node or domain) or ENOSPC. */
int gw_jid_bare(const char *jid, char *out, size_t size);
/* The domain part of a JID or address "node@domain[/res]" into out; EINVAL or ENOSPC. */
int gw_jid_domain(const char *jid, char *out, size_t size);

/* The plain text of an IM body (Content-Type value, parameters allowed): text/plain as is;
 * text/html with tags removed, line breaks for <br>, </p>, </div>, entities decoded;
 * multipart/alternative or multipart/related: the text/plain part, else the text/html part.
 * Trailing line breaks are cut. Returns 0, EPROTONOSUPPORT (no text in it, e.g.
 * application/im-iscomposing+xml), EINVAL (bad multipart) or EMSGSIZE (over `size`). */
int gw_im_text_from_body(const char *content_type, const char *body, size_t len, char *out,
                         size_t size);

/* True when an SDP body offers an IM session: an `m=message` line ([MS-SIPRE] §2.2.2). */
bool gw_sdp_offers_message(const char *sdp, size_t len);
/* The session-mode SDP sipfed offers and answers: m=message on `ip`:`port` over `sip`, with the
 * accept-types Lync uses for text. Returns the length or -1 when `size` is too small. */
int gw_im_sdp(const char *ip, unsigned port, char *out, size_t size);

/* An XMPP stanza error (RFC 6120 §8.3) for a SIP final failure `status` (>= 300). */
struct gw_stanza_error {
    const char *type;         /* cancel, wait, modify, auth */
    const char *condition;    /* urn:ietf:params:xml:ns:xmpp-stanzas element name */
};
struct gw_stanza_error gw_stanza_error_from_sip(int status);

/* The SIP status answering a request for a component that is not connected, and so on: the
 * XMPP side cannot take it now (480 Temporarily Unavailable, RFC 3261 §21.4.18). */
enum { GW_SIP_XMPP_DOWN = 480 };

#endif
