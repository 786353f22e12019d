/* cmd_locate.c — `sipfed locate`: the search the proxy would make for a request, printed for an
 * admin (SPEC §2): source zone, traffic type and why, every rule with its verdict and reason,
 * the alias after each transform, the levels and targets, the next hop of DNS-zone targets. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sofia-sip/sip_header.h>

#include "alias.h"
#include "classify.h"
#include "cmd_int.h"
#include "config.h"
#include "decide.h"
#include "diag.h"
#include "dialplan.h"
#include "dns_report.h"
#include "sipmsg.h"
#include "suggest.h"
#include "usage.h"

#define LOCATE_MAX_MARKERS 16

static const char *locate_pattern_type(enum pattern_type t)
{
    switch (t) {
    case PATTERN_REGEX: return "regex";
    case PATTERN_PREFIX: return "prefix";
    case PATTERN_SUFFIX: return "suffix";
    case PATTERN_EXACT: return "exact";
    }
    return "?";
}

/* `any`, `all_zones` or the named zones, as the rule file says. */
static void locate_print_sources(const struct rule *r)
{
    if (r->source == RULE_SOURCE_ANY) {
        fputs("any", stdout);
    } else if (r->source == RULE_SOURCE_ALL_ZONES) {
        fputs("all_zones (every zone but the default zone)", stdout);
    } else {
        for (size_t i = 0; i < r->n_sources; i++)
            printf("%s%s", i ? ", " : "", r->sources[i]->name);
    }
}

/* Why a rule did or did not contribute its target, in words. */
static void locate_print_step(const struct search_step *st, const struct search_request *req,
                              int name_width)
{
    const struct rule *r = st->rule;
    printf("  %5u  \"%s\"%*s  ", r->priority, r->name,
           name_width - (int)strlen(r->name), "");
    switch (st->verdict) {
    case SEARCH_MATCHED:
        printf("MATCHED -> %s, alias %s%s, on match %s\n", r->target->name, st->alias_out,
               strcmp(st->alias_out, st->alias_in) ? " (rewritten)" : "",
               r->on_match == ON_MATCH_STOP ? "stop" : "continue");
        return;
    case SEARCH_SKIP_DISABLED:
        puts("no: rule disabled");
        return;
    case SEARCH_SKIP_SOURCE:
        printf("no: source zone %s is not one of: ", req->source->name);
        locate_print_sources(r);
        putchar('\n');
        return;
    case SEARCH_SKIP_TRAFFIC:
        printf("no: traffic %s, rule wants %s\n", traffic_name(req->traffic),
               traffic_name(r->traffic));
        return;
    case SEARCH_SKIP_AUTH:
        puts("no: request not authenticated, rule requires authentication");
        return;
    case SEARCH_SKIP_PATTERN:
        printf("no: alias %s does not match %s '%s'\n", st->alias_in,
               locate_pattern_type(r->pattern_type), r->pattern ? r->pattern : "");
        return;
    case SEARCH_SKIP_STOPPED:
        puts("not searched: a higher-priority level matched with stop");
        return;
    }
}

/* The next hop of a DNS-zone target: the static route when one exists (no DNS then, SPEC
 * §5.3), else the SRV answers, the record chosen and its addresses (dns_report.c resolves with
 * the proxy's code and the node file's [dns] servers). */
/* SPEC §5.4: a traversal zone's next hop is a connection, not an address (docs/traversal.md). */
static void locate_print_traversal_next_hop(const struct zone *z)
{
    if (z->type == ZONE_TRAVERSAL_CLIENT) {
        printf("      next hop: the connection this node keeps to %s", z->peers[0].host);
        for (size_t i = 1; i < z->n_peers; i++)
            printf(", then %s", z->peers[i].host);
        puts(" (503 at once while it is down)");
        return;
    }
    printf("      next hop: a connection opened by %s", z->tls_verify_subject[0]);
    for (size_t i = 1; i < z->n_tls_verify_subject; i++)
        printf(" or %s", z->tls_verify_subject[i]);
    puts(" (never a new connection; 503 at once when none is up)");
}

static void locate_print_dns_next_hop(su_home_t *home, const struct node_config *cfg,
                                      const struct dialplan *dp, const struct search_target *t)
{
    char *host = alias_host(home, t->alias);
    if (host == NULL) {
        puts("      next hop: none (the alias has no host)");
        return;
    }
    dns_report_locate(stdout, cfg, dp, t->zone, host);
}

