/* fuzz_request.c — libFuzzer target over the request path of `sipfed run`, without a network:
 * raw bytes -> sofia's SIP parser (the one nta uses) -> source classification (srczone_lookup)
 * -> forward_message()'s refusals (a header given twice, a Request-URI that does not parse)
 * -> the proxy's RFC 3261 §16.3 checks (route.c) -> loose routing -> decide_request() (the search
 * and federation policy) -> the copy each branch would send (Request-URI rewrite, Record-Route),
 * encoded as sofia encodes it for the wire. The steps follow forward_request() in
 * proxy/sip/forward.c; what needs sockets (nta transactions, tport, TLS) is left out.
 *
 * Input: one control byte, then the message as it would arrive on a connection.
 *   bits 0-1  dial plan: lab, internal example, DMZ example, lab
 *   bits 2-4  where it came from: the Nth resolved peer of the plan's zones, or (past the last)
 *             an address no zone knows (the Internet)
 *   bit 5     over TLS; bit 6 the certificate verified; bit 7 the peer opened the connection
 * Over TLS the peer certificate names are the tls_verify_subject names of the peer's zone (of
 * the first zone that has some, for an unknown address) and the From host. */
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_util.h>

#include "decide.h"
#include "fuzz_lib.h"
#include "fuzz_sip.h"
#include "route.h"
#include "sip_mclass.h"
#include "srczone.h"

enum { FUZZ_MAX_MESSAGE = 70000, FUZZ_MAX_ORIGINS = 8 };

struct fuzz_origin {
    const char *ip;
    uint16_t port;
    const struct zone *zone;     /* NULL: unknown to the plan */
};

struct fuzz_env {
    const struct dialplan *dp;
    struct srczone_table *sz;
    struct fuzz_origin origins[FUZZ_MAX_ORIGINS];
    size_t n_origins;
    struct route_self self;
};

/* The node's own names (the lab node file's): who "we" are for Route, Via and Record-Route. */
static void fuzz_self_build(su_home_t *home, struct route_self *self)
{
    static const char *hosts[] = { "127.0.0.1", "127.0.0.1", "127.0.0.1" };
    static const uint16_t ports[] = { 5060, 5060, 5061 };

    self->hostname = "edge.ciscoexample.test";
    self->hosts = hosts;
    self->ports = ports;
    self->n = 3;
    for (int tp = SIP_TP_UDP; tp <= SIP_TP_TLS; tp++)
        self->record_route[tp] = sip_record_route_make(
            home, route_record_route_make(home, self->hostname, (enum sip_transport)tp,
                                          ports[tp]));
}

static const struct fuzz_env *fuzz_env(enum fuzz_plan which)
{
    static struct fuzz_env envs[FUZZ_PLAN_COUNT];
    static su_home_t *home;
    struct fuzz_env *e = &envs[which];

    if (e->dp != NULL)
        return e;
    if (home == NULL && (home = su_home_new(sizeof *home)) == NULL)
        abort();
    e->dp = fuzz_plan(which);
    /* the plans' peers are IP literals: no resolved names needed (no DNS) */
    if (srczone_table_build(home, e->dp, NULL, &e->sz) != 0)
        abort();
    for (size_t z = 0; z < e->dp->n_zones; z++) {
        const struct zone *zone = e->dp->zones[z];
        for (size_t p = 0; p < zone->n_peers && e->n_origins + 1 < FUZZ_MAX_ORIGINS; p++) {
            size_t n = 0;
            const struct srczone_addr *a = srczone_peer_addrs(e->sz, zone, p, &n);
            if (n > 0)
                e->origins[e->n_origins++] = (struct fuzz_origin){ a->ip, a->port, zone };
        }
    }
    e->origins[e->n_origins++] = (struct fuzz_origin){ "192.0.2.99", 40123, NULL };
    fuzz_self_build(home, &e->self);
    return e;
}

static const struct zone *fuzz_classify(const struct fuzz_env *e, uint8_t ctl, su_home_t *home,
                                        const sip_t *sip, bool *authenticated)
{
    const struct fuzz_origin *o = &e->origins[((ctl >> 2) & 7) % e->n_origins];
    struct srczone_origin so = {
        .ip = o->ip, .port = o->port, .tls = ctl & 0x20, .tls_verified = ctl & 0x40,
        .tls_inbound = ctl & 0x80,
        .from_domain = sip->sip_from ? sip->sip_from->a_url->url_host : NULL,
    };
    if (so.tls) {
        const struct zone *named = o->zone;
        for (size_t z = 0; named == NULL && z < e->dp->n_zones; z++)
            if (e->dp->zones[z]->n_tls_verify_subject > 0)
                named = e->dp->zones[z];
        su_strlst_t *names = su_strlst_create(home);
        for (size_t i = 0; names && named && i < named->n_tls_verify_subject; i++)
            su_strlst_dup_append(names, named->tls_verify_subject[i]);
        if (names && so.from_domain)
            su_strlst_dup_append(names, so.from_domain);
        so.subjects = names;
    }
    const struct zone *src = srczone_lookup(e->sz, e->dp, &so, authenticated);
    if (src == NULL)
        abort();   /* never NULL: the default zone at worst */
    return src;
}

