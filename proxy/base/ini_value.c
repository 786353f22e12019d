/* ini_value.c — value parsers and key-table dispatch shared by config.c and dialplan.c. */
#include "ini_value.h"
#include "suggest.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su_string.h>

static const struct ini_key *ini_key_find(const struct ini_key *keys, const char *name)
{
    for (; keys->name; keys++)
        if (strcmp(keys->name, name) == 0)
            return keys;
    return NULL;
}

/* The key of `keys` closest to a misspelt `name`, or NULL. */
static const char *ini_key_suggest(const struct ini_key *keys, const char *name)
{
    const char *names[64];
    size_t n = 0;
    for (; keys->name && n < sizeof names / sizeof names[0]; keys++)
        names[n++] = keys->name;
    return suggest_closest_n(name, names, n);
}

void ini_section_apply(struct ini_ctx *c, const struct ini_key *keys, unsigned variant,
                       const char *variant_desc, void *obj)
{
    const struct ini_section *sec = c->sec;
    for (size_t i = 0; i < sec->n_entries; i++) {
        const struct ini_entry *e = &sec->entries[i];
        if (e->dup)
            continue;
        const struct ini_key *k = ini_key_find(keys, e->key);
        const char *near = k ? NULL : ini_key_suggest(keys, e->key);
        if (!k && near)
            diag_error(c->d, sec->file, e->line, "unknown key '%s' in [%s] (did you mean '%s'?)",
                       e->key, sec->header, near);
        else if (!k)
            diag_error(c->d, sec->file, e->line, "unknown key '%s' in [%s]", e->key,
                       sec->header);
        else if (variant_desc && k->variants && !(k->variants & (1u << variant)))
            diag_error(c->d, sec->file, e->line, "key '%s' is not valid in [%s] (%s)", e->key,
                       sec->header, variant_desc);
        else if (obj)
            k->apply(c, e, obj);
    }
}

int ini_value_invalid(struct ini_ctx *c, const struct ini_entry *e, const char *item,
                      const char *why)
{
    diag_error(c->d, c->sec->file, e->line, "invalid value '%s' for '%s' (%s)", item, e->key,
               why);
    return EINVAL;
}

/* Only lists may span several lines. */
static int ini_value_single(struct ini_ctx *c, const struct ini_entry *e)
{
    if (!e->cont_line)
        return 0;
    diag_error(c->d, c->sec->file, e->cont_line,
               "'%s' takes a single value: remove the indentation of this line", e->key);
    return EINVAL;
}

int ini_value_text(struct ini_ctx *c, const struct ini_entry *e, char **out)
{
    if (ini_value_single(c, e))
        return EINVAL;
    *out = e->value[0] ? su_strdup(c->home, e->value) : NULL;
    return 0;
}

int ini_value_switch(struct ini_ctx *c, const struct ini_entry *e, bool *out)
{
    static const char *const on[] = { "yes", "on", "true" };
    static const char *const off[] = { "no", "off", "false" };
    if (ini_value_single(c, e))
        return EINVAL;
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        if (su_casematch(e->value, on[i])) {
            *out = true;
            return 0;
        }
        if (su_casematch(e->value, off[i])) {
            *out = false;
            return 0;
        }
    }
    return ini_value_invalid(c, e, e->value, "expected on or off (yes/no, true/false)");
}

int ini_value_uint(struct ini_ctx *c, const struct ini_entry *e, unsigned min, unsigned max,
                   unsigned *out)
{
    if (ini_value_single(c, e))
        return EINVAL;
    const char *s = e->value;
    char *end = NULL;
    errno = 0;
    unsigned long v = isdigit((unsigned char)s[0]) ? strtoul(s, &end, 10) : 0;
    if (!end || *end || errno || v < min || v > max) {
        char why[80];
        snprintf(why, sizeof why, "expected a number from %u to %u", min, max);
        return ini_value_invalid(c, e, s, why);
    }
    *out = (unsigned)v;
    return 0;
}

int ini_value_word(struct ini_ctx *c, const struct ini_entry *e, const struct ini_word *words,
                   int *out)
{
    if (ini_value_single(c, e))
        return EINVAL;
    for (const struct ini_word *w = words; w->word; w++) {
        if (strcmp(w->word, e->value) == 0) {
            *out = w->value;
            return 0;
        }
    }
    char why[320] = "expected ";
    const char *names[64];
    size_t n = 0;
    for (const struct ini_word *w = words; w->word; w++) {
        const char *sep = w == words ? "" : w[1].word ? ", " : " or ";
        size_t len = strlen(why);
        snprintf(why + len, sizeof why - len, "%s%s", sep, w->word);
        if (n < sizeof names / sizeof names[0])
            names[n++] = w->word;
    }
    const char *near = suggest_closest_n(e->value, names, n);
    if (near) {
        size_t len = strlen(why);
        snprintf(why + len, sizeof why - len, "; did you mean '%s'?", near);
    }
    return ini_value_invalid(c, e, e->value, why);
}

int ini_value_transport(struct ini_ctx *c, const struct ini_entry *e, enum sip_transport *out)
{
    static const struct ini_word words[] = {
        { "tls", SIP_TP_TLS }, { "tcp", SIP_TP_TCP }, { "udp", SIP_TP_UDP }, { NULL, 0 },
    };
    int v;
    if (ini_value_word(c, e, words, &v))
        return EINVAL;
    *out = (enum sip_transport)v;
    return 0;
}

