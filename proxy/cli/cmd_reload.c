/* cmd_reload.c — `sipfed reload`: load the configuration exactly as the daemon does on SIGHUP
 * (proxy_gen_load: node file, dial plan, peers, TLS); on any error print them (file:line) and
 * leave the daemon alone; else send SIGHUP to the PID in [proxy] pid_file and, through the admin
 * listener, wait until the daemon reports the new generation or the refusal. Exit 0 when the
 * new configuration serves, 1 otherwise. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su.h>

#include "admin_client.h"
#include "cmd_int.h"
#include "diag.h"
#include "proxy_gen.h"

/* How long the daemon may take to load (peer names are resolved while it does), and how often
 * we look. */
enum { RELOAD_WAIT_MS = 30000, RELOAD_POLL_MS = 100 };

/* The value of the unlabelled or fully-labelled sample `name` in a Prometheus text `text`. */
static bool metric_find(const char *text, const char *name, unsigned long long *v)
{
    size_t n = strlen(name);
    for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (strncmp(line, name, n) == 0 && line[n] == ' ')
            return sscanf(line + n + 1, "%llu", v) == 1;
    return false;
}

struct reload_mark {
    unsigned long long generation, refused;
};

/* The daemon's generation and refused-reload count, from /metrics. */
static bool reload_mark_get(su_home_t *home, const struct node_config *cfg,
                            struct reload_mark *m, const char **why)
{
    char *body = NULL;
    int status = 0;
    if (admin_get(home, cfg, "metrics", &body, &status, why) != 0)
        return false;
    if (status != 200) {
        *why = "the admin interface refused the request (token?)";
        return false;
    }
    m->refused = 0;   /* the series exists only after a first refusal */
    metric_find(body, "sipfed_config_reloads_total{result=\"refused\"}", &m->refused);
    if (!metric_find(body, "sipfed_config_generation", &m->generation)) {
        *why = "no sipfed_config_generation in /metrics";
        return false;
    }
    return true;
}

static pid_t pid_file_read(const char *path)
{
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (!f) {
        fprintf(stderr, "sipfed: cannot read pid_file %s: %s (is the daemon running?)\n", path,
                strerror(errno));
        return 0;
    }
    if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
        pid = 0;
    fclose(f);
    if (!pid)
        fprintf(stderr, "sipfed: %s does not hold a process id\n", path);
    else if (kill((pid_t)pid, 0) != 0)
        fprintf(stderr, "sipfed: no daemon with PID %ld (from %s): %s\n", pid, path,
                strerror(errno)), pid = 0;
    return (pid_t)pid;
}

/* Wait for the daemon's verdict after SIGHUP. Returns the exit code. */
static int reload_await(su_home_t *home, const struct node_config *cfg,
                        const struct reload_mark *before)
{
    struct reload_mark now;
    const char *why = NULL;
    struct timespec pause = { .tv_nsec = RELOAD_POLL_MS * 1000000L };

    for (int waited = 0; waited < RELOAD_WAIT_MS; waited += RELOAD_POLL_MS) {
        if (reload_mark_get(home, cfg, &now, &why) && now.generation > before->generation) {
            printf("reload accepted: the daemon serves generation %llu\n", now.generation);
            return EXIT_OK;
        }
        if (why == NULL && now.refused > before->refused) {
            char *body = NULL;
            int status = 0;
            fputs("sipfed: the daemon refused the new configuration and keeps the old one\n",
                  stderr);
            if (admin_get(home, cfg, "summary", &body, &status, &why) == 0 && status == 200) {
                const char *line = strstr(body, "last reload:");
                if (line)
                    fprintf(stderr, "  %.*s\n", (int)strcspn(line, "\n"), line);
            }
            return EXIT_FAILED;
        }
        why = NULL;
        nanosleep(&pause, NULL);
    }
    fprintf(stderr, "sipfed: the daemon did not report a new generation within %d s: see its "
                    "log\n", RELOAD_WAIT_MS / 1000);
    return EXIT_FAILED;
}

int cmd_reload(const char *config_path, int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs("usage: sipfed [-c FILE] reload\n", stderr);
        return EXIT_USAGE;
    }
    if (su_init() != 0) {
        fputs("sipfed: su_init failed\n", stderr);
        return EXIT_FAILED;
    }
    su_home_t home[1] = { SU_HOME_INIT(home) };
    struct diag *d = diag_new(home);
    struct proxy_gen *gen = NULL;
    int rc = EXIT_FAILED;

    /* The very loader the daemon runs on SIGHUP: what passes here, the daemon accepts. */
    int err = proxy_gen_load(config_path, d, &gen);
    diag_print(d, stderr);
    if (err) {
        fprintf(stderr, "sipfed: %s: configuration refused (%zu error%s); the running daemon "
                        "was not asked to reload and keeps its configuration\n", config_path,
                diag_error_count(d), diag_error_count(d) == 1 ? "" : "s");
        goto out;
    }
    const struct node_config *cfg = gen->cfg;
    if (!cfg->pid_file) {
        fprintf(stderr, "sipfed: %s: [proxy] has no pid_file: cannot find the daemon to "
                        "reload\n", config_path);
        goto out;
    }
    pid_t pid = pid_file_read(cfg->pid_file);
    if (!pid)
        goto out;
    struct reload_mark before;
    const char *why = NULL;
    bool confirm = cfg->admin_listen && reload_mark_get(home, cfg, &before, &why);
    if (cfg->admin_listen && !confirm)
        fprintf(stderr, "sipfed: admin interface %s: %s: the result cannot be confirmed\n",
                cfg->admin_listen, why);
    if (kill(pid, SIGHUP) != 0) {
        fprintf(stderr, "sipfed: cannot signal PID %ld: %s\n", (long)pid, strerror(errno));
        goto out;
    }
    if (!confirm) {
        printf("configuration OK; SIGHUP sent to PID %ld. Whether it was accepted is in the "
               "daemon's log (module=config event=reload)%s\n", (long)pid,
               cfg->admin_listen ? "" : "; set [admin] listen for reload to confirm it");
        rc = EXIT_OK;
        goto out;
    }
    rc = reload_await(home, cfg, &before);
out:
    proxy_gen_unref(gen);
    su_home_deinit(home);
    su_deinit();
    return rc;
}
