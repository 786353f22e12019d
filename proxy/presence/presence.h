/* presence.h — presence documents (Microsoft, PIDF, XMPP) read into one canonical state and
 * written back out, per docs/presence-contract.md. Everything here is pure: no sockets, no
 * globals, no logging; the proxy and `sipfed presence` call the very same functions. */
#ifndef SIPFED_PRESENCE_H
#define SIPFED_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>

/* PRESENCE.md §1. Order matters only for the name table in presence_text.c. */
enum presence_state {
    PRESENCE_UNKNOWN,
    PRESENCE_AVAILABLE,
    PRESENCE_AVAILABLE_IDLE,
    PRESENCE_BUSY,
    PRESENCE_BUSY_IDLE,
    PRESENCE_DND,
    PRESENCE_BRB,
    PRESENCE_AWAY,
    PRESENCE_XA,
    PRESENCE_OFFLINE,
};

enum presence_activity {
    PRESENCE_ACT_NONE,
    PRESENCE_ACT_ON_THE_PHONE,
    PRESENCE_ACT_IN_A_CONFERENCE,
    PRESENCE_ACT_IN_A_MEETING,
    PRESENCE_ACT_IN_PRESENTATION,
    PRESENCE_ACT_OUT_OF_OFFICE,
    PRESENCE_ACT_URGENT_INTERRUPTIONS_ONLY,
    PRESENCE_ACT_OUT_TO_LUNCH,
};

/* Body formats; PRESENCE_FMT_AUTO asks the parser to recognise the document. */
enum presence_doc_format {
    PRESENCE_FMT_AUTO,
    PRESENCE_FMT_PIDF,        /* application/pidf+xml (RFC 3863, Lync ep:, RFC 4480 rpid) */
    PRESENCE_FMT_MSRTC,       /* text/xml+msrtc.pidf ([MS-SIP]) */
    PRESENCE_FMT_CATEGORIES,  /* application/msrtc-event-categories+xml ([MS-PRES]) */
    PRESENCE_FMT_XPIDF,       /* application/xpidf+xml */
    PRESENCE_FMT_XMPP,        /* an XMPP <presence/> stanza (RFC 6121 §4.7) */
    PRESENCE_FMT_MULTIPART,   /* multipart/related with application/rlmi+xml (RFC 4662) */
};

#define PRESENCE_BODY_MAX   65536u   /* larger bodies are refused unread (PRESENCE.md §3) */
#define PRESENCE_TEXT_MAX   255u     /* note, display name, entity: bytes, cut on a UTF-8 boundary */
#define PRESENCE_MS_NUMBER_MAX 4294967295u  /* xs:unsignedInt */

/* The canonical state of one presentity. Fixed buffers: a parse allocates nothing the caller
 * must free. `reason` says why the state is unknown, or how an odd input was read ("" when
 * there is nothing to say). */
struct presence_info {
    enum presence_state state;
    enum presence_activity activity;
    char note[PRESENCE_TEXT_MAX + 1];
    char display_name[PRESENCE_TEXT_MAX + 1];
    char entity[PRESENCE_TEXT_MAX + 1];
    char reason[128];
};

/* Options of the XMPP output (PRESENCE.md §4): node file `[presence] busy_as_dnd`. */
struct presence_xmpp_opts {
    bool busy_as_dnd;
};

/* ---- reading (presence_parse.c, presence_ms.c, presence_pidf.c, presence_xmpp.c) ---- */

/* Parse one XML document of format `fmt` (PRESENCE_FMT_AUTO: recognised by its root element;
 * never multipart). Returns 0 for a well-formed document of that format: out->state is then the
 * mapped state, or PRESENCE_UNKNOWN with out->reason when the document carries no usable state.
 * Returns EMSGSIZE (over PRESENCE_BODY_MAX), EINVAL (malformed XML, a DTD or an entity
 * declaration, nesting too deep) or EPROTONOSUPPORT (not a document of that format); out->state is
 * then PRESENCE_UNKNOWN and out->reason says what was wrong. */
int presence_doc_parse(enum presence_doc_format fmt, const char *body, size_t len,
                       struct presence_info *out);

/* Called once per presence document found in a body; `err` and `info` as presence_doc_parse. */
typedef void presence_part_cb(void *arg, const struct presence_info *info, int err);