int ini_value_list(struct ini_ctx *c, const struct ini_entry *e, char ***out, size_t *n)
{
    char *copy = su_strdup(c->home, e->value);
    size_t max = 1;
    for (const char *p = e->value; *p; p++)
        max += *p == ',' || *p == '\n';
    char **v = su_zalloc(c->home, (max + 1) * sizeof *v);
    if (!copy || !v)
        return ENOMEM;
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",\n", &save); tok; tok = strtok_r(NULL, ",\n", &save)) {
        char *end = tok + strlen(tok);
        while (isspace((unsigned char)*tok))
            tok++;
        while (end > tok && isspace((unsigned char)end[-1]))
            *--end = '\0';
        if (*tok)
            v[k++] = tok;
    }
    *out = k ? v : NULL;
    *n = k;
    return 0;
}

int ini_value_domains(struct ini_ctx *c, const struct ini_entry *e, char ***out, size_t *n)
{
    int err = 0;
    if (ini_value_list(c, e, out, n))
        return ENOMEM;
    for (size_t i = 0; i < *n; i++) {
        if (!ini_text_is_hostname((*out)[i]) || ini_text_is_ip((*out)[i]))
            err = ini_value_invalid(c, e, (*out)[i],
                                    "expected a domain name; patterns are not allowed");
        (*out)[i] = ini_text_lower(c->home, (*out)[i]);
    }
    return err;
}

int ini_value_path(struct ini_ctx *c, const struct ini_entry *e, const char *base_dir,
                   char **out)
{
    if (ini_value_single(c, e))
        return EINVAL;
    if (!e->value[0])
        *out = NULL;
    else if (e->value[0] == '/' || !base_dir)
        *out = su_strdup(c->home, e->value);
    else
        *out = su_sprintf(c->home, "%s/%s", base_dir, e->value);
    return 0;
}

bool ini_text_is_hostname(const char *s)
{
    size_t label = 0;
    if (!*s || strlen(s) > 253)
        return false;
    for (; *s; s++) {
        if (*s == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if (isalnum((unsigned char)*s) || *s == '-' || *s == '_') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return true;   /* a trailing dot (a rooted name) is allowed */
}

bool ini_text_is_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

bool ini_text_is_loopback(const char *s)
{
    unsigned char buf[16];
    if (!s)
        return false;
    if (strcmp(s, "localhost") == 0)
        return true;
    if (inet_pton(AF_INET, s, buf) == 1)
        return buf[0] == 127;
    static const unsigned char v6_loopback[16] = { [15] = 1 };
    return inet_pton(AF_INET6, s, buf) == 1 && memcmp(buf, v6_loopback, sizeof buf) == 0;
}

char *ini_text_lower(su_home_t *home, const char *s)
{
    char *copy = su_strdup(home, s);
    for (char *p = copy; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return copy;
}

static const char *ini_port_parse(const char *s, uint16_t *port)
{
    char *end = NULL;
    unsigned long v = isdigit((unsigned char)s[0]) ? strtoul(s, &end, 10) : 0;
    if (!end || *end || v < 1 || v > 65535)
        return "the port must be a number from 1 to 65535";
    *port = (uint16_t)v;
    return NULL;
}

const char *ini_hostport_parse(su_home_t *home, const char *text, bool need_port, char **host,
                               uint16_t *port)
{
    const char *h = text, *colon;
    size_t hlen;
    unsigned char buf[16];
    char tmp[256];
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close)
            return "missing ']' after the IPv6 address";
        h = text + 1;
        hlen = (size_t)(close - h);
        colon = close[1] == ':' ? close + 1 : NULL;
        if (close[1] && !colon)
            return "expected ':PORT' after ']'";
        if (hlen >= sizeof tmp || (memcpy(tmp, h, hlen), tmp[hlen] = '\0',
                                   inet_pton(AF_INET6, tmp, buf) != 1))
            return "not an IPv6 address between '[' and ']'";
    } else {
        colon = strchr(text, ':');
        if (colon && strchr(colon + 1, ':'))
            return "write an IPv6 address in brackets, e.g. [::1]:5061";
        hlen = colon ? (size_t)(colon - text) : strlen(text);
        if (hlen >= sizeof tmp)
            return "the host name is too long";
        memcpy(tmp, h, hlen);
        tmp[hlen] = '\0';
        if (!ini_text_is_hostname(tmp))
            return "not a host name or IP address";
    }
    uint16_t p = 0;
    if (colon) {
        const char *why = ini_port_parse(colon + 1, &p);
        if (why)
            return why;
    } else if (need_port) {
        return "a port is required";
    }
    *host = ini_text_lower(home, tmp);
    *port = p;
    return NULL;
}

char *ini_path_dir(su_home_t *home, const char *path)
{
    const char *slash = strrchr(path, '/');
    char cwd[PATH_MAX];
    if (slash == path)
        return su_strdup(home, "/");
    if (path[0] == '/')
        return su_strndup(home, path, (isize_t)(slash - path));
    if (!getcwd(cwd, sizeof cwd))
        return slash ? su_strndup(home, path, (isize_t)(slash - path)) : su_strdup(home, ".");
    if (!slash)
        return su_strdup(home, cwd);
    return su_sprintf(home, "%s/%.*s", cwd, (int)(slash - path), path);
}

char *ini_path_display(su_home_t *home, const char *path)
{
    char cwd[PATH_MAX];
    size_t n;
    if (path[0] == '/' && getcwd(cwd, sizeof cwd) && (n = strlen(cwd)) > 1 &&
        strncmp(path, cwd, n) == 0 && path[n] == '/' && path[n + 1])
        return su_strdup(home, path + n + 1);
    return su_strdup(home, path);
}
