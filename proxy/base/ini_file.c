/* ini_file.c — inih's ini_parse_stream() fed by our own line reader, so that every key, header
 * and syntax error carries its exact line number (Debian's inih handler has no lineno), and so
 * that every syntax error is reported, not only the first one inih returns. */
#include "ini_file.h"
#include "suggest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>
#include <sofia-sip/su_string.h>

/* The longest line of a node or dial-plan file, its line end included. */
enum { INI_LINE_MAX = 16384 };

struct ini_reader {
    FILE *fp;
    const char *display;
    struct diag *d;
    ini_section_f *fn;
    void *user;
    su_home_t *scratch;          /* the current section's strings */
    char *buf;                   /* getline() buffer */
    size_t cap;
    unsigned lineno;             /* the line last handed to inih */
    bool expect_key;             /* that line must reach the handler as key = value */
    bool key_seen;               /* ... and it did */
    bool continued;              /* that line continues the previous key (indented) */
    bool ignored;                /* that line was reported: inih's call for it is ignored */
    bool have_prev_key;          /* inih's prev_name: a key line since the last header */
    bool skipping;               /* after a broken header: ignore keys until the next one */
    struct ini_section *sec;     /* being collected; NULL before the first header */
    size_t cap_entries;
};

static char *ini_text_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static void ini_section_finish(struct ini_reader *r)
{
    if (r->sec)
        r->fn(r->user, r->sec);
    r->sec = NULL;
    r->cap_entries = 0;
    su_home_unref(r->scratch);
    r->scratch = su_home_new(sizeof *r->scratch);
}

/* `kind name` or `kind "quoted name"`. */
static void ini_section_split(struct ini_reader *r, struct ini_section *sec, char *header)
{
    char *sp = header;
    while (*sp && !isspace((unsigned char)*sp))
        sp++;
    char *rest = ini_text_trim(sp);
    sec->kind = su_strndup(r->scratch, header, (isize_t)(sp - header));
    size_t n = strlen(rest);
    if (n && rest[0] == '"') {
        if (n >= 2 && rest[n - 1] == '"')
            rest = su_strndup(r->scratch, rest + 1, (isize_t)(n - 2));
        else
            diag_error(r->d, r->display, r->lineno, "unterminated quote in section header [%s]",
                       header);
    }
    sec->name = su_strdup(r->scratch, rest);
}

static void ini_section_start(struct ini_reader *r, const char *text, size_t len)
{
    ini_section_finish(r);
    char *copy = su_strndup(r->scratch, text, (isize_t)len);
    struct ini_section *sec = su_zalloc(r->scratch, sizeof *sec);
    if (!sec || !copy)
        return;
    char *header = ini_text_trim(copy);
    sec->file = r->display;
    sec->line = r->lineno;
    sec->header = header;
    ini_section_split(r, sec, su_strdup(r->scratch, header));
    r->sec = sec;
}

/* A header line: `[text]` (anything after the ']' is ignored, as inih does). */
static void ini_line_header(struct ini_reader *r, const char *p)
{
    const char *close = strchr(p, ']');
    r->have_prev_key = false;
    if (!close) {
        diag_error(r->d, r->display, r->lineno, "malformed section header: missing ']'");
        ini_section_finish(r);
        r->skipping = true;
        return;
    }
    r->skipping = false;
    ini_section_start(r, p + 1, (size_t)(close - p - 1));
}

/* Does `p` read `identifier =` (a key line, whatever its indentation)? */
static bool ini_line_is_key(const char *p)
{
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '-')
        n++;
    while (n > 0 && (p[n] == ' ' || p[n] == '\t'))
        n++;
    return n > 0 && p[n] == '=';
}

/* Classify the raw line before inih sees it, in inih's order: comment, continuation (an indented
 * line after a key), header, key. */
