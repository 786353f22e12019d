/* match.c — search-rule pattern matching and alias transforms (SPEC §4.1). Pure. */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "alias.h"
#include "match.h"

pcre2_match_data *match_data_new(void)
{
    return pcre2_match_data_create(MATCH_GROUPS, NULL);
}

void match_data_free(pcre2_match_data *md)
{
    pcre2_match_data_free(md);
}

/* Offset where case-insensitive comparison starts: after the first '@', or 0 (no user). */
static size_t alias_host_offset(const char *alias)
{
    const char *at = strchr(alias, '@');
    return at ? (size_t)(at - alias) + 1 : 0;
}

/* Compare `n` characters of `pat` with `alias` from `off`: exactly in the user part,
 * case-insensitively from `host_off` on. */
static bool alias_span_equal(const char *alias, size_t off, size_t host_off, const char *pat,
                             size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)alias[off + i], p = (unsigned char)pat[i];
        if (off + i >= host_off ? tolower(a) != tolower(p) : a != p)
            return false;
    }
    return true;
}

/* `alias` with [off, off+len) replaced by `with`, host lowercased; NULL on ENOMEM. */
static char *alias_splice(su_home_t *home, const char *alias, size_t off, size_t len,
                          const char *with)
{
    char *out = su_sprintf(home, "%.*s%s%s", (int)off, alias, with, alias + off + len);
    alias_normalize(out);
    return out;
}

/* The `replace` template with \0..\9 taken from the last regex match on `alias`. */
static char *regex_expand(su_home_t *home, const char *tmpl, const char *alias,
                          pcre2_match_data *md, int n_set)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    size_t cap = strlen(tmpl) + 1;
    for (const char *t = tmpl; *t; t++)       /* worst case: every \N is the whole alias */
        if (t[0] == '\\' && isdigit((unsigned char)t[1]))
            cap += strlen(alias);
    char *out = su_alloc(home, cap), *o = out;
    if (out == NULL)
        return NULL;

    for (const char *t = tmpl; *t; t++) {
        if (t[0] == '\\' && isdigit((unsigned char)t[1])) {
            int g = t[1] - '0';
            t++;
            if (g < n_set && ov[2 * g] != PCRE2_UNSET) {
                size_t len = ov[2 * g + 1] - ov[2 * g];
                memcpy(o, alias + ov[2 * g], len);
                o += len;
            }
        } else if (t[0] == '\\' && t[1] == '\\') {
            *o++ = '\\';
            t++;
        } else {
            *o++ = *t;
        }
    }
    *o = '\0';
    alias_normalize(out);
    return out;
}

static enum match_result match_regex(su_home_t *home, const struct rule *r, const char *alias,
                                     pcre2_match_data *md, const char **alias_out)
{
    if (r->regex == NULL || md == NULL)
        return MATCH_ERROR;
    /* Anchored at both ends (SPEC §4.1): the loader compiles with both options; a pattern
     * compiled without them gets them at match time. Only the former can use PCRE2's JIT,
     * which refuses anchoring options passed to pcre2_match(). */
    uint32_t compiled = 0;
    pcre2_pattern_info(r->regex, PCRE2_INFO_ARGOPTIONS, &compiled);
    uint32_t opts = (PCRE2_ANCHORED | PCRE2_ENDANCHORED) & ~compiled;
    int rc = pcre2_match(r->regex, (PCRE2_SPTR)alias, strlen(alias), 0, opts, md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return MATCH_NO;
    if (rc < 0)
        return MATCH_ERROR;
    if (r->behavior == BEHAVIOR_REPLACE) {
        /* rc == 0: more groups than the ovector holds; the first MATCH_GROUPS are set. */
        char *out = regex_expand(home, r->replace ? r->replace : "", alias, md,
                                 rc == 0 ? MATCH_GROUPS : rc);
        if (out == NULL)
            return MATCH_NOMEM;
        *alias_out = out;
    }
    return MATCH_YES;
}

/* Prefix, suffix and exact patterns: [off, off+len) of the alias is the matched part. */
static enum match_result match_literal(su_home_t *home, const struct rule *r, const char *alias,
                                       const char **alias_out)
{
    const char *pat = r->pattern ? r->pattern : "";
    size_t alen = strlen(alias), plen = strlen(pat), off = 0;
    size_t host_off = alias_host_offset(alias);

    if (plen > alen || (r->pattern_type == PATTERN_EXACT && plen != alen))
        return MATCH_NO;
    if (r->pattern_type == PATTERN_SUFFIX)
        off = alen - plen;
    if (!alias_span_equal(alias, off, host_off, pat, plen))
        return MATCH_NO;

    const char *with = NULL;
    if (r->behavior == BEHAVIOR_STRIP && r->pattern_type != PATTERN_EXACT)
        with = "";
    else if (r->behavior == BEHAVIOR_REPLACE)
        with = r->replace ? r->replace : "";
    if (with != NULL) {
        char *out = alias_splice(home, alias, off, plen, with);
        if (out == NULL)
            return MATCH_NOMEM;
        *alias_out = out;
    }
    return MATCH_YES;
}

enum match_result match_rule(su_home_t *home, const struct rule *r, const char *alias,
                             pcre2_match_data *md, const char **alias_out)
{
    *alias_out = alias;
    if (r->mode == RULE_MODE_ANY_ALIAS) {
        if (r->behavior == BEHAVIOR_REPLACE) {
            char *out = su_strdup(home, r->replace ? r->replace : "");
            if (out == NULL)
                return MATCH_NOMEM;
            alias_normalize(out);
            *alias_out = out;
        }
        return MATCH_YES;
    }
    if (r->pattern_type == PATTERN_REGEX)
        return match_regex(home, r, alias, md, alias_out);
    return match_literal(home, r, alias, alias_out);
}
