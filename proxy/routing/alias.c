/* alias.c — the alias of a request (SPEC §4.1): Request-URI without the scheme. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "alias.h"

/* `user@host[:port][;params]`, or `host[:port][;params]` without a user. The host is lowercased
 * (DNS names are case-insensitive); user, port and params are kept as received. A password
 * (`user:pw@`) is dropped: it is not part of an address anyone routes on. */
char *alias_from_url(su_home_t *home, const url_t *url)
{
    if (url == NULL || url->url_host == NULL || url->url_host[0] == '\0')
        return NULL;

    const char *user = url->url_user;
    bool has_user = user != NULL && user[0] != '\0';
    char *alias = su_sprintf(home, "%s%s%s%s%s%s%s",
                             has_user ? user : "", has_user ? "@" : "",
                             url->url_host,
                             url->url_port ? ":" : "", url->url_port ? url->url_port : "",
                             url->url_params ? ";" : "", url->url_params ? url->url_params : "");
    if (alias == NULL)
        return NULL;

    char *host = alias + (has_user ? strlen(user) + 1 : 0);
    for (size_t i = 0, n = strlen(url->url_host); i < n; i++)
        host[i] = (char)tolower((unsigned char)host[i]);
    return alias;
}

/* Where the host starts: after the first '@', or at the start when there is no user part. */
static const char *alias_host_start(const char *alias)
{
    const char *at = strchr(alias, '@');
    return at ? at + 1 : alias;
}

/* Length of the host: up to ':' (port), ';' (params) or the end. An IPv6 reference keeps its
 * brackets and the colons inside them. */
static size_t alias_host_len(const char *host)
{
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        return close ? (size_t)(close - host) + 1 : strlen(host);
    }
    return strcspn(host, ":;");
}

char *alias_host(su_home_t *home, const char *alias)
{
    if (alias == NULL)
        return NULL;
    const char *host = alias_host_start(alias);
    size_t len = alias_host_len(host);
    if (len == 0)
        return NULL;
    char *out = su_strndup(home, host, len);
    for (size_t i = 0; out != NULL && i < len; i++)
        out[i] = (char)tolower((unsigned char)out[i]);
    return out;
}

/* Lowercase the host part of `alias` in place (after a replace wrote a new alias). */
void alias_normalize(char *alias)
{
    if (alias == NULL)
        return;
    char *host = (char *)alias_host_start(alias);
    size_t len = alias_host_len(host);
    for (size_t i = 0; i < len; i++)
        host[i] = (char)tolower((unsigned char)host[i]);
}
