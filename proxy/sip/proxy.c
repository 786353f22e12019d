/* proxy.c — the running proxy: configuration generations, the nta agent and its listen
 * addresses, signals through a signalfd on the su_root (no work in signal handlers). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

struct proxy;
struct forward_env;
#define SU_ROOT_MAGIC_T      struct proxy
#define SU_WAKEUP_ARG_T      struct proxy
#define SU_TIMER_ARG_T       struct proxy
#define NTA_LEG_MAGIC_T      struct forward_env
#define NTA_AGENT_MAGIC_T    struct forward_env

#include <sofia-sip/nta.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/su_string.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include "admin.h"
#include "dns.h"
#include "dnszone.h"
#include "forward.h"
#include "gen_names.h"
#include "inbound.h"
#include "peerhealth.h"
#include "log.h"
#include "ops_stats.h"
#include "presence_proxy.h"
#include "privileges.h"
#include "policy.h"
#include "proxy.h"
#include "service_notify.h"
#include "sip_mclass.h"
#include "stream_read.h"
#include "sofialog.h"
#include "unreadable.h"
#include "traversal.h"
#include "reuseport_hook.h"
#include "worker_link.h"
#include "workers.h"

/* SPEC §2: on SIGTERM/SIGINT transactions get this long to finish. */
enum { PROXY_DRAIN_MS = 5000 };

struct proxy {
    su_home_t home[1];
    su_root_t *root;
    nta_agent_t *agent;
    const char *config_path;
    struct forward_env env;
    struct proxy_counters counters;
    int sigfd;
    su_wait_t sigwait[1];
    int sigindex;
    su_timer_t *drain_timer;
    struct dns_resolver *dns;           /* c-ares on our root; outlives configuration reloads */
    struct policy_learnt *learnt;       /* open federation's learnt domains (SPEC §6) */
    struct sofialog sofialog;           /* sofia's own refusals as log lines */
    struct sip_mclass *mclass;          /* the agent's message class (outlives the agent) */
    struct inbound_guard *inbound;      /* connection caps and timeouts (inbound.h) */
    struct peer_health *health;         /* OPTIONS keep-alives to neighbor peers (peerhealth.h) */
    struct ops_stats *ops;              /* metrics, search history, generations (SPEC §8) */
    struct admin *admin;                /* the admin HTTP listener, NULL when off */
    char *pid_file;                     /* written at start, removed at exit; NULL: none */
    struct traversal *traversal;        /* the traversal pair's connections (SPEC §5.4) */
    bool tls_transport;                 /* the agent was created with TLS (needs a TLS set-up) */
    struct proxy_reload *reloading;     /* a reload resolving its names, NULL: none */
    bool reload_again;                  /* a SIGHUP came during that reload */
    unsigned worker_index;              /* this worker of `workers` (docs/workers.md) */
    unsigned workers;                   /* 1: a node of one process, no supervisor */
    struct worker_link *link;           /* to the supervisor when workers > 1 */
};

/* A reload between SIGHUP and the answers for its host names (proxy_reload). */
struct proxy_reload {
    su_home_t home[1];
    struct diag *d;                     /* its errors and warnings */
    struct proxy_gen *g;                /* read, not yet built */
    struct gen_names *names;            /* its host names, being resolved */
};

/* Open federation remembers at most this many partner domains (least recently used go first). */
enum { PROXY_LEARNT_MAX = 1024 };

/* ---------------------------------------------------------------- inbound */

static void inbound_limits_of(const struct node_config *cfg, struct inbound_limits *l)
{
    l->handshake_timeout_ms = cfg->handshake_timeout * 1000U;
    l->idle_timeout_ms = cfg->idle_timeout * 1000U;
    l->message_timeout_ms = cfg->message_timeout * 1000U;
    l->max_connections = cfg->max_connections;
    l->max_connections_per_ip = cfg->max_connections_per_ip;
}

/* max_connections is the node's: each of its workers admits its share (the kernel spreads new
 * connections evenly over them). max_connections_per_ip stays per worker (docs/workers.md). */
static void proxy_inbound_limits_of(const struct proxy *px, const struct node_config *cfg,
                                    struct inbound_limits *l)
{
    inbound_limits_of(cfg, l);
    l->max_connections = workers_share(l->max_connections, px->workers);
}

static void proxy_inbound_limits_set(struct proxy *px, const struct node_config *cfg)
{
    struct inbound_limits l;
    proxy_inbound_limits_of(px, cfg, &l);
    if (px->inbound)
        inbound_guard_set_limits(px->inbound, &l);
}

static bool proxy_handshake_done(void *arg, int fd)
{
    struct proxy *px = arg;
    return tls_setup_handshake_expire(px->env.gen->tls, fd);
}

/* The TLS layer's news of a finished inbound handshake, for the guard's trickle watch. */
static void proxy_handshake_finished(void *arg, int fd)
{
    struct proxy *px = arg;
    inbound_guard_handshake_done(px->inbound, fd);
}