/* The From the request carries and the federation policy's verdict on its domain (SPEC §6:
 * judged for requests from the default zone only). */
static void locate_print_from(const sip_t *sip, const struct decide_input *in,
                              const struct decision *dec)
{
    char from[256] = "(none)";
    if (sip->sip_from != NULL)
        url_e(from, sizeof from, sip->sip_from->a_url);
    printf("from:     %s%s\n", from,
           strcmp(from, SIPMSG_DEFAULT_FROM) == 0 ? " (the default; set one with --from-uri)" : "");
    if (dec->from_policy == NULL)
        printf("policy:   From not judged (source zone %s is not the default zone)\n",
               in->source->name);
    else
        printf("policy:   From domain %s %s (%s)\n", dec->from_domain ? dec->from_domain : "(none)",
               dec->from_allowed ? "allowed" : "refused", dec->from_policy);
}

static void locate_print(su_home_t *home, const struct node_config *cfg,
                         const struct dialplan *dp, const sip_t *sip,
                         const struct decide_input *in, const struct decision *dec)
{
    const char *markers[LOCATE_MAX_MARKERS];
    size_t n_markers = classify_describe_markers(sip, in->source, markers, LOCATE_MAX_MARKERS);

    printf("request:  %s sip:%s\n", sip->sip_request->rq_method_name,
           dec->alias ? dec->alias : "(no alias)");
    printf("source:   %s (%s zone), %s\n", in->source->name, zone_type_name(in->source->type),
           in->authenticated ? "authenticated" : "not authenticated");
    printf("traffic:  %s", traffic_name(dec->traffic));
    if (n_markers == 0)
        fputs(" (no Microsoft marker)", stdout);
    for (size_t i = 0; i < n_markers; i++)
        printf("%s%s", i ? "; " : " (Microsoft markers: ", markers[i]);
    if (n_markers > 0)
        printf(")%s", classify_is_imp_request(sip) ? ", an IM&P request" : ", not IM&P");
    putchar('\n');
    locate_print_from(sip, in, dec);
    if (dec->alias == NULL) {
        printf("result:   %d (%s)\n", dec->status, dec->reason);
        return;
    }
    printf("alias:    %s\n\nsearch rules (by priority):\n", dec->alias);
    if (dec->status != 0 && dec->search.n_trace == 0) {
        printf("  not searched: %s\n\nresult:   %d (%s)\n", dec->reason, dec->status,
               dec->reason);
        return;
    }

    struct search_request req = { .alias = dec->alias, .source = in->source,
                                  .traffic = dec->traffic, .authenticated = in->authenticated };
    int width = 0;
    for (size_t i = 0; i < dec->search.n_trace; i++)
        if ((int)strlen(dec->search.trace[i].rule->name) > width)
            width = (int)strlen(dec->search.trace[i].rule->name);
    for (size_t i = 0; i < dec->search.n_trace; i++)
        locate_print_step(&dec->search.trace[i], &req, width);
    if (dec->search.n_trace == 0)
        puts("  (the dial plan has no search rules)");

    putchar('\n');
    for (size_t i = 0; i < dec->search.n_levels; i++) {
        const struct search_level *lv = &dec->search.levels[i];
        printf("level %zu (priority %u%s): %zu target%s in parallel\n", i + 1, lv->priority,
               lv->stop ? ", stop" : "", lv->n_targets, lv->n_targets == 1 ? "" : "s");
        for (size_t j = 0; j < lv->n_targets; j++) {
            const struct search_target *t = &lv->targets[j];
            printf("    -> %s (%s zone) alias %s, rule \"%s\"\n", t->zone->name,
                   zone_type_name(t->zone->type), t->alias, t->rule->name);
            if (t->zone->type == ZONE_DNS)
                locate_print_dns_next_hop(home, cfg, dp, t);
            else if (t->zone->type == ZONE_TRAVERSAL_CLIENT ||
                     t->zone->type == ZONE_TRAVERSAL_SERVER)
                locate_print_traversal_next_hop(t->zone);
        }
    }
    if (dec->status != 0)
        printf("result:   %d (%s)\n", dec->status, dec->reason);
    else
        printf("result:   route: %zu level%s\n", dec->search.n_levels,
               dec->search.n_levels == 1 ? "" : "s");
}

