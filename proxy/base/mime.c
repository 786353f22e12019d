/* mime.c — read-only MIME multipart splitting and part headers (see mime.h). */
#include "mime.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

/* One part: headers, an empty line (CRLF or bare LF), the content. */
static void part_split(const char *p, size_t len, struct mime_part *out)
{
    const char *end = p + len, *line = p;

    out->hdrs = p;
    out->hdrs_len = 0;
    out->body = NULL;
    out->body_len = 0;
    while (line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol)
            return;
        if (eol == line || (eol == line + 1 && line[0] == '\r')) {
            out->hdrs_len = (size_t)(line - p);
            out->body = eol + 1;
            out->body_len = (size_t)(end - out->body);
            return;
        }
        line = eol + 1;
    }
}

int mime_multipart_each(const char *body, size_t len, const char *boundary, mime_part_f *fn,
                        void *arg, unsigned *n_parts)
{
    size_t blen = strlen(boundary), pos = 0;
    const char *part_start = NULL;
    unsigned n = 0;
    bool closed = false;

    if (n_parts)
        *n_parts = 0;
    if (blen == 0 || blen > 70)
        return EINVAL;
    while (pos < len && !closed) {
        const char *line = body + pos;
        const char *eol = memchr(line, '\n', len - pos);
        size_t llen = eol ? (size_t)(eol - line) : len - pos;
        size_t next = pos + llen + (eol ? 1 : 0);

        if (llen >= 2 + blen && line[0] == '-' && line[1] == '-' &&
            memcmp(line + 2, boundary, blen) == 0) {
            size_t i = 2 + blen;
            bool close = llen >= i + 2 && line[i] == '-' && line[i + 1] == '-';
            if (close)
                i += 2;
            while (i < llen && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'))
                i++;
            if (i == llen) {   /* a delimiter line */
                if (part_start) {
                    /* the line break before a delimiter belongs to the delimiter */
                    const char *pend = line;
                    if (pend > part_start && pend[-1] == '\n')
                        pend--;
                    if (pend > part_start && pend[-1] == '\r')
                        pend--;
                    struct mime_part part;
                    part_split(part_start, (size_t)(pend - part_start), &part);
                    n++;
                    if (n_parts)
                        *n_parts = n;
                    if (!fn(arg, &part))
                        return 0;
                }
                part_start = body + next;
                closed = close;
            }
        }
        pos = next;
    }
    return closed ? 0 : EINVAL;
}

bool mime_header_value(const char *hdrs, size_t len, const char *name, char *val, size_t size)
{
    const char *p = hdrs, *end = hdrs + len;
    size_t nlen = strlen(name);

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;

        if ((size_t)(le - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            while (v < le && (*v == ' ' || *v == '\t'))
                v++;
            size_t n = (size_t)(le - v);
            while (n && (v[n - 1] == '\r' || v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            if (n >= size)
                n = size - 1;
            memcpy(val, v, n);
            val[n] = '\0';
            return true;
        }
        p = le + 1;
    }
    return false;
}

void mime_media_type(const char *ct, char *out, size_t size)
{
    size_t n = 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    while (*ct && *ct != ';' && *ct != ' ' && *ct != '\t' && *ct != '\r' && n + 1 < size)
        out[n++] = (char)tolower((unsigned char)*ct++);
    out[n] = '\0';
}