/* max_connections sockets need as many descriptors: take the hard limit (systemd's default is
 * 524288; a shell's soft limit is often 1024) and say so when it is still too small. */
static void proxy_fd_limit_raise(const struct node_config *cfg)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* Besides the connections: outgoing connections, UDP, DNS, logs. */
    rlim_t need = (rlim_t)cfg->max_connections + 256;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
        log_warn("proxy", "event=fd_limit nofile=%llu max_connections=%u msg=\"the open-file "
                 "limit is below max_connections: accept fails before the cap (raise "
                 "LimitNOFILE)\"", (unsigned long long)rl.rlim_cur, cfg->max_connections);
}

/* Hand the guard every TCP/TLS address the agent listens on (the bound address and port). */
static int proxy_inbound_watch(struct proxy *px)
{
    for (tport_t *tp = tport_primaries(nta_agent_tports(px->agent)); tp; tp = tport_next(tp)) {
        const tp_name_t *n = tport_name(tp);
        const su_addrinfo_t *ai = tport_get_address(tp);
        if (!n || !n->tpn_proto || !ai || !ai->ai_addr || su_casematch(n->tpn_proto, "udp"))
            continue;
        const su_sockaddr_t *su = (const su_sockaddr_t *)ai->ai_addr;
        if (su->su_port == 0)
            continue;                   /* outgoing only (agent_add_client) */
        int err = inbound_guard_listen(px->inbound, ai->ai_addr, tport_has_tls(tp));
        if (err)
            return err;
        log_debug("inbound", "event=watch proto=%s port=%u", n->tpn_proto, ntohs(su->su_port));
    }
    return 0;
}

/* ----------------------------------------------------------------- reload */

static void diag_log(const struct diag *d, enum log_level lvl)
{
    char buf[1024];
    for (size_t i = 0; i < diag_count(d); i++) {
        diag_format(diag_get(d, i), buf, sizeof buf);
        LOG_AT(diag_get(d, i)->is_error ? lvl : LOG_LVL_WARN, "config", "msg=\"%s\"", buf);
    }
}

static bool listen_same(const struct node_config *a, const struct node_config *b)
{
    if (a->n_listen != b->n_listen)
        return false;
    for (size_t i = 0; i < a->n_listen; i++)
        if (a->listen[i].transport != b->listen[i].transport ||
            a->listen[i].port != b->listen[i].port ||
            strcmp(a->listen[i].host, b->listen[i].host) != 0)
            return false;
    return true;
}

static void gen_log_unbuilt(void *arg, const struct zone *z, const char *event, const char *what)
{
    (void)arg;
    log_warn("config", "event=%s zone=%s msg=\"%s\"", event, z->name, what);
}

/* Say at start and on reload what this version does not build, rather than let an admin
 * believe it runs: the dial plan's (dialplan_unbuilt.c, the list `check` reports too). */
static void gen_warn_unbuilt(const struct proxy_gen *g)
{
    dialplan_unbuilt_each(g->dp, gen_log_unbuilt, NULL);
}

/* Make the new generation's TLS set-up the policy of every new connection: the last step of a
 * reload that can fail, taken before anything of the running proxy changes. Returns 0, or an
 * errno code with `*why` set for the log. */
static int reload_tls_apply(struct proxy *px, struct proxy_gen *g, const char **why)
{
    if (!g->tls)
        return 0;                        /* the new configuration uses no TLS */
    if (!px->tls_transport) {
        /* The agent's TLS transports are made at start from the first set-up (proxy_create). */
        *why = "the running proxy started without TLS; restart to apply a TLS configuration";
        return ENOTSUP;
    }
    int err = tls_setup_activate(g->tls, px->root, forward_tls_failed, &px->env);
    if (err)
        *why = err == ENOSYS ? "the TLS connection hook is not in effect"
                             : "the new TLS set-up cannot be activated";
    return err;
}

/* ------------------------------------------------ life cycle, told to systemd or the supervisor */

static void proxy_say_ready(struct proxy *px, const char *status)
{
    if (px->link)
        worker_link_send(px->link, "ready");
    else
        service_notify_ready(status);
}

static void proxy_say_reloading(struct proxy *px)
{
    if (!px->link)
        service_notify_reloading(px->config_path);
}

static void proxy_say_reloaded(struct proxy *px, bool accepted, const char *status)
{
    if (px->link)
        worker_link_send(px->link, accepted ? "reload ok" : "reload refused");
    else
        service_notify_reloaded(accepted, status);
}

/* A worker's stop is the supervisor's to announce (it forwards SIGTERM to every worker). */
static void proxy_say_stopping(struct proxy *px, const char *status)
{
    if (!px->link)
        service_notify_stopping(status);
}

