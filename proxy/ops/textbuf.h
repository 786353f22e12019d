/* textbuf.h — a growing text buffer for the admin documents (Prometheus text, JSON, HTML), with
 * the escaping each format needs. Pure: no I/O. Memory comes from one su_home. */
#ifndef SIPFED_TEXTBUF_H
#define SIPFED_TEXTBUF_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

struct textbuf {
    su_home_t *home;
    char *s;                  /* always NUL-terminated once anything was written */
    size_t len, cap;
    bool failed;              /* an allocation failed: the text is incomplete */
};

/* An empty buffer whose memory comes from `home`. */
void textbuf_init(struct textbuf *b, su_home_t *home);
void textbuf_add(struct textbuf *b, const char *s);
void textbuf_addn(struct textbuf *b, const char *s, size_t n);
void textbuf_printf(struct textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `s` as a JSON string, quotes included (NULL: null). */
void textbuf_json_str(struct textbuf *b, const char *s);
/* `s` with & < > " ' escaped for HTML text and attribute values (NULL: nothing). */
void textbuf_html(struct textbuf *b, const char *s);
/* `s` escaped as a Prometheus label value (\\, \", \n), without the quotes. */
void textbuf_prom_label(struct textbuf *b, const char *s);
/* The text ("" when empty); valid until the next write. */
const char *textbuf_str(const struct textbuf *b);

#endif
