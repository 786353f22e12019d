/* ops_stats.h — what the running proxy counts and remembers for the operations interface
 * (SPEC §8): labelled counters, the search history, the configuration generations. Owned by the
 * proxy object and touched only from its event loop; the admin listener reads it. Pure. */
#ifndef SIPFED_OPS_STATS_H
#define SIPFED_OPS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sofia-sip/su_alloc.h>

#include "counter_set.h"
#include "history.h"

/* Label value for a request refused before its source zone was known. */
#define OPS_ZONE_UNCLASSIFIED "unclassified"
/* Label value for a request from no zone (cannot happen with a default zone; kept honest). */
#define OPS_ZONE_NONE "none"

/* Requests per second over the last minute: one bucket per second, reused as time goes on. */
enum { OPS_RATE_SECONDS = 60 };

struct ops_stats {
    su_home_t home[1];
    time_t started;
    uint64_t requests_total;              /* every request counted by ops_request_count */
    uint32_t rate_count[OPS_RATE_SECONDS];
    time_t rate_second[OPS_RATE_SECONDS]; /* the second each bucket counts */
    struct counter_set *requests;         /* method, source_zone, status_class */
    struct counter_set *reloads;          /* result: ok | refused */
    struct history *history;              /* NULL when no history is kept */
    uint64_t overload_refused;            /* 503s of the proxy's own admission control */
    /* configuration generations */
    unsigned generation;                  /* 1 for the configuration loaded at start */
    time_t generation_loaded;
    bool last_reload_ok;                  /* true until a reload is refused */
    time_t last_reload_at;                /* 0: never reloaded */
    size_t last_reload_errors;
    char last_reload_error[512];          /* the first error of a refused reload, file:line */
};

/* Create the statistics with a history of `history_size` entries (0: none). Returns NULL when
 * out of memory. Free with ops_stats_destroy(). */
struct ops_stats *ops_stats_create(size_t history_size);
void ops_stats_destroy(struct ops_stats *st);

/* The method as a metric label: the SIP and Microsoft methods by name, anything else "other"
 * (a label must not take unbounded values from the wire). */
const char *ops_method_label(const char *method);
/* "1xx" .. "6xx" for a SIP status (anything out of range: "other"). */
const char *ops_status_class(int status);
/* Count one request answered with `status`. `zone` NULL: OPS_ZONE_NONE. */
void ops_request_count(struct ops_stats *st, const char *method, const char *zone, int status);
/* Requests per second over the OPS_RATE_SECONDS before `now`. */
double ops_request_rate(const struct ops_stats *st, time_t now);
/* A reload was accepted (new generation) or refused (`first_error`, `errors` of them). */
void ops_reload_record(struct ops_stats *st, bool accepted, size_t errors,
                       const char *first_error);

#endif
