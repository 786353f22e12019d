/* cases_run.c — run a routing-case file through decide_request(), the proxy's own path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "cases.h"
#include "sipmsg.h"

/* The zone a case names as its source: a declared zone, or `default` for the default zone
 * whatever it is called. */
static const struct zone *cases_source_zone(const struct dialplan *dp, const char *name)
{
    const struct zone *z = dialplan_zone_find(dp, name);
    if (z == NULL && strcmp(name, "default") == 0)
        z = dialplan_default_zone(dp);
    return z;
}

/* Run one parsed case. Returns 0 (passed), 1 (failed, printed), or ENOMEM. */
static int cases_run_one(su_home_t *home, const char *path, const struct routing_case *c,
                         const struct dialplan *dp, const char *const *zones, FILE *out)
{
    char err[256];
    const struct zone *src = cases_source_zone(dp, c->source);
    if (src == NULL) {
        fprintf(out, "%s:%u: unknown source zone '%s'\n", path, c->line, c->source);
        return 1;
    }
    if (case_expect_validate(c->expect, zones, dp->n_zones, err, sizeof err) != 0) {
        fprintf(out, "%s:%u: %s\n", path, c->line, err);
        return 1;
    }

    msg_t *msg = NULL;
    int rc = sipmsg_build(c->method, c->alias, c->headers, c->n_headers, NULL, &msg, err,
                          sizeof err);
    if (rc == ENOMEM)
        return ENOMEM;
    if (rc != 0) {
        fprintf(out, "%s:%u: %s\n", path, c->line, err);
        return 1;
    }

    /* SPEC §5.5: a zone that says `authenticated = yes` authenticates all its requests. */
    struct decide_input in = {
        .sip = sip_object(msg),
        .source = src,
        .authenticated = c->authenticated || src->authenticated == ZONE_AUTH_YES,
    };
    struct decision d;
    rc = decide_request(home, dp, &in, &d);
    const char *got = rc == 0 ? case_format_decision(home, &d) : NULL;
    msg_destroy(msg);
    if (got == NULL)
        return ENOMEM;
    if (!case_expect_matches(c->expect, got, zones, dp->n_zones)) {
        fprintf(out, "%s:%u: expected %s, got %s\n", path, c->line, c->expect, got);
        return 1;
    }
    return 0;
}

int cases_run_file(const char *path, const struct dialplan *dp, FILE *out, size_t *n_run,
                   size_t *n_failed)
{
    *n_run = *n_failed = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        int err = errno;
        fprintf(out, "%s: cannot open: %s\n", path, strerror(err));
        return err;
    }

    su_home_t *home = su_home_new(sizeof *home);
    const char **zones = home ? su_zalloc(home, (dp->n_zones + 1) * sizeof *zones) : NULL;
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;

    if (zones == NULL) {
        rc = ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < dp->n_zones; i++)
        zones[i] = dp->zones[i]->name;

    while (getline(&line, &cap, f) != -1) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';

        su_home_t *lhome = su_home_new(sizeof *lhome);
        if (lhome == NULL) {
            rc = ENOMEM;
            break;
        }
        struct routing_case c = { .line = lineno };
        char err[256];
        enum case_parse_result pr = case_parse_line(lhome, line, &c, err, sizeof err);
        int r = 0;
        if (pr == CASE_MALFORMED) {
            fprintf(out, "%s:%u: %s\n", path, lineno, err);
            r = 1;
        } else if (pr == CASE_PARSED) {
            r = cases_run_one(lhome, path, &c, dp, zones, out);
        }
        su_home_unref(lhome);
        if (r == ENOMEM) {
            rc = ENOMEM;
            break;
        }
        if (pr != CASE_EMPTY)
            (*n_run)++;
        if (r != 0)
            (*n_failed)++;
    }
    if (rc == 0 && ferror(f)) {
        rc = errno ? errno : EIO;
        fprintf(out, "%s: read error: %s\n", path, strerror(rc));
    }
out:
    free(line);
    fclose(f);
    su_home_unref(home);
    return rc;
}
