/* history.h — the search history (SPEC §8, Expressway's "search history"): the last N routing
 * decisions in a ring buffer of fixed-size entries, so its memory is bounded by N whatever the
 * traffic. Pure; owned by the event loop. */
#ifndef SIPFED_HISTORY_H
#define SIPFED_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <sofia-sip/su_alloc.h>

enum {
    HISTORY_DEFAULT = 256,        /* entries kept when [admin] history is not set */
    HISTORY_MAX = 4096,
    HISTORY_STEPS_MAX = 32,       /* rules of the trace kept per entry (the rest counted) */
};

/* One rule the search tried and what it said (search_verdict_name()). */
struct history_step {
    char rule[64];
    char verdict[16];
};

/* One decision: the fields of the route log line plus the search trace. Text longer than its
 * field is cut (and ends in "..."). */
struct history_entry {
    uint64_t seq;                 /* 1 for the first decision since start */
    struct timeval time;          /* when the final status was known */
    char method[32];
    char src[64];                 /* source zone, "-" when none */
    bool authenticated;
    char alias[256];
    char rules[256];              /* the rules that produced targets, as in the log line */
    char targets[256];
    char next_hop[256];
    int status;
    char reason[192];             /* why we refused or failed, "" when nothing to say */
    char call_id[128];
    struct history_step steps[HISTORY_STEPS_MAX];
    size_t n_steps;
    size_t steps_omitted;         /* trace steps beyond HISTORY_STEPS_MAX */
};

struct history;

/* A ring of `capacity` entries (1..HISTORY_MAX) from `home`. Returns 0, EINVAL or ENOMEM. */
int history_create(su_home_t *home, size_t capacity, struct history **out);
/* The entry to fill for a new decision (the oldest is overwritten once the ring is full), with
 * `seq` and `time` set and everything else empty. */
struct history_entry *history_next(struct history *h, const struct timeval *now);
/* Append a step to `e` (counted in steps_omitted when there is no room). */
void history_step_add(struct history_entry *e, const char *rule, const char *verdict);
/* Copy `s` into `dst` (`size` bytes), cutting with "..." when it does not fit. NULL: "". */
void history_text_set(char *dst, size_t size, const char *s);
#define HISTORY_SET(field, s) history_text_set((field), sizeof (field), (s))
/* The i-th most recent entry (0: the newest), or NULL. */
const struct history_entry *history_get(const struct history *h, size_t i);
size_t history_count(const struct history *h);
size_t history_capacity(const struct history *h);

#endif
