/* cmd_status.c — `sipfed status [--json]`: ask the running daemon, through the admin listener
 * named in the node file, for its short summary (GET /summary) or its status document
 * (GET /status). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/su.h>

#include "admin_client.h"
#include "cmd_int.h"
#include "config.h"
#include "diag.h"

int cmd_status(const char *config_path, int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    bool json = false;
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else {
            fputs("usage: sipfed [-c FILE] status [--json]\n", c == 'h' ? stdout : stderr);
            return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fputs("usage: sipfed [-c FILE] status [--json]\n", stderr);
        return EXIT_USAGE;
    }

    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct node_config *cfg = NULL;
    int rc = EXIT_FAILED;

    /* The running daemon may have started from an older, valid file: only [admin] matters. */
    node_config_load_partial(config_path, d, &cfg);
    if (!cfg) {
        diag_print(d, stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!cfg->admin_listen) {
        fprintf(stderr, "sipfed: %s has no [admin] listen: status asks the running daemon "
                        "through its admin interface (docs/operations.md)\n", config_path);
        goto out;
    }
    if (su_init() != 0) {
        fputs("sipfed: su_init failed\n", stderr);
        goto out;
    }
    char *body = NULL;
    int status = 0;
    const char *why = NULL;
    if (admin_get(home, cfg, json ? "status" : "summary", &body, &status, &why) != 0) {
        fprintf(stderr, "sipfed: admin interface %s: %s\n", cfg->admin_listen, why);
    } else if (status != 200) {
        fprintf(stderr, "sipfed: admin interface %s answered %d: %s", cfg->admin_listen, status,
                body);
    } else {
        fputs(body, stdout);
        rc = EXIT_OK;
    }
    su_deinit();
out:
    node_config_free(cfg);
    su_home_deinit(home);
    return rc;
}
