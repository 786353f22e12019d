/* dialplan_model.c — the loaded dial plan's look-ups (zones, static routes, local domains) and
 * the array growth the section loaders share. Below dialplan.c and dialplan_{zone,rule,policy}.c:
 * it calls none of them. */
#include "dialplan_int.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_string.h>

#include "dname.h"

int dialplan_array_grow(su_home_t *home, void *v, size_t n, size_t *cap, size_t size)
{
    void **array = v;
    if (n < *cap)
        return 0;
    size_t grown = *cap ? 2 * *cap : 8;
    void *p = su_realloc(home, *array, grown * size);
    if (!p)
        return ENOMEM;
    *array = p;
    *cap = grown;
    return 0;
}

const struct zone *dialplan_zone_find(const struct dialplan *dp, const char *name)
{
    for (size_t i = 0; i < dp->n_zones; i++)
        if (strcmp(dp->zones[i]->name, name) == 0)
            return dp->zones[i];
    return NULL;
}

const struct zone *dialplan_default_zone(const struct dialplan *dp)
{
    for (size_t i = 0; i < dp->n_zones; i++)
        if (dp->zones[i]->type == ZONE_DEFAULT)
            return dp->zones[i];
    return NULL;
}

const struct static_route *dialplan_static_route_find(const struct dialplan *dp,
                                                      const char *domain)
{
    for (size_t i = 0; i < dp->n_static_routes; i++)
        if (dname_equal(dp->static_routes[i]->domain, domain))
            return dp->static_routes[i];
    return NULL;
}

bool dialplan_is_local_domain(const struct dialplan *dp, const char *domain)
{
    for (size_t i = 0; i < dp->federation.n_local_domains; i++)
        if (su_casematch(dp->federation.local_domains[i], domain))
            return true;
    return false;
}
