/* presence_parse.c — from a message body to canonical states: the format by Content-Type or by
 * the document itself, and multipart/related batches (RFC 4662) split into their parts. */
#include "presence_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg_header.h>
#include <sofia-sip/msg_mime.h>
#include <sofia-sip/msg_mime_protos.h>
#include <sofia-sip/su_alloc.h>

#define N_OF(a) (sizeof (a) / sizeof (a)[0])

#define NS_MSRTC      "http://schemas.microsoft.com/2002/09/sip/presence"
#define NS_MS_ROAMING "http://schemas.microsoft.com/2006/09/sip/roaming-self"

static const struct { const char *type; enum presence_doc_format fmt; } content_types[] = {
    { "application/pidf+xml", PRESENCE_FMT_PIDF },
    { "text/xml+msrtc.pidf", PRESENCE_FMT_MSRTC },
    { "application/msrtc-event-categories+xml", PRESENCE_FMT_CATEGORIES },
    { "application/xpidf+xml", PRESENCE_FMT_XPIDF },
    { "multipart/related", PRESENCE_FMT_MULTIPART },
};

enum presence_doc_format presence_format_from_content_type(const char *content_type)
{
    size_t n;

    if (!content_type)
        return PRESENCE_FMT_AUTO;
    content_type += strspn(content_type, " \t");
    n = strcspn(content_type, "; \t");
    for (size_t i = 0; i < N_OF(content_types); i++) {
        if (strlen(content_types[i].type) == n &&
            strncasecmp(content_type, content_types[i].type, n) == 0)
            return content_types[i].fmt;
    }
    return PRESENCE_FMT_AUTO;
}

/* ---- recognising a document by its root element ---- */

enum { S_PIDF = 1, S_MSRTC, S_CATEGORIES, S_ROAMING, S_XMPP_C, S_XMPP_S, S_BARE_PRESENCE,
       S_PRESENTITY, S_ATOM };

static const struct pxml_name sniff_names[] = {
    { NS_PIDF, "presence" },
    { NS_MSRTC, "presence" },
    { NS_MS_CATS, "categories" },
    { NS_MS_ROAMING, "roamingData" },
    { "jabber:client", "presence" },
    { "jabber:server", "presence" },
    { "", "presence" },
    { "", "presentity" },
    { "", "atom" },
};

static void sniff_start(struct pxml *x, int id, const char **attrs)
{
    enum presence_doc_format *fmt = x->ctx;

    (void)attrs;
    if (x->depth == 1) {
        switch (id) {
        case S_PIDF: *fmt = PRESENCE_FMT_PIDF; break;
        case S_MSRTC: *fmt = PRESENCE_FMT_MSRTC; break;
        case S_CATEGORIES: case S_ROAMING: *fmt = PRESENCE_FMT_CATEGORIES; break;
        case S_XMPP_C: case S_XMPP_S: *fmt = PRESENCE_FMT_XMPP; break;
        case S_BARE_PRESENCE:
            /* XPIDF and a namespace-less XMPP stanza share the root name: look inside. */
            *fmt = PRESENCE_FMT_XMPP;
            return;
        default:
            pxml_fail(x, EPROTONOSUPPORT, "not a presence document (root {%s}%s)", x->cur_ns,
                      x->cur_local);
            return;
        }
        pxml_finish(x);
        return;
    }
    if (id == S_PRESENTITY || id == S_ATOM)
        *fmt = PRESENCE_FMT_XPIDF;
    pxml_finish(x);
}

static const struct pxml_spec sniff_spec = {
    .names = sniff_names, .n_names = N_OF(sniff_names), .start = sniff_start,
    .allow_external_doctype = true,   /* the real parser decides */
};

int presence_xml_sniff(const char *body, size_t len, enum presence_doc_format *fmt,
                       struct presence_info *info)
{
    *fmt = PRESENCE_FMT_AUTO;
    return pxml_run(&sniff_spec, fmt, info, body, len);
}

int presence_doc_parse(enum presence_doc_format fmt, const char *body, size_t len,
                       struct presence_info *out)
{
    int err;

