/* tls_trim.c — give the heap back to the system after many TLS connections have closed.
 *
 * Why: 1000 idle TLS connections hold 24 MB of heap; when they close, glibc keeps the freed
 * space in the process (the top of the heap is rarely free, so it never trims by itself):
 * after a burst of peers or an attack the daemon stayed at its peak for good. malloc_trim(0)
 * returns every whole free page, inside the heap too (docs/performance.md: 9 of the 24 MB after
 * 1000 connections closed; the rest shares pages with blocks still in use).
 *
 * When: a trim walks the heap, so not on every close: once TLS_TRIM_MIN_CLOSED connections
 * have closed since the last trim and at most half of the most connections seen since then
 * are still open (a burst is over, not the normal coming and going of peers). Counting is the
 * event loop's (tls_hook.c calls tls_trim_closed() from its SSL_shutdown). */
#include "tls_int.h"

#include <malloc.h>

bool tls_trim_due(struct tls_trim *t, unsigned live)
{
    if (live > t->peak)
        t->peak = live;
    if (t->closed < TLS_TRIM_MIN_CLOSED || live > t->peak / 2)
        return false;
    t->closed = 0;
    t->peak = live;
    return true;
}

void tls_trim_closed(struct tls_trim *t, unsigned live)
{
    t->closed++;
    if (tls_trim_due(t, live))
        malloc_trim(0);
}
