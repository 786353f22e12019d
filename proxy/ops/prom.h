/* prom.h — the Prometheus text exposition format (version 0.0.4): families with HELP and TYPE,
 * samples with escaped labels. Pure. */
#ifndef SIPFED_PROM_H
#define SIPFED_PROM_H

#include <stdint.h>

#include "counter_set.h"
#include "textbuf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum prom_type { PROM_COUNTER, PROM_GAUGE };

/* `# HELP name help` and `# TYPE name counter|gauge`; samples of the family follow. */
void prom_family(struct textbuf *b, const char *name, enum prom_type type, const char *help);
/* One sample. `labels` is NULL or a NULL-terminated list of name, value pairs. */
void prom_sample_u64(struct textbuf *b, const char *name, const char *const *labels, uint64_t v);
void prom_sample_f(struct textbuf *b, const char *name, const char *const *labels, double v);
/* A family of one sample without labels: `# HELP`, `# TYPE` and `name value`. */
void prom_scalar(struct textbuf *b, const char *name, enum prom_type type, const char *help,
                 uint64_t v);
/* A whole family from a counter set whose label names are `label_names` (as many as the set
 * has values). An empty set writes the header only. */
void prom_counter_set(struct textbuf *b, const char *name, const char *help,
                      const char *const *label_names, const struct counter_set *cs);

#endif
