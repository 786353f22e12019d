/* listen_check.h — can every listen address of a node file be bound? Asked before the proxy
 * starts anything, so a busy port is reported with its real cause and the proxy exits 1 before
 * it announces itself ready (sofia's own error loses errno). */
#ifndef SIPFED_LISTEN_CHECK_H
#define SIPFED_LISTEN_CHECK_H

#include <stdio.h>

#include "config.h"

/* Bind (and release at once) a socket like sofia's for each `[proxy] listen` address: a TCP/TLS
 * one with SO_REUSEADDR, as sofia binds its listening sockets, a UDP one without. Prints each
 * failure to `err` as `file:line: cannot listen on tls:127.0.0.1:5061: Address already in use`
 * and what to do. Returns 0, or the errno of the first failure. */
int listen_check(const struct node_config *cfg, FILE *err);

#endif
