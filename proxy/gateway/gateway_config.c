/* gateway_config.c — the [gateway] section of the node file, read with the same INI reader and
 * value parsers as the proxy's sections; [log] and [presence] are read for the gateway too. */
#include "gateway_config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sofia-sip/su_string.h>

#include "ini_file.h"
#include "ini_value.h"

enum { IDLE_MIN = 5, IDLE_MAX = 86400, EXPIRES_MIN = 60, EXPIRES_MAX = 86400,
       RECONNECT_MAX_MAX = 3600, SECRET_MAX = 1024 };

struct gw_loader {
    struct gateway_config *cfg;
    struct diag *d;
    struct diag *shared_d;       /* where [log] and [presence] problems go */
    unsigned seen_gateway;
};

static int hostport_apply(struct ini_ctx *c, const struct ini_entry *e, char **host,
                          uint16_t *port)
{
    char *v = NULL;
    if (ini_value_text(c, e, &v))
        return EINVAL;
    const char *bad = v ? ini_hostport_parse(c->home, v, true, host, port)
                        : "expected HOST:PORT";
    return bad ? ini_value_invalid(c, e, v ? v : "", bad) : 0;
}

static int listen_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return hostport_apply(c, e, &cfg->sip_host, &cfg->sip_port);
}

static int proxy_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return hostport_apply(c, e, &cfg->proxy_host, &cfg->proxy_port);
}

static int xmpp_server_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return hostport_apply(c, e, &cfg->xmpp_host, &cfg->xmpp_port);
}

static int transport_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    enum sip_transport tp;
    if (ini_value_transport(c, e, &tp))
        return EINVAL;
    /* The gateway is a plain UA next to the proxy; TLS toward the partner is the proxy's job. */
    if (tp == SIP_TP_TLS)
        return ini_value_invalid(c, e, e->value, "expected tcp or udp: the gateway talks to the "
                                 "proxy on a loopback or private link, the proxy does TLS");
    cfg->sip_transport = cfg->proxy_transport = tp;
    return 0;
}

static int secret_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return ini_value_text(c, e, &cfg->secret);
}

/* The secret in a file of its own (mode 600, like a TLS key); one line, trailing space cut. */
static int secret_file_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    char *path = NULL, buf[SECRET_MAX + 2];
    struct stat st;
    FILE *f;
    if (ini_value_path(c, e, cfg->dir, &path) || !path)
        return path ? EINVAL : ini_value_invalid(c, e, "", "expected a file name");
    if (stat(path, &st) != 0 || !(f = fopen(path, "r"))) {
        diag_error(c->d, c->sec->file, e->line, "cannot read component_secret_file '%s': %s",
                   path, strerror(errno));
        return EINVAL;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (st.st_mode & 077) {
        diag_error(c->d, c->sec->file, e->line,
                   "component_secret_file '%s' is readable by group or others (mode %04o): "
                   "run chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
        return EINVAL;
    }
    if (buf[0] == '\0' || n > SECRET_MAX)
        return ini_value_invalid(c, e, path, "the file must hold the secret on its first line");
    cfg->secret = su_strdup(cfg->home, buf);
    return 0;
}

static int domain_list_apply(struct ini_ctx *c, const struct ini_entry *e, char ***out,
                             size_t *n)
{
    int err = ini_value_domains(c, e, out, n);
    if (err == 0 && *n == 0)
        err = ini_value_invalid(c, e, "", "expected at least one domain");
    return err;
}

static int partner_domains_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return domain_list_apply(c, e, &cfg->partner_domains, &cfg->n_partner_domains);
}

static int local_domains_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct gateway_config *cfg = obj;
    return domain_list_apply(c, e, &cfg->local_domains, &cfg->n_local_domains);
}

static int session_idle_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, IDLE_MIN, IDLE_MAX, &((struct gateway_config *)obj)->session_idle);
}

static int subscribe_expires_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, EXPIRES_MIN, EXPIRES_MAX,
                          &((struct gateway_config *)obj)->subscribe_expires);
}

static int reconnect_max_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, RECONNECT_MAX_MAX,
                          &((struct gateway_config *)obj)->reconnect_max);
}

static const struct ini_key gateway_keys[] = {
    { "listen", 0, listen_apply },
    { "proxy", 0, proxy_apply },
    { "transport", 0, transport_apply },
    { "xmpp_server", 0, xmpp_server_apply },
    { "component_secret", 0, secret_apply },
    { "partner_domains", 0, partner_domains_apply },
    { "local_domains", 0, local_domains_apply },
    { "session_idle", 0, session_idle_apply },
    { "subscribe_expires", 0, subscribe_expires_apply },
    { "reconnect_max", 0, reconnect_max_apply },
    { "component_secret_file", 0, secret_file_apply },
    { NULL, 0, NULL },
};

