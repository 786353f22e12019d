/* prom.c — Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). */
#include "prom.h"

#include <math.h>

void prom_family(struct textbuf *b, const char *name, enum prom_type type, const char *help)
{
    /* HELP text escapes only \ and newline; ours are constants without either. */
    textbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                   type == PROM_COUNTER ? "counter" : "gauge");
}

static void sample_start(struct textbuf *b, const char *name, const char *const *labels)
{
    textbuf_add(b, name);
    if (!labels || !labels[0])
        return;
    textbuf_add(b, "{");
    for (size_t i = 0; labels[i] && labels[i + 1]; i += 2) {
        textbuf_printf(b, "%s%s=\"", i ? "," : "", labels[i]);
        textbuf_prom_label(b, labels[i + 1]);
        textbuf_add(b, "\"");
    }
    textbuf_add(b, "}");
}

void prom_sample_u64(struct textbuf *b, const char *name, const char *const *labels, uint64_t v)
{
    sample_start(b, name, labels);
    textbuf_printf(b, " %llu\n", (unsigned long long)v);
}

void prom_sample_f(struct textbuf *b, const char *name, const char *const *labels, double v)
{
    sample_start(b, name, labels);
    if (isnan(v))
        textbuf_add(b, " NaN\n");
    else
        textbuf_printf(b, " %.17g\n", v);
}

void prom_scalar(struct textbuf *b, const char *name, enum prom_type type, const char *help,
                 uint64_t v)
{
    prom_family(b, name, type, help);
    prom_sample_u64(b, name, NULL, v);
}

/* Label pairs for a counter set have room for this many labels. */
enum { PROM_SET_LABELS_MAX = 8 };

void prom_counter_set(struct textbuf *b, const char *name, const char *help,
                      const char *const *label_names, const struct counter_set *cs)
{
    const char *pairs[2 * PROM_SET_LABELS_MAX + 1];
    const char *const *values;
    uint64_t v;
    size_t n = 0;

    while (label_names[n] && n < PROM_SET_LABELS_MAX)
        n++;
    prom_family(b, name, PROM_COUNTER, help);
    for (size_t i = 0; (values = counter_set_series(cs, i, &v)) != NULL; i++) {
        for (size_t k = 0; k < n; k++) {
            pairs[2 * k] = label_names[k];
            pairs[2 * k + 1] = values[k];
        }
        pairs[2 * n] = NULL;
        prom_sample_u64(b, name, pairs, v);
    }
}