/* Open federation: a domain this worker learnt goes to the others through the supervisor. */
static void proxy_learnt_new(struct forward_env *env, const char *domain)
{
    struct proxy *px = (struct proxy *)((char *)env - offsetof(struct proxy, env));
    char msg[WORKERS_MSG_SIZE];
    if ((size_t)snprintf(msg, sizeof msg, "learnt %s", domain) < sizeof msg)
        worker_link_send(px->link, msg);
}

/* ... and a domain another worker learnt is learnt here too (not passed on again). */
static void proxy_learnt_told(void *arg, const char *domain)
{
    struct proxy *px = arg;
    bool added = false;
    if (policy_domain_learnable(px->env.gen->dp, domain) &&
        policy_learnt_add(px->learnt, domain, &added) == 0 && added)
        log_info("policy", "event=learnt domain=%s from=worker learnt=%zu", domain,
                 policy_learnt_count(px->learnt));
}

/* A refused reload: counted (ops), logged with `what` (key=value fields), told to systemd. */
static void reload_refused(struct proxy *px, size_t errors, const char *first, const char *what,
                           const char *status)
{
    ops_reload_record(px->ops, false, errors, first);
    log_error("config", "event=reload status=refused generation=%u %s file=%s "
              "msg=\"the running configuration keeps serving\"", px->ops->generation, what,
              px->config_path);
    proxy_say_reloaded(px, false, status);
}

/* A refused reload whose reason is the first error of `d`. */
static void reload_refused_diag(struct proxy *px, const struct diag *d)
{
    char first[512] = "", status[256], what[32];
    for (size_t i = 0; i < diag_count(d); i++)
        if (diag_get(d, i)->is_error) {
            diag_format(diag_get(d, i), first, sizeof first);
            break;
        }
    snprintf(status, sizeof status, "reload refused: %zu error%s in %s (see the log); "
             "serving the previous configuration", diag_error_count(d),
             diag_error_count(d) == 1 ? "" : "s", px->config_path);
    snprintf(what, sizeof what, "errors=%zu", diag_error_count(d));
    reload_refused(px, diag_error_count(d), first, what, status);
}

/* The new generation `g` is complete: activate its TLS set-up, then make it current. Nothing
 * of the running proxy changes before the TLS set-up is in effect. Takes `g`. */
static void reload_swap(struct proxy *px, struct proxy_gen *g)
{
    const char *why = NULL;
    char status[256];

    if (reload_tls_apply(px, g, &why) != 0) {
        proxy_gen_unref(g);
        snprintf(status, sizeof status, "reload refused: %s; serving the previous configuration",
                 why);
        char what[320];
        snprintf(what, sizeof what, "errors=1 reason=\"%s\"", why);
        reload_refused(px, 1, why, what, status);
        return;
    }
    if (!listen_same(g->cfg, px->env.gen->cfg))
        log_warn("config", "event=reload msg=\"listen addresses changed: restart to apply\"");
    struct dns_options dopt;
    const char *dns_error = NULL;
    dnszone_options(g->cfg, &dopt);
    if (dns_resolver_set_servers(px->dns, &dopt, &dns_error) != 0)
        log_warn("dns", "event=reload msg=\"%s\"", dns_error ? dns_error : "out of memory");
    g->nh.dns = px->dns;
    g->nh.health = px->health;
    if (peer_health_set_targets(px->health, g, g->cfg->peer_keepalive_interval) != 0)
        log_error("health", "event=reload msg=\"out of memory: peer probing incomplete\"");
    g->nh.trav = px->traversal;
    proxy_gen_unref(px->env.gen);
    px->env.gen = g;
    ops_reload_record(px->ops, true, 0, NULL);
    if (px->admin)
        admin_reconfigure(px->admin, g->cfg);
    else if (g->cfg->admin_listen)
        log_warn("admin", "event=reload msg=\"admin listen added: restart to apply\"");
    traversal_apply(px->traversal, g);
    log_set_level(g->cfg->log_level);
    proxy_inbound_limits_set(px, g->cfg);
    log_info("config", "event=reload status=ok zones=%zu rules=%zu", g->dp->n_zones,
             g->dp->n_rules);
    log_info("config", "event=reload status=ok generation=%u zones=%zu rules=%zu",
             px->ops->generation, g->dp->n_zones, g->dp->n_rules);
    snprintf(status, sizeof status, "configuration reloaded: %zu zones, %zu rules",
             g->dp->n_zones, g->dp->n_rules);
    proxy_say_reloaded(px, true, status);
    gen_warn_unbuilt(g);
}

static void proxy_reload(struct proxy *px);

/* The reload in progress is over (applied or refused): free it; a SIGHUP that came meanwhile
 * starts the next one, which reads the files again. */
static void reload_end(struct proxy *px)
{
    struct proxy_reload *rl = px->reloading;
    px->reloading = NULL;
    gen_names_destroy(rl->names);
    su_home_unref(rl->home);
    if (px->reload_again) {
        px->reload_again = false;
        proxy_reload(px);
    }
}