static void gateway_section_load(struct gw_loader *L, struct ini_section *sec)
{
    struct gateway_config *cfg = L->cfg;
    struct ini_ctx c = { .home = cfg->home, .d = L->d, .sec = sec };

    if (L->seen_gateway) {
        diag_error(L->d, sec->file, sec->line, "section [gateway] given twice (first at line %u)",
                   L->seen_gateway);
        return;
    }
    L->seen_gateway = sec->line;
    ini_section_mark_duplicates(sec, L->d);
    ini_section_apply(&c, gateway_keys, 0, "", cfg);
    const struct ini_entry *sf = ini_section_get(sec, "component_secret_file");
    if (sf && ini_section_get(sec, "component_secret"))
        diag_error(L->d, sec->file, sf->line,
                   "give component_secret or component_secret_file, not both");
    static const char *const required[] = { "listen", "proxy", "xmpp_server", "partner_domains",
                                            "local_domains" };
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        ini_section_require(sec, L->d, required[i]);
    if (!sf && !ini_section_get(sec, "component_secret"))
        diag_error(L->d, sec->file, sec->line,
                   "missing component_secret_file (or component_secret) in [gateway]: the "
                   "XEP-0114 secret of the XMPP server's Component sections");
    for (size_t i = 0; i < cfg->n_partner_domains; i++)
        if (gateway_domain_in(cfg->local_domains, cfg->n_local_domains, cfg->partner_domains[i]))
            diag_error(L->d, sec->file, sec->line,
                       "domain '%s' is both a partner and a local domain", cfg->partner_domains[i]);
}

static void section_load(void *user, struct ini_section *sec)
{
    struct gw_loader *L = user;
    struct ini_ctx c = { .home = L->cfg->home, .d = L->shared_d, .sec = sec };
    const struct ini_entry *e;

    if (strcmp(sec->header, "gateway") == 0) {
        gateway_section_load(L, sec);
    } else if (strcmp(sec->header, "log") == 0 && (e = ini_section_get(sec, "level"))) {
        if (log_level_parse(e->value, &L->cfg->log_level) != 0)
            ini_value_invalid(&c, e, e->value, "expected error, warn, info or debug");
    } else if (strcmp(sec->header, "presence") == 0 &&
               (e = ini_section_get(sec, "busy_as_dnd"))) {
        ini_value_switch(&c, e, &L->cfg->busy_as_dnd);
    }
    /* every other section is the proxy's (config.c checks it) */
}

/* `shared_d`: where the problems of [log] and [presence], sections the proxy reads too, go. */
static int config_load(const char *path, struct diag *d, struct diag *shared_d,
                       struct gateway_config **out)
{
    *out = NULL;
    struct gateway_config *cfg = su_home_new(sizeof *cfg);
    if (!cfg)
        return ENOMEM;
    struct gw_loader L = { .cfg = cfg, .d = d, .shared_d = shared_d };
    cfg->dir = ini_path_dir(cfg->home, path);
    cfg->file = su_strdup(cfg->home, path);
    cfg->sip_transport = cfg->proxy_transport = SIP_TP_TCP;
    cfg->session_idle = 300;
    cfg->subscribe_expires = 3600;
    cfg->reconnect_max = 30;
    cfg->log_level = LOG_LVL_INFO;
    size_t errors_before = diag_error_count(d) + diag_error_count(shared_d);
    int err = ini_file_parse(path, path, d, section_load, &L);
    if (!err && !L.seen_gateway) {
        diag_error(d, path, 0, "no [gateway] section: the XMPP gateway is not configured "
                   "(docs/xmpp.md)");
        err = ENOENT;
    }
    if (!err && diag_error_count(d) + diag_error_count(shared_d) > errors_before)
        err = EINVAL;
    if (err) {
        gateway_config_free(cfg);
        return err;
    }
    *out = cfg;
    return 0;
}

int gateway_config_load(const char *path, struct diag *d, struct gateway_config **out)
{
    return config_load(path, d, d, out);
}

int gateway_config_check(const char *path, struct diag *d)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *own = diag_new(home), *shared = diag_new(home);
    struct gateway_config *cfg = NULL;
    int err = own && shared ? config_load(path, own, shared, &cfg) : ENOMEM;

    gateway_config_free(cfg);
    if (err != ENOENT && own)
        ini_diag_append_sorted(d, own, &path, 1);
    su_home_deinit(home);
    return err == ENOENT ? 0 : err;
}

void gateway_config_free(struct gateway_config *cfg)
{
    if (cfg)
        su_home_unref(cfg->home);
}

bool gateway_domain_in(char *const *list, size_t n, const char *domain)
{
    for (size_t i = 0; i < n; i++)
        if (su_casematch(list[i], domain))
            return true;
    return false;
}
