/* config.c — the node file `sipfed.ini` (SPEC §3.1): sections applied through key tables,
 * every problem reported as `file:line: message`, cross-checks after the whole file is read. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sofia-sip/su_string.h>

#include "ini_file.h"
#include "ini_value.h"
#include "secret_file.h"
#include "suggest.h"
#include "workers.h"

enum config_section { CFG_PROXY, CFG_TLS, CFG_DNS, CFG_LOG, CFG_ADMIN, CFG_PRESENCE, CFG_N };

struct config_loader {
    struct node_config *cfg;
    struct diag *d;
    unsigned seen[CFG_N];        /* line of each section's header, 0: not seen */
};

enum { MAX_FORWARDS_MAX = 255, MESSAGE_SIZE_MIN = 1024, MESSAGE_SIZE_MAX = 16 * 1024 * 1024,
       TIMEOUT_MAX = 86400, CONNECTIONS_MAX = 1000000,
       RATE_MAX = 1000000 };

/* [proxy] ---------------------------------------------------------------------------------- */

static int proxy_hostname_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char *v = NULL;
    if (ini_value_text(c, e, &v))
        return EINVAL;
    if (!v || !ini_text_is_hostname(v))
        return ini_value_invalid(c, e, e->value, "expected a fully qualified host name");
    if (ini_text_is_ip(v))
        return ini_value_invalid(c, e, e->value, "expected a host name, not an IP address: "
                                 "Lync sends in-dialog requests only to an FQDN");
    cfg->hostname = ini_text_lower(c->home, v);
    return 0;
}

static int listen_item_parse(struct ini_ctx *c, const struct ini_entry *e, const char *item,
                             struct listen_addr *la)
{
    static const char *const why = "expected udp|tcp|tls:HOST:PORT, IPv6 as tls:[::1]:5061";
    static const struct { const char *prefix; enum sip_transport tp; } tps[] = {
        { "udp:", SIP_TP_UDP }, { "tcp:", SIP_TP_TCP }, { "tls:", SIP_TP_TLS },
    };
    for (size_t i = 0; i < sizeof tps / sizeof tps[0]; i++) {
        if (strncmp(item, tps[i].prefix, 4) != 0)
            continue;
        const char *bad = ini_hostport_parse(c->home, item + 4, true, &la->host, &la->port);
        if (bad) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s: %s", why, bad);
            return ini_value_invalid(c, e, item, msg);
        }
        la->transport = tps[i].tp;
        la->line = e->line;
        return 0;
    }
    return ini_value_invalid(c, e, item, why);
}

static int proxy_listen_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char **items;
    size_t n, k = 0;
    if (ini_value_list(c, e, &items, &n))
        return ENOMEM;
    struct listen_addr *v = su_zalloc(c->home, (n + 1) * sizeof *v);
    if (!v)
        return ENOMEM;
    if (n == 0)
        return ini_value_invalid(c, e, "", "expected at least one udp|tcp|tls:HOST:PORT");
    for (size_t i = 0; i < n; i++)
        if (listen_item_parse(c, e, items[i], &v[k]) == 0)
            k++;
    cfg->listen = v;
    cfg->n_listen = k;
    return k == n ? 0 : EINVAL;
}

static int proxy_dialplan_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char *path = NULL;
    if (ini_value_path(c, e, cfg->dir, &path))
        return EINVAL;
    if (!path)
        return ini_value_invalid(c, e, "", "expected the directory of the dial-plan files");
    cfg->dialplan_dir = path;
    return 0;
}

static int proxy_pid_file_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    return ini_value_path(c, e, cfg->dir, &cfg->pid_file);
}

/* auto (one worker per CPU, capped) or a number; docs/workers.md. */
static int proxy_workers_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    cfg->workers_line = e->line;
    if (strcmp(e->value, "auto") == 0) {
        cfg->workers = WORKERS_AUTO;
        return 0;
    }
    return ini_value_uint(c, e, 1, WORKERS_MAX, &cfg->workers);
}

static int proxy_max_forwards_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, MAX_FORWARDS_MAX, &((struct node_config *)obj)->max_forwards);
}

static int proxy_max_message_size_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, MESSAGE_SIZE_MIN, MESSAGE_SIZE_MAX,
                          &((struct node_config *)obj)->max_message_size);
}