static void ini_line_classify(struct ini_reader *r, const char *line)
{
    const char *p = line;
    if (r->lineno == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    const char *start = p;
    while (isspace((unsigned char)*p))
        p++;
    r->expect_key = false;
    r->key_seen = false;
    r->continued = false;
    r->ignored = false;
    if (*p == '\0' || *p == ';' || *p == '#')
        return;
    if (p != start && r->have_prev_key) {
        r->expect_key = true;
        r->continued = true;
        if (*p == '[') {
            diag_error(r->d, r->display, r->lineno,
                       "indented section header: remove the indentation");
            r->ignored = true;
        } else if (ini_line_is_key(p)) {
            /* `  peers = x` under `target = y` would otherwise be read as a second value of
             * target, and reported as such: say what it looks like instead. */
            const char *prev = r->sec && r->sec->n_entries
                                   ? r->sec->entries[r->sec->n_entries - 1].key : "?";
            diag_error(r->d, r->display, r->lineno,
                       "indented line '%.*s = ...' would continue the value of '%s': remove "
                       "the indentation to make it a key", (int)strcspn(p, " \t="), p, prev);
            r->ignored = true;
        }
        return;
    }
    if (*p == '[') {
        ini_line_header(r, p);
        return;
    }
    r->expect_key = true;
}

/* Called before each new line and at the end: a key line inih did not accept. */
static void ini_line_check(struct ini_reader *r)
{
    if (r->expect_key && !r->key_seen)
        diag_error(r->d, r->display, r->lineno,
                   "expected 'key = value', a [section] header or a comment");
    r->expect_key = false;
}

/* inih's reader: one whole line per call, so that lineno counts lines, not buffers. */
static char *ini_reader_line(char *str, int num, void *stream)
{
    struct ini_reader *r = stream;
    ini_line_check(r);
    ssize_t len = getline(&r->buf, &r->cap, r->fp);
    if (len < 0)
        return NULL;
    r->lineno++;
    if (len + 1 > num) {
        diag_error(r->d, r->display, r->lineno, "line too long (at most %d characters): "
                   "split a list over indented lines",
                   num - 2);
        r->expect_key = false;
        snprintf(str, (size_t)num, "\n");
        return str;
    }
    ini_line_classify(r, r->buf);
    memcpy(str, r->buf, (size_t)len + 1);
    return str;
}

static void ini_entry_continue(struct ini_reader *r, const char *value)
{
    struct ini_entry *e = &r->sec->entries[r->sec->n_entries - 1];
    e->value = su_sprintf(r->scratch, "%s\n%s", e->value, value);
    if (!e->cont_line)
        e->cont_line = r->lineno;
}

static void ini_entry_add(struct ini_reader *r, const char *name, const char *value)
{
    struct ini_section *sec = r->sec;
    if (sec->n_entries == r->cap_entries) {
        size_t cap = r->cap_entries ? 2 * r->cap_entries : 8;
        struct ini_entry *v = su_realloc(r->scratch, sec->entries, cap * sizeof *v);
        if (!v)
            return;
        sec->entries = v;
        r->cap_entries = cap;
    }
    struct ini_entry *e = &sec->entries[sec->n_entries++];
    memset(e, 0, sizeof *e);
    e->key = su_strdup(r->scratch, name);
    e->value = su_strdup(r->scratch, value);
    e->line = r->lineno;
}

static int ini_handler_key(void *user, const char *section, const char *name, const char *value)
{
    struct ini_reader *r = user;
    (void)section;   /* inih truncates long headers: ours come from the reader */
    r->key_seen = true;
    bool continued = r->continued;
    r->have_prev_key = true;
    if (r->skipping || r->ignored)
        return 1;
    if (!r->sec) {
        diag_error(r->d, r->display, r->lineno, "key '%s' is outside any [section]", name);
        return 1;
    }
    if (continued && r->sec->n_entries)
        ini_entry_continue(r, value);
    else
        ini_entry_add(r, name, value);
    return 1;
}

int ini_file_parse(const char *path, const char *display, struct diag *d,
                   ini_section_f *fn, void *user)
{
    struct ini_reader r = { .display = display, .d = d, .fn = fn, .user = user };
    int err = 0;
    r.fp = fopen(path, "r");
    if (!r.fp) {
        err = errno;
        diag_error(d, display, 0, "cannot open: %s", strerror(err));
        return err;
    }
    r.scratch = su_home_new(sizeof *r.scratch);
    /* Debian's libinih reads its line limit at run time (ini.h: ini_use_stack, ini_max_line):
     * a heap buffer of INI_LINE_MAX bytes instead of 200 on the stack, so that a dial-plan
     * pattern listing twenty partner domains (about 2 000 characters) fits on one line. The
     * same values every time: setting them is idempotent. */
    ini_use_stack = false;
    ini_allow_realloc = false;
    ini_initial_alloc = INI_LINE_MAX;
    ini_max_line = INI_LINE_MAX;
    ini_parse_stream(ini_reader_line, &r, ini_handler_key, &r);
    ini_line_check(&r);
    if (ferror(r.fp)) {
        err = EIO;
        diag_error(d, display, r.lineno + 1, "read error");
    }
    ini_section_finish(&r);
    su_home_unref(r.scratch);
    free(r.buf);
    fclose(r.fp);
    return err;
}

void ini_section_mark_duplicates(struct ini_section *sec, struct diag *d)
{
    for (size_t i = 1; i < sec->n_entries; i++) {
        struct ini_entry *e = &sec->entries[i];
        for (size_t j = 0; j < i; j++) {
            const struct ini_entry *first = &sec->entries[j];
            if (first->dup || strcmp(first->key, e->key) != 0)
                continue;
            diag_error(d, sec->file, e->line, "duplicate key '%s' in [%s] (first at line %u)",
                       e->key, sec->header, first->line);
            e->dup = true;
            break;
        }
    }
}

const struct ini_entry *ini_section_get(const struct ini_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->n_entries; i++)
        if (!sec->entries[i].dup && strcmp(sec->entries[i].key, key) == 0)
            return &sec->entries[i];
    return NULL;
}

