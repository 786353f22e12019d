/* dns_live.c — drives proxy/dns/dns.c against a real DNS server (dnsmasq, started by t_dns_resolver.sh)
 * and a silent one (a UDP socket of our own that never answers). Usage: dns_live IP:PORT NET
 * where NET is $SIPFED_TEST_NET (the zone's A records point into it). Exit 0 when every check
 * passes; each failure prints one line. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>

#include "dns.h"

static int failures;
static const char *net;

#define CHECK(cond, ...) \
    do { if (!(cond)) { failures++; printf("FAIL %s:%d: ", __FILE__, __LINE__); \
         printf(__VA_ARGS__); printf("\n"); } } while (0)

struct got {
    su_root_t *root;
    int calls;
    int *outstanding;            /* shared countdown: break the loop at 0 */
    const struct dns_answer *ans;
    bool from_cache;
};

static void got_cb(void *arg, const struct dns_answer *ans, bool from_cache)
{
    struct got *g = arg;
    g->calls++;
    g->ans = dns_answer_ref(ans);
    g->from_cache = from_cache;
    if (--*g->outstanding == 0)
        su_root_break(g->root);
}

static char *svc_sipfed[] = { "_sipfederationtls._tcp" };
static char *svc_two[] = { "_sipinternaltls._tcp", "_sipfederationtls._tcp" };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Resolve the given domains at once, run the loop until all are answered. */
static void resolve_all(su_root_t *root, struct dns_resolver *r, struct got *g,
                        const struct dns_request *reqs, size_t n)
{
    int outstanding = (int)n;
    for (size_t i = 0; i < n; i++) {
        memset(&g[i], 0, sizeof g[i]);
        g[i].root = root;
        g[i].outstanding = &outstanding;
        int err = dns_resolve(r, &reqs[i], got_cb, &g[i], NULL);
        CHECK(err == 0, "dns_resolve(%s) = %d", reqs[i].domain, err);
    }
    su_root_run(root);
}

static void release(struct got *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dns_answer_unref(g[i].ans);
}

static void expect_addr(const struct dns_answer *a, const char *target, unsigned port,
                        const char *host_octet)
{
    char ip[64];
    snprintf(ip, sizeof ip, "%s.%s", net, host_octet);
    CHECK(a->status == DNS_OK, "%s: status %d (%s)", a->domain, a->status, a->reason);
    if (a->status != DNS_OK)
        return;
    CHECK(strcmp(a->target, target) == 0, "%s: target %s, expected %s", a->domain, a->target,
          target);
    CHECK(a->port == port, "%s: port %u, expected %u", a->domain, a->port, port);
    CHECK(a->n_addrs >= 1 && strcmp(a->addrs[0], ip) == 0, "%s: addr %s, expected %s",
          a->domain, a->n_addrs ? a->addrs[0] : "-", ip);
}

