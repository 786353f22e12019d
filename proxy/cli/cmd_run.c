/* cmd_run.c — `sipfed [-c FILE] run`: load the configuration (refuse to start on any error,
 * each printed as file:line), then run the proxy until SIGTERM/SIGINT. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sofia-sip/su.h>

#include "cmd_int.h"
#include "listen_check.h"
#include "log.h"
#include "proxy.h"
#include "supervisor.h"
#include "usage.h"
#include "workers.h"

/* How many workers this node runs (docs/workers.md): `workers`, or one per CPU for auto; one
 * for a node with a traversal zone (an explicit workers > 1 there is refused by
 * dialplan_workers_check() while loading). */
static unsigned run_workers(const struct proxy_gen *gen)
{
    unsigned n = workers_count(gen->cfg->workers, sysconf(_SC_NPROCESSORS_ONLN));
    const struct zone *trav = dialplan_traversal_zone(gen->dp);
    if (n > 1 && trav) {
        log_info("proxy", "event=workers workers=1 msg=\"traversal zone %s: one worker\"",
                 trav->name);
        n = 1;
    }
    return n;
}

int cmd_run(const char *config_path, int argc, char **argv)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct proxy_gen *gen = NULL;
    struct proxy *px = NULL;
    int rc = EXIT_FAILED;

    (void)argv;
    if (argc > 1)
        return usage_print(stderr, "run");
    if (su_init() != 0) {
        log_text(LOG_LVL_ERROR, "sipfed: su_init failed");
        return EXIT_FAILED;
    }
    struct diag *d = diag_new(home);
    int err = proxy_gen_load(config_path, d, &gen);
    diag_report(d);
    if (err) {
        log_text(LOG_LVL_ERROR, "sipfed: %s: configuration refused (%zu error%s)", config_path,
                 diag_error_count(d), diag_error_count(d) == 1 ? "" : "s");
        goto out;
    }
    /* A busy port is said with its cause, and before anything announces itself ready. */
    if (listen_check(gen->cfg, stderr) != 0) {
        proxy_gen_unref(gen);
        goto out;
    }
    log_set_level(gen->cfg->log_level);
    unsigned workers = run_workers(gen);
    if (workers > 1) {
        rc = supervisor_run(gen, config_path, workers) == 0 ? EXIT_OK : EXIT_FAILED;
        goto out;
    }
    if (proxy_create(gen, config_path, NULL, &px) != 0)
        goto out;
    rc = proxy_run(px) == 0 ? EXIT_OK : EXIT_FAILED;
out:
    proxy_destroy(px);
    su_home_deinit(home);
    su_deinit();
    return rc;
}