static int proxy_idle_timeout_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TIMEOUT_MAX, &((struct node_config *)obj)->idle_timeout);
}

static int proxy_message_timeout_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TIMEOUT_MAX, &((struct node_config *)obj)->message_timeout);
}

static int proxy_connect_timeout_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TIMEOUT_MAX, &((struct node_config *)obj)->connect_timeout);
}

static int proxy_handshake_timeout_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TIMEOUT_MAX, &((struct node_config *)obj)->handshake_timeout);
}

static int proxy_max_connections_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, CONNECTIONS_MAX, &((struct node_config *)obj)->max_connections);
}

static int proxy_max_connections_per_ip_apply(struct ini_ctx *c, const struct ini_entry *e,
                                              void *obj)
{
    return ini_value_uint(c, e, 1, CONNECTIONS_MAX,
                          &((struct node_config *)obj)->max_connections_per_ip);
}

static int proxy_rate_limit_per_ip_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 0, RATE_MAX, &((struct node_config *)obj)->rate_limit_per_ip);
}

static int proxy_rate_limit_per_domain_apply(struct ini_ctx *c, const struct ini_entry *e,
                                             void *obj)
{
    return ini_value_uint(c, e, 0, RATE_MAX, &((struct node_config *)obj)->rate_limit_per_domain);
}

static int proxy_peer_keepalive_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 0, TIMEOUT_MAX,
                          &((struct node_config *)obj)->peer_keepalive_interval);
}

/* [proxy] user / group: names that exist (the privilege drop happens at run, privileges.h). */
static int proxy_user_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    if (ini_value_text(c, e, &cfg->user))
        return EINVAL;
    cfg->user_line = e->line;
    if (!getpwnam(cfg->user))
        return ini_value_invalid(c, e, cfg->user, "expected a user of this system");
    return 0;
}

static int proxy_group_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    if (ini_value_text(c, e, &cfg->group))
        return EINVAL;
    if (!getgrnam(cfg->group))
        return ini_value_invalid(c, e, cfg->group, "expected a group of this system");
    return 0;
}

static const struct ini_key proxy_keys[] = {
    { "hostname", 0, proxy_hostname_apply },
    { "listen", 0, proxy_listen_apply },
    { "dialplan", 0, proxy_dialplan_apply },
    { "max_forwards", 0, proxy_max_forwards_apply },
    { "max_message_size", 0, proxy_max_message_size_apply },
    { "idle_timeout", 0, proxy_idle_timeout_apply },
    { "message_timeout", 0, proxy_message_timeout_apply },
    { "connect_timeout", 0, proxy_connect_timeout_apply },
    { "handshake_timeout", 0, proxy_handshake_timeout_apply },
    { "max_connections", 0, proxy_max_connections_apply },
    { "max_connections_per_ip", 0, proxy_max_connections_per_ip_apply },
    { "rate_limit_per_ip", 0, proxy_rate_limit_per_ip_apply },
    { "rate_limit_per_domain", 0, proxy_rate_limit_per_domain_apply },
    { "peer_keepalive_interval", 0, proxy_peer_keepalive_apply },
    { "pid_file", 0, proxy_pid_file_apply },
    { "workers", 0, proxy_workers_apply },
    { "user", 0, proxy_user_apply },
    { "group", 0, proxy_group_apply },
    { NULL, 0, NULL },
};

static void proxy_section_finish(struct ini_ctx *c, struct node_config *cfg)
{
    (void)cfg;
    ini_section_require(c->sec, c->d, "hostname");
    ini_section_require(c->sec, c->d, "listen");
    ini_section_require(c->sec, c->d, "dialplan");
}

/* [tls] ------------------------------------------------------------------------------------ */

/* A TLS file must be readable by us; a private key by nobody else (relayd/smtpd refuse too),
 * except its group when that is how sipfed reads it (config_check_keys, after the whole file:
 * [proxy] user decides whose groups count). */
static int tls_path_apply(struct ini_ctx *c, const struct ini_entry *e, const char *dir,
                          char **out)
{
    char *path = NULL;
    struct stat st;
    if (ini_value_path(c, e, dir, &path))
        return EINVAL;
    if (path && (stat(path, &st) != 0 || access(path, R_OK) != 0)) {
        diag_error(c->d, c->sec->file, e->line, "cannot read %s '%s': %s", e->key, path,
                   strerror(errno));
        return EINVAL;
    }
    *out = path;
    return 0;
}