static void test_live(su_root_t *root, const char *server)
{
    struct dns_options opt = { .servers = &server, .n_servers = 1 };
    struct dns_resolver *r;
    const char *error = NULL;
    struct dns_stats st;
    struct got g[4];
    int err = dns_resolver_create(root, &opt, &r, &error);
    CHECK(err == 0, "dns_resolver_create: %d %s", err, error ? error : "");
    if (err)
        return;

    /* Microsoft's pick among three records; a second domain resolved at the same time. */
    struct dns_request both[2] = {
        { "msexample.test", svc_sipfed, 1, false, 0 },
        { "partner.test", svc_sipfed, 1, false, 0 },
    };
    resolve_all(root, r, g, both, 2);
    expect_addr(g[0].ans, "sip3.msexample.test", 5063, "13");
    CHECK(g[0].ans->n_srv == 1 && g[0].ans->srv[0].n == 3, "msexample.test: 3 SRV records");
    CHECK(g[0].ans->ttl > 0 && g[0].ans->ttl <= 300, "msexample.test: ttl %u", g[0].ans->ttl);
    expect_addr(g[1].ans, "sip.partner.test", 5061, "21");
    CHECK(!g[0].from_cache && !g[1].from_cache, "first answers are not from the cache");
    release(g, 2);

    /* Cache hit: no new lookup. */
    dns_resolver_stats(r, &st);
    unsigned long lookups = st.lookups;
    resolve_all(root, r, g, both, 1);
    expect_addr(g[0].ans, "sip3.msexample.test", 5063, "13");
    CHECK(g[0].from_cache, "second msexample.test answer comes from the cache");
    dns_resolver_stats(r, &st);
    CHECK(st.lookups == lookups && st.cache_hits == 1, "cache: lookups %lu->%lu hits %lu",
          lookups, st.lookups, st.cache_hits);
    release(g, 1);

    /* Three concurrent queries for one domain share one lookup; a fourth is cancelled. */
    struct dns_request same = { "Second.TEST", svc_two, 2, false, 0 };
    struct dns_request shared[3] = { same, same, same };
    struct dns_query *cancelled = NULL;
    bool cancelled_called = false;
    struct got gc = { .root = root };
    int never = 1000;
    gc.outstanding = &never;
    CHECK(dns_resolve(r, &same, got_cb, &gc, &cancelled) == 0 && cancelled, "resolve to cancel");
    dns_query_cancel(cancelled);     /* the lookup goes on without waiters; others join it */
    resolve_all(root, r, g, shared, 3);
    dns_resolver_stats(r, &st);
    CHECK(st.lookups == lookups + 1, "shared: %lu lookups for 4 queries", st.lookups - lookups);
    CHECK(st.shared == 3, "shared: %lu joined", st.shared);
    /* the second service answered: the first (_sipinternaltls) has no record */
    for (int i = 0; i < 3; i++) {
        expect_addr(g[i].ans, "edge.second.test", 5061, "31");
        CHECK(g[i].ans == g[0].ans, "shared queries get one answer object");
    }
    CHECK(g[0].ans->n_srv == 2 && strcmp(g[0].ans->srv[0].result, "nodata") == 0,
          "second.test: first service %s", g[0].ans->n_srv ? g[0].ans->srv[0].result : "-");
    cancelled_called = gc.calls != 0;
    release(g, 3);

    /* NXDOMAIN -> 404, cached; a domain without SRV -> 404, or its A record with fallback. */
    struct dns_request missing[4] = {
        { "nosuch.test", svc_sipfed, 1, false, 0 },
        { "aonly.test", svc_sipfed, 1, false, 0 },
        { "aonly.test", svc_sipfed, 1, true, 0 },
        { "sip.partner.test", NULL, 0, true, 5071 },    /* a static route's host */
    };
    resolve_all(root, r, g, missing, 4);
    CHECK(g[0].ans->status == DNS_NOT_FOUND && strcmp(g[0].ans->reason, "no_srv") == 0 &&
          strcmp(g[0].ans->srv[0].result, "nxdomain") == 0,
          "nosuch.test: %d %s", g[0].ans->status, g[0].ans->reason);
    CHECK(g[0].ans->ttl == DNS_NEGATIVE_TTL, "nxdomain ttl %u", g[0].ans->ttl);
    CHECK(g[1].ans->status == DNS_NOT_FOUND && strcmp(g[1].ans->reason, "no_srv") == 0,
          "aonly.test without fallback: %d %s", g[1].ans->status, g[1].ans->reason);
    expect_addr(g[2].ans, "aonly.test", DNS_FALLBACK_PORT, "41");
    CHECK(strcmp(g[2].ans->reason, "a_record") == 0, "aonly.test: %s", g[2].ans->reason);
    expect_addr(g[3].ans, "sip.partner.test", 5071, "21");
    CHECK(g[3].ans->n_srv == 0, "a host lookup queries no SRV");
    release(g, 4);
    resolve_all(root, r, g, missing, 1);
    CHECK(g[0].from_cache && g[0].ans->status == DNS_NOT_FOUND, "nxdomain is cached");
    release(g, 1);

    /* RFC 6761 §6.4: a name under .invalid is answered 404 at once, no server asked (dnsmasq
     * here would answer REFUSED for it, which is 503). */
    dns_resolver_stats(r, &st);
    lookups = st.lookups;
    struct dns_request special[2] = {
        { "nowhere.INVALID.", svc_sipfed, 1, false, 0 },
        { "invalid", NULL, 0, true, 5061 },
    };
    resolve_all(root, r, g, special, 2);
    CHECK(g[0].ans->status == DNS_NOT_FOUND && strcmp(g[0].ans->reason, "no_srv") == 0 &&
          strcmp(g[0].ans->srv[0].result, "nxdomain") == 0,
          "nowhere.INVALID.: %d %s", g[0].ans->status, g[0].ans->reason);
    CHECK(g[1].ans->status == DNS_NOT_FOUND && strcmp(g[1].ans->reason, "no_address") == 0,
          "invalid: %d %s", g[1].ans->status, g[1].ans->reason);
    dns_resolver_stats(r, &st);
    CHECK(st.lookups == lookups + 2, ".invalid: %lu lookups", st.lookups - lookups);
    release(g, 2);
    struct dns_request notspecial = { "partner.invalidx", svc_sipfed, 1, false, 0 };
    resolve_all(root, r, g, &notspecial, 1);
    CHECK(g[0].ans->status == DNS_UNAVAILABLE, "partner.invalidx is not special: %d",
          g[0].ans->status);
    release(g, 1);

    /* A SRV target with no address -> 404 no_address. */
    struct dns_request noaddr = { "noaddr.test", svc_sipfed, 1, false, 0 };
    resolve_all(root, r, g, &noaddr, 1);
    CHECK(g[0].ans->status == DNS_NOT_FOUND && strcmp(g[0].ans->reason, "no_address") == 0,
          "noaddr.test: %d %s", g[0].ans->status, g[0].ans->reason);
    release(g, 1);

    /* A REFUSED answer (dnsmasq serves only .test here) -> 503, not cached. */
    struct dns_request refused = { "partner.example", svc_sipfed, 1, false, 0 };
    resolve_all(root, r, g, &refused, 1);
    CHECK(g[0].ans->status == DNS_UNAVAILABLE && strcmp(g[0].ans->reason, "dns_error") == 0 &&
          g[0].ans->ttl == 0, "REFUSED: %d %s ttl %u", g[0].ans->status, g[0].ans->reason,
          g[0].ans->ttl);
    release(g, 1);

    /* Run the loop once more so a stray callback for the cancelled query would show. */
    su_root_step(root, 50);
    CHECK(!cancelled_called && gc.calls == 0, "a cancelled query got its callback");
    dns_resolver_destroy(r);
}

