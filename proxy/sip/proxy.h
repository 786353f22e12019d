/* proxy.h — the running proxy: one nta agent on one su_root, the current configuration
 * (reloadable, reference-counted so transactions keep the one they started with), signals. */
#ifndef SIPFED_PROXY_H
#define SIPFED_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "proxy_gen.h"

struct proxy;

/* A proxy that is one of several workers of a node (docs/workers.md). */
struct proxy_worker {
    unsigned index;             /* 0 .. count-1 */
    unsigned count;             /* > 1 */
    int link_fd;                /* its channel to the supervisor (the proxy takes it over) */
};

/* Create the proxy for `gen` (takes the reference): agent, listen addresses, signals. `worker`
 * is NULL for a node that runs one process. Problems are printed to stderr. Returns 0 or an
 * errno code. */
int proxy_create(struct proxy_gen *gen, const char *config_path,
                 const struct proxy_worker *worker, struct proxy **out);
/* Run the event loop until SIGTERM/SIGINT and the drain (<= 5 s); returns 0. */
int proxy_run(struct proxy *px);
void proxy_destroy(struct proxy *px);

#endif
