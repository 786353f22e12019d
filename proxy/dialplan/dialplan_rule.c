/* dialplan_rule.c — `[rule "NAME"]` sections (SPEC §3.2, §4.3): keys, the pattern compiled once
 * with PCRE2, and the checks that need every zone (targets, sources, open relay). */
#include "dialplan_int.h"
#include "suggest.h"

#include <errno.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sofia-sip/su_string.h>

enum { RULE_PRIORITY_MIN = 1, RULE_PRIORITY_MAX = 65534 };

/* Keys write into the rule and, for names of zones, into its draft. */
struct rule_build {
    struct rule *rule;
    struct rule_draft *draft;
};

/* The enums rule_word_apply() writes through an int (enums and int are compatible in size). */
_Static_assert(sizeof(enum traffic) == sizeof(int) && sizeof(enum rule_mode) == sizeof(int) &&
               sizeof(enum pattern_type) == sizeof(int) &&
               sizeof(enum rule_behavior) == sizeof(int) &&
               sizeof(enum rule_on_match) == sizeof(int), "rule enums are int-sized");

static int rule_word_apply(struct ini_ctx *c, const struct ini_entry *e,
                           const struct ini_word *words, void *field)
{
    int v;
    if (ini_value_word(c, e, words, &v))
        return EINVAL;
    *(int *)field = v;   /* every rule enum is an int-sized enum */
    return 0;
}

static int rule_priority_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct rule_build *b = obj;
    return ini_value_uint(c, e, RULE_PRIORITY_MIN, RULE_PRIORITY_MAX, &b->rule->priority);
}

static int rule_source_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct rule_build *b = obj;
    char **items;
    size_t n;
    if (ini_value_list(c, e, &items, &n))
        return ENOMEM;
    b->draft->source_line = e->line;
    for (size_t i = 0; i < n; i++) {
        bool word = strcmp(items[i], "any") == 0 || strcmp(items[i], "all_zones") == 0;
        if (word && n > 1)
            return ini_value_invalid(c, e, e->value, "'any' and 'all_zones' stand alone");
    }
    if (n == 0)
        return ini_value_invalid(c, e, "", "expected any, all_zones or zone names");
    if (strcmp(items[0], "any") == 0) {
        b->rule->source = RULE_SOURCE_ANY;
    } else if (strcmp(items[0], "all_zones") == 0) {
        b->rule->source = RULE_SOURCE_ALL_ZONES;
    } else {
        b->rule->source = RULE_SOURCE_NAMED;
        b->draft->sources = items;
        b->draft->n_sources = n;
    }
    return 0;
}

static int rule_traffic_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "any", TRAFFIC_ANY }, { "standard", TRAFFIC_STANDARD }, { "ms-any", TRAFFIC_MS_ANY },
        { "ms-sip", TRAFFIC_MS_SIP }, { "ms-imp", TRAFFIC_MS_IMP }, { NULL, 0 },
    };
    return rule_word_apply(c, e, words, &((struct rule_build *)obj)->rule->traffic);
}

static int rule_authenticated_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct rule_build *)obj)->rule->authenticated);
}

static int rule_mode_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "alias_pattern", RULE_MODE_ALIAS_PATTERN }, { "any_alias", RULE_MODE_ANY_ALIAS },
        { NULL, 0 },
    };
    return rule_word_apply(c, e, words, &((struct rule_build *)obj)->rule->mode);
}

static int rule_pattern_type_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "regex", PATTERN_REGEX }, { "prefix", PATTERN_PREFIX }, { "suffix", PATTERN_SUFFIX },
        { "exact", PATTERN_EXACT }, { NULL, 0 },
    };
    return rule_word_apply(c, e, words, &((struct rule_build *)obj)->rule->pattern_type);
}

static int rule_pattern_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_text(c, e, &((struct rule_build *)obj)->rule->pattern);
}

static int rule_behavior_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "leave", BEHAVIOR_LEAVE }, { "strip", BEHAVIOR_STRIP }, { "replace", BEHAVIOR_REPLACE },
        { NULL, 0 },
    };
    return rule_word_apply(c, e, words, &((struct rule_build *)obj)->rule->behavior);
}

static int rule_replace_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_text(c, e, &((struct rule_build *)obj)->rule->replace);
}

static int rule_on_match_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "stop", ON_MATCH_STOP }, { "continue", ON_MATCH_CONTINUE }, { NULL, 0 },
    };
    return rule_word_apply(c, e, words, &((struct rule_build *)obj)->rule->on_match);
}

