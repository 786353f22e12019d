/* diag.c — a growable list of config errors and warnings owned by an su_home. */
#include "diag.h"

#include <stdarg.h>
#include <string.h>

#include <sofia-sip/su_string.h>

#include "log.h"

struct diag {
    su_home_t *home;
    struct diag_entry *v;
    size_t n, cap, errors;
};

struct diag *diag_new(su_home_t *home)
{
    struct diag *d = su_zalloc(home, sizeof *d);
    if (d)
        d->home = home;
    return d;
}

static void diag_add(struct diag *d, bool is_error, const char *file, unsigned line,
                     const char *fmt, va_list ap)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        struct diag_entry *v = su_realloc(d->home, d->v, cap * sizeof *v);
        if (!v)
            return;
        d->v = v;
        d->cap = cap;
    }
    struct diag_entry *e = &d->v[d->n++];
    e->is_error = is_error;
    e->file = su_strdup(d->home, file ? file : "-");
    e->line = line;
    e->msg = su_vsprintf(d->home, fmt, ap);
    if (is_error)
        d->errors++;
}

void diag_error(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, true, file, line, fmt, ap);
    va_end(ap);
}

void diag_warn(struct diag *d, const char *file, unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_add(d, false, file, line, fmt, ap);
    va_end(ap);
}

size_t diag_error_count(const struct diag *d) { return d->errors; }
size_t diag_count(const struct diag *d) { return d->n; }

const struct diag_entry *diag_get(const struct diag *d, size_t i)
{
    return i < d->n ? &d->v[i] : NULL;
}

int diag_format(const struct diag_entry *e, char *buf, size_t size)
{
    const char *kind = e->is_error ? "" : "warning: ";
    if (e->line)
        return snprintf(buf, size, "%s:%u: %s%s", e->file, e->line, kind, e->msg);
    return snprintf(buf, size, "%s: %s%s", e->file, kind, e->msg);
}

void diag_print(const struct diag *d, FILE *out)
{
    char buf[1024];
    for (size_t i = 0; i < d->n; i++) {
        diag_format(&d->v[i], buf, sizeof buf);
        fprintf(out, "%s\n", buf);
    }
}

void diag_report(const struct diag *d)
{
    char buf[1024];
    for (size_t i = 0; i < d->n; i++) {
        diag_format(&d->v[i], buf, sizeof buf);
        log_text(d->v[i].is_error ? LOG_LVL_ERROR : LOG_LVL_WARN, "%s", buf);
    }
}
