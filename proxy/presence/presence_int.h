/* presence_int.h — private to the files of proxy/presence: the one place presence documents meet expat.
 * Namespace-aware, elements matched by namespace URI + local name (never a prefix), no DTD, no
 * entity declaration, no external entity, PRESENCE_BODY_MAX bytes, bounded depth and text. */
#ifndef SIPFED_PRESENCE_INT_H
#define SIPFED_PRESENCE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "presence.h"

#define PXML_DEPTH_MAX   64u     /* deeper documents are refused */
#define PXML_CAPTURE_MAX 1024u   /* raw text kept per captured element (then cut to 255 bytes) */

/* One element a format cares about. ns "" = no namespace. Its id is its index + 1; 0 = other. */
struct pxml_name {
    const char *ns;
    const char *local;
};

struct pxml;
/* `attrs` is expat's NULL-terminated name/value array; read it with pxml_attr(). */
typedef void pxml_start_fn(struct pxml *x, int id, const char **attrs);
/* Called at the end of an element that pxml_capture() asked for, with its text. */
typedef void pxml_text_fn(struct pxml *x, int id, const char *text, size_t len);

struct pxml_spec {
    const struct pxml_name *names;
    size_t n_names;
    pxml_start_fn *start;
    pxml_text_fn *text;
    /* XPIDF only: accept `<!DOCTYPE presence PUBLIC ... "xpidf.dtd">` with no internal subset
     * (expat never loads the external one). Any other DTD is refused. */
    bool allow_external_doctype;
};

struct pxml {
    const struct pxml_spec *spec;
    void *ctx;                    /* the format's own state */
    struct presence_info *info;   /* the result being built */
    void *parser;                 /* XML_Parser */
    int stack[PXML_DEPTH_MAX + 1];
    unsigned depth;               /* depth of the current element; the root is 1 */
    const char *cur_ns, *cur_local;   /* raw name of the element being started */
    unsigned capture_depth;       /* 0: not capturing */
    char text[PXML_CAPTURE_MAX];
    size_t text_len;
    int err;                      /* set by pxml_fail */
    bool done;                    /* set by pxml_finish */
};

/* Run the document through the spec's handlers. Returns 0, or the code given to pxml_fail(),
 * or EINVAL for malformed XML, a DTD, an entity declaration or too deep a nesting, with
 * info->reason set. */
int pxml_run(const struct pxml_spec *spec, void *ctx, struct presence_info *info,
             const char *body, size_t len);

/* The id of the element `up` levels above the current one (0: the current one); 0 if none. */
int pxml_parent(const struct pxml *x, unsigned up);
/* Ask for the text of the current element (delivered to spec->text at its end). */
void pxml_capture(struct pxml *x);
/* Stop with an error; the first call wins. */
void pxml_fail(struct pxml *x, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Stop early: everything needed has been seen. */
void pxml_finish(struct pxml *x);
/* The value of attribute {ns}local ("" ns: an unprefixed attribute); NULL if absent. */
const char *pxml_attr(const char **attrs, const char *ns, const char *local);

/* Namespaces used by more than one format. */
#define NS_PIDF        "urn:ietf:params:xml:ns:pidf"
#define NS_MS_CATS     "http://schemas.microsoft.com/2006/09/sip/categories"
#define NS_MS_STATE    "http://schemas.microsoft.com/2006/09/sip/state"
#define NS_XSI         "http://www.w3.org/2001/XMLSchema-instance"

/* Format parsers (one file each), all on top of pxml_run. */
int presence_pidf_parse(const char *body, size_t len, struct presence_info *out);
int presence_xpidf_parse(const char *body, size_t len, struct presence_info *out);
int presence_categories_parse(const char *body, size_t len, struct presence_info *out);
int presence_msrtc_parse(const char *body, size_t len, struct presence_info *out);
int presence_xmpp_parse(const char *body, size_t len, struct presence_info *out);
/* Recognise a document by its root element. Returns 0 and *fmt, or an error as pxml_run. */
int presence_xml_sniff(const char *body, size_t len, enum presence_doc_format *fmt,
                       struct presence_info *info);

/* Parse an availability number as [MS-PRES] writes it (xs:unsignedInt, surrounding spaces
 * allowed); false for anything else. */
bool presence_ms_number_parse(const char *s, size_t len, unsigned long *out);
/* The ep:activity sipfed publishes for a state toward Microsoft (busy, away) or NULL. */
const char *presence_pidf_activity_out(enum presence_state state);
/* Set info->reason (printf-style). */
void presence_reason(struct presence_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