static int rule_target_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct rule_build *b = obj;
    char *name = NULL;
    if (ini_value_text(c, e, &name))
        return EINVAL;
    if (!name)
        return ini_value_invalid(c, e, "", "expected a zone name");
    b->draft->target = name;
    b->draft->target_line = e->line;
    return 0;
}

static int rule_enabled_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct rule_build *)obj)->rule->enabled);
}

static const struct ini_key rule_keys[] = {
    { "priority", 0, rule_priority_apply },
    { "source", 0, rule_source_apply },
    { "traffic", 0, rule_traffic_apply },
    { "authenticated", 0, rule_authenticated_apply },
    { "mode", 0, rule_mode_apply },
    { "pattern_type", 0, rule_pattern_type_apply },
    { "pattern", 0, rule_pattern_apply },
    { "behavior", 0, rule_behavior_apply },
    { "replace", 0, rule_replace_apply },
    { "on_match", 0, rule_on_match_apply },
    { "target", 0, rule_target_apply },
    { "enabled", 0, rule_enabled_apply },
    { NULL, 0, NULL },
};

/* Escapes that match a control character (PCRE2: \a \c \e \f \n \r \t): no alias holds one,
 * so in a domain pattern they are a dot lost in a copy (the Cisco guide's own text extraction
 * prints `.*@msexample\com`) or a typo for `\.`. */
static const char rule_control_escapes[] = "acefnrt";

/* Warn about a pattern that can never match an alias (which has no blanks, no quotes, a
 * lowercase host and no control characters), whatever its type. */
static void rule_pattern_lint(struct ini_ctx *c, const struct ini_entry *e, const struct rule *r)
{
    const char *pat = r->pattern, *file = c->sec->file;
    size_t n = strlen(pat);
    bool regex = r->pattern_type == PATTERN_REGEX;

    if (n >= 2 && (pat[0] == '"' || pat[0] == '\'') && pat[n - 1] == pat[0]) {
        diag_warn(c->d, file, e->line, "pattern %s is quoted: the quotes are part of the pattern "
                  "and no alias has them, so it can never match; remove them", pat);
        return;
    }
    const char *blank = strpbrk(pat, " \t");
    if (blank != NULL) {
        const char *hash = strstr(pat, " #");
        diag_warn(c->d, file, e->line, "pattern '%s' contains a blank, which no alias has, so it "
                  "can never match%s", pat,
                  hash ? ": '#' starts no comment after a value, ' ;' does" :
                         ": a comment left in the value? (' ;' starts one)");
        return;
    }
    const char *at = strchr(pat, '@');
    /* (?i) makes the whole regex caseless: uppercase then matches lowercase too */
    const char *host = regex && strstr(pat, "(?i") ? pat + n : at ? at + 1 : pat;
    int depth = 0;
    for (const char *p = pat; *p; p++) {
        if (regex && *p == '\\' && p[1]) {
            if (strchr(rule_control_escapes, p[1])) {
                diag_warn(c->d, file, e->line, "pattern '%s' contains \\%c (a control-character "
                          "escape): did you mean '\\.%c'?", pat, p[1], p[1]);
                return;
            }
            p++;
            if ((*p == 'p' || *p == 'P') && p[1] == '{' && strchr(p, '}'))
                p = strchr(p, '}');          /* \p{Lu}: a Unicode property, not a host */
            continue;
        }
        if (!regex && *p == '\\') {
            diag_warn(c->d, file, e->line, "pattern '%s' has a backslash: pattern_type %s takes "
                      "the text literally (no escapes), so it can never match; write '.' not "
                      "'\\.'", pat, r->pattern_type == PATTERN_PREFIX ? "prefix" :
                      r->pattern_type == PATTERN_SUFFIX ? "suffix" : "exact");
            return;
        }
        if (regex && *p == '[')
            depth++;
        else if (regex && *p == ']' && depth > 0)
            depth--;
        else if (p >= host && depth == 0 && *p >= 'A' && *p <= 'Z') {
            diag_warn(c->d, file, e->line, "pattern '%s' has uppercase letters in the host: "
                      "aliases have their host lowercased, so it can never match; write it in "
                      "lowercase", pat);
            return;
        }
    }
}

/* Compile once, anchored at both ends (SPEC §4.1); JIT when the platform has it. Returns the
 * number of capture groups, or -1 after reporting PCRE2's message and offset. */
