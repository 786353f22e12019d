/* gateway_config.h — the `[gateway]` section of the node file (docs/xmpp.md): where the XMPP
 * server's component port is, which Microsoft partner domains become components, which XMPP
 * domains are local, and how the gateway reaches the sipfed proxy. */
#ifndef SIPFED_GATEWAY_CONFIG_H
#define SIPFED_GATEWAY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "diag.h"
#include "log.h"
#include "types.h"

struct gateway_config {
    su_home_t home[1];              /* owns everything below */
    char *file;
    char *dir;                      /* the node file's directory (relative paths) */

    enum sip_transport sip_transport;   /* the gateway's own SIP address (a zone's peer) */
    char *sip_host;
    uint16_t sip_port;
    enum sip_transport proxy_transport; /* the sipfed proxy every request goes through */
    char *proxy_host;
    uint16_t proxy_port;

    char *xmpp_host;                /* the XMPP server's component listener (XEP-0114) */
    uint16_t xmpp_port;
    char *secret;                   /* component secret (component_secret or its file) */

    char **partner_domains;         /* one component each; lowercased */
    size_t n_partner_domains;
    char **local_domains;           /* XMPP domains whose users the gateway serves */
    size_t n_local_domains;

    unsigned session_idle;          /* s without a message before BYE; default 300 */
    unsigned subscribe_expires;     /* s asked in SUBSCRIBE; default 3600 */
    unsigned reconnect_max;         /* s, the back-off cap; default 30 */

    bool busy_as_dnd;               /* [presence] busy_as_dnd */
    enum log_level log_level;       /* [log] level */
};

/* Load the [gateway] section (and [log], [presence]) of the node file `path`; other sections are
 * the proxy's and are not read here. Every problem goes to `d` as `file:line: message`. Returns
 * 0 and *out (free with gateway_config_free), EINVAL on errors (*out NULL), ENOENT when the file
 * has no [gateway] section, or the errno of an unreadable file. */
int gateway_config_load(const char *path, struct diag *d, struct gateway_config **out);
void gateway_config_free(struct gateway_config *cfg);
/* For `sipfed check`: report the problems of the [gateway] section of `path` to `d` (those of
 * [log] and [presence] are the proxy loader's to report). Returns 0 when there is no [gateway]
 * section or it is valid, else EINVAL (or the errno of an unreadable file). */
int gateway_config_check(const char *path, struct diag *d);

/* True when `domain` (case-insensitive) is one of `list`. */
bool gateway_domain_in(char *const *list, size_t n, const char *domain);

#endif
