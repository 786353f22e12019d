/* policy.h — the federation policy (SPEC §6): which partner domains may federate, and the cache of
 * domains learnt by open federation. Pure: no sockets, no DNS, no clock. */
#ifndef SIPFED_POLICY_H
#define SIPFED_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_alloc.h>

#include "dialplan.h"

/* Which side of the edge the domain is on. */
enum policy_dir {
    POLICY_INBOUND,              /* the From domain of a request from the default zone */
    POLICY_OUTBOUND,             /* the target domain of a request to a DNS zone */
};

struct policy_learnt;

/* Whether `domain` may federate in direction `dir`. Sets *reason (a static string, for logs and
 * traces) to why. The order, first match wins:
 *   empty domain                        -> refused  "no_domain"
 *   a local domain                      -> allowed  "local_domain"  (never a federation partner)
 *   outbound to an IP address           -> allowed  "ip_address"    (a dialog contact such as a
 *                                                                     Lync NOTIFY target: no domain
 *                                                                     to judge; only rules from
 *                                                                     internal zones reach it)
 *   privacy = deny_list, listed         -> refused  "deny_list"     (even with a static route or
 *                                                                     open federation)
 *   a static route exists               -> allowed  "static_route"
 *   privacy = off                       -> allowed  "privacy_off"
 *   privacy = deny_list, not listed     -> allowed  "not_denied"
 *   privacy = allow_list, listed        -> allowed  "allow_list"
 *   allow_list, learnt (open federation)-> allowed  "learnt"
 *   allow_list, open federation, outbound -> allowed "open_federation"
 *   otherwise                           -> refused  "not_allowed"
 * So with allow_list and open_federation a partner outside the list may be reached, and may
 * reach us once a 2xx exchange has taught us its domain. `learnt` may be NULL. A listed (local,
 * allowed, denied) domain covers the hosts inside it: sip.msexample.test is judged as
 * msexample.test (Microsoft's same-namespace notion); a static route covers its exact domain.
 * Names compare case-insensitively, a trailing dot ignored. */
bool policy_domain_allowed(const struct dialplan *dp, const struct policy_learnt *learnt,
                           enum policy_dir dir, const char *domain, const char **reason);

/* Whether a 2xx exchange with `domain` teaches open federation something: open_federation is on,
 * the domain is not local and is allowed outbound. */
bool policy_domain_learnable(const struct dialplan *dp, const char *domain);

/* The learnt-domain cache: owned by the proxy (it outlives dial-plan reloads), bounded to
 * `capacity` domains; when full, the least recently learnt or confirmed domain is forgotten.
 * Lookups scan the array: O(capacity), fine for the hundreds of partners an edge has. Returns 0,
 * EINVAL (capacity 0) or ENOMEM; *out is allocated from `home`. */
int policy_learnt_create(su_home_t *home, size_t capacity, struct policy_learnt **out);
/* Learn (or refresh) `domain`, lowercased. Returns 0 or ENOMEM; *added (may be NULL) tells whether
 * the domain is new, so the caller logs each domain once. */
int policy_learnt_add(struct policy_learnt *pl, const char *domain, bool *added);
bool policy_learnt_contains(const struct policy_learnt *pl, const char *domain);
size_t policy_learnt_count(const struct policy_learnt *pl);
/* The i-th learnt domain (any order), or NULL past the end. For status output. */
const char *policy_learnt_get(const struct policy_learnt *pl, size_t i);

const char *policy_dir_name(enum policy_dir dir);   /* "inbound" | "outbound" */

#endif
