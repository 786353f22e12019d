/* gw_text.c — addresses, IM bodies, session SDP and error mapping between XMPP and SIP (pure). */
#include "gw_text.h"
#include "mime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- addresses ---- */

/* RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ). */
static bool sip_user_char(unsigned char c)
{
    return isalnum(c) || strchr("-_.!~*'()&=+$,;?/", c) != NULL;
}

int gw_sip_uri_from_jid(const char *bare_jid, char *out, size_t size)
{
    const char *at = strchr(bare_jid, '@');
    size_t n = 0;

    if (!at || at == bare_jid || !at[1] || strchr(at, '/'))
        return EINVAL;
    n = (size_t)snprintf(out, size, "sip:");
    for (const char *p = bare_jid; p < at; p++) {
        unsigned char c = (unsigned char)*p;
        if (n + 4 >= size)
            return ENOSPC;
        if (sip_user_char(c))
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, size - n, "%%%02X", c);
    }
    int w = snprintf(out + n, size - n, "%s", at);
    return w < 0 || (size_t)w >= size - n ? ENOSPC : 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* RFC 7622 §3.3.1: characters a localpart may not hold. */
static bool jid_node_forbidden(unsigned char c)
{
    return c <= 0x20 || c == 0x7f || strchr("\"&'/:<>@", c) != NULL;
}

int gw_jid_from_sip(const char *user, const char *host, char *out, size_t size)
{
    size_t n = 0;

    if (!user || !*user || !host || !*host)
        return EINVAL;
    for (const char *p = user; *p; p++) {
        int c = (unsigned char)*p;
        if (c == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0)
                return EINVAL;
            c = hi * 16 + lo;
            p += 2;
        }
        if (jid_node_forbidden((unsigned char)c))
            return EINVAL;
        if (n + 1 >= size)
            return ENOSPC;
        out[n++] = (char)tolower(c);
    }
    if (n + 2 + strlen(host) > size)
        return ENOSPC;
    out[n++] = '@';
    for (const char *p = host; *p; p++)
        out[n++] = (char)tolower((unsigned char)*p);
    out[n] = '\0';
    return 0;
}

int gw_jid_bare(const char *jid, char *out, size_t size)
{
    size_t len = strcspn(jid, "/");
    const char *at = memchr(jid, '@', len);

    if (!at || at == jid || (size_t)(at - jid) + 1 == len)
        return EINVAL;
    if (len + 1 > size)
        return ENOSPC;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)jid[i]);
    out[len] = '\0';
    return 0;
}

int gw_jid_domain(const char *jid, char *out, size_t size)
{
    const char *at = strchr(jid, '@');
    const char *d = at ? at + 1 : jid;
    size_t len = strcspn(d, "/");

    if (len == 0)
        return EINVAL;
    if (len + 1 > size)
        return ENOSPC;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)d[i]);
    out[len] = '\0';
    return 0;
}

/* ---- bodies ---- */

struct text_out {
    char *buf;
    size_t size, len;
    bool full;
};

