/* cases.c — routing-case lines (SPEC §3.3): parse, format a decision, compare. Pure. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"

static enum case_parse_result case_fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum case_parse_result case_fail(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err != NULL && err_size > 0)
        vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return CASE_MALFORMED;
}

/* Split `line` into whitespace-separated tokens; "..." keeps spaces (quotes removed); a `#`
 * at the start of a token begins a comment. Returns the count, or -1 on an unclosed quote. */
static int case_tokenize(su_home_t *home, const char *line, char **tok, int max)
{
    int n = 0;
    const char *p = line;
    char *buf = su_alloc(home, strlen(line) + 1);
    if (buf == NULL)
        return -1;
    char *o = buf;

    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#' || n == max)
            break;
        tok[n++] = o;
        while (*p != '\0' && !isspace((unsigned char)*p)) {
            if (*p == '"') {
                const char *close = strchr(p + 1, '"');
                if (close == NULL)
                    return -1;
                memcpy(o, p + 1, (size_t)(close - p - 1));
                o += close - p - 1;
                p = close + 1;
            } else {
                *o++ = *p++;
            }
        }
        *o++ = '\0';
    }
    return n;
}

#define CASE_MAX_TOKENS 64

enum case_parse_result case_parse_line(su_home_t *home, const char *line, struct routing_case *c,
                                       char *err, size_t err_size)
{
    char *tok[CASE_MAX_TOKENS];
    int n = case_tokenize(home, line, tok, CASE_MAX_TOKENS);
    unsigned lineno = c->line;

    memset(c, 0, sizeof *c);
    c->line = lineno;
    if (n < 0)
        return case_fail(err, err_size, "unclosed quote");
    if (n == 0)
        return CASE_EMPTY;
    if (n == CASE_MAX_TOKENS)
        return case_fail(err, err_size, "too many fields");

    int arrow = -1;
    for (int i = 0; i < n && arrow < 0; i++)
        if (strcmp(tok[i], "->") == 0)
            arrow = i;
    if (arrow < 0)
        return case_fail(err, err_size, "missing '-> EXPECT'");
    if (arrow < 3)
        return case_fail(err, err_size,
                         "expected 'SOURCE METHOD ALIAS [auth] [from=URI] [header=Name:value]... -> EXPECT'");
    if (arrow == n - 1)
        return case_fail(err, err_size, "missing expectation after '->'");
    if (arrow < n - 2)
        return case_fail(err, err_size, "unexpected '%s' after the expectation", tok[arrow + 2]);

    c->source = tok[0];
    c->method = tok[1];
    c->alias = tok[2];
    c->expect = tok[arrow + 1];
    c->headers = su_zalloc(home, (size_t)n * sizeof *c->headers);
    if (c->headers == NULL)
        return case_fail(err, err_size, "out of memory");
    for (int i = 3; i < arrow; i++) {
        if (strcmp(tok[i], "auth") == 0) {
            c->authenticated = true;
        } else if (strncmp(tok[i], "from=", 5) == 0) {
            if (tok[i][5] == '\0')
                return case_fail(err, err_size, "empty from= (expected from=user@domain)");
            c->from = tok[i] + 5;
        } else if (strncmp(tok[i], "header=", 7) == 0) {
            const char *h = tok[i] + 7;
            const char *colon = strchr(h, ':');
            if (colon == NULL || colon == h)
                return case_fail(err, err_size, "bad '%s': expected header=Name:value", tok[i]);
            c->headers[c->n_headers++] = h;
        } else {
            return case_fail(err, err_size,
                             "unknown field '%s' (expected auth, from=URI or header=Name:value)",
                             tok[i]);
        }
    }
    return CASE_PARSED;
}

char *case_format_decision(su_home_t *home, const struct decision *d)
{
    if (d->status != 0 || d->search.n_levels == 0)
        return su_sprintf(home, "%d", d->status ? d->status : 404);

    char *s = su_strdup(home, "");
    for (size_t i = 0; s && i < d->search.n_levels; i++) {
        const struct search_level *lv = &d->search.levels[i];
        for (size_t j = 0; s && j < lv->n_targets; j++) {
            const struct search_target *t = &lv->targets[j];
            bool rewritten = strcmp(t->alias, d->alias) != 0;
            s = su_sprintf(home, "%s%s%s%s%s", s, j ? "+" : (i ? "," : ""), t->zone->name,
                           rewritten ? "=" : "", rewritten ? t->alias : "");
        }
    }
    return s;
}

