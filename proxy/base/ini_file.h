/* ini_file.h — one INI file read with inih, section by section, with exact line numbers.
 * Shared by the node-file loader (config.c) and the dial-plan loader (dialplan.c). */
#ifndef SIPFED_INI_FILE_H
#define SIPFED_INI_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

#include "diag.h"

struct ini_entry {
    const char *key;
    char *value;             /* continuation lines are appended after a '\n' */
    unsigned line;
    unsigned cont_line;      /* first indented continuation line, 0 if none */
    bool dup;                /* a later duplicate of an earlier key (already reported) */
};

struct ini_section {
    const char *file;        /* display name of the file, for diagnostics */
    unsigned line;           /* line of the [header] */
    const char *header;      /* text between the brackets, trimmed: `rule "Outbound"` */
    const char *kind;        /* its first word: `rule` */
    const char *name;        /* the rest, trimmed, quotes removed: `Outbound`; "" if none */
    struct ini_entry *entries;   /* in file order */
    size_t n_entries;
};

/* Called once per complete section, in file order. The section and its strings live only for
 * the call: copy what is kept. */
typedef void ini_section_f(void *user, struct ini_section *sec);

/* Parse `path` (shown as `display` in diagnostics). Syntax errors (a line that is neither a
 * header, a key = value nor a comment; an unclosed header; a key before any header; a line
 * longer than inih accepts) go to `d` and parsing goes on. Returns 0, or the errno of a file
 * that cannot be opened or read (also reported to `d`). */
int ini_file_parse(const char *path, const char *display, struct diag *d,
                   ini_section_f *fn, void *user);

/* Report every key given twice in `sec` (`duplicate key 'x' in [hdr] (first at line N)`) and
 * mark the later ones `dup`. */
void ini_section_mark_duplicates(struct ini_section *sec, struct diag *d);

/* The first (non-duplicate) entry for `key`, or NULL. */
const struct ini_entry *ini_section_get(const struct ini_section *sec, const char *key);

/* Report `missing required key 'x' in [hdr]` at the header's line when `key` is absent.
 * Returns true when present. */
bool ini_section_require(const struct ini_section *sec, struct diag *d, const char *key);

/* Append every entry of `src` to `dst` in reading order: by file (in the order of `files`; other
 * names, such as a directory, first) then by line; entries of one line keep their order. The
 * loaders collect in `src` because cross-checks report after the sections they refer to. */
void ini_diag_append_sorted(struct diag *dst, const struct diag *src, const char *const *files,
                            size_t n_files);

#endif
