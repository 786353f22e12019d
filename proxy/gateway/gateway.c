/* gateway.c — the gateway process: su_root loop, signals, start and orderly stop of the SIP
 * agent and the XMPP components. */
#include "gateway.h"
#include "gateway_int.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "log.h"

enum { SHUTDOWN_WAIT_MS = 3000 };

static void shutdown_timeout(su_root_magic_t *m, su_timer_t *t, void *arg)
{
    (void)t, (void)arg;
    log_warn("gateway", "event=stop msg=\"SIP shutdown did not finish in time\"");
    su_root_break(m->root);
}

static void gateway_stop(struct gateway *gw, const char *why)
{
    if (gw->stopping)
        return;
    gw->stopping = true;
    log_info("gateway", "event=stop signal=%s", why);
    gw_im_stop_all(gw);
    gw_presence_stop_all(gw);
    nua_shutdown(gw->nua);   /* nua_r_shutdown breaks the loop, or the stop timer does */
    gw->stop_timer = su_timer_create(su_root_task(gw->root), SHUTDOWN_WAIT_MS);
    if (!gw->stop_timer || su_timer_set(gw->stop_timer, shutdown_timeout, NULL) < 0)
        su_root_break(gw->root);
}

static int signal_ready(struct gateway *gw, su_wait_t *w, struct gateway *arg)
{
    struct signalfd_siginfo si;
    (void)w, (void)arg;
    while (read(gw->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
        gateway_stop(gw, si.ssi_signo == SIGTERM ? "TERM" : "INT");
    return 0;
}

static int signals_setup(struct gateway *gw)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return errno;
    signal(SIGPIPE, SIG_IGN);
    gw->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (gw->sigfd < 0)
        return errno;
    if (su_wait_create(gw->sigwait, gw->sigfd, SU_WAIT_IN) < 0)
        return EIO;
    gw->sigindex = su_root_register(gw->root, gw->sigwait, signal_ready, gw, 0);
    return gw->sigindex < 0 ? EIO : 0;
}

int gateway_run(const struct gateway_config *cfg)
{
    struct gateway gw[1];
    int err;

    memset(gw, 0, sizeof gw);
    su_home_init(gw->home);
    gw->cfg = cfg;
    gw->sigfd = -1;
    gw->root = su_root_create(gw);
    if (!gw->root) {
        err = ENOMEM;
        goto out;
    }
    if ((err = signals_setup(gw)) != 0 || (err = gw_sip_start(gw)) != 0 ||
        (err = gw_xmpp_start(gw)) != 0)
        goto out;
    log_info("gateway", "event=start components=%zu xmpp_server=%s:%u", gw->n_comps,
             cfg->xmpp_host, cfg->xmpp_port);
    su_root_run(gw->root);
out:
    su_timer_destroy(gw->stop_timer);
    if (gw->xctx || gw->comps)
        gw_xmpp_stop(gw);
    if (gw->nua)
        nua_destroy(gw->nua);
    if (gw->sigindex > 0)
        su_root_deregister(gw->root, gw->sigindex);
    if (gw->sigfd >= 0)
        close(gw->sigfd);
    if (gw->root)
        su_root_destroy(gw->root);
    su_home_deinit(gw->home);
    log_info("gateway", "event=exit status=%d", err);
    return err;
}
