/* route.c — pure routing helpers of the forwarder (RFC 3261 §16); see route.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/su_md5.h>
#include <sofia-sip/su_string.h>

#include "route.h"



enum sip_transport route_uri_transport(const url_t *u)
{
    char tp[16];

    if (u->url_params && url_param(u->url_params, "transport", tp, sizeof tp) > 0) {
        if (su_casematch(tp, "tls"))
            return SIP_TP_TLS;
        if (su_casematch(tp, "tcp"))
            return SIP_TP_TCP;
        return SIP_TP_UDP;
    }
    return u->url_type == url_sips ? SIP_TP_TLS : SIP_TP_UDP;
}

static unsigned port_or_default(const char *port, bool tls)
{
    if (port && *port)
        return (unsigned)strtoul(port, NULL, 10);
    return sip_transport_default_port(tls ? SIP_TP_TLS : SIP_TP_UDP);
}

enum route_level_end route_level_end(const struct route_level_state *s)
{
    if (!s->canceled && !s->stop && s->best < 600 && s->more_levels)
        return ROUTE_NEXT_LEVEL;
    if (s->canceled && (s->best == 0 || s->best_local))
        return ROUTE_ANSWER_487;
    if (s->best_msg && s->best == 503)
        return ROUTE_ANSWER_500;         /* §16.7 step 6: not "this proxy is overloaded" */
    return s->best_msg ? ROUTE_RELAY_BEST : ROUTE_ANSWER_BEST;
}

bool route_failover(const struct route_failover_in *in)
{
    if (!in->zone_target || !in->more_peers || in->canceled || in->answered)
        return false;
    return in->before_response || in->status == 503 || (in->local && in->status == 408);
}

bool route_peer_attempt(size_t n_live, size_t n_down, size_t attempt, bool *down, size_t *nth)
{
    *down = attempt >= n_live;
    *nth = *down ? attempt - n_live : attempt;
    return *down ? *nth < n_down : true;
}

int route_request_uri_set(msg_t *msg, sip_t *sip, const char *alias)
{
    su_home_t *home = msg_home(msg);
    char *text = su_sprintf(home, "sip:%s", alias);
    url_t *ru = text ? url_hdup(home, (url_t *)text) : NULL;
    if (!ru || !ru->url_host || !sip->sip_request)
        return EINVAL;
    sip->sip_request->rq_url[0] = *ru;
    msg_fragment_clear(sip->sip_request->rq_common);
    return 0;
}

/* Host and port against the hostname (any port) and the listen addresses. */
static bool self_hostport_match(const struct route_self *self, const char *host, unsigned port)
{
    if (!host)
        return false;
    if (self->hostname && su_casematch(host, self->hostname))
        return true;
    for (size_t i = 0; i < self->n; i++)
        if (su_casematch(host, self->hosts[i]) && port == self->ports[i])
            return true;
    return false;
}

bool route_uri_is_self(const struct route_self *self, const url_t *u)
{
    if (!u || !u->url_host)
        return false;
    /* IPv6 hosts come bracketed in URIs; listen hosts are kept without brackets. */
    char host[256];
    const char *h = u->url_host;
    size_t len = strlen(h);
    if (len > 2 && h[0] == '[' && h[len - 1] == ']' && len - 2 < sizeof host) {
        memcpy(host, h + 1, len - 2);
        host[len - 2] = '\0';
        h = host;
    }
    return self_hostport_match(self, h,
                               port_or_default(u->url_port, route_uri_transport(u) == SIP_TP_TLS));
}

static void md5_str(su_md5_t *md5, const char *s)
{
    /* A separator after each field keeps ("ab","c") and ("a","bc") apart. */
    if (s)
        su_md5_strupdate(md5, s);
    su_md5_update(md5, "\n", 1);
}

void route_loop_hash(const sip_t *sip, char out[ROUTE_LOOP_HASH_LEN + 1])
{
    su_md5_t md5[1];
    uint8_t digest[SU_MD5_DIGEST_SIZE];
    char buf[1024];

    su_md5_init(md5);
    if (sip->sip_request) {
        url_e(buf, sizeof buf, sip->sip_request->rq_url);
        buf[sizeof buf - 1] = '\0';
        md5_str(md5, buf);
    }
    md5_str(md5, sip->sip_call_id ? sip->sip_call_id->i_id : NULL);
    md5_str(md5, sip->sip_from ? sip->sip_from->a_tag : NULL);
    md5_str(md5, sip->sip_to ? sip->sip_to->a_tag : NULL);
    snprintf(buf, sizeof buf, "%u", sip->sip_cseq ? (unsigned)sip->sip_cseq->cs_seq : 0u);
    md5_str(md5, buf);
    for (const sip_proxy_require_t *pr = sip->sip_proxy_require; pr;
         pr = (const sip_proxy_require_t *)pr->k_common->h_succ) {
        if (pr->k_common->h_class != sip_proxy_require_class)
            break;
        for (size_t i = 0; pr->k_items && pr->k_items[i]; i++)
            md5_str(md5, pr->k_items[i]);
    }
    for (const sip_proxy_authorization_t *pa = sip->sip_proxy_authorization; pa; pa = pa->au_next)
        for (size_t i = 0; pa->au_params && pa->au_params[i]; i++)
            md5_str(md5, pa->au_params[i]);
    su_md5_digest(md5, digest);

    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < ROUTE_LOOP_HASH_LEN / 2; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 0xf];
    }
    out[ROUTE_LOOP_HASH_LEN] = '\0';
}