/* What one branch would send: the request copy with the search's alias as Request-URI and our
 * Record-Route, encoded for the wire. The encoding must parse again as a request. */
static void fuzz_branch_copy(const struct fuzz_env *e, msg_t *msg, const char *alias,
                             const char *dec_alias, enum sip_transport out_tp)
{
    msg_t *m = msg_copy(msg);
    sip_t *s = m ? sip_object(m) : NULL;
    if (s == NULL) {
        if (m)
            msg_destroy(m);
        return;
    }
    if (alias != NULL && (dec_alias == NULL || strcmp(alias, dec_alias) != 0))
        route_request_uri_set(m, s, alias);
    msg_header_insert(m, (msg_pub_t *)s,
                      msg_header_dup(msg_home(m), (msg_header_t *)e->self.record_route[out_tp]));
    size_t len = 0;
    char *wire = msg_serialize(m, (msg_pub_t *)s) == 0
                     ? msg_as_string(msg_home(m), m, (msg_pub_t *)s, 0, &len) : NULL;
    if (wire != NULL) {
        msg_t *again = msg_make(sip_default_mclass(), 0, wire, (ssize_t)len);
        if (again != NULL)
            msg_destroy(again);
    }
    msg_destroy(m);
}

static void fuzz_stray_response(const sip_t *sip)
{
    for (const sip_via_t *v = sip->sip_via; v; v = v->v_next) {
        (void)route_host_is_unicast(v->v_host);
        (void)route_host_is_unicast(v->v_received);
        (void)route_host_is_unicast(v->v_maddr);
    }
}

static void fuzz_request(const struct fuzz_env *e, uint8_t ctl, su_home_t *home, msg_t *msg,
                         sip_t *sip)
{
    bool authenticated = false;
    char hash[ROUTE_LOOP_HASH_LEN + 1];
    const struct zone *src = fuzz_classify(e, ctl, home, sip, &authenticated);

    /* forward_request(): §16.3 validation */
    if (route_bad_proxy_header(sip) != NULL || sip->sip_request->rq_url->url_headers)
        return;
    if (sip->sip_max_forwards && sip->sip_max_forwards->mf_count == 0)
        return;
    if (route_unsupported_tags(home, sip->sip_proxy_require) != NULL)
        return;
    route_loop_hash(sip, hash);
    if (strlen(hash) != ROUTE_LOOP_HASH_LEN)
        abort();
    if (route_request_loops(&e->self, sip, hash))
        return;
    /* §16.4 loose routing: our Route entries removed; a Route left decides */
    while (sip->sip_route && route_uri_is_self(&e->self, sip->sip_route->r_url))
        msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_route);
    if (sip->sip_route) {
        (void)route_uri_transport(sip->sip_route->r_url);
        fuzz_branch_copy(e, msg, NULL, NULL, SIP_TP_TLS);
        return;
    }
    struct decide_input in = { .sip = sip, .source = src, .authenticated = authenticated };
    struct decision d;
    if (decide_request(home, e->dp, &in, &d) != 0)
        return;
    if (d.status != 0) {
        if (d.status < 300 || d.status > 699 || d.reason == NULL)
            abort();
        return;
    }
    for (size_t l = 0; l < d.search.n_levels; l++) {
        const struct search_level *lv = &d.search.levels[l];
        for (size_t t = 0; t < lv->n_targets; t++) {
            const struct zone *z = lv->targets[t].zone;
            fuzz_branch_copy(e, msg, lv->targets[t].alias, d.alias,
                             z && z->type != ZONE_DNS ? z->transport : SIP_TP_TLS);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > FUZZ_MAX_MESSAGE)
        return 0;
    uint8_t ctl = data[0];
    const struct fuzz_env *e = fuzz_env((enum fuzz_plan)((ctl & 3) % FUZZ_PLAN_COUNT));
    /* msg_make parses a copy: the input itself is read only within its size */
    /* parsed as the agent parses (proxy.c: NTATAG_SIPFLAGS, NTATAG_MCLASS) */
    msg_t *msg = msg_make(fuzz_sip_mclass(), MSG_DO_CANONIC | MSG_DO_EXTRACT_COPY, data + 1,
                          (ssize_t)(size - 1));
    sip_t *sip = msg ? sip_object(msg) : NULL;
    su_home_t *home = su_home_new(sizeof *home);

    if (home == NULL)
        abort();
    /* forward_message() refuses a header given twice before anything copies the message */
    if (sip != NULL && fuzz_nta_would_accept(msg, sip) && route_duplicate_header(sip) == NULL &&
        !(sip->sip_request && sip_request_uri_is_bad(sip))) {
        if (sip->sip_request)
            fuzz_request(e, ctl, home, msg, sip);
        else if (sip->sip_status)
            fuzz_stray_response(sip);
    }
    if (msg)
        msg_destroy(msg);
    su_home_unref(home);
    return 0;
}
