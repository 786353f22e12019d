/* counter_set.c — labelled counters: series in an array, found through an open-addressing
 * index on a hash of their label values (a few hundred series at most). */
#include "counter_set.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct series {
    char **values;
    uint64_t value;
    uint32_t hash;
};

struct counter_set {
    su_home_t *home;
    size_t n_labels, max, n;
    struct series *series;
    size_t *index;            /* slot -> series number + 1; 0: empty */
    size_t index_mask;
    uint64_t overflow;
};

int counter_set_create(su_home_t *home, size_t n_labels, size_t max_series,
                       struct counter_set **out)
{
    struct counter_set *cs = su_zalloc(home, sizeof *cs);
    size_t slots = 16;

    *out = NULL;
    while (slots < 2 * max_series)
        slots *= 2;
    if (!cs)
        return ENOMEM;
    cs->home = home;
    cs->n_labels = n_labels;
    cs->max = max_series;
    cs->series = su_zalloc(home, max_series * sizeof *cs->series);
    cs->index = su_zalloc(home, slots * sizeof *cs->index);
    cs->index_mask = slots - 1;
    if (!cs->series || !cs->index)
        return ENOMEM;
    *out = cs;
    return 0;
}

static uint32_t values_hash(const struct counter_set *cs, const char *const *values)
{
    uint32_t h = 2166136261u;   /* FNV-1a over the values, each with its terminating NUL */
    for (size_t i = 0; i < cs->n_labels; i++) {
        const char *s = values[i] ? values[i] : "";
        do
            h = (h ^ (unsigned char)*s) * 16777619u;
        while (*s++);
    }
    return h;
}

static bool values_equal(const struct counter_set *cs, char *const *a, const char *const *b)
{
    for (size_t i = 0; i < cs->n_labels; i++)
        if (strcmp(a[i], b[i] ? b[i] : "") != 0)
            return false;
    return true;
}

/* The index slot of `values`: the series' slot, or the empty slot where it would go. */
static size_t slot_find(const struct counter_set *cs, const char *const *values, uint32_t h)
{
    size_t slot = h & cs->index_mask;
    while (cs->index[slot]) {
        const struct series *s = &cs->series[cs->index[slot] - 1];
        if (s->hash == h && values_equal(cs, s->values, values))
            break;
        slot = (slot + 1) & cs->index_mask;
    }
    return slot;
}

void counter_set_add(struct counter_set *cs, const char *const *values, uint64_t delta)
{
    uint32_t h = values_hash(cs, values);
    size_t slot = slot_find(cs, values, h);

    if (cs->index[slot]) {
        cs->series[cs->index[slot] - 1].value += delta;
        return;
    }
    struct series *s = cs->n < cs->max ? &cs->series[cs->n] : NULL;
    char **copy = s ? su_zalloc(cs->home, cs->n_labels * sizeof *copy) : NULL;
    for (size_t i = 0; copy && i < cs->n_labels; i++)
        if (!(copy[i] = su_strdup(cs->home, values[i] ? values[i] : "")))
            copy = NULL;
    if (!copy) {
        cs->overflow += delta;
        return;
    }
    s->values = copy;
    s->value = delta;
    s->hash = h;
    cs->index[slot] = ++cs->n;
}

uint64_t counter_set_get(const struct counter_set *cs, const char *const *values)
{
    size_t slot = slot_find(cs, values, values_hash(cs, values));
    return cs->index[slot] ? cs->series[cs->index[slot] - 1].value : 0;
}

const char *const *counter_set_series(const struct counter_set *cs, size_t i, uint64_t *value)
{
    if (i >= cs->n)
        return NULL;
    *value = cs->series[i].value;
    return (const char *const *)cs->series[i].values;
}

uint64_t counter_set_overflow(const struct counter_set *cs)
{
    return cs->overflow;
}