/* Every host name of the new configuration has its answer (from the loop, gen_names.h). */
static void reload_names_done(void *arg, struct gen_names *names)
{
    struct proxy *px = arg;
    struct proxy_reload *rl = px->reloading;
    struct proxy_gen *g = rl->g;

    rl->g = NULL;
    int err = proxy_gen_build(g, names, rl->d);
    diag_log(rl->d, LOG_LVL_ERROR);
    if (err) {
        proxy_gen_unref(g);
        reload_refused_diag(px, rl->d);
    } else {
        reload_swap(px, g);
    }
    reload_end(px);
}

/* SIGHUP: all or nothing. Read the files into a new generation, resolve its host names through
 * c-ares on the event loop (requests keep flowing meanwhile, on the old generation), build it
 * and activate its TLS set-up (reload_names_done); on any error — a file, a name that does not
 * resolve, TLS — the old generation keeps serving, unchanged, and the errors are logged. Only
 * then is anything of the running proxy changed (DNS servers, log level, the current
 * generation). A SIGHUP during a reload is done after it. */
static void proxy_reload(struct proxy *px)
{
    struct dns_options opt;
    const char *why = NULL;

    if (px->reloading) {
        px->reload_again = true;
        log_info("config", "event=reload status=queued msg=\"a reload is resolving names; "
                 "this one follows it\"");
        return;
    }
    struct proxy_reload *rl = su_home_new(sizeof *rl);
    if (!rl || !(rl->d = diag_new(rl->home))) {
        su_home_unref(rl ? rl->home : NULL);
        reload_refused(px, 1, "out of memory", "errors=1 reason=\"out of memory\"",
                       "reload refused: out of memory");
        return;
    }
    px->reloading = rl;
    proxy_say_reloading(px);
    int err = proxy_gen_parse(px->config_path, rl->d, &rl->g);
    if (err) {
        diag_log(rl->d, LOG_LVL_ERROR);
        reload_refused_diag(px, rl->d);
        reload_end(px);
        return;
    }
    proxy_gen_names_options(rl->g, &opt);
    err = gen_names_start(px->root, &opt, rl->g->dp, reload_names_done, px, &rl->names, &why);
    if (err) {
        diag_error(rl->d, rl->g->cfg->file, 0, "cannot resolve the configuration's host "
                   "names: %s", why ? why : strerror(err));
        proxy_gen_unref(rl->g);
        rl->g = NULL;
        diag_log(rl->d, LOG_LVL_ERROR);
        reload_refused_diag(px, rl->d);
        reload_end(px);
        return;
    }
    log_info("config", "event=reload status=resolving names=%zu file=%s",
             gen_names_count(rl->names), px->config_path);
}

/* ---------------------------------------------------------------- signals */

static void drain_expired(struct proxy *px, su_timer_t *t, struct proxy *arg)
{
    (void)t;
    (void)arg;
    log_warn("proxy", "event=stop msg=\"drain time over\" active=%u", px->env.active);
    su_root_break(px->root);
}

static void drained(struct forward_env *env)
{
    struct proxy *px = (struct proxy *)((char *)env - offsetof(struct proxy, env));
    su_root_break(px->root);
}

static void proxy_stop(struct proxy *px, const char *why)
{
    if (px->env.stopping)
        return;
    px->env.stopping = true;
    log_info("proxy", "event=stop signal=%s active=%u", why, px->env.active);
    char status[96];
    snprintf(status, sizeof status, "stopping: %u transaction%s to finish", px->env.active,
             px->env.active == 1 ? "" : "s");
    proxy_say_stopping(px, status);
    if (px->env.active == 0) {
        su_root_break(px->root);
        return;
    }
    px->drain_timer = su_timer_create(su_root_task(px->root), PROXY_DRAIN_MS);
    if (!px->drain_timer || su_timer_set(px->drain_timer, drain_expired, px) < 0)
        su_root_break(px->root);
}

static int signal_ready(struct proxy *px, su_wait_t *w, struct proxy *arg)
{
    (void)w;
    (void)arg;
    struct signalfd_siginfo si;

    while (read(px->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGHUP)
            proxy_reload(px);
        else if (si.ssi_signo == SIGTERM)
            proxy_stop(px, "TERM");
        else if (si.ssi_signo == SIGINT)
            proxy_stop(px, "INT");
    }
    return 0;
}

static int signals_setup(struct proxy *px)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return errno;
    signal(SIGPIPE, SIG_IGN);
    px->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (px->sigfd < 0)
        return errno;
    if (su_wait_create(px->sigwait, px->sigfd, SU_WAIT_IN) < 0)
        return EIO;
    px->sigindex = su_root_register(px->root, px->sigwait, signal_ready, px, 0);
    return px->sigindex < 0 ? EIO : 0;
}

/* ------------------------------------------------------------------ agent */

