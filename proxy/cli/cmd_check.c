/* cmd_check.c — `sipfed check [--dns | --no-resolve] [--cases FILE]...` (SPEC §2, §3.3): load
 * the node file and the dial plan, print every diagnostic, run the routing cases through the
 * proxy's decide path. --no-resolve leaves out the one step that needs the production DNS (the
 * host names of peers and static routes), for a CI job that validates rule files offline. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cases.h"
#include "cmd_int.h"
#include "config.h"
#include "diag.h"
#include "dialplan.h"
#include "dns_report.h"
#include "dnszone.h"
#include "gen_names.h"
#include "gateway_config.h"
#include "tls.h"
#include "usage.h"

/* An input the admin named that cannot be read is a usage problem (exit 2), not a failed
 * check: say so before loading anything. */
static bool check_readable(const char *path)
{
    if (access(path, R_OK) == 0)
        return true;
    fprintf(stderr, "sipfed: cannot read %s: %s\n", path, strerror(errno));
    return false;
}

/* The host names of peers and static routes, resolved as `run` resolves them (through the node
 * file's [dns] servers, /etc/hosts first): one that does not resolve is an error, as it is for
 * `run` and a reload. */
static void check_names(const struct node_config *cfg, const struct dialplan *dp, struct diag *d)
{
    struct dns_options opt;
    struct gen_names *names = NULL;

    dnszone_options(cfg, &opt);
    if (gen_names_resolve_file(&opt, dp, cfg->file, d, &names) == 0)
        gen_names_report(names, dp, d);
    gen_names_destroy(names);
}

int cmd_check(const char *config_path, int argc, char **argv)
{
    static const struct option opts[] = {
        { "cases", required_argument, NULL, 'C' },
        { "dns", no_argument, NULL, 'D' },
        { "no-resolve", no_argument, NULL, 'N' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    su_home_t *home = su_home_new(sizeof *home);
    const char **cases = home ? su_zalloc(home, (size_t)argc * sizeof *cases) : NULL;
    size_t n_cases = 0;
    bool dns = false, resolve = true;
    int c, rc = EXIT_USAGE;

    if (cases == NULL) {
        fputs("sipfed: out of memory\n", stderr);
        goto out;
    }
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'C') {
            cases[n_cases++] = optarg;
        } else if (c == 'D') {
            dns = true;
        } else if (c == 'N') {
            resolve = false;
        } else {
            rc = usage_print(c == 'h' ? stdout : stderr, "check");
            goto out;
        }
    }
    if (optind != argc) {
        rc = usage_print(stderr, "check");
        goto out;
    }
    if (dns && !resolve) {
        fputs("sipfed: check: --dns looks up our published records; it cannot go with "
              "--no-resolve\n", stderr);
        goto out;
    }
    for (size_t i = 0; i < n_cases; i++)
        if (!check_readable(cases[i]))
            goto out;

    struct diag *d = diag_new(home);
    struct node_config *cfg = NULL;
    struct dialplan *dp = NULL;
    /* A node file with errors still names its dial plan: load that too, so one run reports
     * every error of every file (STYLE habit 5). */
    int cfg_err = node_config_load_partial(config_path, d, &cfg);
    /* the XMPP gateway's section, which `sipfed gateway` reads from the same file */
    if (cfg != NULL)
        gateway_config_check(config_path, d);
    if (cfg != NULL && cfg->dialplan_dir != NULL &&
        dialplan_load(cfg->dialplan_dir, d, &dp) == 0 && cfg_err == 0) {
        dialplan_tls_check(dp, cfg, d);
        dialplan_workers_check(dp, cfg, d);
        dialplan_unbuilt_check(dp, d);
        /* the certificates themselves: key match, hostname, expiry, cipher list (tls.h) */
        if (cfg->tls.present)
            tls_config_check(cfg, dp, d);
        if (resolve)
            check_names(cfg, dp, d);
    }
    diag_report(d);
    if (!resolve && dp != NULL && cfg_err == 0) {
        size_t n = gen_names_in_plan(dp);
        printf("host names not resolved (--no-resolve): %zu name%s of peers and static routes "
               "not checked (`run` and a reload resolve them)\n", n, n == 1 ? "" : "s");
    }
    rc = diag_error_count(d) == 0 && dp != NULL ? EXIT_OK : EXIT_FAILED;
    if (rc == EXIT_OK && cfg->tls.present)
        tls_report_suites(stdout, cfg, dp);

    for (size_t i = 0; rc != EXIT_USAGE && dp != NULL && i < n_cases; i++) {
        size_t run = 0, failed = 0;
        int err = cases_run_file(cases[i], dp, stderr, &run, &failed);
        if (err == ENOMEM) {
            fputs("sipfed: out of memory\n", stderr);
            rc = EXIT_FAILED;
        } else if (err != 0) {
            rc = EXIT_USAGE;
        } else {
            printf("%s: %zu case%s, %zu failed\n", cases[i], run, run == 1 ? "" : "s", failed);
            if (failed > 0)
                rc = EXIT_FAILED;
        }
    }
    /* --dns: our own published records as a Microsoft edge sees them (dns_report.c). */
    if (dns && dp != NULL && cfg_err == 0 && rc != EXIT_USAGE) {
        int problems = dns_report_check(stdout, cfg, dp);
        printf("dns: %d problem%s\n", problems, problems == 1 ? "" : "s");
        if (problems > 0)
            rc = EXIT_FAILED;
    }
    if (rc == EXIT_OK)
        puts("configuration OK");
    if (dp != NULL)
        dialplan_free(dp);
    if (cfg != NULL)
        node_config_free(cfg);
out:
    su_home_unref(home);
    return rc;
}
