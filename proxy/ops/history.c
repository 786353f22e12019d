/* history.c — the search history ring buffer. */
#include "history.h"

#include <errno.h>
#include <string.h>

struct history {
    struct history_entry *ring;
    size_t capacity;
    size_t count;                 /* entries filled, <= capacity */
    size_t next;                  /* slot of the next entry */
    uint64_t seq;
};

int history_create(su_home_t *home, size_t capacity, struct history **out)
{
    *out = NULL;
    if (capacity == 0 || capacity > HISTORY_MAX)
        return EINVAL;
    struct history *h = su_zalloc(home, sizeof *h);
    if (!h || !(h->ring = su_zalloc(home, capacity * sizeof *h->ring)))
        return ENOMEM;
    h->capacity = capacity;
    *out = h;
    return 0;
}

struct history_entry *history_next(struct history *h, const struct timeval *now)
{
    struct history_entry *e = &h->ring[h->next];

    memset(e, 0, sizeof *e);
    e->seq = ++h->seq;
    e->time = *now;
    h->next = (h->next + 1) % h->capacity;
    if (h->count < h->capacity)
        h->count++;
    return e;
}

void history_text_set(char *dst, size_t size, const char *s)
{
    static const char cut[] = "...";
    size_t n = s ? strlen(s) : 0;

    if (size == 0)
        return;
    if (n < size) {
        memcpy(dst, s ? s : "", n + 1);
        return;
    }
    /* Cut on a UTF-8 character boundary, then mark the cut. */
    n = size - sizeof cut;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    memcpy(dst, s, n);
    memcpy(dst + n, cut, sizeof cut);
}

void history_step_add(struct history_entry *e, const char *rule, const char *verdict)
{
    if (e->n_steps >= HISTORY_STEPS_MAX) {
        e->steps_omitted++;
        return;
    }
    struct history_step *st = &e->steps[e->n_steps++];
    HISTORY_SET(st->rule, rule);
    HISTORY_SET(st->verdict, verdict);
}

const struct history_entry *history_get(const struct history *h, size_t i)
{
    if (!h || i >= h->count)
        return NULL;
    return &h->ring[(h->next + h->capacity - 1 - i) % h->capacity];
}

size_t history_count(const struct history *h)
{
    return h ? h->count : 0;
}

size_t history_capacity(const struct history *h)
{
    return h ? h->capacity : 0;
}
