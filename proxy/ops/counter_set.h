/* counter_set.h — one family of labelled counters (e.g. requests by method, source zone and
 * status class), bounded in series, for the metrics. Pure; owned by the event loop. */
#ifndef SIPFED_COUNTER_SET_H
#define SIPFED_COUNTER_SET_H

#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

/* Series beyond a set's maximum are not created: their increments go to the overflow count
 * (a label with unbounded values would otherwise grow memory without limit). */
struct counter_set;

/* A set of counters with `n_labels` label values each, at most `max_series` of them, from
 * `home`. Returns 0 or ENOMEM. */
int counter_set_create(su_home_t *home, size_t n_labels, size_t max_series,
                       struct counter_set **out);
/* Add `delta` to the series `values` (n_labels strings, copied on first use). */
void counter_set_add(struct counter_set *cs, const char *const *values, uint64_t delta);
/* The value of series `values` (0 when it does not exist). */
uint64_t counter_set_get(const struct counter_set *cs, const char *const *values);
/* Series in creation order: the i-th one's label values (n_labels of them) and value, or NULL
 * past the end. */
const char *const *counter_set_series(const struct counter_set *cs, size_t i, uint64_t *value);
/* Increments that found no room. */
uint64_t counter_set_overflow(const struct counter_set *cs);

#endif
