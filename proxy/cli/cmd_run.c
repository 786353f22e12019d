/* cmd_run.c — `sipfed [-c FILE] run`: load the configuration (refuse to start on any error,
 * each printed as file:line), then run the proxy until SIGTERM/SIGINT. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su.h>

#include "cmd_int.h"
#include "listen_check.h"
#include "log.h"
#include "proxy.h"
#include "usage.h"

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
    if (proxy_create(gen, config_path, &px) != 0)
        goto out;
    rc = proxy_run(px) == 0 ? EXIT_OK : EXIT_FAILED;
out:
    proxy_destroy(px);
    su_home_deinit(home);
    su_deinit();
    return rc;
}