/* sofia reads what a TCP socket holds into one buffer (at most STREAM_READ_CHUNK per poll turn
 * since stream_read.c), and closes the connection when the unparsed data exceeds NTATAG_MAXSIZE:
 * with max_message_size there, a burst of pipelined requests over 64 kB (a loaded IM&P or sipp
 * connection) dropped the connection. The limit is therefore above the kernel's largest TCP
 * receive buffer (net.ipv4.tcp_rmem max, 6 MB by default); forward_message() enforces
 * max_message_size per message (513). */
#define PROXY_STREAM_READ_MAX (16u * 1024 * 1024)

/* Messages a connection may queue while it connects or its socket is full. sofia's default (64)
 * answered 503 (ENOBUFS) to the 65th request of a burst sent while the TCP/TLS connection to the
 * next hop was being set up. As many as the overload control lets in (forward_overload.c). */
enum { PROXY_SEND_QUEUE = 1000 };

/* The listen URL: the node's FQDN as the host, so nta writes it in the Via sent-by (SPEC §3.1:
 * the hostname goes into Record-Route and Via), and the configured address as maddr, which is
 * what nta binds. */
static char *listen_url(su_home_t *home, const char *hostname, const struct listen_addr *l,
                        unsigned port)
{
    bool v6 = strchr(l->host, ':') != NULL;
    const char *maddr = v6 ? su_sprintf(home, "[%s]", l->host) : l->host;
    /* nta binds TLS only for a sips: URI (";transport=tls" selects among udp/tcp/sctp). */
    if (l->transport == SIP_TP_TLS)
        return su_sprintf(home, "sips:%s:%u;maddr=%s", hostname, port, maddr);
    if (port == 0)
        return su_sprintf(home, "sip:%s:*;transport=%s;maddr=%s", hostname,
                          sip_transport_name(l->transport), maddr);
    return su_sprintf(home, "sip:%s:%u;transport=%s;maddr=%s", hostname, port,
                      sip_transport_name(l->transport), maddr);
}

/* The port a worker binds for listen address `l`: TCP and TLS ports are shared by every worker
 * (SO_REUSEPORT, reuseport_hook.c). A UDP port has one owner, worker 0: the kernel would hash
 * each datagram by its source, so a response would reach whichever worker its source hashes
 * to, not the worker whose transaction sent the request. Every other worker binds an ephemeral
 * UDP port on the same address, which its Via names: responses come back to it (RFC 3261
 * §18.2.2), and it can still send over UDP. */
static unsigned listen_port(const struct proxy *px, const struct listen_addr *l)
{
    return l->transport == SIP_TP_UDP && px->worker_index > 0 ? 0 : l->port;
}

/* Workers share their TCP and TLS listen ports (SO_REUSEPORT set by reuseport_hook.c before
 * sofia binds them). */
static int proxy_reuseport_set(const struct proxy *px, const struct node_config *cfg)
{
    uint16_t ports[REUSEPORT_PORTS_MAX];
    size_t n = 0;
    if (px->workers <= 1)
        return 0;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        if (cfg->listen[i].transport == SIP_TP_UDP)
            continue;
        if (n == REUSEPORT_PORTS_MAX)
            return E2BIG;
        ports[n++] = cfg->listen[i].port;
    }
    return reuseport_ports_set(ports, n);
}

/* True when a zone or a static route of `dp` sends over `tp` (dns zones: TLS). */
static bool dialplan_sends_over(const struct dialplan *dp, enum sip_transport tp)
{
    for (size_t i = 0; dp && i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        if (z->type == ZONE_DNS ? tp == SIP_TP_TLS
                                : z->type != ZONE_DEFAULT && z->transport == tp)
            return true;
    }
    for (size_t i = 0; dp && i < dp->n_static_routes; i++)
        if (dp->static_routes[i]->transport == tp)
            return true;
    return false;
}

/* A node may send over a transport it does not listen on (SPEC §3.1: e.g. TCP in, TLS out to a
 * zone). nta needs a transport of that kind to connect out: add a client-only one
 * (TPTAG_SERVER(0), no port bound) for TCP when the dial plan sends over TCP, and for TLS when
 * the node has a TLS set-up. Only then: with a TCP transport present, nta moves a request larger
 * than the UDP MTU from UDP to TCP (RFC 3261 §18.1.1), which a UDP-only node must not do. Not for
 * UDP: responses follow the Via, which must name an address we listen on. A reload that adds a
 * TCP zone to a node without one needs a restart. */
static int agent_add_client(struct proxy *px, const struct node_config *cfg,
                            enum sip_transport tp, const struct tls_setup *tls)
{
    for (size_t i = 0; i < cfg->n_listen; i++)
        if (cfg->listen[i].transport == tp)
            return 0;
    const char *url = tp == SIP_TP_TLS ? "sips:*:*" : "sip:*:*;transport=tcp";
    const tagi_t *tags = tp == SIP_TP_TLS ? tls_setup_tport_tags(tls) : NULL;
    if (nta_agent_add_tport(px->agent, (url_string_t *)url, TPTAG_SERVER(0), TAG_NEXT(tags)) < 0) {
        log_text(LOG_LVL_ERROR, "%s: cannot create the outgoing %s transport: %s", cfg->file,
                sip_transport_name(tp), strerror(errno));
        return EIO;
    }
    log_info("proxy", "event=listen url=%s outgoing_only=yes", url);
    return 0;
}

