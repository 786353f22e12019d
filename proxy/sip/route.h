/* route.h — pure routing helpers of the forwarder (RFC 3261 §16): who "we" are for Route and
 * Via, loop hashes, Proxy-Require, Record-Route values and best-response selection. No sockets. */
#ifndef SIPFED_ROUTE_H
#define SIPFED_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

#include "types.h"

/* The names this node answers to: its FQDN and every listen address. Borrowed strings. */
struct route_self {
    const char *hostname;
    const char **hosts;          /* listen hosts (IP literals or names) */
    const uint16_t *ports;       /* their ports, same index */
    size_t n;
    /* Our Record-Route entry per transport (index enum sip_transport), parsed once per
     * generation: a request gets copies (msg_header_dup), not a formatted and parsed string. */
    const sip_record_route_t *record_route[3];
};

/* Length of the loop hash written by route_loop_hash() (hex digits, without the NUL). */
#define ROUTE_LOOP_HASH_LEN 16

/* True when `u` names this node: its host is our hostname (any port), or one of our listen
 * addresses (host and port; a missing port means 5060/5061 by scheme/transport). */
bool route_uri_is_self(const struct route_self *self, const url_t *u);

/* The loop-detection hash of RFC 3261 §16.6 step 8 over the fields a loop keeps unchanged:
 * Request-URI as received, Call-ID, From tag, To tag, CSeq number, Proxy-Require and
 * Proxy-Authorization (the top Via is left out on purpose: it differs on every hop, so a
 * hash over it could never match a loop). Writes ROUTE_LOOP_HASH_LEN hex digits + NUL. */
void route_loop_hash(const sip_t *sip, char out[ROUTE_LOOP_HASH_LEN + 1]);

/* The branch prefix we use: "z9hG4bK" "sf" HASH "."; a branch of ours starts with it. */
#define ROUTE_BRANCH_MAGIC "z9hG4bKsf"

/* True when the request has looped (RFC 3261 §16.3 step 4): one of its Vias has a sent-by that
 * is ours and a branch carrying the same loop hash. A spiral (changed Request-URI) is not a loop. */
bool route_request_loops(const struct route_self *self, const sip_t *sip,
                         const char hash[ROUTE_LOOP_HASH_LEN + 1]);

/* False when `host` (a Via's host, received or maddr) is an IPv4 multicast, limited broadcast
 * or 0.0.0.0 address, or an IPv6 multicast or unspecified one (brackets allowed): a response is
 * never relayed there (issue 11; RFC 3261 §18.2.2 sends responses to unicast addresses only). */
bool route_host_is_unicast(const char *host);

/* Proxy-Require option tags we do not support (every tag except Microsoft's `ms-*`), joined by
 * ", " into a string allocated from `home`; NULL when all are supported (or none given). */
/* The name of the first header the proxy acts on (Max-Forwards, Route, Proxy-Require) that
 * sofia could not parse, or NULL: RFC 3261 §16.3 step 1 (reasonable syntax) wants 400 for it
 * rather than a guess (a malformed Max-Forwards would otherwise look absent and be reset). */
const char *route_bad_proxy_header(const sip_t *sip);

/* The name of a header that may appear only once and was given more than once (the second
 * `User-Agent:` of a request), or NULL. sofia keeps such a duplicate in its error list, and a
 * copy of the message then trips an assertion in sofia's encoder (msg_parser.c serialize_one)
 * and aborts the process: the proxy refuses such a message (400) before copying it. Found by
 * tests/fuzz/fuzz_request.c (docs/fuzzing.md). */
const char *route_duplicate_header(const sip_t *sip);

char *route_unsupported_tags(su_home_t *home, const sip_proxy_require_t *pr);

/* `<sip:HOST;transport=X;lr>` allocated from `home` (SPEC §4.3.6: the FQDN, never an IP), with
 * `:PORT` when `port` is not the transport's default (0: none): a next hop resolving the entry
 * per RFC 3263 must land on the port we listen on, not on 5060/5061. */
char *route_record_route_make(su_home_t *home, const char *hostname, enum sip_transport tp,
                              unsigned port);

/* Best-response selection of RFC 3261 §16.7 step 6 among final non-2xx responses: true when
 * `candidate` should replace `best` (0 = none yet). 6xx beats everything; otherwise the lowest
 * class wins; within a class the first kept, except that a response from downstream beats a
 * locally generated one (`*_local`) and 503 loses to the other 5xx. */
bool route_response_better(int candidate, bool candidate_local, int best, bool best_local);

/* Where a transaction stands when every branch of its current level is done. */
struct route_level_state {
    bool canceled;               /* the caller sent CANCEL */
    bool stop;                   /* a rule of this level said on_match = stop */
    bool more_levels;            /* the search has another priority level (never when loose-routed) */
    int best;                    /* best final non-2xx kept (route_response_better), 0: none */
    bool best_local;             /* it was ours (a failure with no downstream response) */
    bool best_msg;               /* the downstream response itself is kept (relayable) */
};

/* What happens when a level ends without a 2xx (RFC 3261 §16.7 steps 6 and 7, SPEC §4.3). */
enum route_level_end {
    ROUTE_NEXT_LEVEL,            /* try the next priority level */
    ROUTE_ANSWER_487,            /* cancelled and nothing from downstream: 487 */
    ROUTE_ANSWER_500,            /* the best is a downstream 503: 500, never our own 503 */
    ROUTE_RELAY_BEST,            /* relay the kept downstream response */
    ROUTE_ANSWER_BEST,           /* answer with the best status ourselves (500 when none) */
};
enum route_level_end route_level_end(const struct route_level_state *s);

/* A branch's attempt has ended with a final `status`: does it move on to the zone's next peer
 * (SPEC §5.2)? Only a zone target with more peers, while the caller neither cancelled nor got
 * its answer; then every failure before a response (`before_response`: next hop, send, attempt
 * timer), a 503, or nta's own 408 (`local`: no answer at all) fails over. */
struct route_failover_in {
    int status;
    bool before_response;
    bool local;
    bool zone_target;
    bool more_peers;
    bool canceled;
    bool answered;
};
bool route_failover(const struct route_failover_in *in);

/* Which address a neighbor zone's attempt `attempt` (0 first) goes to, among `n_live` addresses
 * not marked down by their OPTIONS keep-alive and `n_down` marked down: every live address first,
 * then the ones marked down, each group in configuration order. A down mark is a last resort, not
 * a ban: the probe may be stale (a peer restarted since) and one more attempt costs less than a
 * certain failure. Sets *down (which group) and *nth (index in that group) and returns true, or
 * returns false when no address is left. */
bool route_peer_attempt(size_t n_live, size_t n_down, size_t attempt, bool *down, size_t *nth);

/* The search's alias (`user@host[:port][;params]`) becomes the Request-URI of `msg`:
 * `sip:ALIAS`, parsed from `msg`'s home, the old encoding cleared. Returns 0, or EINVAL when the
 * alias is no URI with a host (then the Request-URI is left as it was). */
int route_request_uri_set(msg_t *msg, sip_t *sip, const char *alias);

/* The transport of a URI: its `transport` parameter, else TLS for sips:, else UDP. */
enum sip_transport route_uri_transport(const url_t *u);

#endif
