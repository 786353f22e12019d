/* diag.h — collected configuration diagnostics, each `file:line: message` (STYLE habit 5). */
#ifndef SIPFED_DIAG_H
#define SIPFED_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sofia-sip/su_alloc.h>

struct diag_entry {
    bool is_error;       /* false: a warning */
    const char *file;
    unsigned line;       /* 0: the whole file */
    const char *msg;
};

struct diag;

/* A new, empty collector allocated from (and freed with) `home`. */
struct diag *diag_new(su_home_t *home);
void diag_error(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void diag_warn(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
size_t diag_error_count(const struct diag *d);
size_t diag_count(const struct diag *d);
/* The i-th entry in the order reported. */
const struct diag_entry *diag_get(const struct diag *d, size_t i);
/* Format one entry: `file:line: message` or `file:line: warning: message`. */
int diag_format(const struct diag_entry *e, char *buf, size_t size);
/* Print every entry, one per line. */
void diag_print(const struct diag *d, FILE *out);
/* Every entry on stderr, one line each, through log_text(): under the systemd journal an error
 * carries priority <3> and a warning <4> (`sipfed check` as ExecStartPre, `run` at start-up). */
void diag_report(const struct diag *d);

#endif