/* sofialog: nta dropped a message it could not read. */
static void proxy_garbage(void *arg)
{
    struct proxy *px = arg;
    if (px->env.unreadable)
        unreadable_note(px->env.unreadable);
}

static int agent_listen(struct proxy *px, const struct node_config *cfg)
{
    const struct tls_setup *tls = px->env.gen->tls;
    for (size_t i = 0; i < cfg->n_listen; i++) {
        const struct listen_addr *l = &cfg->listen[i];
        char *url = listen_url(px->home, cfg->hostname, l, listen_port(px, l));
        /* TLS: sofia's certificate directory and verification off (tls_hook.c does it). */
        const tagi_t *tp_tags = l->transport == SIP_TP_TLS && tls ? tls_setup_tport_tags(tls)
                                                                  : NULL;
        int rc;
        if (!px->agent) {
            sofialog_attach(&px->sofialog);
            sofialog_on_garbage(&px->sofialog, proxy_garbage, px);
            if (sofialog_limit_start(&px->sofialog, px->root, SOFIALOG_LIMIT_QUIET_MS) != 0)
                return ENOMEM;
            px->mclass = sip_mclass_create();
            if (!px->mclass)
                return ENOMEM;
            px->agent = nta_agent_create(px->root, (url_string_t *)url, forward_message, &px->env,
                                         NTATAG_UA(0), NTATAG_STATELESS(1), NTATAG_CANCEL_487(0),
                                         NTATAG_SERVER_RPORT(1), NTATAG_PASS_100(1),
                                         NTATAG_TIMEOUT_408(1), NTATAG_MERGE_482(0),
                                         NTATAG_MAXSIZE(PROXY_STREAM_READ_MAX),
                                         /* RFC 3261 §16.6: every parsed header keeps its
                                          * bytes as received, and an unmodified header is
                                          * sent as it came (docs/forwarding.md). */
                                         NTATAG_SIPFLAGS(MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY),
                                         /* A proxy needs only what a transaction needs
                                          * (RFC 3261 §16.3): nta answers 400 for a bad
                                          * request line, Via, From, To, Call-ID, CSeq or
                                          * Content-Length; forward.c for a bad Route,
                                          * Max-Forwards or Proxy-Require. Any other header
                                          * that does not parse is forwarded as it came,
                                          * and so is a response carrying one. */
                                         NTATAG_BAD_REQ_MASK(sip_mask_request),
                                         NTATAG_BAD_RESP_MASK(sip_mask_response),
                                         /* requests sofia's parser would drop unanswered
                                          * (sip_mclass.h) */
                                         NTATAG_MCLASS(sip_mclass_get(px->mclass)),
                                         TPTAG_QUEUESIZE(PROXY_SEND_QUEUE),
                                         /* sofia's default is to wait forever: a peer that
                                          * connects and stays silent, or stops mid-message,
                                          * would hold its socket for good. */
                                         TPTAG_IDLE(cfg->idle_timeout * 1000U),
                                         TPTAG_TIMEOUT(cfg->message_timeout * 1000U),
                                         TAG_NEXT(tp_tags));
            rc = px->agent ? 0 : -1;
        } else {
            rc = nta_agent_add_tport(px->agent, (url_string_t *)url, TAG_NEXT(tp_tags));
        }
        if (rc < 0) {
            log_text(LOG_LVL_ERROR, "%s:%u: cannot listen on %s: %s", cfg->file, l->line, url,
                    strerror(errno));
            return EADDRNOTAVAIL;
        }
        log_info("proxy", "event=listen url=%s", url);
    }
    int err = dialplan_sends_over(px->env.gen->dp, SIP_TP_TCP)
                  ? agent_add_client(px, cfg, SIP_TP_TCP, NULL) : 0;
    return err || !tls ? err : agent_add_client(px, cfg, SIP_TP_TLS, tls);
}

/* [proxy] pid_file: `sipfed reload` and systemd find the daemon there. Written once the
 * listeners are up, removed at exit (only by the process that wrote it). */
static int pid_file_write(struct proxy *px, const struct node_config *cfg)
{
    FILE *f = fopen(cfg->pid_file, "w");
    bool ok = f && fprintf(f, "%ld\n", (long)getpid()) > 0;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        int err = errno ? errno : EIO;
        log_text(LOG_LVL_ERROR, "%s: cannot write pid_file %s: %s", cfg->file, cfg->pid_file,
                 strerror(err));
        return err;
    }
    px->pid_file = su_strdup(px->home, cfg->pid_file);
    return 0;
}

/* Everything that needs root is done (sockets, admin listener, pid file): become [proxy] user
 * (privileges.h), then read the configuration once as that user — what every reload does — so
 * that a file only root can read refuses the start rather than every later reload. */