static void out_bytes(struct text_out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->size) {
        o->full = true;
        return;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void out_codepoint(struct text_out *o, unsigned long cp)
{
    char u[4];
    size_t n;

    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    out_bytes(o, u, n);
}

/* One HTML character reference at s (after '&'); returns the bytes consumed after '&', 0 if it
 * is not one (the '&' is then kept as text). */
static size_t html_entity(struct text_out *o, const char *s, size_t len)
{
    static const struct { const char *name; unsigned long cp; } names[] = {
        { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
        { "nbsp", 0xA0 },
    };
    const char *semi = memchr(s, ';', len < 12 ? len : 12);
    if (!semi || semi == s)
        return 0;
    size_t n = (size_t)(semi - s);
    if (s[0] == '#') {
        unsigned long cp = 0;
        bool hex = n > 1 && (s[1] == 'x' || s[1] == 'X');
        size_t i = hex ? 2 : 1;
        if (i == n)
            return 0;
        for (; i < n; i++) {
            int v = hex ? hexval(s[i]) : (isdigit((unsigned char)s[i]) ? s[i] - '0' : -1);
            if (v < 0)
                return 0;
            cp = cp * (hex ? 16 : 10) + (unsigned long)v;
            if (cp > 0x10FFFF)
                cp = 0x110000;
        }
        out_codepoint(o, cp == 0xA0 ? ' ' : cp);
        return n + 1;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strlen(names[i].name) == n && strncmp(s, names[i].name, n) == 0) {
            out_codepoint(o, names[i].cp == 0xA0 ? ' ' : names[i].cp);
            return n + 1;
        }
    }
    return 0;
}

/* The name of the tag starting at s (after '<', and after a '/' for an end tag), lowercased. */
static void tag_name(const char *s, const char *end, char *name, size_t size)
{
    size_t n = 0;
    if (s < end && *s == '/')
        s++;
    while (s < end && n + 1 < size && isalnum((unsigned char)*s))
        name[n++] = (char)tolower((unsigned char)*s++);
    name[n] = '\0';
}

static void html_to_text(const char *s, size_t len, struct text_out *o)
{
    const char *end = s + len, *p = s;
    bool skip = false;   /* inside <style>, <script> or <head> */

    while (p < end && !o->full) {
        if (*p == '<') {
            const char *gt = memchr(p, '>', (size_t)(end - p));
            char name[16];
            if (!gt)
                break;
            bool closing = p + 1 < end && p[1] == '/';
            tag_name(p + 1, gt, name, sizeof name);
            if (!strcmp(name, "style") || !strcmp(name, "script") || !strcmp(name, "head"))
                skip = !closing;
            else if (!skip && (!strcmp(name, "br") ||
                               (closing && (!strcmp(name, "p") || !strcmp(name, "div")))))
                out_bytes(o, "\n", 1);
            p = gt + 1;
        } else if (skip) {
            p++;
        } else if (*p == '&') {
            size_t used = html_entity(o, p + 1, (size_t)(end - p - 1));
            if (!used)
                out_bytes(o, "&", 1);
            p += 1 + used;
        } else if (*p == '\r' || *p == '\n') {
            /* HTML line breaks in the source are spaces */
            if (o->len && o->buf[o->len - 1] != ' ' && o->buf[o->len - 1] != '\n')
                out_bytes(o, " ", 1);
            p++;
        } else {
            out_bytes(o, p, 1);
            p++;
        }
    }
}

/* The boundary parameter (quoted or not) of a Content-Type value. */
static bool media_boundary(const char *ct, char *out, size_t size)
{
    const char *p = ct;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) != 0)
            continue;
        p += 9;
        bool q = *p == '"';
        if (q)
            p++;
        size_t n = q ? strcspn(p, "\"") : strcspn(p, "; \t");
        if (n == 0 || n >= size)
            return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

struct alternatives {
    struct mime_part plain, html;
};

static bool alternative_keep(void *arg, const struct mime_part *part)
{
    struct alternatives *a = arg;
    char ct[128] = "text/plain", mt[64];   /* RFC 2046 §5.1: the default type */

    if (!part->body)
        return true;
    mime_header_value(part->hdrs, part->hdrs_len, "Content-Type", ct, sizeof ct);
    mime_media_type(ct, mt, sizeof mt);
    if (!strcmp(mt, "text/plain") && !a->plain.body)
        a->plain = *part;
    else if (!strcmp(mt, "text/html") && !a->html.body)
        a->html = *part;
    return true;
}

/* The text/plain part of a multipart body, else its text/html part (RFC 2046 §5.1). */
static int multipart_text(const char *ct, const char *body, size_t len, struct text_out *o)
{
    char boundary[80];
    struct alternatives a = { { 0 }, { 0 } };

    if (!media_boundary(ct, boundary, sizeof boundary) ||
        mime_multipart_each(body, len, boundary, alternative_keep, &a, NULL) != 0)
        return EINVAL;
    if (a.plain.body)
        out_bytes(o, a.plain.body, a.plain.body_len);
    else if (a.html.body)
        html_to_text(a.html.body, a.html.body_len, o);
    else
        return EPROTONOSUPPORT;
    return 0;
}

