/* ops_stats.c — the proxy's operational counters and generations. */
#include "ops_stats.h"

#include <stdio.h>
#include <string.h>

/* Series kept per family: requests are bounded by methods x zones x classes; the rest fall into
 * the overflow count. */
enum { OPS_REQUEST_SERIES = 1024, OPS_RELOAD_SERIES = 4 };

struct ops_stats *ops_stats_create(size_t history_size)
{
    struct ops_stats *st = su_home_new(sizeof *st);

    if (!st)
        return NULL;
    st->started = time(NULL);
    st->generation = 1;
    st->generation_loaded = st->started;
    st->last_reload_ok = true;
    if (counter_set_create(st->home, 3, OPS_REQUEST_SERIES, &st->requests) ||
        counter_set_create(st->home, 1, OPS_RELOAD_SERIES, &st->reloads) ||
        (history_size && history_create(st->home, history_size, &st->history))) {
        su_home_unref(st->home);
        return NULL;
    }
    return st;
}

void ops_stats_destroy(struct ops_stats *st)
{
    if (st)
        su_home_unref(st->home);
}

const char *ops_method_label(const char *method)
{
    static const char *const known[] = {
        "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "MESSAGE", "SUBSCRIBE",
        "NOTIFY", "PUBLISH", "INFO", "REFER", "UPDATE", "PRACK", "BENOTIFY", "SERVICE",
        "NEGOTIATE", NULL,
    };
    for (size_t i = 0; method && known[i]; i++)
        if (strcmp(method, known[i]) == 0)
            return known[i];
    return "other";
}

const char *ops_status_class(int status)
{
    static const char *const classes[] = { "1xx", "2xx", "3xx", "4xx", "5xx", "6xx" };
    if (status < 100 || status > 699)
        return "other";
    return classes[status / 100 - 1];
}

void ops_request_count(struct ops_stats *st, const char *method, const char *zone, int status)
{
    if (!st)
        return;
    const char *values[] = { ops_method_label(method), zone ? zone : OPS_ZONE_NONE,
                             ops_status_class(status) };
    counter_set_add(st->requests, values, 1);
    st->requests_total++;
    time_t now = time(NULL);
    size_t b = (size_t)now % OPS_RATE_SECONDS;
    if (st->rate_second[b] != now) {
        st->rate_second[b] = now;
        st->rate_count[b] = 0;
    }
    st->rate_count[b]++;
}

double ops_request_rate(const struct ops_stats *st, time_t now)
{
    uint64_t n = 0;
    for (size_t b = 0; b < OPS_RATE_SECONDS; b++)
        if (st->rate_second[b] < now && st->rate_second[b] >= now - OPS_RATE_SECONDS)
            n += st->rate_count[b];
    return (double)n / OPS_RATE_SECONDS;
}

void ops_reload_record(struct ops_stats *st, bool accepted, size_t errors,
                       const char *first_error)
{
    const char *result[] = { accepted ? "ok" : "refused" };

    counter_set_add(st->reloads, result, 1);
    st->last_reload_ok = accepted;
    st->last_reload_at = time(NULL);
    st->last_reload_errors = accepted ? 0 : errors;
    snprintf(st->last_reload_error, sizeof st->last_reload_error, "%s",
             accepted || !first_error ? "" : first_error);
    if (accepted) {
        st->generation++;
        st->generation_loaded = st->last_reload_at;
    }
}