static int proxy_privileges_drop(struct proxy *px, const struct node_config *cfg)
{
    bool dropped = false;
    int err = privileges_drop(cfg, &dropped);
    if (err || !dropped)
        return err;
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct proxy_gen *g = NULL;
    if ((err = proxy_gen_load(px->config_path, d, &g)) != 0) {
        diag_log(d, LOG_LVL_ERROR);
        log_error("proxy", "event=privileges status=refused user=%s msg=\"the configuration "
                  "cannot be loaded as user %s (above): every reload would fail; make its "
                  "files readable by that user\"", cfg->user, cfg->user);
        err = EACCES;
    }
    proxy_gen_unref(g);
    su_home_deinit(home);
    return err;
}

int proxy_create(struct proxy_gen *gen, const char *config_path,
                 const struct proxy_worker *worker, struct proxy **out)
{
    struct proxy *px = su_home_new(sizeof *px);
    int err;

    *out = NULL;
    if (!px) {
        if (worker)
            close(worker->link_fd);
        proxy_gen_unref(gen);
        return ENOMEM;
    }
    px->workers = worker ? worker->count : 1;
    px->worker_index = worker ? worker->index : 0;
    px->sigfd = -1;
    px->sigindex = -1;
    px->config_path = su_strdup(px->home, config_path);
    px->env.gen = gen;
    px->env.counters = &px->counters;
    px->env.idle = drained;
    px->env.presence = presence_store_create();
    if (!px->env.presence) {
        err = ENOMEM;
        goto fail;
    }
    px->root = su_root_create(px);
    if (!px->root) {
        err = ENOMEM;
        goto fail;
    }
    px->env.root = px->root;
    if (worker) {
        if ((err = worker_link_create(px->root, worker->link_fd, proxy_learnt_told, px,
                                      &px->link)) != 0) {
            close(worker->link_fd);
            goto fail;
        }
        px->env.learnt_new = proxy_learnt_new;
    }
    struct dns_options dopt;
    const char *dns_error = NULL;
    dnszone_options(gen->cfg, &dopt);
    if ((err = dns_resolver_create(px->root, &dopt, &px->dns, &dns_error)) != 0) {
        log_text(LOG_LVL_ERROR, "%s: %s", gen->cfg->file, dns_error ? dns_error : strerror(err));
        goto fail;
    }
    gen->nh.dns = px->dns;
    if ((err = policy_learnt_create(px->home, PROXY_LEARNT_MAX, &px->learnt)) != 0)
        goto fail;
    px->env.learnt = px->learnt;
    px->ops = ops_stats_create(gen->cfg->admin_listen ? gen->cfg->admin_history : 0);
    if (!px->ops) {
        err = ENOMEM;
        goto fail;
    }
    px->env.ops = px->ops;
    if ((err = signals_setup(px)) != 0) {
        log_text(LOG_LVL_ERROR, "sipfed: signals: %s", strerror(err));
        goto fail;
    }
    /* Before the first TLS connection: every one of them gets sipfed's policy (tls_hook.c). */
    if (gen->tls && (err = tls_setup_activate(gen->tls, px->root, forward_tls_failed,
                                              &px->env)) != 0) {
        log_text(LOG_LVL_ERROR, "%s: TLS cannot be enforced: %s", gen->cfg->file, strerror(err));
        goto fail;
    }
    proxy_fd_limit_raise(gen->cfg);
    if (!stream_read_in_effect())
        log_warn("proxy", "event=stream_read_uncapped msg=\"su_getmsgsize is not interposed: "
                 "a TCP backlog is read whole and parsed with quadratic copying\"");
    struct inbound_limits il;
    proxy_inbound_limits_of(px, gen->cfg, &il);
    if ((err = inbound_guard_create(px->root, &il, proxy_handshake_done, px, &px->inbound)) != 0)
        goto fail;
    if (gen->tls)
        tls_setup_on_handshake(gen->tls, proxy_handshake_finished, px);
    px->env.inbound = px->inbound;
    if ((err = fwd_ratelimit_create(&px->env.ratelimit)) != 0 ||
        (err = unreadable_create(px->root, &px->env.unreadable)) != 0)
        goto fail;
    if (!unreadable_hook_in_effect())
        log_warn("proxy", "event=unreadable_sender_unknown msg=\"tport_delivered_from is not "
                 "interposed: unreadable messages are logged without their sender\"");
    if ((err = proxy_reuseport_set(px, gen->cfg)) != 0 ||
        (err = agent_listen(px, gen->cfg)) != 0)
        goto fail;
    if ((err = proxy_inbound_watch(px)) != 0) {
        log_text(LOG_LVL_ERROR, "%s: cannot guard the listen addresses: %s", gen->cfg->file,
                 strerror(err));
        goto fail;
    }
    px->tls_transport = gen->tls != NULL;   /* agent_listen made TLS transports for it */
    px->env.agent = px->agent;
    if ((err = peer_health_create(px->root, px->agent, gen->cfg->hostname, &px->health)) != 0 ||
        (err = peer_health_set_targets(px->health, gen, gen->cfg->peer_keepalive_interval)) != 0)
        goto fail;
    gen->nh.health = px->health;
    if ((err = traversal_create(px->root, px->agent, &px->traversal)) != 0)
        goto fail;
    px->env.traversal = px->traversal;
    gen->nh.trav = px->traversal;
    if (gen->cfg->admin_listen) {
        struct admin_sources src = { .env = &px->env, .dns = px->dns, .ops = px->ops,
                                     .config_path = px->config_path,
                                     .port_offset = px->worker_index,
                                     .workers = px->workers };
        if ((err = admin_create(px->root, gen->cfg, &src, &px->admin)) != 0)
            goto fail;
    }
    /* A worker's supervisor writes the pid file: `sipfed reload` and systemd signal it. */
    if (!px->link && gen->cfg->pid_file && (err = pid_file_write(px, gen->cfg)) != 0)
        goto fail;
    if ((err = proxy_privileges_drop(px, gen->cfg)) != 0)
        goto fail;
    *out = px;
    return 0;
fail:
    proxy_destroy(px);
    return err;
}

