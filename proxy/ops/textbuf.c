/* textbuf.c — a growing text buffer with JSON, HTML and Prometheus escaping. */
#include "textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void textbuf_init(struct textbuf *b, su_home_t *home)
{
    memset(b, 0, sizeof *b);
    b->home = home;
}

static bool textbuf_reserve(struct textbuf *b, size_t more)
{
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *s = su_realloc(b->home, b->s, cap);
    if (!s) {
        b->failed = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void textbuf_addn(struct textbuf *b, const char *s, size_t n)
{
    if (!textbuf_reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void textbuf_add(struct textbuf *b, const char *s)
{
    textbuf_addn(b, s, strlen(s));
}

void textbuf_printf(struct textbuf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        textbuf_addn(b, small, (size_t)n);
        return;
    }
    if (!textbuf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void textbuf_json_str(struct textbuf *b, const char *s)
{
    if (!s) {
        textbuf_add(b, "null");
        return;
    }
    textbuf_add(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': textbuf_add(b, "\\\""); break;
        case '\\': textbuf_add(b, "\\\\"); break;
        case '\n': textbuf_add(b, "\\n"); break;
        case '\r': textbuf_add(b, "\\r"); break;
        case '\t': textbuf_add(b, "\\t"); break;
        default:
            if (*p < 0x20)
                textbuf_printf(b, "\\u%04x", *p);
            else
                textbuf_addn(b, (const char *)p, 1);
        }
    }
    textbuf_add(b, "\"");
}

void textbuf_html(struct textbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': textbuf_add(b, "&amp;"); break;
        case '<': textbuf_add(b, "&lt;"); break;
        case '>': textbuf_add(b, "&gt;"); break;
        case '"': textbuf_add(b, "&quot;"); break;
        case '\'': textbuf_add(b, "&#39;"); break;
        default: textbuf_addn(b, s, 1);
        }
    }
}

void textbuf_prom_label(struct textbuf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '\\': textbuf_add(b, "\\\\"); break;
        case '"': textbuf_add(b, "\\\""); break;
        case '\n': textbuf_add(b, "\\n"); break;
        default: textbuf_addn(b, s, 1);
        }
    }
}

const char *textbuf_str(const struct textbuf *b)
{
    return b->s ? b->s : "";
}