/* Length of the zone name `s` starts with (followed by '=', '+', ',' or the end), or 0. */
static size_t case_zone_at(const char *s, const char *const *zones, size_t n_zones)
{
    size_t best = 0;
    for (size_t i = 0; i < n_zones; i++) {
        size_t len = strlen(zones[i]);
        if (strncmp(s, zones[i], len) == 0 && strchr("=+,", s[len]) != NULL && len > best)
            best = len;
    }
    return best;
}

/* Targets split into levels; a `+` or `,` separates only where a zone name follows. */
struct case_levels {
    char ***levels;              /* levels[i][j]: target text, NULL-terminated per level */
    size_t n_levels;
};

static int case_levels_parse(su_home_t *home, const char *s, const char *const *zones,
                             size_t n_zones, struct case_levels *out)
{
    size_t len = strlen(s);
    char *copy = su_strdup(home, s);
    out->levels = su_zalloc(home, (len + 2) * sizeof *out->levels);
    out->n_levels = 0;
    if (copy == NULL || out->levels == NULL)
        return ENOMEM;
    if (case_zone_at(copy, zones, n_zones) == 0)
        return EINVAL;

    char **level = NULL;
    size_t n_targets = 0;
    char *start = copy;
    for (size_t i = 0; i <= len; i++) {
        char ch = copy[i];
        bool sep = ch == '\0' ||
                   ((ch == '+' || ch == ',') && case_zone_at(copy + i + 1, zones, n_zones) > 0);
        if (!sep)
            continue;
        if (level == NULL) {
            level = su_zalloc(home, (len + 2) * sizeof *level);
            if (level == NULL)
                return ENOMEM;
            out->levels[out->n_levels++] = level;
            n_targets = 0;
        }
        copy[i] = '\0';
        level[n_targets++] = start;
        start = copy + i + 1;
        if (ch == ',')
            level = NULL;
    }
    return 0;
}

static int case_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool case_is_status(const char *s)
{
    return strlen(s) == 3 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
           isdigit((unsigned char)s[2]) && s[0] >= '1' && s[0] <= '6';
}

bool case_expect_matches(const char *expect, const char *got, const char *const *zones,
                         size_t n_zones)
{
    if (strcmp(expect, got) == 0)
        return true;
    if (case_is_status(expect) || case_is_status(got))
        return false;

    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct case_levels e, g;
    bool same = case_levels_parse(home, expect, zones, n_zones, &e) == 0 &&
                case_levels_parse(home, got, zones, n_zones, &g) == 0 &&
                e.n_levels == g.n_levels;
    for (size_t i = 0; same && i < e.n_levels; i++) {
        size_t ne = 0, ng = 0;
        while (e.levels[i][ne])
            ne++;
        while (g.levels[i][ng])
            ng++;
        if (ne != ng) {
            same = false;
            break;
        }
        qsort(e.levels[i], ne, sizeof *e.levels[i], case_strcmp);
        qsort(g.levels[i], ng, sizeof *g.levels[i], case_strcmp);
        for (size_t j = 0; same && j < ne; j++)
            same = strcmp(e.levels[i][j], g.levels[i][j]) == 0;
    }
    su_home_deinit(home);
    return same;
}

int case_expect_validate(const char *expect, const char *const *zones, size_t n_zones,
                         char *err, size_t err_size)
{
    if (case_is_status(expect))
        return 0;
    if (isdigit((unsigned char)expect[0])) {
        case_fail(err, err_size, "bad status '%s' (expected 100..699)", expect);
        return EINVAL;
    }
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct case_levels lv;
    int rc = case_levels_parse(home, expect, zones, n_zones, &lv);
    if (rc == EINVAL) {
        size_t n = strcspn(expect, "=+,");
        case_fail(err, err_size, "unknown zone '%.*s' in the expectation", (int)n, expect);
    }
    for (size_t i = 0; rc == 0 && i < lv.n_levels; i++)
        for (size_t j = 0; rc == 0 && lv.levels[i][j]; j++) {
            const char *t = lv.levels[i][j];
            size_t zl = case_zone_at(t, zones, n_zones);
            if (t[zl] == '=' && t[zl + 1] == '\0') {
                case_fail(err, err_size, "empty alias in '%s'", t);
                rc = EINVAL;
            } else if (t[zl] != '=' && t[zl] != '\0') {
                case_fail(err, err_size, "bad target '%s' (expected ZONE or ZONE=ALIAS)", t);
                rc = EINVAL;
            }
        }
    su_home_deinit(home);
    return rc;
}
