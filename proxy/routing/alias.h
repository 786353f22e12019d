/* alias.h — the alias of a request (SPEC §4.1): its Request-URI without the scheme,
 * `user@host[:port][;params]`, host lowercased, user kept as received. */
#ifndef SIPFED_ALIAS_H
#define SIPFED_ALIAS_H

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/url.h>

/* The alias of `url`, allocated from `home`; NULL on ENOMEM or a URL without a host. */
char *alias_from_url(su_home_t *home, const url_t *url);
/* The host part of an alias (lowercased copy), or NULL. */
char *alias_host(su_home_t *home, const char *alias);
/* Lowercase the host part of `alias` in place (used after a rule wrote a new alias). */
void alias_normalize(char *alias);

#endif
