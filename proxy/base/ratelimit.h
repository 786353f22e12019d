/* ratelimit.h — token buckets by key (a source address, an authenticated domain), with refusal
 * episodes: pure logic over a caller-supplied clock, no I/O (the proxy's glue is in
 * proxy/sip/source_limit.c). */
#ifndef SIPFED_RATELIMIT_H
#define SIPFED_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

struct rate_table;

/* The outcome of one rate_take(). */
struct rate_result {
    bool refused;
    unsigned retry_after_s;      /* refused: whole seconds until a token is back (>= 1) */
    bool episode_started;        /* refused, and the key was not in a refusal episode */
};

/* A table of at most `max_keys` buckets, owned by `home`. Returns 0 or ENOMEM. */
int rate_table_create(su_home_t *home, size_t max_keys, struct rate_table **out);

/* One request from `key` at `now_ms`: take a token from its bucket, which refills at `rate` per
 * second up to `burst` (a new key starts full). rate 0 allows everything. When the table is full
 * a new key is allowed without a bucket (fail open: the global overload control still holds) and
 * `rate_table_full_count()` counts it. */
void rate_take(struct rate_table *t, const char *key, double rate, double burst, uint64_t now_ms,
               struct rate_result *r);

/* Called by rate_table_sweep() for each key whose refusal episode ended. An episode ends only
 * when the key has not been refused for the sweep's `quiet_ms`: a source steadily over its rate
 * is refused most of the time and let through now and then, which is one episode, not many. */
typedef void rate_episode_end_f(void *arg, const char *key, uint64_t refused);

/* Forget buckets that are full again (idle keys) and end the episodes of keys that have not been
 * refused for `quiet_ms`, reporting each to `cb`. O(keys); call about once a second. */
void rate_table_sweep(struct rate_table *t, uint64_t now_ms, uint64_t quiet_ms,
                      rate_episode_end_f *cb, void *arg);

/* The clock the callers pass: CLOCK_MONOTONIC in milliseconds. */
uint64_t rate_clock_ms(void);

size_t rate_table_keys(const struct rate_table *t);
uint64_t rate_table_full_count(const struct rate_table *t);

#endif