bool route_request_loops(const struct route_self *self, const sip_t *sip,
                         const char hash[ROUTE_LOOP_HASH_LEN + 1])
{
    const size_t magic_len = strlen(ROUTE_BRANCH_MAGIC);

    for (const sip_via_t *v = sip->sip_via; v; v = v->v_next) {
        bool tls = v->v_protocol && su_casematch(v->v_protocol, sip_transport_tls);
        if (!self_hostport_match(self, v->v_host, port_or_default(v->v_port, tls)))
            continue;
        const char *b = v->v_branch;
        if (b && strlen(b) >= magic_len + ROUTE_LOOP_HASH_LEN &&
            strncasecmp(b, ROUTE_BRANCH_MAGIC, magic_len) == 0 &&
            strncasecmp(b + magic_len, hash, ROUTE_LOOP_HASH_LEN) == 0)
            return true;
    }
    return false;
}

char *route_unsupported_tags(su_home_t *home, const sip_proxy_require_t *pr)
{
    char *out = NULL;

    for (; pr; pr = (const sip_proxy_require_t *)pr->k_common->h_succ) {
        if (pr->k_common->h_class != sip_proxy_require_class)
            break;
        for (size_t i = 0; pr->k_items && pr->k_items[i]; i++) {
            const char *tag = pr->k_items[i];
            /* Microsoft's option tags (ms-benotify, ms-piggyback-first-notify, ...) are
             * accepted: [MS-SIP] lets a proxy pass them through (SPEC §4.3.5). */
            if (su_casenmatch(tag, "ms-", 3))
                continue;
            out = out ? su_sprintf(home, "%s, %s", out, tag) : su_strdup(home, tag);
        }
    }
    return out;
}

char *route_record_route_make(su_home_t *home, const char *hostname, enum sip_transport tp,
                              unsigned port)
{
    if (port && port != sip_transport_default_port(tp))
        return su_sprintf(home, "<sip:%s:%u;transport=%s;lr>", hostname, port,
                          sip_transport_name(tp));
    return su_sprintf(home, "<sip:%s;transport=%s;lr>", hostname, sip_transport_name(tp));
}

/* Preference inside one class: 0 best. 503 from downstream means "that server is
 * overloaded", the least useful answer to pass on (RFC 3261 §16.7 step 6). */
static int rank_in_class(int status, bool local)
{
    return (status == 503 ? 2 : 0) + (local ? 1 : 0);
}

bool route_response_better(int candidate, bool candidate_local, int best, bool best_local)
{
    if (best == 0)
        return true;
    if (best >= 600)
        return false;
    if (candidate >= 600)
        return true;
    if (candidate / 100 != best / 100)
        return candidate / 100 < best / 100;
    return rank_in_class(candidate, candidate_local) < rank_in_class(best, best_local);
}

/* The header name of an entry of sofia's error list. A header sofia could not parse is a
 * sip_error_t with its name in er_name; the second instance of a header that may appear only
 * once (User-Agent, Max-Forwards, Date...) is kept there as itself, in its own class: reading
 * er_name from it would read some other field as a pointer. */
static const char *route_error_entry_name(const sip_error_t *e)
{
    const msg_header_t *h = (const msg_header_t *)e;
    if (h->sh_class == sip_error_class)
        return e->er_name;
    return h->sh_class ? h->sh_class->hc_name : NULL;
}

const char *route_bad_proxy_header(const sip_t *sip)
{
    static const char *const names[] = { "Max-Forwards", "Route", "Proxy-Require" };
    for (const sip_error_t *e = sip->sip_error; e; e = e->er_next) {
        const char *name = route_error_entry_name(e);
        for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
            if (su_casematch(name, names[i]))
                return names[i];
    }
    return NULL;
}

const char *route_duplicate_header(const sip_t *sip)
{
    for (const sip_error_t *e = sip->sip_error; e; e = e->er_next) {
        const msg_header_t *h = (const msg_header_t *)e;
        if (h->sh_class != sip_error_class)
            return route_error_entry_name(e) ? route_error_entry_name(e) : "?";
    }
    return NULL;
}

bool route_host_is_unicast(const char *host)
{
    unsigned char a[16];
    char buf[64];
    size_t len = host ? strlen(host) : 0;

    if (len >= 2 && host[0] == '[' && host[len - 1] == ']' && len - 2 < sizeof buf) {
        memcpy(buf, host + 1, len - 2);
        buf[len - 2] = '\0';
        host = buf;
    }
    if (host && inet_pton(AF_INET, host, a) == 1)
        /* 224.0.0.0/4 multicast, 255.255.255.255 limited broadcast, 0.0.0.0 "this host" */
        return !(a[0] >= 224 && a[0] <= 239) && !(a[0] == 255 && a[1] == 255 && a[2] == 255 &&
                                                   a[3] == 255) &&
               !(a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0);
    if (host && inet_pton(AF_INET6, host, a) == 1) {
        static const unsigned char any[16];
        return a[0] != 0xff && memcmp(a, any, sizeof any) != 0;   /* ff00::/8, :: */
    }
    return true;                    /* a name: resolved (and judged) when it is used */
}