/* Parse a message body whose Content-Type header value is `content_type` (parameters allowed;
 * NULL: recognise the body, a multipart one by its first boundary line). A multipart/related
 * batch calls `cb` for each presence part on its own; the application/rlmi+xml list part is
 * skipped. Returns 0 when the envelope could be read (each document's outcome goes to `cb`),
 * EMSGSIZE, EINVAL (bad multipart framing) or EPROTONOSUPPORT (a Content-Type that carries no
 * presence); on error `cb` is called once with the reason. */
int presence_body_parse(const char *content_type, const char *body, size_t len,
                        presence_part_cb *cb, void *arg);

/* The format a Content-Type value names (type/subtype, case-insensitive, parameters ignored);
 * PRESENCE_FMT_AUTO when it names none of ours. */
enum presence_doc_format presence_format_from_content_type(const char *content_type);

/* ---- mappings (presence_map.c): one pure function per direction ---- */

/* Microsoft availability number -> state (PRESENCE.md §2); 0 and out of range -> unknown. */
enum presence_state presence_state_from_ms_number(unsigned long number);
/* Activity token ([MS-PRES] activity@token, RPID activity) -> activity; NONE when not ours. */
enum presence_activity presence_activity_from_token(const char *token);
/* Apply one PIDF activity token to a state that is open (PRESENCE.md §3); false if the token
 * is not a known one (the caller keeps looking). */
bool presence_pidf_activity_apply(const char *token, struct presence_info *info);

/* Canonical -> the number sipfed publishes toward Microsoft (PRESENCE.md §2 and §5); 0 for
 * unknown. */
unsigned presence_ms_number(enum presence_state state);

/* Canonical -> Cisco Jabber label (Cisco Table 1, third column); NULL for unknown. */
const char *presence_jabber_label(enum presence_state state);
/* Jabber label ("Available", "Busy", "Do Not Disturb", "Away", "Idle", "Offline";
 * case-insensitive) -> canonical toward Microsoft (Cisco Table 3); unknown if not a label. */
enum presence_state presence_state_from_jabber_label(const char *label);
/* XMPP <show> value (NULL: none) and type attribute (NULL: none) -> canonical toward Microsoft
 * (Cisco Table 2, PRESENCE.md §5). *unusual is set when <show> is not an RFC 6121 value. */
enum presence_state presence_state_from_xmpp(const char *show, const char *type, bool *unusual);

/* Empty NOTIFY body with this Subscription-State value (PRESENCE.md §6): true and *state set
 * when the state changes (pending, terminated -> offline); false when it does not (active,
 * absent, unknown). */
bool presence_empty_notify_state(const char *subscription_state, enum presence_state *state);

/* ---- writing (presence_write.c): into `buf`, NUL-terminated; returns the length, or -1 when
 * `size` is too small (PRESENCE_OUT_MAX always suffices) ---- */
#define PRESENCE_OUT_MAX 8192u

/* One XMPP <presence> stanza (PRESENCE.md §4). Returns 0 and writes "" for unknown. */
int presence_to_xmpp(const struct presence_info *info, const struct presence_xmpp_opts *opts,
                     char *buf, size_t size);
/* The <show> value and <status> text presence_to_xmpp uses (for log lines): show is NULL when
 * there is no <show>; status is written into `status` ("" when none). */
const char *presence_xmpp_show(enum presence_state state, const struct presence_xmpp_opts *opts);
void presence_xmpp_status(const struct presence_info *info, char *status, size_t size);
/* A PIDF body toward Microsoft (PRESENCE.md §5). Returns 0 and writes "" for unknown. */
int presence_to_pidf(const struct presence_info *info, char *buf, size_t size);

/* ---- names and text (presence_text.c) ---- */
const char *presence_state_name(enum presence_state state);        /* "busy_idle" */
const char *presence_activity_name(enum presence_activity act);    /* "on-the-phone", "" */
const char *presence_format_name(enum presence_doc_format fmt);        /* "categories" */
/* Parse a format name as given to `--in`; returns 0 or EINVAL. */
int presence_format_parse(const char *name, enum presence_doc_format *out);

/* Copy `len` bytes of UTF-8 into dst (size PRESENCE_TEXT_MAX + 1): tabs and line breaks become
 * a space, other control characters (C0, DEL, C1) are dropped, leading and trailing spaces are
 * trimmed, and the result is cut to PRESENCE_TEXT_MAX bytes on a character boundary. */
void presence_text_copy(char *dst, const char *src, size_t len);
/* XML-escape `src` (& < > " ') into dst; returns the length written or -1 if it did not fit. */
int presence_xml_escape(char *dst, size_t size, const char *src);

#endif
