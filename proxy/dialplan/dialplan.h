/* dialplan.h — zones, search rules, federation policy and static routes from the `*.ini`
 * files of `rules/` (SPEC §3.2). A dial plan is immutable once loaded; reload builds a new one and swaps it. */
#ifndef SIPFED_DIALPLAN_H
#define SIPFED_DIALPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "diag.h"
#include "types.h"

enum zone_type {
    ZONE_DEFAULT,
    ZONE_NEIGHBOR,
    ZONE_TRAVERSAL_CLIENT,
    ZONE_TRAVERSAL_SERVER,
    ZONE_DNS,
};

enum zone_auth { ZONE_AUTH_NO, ZONE_AUTH_YES, ZONE_AUTH_VERIFIED };

enum presence_format { PRESENCE_FORMAT_ASIS, PRESENCE_FORMAT_PIDF };

struct hostport {
    char *host;                  /* name or IP literal (no brackets), lowercased */
    uint16_t port;               /* 0: not given (the transport's default applies) */
};

struct zone {
    char *name;
    const char *file;            /* where it was declared (NULL for the implicit default zone) */
    unsigned line;
    enum zone_type type;
    bool untyped;                /* its type is missing or invalid (reported once): the loader's
                                  * cross-checks say nothing more about it */

    /* neighbor and traversal zones */
    struct hostport *peers;      /* tried in order (failover) */
    size_t n_peers;
    enum sip_transport transport;        /* default tls */
    char **tls_verify_subject;           /* names the peer certificate must carry (one of) */
    size_t n_tls_verify_subject;
    bool traffic_ms_imp;                 /* `traffic = ms-imp`: classify as Microsoft IM&P */
    bool record_route;                   /* default on */

    /* traversal zones (SPEC §5.4, docs/traversal.md) */
    unsigned keepalive_interval;         /* seconds between keep-alives (client), and the
                                          * silence after which the server drops a connection
                                          * (3x); default 30 */
    unsigned reconnect_max;              /* client: back-off cap in seconds; default 60 */

    /* neighbor, traversal and dns zones */
    bool tls_verify;                     /* default on */

    /* neighbor, traversal and default zones */
    enum zone_auth authenticated;        /* neighbor/traversal: no|yes; default: no|verified */

    /* dns zone */
    char **srv;                          /* default {"_sipfederationtls._tcp"} */
    size_t n_srv;
    bool fallback_a_record;              /* default off */

    /* default zone */
    bool require_client_certificate;     /* default off */

    /* any zone: the presence body format this zone receives (PRESENCE.md, SPEC §7) */
    enum presence_format presence_format;
};

enum rule_source { RULE_SOURCE_ANY, RULE_SOURCE_ALL_ZONES, RULE_SOURCE_NAMED };
enum rule_mode { RULE_MODE_ALIAS_PATTERN, RULE_MODE_ANY_ALIAS };
enum pattern_type { PATTERN_REGEX, PATTERN_PREFIX, PATTERN_SUFFIX, PATTERN_EXACT };
enum rule_behavior { BEHAVIOR_LEAVE, BEHAVIOR_STRIP, BEHAVIOR_REPLACE };
enum rule_on_match { ON_MATCH_STOP, ON_MATCH_CONTINUE };

struct rule {
    char *name;
    const char *file;
    unsigned line;
    unsigned priority;                   /* 1..65534 */
    enum rule_source source;
    const struct zone **sources;         /* RULE_SOURCE_NAMED: the zones */
    size_t n_sources;
    enum traffic traffic;                /* filter: any | standard | ms-any | ms-sip | ms-imp */
    bool authenticated;                  /* request must be authenticated */
    enum rule_mode mode;
    enum pattern_type pattern_type;
    char *pattern;                       /* NULL with any_alias */
    void *regex;                         /* pcre2_code * compiled at load (PATTERN_REGEX) */
    enum rule_behavior behavior;
    char *replace;                       /* BEHAVIOR_REPLACE: the new alias, \1..\9 allowed */
    enum rule_on_match on_match;
    const struct zone *target;
    bool enabled;
};

enum privacy { PRIVACY_OFF, PRIVACY_ALLOW_LIST, PRIVACY_DENY_LIST };

struct federation {
    char **local_domains;
    size_t n_local_domains;
    enum privacy privacy;                /* default off */
    char **domains;                      /* allow or deny list, lowercased */
    size_t n_domains;
    bool open_federation;                /* default off */
};

struct static_route {
    char *domain;                        /* lowercased */
    const char *file;
    unsigned line;
    struct hostport next_hop;
    enum sip_transport transport;        /* default tls */
    char **tls_verify_subject;           /* names the next hop's certificate must carry (one of);
                                          * none: the next_hop host name (an IP: chain only) */
    size_t n_tls_verify_subject;
};

struct dialplan {
    su_home_t home[1];                   /* owns everything below; compiled regexes too */
    char *dir;
    struct zone **zones;                 /* declaration order; the default zone is always present */
    size_t n_zones;
    struct rule **rules;                 /* sorted by priority, then declaration order */
    size_t n_rules;
    struct federation federation;
    struct static_route **static_routes;
    size_t n_static_routes;
};

/* Load every `*.ini` of `dir` in name order. All problems go to `d` (errors and warnings, each
 * with file:line); returns 0 and sets *out (free with dialplan_free) when there were no errors,
 * else EINVAL and *out is NULL. */
int dialplan_load(const char *dir, struct diag *d, struct dialplan **out);
void dialplan_free(struct dialplan *dp);

const struct zone *dialplan_zone_find(const struct dialplan *dp, const char *name);
const struct zone *dialplan_default_zone(const struct dialplan *dp);
/* The static route for `domain`, or NULL: the one static-route look-up (the proxy's next hop,
 * the DNS zone, federation policy, `locate`). Case-insensitive, a trailing dot ignored (dname.h). */
const struct static_route *dialplan_static_route_find(const struct dialplan *dp,
                                                      const char *domain);
bool dialplan_is_local_domain(const struct dialplan *dp, const char *domain);

const char *zone_type_name(enum zone_type t);

struct node_config;
/* Cross-check with the node file: every TLS zone (neighbor/traversal with transport = tls, dns,
 * default with require_client_certificate) and TLS static route needs its [tls] section.
 * Errors go to `d` at the zone's file:line. Call after both loads succeeded. */
void dialplan_tls_check(const struct dialplan *dp, const struct node_config *cfg,
                        struct diag *d);

/* The first traversal zone (client or server) of `dp`, or NULL. A node with one runs one worker
 * (docs/workers.md). */
const struct zone *dialplan_traversal_zone(const struct dialplan *dp);
/* Cross-check with the node file: an explicit [proxy] workers > 1 is an error when the dial plan
 * has a traversal zone (the DMZ node's requests must find the pair's connection in the process
 * that holds it). Errors go to `d` at the workers line. */
void dialplan_workers_check(const struct dialplan *dp, const struct node_config *cfg,
                            struct diag *d);

/* What `dp` asks for that this build does not do (dialplan_unbuilt.c: one list for check and
 * run). `fn` is called once per zone concerned with the log event of `run` and a sentence;
 * returns how many. */
typedef void dialplan_unbuilt_f(void *arg, const struct zone *z, const char *event,
                                const char *what);
size_t dialplan_unbuilt_each(const struct dialplan *dp, dialplan_unbuilt_f *fn, void *arg);
/* The same as warnings at each zone's file:line, for `check`. */
void dialplan_unbuilt_check(const struct dialplan *dp, struct diag *d);

#endif