static int rule_regex_compile(struct ini_ctx *c, const struct ini_entry *e, struct rule *r)
{
    int code;
    PCRE2_SIZE offset;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)r->pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF, &code,
                                   &offset, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        diag_error(c->d, c->sec->file, e->line, "invalid regex '%s': %s at offset %zu",
                   r->pattern, (const char *)msg, (size_t)offset);
        return -1;
    }
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);   /* falls back to the interpreter */
    r->regex = re;
    uint32_t captures = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &captures);
    return (int)captures;
}

/* `\N` in replace must name a group the pattern has. */
static void rule_replace_check(struct ini_ctx *c, const struct rule *r, int captures)
{
    const struct ini_entry *e = ini_section_get(c->sec, "replace");
    if (r->behavior != BEHAVIOR_REPLACE) {
        if (r->replace)
            diag_warn(c->d, c->sec->file, e->line,
                      "replace is ignored unless behavior = replace in [%s]", c->sec->header);
        return;
    }
    if (!r->replace) {
        diag_error(c->d, c->sec->file, e ? e->line : c->sec->line,
                   "behavior = replace needs a non-empty replace in [%s]", c->sec->header);
        return;
    }
    for (const char *p = r->replace; *p; p++) {
        if (*p != '\\' || !p[1])
            continue;
        p++;
        if (*p >= '1' && *p <= '9' && *p - '0' > captures)
            diag_error(c->d, c->sec->file, e->line,
                       "replace uses \\%c but the pattern has %d capture group%s", *p, captures,
                       captures == 1 ? "" : "s");
    }
}

static void rule_pattern_check(struct ini_ctx *c, struct rule *r)
{
    const struct ini_entry *e = ini_section_get(c->sec, "pattern");
    int captures = 0;
    if (r->mode == RULE_MODE_ANY_ALIAS) {
        if (r->pattern)
            diag_warn(c->d, c->sec->file, e->line,
                      "pattern is ignored with mode = any_alias in [%s]", c->sec->header);
        r->pattern = NULL;
    } else if (!r->pattern) {
        if (e)
            ini_value_invalid(c, e, "", "expected a pattern (or mode = any_alias)");
        else
            ini_section_require(c->sec, c->d, "pattern");
        return;
    } else if (r->pattern_type == PATTERN_REGEX) {
        captures = rule_regex_compile(c, e, r);
        if (captures < 0)
            return;
    }
    if (r->pattern)
        rule_pattern_lint(c, e, r);
    rule_replace_check(c, r, captures);
}

/* Cisco: an any_alias rule open to every source and traffic type invites denial of service. */
static void rule_any_alias_check(struct ini_ctx *c, const struct rule *r)
{
    if (r->enabled && r->mode == RULE_MODE_ANY_ALIAS && r->source == RULE_SOURCE_ANY &&
        r->traffic == TRAFFIC_ANY)
        diag_warn(c->d, c->sec->file, c->sec->line,
                  "rule '%s' matches any alias from any source and traffic type: restrict "
                  "its source or traffic (denial-of-service risk)", r->name);
}

static int rule_add(struct dialplan_loader *L, struct rule *r, struct rule_draft **draft)
{
    struct dialplan *dp = L->dp;
    if (dialplan_array_grow(dp->home, &dp->rules, dp->n_rules, &L->cap_rules, sizeof *dp->rules) ||
        dialplan_array_grow(L->scratch, &L->drafts, dp->n_rules, &L->cap_drafts,
                            sizeof *L->drafts))
        return ENOMEM;
    *draft = &L->drafts[dp->n_rules];
    memset(*draft, 0, sizeof **draft);
    (*draft)->rule = r;
    (*draft)->seq = (unsigned)dp->n_rules;
    dp->rules[dp->n_rules++] = r;
    return 0;
}

static bool rule_name_check(struct dialplan_loader *L, const struct ini_section *sec)
{
    if (!sec->name[0]) {
        diag_error(L->d, sec->file, sec->line,
                   "[%s] needs a name, e.g. [rule \"Outbound to Microsoft\"]", sec->header);
        return false;
    }
    for (size_t i = 0; i < L->dp->n_rules; i++) {
        const struct rule *first = L->dp->rules[i];
        if (strcmp(first->name, sec->name) == 0) {
            diag_error(L->d, sec->file, sec->line,
                       "duplicate rule '%s' (first declared at %s:%u)", sec->name, first->file,
                       first->line);
            return false;
        }
    }
    return true;
}

