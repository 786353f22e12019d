/* forward_inbound.c — what the stateful (forward.c) and stateless (forward_stateless.c) paths both
 * do to an arriving request: its source zone, Max-Forwards, our own Route entries. Calls no other
 * forward*.c file. */
#include "forward_int.h"
#include "proxy_gen.h"
#include "route.h"
#include "srczone.h"
#include "tls.h"

static enum sip_transport tport_transport(const tport_t *tp)
{
    const tp_name_t *n = tp ? tport_name(tp) : NULL;
    if (n && n->tpn_proto && su_casematch(n->tpn_proto, "tls"))
        return SIP_TP_TLS;
    if (n && n->tpn_proto && su_casematch(n->tpn_proto, "tcp"))
        return SIP_TP_TCP;
    return SIP_TP_UDP;
}

/* Max-Forwards (RFC 3261 §16.6 step 3): decrement, or insert the node's default. Returns false
 * when it is already 0 (483). */
bool fwd_max_forwards_step(msg_t *msg, sip_t *sip, unsigned dflt)
{
    if (sip->sip_max_forwards) {
        if (sip->sip_max_forwards->mf_count == 0)
            return false;
        /* In place, so the header keeps its position; clearing the fragment makes sofia
         * encode the new value. */
        sip->sip_max_forwards->mf_count--;
        msg_fragment_clear(sip->sip_max_forwards->mf_common);
    } else {
        sip_add_make(msg, sip, sip_max_forwards_class,
                     su_sprintf(msg_home(msg), "%u", dflt ? dflt - 1 : 0));
    }
    return true;
}

/* Remove the Route entries that name us; returns how many were removed. */
int fwd_route_strip_self(const struct route_self *self, msg_t *msg, sip_t *sip)
{
    int n = 0;
    while (sip->sip_route && route_uri_is_self(self, sip->sip_route->r_url)) {
        msg_header_remove(msg, (msg_pub_t *)sip, (msg_header_t *)sip->sip_route);
        n++;
    }
    return n;
}

/* Where the request came from: source zone and authenticated flag (SPEC §5.1, §5.5). */
const struct zone *fwd_source_classify(struct proxy_gen *g, su_home_t *home, tport_t *tp,
                                       msg_t *req, const sip_t *sip, bool *authenticated,
                                       enum sip_transport *in_tp)
{
    struct srczone_origin o = { .ip = "" };
    char ip[64] = "";
    su_addrinfo_t *ai = msg_addrinfo(req);

    if (ai && ai->ai_addr) {
        su_sockaddr_t *su = (su_sockaddr_t *)ai->ai_addr;
        su_inet_ntop(su->su_family, SU_ADDR(su), ip, sizeof ip);
        o.port = ntohs(su->su_port);
    }
    o.ip = ip;
    *in_tp = tport_transport(tp);
    o.tls = *in_tp == SIP_TP_TLS;
    if (o.tls && tp) {
        /* The certificate facts tls_hook.c recorded for this connection: SAN dNSName, the CN
         * only without one (sofia's own subject list always adds the CN). */
        const struct tls_peer *peer = tls_peer_of(g->tls, tp);
        su_strlst_t *names = peer ? su_strlst_create(home) : NULL;
        for (size_t i = 0; names && i < peer->n_names; i++)
            su_strlst_dup_append(names, peer->names[i]);
        o.tls_verified = peer && peer->verified;
        o.tls_inbound = peer && peer->inbound;
        o.subjects = names;
    }
    o.from_domain = sip->sip_from ? sip->sip_from->a_url->url_host : NULL;
    return srczone_lookup(g->sz, g->dp, &o, authenticated);
}