/* A DNS server that never answers: a bound UDP socket nobody reads. 503 within the bound. */
static void test_silent(su_root_t *root, const char *real_server)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    char server[64], ip[32];
    socklen_t len = sizeof sa;
    snprintf(ip, sizeof ip, "%s.1", net);
    inet_pton(AF_INET, ip, &sa.sin_addr);
    if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        getsockname(s, (struct sockaddr *)&sa, &len) < 0) {
        CHECK(0, "silent server socket: %s", strerror(errno));
        return;
    }
    snprintf(server, sizeof server, "%s:%u", ip, (unsigned)ntohs(sa.sin_port));
    const char *servers[] = { server };
    struct dns_options opt = { .servers = servers, .n_servers = 1, .timeout_ms = 300, .tries = 2 };
    struct dns_resolver *r;
    struct got g[2];
    CHECK(dns_resolver_create(root, &opt, &r, NULL) == 0, "silent resolver");
    struct dns_request req[2] = {
        { "msexample.test", svc_sipfed, 1, false, 0 },
        { "pending.test", svc_sipfed, 1, false, 0 },
    };
    double t0 = now_s();
    resolve_all(root, r, g, req, 1);
    double took = now_s() - t0;
    CHECK(g[0].ans->status == DNS_UNAVAILABLE && strcmp(g[0].ans->reason, "timeout") == 0,
          "silent: %d %s", g[0].ans->status, g[0].ans->reason);
    CHECK(g[0].ans->ttl == 0, "a failure is not cached");
    /* 300 ms, then 600 ms: about 0.9 s */
    CHECK(took >= 0.8 && took < 2.0, "silent: 503 after %.2f s, expected 0.9", took);
    release(g, 1);

    /* Destroying the resolver with a query pending: no callback, no leak (ASan checks). */
    struct got gp = { .root = root };
    int one = 1;
    gp.outstanding = &one;
    CHECK(dns_resolve(r, &req[1], got_cb, &gp, NULL) == 0, "pending resolve");
    su_root_step(root, 10);
    dns_resolver_destroy(r);
    su_root_step(root, 10);
    CHECK(gp.calls == 0, "a query pending at destroy got a callback");

    /* SIGHUP: new servers empty the cache and are used from then on. */
    const char *real[] = { real_server };
    struct dns_options ropt = { .servers = real, .n_servers = 1, .timeout_ms = 300, .tries = 2 };
    struct dns_stats st;
    const char *error = NULL;
    CHECK(dns_resolver_create(root, &ropt, &r, NULL) == 0, "resolver for reload");
    resolve_all(root, r, g, req, 1);
    CHECK(g[0].ans->status == DNS_OK, "before reload: %d", g[0].ans->status);
    release(g, 1);
    CHECK(dns_resolver_set_servers(r, &ropt, &error) == 0, "same servers: no-op");
    dns_resolver_stats(r, &st);
    CHECK(st.cached == 1, "same servers keep the cache (%zu)", st.cached);
    CHECK(dns_resolver_set_servers(r, &opt, &error) == 0, "switch to the silent server");
    dns_resolver_stats(r, &st);
    CHECK(st.cached == 0, "new servers empty the cache (%zu)", st.cached);
    resolve_all(root, r, g, req, 1);
    CHECK(g[0].ans->status == DNS_UNAVAILABLE, "after reload: the new (silent) server is used");
    release(g, 1);
    struct dns_options none = { 0 };
    const char *bad[] = { "dns.example.test" };
    struct dns_options badopt = { .servers = bad, .n_servers = 1 };
    CHECK(dns_resolver_set_servers(r, &none, &error) == ENOTSUP && error, "back to system: restart");
    CHECK(dns_resolver_set_servers(r, &badopt, &error) == EINVAL && error, "a name is refused");
    dns_resolver_destroy(r);
    close(s);
}

static void test_bad_server(su_root_t *root)
{
    const char *servers[] = { "dns.example.test:53" };
    struct dns_options opt = { .servers = servers, .n_servers = 1 };
    struct dns_resolver *r = NULL;
    const char *error = NULL;
    CHECK(dns_resolver_create(root, &opt, &r, &error) == EINVAL && r == NULL && error,
          "a server name instead of an address is refused");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: dns_live DNS_IP:PORT TEST_NET\n");
        return 2;
    }
    net = argv[2];
    su_init();
    su_root_t *root = su_root_create(NULL);
    test_live(root, argv[1]);
    test_silent(root, argv[1]);
    test_bad_server(root);
    su_root_destroy(root);
    su_deinit();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
