/* forward_send.c — hand a request to nta for one next hop, over the connection the request may
 * use (SPEC §5.3): over TLS only a connection whose certificate proved what this request needs
 * (tls_out.c), else a fresh one that checks it. */
#include "forward_int.h"

#include <sofia-sip/su_tagarg.h>
#include <sofia-sip/tport_tag.h>

#include "nexthop.h"
#include "proxy.h"
#include "tls.h"

nta_outgoing_t *fwd_send(struct forward_env *env, const struct zone *z, const struct nexthop *hop,
                         const char *url, msg_t *msg, nta_response_f *cb, struct fwd_branch *br,
                         uint64_t *tls_conn, tag_type_t tag, tag_value_t value, ...)
{
    /* a traversal connection (hop->tport) is authenticated by traversal.c: only that one */
    struct tls_setup *ts = hop->transport == SIP_TP_TLS && !hop->tport ? env->gen->tls : NULL;
    tport_t *reuse = NULL;
    const char *one[1];
    struct tls_want w;             /* tls_send_begin() keeps pointers to it until tls_send_end() */
    ta_list ta;

    if (tls_conn)
        *tls_conn = 0;
    if (ts) {
        tls_want_zone(z, hop->host, one, &w);
        if (w.verify && hop->n_verify_names) {      /* a static route's tls_verify_subject */
            w.names = (const char *const *)hop->verify_names;
            w.n_names = hop->n_verify_names;
        }
        reuse = tls_send_begin(ts, &w, hop->ip, hop->port);
    }
    ta_start(ta, tag, value);
    nta_outgoing_t *o = nta_outgoing_mcreate(env->agent, cb, br, (url_string_t const *)url, msg,
                                             TAG_IF(hop->tport, NTATAG_TPORT(hop->tport)),
                                             TAG_IF(reuse, NTATAG_TPORT(reuse)),
                                             TAG_IF(ts && !reuse, TPTAG_FRESH(1)),
                                             ta_tags(ta));
    ta_end(ta);
    if (ts) {
        /* A stateless send returns (nta_outgoing_t *)-1: no transaction to ask. */
        tport_t *used = o && o != (nta_outgoing_t *)-1 ? nta_outgoing_transport(o) : NULL;
        uint64_t id = tls_send_end(ts, used);
        if (tls_conn)
            *tls_conn = id;
        if (used)
            tport_unref(used);
    }
    return o;
}