static void locate_unknown_zone(su_home_t *home, const struct dialplan *dp, const char *name)
{
    const char **names = su_zalloc(home, (dp->n_zones + 2) * sizeof *names);
    const char *near = NULL;
    if (names != NULL) {
        for (size_t i = 0; i < dp->n_zones; i++)
            names[i] = dp->zones[i]->name;
        names[dp->n_zones] = "default";
        near = suggest_closest_n(name, names, dp->n_zones + 1);
    }
    fprintf(stderr, "sipfed locate: unknown zone '%s'", name);
    if (near != NULL)
        fprintf(stderr, " (did you mean '%s'?)", near);
    fputc('\n', stderr);
}

int cmd_locate(const char *config_path, int argc, char **argv)
{
    static const struct option opts[] = {
        { "from", required_argument, NULL, 'f' },
        { "from-uri", required_argument, NULL, 'F' },
        { "method", required_argument, NULL, 'm' },
        { "header", required_argument, NULL, 'H' },
        { "authenticated", no_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    su_home_t *home = su_home_new(sizeof *home);
    const char **headers = home ? su_zalloc(home, ((size_t)argc + 1) * sizeof *headers) : NULL;
    size_t n_headers = 0;
    const char *from = NULL, *from_uri = NULL, *method = "MESSAGE";
    char method_buf[64], err[256];
    bool authenticated = false;
    struct node_config *cfg = NULL;
    struct dialplan *dp = NULL;
    msg_t *msg = NULL;
    int c, rc = EXIT_USAGE;

    if (headers == NULL) {
        fputs("sipfed: out of memory\n", stderr);
        goto out;
    }
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'f': from = optarg; break;
        case 'F': from_uri = optarg; break;
        case 'm': method = optarg; break;
        case 'H': headers[n_headers++] = optarg; break;
        case 'a': authenticated = true; break;
        default:
            rc = usage_print(c == 'h' ? stdout : stderr, "locate");
            goto out;
        }
    }
    if (optind != argc - 1) {
        if (optind == argc)
            fputs("sipfed locate: no ALIAS given\n", stderr);
        rc = usage_print(stderr, "locate");
        goto out;
    }
    const char *alias = argv[optind];
    const char *canonical = sipmsg_method_canonical(method, method_buf, sizeof method_buf);
    if (canonical != NULL) {
        fprintf(stderr, "sipfed locate: warning: method '%s' taken as %s (methods are "
                "case-sensitive on the wire)\n", method, canonical);
        method = canonical;
    }
    const char *method_near = sipmsg_method_suggest(method);
    if (method_near != NULL)
        fprintf(stderr, "sipfed locate: warning: method '%s' is no SIP method (did you mean %s?): "
                "taken as an extension method\n", method, method_near);
    if (from_uri != NULL) {
        const char *h = sipmsg_from_header(home, from_uri, err, sizeof err);
        if (h == NULL) {
            fprintf(stderr, "sipfed locate: %s\n", err);
            goto out;
        }
        headers[n_headers++] = h;
    }

    struct diag *d = diag_new(home);
    if (node_config_load(config_path, d, &cfg) == 0 &&
        dialplan_load(cfg->dialplan_dir, d, &dp) == 0)
        dialplan_tls_check(dp, cfg, d);
    diag_report(d);
    if (dp == NULL) {
        rc = EXIT_FAILED;
        goto out;
    }

    const struct zone *src = from ? dialplan_zone_find(dp, from) : dialplan_default_zone(dp);
    if (src == NULL && from != NULL && strcmp(from, "default") == 0)
        src = dialplan_default_zone(dp);
    if (src == NULL) {
        locate_unknown_zone(home, dp, from);
        goto out;
    }
    int brc = sipmsg_build(method, alias, headers, n_headers, NULL, &msg, err, sizeof err);
    if (brc != 0) {
        fprintf(stderr, "sipfed: %s\n", brc == ENOMEM ? "out of memory" : err);
        goto out;
    }

    /* SPEC §5.5: a zone that says `authenticated = yes` authenticates all its requests. */
    struct decide_input in = {
        .sip = sip_object(msg),
        .source = src,
        .authenticated = authenticated || src->authenticated == ZONE_AUTH_YES,
    };
    struct decision dec;
    if (decide_request(home, dp, &in, &dec) != 0) {
        fputs("sipfed: out of memory\n", stderr);
        rc = EXIT_FAILED;
        goto out;
    }
    locate_print(home, cfg, dp, in.sip, &in, &dec);
    rc = EXIT_OK;
out:
    if (msg != NULL)
        msg_destroy(msg);
    if (dp != NULL)
        dialplan_free(dp);
    if (cfg != NULL)
        node_config_free(cfg);
    su_home_unref(home);
    return rc;
}