    memset(out, 0, sizeof *out);
    if (fmt == PRESENCE_FMT_AUTO) {
        err = presence_xml_sniff(body, len, &fmt, out);
        if (err)
            return err;
    }
    switch (fmt) {
    case PRESENCE_FMT_PIDF: err = presence_pidf_parse(body, len, out); break;
    case PRESENCE_FMT_MSRTC: err = presence_msrtc_parse(body, len, out); break;
    case PRESENCE_FMT_CATEGORIES: err = presence_categories_parse(body, len, out); break;
    case PRESENCE_FMT_XPIDF: err = presence_xpidf_parse(body, len, out); break;
    case PRESENCE_FMT_XMPP: err = presence_xmpp_parse(body, len, out); break;
    default:
        presence_reason(out, "a multipart body is read with presence_body_parse");
        return EPROTONOSUPPORT;
    }
    if (err) {
        /* whatever was read before the error is not to be trusted */
        char reason[sizeof out->reason];
        memcpy(reason, out->reason, sizeof reason);
        memset(out, 0, sizeof *out);
        memcpy(out->reason, reason, sizeof reason);
    }
    return err;
}

/* ---- multipart/related ---- */

/* sofia's msg_multipart_parse() is not used for these bodies: it writes into the payload,
 * and a part header it cannot parse ends in an assert() ("Xyzzy" in msg_mime.c), which
 * untrusted input must never reach. This splitter only reads. */

struct span {
    const char *p;
    size_t len;
};

static void emit_error(presence_part_cb *cb, void *arg, int err, const char *fmt, const char *s)
{
    struct presence_info info;

    memset(&info, 0, sizeof info);
    presence_reason(&info, fmt, s);
    cb(arg, &info, err);
}

/* The value of header `name` in the part's header block, without parameters; false if none. */
static bool part_header(struct span hdrs, const char *name, char *val, size_t size)
{
    const char *p = hdrs.p, *end = hdrs.p + hdrs.len;
    size_t nlen = strlen(name);

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;

        if ((size_t)(le - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1;
            size_t n;
            while (v < le && (*v == ' ' || *v == '\t'))
                v++;
            n = 0;
            while (v + n < le && v[n] != ';' && v[n] != '\r' && v[n] != ' ' && v[n] != '\t')
                n++;
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

/* One part: headers, an empty line, the document. */
static void part_parse(struct span part, presence_part_cb *cb, void *arg, unsigned *n_presence)
{
    struct presence_info info;
    struct span hdrs = { part.p, 0 }, doc;
    char ctype[96] = "", cte[32];
    enum presence_doc_format fmt = PRESENCE_FMT_AUTO;
    const char *p = part.p, *end = part.p + part.len;
    int err;

    /* The header block ends at the first empty line (CRLF or, (sipfed), bare LF). */
    for (;;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) {
            emit_error(cb, arg, EINVAL, "multipart part without a body%s", "");
            (*n_presence)++;
            return;
        }
        if (eol == p || (eol == p + 1 && p[0] == '\r')) {
            hdrs.len = (size_t)(p - part.p);
            doc.p = eol + 1;
            doc.len = (size_t)(end - doc.p);
            break;
        }
        p = eol + 1;
    }
    if (part_header(hdrs, "Content-Transfer-Encoding", cte, sizeof cte) &&
        strcasecmp(cte, "7bit") != 0 && strcasecmp(cte, "8bit") != 0 &&
        strcasecmp(cte, "binary") != 0) {
        emit_error(cb, arg, EPROTONOSUPPORT, "multipart part in %s encoding not read", cte);
        (*n_presence)++;
        return;
    }
    if (part_header(hdrs, "Content-Type", ctype, sizeof ctype)) {
        if (strcasecmp(ctype, "application/rlmi+xml") == 0)
            return;   /* the list's own metadata, not a presentity */
        fmt = presence_format_from_content_type(ctype);
        if (fmt == PRESENCE_FMT_MULTIPART) {
            emit_error(cb, arg, EPROTONOSUPPORT, "nested multipart (%s) not read", ctype);
            (*n_presence)++;
            return;
        }
        if (fmt == PRESENCE_FMT_AUTO)
            return;   /* not presence */
    }
    /* (sipfed) a part without Content-Type is recognised by its root element */
    (*n_presence)++;
    err = presence_doc_parse(fmt, doc.p, doc.len, &info);
    cb(arg, &info, err);
}

/* RFC 2046 §5.1.1: parts are separated by "--boundary" lines, the last one "--boundary--";
 * whitespace may follow a delimiter, and (sipfed) lines may end in a bare LF. */
static int multipart_split(const char *body, size_t len, const char *boundary,
                           presence_part_cb *cb, void *arg)
{
    size_t blen = strlen(boundary), pos = 0;
    const char *part_start = NULL;
    unsigned n_parts = 0, n_presence = 0;
    bool closed = false;

    if (blen == 0 || blen > 70) {
        emit_error(cb, arg, EINVAL, "multipart boundary of bad length%s", "");
        return EINVAL;
    }
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
                    struct span part = { part_start, (size_t)(pend - part_start) };
                    part_parse(part, cb, arg, &n_presence);
                    n_parts++;
                }
                part_start = body + next;
                closed = close;
            }
        }
        pos = next;
    }
    if (!closed) {
        emit_error(cb, arg, EINVAL, "multipart body without its closing boundary \"--%s--\"",
                   boundary);
        return EINVAL;
    }
    if (n_presence == 0) {
        struct presence_info info;
        memset(&info, 0, sizeof info);
        presence_reason(&info, "no presence document among %u parts", n_parts);
        cb(arg, &info, 0);
    }
    return 0;
}

