/* presence_xml.c — the expat harness of the presence parsers: safe set-up, an element stack of
 * (namespace, local name) ids, bounded text capture. */
#include "presence_int.h"

#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Expat reports a namespaced name as "URI<sep>local"; a space can appear in neither. */
#define PXML_NS_SEP ' '

void presence_reason(struct presence_info *info, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(info->reason, sizeof info->reason, fmt, ap);
    va_end(ap);
}

void pxml_fail(struct pxml *x, int err, const char *fmt, ...)
{
    va_list ap;

    if (x->err)
        return;
    x->err = err;
    va_start(ap, fmt);
    vsnprintf(x->info->reason, sizeof x->info->reason, fmt, ap);
    va_end(ap);
    XML_StopParser(x->parser, XML_FALSE);
}

void pxml_finish(struct pxml *x)
{
    if (x->err || x->done)
        return;
    x->done = true;
    XML_StopParser(x->parser, XML_FALSE);
}

int pxml_parent(const struct pxml *x, unsigned up)
{
    if (up >= x->depth)
        return 0;
    return x->stack[x->depth - up];
}

void pxml_capture(struct pxml *x)
{
    x->capture_depth = x->depth;
    x->text_len = 0;
}

/* Split expat's "URI local" into its parts; "" namespace when there is none. */
static void name_split(const char *name, const char **ns, size_t *ns_len, const char **local)
{
    const char *sep = strrchr(name, PXML_NS_SEP);

    if (sep) {
        *ns = name;
        *ns_len = (size_t)(sep - name);
        *local = sep + 1;
    } else {
        *ns = "";
        *ns_len = 0;
        *local = name;
    }
}

static bool name_is(const char *name, const char *want_ns, const char *want_local)
{
    const char *ns, *local;
    size_t ns_len;

    name_split(name, &ns, &ns_len, &local);
    return strcmp(local, want_local) == 0 && strlen(want_ns) == ns_len &&
           memcmp(ns, want_ns, ns_len) == 0;
}

const char *pxml_attr(const char **attrs, const char *ns, const char *local)
{
    for (size_t i = 0; attrs && attrs[i]; i += 2) {
        if (name_is(attrs[i], ns, local))
            return attrs[i + 1];
    }
    return NULL;
}

static int name_lookup(const struct pxml_spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_names; i++) {
        if (name_is(name, spec->names[i].ns, spec->names[i].local))
            return (int)i + 1;
    }
    return 0;
}

static void XMLCALL on_start(void *data, const XML_Char *name, const XML_Char **attrs)
{
    struct pxml *x = data;
    char raw_ns[PRESENCE_TEXT_MAX + 1];
    const char *ns, *local;
    size_t ns_len;
    int id;

    if (x->err || x->done)
        return;
    if (x->depth >= PXML_DEPTH_MAX) {
        pxml_fail(x, EINVAL, "elements nested deeper than %u", PXML_DEPTH_MAX);
        return;
    }
    id = name_lookup(x->spec, name);
    x->stack[++x->depth] = id;
    if (x->capture_depth && x->capture_depth < x->depth) {
        /* Mixed content is not ours: a captured element's text stops at its first child. */
        x->capture_depth = 0;
    }
    name_split(name, &ns, &ns_len, &local);
    if (ns_len >= sizeof raw_ns)
        ns_len = sizeof raw_ns - 1;
    memcpy(raw_ns, ns, ns_len);
    raw_ns[ns_len] = '\0';
    x->cur_ns = raw_ns;
    x->cur_local = local;
    x->spec->start(x, id, attrs);
    x->cur_ns = x->cur_local = NULL;
}

static void XMLCALL on_end(void *data, const XML_Char *name)
{
    struct pxml *x = data;

    (void)name;
    if (x->err || x->done || x->depth == 0)
        return;
    if (x->capture_depth == x->depth) {
        x->capture_depth = 0;
        if (x->spec->text)
            x->spec->text(x, x->stack[x->depth], x->text, x->text_len);
    }
    x->depth--;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct pxml *x = data;
    size_t room;

    if (x->err || x->done || x->capture_depth != x->depth || len <= 0)
        return;
    room = sizeof x->text - x->text_len;
    if ((size_t)len < room)
        room = (size_t)len;
    memcpy(x->text + x->text_len, s, room);
    x->text_len += room;
}

/* A DOCTYPE is where entity expansion attacks (billion laughs) and external fetches live:
 * refuse every one, except XPIDF's bare reference to xpidf.dtd, which Microsoft servers send
 * and which carries no declarations (expat never reads the external subset here). */
static void XMLCALL on_doctype(void *data, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    struct pxml *x = data;

    (void)pubid;
    if (x->spec->allow_external_doctype && !has_internal_subset && name &&
        strcmp(name, "presence") == 0 && sysid && strcmp(sysid, "xpidf.dtd") == 0)
        return;
    pxml_fail(x, EINVAL, "document type declaration refused (DTDs and entities are not allowed)");
}

static void XMLCALL on_entity_decl(void *data, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len, const XML_Char *base,
                                   const XML_Char *sysid, const XML_Char *pubid,
                                   const XML_Char *notation)
{
    struct pxml *x = data;

    (void)name; (void)is_param; (void)value; (void)value_len;
    (void)base; (void)sysid; (void)pubid; (void)notation;
    pxml_fail(x, EINVAL, "entity declaration refused");
}

int pxml_run(const struct pxml_spec *spec, void *ctx, struct presence_info *info,
             const char *body, size_t len)
{
    struct pxml x = { .spec = spec, .ctx = ctx, .info = info };
    XML_Parser p;
    enum XML_Status st;
    int err = 0;

    if (len > PRESENCE_BODY_MAX) {
        presence_reason(info, "body of %zu bytes is over the %u-byte limit", len,
                        PRESENCE_BODY_MAX);
        return EMSGSIZE;
    }
    p = XML_ParserCreateNS(NULL, PXML_NS_SEP);
    if (!p) {
        presence_reason(info, "out of memory");
        return ENOMEM;
    }
    x.parser = p;
    XML_SetUserData(p, &x);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetEntityDeclHandler(p, on_entity_decl);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);

    st = XML_Parse(p, body, (int)len, XML_TRUE);
    if (x.err) {
        err = x.err;
    } else if (st == XML_STATUS_ERROR && !x.done) {
        presence_reason(info, "malformed XML at line %lu: %s",
                        (unsigned long)XML_GetCurrentLineNumber(p),
                        XML_ErrorString(XML_GetErrorCode(p)));
        err = EINVAL;
    }
    XML_ParserFree(p);
    return err;
}