static int tls_certificate_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    return tls_path_apply(c, e, cfg->dir, &cfg->tls.certificate);
}

static int tls_private_key_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    cfg->tls.private_key_line = e->line;
    return tls_path_apply(c, e, cfg->dir, &cfg->tls.private_key);
}

static int tls_client_certificate_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    return tls_path_apply(c, e, cfg->dir, &cfg->tls.client_certificate);
}

static int tls_client_private_key_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    cfg->tls.client_private_key_line = e->line;
    return tls_path_apply(c, e, cfg->dir, &cfg->tls.client_private_key);
}

static int tls_ca_file_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    return tls_path_apply(c, e, cfg->dir, &cfg->tls.ca_file);
}

static int tls_min_version_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word versions[] = { { "1.2", 12 }, { "1.3", 13 }, { NULL, 0 } };
    return ini_value_word(c, e, versions, &((struct node_config *)obj)->tls.min_version);
}

static int tls_ciphers_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_text(c, e, &((struct node_config *)obj)->tls.ciphers);
}

static const struct ini_key tls_keys[] = {
    { "certificate", 0, tls_certificate_apply },
    { "private_key", 0, tls_private_key_apply },
    { "client_certificate", 0, tls_client_certificate_apply },
    { "client_private_key", 0, tls_client_private_key_apply },
    { "ca_file", 0, tls_ca_file_apply },
    { "min_version", 0, tls_min_version_apply },
    { "ciphers", 0, tls_ciphers_apply },
    { NULL, 0, NULL },
};

static void tls_section_finish(struct ini_ctx *c, struct node_config *cfg)
{
    cfg->tls.present = true;
    cfg->tls.line = c->sec->line;
    ini_section_require(c->sec, c->d, "certificate");
    ini_section_require(c->sec, c->d, "private_key");
    bool has_cert = ini_section_get(c->sec, "client_certificate") != NULL;
    bool has_key = ini_section_get(c->sec, "client_private_key") != NULL;
    if (has_cert != has_key)
        diag_error(c->d, c->sec->file, c->sec->line,
                   "[tls] needs both client_certificate and client_private_key, or neither");
}

/* [dns], [log], [admin], [presence] -------------------------------------------------------- */

static int dns_servers_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char **items, *host;
    size_t n;
    uint16_t port;
    int err = 0;
    if (ini_value_list(c, e, &items, &n))
        return ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *bad = ini_hostport_parse(c->home, items[i], false, &host, &port);
        if (bad)
            err = ini_value_invalid(c, e, items[i], bad);
    }
    cfg->dns_servers = items;
    cfg->n_dns_servers = n;
    return err;
}

static int log_level_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    if (e->cont_line || log_level_parse(e->value, &cfg->log_level) != 0)
        return ini_value_invalid(c, e, e->value, "expected error, warn, info or debug");
    return 0;
}

static int admin_listen_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char *v = NULL, *host;
    uint16_t port;
    if (ini_value_text(c, e, &v))
        return EINVAL;
    const char *bad = v ? ini_hostport_parse(c->home, v, true, &host, &port) : NULL;
    if (bad)
        return ini_value_invalid(c, e, v, bad);
    cfg->admin_listen = v;
    cfg->admin_host = v ? host : NULL;
    cfg->admin_port = v ? port : 0;
    cfg->admin_line = e->line;
    return 0;
}

static int admin_allow_remote_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct node_config *)obj)->admin_allow_remote);
}

/* A bearer token: at least this many characters, in a file nobody else can read. */
enum { ADMIN_TOKEN_MIN = 16, ADMIN_TOKEN_MAX = 4096 };

