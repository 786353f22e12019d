/* mime.h — a careful, read-only reader of MIME multipart bodies (RFC 2046 §5.1) for untrusted
 * SIP bodies: presence batches (multipart/related) and IM alternatives (multipart/alternative).
 * sofia's msg_multipart_parse() is not used for them: it writes into the payload, and a part
 * header it cannot parse ends in an assert(). Nothing here allocates or writes into the body. */
#ifndef SIPFED_MIME_H
#define SIPFED_MIME_H

#include <stdbool.h>
#include <stddef.h>

struct mime_part {
    const char *hdrs;       /* the part's header block (may be empty) */
    size_t hdrs_len;
    const char *body;       /* its content; NULL when the part has no empty line */
    size_t body_len;
};

/* Called for each part in order; return false to stop early. */
typedef bool mime_part_f(void *arg, const struct mime_part *part);

/* Split `body` by `boundary` ("--boundary" lines, the last "--boundary--"; whitespace may follow
 * a delimiter; (sipfed) lines may end in a bare LF). Returns 0 when the closing delimiter was
 * found (or `fn` stopped), EINVAL for a boundary of bad length (0 or over 70) or a body without
 * its closing delimiter. *n_parts (may be NULL) counts the parts passed to `fn`. */
int mime_multipart_each(const char *body, size_t len, const char *boundary, mime_part_f *fn,
                        void *arg, unsigned *n_parts);

/* The value of header `name` (case-insensitive) in a header block: leading blanks skipped, the
 * whole line otherwise (parameters kept), cut to `size`. False when absent. */
bool mime_header_value(const char *hdrs, size_t len, const char *name, char *val, size_t size);

/* The type/subtype of a Content-Type value, lowercased, without parameters. */
void mime_media_type(const char *content_type, char *out, size_t size);

#endif