int gw_im_text_from_body(const char *content_type, const char *body, size_t len, char *out,
                         size_t size)
{
    struct text_out o = { out, size, 0, false };
    char mt[64];
    int err = 0;

    if (size == 0)
        return EMSGSIZE;
    out[0] = '\0';
    mime_media_type(content_type ? content_type : "text/plain", mt, sizeof mt);
    if (!strcmp(mt, "text/plain"))
        out_bytes(&o, body, len);
    else if (!strcmp(mt, "text/html"))
        html_to_text(body, len, &o);
    else if (!strcmp(mt, "multipart/alternative") || !strcmp(mt, "multipart/related") ||
             !strcmp(mt, "multipart/mixed"))
        err = multipart_text(content_type, body, len, &o);
    else
        err = EPROTONOSUPPORT;
    if (err)
        return err;
    if (o.full)
        return EMSGSIZE;
    while (o.len && (out[o.len - 1] == '\n' || out[o.len - 1] == '\r'))
        out[--o.len] = '\0';
    if (memchr(out, '\0', o.len))   /* a NUL inside the text: not text */
        return EPROTONOSUPPORT;
    return 0;
}

/* ---- SDP ---- */

bool gw_sdp_offers_message(const char *sdp, size_t len)
{
    const char *p = sdp, *end = sdp + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t ll = eol ? (size_t)(eol - p) : (size_t)(end - p);
        if (ll >= 10 && strncmp(p, "m=message ", 10) == 0)
            return true;
        p += ll + 1;
    }
    return false;
}

int gw_im_sdp(const char *ip, unsigned port, char *out, size_t size)
{
    /* [MS-SIPRE] §3.2.5.2 / what Lync 2013 sends: "m=message PORT sip null" and the
     * accept-types of text IM. */
    int n = snprintf(out, size,
                     "v=0\r\n"
                     "o=- 0 0 IN IP4 %s\r\n"
                     "s=session\r\n"
                     "c=IN IP4 %s\r\n"
                     "t=0 0\r\n"
                     "m=message %u sip null\r\n"
                     "a=accept-types:text/plain multipart/alternative text/html "
                     "application/im-iscomposing+xml\r\n",
                     ip, ip, port);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* ---- errors ---- */

struct gw_stanza_error gw_stanza_error_from_sip(int status)
{
    static const struct { int status; struct gw_stanza_error e; } table[] = {
        { 400, { "modify", "bad-request" } },
        { 401, { "auth", "not-authorized" } },
        { 403, { "auth", "forbidden" } },
        { 404, { "cancel", "item-not-found" } },
        { 405, { "cancel", "feature-not-implemented" } },
        { 407, { "auth", "not-authorized" } },
        { 408, { "wait", "recipient-unavailable" } },
        { 410, { "cancel", "gone" } },
        { 413, { "modify", "not-acceptable" } },
        { 415, { "modify", "not-acceptable" } },
        { 480, { "wait", "recipient-unavailable" } },
        { 481, { "cancel", "item-not-found" } },
        { 482, { "cancel", "internal-server-error" } },
        { 483, { "cancel", "internal-server-error" } },
        { 484, { "modify", "jid-malformed" } },
        { 486, { "wait", "recipient-unavailable" } },
        { 487, { "cancel", "recipient-unavailable" } },
        { 488, { "modify", "not-acceptable" } },
        { 500, { "wait", "internal-server-error" } },
        { 501, { "cancel", "feature-not-implemented" } },
        { 502, { "cancel", "remote-server-not-found" } },
        { 503, { "wait", "service-unavailable" } },
        { 504, { "wait", "remote-server-timeout" } },
        { 600, { "wait", "recipient-unavailable" } },
        { 603, { "auth", "forbidden" } },
        { 604, { "cancel", "item-not-found" } },
        { 606, { "modify", "not-acceptable" } },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].status == status)
            return table[i].e;
    if (status >= 300 && status < 400)
        return (struct gw_stanza_error){ "modify", "redirect" };
    if (status >= 500 && status < 600)
        return (struct gw_stanza_error){ "wait", "service-unavailable" };
    return (struct gw_stanza_error){ "cancel", "undefined-condition" };
}
