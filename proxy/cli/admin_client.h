/* admin_client.h — GET a page of a running daemon's admin listener ([admin] listen of the node
 * file, with its bearer token) for `sipfed status` and `sipfed reload`. HTTP by sofia-sip's nth
 * client on a private su_root: no HTTP code of our own. */
#ifndef SIPFED_ADMIN_CLIENT_H
#define SIPFED_ADMIN_CLIENT_H

#include <sofia-sip/su_alloc.h>

#include "config.h"

/* Seconds a request may take before admin_get gives up. */
enum { ADMIN_CLIENT_TIMEOUT_S = 10 };

/* GET http://[admin] listen/`path`. Returns 0 and sets *body (NUL-terminated, from `home`) and
 * *status (the HTTP status) when an answer came; ECONNREFUSED, ETIMEDOUT or ENOMEM otherwise
 * (`*why` then says what happened, static text). A wildcard listen address (0.0.0.0, ::) is
 * reached on loopback. */
int admin_get(su_home_t *home, const struct node_config *cfg, const char *path, char **body,
              int *status, const char **why);

#endif
