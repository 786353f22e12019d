/* cases_run.c — run a routing-case file through decide_request(), the proxy's own path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "cases.h"
#include "sipmsg.h"
#include "suggest.h"

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
        const char *zone_near = suggest_closest_n(c->source, zones, dp->n_zones + 1);
        fprintf(out, "%s:%u: unknown source zone '%s'", path, c->line, c->source);
        if (zone_near != NULL)
            fprintf(out, " (did you mean '%s'?)", zone_near);
        fputc('\n', out);
        return 1;
    }
    if (case_expect_validate(c->expect, zones, dp->n_zones, err, sizeof err) != 0) {
        fprintf(out, "%s:%u: %s\n", path, c->line, err);
        return 1;
    }

    char method_buf[64];
    const char *method = sipmsg_method_canonical(c->method, method_buf, sizeof method_buf);
    if (method != NULL)
        fprintf(out, "%s:%u: warning: method '%s' taken as %s (methods are case-sensitive on "
                "the wire)\n", path, c->line, c->method, method);
    else
        method = c->method;
    const char *near = sipmsg_method_suggest(method);
    if (near != NULL)
        fprintf(out, "%s:%u: warning: method '%s' is no SIP method (did you mean %s?): taken as "
                "an extension method\n", path, c->line, method, near);

    /* from=URI is the request's From; headers[] has room for it (case_parse_line sized it). */
    const char **headers = c->headers;
    size_t n_headers = c->n_headers;
    if (c->from != NULL) {
        headers = su_zalloc(home, (n_headers + 1) * sizeof *headers);
        if (headers == NULL)
            return ENOMEM;
        memcpy(headers, c->headers, n_headers * sizeof *headers);
        if ((headers[n_headers++] = sipmsg_from_header(home, c->from, err, sizeof err)) == NULL) {
            fprintf(out, "%s:%u: %s\n", path, c->line, err);
            return 1;
        }
    }

    msg_t *msg = NULL;
    int rc = sipmsg_build(method, c->alias, headers, n_headers, NULL, &msg, err, sizeof err);
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
    char from[256] = "(none)";
    if (got != NULL && in.sip->sip_from != NULL)
        url_e(from, sizeof from, in.sip->sip_from->a_url);
    msg_destroy(msg);
    if (got == NULL)
        return ENOMEM;
    if (!case_expect_matches(c->expect, got, zones, dp->n_zones)) {
        fprintf(out, "%s:%u: expected %s, got %s", path, c->line, c->expect, got);
        if (d.status != 0)
            fprintf(out, ": %s", d.reason);
        if (d.from_policy != NULL && d.from_allowed)
            fprintf(out, " (From %s allowed: %s)", from, d.from_policy);
        else if (d.from_policy != NULL)
            fprintf(out, "; the From was %s%s", from,
                    c->from ? "" : " (the default): give the case from=USER@DOMAIN");
        fputc('\n', out);
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
    int rc = cases_run_stream(f, path, dp, out, n_run, n_failed);
    fclose(f);
    return rc;
}

int cases_run_stream(FILE *f, const char *path, const struct dialplan *dp, FILE *out,
                     size_t *n_run, size_t *n_failed)
{
    *n_run = *n_failed = 0;
    su_home_t *home = su_home_new(sizeof *home);
    /* zone names, then "default" (a case's name for the default zone), for suggestions */
    const char **zones = home ? su_zalloc(home, (dp->n_zones + 2) * sizeof *zones) : NULL;
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
    zones[dp->n_zones] = "default";

    while (getline(&line, &cap, f) != -1) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        /* a UTF-8 byte-order mark (editors on Windows write one): invisible, never a zone name */
        char *text = line;
        if (lineno == 1 && strncmp(text, "\xEF\xBB\xBF", 3) == 0)
            text += 3;

        su_home_t *lhome = su_home_new(sizeof *lhome);
        if (lhome == NULL) {
            rc = ENOMEM;
            break;
        }
        struct routing_case c = { .line = lineno };
        char err[256];
        enum case_parse_result pr = case_parse_line(lhome, text, &c, err, sizeof err);
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
    su_home_unref(home);
    return rc;
}
