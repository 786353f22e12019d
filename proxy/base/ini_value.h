/* ini_value.h — value parsers shared by the node-file and dial-plan loaders: switches, numbers,
 * enum words, comma lists, host[:port], paths; and key tables that dispatch a section's entries.
 * Every parser reports a bad value to the diagnostics as `file:line: message` and returns
 * EINVAL (0 on success), leaving *out untouched on error. */
#ifndef SIPFED_INI_VALUE_H
#define SIPFED_INI_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "diag.h"
#include "ini_file.h"
#include "types.h"

struct ini_ctx {
    su_home_t *home;                 /* kept values are copied here */
    struct diag *d;
    const struct ini_section *sec;   /* the section being applied */
};

struct ini_word {
    const char *word;
    int value;
};

/* One key of a section: `variants` is the bit set (1u << variant) of the section variants that
 * accept it (e.g. zone types), 0 for every variant. */
struct ini_key {
    const char *name;
    unsigned variants;
    int (*apply)(struct ini_ctx *c, const struct ini_entry *e, void *obj);
};

/* Apply every non-duplicate entry of c->sec through `keys` (terminated by a NULL name) to `obj`.
 * Reports `unknown key 'x' in [hdr]`, and `key 'x' is not valid in [hdr] (variant_desc)` for a
 * known key that `variant` does not accept (not checked when variant_desc is NULL). With `obj`
 * NULL only unknown keys are reported (the section is too broken to apply, e.g. no zone type). */
void ini_section_apply(struct ini_ctx *c, const struct ini_key *keys, unsigned variant,
                       const char *variant_desc, void *obj);

/* `invalid value 'item' for 'key' (why)` at the entry's line. Always returns EINVAL. */
int ini_value_invalid(struct ini_ctx *c, const struct ini_entry *e, const char *item,
                      const char *why);

/* A single-line value copied to c->home; NULL when empty. */
int ini_value_text(struct ini_ctx *c, const struct ini_entry *e, char **out);
/* yes|no|on|off|true|false (any case). */
int ini_value_switch(struct ini_ctx *c, const struct ini_entry *e, bool *out);
/* A decimal number in min..max. */
int ini_value_uint(struct ini_ctx *c, const struct ini_entry *e, unsigned min, unsigned max,
                   unsigned *out);
/* One of `words` (terminated by a NULL word), exact case. */
int ini_value_word(struct ini_ctx *c, const struct ini_entry *e, const struct ini_word *words,
                   int *out);
/* tls|tcp|udp. */
int ini_value_transport(struct ini_ctx *c, const struct ini_entry *e, enum sip_transport *out);
/* Items separated by commas or continuation lines, trimmed, empty items skipped, copied to
 * c->home; *out is NULL-terminated (NULL and *n == 0 when the value is empty). */
int ini_value_list(struct ini_ctx *c, const struct ini_entry *e, char ***out, size_t *n);
/* A list (as ini_value_list) of exact domain names: no patterns, no IP literals; lowercased. */
int ini_value_domains(struct ini_ctx *c, const struct ini_entry *e, char ***out, size_t *n);
/* A path: absolute as written, else joined to `base_dir`; NULL when empty. */
int ini_value_path(struct ini_ctx *c, const struct ini_entry *e, const char *base_dir,
                   char **out);

/* The absolute directory of `path` (a file), from `home`. */
char *ini_path_dir(su_home_t *home, const char *path);
/* `path` relative to the working directory when it lies below it (for diagnostics), from `home`. */
char *ini_path_display(su_home_t *home, const char *path);

/* Parse `host[:port]`, `[v6]` or `[v6]:port` (a port is required when `need_port`). On success
 * returns NULL and sets *host (lowercased, no brackets, from `home`) and *port (0 if absent);
 * else returns why the text is not valid. */
const char *ini_hostport_parse(su_home_t *home, const char *text, bool need_port, char **host,
                               uint16_t *port);
/* A DNS name or IPv4 literal: letters, digits, '-', '_' and dots, no empty label. */
bool ini_text_is_hostname(const char *s);
/* An IPv4 or IPv6 literal. */
bool ini_text_is_ip(const char *s);
/* 127.0.0.0/8, ::1 or "localhost". */
bool ini_text_is_loopback(const char *s);
/* A lowercased copy from `home`. */
char *ini_text_lower(su_home_t *home, const char *s);

#endif
