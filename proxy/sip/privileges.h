/* privileges.h — started as root, run as [proxy] user after binding (issue 11).
 *
 * The listen sockets (ports below 1024 need root), the admin listener and the pid file are made
 * first; then the process takes the user's groups (initgroups: its supplementary groups, e.g.
 * Debian's ssl-cert for the private key), the group ([proxy] group, else the user's primary
 * group) and the user, for good (no way back to root). Not root: nothing changes (the systemd
 * unit starts sipfed as User=sipfed already). Root without [proxy] user stays root, with a
 * warning at each start. */
#ifndef SIPFED_PRIVILEGES_H
#define SIPFED_PRIVILEGES_H

#include <stdbool.h>

#include "config.h"

/* Drop to cfg->user / cfg->group when running as root. Returns 0 (dropped, or nothing to do:
 * logged), or an errno code with the failing step logged. *dropped says whether it changed. */
int privileges_drop(const struct node_config *cfg, bool *dropped);

#endif
