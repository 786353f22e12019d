/* match.h — one search rule against one alias (SPEC §4.1): pattern match and transform. Pure. */
#ifndef SIPFED_MATCH_H
#define SIPFED_MATCH_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <sofia-sip/su_alloc.h>

#include "dialplan.h"

/* Capture pairs a match keeps: the whole match and the groups \1..\9 `replace` may use. */
#define MATCH_GROUPS 10

enum match_result {
    MATCH_NOMEM = -2,    /* out of memory */
    MATCH_ERROR = -1,    /* PCRE2 gave up (e.g. its match limit) or no compiled regex: no route */
    MATCH_NO = 0,
    MATCH_YES = 1,
};

/* Scratch space for regex matching, made once per search and reused for every rule of it, so a
 * search allocates no PCRE2 state per rule. NULL on ENOMEM. */
pcre2_match_data *match_data_new(void);
void match_data_free(pcre2_match_data *md);

/* Does `alias` match the pattern of `r` (mode any_alias always does)? Regexes are anchored at
 * both ends; for prefix/suffix/exact the user part (before the first '@') compares exactly and
 * everything after it (host, port, params) case-insensitively — the alias host is already
 * lowercased, the pattern may not be. On MATCH_YES, *alias_out is the alias after the rule's
 * behavior: `alias` itself when unchanged, else a new string from `home`.
 *   leave:   unchanged.
 *   strip:   prefix/suffix: the matched prefix/suffix removed; regex and exact: unchanged
 *            (Expressway defines strip for prefix and suffix only; rewrite a regex with replace).
 *   replace: regex: the whole alias becomes `replace` with \0..\9 expanded (an unset group is
 *            empty, `\\` is a backslash); prefix/suffix: the matched part is replaced by the
 *            `replace` text, literally; exact and any_alias: the alias becomes `replace`.
 *   A rewritten alias gets its host lowercased. `md` may be NULL when r is not a regex rule. */
enum match_result match_rule(su_home_t *home, const struct rule *r, const char *alias,
                             pcre2_match_data *md, const char **alias_out);

#endif
