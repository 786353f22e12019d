/* fuzz_loader.c — libFuzzer target over the node-file and dial-plan loaders, through the calls
 * `sipfed check` makes (cmd_check.c): node_config_load_partial, gateway_config_check,
 * dialplan_load, dialplan_tls_check, dialplan_unbuilt_check.
 *
 * Input: the node file, then each dial-plan file, separated by a line `%%`:
 *     [proxy] ... \n%%\n[zone IMP] ... \n%%\n[rule "x"] ...
 * The files are written to a private directory (tmpfs when there is one) as `sipfed.ini` and
 * `rules/NN.ini`; the dial plan is always loaded from that `rules/`, whatever the node file's
 * `dialplan` key says, so the fuzzer never reads the machine's own directories as rules. A dial
 * plan that loads is then asked a few routing questions (fuzz_decide_samples) and its look-ups
 * must find what it holds. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "dialplan.h"
#include "fuzz_lib.h"
#include "gateway_config.h"

enum { FUZZ_MAX_RULE_FILES = 8, FUZZ_MAX_INPUT = 256 * 1024 };

static const char fuzz_separator[] = "\n%%\n";

static char fuzz_dir[128];
static unsigned fuzz_files_written;   /* rules/NN.ini files present from the previous input */

static void fuzz_file_path(char *buf, size_t size, unsigned i)
{
    snprintf(buf, size, "%s/rules/%02u.ini", fuzz_dir, i);
}

static void fuzz_dir_remove(void)
{
    char path[192];
    for (unsigned i = 0; i < fuzz_files_written; i++) {
        fuzz_file_path(path, sizeof path, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/sipfed.ini", fuzz_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/rules", fuzz_dir);
    rmdir(path);
    rmdir(fuzz_dir);
}

static void fuzz_dir_make(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    char rules[192];
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/sipfed-fuzz-loader-XXXXXX", base ? base : "/tmp");
    if (mkdtemp(fuzz_dir) == NULL)
        abort();
    snprintf(rules, sizeof rules, "%s/rules", fuzz_dir);
    if (mkdir(rules, 0700) != 0)
        abort();
    atexit(fuzz_dir_remove);
}

static void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        abort();
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n <= 0)
            abort();
        data += n;
        size -= (size_t)n;
    }
    close(fd);
}

/* The input as files: the node file, then up to FUZZ_MAX_RULE_FILES dial-plan files. */
static void fuzz_files_write(const uint8_t *data, size_t size, char *node_path, size_t node_size)
{
    const size_t sep = sizeof fuzz_separator - 1;
    char path[192];
    unsigned n = 0;
    size_t start = 0;
    bool node_done = false;

    snprintf(node_path, node_size, "%s/sipfed.ini", fuzz_dir);
    for (size_t i = 0; i <= size; i++) {
        bool at_sep = i + sep <= size && memcmp(data + i, fuzz_separator, sep) == 0;
        if (!at_sep && i < size)
            continue;
        if (!node_done) {
            fuzz_write(node_path, data + start, i - start);
            node_done = true;
        } else if (n < FUZZ_MAX_RULE_FILES) {
            fuzz_file_path(path, sizeof path, n++);
            fuzz_write(path, data + start, i - start);
        }
        if (i == size)
            break;
        start = i + sep;
        i = start - 1;
    }
    for (unsigned i = n; i < fuzz_files_written; i++) {
        fuzz_file_path(path, sizeof path, i);
        unlink(path);
    }
    fuzz_files_written = n;
}

/* What a loaded dial plan holds, its own look-ups find. */
static void fuzz_dialplan_lookups(const struct dialplan *dp)
{
    if (dialplan_default_zone(dp) == NULL)
        abort();
    for (size_t i = 0; i < dp->n_zones; i++)
        if (dialplan_zone_find(dp, dp->zones[i]->name) == NULL)
            abort();
    for (size_t i = 1; i < dp->n_rules; i++)
        if (dp->rules[i - 1]->priority > dp->rules[i]->priority)
            abort();
    for (size_t i = 0; i < dp->n_static_routes; i++) {
        const char *domain = dp->static_routes[i]->domain;
        char dotted[512];
        if (dialplan_static_route_find(dp, domain) == NULL)
            abort();
        if (snprintf(dotted, sizeof dotted, "%s.", domain) < (int)sizeof dotted &&
            dialplan_static_route_find(dp, dotted) == NULL)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char node_path[192];
    char line[1024];

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (fuzz_dir[0] == '\0')
        fuzz_dir_make();
    fuzz_files_write(data, size, node_path, sizeof node_path);

    su_home_t *home = su_home_new(sizeof *home);
    struct diag *d = home ? diag_new(home) : NULL;
    struct node_config *cfg = NULL;
    struct dialplan *dp = NULL;
    char rules[192];

    if (d == NULL)
        abort();
    snprintf(rules, sizeof rules, "%s/rules", fuzz_dir);
    int cfg_err = node_config_load_partial(node_path, d, &cfg);
    if (cfg != NULL)
        gateway_config_check(node_path, d);
    size_t errors_before = diag_error_count(d);
    int dp_err = dialplan_load(rules, d, &dp);
    /* the loader's contract: 0 and a plan exactly when it reported no error */
    if ((dp_err == 0) != (dp != NULL) || (dp_err == 0) != (diag_error_count(d) == errors_before))
        abort();
    if (dp != NULL) {
        if (cfg != NULL && cfg_err == 0)
            dialplan_tls_check(dp, cfg, d);
        dialplan_unbuilt_check(dp, d);
        fuzz_dialplan_lookups(dp);
        fuzz_decide_samples(dp);
        dialplan_free(dp);
    }
    /* every diagnostic formats as `file:line: message` */
    for (size_t i = 0; i < diag_count(d); i++)
        if (diag_format(diag_get(d, i), line, sizeof line) < 0)
            abort();
    diag_print(d, fuzz_sink());
    if (cfg != NULL)
        node_config_free(cfg);
    su_home_unref(home);
    return 0;
}
