/* gen_names.h — the host names a configuration names (neighbor and traversal zone peers, static
 * route next hops), resolved through c-ares at load and reload (issue 11).
 *
 * Every name is asked at once, on the event loop, through a private c-ares channel made from the
 * new configuration's [dns] servers (the system resolver when none are listed) that reads
 * /etc/hosts first, like getaddrinfo: an IM&P node is often known by a hosts entry. The DNS
 * zone's own resolver never reads /etc/hosts (Internet partners) and keeps its cache; this one
 * is made per load, so a reload always asks again. IP literals need no lookup. */
#ifndef SIPFED_GEN_NAMES_H
#define SIPFED_GEN_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/su_wait.h>

#include "diag.h"
#include "dialplan.h"
#include "dns.h"

struct gen_names;

/* Called once, from the event loop (never from inside gen_names_start() or a c-ares callback),
 * when every name has an answer. The caller may destroy the set from here. */
typedef void gen_names_done_f(void *arg, struct gen_names *names);

/* Start resolving every host name of `dp` on `root` with the resolver options `opt` (its
 * servers). Returns 0 (`done` will run), or ENOMEM/EINVAL/EIO with `*error` set (static text)
 * for a resolver that cannot start. */
int gen_names_start(su_root_t *root, const struct dns_options *opt, const struct dialplan *dp,
                    gen_names_done_f *done, void *arg, struct gen_names **out,
                    const char **error);

/* The same, on a private event loop: returns when every name has an answer (bounded by the
 * resolver's timeouts). For start-up, `check` and `reload`'s own check, before any loop runs. */
int gen_names_resolve_now(const struct dns_options *opt, const struct dialplan *dp,
                          struct gen_names **out, const char **error);

/* gen_names_resolve_now() for a configuration file: a resolver that cannot start is an error in
 * `d` at `file`. Returns 0 and *out, or the error. Names that did not resolve are not reported
 * here (gen_names_report). */
int gen_names_resolve_file(const struct dns_options *opt, const struct dialplan *dp,
                           const char *file, struct diag *d, struct gen_names **out);

/* Forget the set; a lookup in flight is dropped (its `done` never runs). Not from inside a
 * c-ares callback; from the `done` callback is fine. NULL is ignored. */
void gen_names_destroy(struct gen_names *names);

/* How many distinct host names (IP literals not counted) of peers and static routes `dp` has:
 * what a resolution would ask for (`check --no-resolve` says how many it left unchecked).
 * Asks nothing. 0 when out of memory. */
size_t gen_names_in_plan(const struct dialplan *dp);

/* How many names the set asks for (IP literals not counted), and how many are answered. */
size_t gen_names_count(const struct gen_names *names);
size_t gen_names_pending(const struct gen_names *names);

/* The addresses `host` resolved to (numeric, first preferred), valid while the set lives.
 * Returns 0; or ENOENT with *why ("does not exist", "DNS failed: timeout", ...) when the name did
 * not resolve or is not in the set. An IP literal is not in the set: ENOENT. */
int gen_names_get(const struct gen_names *names, const char *host, char *const **addrs,
                  size_t *n_addrs, const char **why);

/* Report each peer or static-route name of `dp` that did not resolve as an error at its
 * file:line (one line per name). Returns how many were reported. */
size_t gen_names_report(const struct gen_names *names, const struct dialplan *dp,
                        struct diag *d);

#endif
