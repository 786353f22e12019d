/* dialplan_policy.c — `[federation]` (SPEC §6) and `[static_route DOMAIN]` (SPEC §5.3). */
#include "dialplan_int.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_string.h>

static int federation_local_domains_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct federation *f = obj;
    return ini_value_domains(c, e, &f->local_domains, &f->n_local_domains);
}

static int federation_privacy_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "off", PRIVACY_OFF }, { "allow_list", PRIVACY_ALLOW_LIST },
        { "deny_list", PRIVACY_DENY_LIST }, { NULL, 0 },
    };
    int v;
    if (ini_value_word(c, e, words, &v))
        return EINVAL;
    ((struct federation *)obj)->privacy = (enum privacy)v;
    return 0;
}

static int federation_domains_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct federation *f = obj;
    return ini_value_domains(c, e, &f->domains, &f->n_domains);
}

static int federation_open_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct federation *)obj)->open_federation);
}

static const struct ini_key federation_keys[] = {
    { "local_domains", 0, federation_local_domains_apply },
    { "privacy", 0, federation_privacy_apply },
    { "domains", 0, federation_domains_apply },
    { "open_federation", 0, federation_open_apply },
    { NULL, 0, NULL },
};

void dialplan_federation_section_load(struct dialplan_loader *L, struct ini_section *sec)
{
    if (sec->name[0]) {
        diag_error(L->d, sec->file, sec->line, "unknown section [%s] ([federation] has no name)",
                   sec->header);
        return;
    }
    if (L->federation_file) {
        diag_error(L->d, sec->file, sec->line, "[federation] declared again (first at %s:%u)",
                   L->federation_file, L->federation_line);
        return;
    }
    L->federation_file = sec->file;
    L->federation_line = sec->line;
    struct ini_ctx c = { .home = L->dp->home, .d = L->d, .sec = sec };
    ini_section_mark_duplicates(sec, L->d);
    ini_section_apply(&c, federation_keys, 0, "", &L->dp->federation);
}

static int static_route_next_hop_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct static_route *sr = obj;
    char *v = NULL;
    if (ini_value_text(c, e, &v))
        return EINVAL;
    const char *bad = v ? ini_hostport_parse(c->home, v, false, &sr->next_hop.host,
                                             &sr->next_hop.port)
                        : "expected HOST[:PORT]";
    return bad ? ini_value_invalid(c, e, e->value, bad) : 0;
}

static int static_route_transport_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_transport(c, e, &((struct static_route *)obj)->transport);
}

static const struct ini_key static_route_keys[] = {
    { "next_hop", 0, static_route_next_hop_apply },
    { "transport", 0, static_route_transport_apply },
    { NULL, 0, NULL },
};

static bool static_route_name_check(struct dialplan_loader *L, const struct ini_section *sec)
{
    if (!ini_text_is_hostname(sec->name) || ini_text_is_ip(sec->name)) {
        diag_error(L->d, sec->file, sec->line,
                   "[%s] needs a domain name, e.g. [static_route msexample.test]", sec->header);
        return false;
    }
    const struct static_route *first = dialplan_static_route_find(L->dp, sec->name);
    if (first) {
        diag_error(L->d, sec->file, sec->line,
                   "duplicate static route '%s' (first declared at %s:%u)", first->domain,
                   first->file, first->line);
        return false;
    }
    return true;
}

void dialplan_static_route_section_load(struct dialplan_loader *L, struct ini_section *sec)
{
    struct dialplan *dp = L->dp;
    if (!static_route_name_check(L, sec))
        return;
    struct static_route *sr = su_zalloc(dp->home, sizeof *sr);
    if (!sr || dialplan_array_grow(dp->home, &dp->static_routes, dp->n_static_routes,
                                   &L->cap_routes, sizeof *dp->static_routes))
        return;
    sr->domain = ini_text_lower(dp->home, sec->name);
    sr->file = sec->file;
    sr->line = sec->line;
    sr->transport = SIP_TP_TLS;
    dp->static_routes[dp->n_static_routes++] = sr;
    struct ini_ctx c = { .home = dp->home, .d = L->d, .sec = sec };
    ini_section_mark_duplicates(sec, L->d);
    ini_section_apply(&c, static_route_keys, 0, "", sr);
    ini_section_require(sec, L->d, "next_hop");
}