int proxy_run(struct proxy *px)
{
    if (px->workers > 1)
        log_info("proxy", "event=start hostname=%s zones=%zu rules=%zu worker=%u workers=%u "
                 "pid=%ld", px->env.gen->cfg->hostname, px->env.gen->dp->n_zones,
                 px->env.gen->dp->n_rules, px->worker_index, px->workers, (long)getpid());
    else
        log_info("proxy", "event=start hostname=%s zones=%zu rules=%zu",
                 px->env.gen->cfg->hostname, px->env.gen->dp->n_zones, px->env.gen->dp->n_rules);
    gen_warn_unbuilt(px->env.gen);
    char status[128];
    snprintf(status, sizeof status, "serving: %zu zones, %zu rules", px->env.gen->dp->n_zones,
             px->env.gen->dp->n_rules);
    proxy_say_ready(px, status);
    traversal_apply(px->traversal, px->env.gen);   /* client nodes connect from the loop */
    su_root_run(px->root);
    const struct inbound_stats *is = inbound_guard_stats(px->inbound);
    log_info("proxy", "event=connections accepted=%llu refused_max=%llu refused_per_ip=%llu "
             "closed_handshake=%llu closed_silent=%llu closed_trickle=%llu rate_refused_ip=%llu "
             "rate_refused_domain=%llu", (unsigned long long)is->accepted,
             (unsigned long long)is->refused_max, (unsigned long long)is->refused_per_ip,
             (unsigned long long)is->closed_handshake, (unsigned long long)is->closed_silent,
             (unsigned long long)is->closed_trickle,
             (unsigned long long)px->counters.rate_refused_ip,
             (unsigned long long)px->counters.rate_refused_domain);
    log_info("proxy", "event=exit requests=%llu stateless=%llu refused=%llu failover=%llu "
             "send_failed=%llu", (unsigned long long)px->counters.requests,
             (unsigned long long)px->counters.stateless, (unsigned long long)px->counters.refused,
             (unsigned long long)px->counters.failover,
             (unsigned long long)px->counters.send_failed);
    return 0;
}

void proxy_destroy(struct proxy *px)
{
    if (!px)
        return;
    if (px->drain_timer)
        su_timer_destroy(px->drain_timer);
    if (px->reloading) {                /* a reload still resolving: dropped */
        proxy_gen_unref(px->reloading->g);
        px->reload_again = false;
        reload_end(px);
    }
    peer_health_destroy(px->health);    /* its probes are the agent's transactions */
    if (px->pid_file)
        unlink(px->pid_file);
    admin_destroy(px->admin);
    traversal_destroy(px->traversal);   /* its transactions and connections, before the agent */
    if (px->agent)
        nta_agent_destroy(px->agent);
    sip_mclass_destroy(px->mclass);
    inbound_guard_destroy(px->inbound);
    worker_link_destroy(px->link);
    fwd_ratelimit_destroy(px->env.ratelimit);
    sofialog_limit_stop(&px->sofialog);
    sofialog_detach(&px->sofialog);
    unreadable_destroy(px->env.unreadable);
    dns_resolver_destroy(px->dns);
    if (px->sigindex >= 0)
        su_root_deregister(px->root, px->sigindex);
    else if (px->sigfd >= 0)
        su_wait_destroy(px->sigwait);
    if (px->sigfd >= 0)
        close(px->sigfd);
    proxy_gen_unref(px->env.gen);       /* before the root: the TLS set-up has a timer on it */
    px->env.gen = NULL;
    if (px->root)
        su_root_destroy(px->root);
    presence_store_destroy(px->env.presence);
    ops_stats_destroy(px->ops);
    su_home_unref(px->home);
}
