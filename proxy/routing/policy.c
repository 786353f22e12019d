/* policy.c — federation allow/deny lists, static-route and local domains, open federation. */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <string.h>

#include "dname.h"
#include "srv.h"

struct policy_learnt_entry {
    char *domain;                /* lowercased, no trailing dot */
    unsigned long long used;     /* recency stamp: larger is more recent */
};

struct policy_learnt {
    su_home_t *home;
    struct policy_learnt_entry *entries;
    size_t n, capacity;
    unsigned long long clock;    /* bumped on every add */
};

/* `name` is a listed domain or a host inside one (sip.msexample.test for msexample.test). */
static bool name_in_list(const char *name, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (srv_target_in_namespace(list[i], name))
            return true;
    return false;
}

/* An IPv4 or IPv6 literal (with or without brackets). */
static bool name_is_ip(const char *name)
{
    struct in6_addr a6;
    struct in_addr a4;
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(name);
    if (n >= 2 && name[0] == '[' && name[n - 1] == ']' && n - 2 < sizeof buf) {
        memcpy(buf, name + 1, n - 2);
        buf[n - 2] = '\0';
        name = buf;
    }
    return inet_pton(AF_INET, name, &a4) == 1 || inet_pton(AF_INET6, name, &a6) == 1;
}

bool policy_domain_allowed(const struct dialplan *dp, const struct policy_learnt *learnt,
                           enum policy_dir dir, const char *domain, const char **reason)
{
    const struct federation *f = &dp->federation;
    const char *why;
    bool ok;

    if (domain == NULL || domain[0] == '\0' || strcmp(domain, ".") == 0) {
        ok = false, why = "no_domain";
    } else if (name_in_list(domain, f->local_domains, f->n_local_domains)) {
        ok = true, why = "local_domain";
    } else if (dir == POLICY_OUTBOUND && name_is_ip(domain)) {
        ok = true, why = "ip_address";
    } else if (f->privacy == PRIVACY_DENY_LIST && name_in_list(domain, f->domains, f->n_domains)) {
        ok = false, why = "deny_list";
    } else if (dialplan_static_route_find(dp, domain)) {
        ok = true, why = "static_route";
    } else if (f->privacy == PRIVACY_OFF) {
        ok = true, why = "privacy_off";
    } else if (f->privacy == PRIVACY_DENY_LIST) {
        ok = true, why = "not_denied";
    } else if (name_in_list(domain, f->domains, f->n_domains)) {
        ok = true, why = "allow_list";
    } else if (f->open_federation && learnt != NULL && policy_learnt_contains(learnt, domain)) {
        ok = true, why = "learnt";
    } else if (f->open_federation && dir == POLICY_OUTBOUND) {
        ok = true, why = "open_federation";
    } else {
        ok = false, why = "not_allowed";
    }
    if (reason != NULL)
        *reason = why;
    return ok;
}

bool policy_domain_learnable(const struct dialplan *dp, const char *domain)
{
    const char *why;
    if (!dp->federation.open_federation)
        return false;
    if (!policy_domain_allowed(dp, NULL, POLICY_OUTBOUND, domain, &why))
        return false;
    return strcmp(why, "local_domain") != 0;
}

int policy_learnt_create(su_home_t *home, size_t capacity, struct policy_learnt **out)
{
    *out = NULL;
    if (capacity == 0)
        return EINVAL;
    struct policy_learnt *pl = su_zalloc(home, sizeof *pl);
    if (pl == NULL)
        return ENOMEM;
    pl->entries = su_zalloc(home, capacity * sizeof pl->entries[0]);
    if (pl->entries == NULL) {
        su_free(home, pl);
        return ENOMEM;
    }
    pl->home = home;
    pl->capacity = capacity;
    *out = pl;
    return 0;
}

static struct policy_learnt_entry *learnt_find(const struct policy_learnt *pl, const char *domain)
{
    for (size_t i = 0; i < pl->n; i++)
        if (dname_equal(domain, pl->entries[i].domain))
            return &pl->entries[i];
    return NULL;
}

/* A lowercased copy of `domain` without a trailing dot, from `home`. */
static char *domain_dup_lower(su_home_t *home, const char *domain)
{
    size_t n = strlen(domain);
    if (n > 0 && domain[n - 1] == '.')
        n--;
    char *s = su_strndup(home, domain, n);
    if (s != NULL)
        for (char *p = s; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return s;
}

int policy_learnt_add(struct policy_learnt *pl, const char *domain, bool *added)
{
    if (added != NULL)
        *added = false;
    struct policy_learnt_entry *e = learnt_find(pl, domain);
    if (e != NULL) {
        e->used = ++pl->clock;
        return 0;
    }
    char *copy = domain_dup_lower(pl->home, domain);
    if (copy == NULL)
        return ENOMEM;
    if (pl->n < pl->capacity) {
        e = &pl->entries[pl->n++];
    } else {
        e = &pl->entries[0];
        for (size_t i = 1; i < pl->n; i++)
            if (pl->entries[i].used < e->used)
                e = &pl->entries[i];
        su_free(pl->home, e->domain);
    }
    e->domain = copy;
    e->used = ++pl->clock;
    if (added != NULL)
        *added = true;
    return 0;
}

bool policy_learnt_contains(const struct policy_learnt *pl, const char *domain)
{
    return domain != NULL && learnt_find(pl, domain) != NULL;
}

size_t policy_learnt_count(const struct policy_learnt *pl)
{
    return pl->n;
}

const char *policy_learnt_get(const struct policy_learnt *pl, size_t i)
{
    return i < pl->n ? pl->entries[i].domain : NULL;
}

const char *policy_dir_name(enum policy_dir dir)
{
    return dir == POLICY_INBOUND ? "inbound" : "outbound";
}
