/* supervisor.h — `sipfed run` with `[proxy] workers` > 1 (docs/workers.md): the supervisor
 * process forks the workers (each a complete proxy on its own event loop, sharing the TCP/TLS
 * listen ports), restarts one that dies (with back-off), passes SIGHUP and SIGTERM on to all of
 * them, relays learnt domains between them, and speaks for the node to systemd and the pid
 * file. */
#ifndef SIPFED_SUPERVISOR_H
#define SIPFED_SUPERVISOR_H

#include "proxy_gen.h"

/* Run `n` (> 1) workers of `gen` (takes the reference) until SIGTERM/SIGINT and every worker
 * has exited. Returns 0, or an errno code when the node could not start (a worker failed
 * before every worker was ready once). */
int supervisor_run(struct proxy_gen *gen, const char *config_path, unsigned n);

#endif
