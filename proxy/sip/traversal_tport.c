/* traversal_tport.c — the helpers both sides of the traversal pair share (below
 * traversal_client.c and traversal_server.c): the clock and whether a held connection can still
 * carry a request. */
#include "traversal_int.h"

uint64_t trav_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool trav_tport_usable(tport_t *tp)
{
    return tp && !tport_is_closed(tp) && !tport_is_shutdown(tp) && tport_is_clear_to_send(tp);
}
