/* dialplan.c — load every `*.ini` of the dial-plan directory in name order (SPEC §3.2), run the
 * checks that need every file, sort the rules. The look-ups are in dialplan_model.c. */
#include "dialplan_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "config.h"
#include "suggest.h"

void dialplan_regex_free_all(struct dialplan *dp)
{
    for (size_t i = 0; i < dp->n_rules; i++) {
        pcre2_code_free(dp->rules[i]->regex);
        dp->rules[i]->regex = NULL;
    }
}

/* su_home destructor: the home is the first member of the dial plan. */
static void dialplan_home_destroy(void *home)
{
    dialplan_regex_free_all((struct dialplan *)home);
}

static void dialplan_section_unknown(struct dialplan_loader *L, const struct ini_section *sec)
{
    static const char *const kinds[] = { "zone", "rule", "federation", "static_route", NULL };
    const char *near = suggest_closest(sec->kind, kinds);
    diag_error(L->d, sec->file, sec->line,
               "unknown section [%s] (expected zone, rule, federation or static_route%s%s%s)",
               sec->header, near ? "; did you mean " : "", near ? near : "", near ? "?" : "");
}

static void dialplan_section_load(void *user, struct ini_section *sec)
{
    struct dialplan_loader *L = user;
    if (strcmp(sec->kind, "zone") == 0)
        dialplan_zone_section_load(L, sec);
    else if (strcmp(sec->kind, "rule") == 0)
        dialplan_rule_section_load(L, sec);
    else if (strcmp(sec->kind, "federation") == 0)
        dialplan_federation_section_load(L, sec);
    else if (strcmp(sec->kind, "static_route") == 0)
        dialplan_static_route_section_load(L, sec);
    else
        dialplan_section_unknown(L, sec);
}

static int dialplan_file_select(const struct dirent *de)
{
    size_t n = strlen(de->d_name);
    return de->d_name[0] != '.' && n > 4 && strcmp(de->d_name + n - 4, ".ini") == 0;
}

/* Name order, independent of the locale. */
static int dialplan_file_compare(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void dialplan_file_load(struct dialplan_loader *L, const char *dir, const char *name)
{
    su_home_t *home = L->dp->home;
    char *path = su_sprintf(home, "%s/%s", dir, name);
    const char *display = ini_path_display(home, path);
    struct stat st;
    if (!path || !display)
        return;
    if (dialplan_array_grow(L->scratch, &L->files, L->n_files, &L->cap_files, sizeof *L->files))
        return;
    L->files[L->n_files++] = display;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        diag_error(L->d, display, 0, "not a regular file");
        return;
    }
    ini_file_parse(path, display, L->d, dialplan_section_load, L);
}

static void dialplan_dir_load(struct dialplan_loader *L, const char *dir)
{
    struct dirent **names = NULL;
    const char *display = ini_path_display(L->scratch, dir);
    int n = scandir(dir, &names, dialplan_file_select, dialplan_file_compare);
    if (n < 0) {
        diag_error(L->d, display, 0, "cannot read the dial-plan directory: %s", strerror(errno));
        return;
    }
    if (n == 0)
        diag_error(L->d, display, 0, "no dial-plan files (*.ini) in this directory");
    for (int i = 0; i < n; i++) {
        dialplan_file_load(L, dir, names[i]->d_name);
        free(names[i]);
    }
    free(names);
}

static int dialplan_draft_compare(const void *a, const void *b)
{
    const struct rule_draft *x = a, *y = b;
    if (x->rule->priority != y->rule->priority)
        return x->rule->priority < y->rule->priority ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* By priority, then declaration order (file name order, then line). */
static void dialplan_rules_sort(struct dialplan_loader *L)
{
    struct dialplan *dp = L->dp;
    if (dp->n_rules == 0)
        return;
    qsort(L->drafts, dp->n_rules, sizeof *L->drafts, dialplan_draft_compare);
    for (size_t i = 0; i < dp->n_rules; i++)
        dp->rules[i] = L->drafts[i].rule;
}

int dialplan_load(const char *dir, struct diag *d, struct dialplan **out)
{
    *out = NULL;
    struct dialplan *dp = su_home_new(sizeof *dp);
    if (!dp)
        return ENOMEM;
    struct dialplan_loader L = { .dp = dp, .scratch = su_home_new(sizeof(su_home_t)) };
    L.d = L.scratch ? diag_new(L.scratch) : NULL;
    if (!L.d || su_home_destructor(dp->home, dialplan_home_destroy) != 0) {
        su_home_unref(L.scratch);
        dialplan_free(dp);
        return ENOMEM;
    }
    dp->dir = su_strdup(dp->home, dir);
    dialplan_dir_load(&L, dir);
    dialplan_default_zone_ensure(&L);
    dialplan_rules_resolve(&L);
    dialplan_rules_sort(&L);
    int err = diag_error_count(L.d) ? EINVAL : 0;
    ini_diag_append_sorted(d, L.d, L.files, L.n_files);
    su_home_unref(L.scratch);
    if (err) {
        dialplan_free(dp);
        return err;
    }
    *out = dp;
    return 0;
}

void dialplan_free(struct dialplan *dp)
{
    if (dp)
        su_home_unref(dp->home);
}

/* A zone or static route that speaks TLS needs the node's [tls] certificate. */
static bool zone_uses_tls(const struct zone *z)
{
    switch (z->type) {
    case ZONE_DNS:
        return true;
    case ZONE_DEFAULT:
        return z->require_client_certificate;
    default:
        return z->transport == SIP_TP_TLS;
    }
}

void dialplan_tls_check(const struct dialplan *dp, const struct node_config *cfg,
                        struct diag *d)
{
    if (cfg->tls.present)
        return;
    for (size_t i = 0; i < dp->n_zones; i++)
        if (zone_uses_tls(dp->zones[i]))
            diag_error(d, dp->zones[i]->file, dp->zones[i]->line,
                       "zone '%s' uses TLS but %s has no [tls] section", dp->zones[i]->name,
                       cfg->file);
    for (size_t i = 0; i < dp->n_static_routes; i++)
        if (dp->static_routes[i]->transport == SIP_TP_TLS)
            diag_error(d, dp->static_routes[i]->file, dp->static_routes[i]->line,
                       "static route '%s' uses TLS but %s has no [tls] section",
                       dp->static_routes[i]->domain, cfg->file);
}
