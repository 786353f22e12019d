/* proxy_gen.c — one configuration generation: load the node file and the dial plan and build
 * what the proxy derives from them; reference-counted so transactions keep the one they started
 * with. Below proxy.c and forward*.c: both call it, it calls neither. */
#include <errno.h>

#include <sofia-sip/sip_header.h>

#include "dnszone.h"
#include "proxy_gen.h"

/* The port of the first listen address of transport `tp` (0: none; outgoing only). */
static unsigned listen_port(const struct node_config *cfg, enum sip_transport tp)
{
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (cfg->listen[i].transport == tp)
            return cfg->listen[i].port;
    return 0;
}

static void self_build(struct proxy_gen *g)
{
    const struct node_config *cfg = g->cfg;
    const char **hosts = su_zalloc(g->home, (cfg->n_listen + 1) * sizeof *hosts);
    uint16_t *ports = su_zalloc(g->home, (cfg->n_listen + 1) * sizeof *ports);

    g->self.hostname = cfg->hostname;
    g->self.hosts = hosts;
    g->self.ports = ports;
    for (size_t i = 0; hosts && ports && i < cfg->n_listen; i++) {
        hosts[i] = cfg->listen[i].host;
        ports[i] = cfg->listen[i].port;
        g->self.n++;
    }
    for (int tp = SIP_TP_UDP; tp <= SIP_TP_TLS; tp++)
        g->self.record_route[tp] = sip_record_route_make(
            g->home, route_record_route_make(g->home, cfg->hostname, (enum sip_transport)tp,
                                             listen_port(cfg, (enum sip_transport)tp)));
}

int proxy_gen_parse(const char *config_path, struct diag *d, struct proxy_gen **out)
{
    struct proxy_gen *g = su_home_new(sizeof *g);
    int err;

    *out = NULL;
    if (!g)
        return ENOMEM;
    g->refs = 1;
    if ((err = node_config_load(config_path, d, &g->cfg)) != 0 ||
        (err = dialplan_load(g->cfg->dialplan_dir, d, &g->dp)) != 0) {
        proxy_gen_unref(g);
        return err;
    }
    dialplan_workers_check(g->dp, g->cfg, d);
    if (diag_error_count(d) > 0) {
        proxy_gen_unref(g);
        return EINVAL;
    }
    *out = g;
    return 0;
}

void proxy_gen_names_options(const struct proxy_gen *g, struct dns_options *opt)
{
    dnszone_options(g->cfg, opt);
}

int proxy_gen_build(struct proxy_gen *g, const struct gen_names *names, struct diag *d)
{
    int err;

    /* A name that does not resolve is an error: the proxy does not start, a reload is refused
     * (docs/configuration.md "Host names"). */
    if (gen_names_report(names, g->dp, d) > 0)
        return EINVAL;
    if ((err = srczone_table_build(g->home, g->dp, names, &g->sz)) != 0 ||
        (err = nexthop_table_build(g->home, g->dp, names, &g->nt)) != 0 ||
        (err = tls_setup_create(g->home, g->cfg, g->dp, d, &g->tls)) != 0)
        return err;
    self_build(g);
    g->nh.dp = g->dp;
    g->nh.sz = g->sz;
    g->nh.nt = g->nt;
    return 0;
}

int proxy_gen_load(const char *config_path, struct diag *d, struct proxy_gen **out)
{
    struct proxy_gen *g = NULL;
    struct gen_names *names = NULL;
    struct dns_options opt;

    *out = NULL;
    int err = proxy_gen_parse(config_path, d, &g);
    if (err)
        return err;
    proxy_gen_names_options(g, &opt);
    if ((err = gen_names_resolve_file(&opt, g->dp, g->cfg->file, d, &names)) == 0)
        err = proxy_gen_build(g, names, d);
    gen_names_destroy(names);
    if (err) {
        proxy_gen_unref(g);
        return err;
    }
    *out = g;
    return 0;
}

struct proxy_gen *proxy_gen_ref(struct proxy_gen *g)
{
    g->refs++;
    return g;
}

void proxy_gen_unref(struct proxy_gen *g)
{
    if (!g || --g->refs > 0)
        return;
    if (g->dp)
        dialplan_free(g->dp);
    if (g->cfg)
        node_config_free(g->cfg);
    su_home_unref(g->home);
}
