/* cmd_gateway.c — `sipfed [-c FILE] gateway`: load the node file's [gateway] section (refuse to
 * start on any error, each printed as file:line) and run the XMPP gateway until SIGTERM/SIGINT. */
#include <stdio.h>

#include <sofia-sip/su.h>

#include "cmd_int.h"
#include "gateway.h"
#include "log.h"

int cmd_gateway(const char *config_path, int argc, char **argv)
{
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct gateway_config *cfg = NULL;
    int rc = EXIT_FAILED;

    (void)argv;
    if (argc > 1) {
        fputs("usage: sipfed [-c FILE] gateway\n", stderr);
        return EXIT_USAGE;
    }
    if (su_init() != 0) {
        fputs("sipfed: su_init failed\n", stderr);
        return EXIT_FAILED;
    }
    struct diag *d = diag_new(home);
    int err = gateway_config_load(config_path, d, &cfg);
    diag_print(d, stderr);
    if (err) {
        fprintf(stderr, "sipfed: %s: gateway configuration refused (%zu error%s)\n", config_path,
                diag_error_count(d), diag_error_count(d) == 1 ? "" : "s");
        goto out;
    }
    log_set_level(cfg->log_level);
    rc = gateway_run(cfg) == 0 ? EXIT_OK : EXIT_FAILED;
out:
    gateway_config_free(cfg);
    su_home_deinit(home);
    su_deinit();
    return rc;
}
