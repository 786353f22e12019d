/* cases.h — routing cases, the `.cases` files of `rules/` (SPEC §3.3): parsing a line, formatting a decision
 * the way a case writes its expectation, comparing the two, and running a whole file. */
#ifndef SIPFED_CASES_H
#define SIPFED_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sofia-sip/su_alloc.h>

#include "decide.h"
#include "dialplan.h"

/* One case: `SOURCE METHOD ALIAS [auth] [from=URI] [header=Name:value]... -> EXPECT`. */
struct routing_case {
    unsigned line;
    const char *source;          /* zone name; `default` also names the default zone */
    const char *method;
    const char *alias;
    bool authenticated;          /* `auth` given */
    const char *from;            /* `from=URI` (user@domain or sip:...), or NULL */
    const char **headers;        /* "Name:value" as written */
    size_t n_headers;
    const char *expect;          /* a status (`404`) or targets (`A+B,C`, `Z=alias`) */
};

enum case_parse_result { CASE_PARSED = 0, CASE_EMPTY = 1, CASE_MALFORMED = -1 };

/* Parse one line (without its newline). Blank lines and `#` comments (a whole line, or after
 * whitespace) give CASE_EMPTY. A token may be double-quoted to hold spaces
 * (`header="User-Agent: UCCAPI/16.0 OC/16.0"`). On CASE_MALFORMED `err` says why. Strings are
 * allocated from `home`. */
enum case_parse_result case_parse_line(su_home_t *home, const char *line, struct routing_case *c,
                                       char *err, size_t err_size);

/* The decision as a case writes it: the status (`404`), or the targets in search order, one
 * level's parallel targets joined by `+`, levels by `,`, and `ZONE=ALIAS` for a target whose
 * alias differs from the request's. NULL on ENOMEM. */
char *case_format_decision(su_home_t *home, const struct decision *d);

/* Does `got` (from case_format_decision) satisfy `expect`? Levels compare in order; the
 * targets of one level as a set (they are tried in parallel). `zones` (n_zones names) tell
 * where a `+` or `,` inside an alias is a separator: only before a zone name. */
bool case_expect_matches(const char *expect, const char *got, const char *const *zones,
                         size_t n_zones);

/* Check that `expect` is well-formed: a status 100..699, or targets naming known zones.
 * Returns 0, or EINVAL with the reason in `err`. */
int case_expect_validate(const char *expect, const char *const *zones, size_t n_zones,
                         char *err, size_t err_size);

/* Run every case of `path` against `dp`: each failure or malformed line is printed to `out` as
 * `file:line: message`. Sets *n_run and *n_failed (malformed lines count as failed). Returns 0,
 * or errno when the file cannot be read (reported to `out` too). */
int cases_run_file(const char *path, const struct dialplan *dp, FILE *out, size_t *n_run,
                   size_t *n_failed);
/* The same over an open stream (read to its end, not closed), shown as `path` in messages: the
 * fuzzer (tests/fuzz/fuzz_cases.c) feeds it from memory. Returns 0, ENOMEM, or the errno of a
 * read error. */
int cases_run_stream(FILE *f, const char *path, const struct dialplan *dp, FILE *out,
                     size_t *n_run, size_t *n_failed);

#endif