bool ini_section_require(const struct ini_section *sec, struct diag *d, const char *key)
{
    if (ini_section_get(sec, key))
        return true;
    /* A misspelt key (`patern`) was reported as unknown at its line: report the missing one
     * right after it, where the reader is looking, rather than before it at the header. */
    const char *want[] = { key, NULL };
    for (size_t i = 0; i < sec->n_entries; i++) {
        if (!sec->entries[i].dup && suggest_closest(sec->entries[i].key, want) != NULL) {
            diag_error(d, sec->file, sec->entries[i].line, "missing required key '%s' in [%s]",
                       key, sec->header);
            return false;
        }
    }
    diag_error(d, sec->file, sec->line, "missing required key '%s' in [%s]", key, sec->header);
    return false;
}

struct ini_diag_key {
    size_t file;                 /* 0: not one of the files; else 1 + its index */
    unsigned line;
    size_t i;                    /* order reported */
};

static int ini_diag_key_compare(const void *a, const void *b)
{
    const struct ini_diag_key *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void ini_diag_append_sorted(struct diag *dst, const struct diag *src, const char *const *files,
                            size_t n_files)
{
    size_t n = diag_count(src);
    struct ini_diag_key *keys = calloc(n ? n : 1, sizeof *keys);
    for (size_t i = 0; i < n && keys; i++) {
        const struct diag_entry *e = diag_get(src, i);
        keys[i].i = i;
        keys[i].line = e->line;
        for (size_t f = 0; f < n_files && !keys[i].file; f++)
            if (strcmp(files[f], e->file) == 0)
                keys[i].file = f + 1;
    }
    if (keys)
        qsort(keys, n, sizeof *keys, ini_diag_key_compare);
    for (size_t k = 0; k < n; k++) {
        const struct diag_entry *e = diag_get(src, keys ? keys[k].i : k);
        if (e->is_error)
            diag_error(dst, e->file, e->line, "%s", e->msg);
        else
            diag_warn(dst, e->file, e->line, "%s", e->msg);
    }
    free(keys);
}