static int admin_token_file_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct node_config *cfg = obj;
    char *path = NULL;
    if (ini_value_path(c, e, cfg->dir, &path))
        return EINVAL;
    if (!path)
        return ini_value_invalid(c, e, "", "expected the path of a file holding the token");
    FILE *f = fopen(path, "r");
    struct stat st;
    char buf[ADMIN_TOKEN_MAX + 2];
    size_t n = 0;
    if (!f || fstat(fileno(f), &st) != 0) {
        diag_error(c->d, c->sec->file, e->line, "cannot read token_file '%s': %s", path,
                   strerror(errno));
        if (f)
            fclose(f);
        return EINVAL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    if (st.st_mode & 077) {
        diag_error(c->d, c->sec->file, e->line,
                   "token_file '%s' is readable by group or others (mode %04o): run chmod 600 %s",
                   path, (unsigned)(st.st_mode & 07777), path);
        return EINVAL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n < ADMIN_TOKEN_MIN || n > ADMIN_TOKEN_MAX || strpbrk(buf, " \t\r\n")) {
        diag_error(c->d, c->sec->file, e->line,
                   "token_file '%s' must hold one token of %d to %d characters without spaces "
                   "(e.g. openssl rand -hex 32 > %s)", path, ADMIN_TOKEN_MIN, ADMIN_TOKEN_MAX,
                   path);
        return EINVAL;
    }
    cfg->admin_token_file = path;
    cfg->admin_token = su_strdup(c->home, buf);
    return 0;
}

static int admin_history_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, ADMIN_HISTORY_MAX, &((struct node_config *)obj)->admin_history);
}

static int presence_busy_as_dnd_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct node_config *)obj)->presence_busy_as_dnd);
}

static const struct ini_key dns_keys[] = { { "servers", 0, dns_servers_apply }, { NULL, 0, NULL } };
static const struct ini_key log_keys[] = { { "level", 0, log_level_apply }, { NULL, 0, NULL } };
static const struct ini_key admin_keys[] = {
    { "listen", 0, admin_listen_apply },
    { "allow_remote", 0, admin_allow_remote_apply },
    { "token_file", 0, admin_token_file_apply },
    { "history", 0, admin_history_apply },
    { NULL, 0, NULL },
};
static const struct ini_key presence_keys[] = {
    { "busy_as_dnd", 0, presence_busy_as_dnd_apply }, { NULL, 0, NULL },
};

/* The file -------------------------------------------------------------------------------- */

static const struct config_section_def {
    const char *name;
    const struct ini_key *keys;
    void (*finish)(struct ini_ctx *c, struct node_config *cfg);
} config_sections[CFG_N] = {
    [CFG_PROXY] = { "proxy", proxy_keys, proxy_section_finish },
    [CFG_TLS] = { "tls", tls_keys, tls_section_finish },
    [CFG_DNS] = { "dns", dns_keys, NULL },
    [CFG_LOG] = { "log", log_keys, NULL },
    [CFG_ADMIN] = { "admin", admin_keys, NULL },
    [CFG_PRESENCE] = { "presence", presence_keys, NULL },
};

static void config_section_load(void *user, struct ini_section *sec)
{
    struct config_loader *L = user;
    size_t i;
    for (i = 0; i < CFG_N; i++)
        if (strcmp(sec->header, config_sections[i].name) == 0)
            break;
    if (i == CFG_N && strcmp(sec->header, "gateway") == 0)
        return;   /* the XMPP gateway's (proxy/gateway/gateway_config.c reads it) */
    if (i == CFG_N) {
        const char *names[CFG_N + 1];
        for (size_t j = 0; j < CFG_N; j++)
            names[j] = config_sections[j].name;
        names[CFG_N] = "gateway";
        const char *near = suggest_closest_n(sec->header, names, CFG_N + 1);
        diag_error(L->d, sec->file, sec->line,
                   "unknown section [%s] (expected proxy, tls, dns, log, admin, presence or "
                   "gateway%s%s%s)", sec->header, near ? "; did you mean [" : "",
                   near ? near : "", near ? "]?" : "");
        return;
    }
    if (L->seen[i]) {
        diag_error(L->d, sec->file, sec->line, "section [%s] given twice (first at line %u)",
                   sec->header, L->seen[i]);
        return;
    }
    L->seen[i] = sec->line;
    struct ini_ctx c = { .home = L->cfg->home, .d = L->d, .sec = sec };
    ini_section_mark_duplicates(sec, L->d);
    ini_section_apply(&c, config_sections[i].keys, 0, "", L->cfg);
    if (config_sections[i].finish)
        config_sections[i].finish(&c, L->cfg);
}

/* SPEC §8: the admin interface is for the node's own operators. Anything but a loopback
 * address needs an explicit allow_remote and a bearer token. */
