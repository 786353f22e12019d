/* reuseport_hook.h — SO_REUSEPORT on the SIP TCP/TLS listen sockets of a worker
 * (docs/workers.md): sofia binds its sockets itself and has no tag for it in 1.12. */
#ifndef SIPFED_REUSEPORT_HOOK_H
#define SIPFED_REUSEPORT_HOOK_H

#include <stddef.h>
#include <stdint.h>

enum { REUSEPORT_PORTS_MAX = 16 };

/* From now on, a stream socket bound to one of `ports` (host order; n <= REUSEPORT_PORTS_MAX)
 * gets SO_REUSEPORT first, so every worker binds the same listen addresses and the kernel
 * spreads new connections over them. n == 0 turns it off. Returns 0 or E2BIG. */
int reuseport_ports_set(const uint16_t *ports, size_t n);

#endif
