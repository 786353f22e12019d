/* config.h — the node file `sipfed.ini` (SPEC §3.1), loaded with inih. */
#ifndef SIPFED_CONFIG_H
#define SIPFED_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "diag.h"
#include "log.h"
#include "types.h"

/* [admin] history: search decisions kept for GET /history (SPEC §8). */
enum { ADMIN_HISTORY_DEFAULT = 256, ADMIN_HISTORY_MAX = 4096 };

struct listen_addr {
    enum sip_transport transport;
    char *host;                  /* IPv4/IPv6 literal or name, as written (no brackets) */
    uint16_t port;
    unsigned line;               /* where it was declared */
};

struct tls_config {
    bool present;                /* a [tls] section exists */
    char *certificate;           /* absolute paths (resolved against the node file's dir) */
    char *private_key;
    char *client_certificate;    /* NULL: use `certificate` for outgoing connections too */
    char *client_private_key;
    char *ca_file;
    int min_version;             /* 12 or 13 */
    char *ciphers;               /* NULL: secure default */
    unsigned line;               /* line of the [tls] header */
    unsigned private_key_line;   /* where private_key / client_private_key were given */
    unsigned client_private_key_line;
};

struct node_config {
    su_home_t home[1];           /* owns everything below */
    char *file;                  /* path of the node file as given */
    char *dir;                   /* its directory (relative paths resolve against it) */

    char *hostname;
    struct listen_addr *listen;
    size_t n_listen;
    char *dialplan_dir;          /* absolute */
    unsigned max_forwards;       /* default 70 */
    unsigned max_message_size;   /* default 65536 */
    unsigned idle_timeout;       /* s a TCP/TLS connection may sit unused; default 600 */
    unsigned message_timeout;    /* s to finish a started message (or TLS handshake); default 30 */
    unsigned connect_timeout;    /* s for an outgoing TLS connection's TCP connect + handshake;
                                  * default 3 */
    unsigned handshake_timeout;  /* s an inbound TLS connection has to finish its handshake; 5 */
    unsigned max_connections;    /* inbound TCP/TLS connections in total; default 10000 */
    unsigned max_connections_per_ip; /* inbound TCP/TLS connections per source address; 100 */
    unsigned rate_limit_per_ip;  /* requests/s per source address (burst 2x), 0 off; 200 */
    unsigned rate_limit_per_domain; /* requests/s per authenticated domain (burst 2x), 0 off; 500 */
    unsigned peer_keepalive_interval; /* s between OPTIONS to each neighbor peer, 0 off; 30 */

    struct tls_config tls;

    char **dns_servers;          /* "host[:port]" strings; n_dns_servers == 0: system resolver */
    size_t n_dns_servers;

    enum log_level log_level;    /* default info */

    char *admin_listen;          /* NULL: no admin HTTP; else host:port as written */
    char *admin_host;            /* its host (no brackets) and port */
    uint16_t admin_port;
    unsigned admin_line;         /* line of [admin] listen */
    bool admin_allow_remote;     /* [admin] allow_remote: a non-loopback listen is allowed */
    char *admin_token_file;      /* absolute; NULL: no token */
    char *admin_token;           /* its content (trimmed): required as "Authorization: Bearer" */
    unsigned admin_history;      /* search decisions kept for /history; default 256 */

    char *pid_file;              /* [proxy] pid_file, absolute; NULL: none */
    unsigned workers;            /* [proxy] workers: WORKERS_AUTO (0, the default) or 1..64 */
    unsigned workers_line;       /* where it was set; 0: not set */
    char *user;                  /* [proxy] user: started as root, run as this user after
                                  * binding (privileges.h); NULL: no change */
    char *group;                 /* [proxy] group: NULL: the user's primary group */
    unsigned user_line;

    bool presence_busy_as_dnd;   /* [presence] busy_as_dnd (PRESENCE.md §4), default off */
};

/* Load and validate `path`. Every problem goes to `d` as `file:line: message`; returns 0 and sets
 * *out (free with node_config_free) when there were no errors, else EINVAL (and *out is NULL);
 * the errno (ENOENT, EACCES, ...) when the file itself cannot be read. */
int node_config_load(const char *path, struct diag *d, struct node_config **out);
/* As node_config_load, but a file that could be read and had errors (EINVAL) still sets *out,
 * with every valid key loaded: `sipfed check` uses it to go on and report the dial plan's errors
 * in the same run. Never run a proxy with such a config. */
int node_config_load_partial(const char *path, struct diag *d, struct node_config **out);
void node_config_free(struct node_config *cfg);

#endif
