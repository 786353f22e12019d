/* sipmsg.c — compose a request as text and parse it with sofia (for check/locate/tests). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_parser.h>
#include <sofia-sip/su_alloc.h>

#include "sipmsg.h"
#include "suggest.h"

static int sipmsg_fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int sipmsg_fail(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err != NULL && err_size > 0)
        vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return EINVAL;
}

/* RFC 3261 token characters (method names, header names). */
static bool sipmsg_is_token(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("-.!%*_+`'~", s[i])))
            return false;
    return true;
}

/* A header line given as "Name: value": a token name, a colon, no CR or LF anywhere. */
static bool sipmsg_header_ok(const char *h)
{
    const char *colon = strchr(h, ':');
    size_t n = colon ? (size_t)(colon - h) : 0;
    while (n > 0 && h[n - 1] == ' ')
        n--;
    return colon != NULL && sipmsg_is_token(h, n) && strpbrk(h, "\r\n") == NULL;
}

/* Is a header named `name` (full name, case-insensitive) among `headers`? */
static bool sipmsg_has_header(const char *const *headers, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (strncasecmp(headers[i], name, len) == 0 &&
            (headers[i][len] == ':' || headers[i][len] == ' '))
            return true;
    return false;
}

bool sipmsg_uri_scheme(const char *s)
{
    return strncasecmp(s, "sip:", 4) == 0 || strncasecmp(s, "sips:", 5) == 0;
}

const char *sipmsg_method_canonical(const char *method, char *buf, size_t size)
{
    size_t n = strlen(method);
    bool lower = false;

    if (n == 0 || n >= size)
        return NULL;
    for (size_t i = 0; i <= n; i++) {
        buf[i] = (char)toupper((unsigned char)method[i]);
        lower |= buf[i] != method[i];
    }
    if (!lower)
        return NULL;
    /* Microsoft's extension methods (MS-SIPRE) are no less well known than RFC ones here. */
    if (strcmp(buf, "BENOTIFY") == 0 || strcmp(buf, "SERVICE") == 0)
        return buf;
    sip_method_t m = sip_method_code(buf);
    return m != sip_method_unknown && m != sip_method_invalid ? buf : NULL;
}

const char *sipmsg_method_suggest(const char *method)
{
    static const char *const known[] = { "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS",
                                         "REGISTER", "INFO", "PRACK", "UPDATE", "MESSAGE",
                                         "SUBSCRIBE", "NOTIFY", "REFER", "PUBLISH", "BENOTIFY",
                                         "SERVICE", NULL };
    for (size_t i = 0; known[i] != NULL; i++)
        if (strcasecmp(method, known[i]) == 0)
            return NULL;
    return suggest_closest(method, known);
}

char *sipmsg_from_header(su_home_t *home, const char *uri, char *err, size_t err_size)
{
    if (uri == NULL || uri[0] == '\0' || strpbrk(uri, " \t\r\n<>\";") != NULL ||
        strchr(uri, '@') == NULL) {
        sipmsg_fail(err, err_size, "bad From URI '%s' (expected user@domain or sip:user@domain)",
                    uri ? uri : "");
        return NULL;
    }
    char *h = su_sprintf(home, "From: <%s%s>;tag=check", sipmsg_uri_scheme(uri) ? "" : "sip:", uri);
    if (h == NULL)
        sipmsg_fail(err, err_size, "out of memory");
    return h;
}

int sipmsg_build(const char *method, const char *alias, const char *const *headers,
                 size_t n_headers, const char *body, msg_t **out, char *err, size_t err_size)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    int rc = 0;

    *out = NULL;
    if (method == NULL || !sipmsg_is_token(method, strlen(method)))
        return sipmsg_fail(err, err_size, "bad method '%s'", method ? method : "");
    if (alias == NULL || alias[0] == '\0' || strpbrk(alias, " \t\r\n<>\"") != NULL)
        return sipmsg_fail(err, err_size, "bad alias '%s'%s", alias ? alias : "",
                           alias && alias[0] == '<' ? " (write the URI without <>)" : "");
    /* `sip:bob@example.com` is the Request-URI itself; `bob@example.com` is its alias. */
    const char *scheme = sipmsg_uri_scheme(alias) ? "" : "sip:";
    for (size_t i = 0; i < n_headers; i++)
        if (!sipmsg_header_ok(headers[i]))
            return sipmsg_fail(err, err_size, "bad header '%s' (expected 'Name: value')",
                               headers[i]);

    /* The defaults describe a request that arrived from somewhere: who sent it matters only
     * through the headers the caller gives (From with epid, User-Agent, ...). */
    bool has_from = sipmsg_has_header(headers, n_headers, "From");
    bool has_to = sipmsg_has_header(headers, n_headers, "To");
    bool has_callid = sipmsg_has_header(headers, n_headers, "Call-ID");
    bool has_cseq = sipmsg_has_header(headers, n_headers, "CSeq");
    size_t body_len = body ? strlen(body) : 0;

    char *text = su_sprintf(home,
                            "%s %s%s SIP/2.0\r\n"
                            "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-sipfed-check\r\n"
                            "Max-Forwards: 70\r\n",
                            method, scheme, alias);
    if (text && !has_from)
        text = su_sprintf(home, "%sFrom: <" SIPMSG_DEFAULT_FROM ">;tag=check\r\n", text);
    if (text && !has_to)
        text = su_sprintf(home, "%sTo: <%s%s>\r\n", text, scheme, alias);
    if (text && !has_callid)
        text = su_sprintf(home, "%sCall-ID: check@sipfed.invalid\r\n", text);
    if (text && !has_cseq)
        text = su_sprintf(home, "%sCSeq: 1 %s\r\n", text, method);
    for (size_t i = 0; text && i < n_headers; i++)
        text = su_sprintf(home, "%s%s\r\n", text, headers[i]);
    if (text)
        text = su_sprintf(home, "%sContent-Length: %zu\r\n\r\n%s", text, body_len,
                          body ? body : "");
    if (text == NULL) {
        rc = ENOMEM;
        goto out;
    }

    msg_t *msg = msg_make(sip_default_mclass(), 0, text, (ssize_t)strlen(text));
    if (msg == NULL) {
        rc = ENOMEM;
        goto out;
    }
    sip_t *sip = sip_object(msg);
    if (sip_method_code(method) == sip_method_invalid) {
        /* sofia 1.12's sip_method_d() refuses methods that begin with 'S' and are shorter
         * than SUBSCRIBE (SERVICE among them): NTA cannot receive them either. */
        rc = sipmsg_fail(err, err_size, "sofia-sip's parser refuses the method %s", method);
    } else if (sip == NULL || sip->sip_request == NULL || (sip->sip_flags & MSG_FLG_ERROR)) {
        rc = sipmsg_fail(err, err_size, "the request does not parse");
    } else if (sip->sip_error != NULL) {
        rc = sipmsg_fail(err, err_size, "header '%s' does not parse",
                         sip->sip_error->er_name ? sip->sip_error->er_name : "?");
    }
    if (rc != 0)
        msg_destroy(msg);
    else
        *out = msg;
out:
    su_home_deinit(home);
    return rc;
}