static void config_check_admin(struct config_loader *L)
{
    struct node_config *cfg = L->cfg;
    if (!cfg->admin_listen) {
        if (cfg->admin_allow_remote || cfg->admin_token_file)
            diag_warn(L->d, cfg->file, L->seen[CFG_ADMIN],
                      "[admin] has no listen address: the admin interface is off");
        return;
    }
    if (ini_text_is_loopback(cfg->admin_host))
        return;
    if (!cfg->admin_allow_remote || !cfg->admin_token)
        diag_error(L->d, cfg->file, cfg->admin_line,
                   "admin listen %s is not a loopback address: the admin interface shows "
                   "routing, peers and presence, so a remote listen needs allow_remote = yes "
                   "and token_file (a bearer token); or listen on 127.0.0.1", cfg->admin_listen);
}

/* A private key: readable by its owner, and by its group only when sipfed reads it through
 * that group (secret_file.h: Debian's root:ssl-cert 0640). After the whole file: [proxy] user
 * decides whose groups count. */
static void config_check_key(struct config_loader *L, const char *key, const char *path,
                             unsigned line)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return;                          /* reported by tls_path_apply */
    char *why = secret_file_refusal(L->cfg->home, key, path, &st, L->cfg->user);
    if (why)
        diag_error(L->d, L->cfg->file, line, "%s", why);
}

/* Checks that need the whole file. */
static void config_check(struct config_loader *L)
{
    struct node_config *cfg = L->cfg;
    if (!L->seen[CFG_PROXY]) {
        diag_error(L->d, cfg->file, 0,
                   "missing section [proxy] (hostname, listen and dialplan are required)");
        return;
    }
    for (size_t i = 0; i < cfg->n_listen && !cfg->tls.present; i++)
        if (cfg->listen[i].transport == SIP_TP_TLS)
            diag_error(L->d, cfg->file, cfg->listen[i].line,
                       "listen address tls:%s:%u needs a [tls] section (certificate, private_key)",
                       cfg->listen[i].host, cfg->listen[i].port);
    config_check_admin(L);
    config_check_key(L, "private_key", cfg->tls.private_key, cfg->tls.private_key_line);
    config_check_key(L, "client_private_key", cfg->tls.client_private_key,
                     cfg->tls.client_private_key_line);
}

static void config_defaults_set(struct node_config *cfg)
{
    cfg->max_forwards = 70;
    cfg->max_message_size = 65536;
    cfg->idle_timeout = 600;
    cfg->message_timeout = 30;
    cfg->connect_timeout = 3;
    cfg->handshake_timeout = 5;
    cfg->max_connections = 10000;
    cfg->max_connections_per_ip = 100;
    cfg->rate_limit_per_ip = 200;
    cfg->rate_limit_per_domain = 500;
    cfg->peer_keepalive_interval = 30;
    cfg->tls.min_version = 12;
    cfg->log_level = LOG_LVL_INFO;
    cfg->admin_history = ADMIN_HISTORY_DEFAULT;
}

/* Shared by both loaders: parse and check `path`; with `keep`, a config that had errors is still
 * handed out (for `check` to go on to the dial plan), otherwise it is freed. */
static int config_load(const char *path, struct diag *d, bool keep, struct node_config **out)
{
    *out = NULL;
    su_home_t *scratch = su_home_new(sizeof *scratch);
    struct node_config *cfg = su_home_new(sizeof *cfg);
    struct config_loader L = { .cfg = cfg, .d = scratch ? diag_new(scratch) : NULL };
    if (!cfg || !L.d) {
        su_home_unref(scratch);
        node_config_free(cfg);
        return ENOMEM;
    }
    config_defaults_set(cfg);
    cfg->file = su_strdup(cfg->home, path);
    cfg->dir = ini_path_dir(cfg->home, path);
    int err = ini_file_parse(path, path, L.d, config_section_load, &L);
    if (!err)
        config_check(&L);
    if (!err && diag_error_count(L.d))
        err = EINVAL;
    ini_diag_append_sorted(d, L.d, &path, 1);
    su_home_unref(scratch);
    if (err && !(keep && err == EINVAL)) {
        node_config_free(cfg);
        return err;
    }
    *out = cfg;
    return err;
}

int node_config_load(const char *path, struct diag *d, struct node_config **out)
{
    return config_load(path, d, false, out);
}

int node_config_load_partial(const char *path, struct diag *d, struct node_config **out)
{
    return config_load(path, d, true, out);
}

void node_config_free(struct node_config *cfg)
{
    if (cfg)
        su_home_unref(cfg->home);
}
