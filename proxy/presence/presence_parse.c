/* presence_parse.c — from a message body to canonical states: the format by Content-Type or by
 * the document itself, and multipart/related batches (RFC 4662) split into their parts. */
#include "presence_int.h"
#include "mime.h"

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
#define NS_MSRTC_XSD  "http://schemas.microsoft.com/09/2002/sip/presence"   /* the XSD's spelling */
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
       S_PRESENTITY, S_ATOM, S_MSRTC_PRESENTITY, S_MSRTC_XSD, S_MSRTC_XSD_PRESENTITY };

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
    { NS_MSRTC, "presentity" },        /* MS-SIP §2.2.1: the presentity is the root */
    { NS_MSRTC_XSD, "presence" },
    { NS_MSRTC_XSD, "presentity" },
};

static void sniff_start(struct pxml *x, int id, const char **attrs)
{
    enum presence_doc_format *fmt = x->ctx;

    (void)attrs;
    if (x->depth == 1) {
        switch (id) {
        case S_PIDF: *fmt = PRESENCE_FMT_PIDF; break;
        case S_MSRTC: case S_MSRTC_PRESENTITY: case S_MSRTC_XSD: case S_MSRTC_XSD_PRESENTITY:
            *fmt = PRESENCE_FMT_MSRTC;
            break;
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

/* The body is split by mime_multipart_each() (proxy/base/mime.c), which only reads: sofia's
 * msg_multipart_parse() writes into the payload and asserts on a part header it cannot parse. */

static void emit_error(presence_part_cb *cb, void *arg, int err, const char *fmt, const char *s)
{
    struct presence_info info;

    memset(&info, 0, sizeof info);
    presence_reason(&info, fmt, s);
    cb(arg, &info, err);
}

struct batch {
    presence_part_cb *cb;
    void *arg;
    unsigned n_presence;
};

/* The value of header `name` in a part's header block, without parameters; false if none. */
static bool part_header(const struct mime_part *part, const char *name, char *val, size_t size)
{
    char full[256];
    if (!mime_header_value(part->hdrs, part->hdrs_len, name, full, sizeof full))
        return false;
    mime_media_type(full, val, size);
    return true;
}

/* One part: headers, an empty line, the document. */
static bool part_parse(void *arg, const struct mime_part *part)
{
    struct batch *b = arg;
    struct presence_info info;
    char ctype[96] = "", cte[32];
    enum presence_doc_format fmt = PRESENCE_FMT_AUTO;
    int err;

    if (!part->body) {
        emit_error(b->cb, b->arg, EINVAL, "multipart part without a body%s", "");
        b->n_presence++;
        return true;
    }
    if (part_header(part, "Content-Transfer-Encoding", cte, sizeof cte) &&
        strcasecmp(cte, "7bit") != 0 && strcasecmp(cte, "8bit") != 0 &&
        strcasecmp(cte, "binary") != 0) {
        emit_error(b->cb, b->arg, EPROTONOSUPPORT, "multipart part in %s encoding not read", cte);
        b->n_presence++;
        return true;
    }
    if (part_header(part, "Content-Type", ctype, sizeof ctype)) {
        if (strcasecmp(ctype, "application/rlmi+xml") == 0)
            return true;   /* the list's own metadata, not a presentity */
        fmt = presence_format_from_content_type(ctype);
        if (fmt == PRESENCE_FMT_MULTIPART) {
            emit_error(b->cb, b->arg, EPROTONOSUPPORT, "nested multipart (%s) not read", ctype);
            b->n_presence++;
            return true;
        }
        if (fmt == PRESENCE_FMT_AUTO)
            return true;   /* not presence */
    }
    /* (sipfed) a part without Content-Type is recognised by its root element */
    b->n_presence++;
    err = presence_doc_parse(fmt, part->body, part->body_len, &info);
    b->cb(b->arg, &info, err);
    return true;
}

/* RFC 2046 §5.1.1 framing (mime.h); every presence part is parsed on its own. */
static int multipart_split(const char *body, size_t len, const char *boundary,
                           presence_part_cb *cb, void *arg)
{
    struct batch b = { cb, arg, 0 };
    unsigned n_parts = 0;
    size_t blen = strlen(boundary);

    if (blen == 0 || blen > 70) {
        emit_error(cb, arg, EINVAL, "multipart boundary of bad length%s", "");
        return EINVAL;
    }
    if (mime_multipart_each(body, len, boundary, part_parse, &b, &n_parts) != 0) {
        emit_error(cb, arg, EINVAL, "multipart body without its closing boundary \"--%s--\"",
                   boundary);
        return EINVAL;
    }
    if (b.n_presence == 0) {
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