void dialplan_rule_section_load(struct dialplan_loader *L, struct ini_section *sec)
{
    struct dialplan *dp = L->dp;
    if (!rule_name_check(L, sec))
        return;
    struct rule *r = su_zalloc(dp->home, sizeof *r);
    struct rule_build b = { .rule = r };
    if (!r || rule_add(L, r, &b.draft))
        return;
    r->name = su_strdup(dp->home, sec->name);
    r->file = sec->file;
    r->line = sec->line;
    r->source = RULE_SOURCE_ANY;
    r->traffic = TRAFFIC_ANY;
    r->enabled = true;
    struct ini_ctx c = { .home = dp->home, .d = L->d, .sec = sec };
    ini_section_mark_duplicates(sec, L->d);
    ini_section_apply(&c, rule_keys, 0, "", &b);
    ini_section_require(sec, L->d, "priority");
    ini_section_require(sec, L->d, "target");
    rule_pattern_check(&c, r);
    rule_any_alias_check(&c, r);
}

/* Cross-checks, after every file is read -------------------------------------------------- */

/* Zone names are exact; a name that differs only in case is most likely what was meant. */
static void rule_zone_unknown(struct dialplan_loader *L, const struct rule *r, unsigned line,
                              const char *what, const char *name)
{
    const char *near = NULL;
    for (size_t i = 0; i < L->dp->n_zones && !near; i++)
        if (su_casematch(L->dp->zones[i]->name, name))
            near = L->dp->zones[i]->name;
    const char **names = near ? NULL : su_zalloc(L->scratch, L->dp->n_zones * sizeof *names + 1);
    for (size_t i = 0; names && i < L->dp->n_zones; i++)
        names[i] = L->dp->zones[i]->name;
    if (names)
        near = suggest_closest_n(name, names, L->dp->n_zones);
    if (near)
        diag_error(L->d, r->file, line, "unknown %s zone '%s' in rule '%s' (did you mean '%s'?)",
                   what, name, r->name, near);
    else
        diag_error(L->d, r->file, line, "unknown %s zone '%s' in rule '%s'", what, name, r->name);
}

static void rule_target_resolve(struct dialplan_loader *L, const struct rule_draft *dr)
{
    struct rule *r = dr->rule;
    if (!dr->target)
        return;
    const struct zone *z = dialplan_zone_find(L->dp, dr->target);
    if (!z)
        rule_zone_unknown(L, r, dr->target_line, "target", dr->target);
    else if (z->untyped)
        return;   /* its missing or invalid type is the error, reported at the zone */
    else if (z->type == ZONE_DEFAULT)
        diag_error(L->d, r->file, dr->target_line,
                   "target zone '%s' is the default zone, which cannot be a target", z->name);
    else
        r->target = z;
}

static void rule_sources_resolve(struct dialplan_loader *L, const struct rule_draft *dr)
{
    struct rule *r = dr->rule;
    if (r->source != RULE_SOURCE_NAMED)
        return;
    r->sources = su_zalloc(L->dp->home, dr->n_sources * sizeof *r->sources);
    if (!r->sources)
        return;
    for (size_t i = 0; i < dr->n_sources; i++) {
        const struct zone *z = dialplan_zone_find(L->dp, dr->sources[i]);
        if (!z)
            rule_zone_unknown(L, r, dr->source_line, "source", dr->sources[i]);
        else
            r->sources[r->n_sources++] = z;
    }
}

/* The default zone is the Internet: a rule that lets it reach a DNS zone relays anyone's
 * traffic to anywhere. `all_zones` excludes the default zone, as Expressway's "All zones" does. */
static void rule_open_relay_check(struct dialplan_loader *L, const struct rule *r)
{
    if (!r->enabled || !r->target || r->target->type != ZONE_DNS)
        return;
    bool from_default = r->source == RULE_SOURCE_ANY;
    for (size_t i = 0; i < r->n_sources; i++)
        from_default |= r->sources[i]->type == ZONE_DEFAULT;
    if (from_default)
        diag_warn(L->d, r->file, r->line,
                  "rule '%s' lets the default zone reach DNS zone '%s' (an open relay): "
                  "restrict its source", r->name, r->target->name);
}

void dialplan_rules_resolve(struct dialplan_loader *L)
{
    for (size_t i = 0; i < L->dp->n_rules; i++) {
        rule_target_resolve(L, &L->drafts[i]);
        rule_sources_resolve(L, &L->drafts[i]);
        rule_open_relay_check(L, L->drafts[i].rule);
    }
}