/* The boundary parameter of a multipart Content-Type, parsed by sofia; false if none. */
static bool content_type_boundary(const char *content_type, char *out, size_t size)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    msg_content_type_t *c = msg_content_type_make(home, content_type);
    const char *b = c ? msg_params_find(c->c_params, "boundary=") : NULL;
    char *unq = b ? msg_unquote_dup(home, b) : NULL;
    bool ok = unq && strlen(unq) < size;

    if (ok)
        memcpy(out, unq, strlen(unq) + 1);
    su_home_deinit(home);
    return ok;
}

int presence_body_parse(const char *content_type, const char *body, size_t len,
                        presence_part_cb *cb, void *arg)
{
    struct presence_info info;
    enum presence_doc_format fmt;
    char boundary[80];
    int err;

    if (len > PRESENCE_BODY_MAX) {
        memset(&info, 0, sizeof info);
        presence_reason(&info, "body of %zu bytes is over the %u-byte limit", len,
                        PRESENCE_BODY_MAX);
        cb(arg, &info, EMSGSIZE);
        return EMSGSIZE;
    }
    if (content_type) {
        fmt = presence_format_from_content_type(content_type);
        if (fmt == PRESENCE_FMT_AUTO) {
            emit_error(cb, arg, EPROTONOSUPPORT, "Content-Type %s carries no presence",
                       content_type);
            return EPROTONOSUPPORT;
        }
        if (fmt == PRESENCE_FMT_MULTIPART) {
            if (!content_type_boundary(content_type, boundary, sizeof boundary)) {
                emit_error(cb, arg, EINVAL, "multipart Content-Type without a boundary%s", "");
                return EINVAL;
            }
            return multipart_split(body, len, boundary, cb, arg);
        }
    } else {
        /* A multipart body starts (after blank lines) with its first "--boundary" line. */
        size_t i = 0, n;
        while (i < len && (body[i] == '\r' || body[i] == '\n' || body[i] == ' ' || body[i] == '\t'))
            i++;
        if (len - i > 2 && body[i] == '-' && body[i + 1] == '-') {
            const char *b = body + i + 2;
            const char *eol = memchr(b, '\n', len - i - 2);
            n = eol ? (size_t)(eol - b) : len - i - 2;
            while (n && (b[n - 1] == '\r' || b[n - 1] == ' ' || b[n - 1] == '\t'))
                n--;
            if (n == 0 || n >= sizeof boundary) {
                emit_error(cb, arg, EINVAL, "multipart boundary of bad length%s", "");
                return EINVAL;
            }
            memcpy(boundary, b, n);
            boundary[n] = '\0';
            return multipart_split(body, len, boundary, cb, arg);
        }
        fmt = PRESENCE_FMT_AUTO;
    }
    err = presence_doc_parse(fmt, body, len, &info);
    cb(arg, &info, err);
    return 0;
}
