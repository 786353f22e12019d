/* dns.h — the DNS zone's resolver (SPEC §5.3): c-ares driven by the sofia event loop (no thread, no
 * blocking call), Microsoft's SRV selection (srv.h), then A/AAAA of the chosen target; answers
 * cached for their TTL, concurrent lookups of one domain shared. */
#ifndef SIPFED_DNS_H
#define SIPFED_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_wait.h>

#include "srv.h"

enum {
    DNS_OK = 0,
    DNS_NOT_FOUND = 404,         /* the domain does not federate: NXDOMAIN, no record */
    DNS_UNAVAILABLE = 503,       /* the DNS failed: timeout, SERVFAIL, REFUSED, bad answer */
};

enum {
    DNS_TTL_MAX = 3600,          /* SPEC §5.3: answers are kept at most an hour */
    DNS_NEGATIVE_TTL = 60,       /* SPEC §5.3: "no such domain" is kept 60 s */
    DNS_RETRY_AFTER = 30,        /* Retry-After (s) suggested with a 503 */
    DNS_FALLBACK_PORT = SIPS_DEFAULT_PORT, /* the A-record fallback's port (Microsoft's
                                            * federation port, sip.h) */
};

struct dns_options {
    const char *const *servers;  /* "ip[:port]" / "[ipv6]:port"; n_servers == 0: system resolver */
    size_t n_servers;
    unsigned timeout_ms;         /* per try; 0: 1000. A silent server costs
                                  * timeout_ms * (2^tries - 1) per query (c-ares doubles it) */
    unsigned tries;              /* 0: 2 */
    size_t cache_max;            /* answers kept; 0: 1024 */
    bool hosts_file;             /* read /etc/hosts before DNS, as getaddrinfo does: names of
                                  * the configuration (gen_names.h); never for the DNS zone */
};

/* What to resolve: a domain of the DNS zone with the zone's settings. */
struct dns_request {
    const char *domain;
    char *const *services;       /* e.g. {"_sipfederationtls._tcp"}, tried in order */
    size_t n_services;
    bool fallback_a;             /* no SRV at all: the domain's own A/AAAA on `port` */
    uint16_t port;               /* the A-record port; 0: DNS_FALLBACK_PORT. A static route's
                                  * host is resolved with no services, fallback_a and its port */
};

/* The SRV answer of one service. */
struct dns_srv_set {
    const char *name;            /* the name queried: SERVICE.DOMAIN */
    const char *result;          /* "ok", "nxdomain", "nodata" or the failure */
    struct srv_record *records;  /* answer order */
    size_t n;
    int chosen;                  /* srv_pick_ms() index, -1 if none */
};

/* An answer, shared by every waiter and the cache (reference counted with its home). */
struct dns_answer {
    su_home_t home[1];
    const char *domain;
    int status;                  /* DNS_OK, DNS_NOT_FOUND or DNS_UNAVAILABLE */
    const char *reason;          /* "srv", "a_record", "no_srv", "no_address",
                                  * "srv_unavailable", "timeout", "dns_error" */
    const char *error;           /* c-ares' text for a failure, or NULL */
    struct dns_srv_set *srv;     /* one per service tried */
    size_t n_srv;
    const char *service;         /* DNS_OK by SRV: the service that answered; NULL: A record */
    const char *target;          /* DNS_OK: the host to connect to and to find in the certificate */
    uint16_t port;
    char **addrs;                /* DNS_OK: its addresses as IP literals, first preferred */
    size_t n_addrs;
    uint32_t ttl;                /* seconds it stays cached (0: not cached) */
};

struct dns_resolver;
struct dns_query;

/* Called once per dns_resolve() that was not cancelled, from the event loop (never from inside
 * dns_resolve()). `ans` is valid during the call; keep it with dns_answer_ref(). The query handle
 * is gone when this runs. */
typedef void dns_resolve_f(void *arg, const struct dns_answer *ans, bool from_cache);

/* Create a resolver on `root`. Returns 0, EINVAL (a server is not an IP[:port]; `*error` says
 * why, static text) or EIO (c-ares would not start). Destroy with dns_resolver_destroy(). */
int dns_resolver_create(su_root_t *root, const struct dns_options *opt,
                        struct dns_resolver **out, const char **error);
/* Stop every lookup and free the resolver. Pending queries get no callback: their owners must
 * be gone too (the resolver lives as long as the proxy). Not from inside a dns callback. */
void dns_resolver_destroy(struct dns_resolver *r);

/* SIGHUP: use the servers of `opt` from now on (lookups in flight finish on the old ones) and
 * empty the cache. Unchanged servers: nothing happens. Returns 0, EINVAL (`*error` says why; the
 * old servers stay) or ENOTSUP (going back to the system resolver needs a restart). */
int dns_resolver_set_servers(struct dns_resolver *r, const struct dns_options *opt,
                             const char **error);

/* Resolve `req`. Returns 0 and sets *q (may be NULL if the caller never cancels) to a handle
 * valid until the callback runs or dns_query_cancel(); or ENOMEM/EINVAL, no callback. A cached
 * answer is still delivered through the callback, on the next loop turn. */
int dns_resolve(struct dns_resolver *r, const struct dns_request *req, dns_resolve_f *cb,
                void *arg, struct dns_query **q);
/* Forget a pending query: its callback never runs. The lookup itself goes on for the others
 * and the cache. */
void dns_query_cancel(struct dns_query *q);

const struct dns_answer *dns_answer_ref(const struct dns_answer *ans);
void dns_answer_unref(const struct dns_answer *ans);

/* Counters for tests and status. */
enum { DNS_RESULTS_MAX = 12 };
struct dns_result_count {
    const char *result;          /* a dns_answer reason: "srv", "a_record", "no_srv", ... */
    unsigned long n;
};
struct dns_stats {
    struct dns_result_count results[DNS_RESULTS_MAX];  /* lookups finished, by result */
    size_t n_results;
    unsigned long lookups;       /* lookups sent to DNS */
    unsigned long cache_hits;
    unsigned long shared;        /* queries that joined a lookup in flight */
    size_t cached;               /* answers in the cache now */
    size_t pending;              /* lookups in flight now */
};
void dns_resolver_stats(const struct dns_resolver *r, struct dns_stats *out);

/* For `locate` and `check`, outside the proxy: run a private event loop until `req` is answered
 * (bounded by c-ares' timeouts). *out is a reference the caller releases with dns_answer_unref().
 * Returns 0, or the error of dns_resolver_create()/dns_resolve(). */
int dns_resolve_once(const struct dns_options *opt, const struct dns_request *req,
                     const struct dns_answer **out, const char **error);

#endif
