/* ratelimit.c — token buckets by key with refusal episodes (see ratelimit.h). */
#include "ratelimit.h"

#include <time.h>

#include <errno.h>
#include <string.h>

enum { RATE_BUCKETS = 4096 };

struct rate_entry {
    struct rate_entry *next;
    double tokens;
    double burst;                /* the capacity it was last used with (sweep: full?) */
    double rate;
    uint64_t last_ms;            /* tokens were computed at */
    bool refusing;               /* in a refusal episode */
    uint64_t refused;            /* in the current episode */
    uint64_t last_refused_ms;
    char key[];
};

struct rate_table {
    size_t max_keys, n_keys;
    uint64_t full_count;
    su_home_t *home;
    struct rate_entry *buckets[RATE_BUCKETS];
};

static unsigned key_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % RATE_BUCKETS;
}

int rate_table_create(su_home_t *home, size_t max_keys, struct rate_table **out)
{
    struct rate_table *t = su_zalloc(home, sizeof *t);
    *out = NULL;
    if (!t)
        return ENOMEM;
    t->home = home;
    t->max_keys = max_keys;
    *out = t;
    return 0;
}

static struct rate_entry *entry_get(struct rate_table *t, const char *key, double burst,
                                    uint64_t now_ms)
{
    unsigned h = key_hash(key);
    for (struct rate_entry *e = t->buckets[h]; e; e = e->next)
        if (strcmp(e->key, key) == 0)
            return e;
    if (t->n_keys >= t->max_keys) {
        t->full_count++;
        return NULL;
    }
    size_t len = strlen(key);
    struct rate_entry *e = su_zalloc(t->home, sizeof *e + len + 1);
    if (!e)
        return NULL;
    memcpy(e->key, key, len + 1);
    e->tokens = burst;
    e->last_ms = now_ms;
    e->next = t->buckets[h];
    t->buckets[h] = e;
    t->n_keys++;
    return e;
}

void rate_take(struct rate_table *t, const char *key, double rate, double burst, uint64_t now_ms,
               struct rate_result *r)
{
    memset(r, 0, sizeof *r);
    if (rate <= 0)
        return;
    if (burst < 1)
        burst = 1;
    struct rate_entry *e = entry_get(t, key, burst, now_ms);
    if (!e)
        return;
    if (now_ms > e->last_ms) {
        e->tokens += (double)(now_ms - e->last_ms) * rate / 1000.0;
        e->last_ms = now_ms;
    }
    if (e->tokens > burst)
        e->tokens = burst;
    e->burst = burst;
    e->rate = rate;
    if (e->tokens >= 1) {
        e->tokens -= 1;
        return;
    }
    r->refused = true;
    double wait_s = (1 - e->tokens) / rate;
    r->retry_after_s = wait_s <= 1 ? 1 : (unsigned)(wait_s + 0.999);
    if (!e->refusing) {
        e->refusing = true;
        e->refused = 0;
        r->episode_started = true;
    }
    e->refused++;
    e->last_refused_ms = now_ms;
}

void rate_table_sweep(struct rate_table *t, uint64_t now_ms, uint64_t quiet_ms,
                      rate_episode_end_f *cb, void *arg)
{
    for (size_t h = 0; h < RATE_BUCKETS; h++) {
        for (struct rate_entry **pp = &t->buckets[h]; *pp;) {
            struct rate_entry *e = *pp;
            if (e->refusing && now_ms >= e->last_refused_ms + quiet_ms) {
                if (cb)
                    cb(arg, e->key, e->refused);
                e->refusing = false;
                e->refused = 0;
            }
            double tokens = e->tokens;
            if (now_ms > e->last_ms)
                tokens += (double)(now_ms - e->last_ms) * e->rate / 1000.0;
            if (!e->refusing && tokens >= e->burst) {
                *pp = e->next;
                su_free(t->home, e);
                t->n_keys--;
                continue;
            }
            pp = &e->next;
        }
    }
}

size_t rate_table_keys(const struct rate_table *t)
{
    return t->n_keys;
}

uint64_t rate_table_full_count(const struct rate_table *t)
{
    return t->full_count;
}

uint64_t rate_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
