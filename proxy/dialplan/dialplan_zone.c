/* dialplan_zone.c — `[zone NAME]` sections (SPEC §3.2, §5): keys checked against the zone's type
 * once the whole section is read (the type may come after other keys). */
#include "dialplan_int.h"

#include <errno.h>
#include <string.h>

#include <sofia-sip/su_string.h>

#define ZT(t) (1u << (t))
#define ZT_TRAVERSAL (ZT(ZONE_TRAVERSAL_CLIENT) | ZT(ZONE_TRAVERSAL_SERVER))
#define ZT_PEERED (ZT(ZONE_NEIGHBOR) | ZT_TRAVERSAL)

/* Traversal keep-alive and back-off bounds (seconds). */
enum { TRAVERSAL_KEEPALIVE_DEFAULT = 30, TRAVERSAL_KEEPALIVE_MAX = 3600,
       TRAVERSAL_RECONNECT_DEFAULT = 60, TRAVERSAL_RECONNECT_MAX = 3600 };

static const struct ini_word zone_type_words[] = {
    { "neighbor", ZONE_NEIGHBOR }, { "traversal_client", ZONE_TRAVERSAL_CLIENT },
    { "traversal_server", ZONE_TRAVERSAL_SERVER }, { "dns", ZONE_DNS },
    { "default", ZONE_DEFAULT }, { NULL, 0 },
};

const char *zone_type_name(enum zone_type t)
{
    for (const struct ini_word *w = zone_type_words; w->word; w++)
        if (w->value == (int)t)
            return w->word;
    return "?";
}

static const char *const zone_srv_default[] = { "_sipfederationtls._tcp", NULL };

static int zone_peers_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct zone *z = obj;
    char **items;
    size_t n, k = 0;
    if (ini_value_list(c, e, &items, &n))
        return ENOMEM;
    struct hostport *v = su_zalloc(c->home, (n + 1) * sizeof *v);
    if (!v)
        return ENOMEM;
    if (n == 0)
        return ini_value_invalid(c, e, "", "expected at least one HOST[:PORT]");
    for (size_t i = 0; i < n; i++) {
        const char *bad = ini_hostport_parse(c->home, items[i], false, &v[k].host, &v[k].port);
        if (bad)
            ini_value_invalid(c, e, items[i], bad);
        else
            k++;
    }
    z->peers = v;
    z->n_peers = k;
    return k == n ? 0 : EINVAL;
}

static int zone_transport_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_transport(c, e, &((struct zone *)obj)->transport);
}

static int zone_tls_verify_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct zone *)obj)->tls_verify);
}

/* A list of DNS names, lowercased; `what` says what else the value must be. */
static int zone_names_parse(struct ini_ctx *c, const struct ini_entry *e, const char *what,
                            char ***out, size_t *n)
{
    int err = 0;
    if (ini_value_list(c, e, out, n))
        return ENOMEM;
    for (size_t i = 0; i < *n; i++) {
        char *name = (*out)[i];
        if (!ini_text_is_hostname(name) || (what && name[0] != '_'))
            err = ini_value_invalid(c, e, name, what ? what : "expected a DNS name");
        (*out)[i] = ini_text_lower(c->home, name);
    }
    return err;
}

static int zone_tls_verify_subject_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct zone *z = obj;
    return zone_names_parse(c, e, NULL, &z->tls_verify_subject, &z->n_tls_verify_subject);
}

static int zone_authenticated_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word peered[] = {
        { "no", ZONE_AUTH_NO }, { "yes", ZONE_AUTH_YES }, { NULL, 0 },
    };
    static const struct ini_word dflt[] = {
        { "no", ZONE_AUTH_NO }, { "verified", ZONE_AUTH_VERIFIED }, { NULL, 0 },
    };
    struct zone *z = obj;
    int v;
    if (ini_value_word(c, e, z->type == ZONE_DEFAULT ? dflt : peered, &v))
        return EINVAL;
    z->authenticated = (enum zone_auth)v;
    return 0;
}

static int zone_traffic_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = { { "standard", 0 }, { "ms-imp", 1 }, { NULL, 0 } };
    int v;
    if (ini_value_word(c, e, words, &v))
        return EINVAL;
    ((struct zone *)obj)->traffic_ms_imp = v == 1;
    return 0;
}

static int zone_record_route_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct zone *)obj)->record_route);
}

static int zone_keepalive_interval_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TRAVERSAL_KEEPALIVE_MAX,
                          &((struct zone *)obj)->keepalive_interval);
}

static int zone_reconnect_max_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_uint(c, e, 1, TRAVERSAL_RECONNECT_MAX, &((struct zone *)obj)->reconnect_max);
}

static int zone_srv_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    struct zone *z = obj;
    char **v;
    size_t n;
    if (zone_names_parse(c, e, "expected an SRV service such as _sipfederationtls._tcp", &v, &n))
        return EINVAL;
    if (n == 0)
        return ini_value_invalid(c, e, "", "expected at least one SRV service");
    z->srv = v;
    z->n_srv = n;
    return 0;
}

static int zone_fallback_a_record_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    return ini_value_switch(c, e, &((struct zone *)obj)->fallback_a_record);
}

static int zone_require_client_certificate_apply(struct ini_ctx *c, const struct ini_entry *e,
                                                 void *obj)
{
    return ini_value_switch(c, e, &((struct zone *)obj)->require_client_certificate);
}

static int zone_presence_format_apply(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    static const struct ini_word words[] = {
        { "asis", PRESENCE_FORMAT_ASIS }, { "pidf", PRESENCE_FORMAT_PIDF }, { NULL, 0 },
    };
    int v;
    if (ini_value_word(c, e, words, &v))
        return EINVAL;
    ((struct zone *)obj)->presence_format = (enum presence_format)v;
    return 0;
}

static int zone_type_skip(struct ini_ctx *c, const struct ini_entry *e, void *obj)
{
    (void)c; (void)e; (void)obj;   /* read first, by zone_type_read() */
    return 0;
}

static const struct ini_key zone_keys[] = {
    { "type", 0, zone_type_skip },
    { "peers", ZT(ZONE_NEIGHBOR) | ZT(ZONE_TRAVERSAL_CLIENT), zone_peers_apply },
    { "transport", ZT_PEERED, zone_transport_apply },
    { "tls_verify", ZT_PEERED | ZT(ZONE_DNS), zone_tls_verify_apply },
    { "tls_verify_subject", ZT_PEERED, zone_tls_verify_subject_apply },
    { "authenticated", ZT_PEERED | ZT(ZONE_DEFAULT), zone_authenticated_apply },
    { "traffic", ZT_PEERED, zone_traffic_apply },
    { "record_route", ZT_PEERED, zone_record_route_apply },
    { "keepalive_interval", ZT_TRAVERSAL, zone_keepalive_interval_apply },
    { "reconnect_max", ZT(ZONE_TRAVERSAL_CLIENT), zone_reconnect_max_apply },
    { "srv", ZT(ZONE_DNS), zone_srv_apply },
    { "fallback_a_record", ZT(ZONE_DNS), zone_fallback_a_record_apply },
    { "require_client_certificate", ZT(ZONE_DEFAULT), zone_require_client_certificate_apply },
    { "presence_format", 0, zone_presence_format_apply },
    { NULL, 0, NULL },
};

/* The defaults of dialplan.h; the type is set by the caller. */
static struct zone *zone_new(su_home_t *home, const char *name, const char *file, unsigned line)
{
    struct zone *z = su_zalloc(home, sizeof *z);
    if (!z)
        return NULL;
    z->name = su_strdup(home, name);
    z->file = file;
    z->line = line;
    z->transport = SIP_TP_TLS;
    z->tls_verify = true;
    z->record_route = true;
    z->srv = (char **)zone_srv_default;
    z->n_srv = 1;
    z->authenticated = ZONE_AUTH_NO;
    z->presence_format = PRESENCE_FORMAT_ASIS;
    z->keepalive_interval = TRAVERSAL_KEEPALIVE_DEFAULT;
    z->reconnect_max = TRAVERSAL_RECONNECT_DEFAULT;
    return z;
}

static int zone_add(struct dialplan_loader *L, struct zone *z)
{
    struct dialplan *dp = L->dp;
    if (dialplan_array_grow(dp->home, &dp->zones, dp->n_zones, &L->cap_zones, sizeof *dp->zones))
        return ENOMEM;
    dp->zones[dp->n_zones++] = z;
    return 0;
}

/* The name must be new, usable in a `source` list, and not a reserved word. */
static bool zone_name_check(struct dialplan_loader *L, const struct ini_section *sec)
{
    const char *name = sec->name;
    if (!name[0] || strchr(name, ',')) {
        diag_error(L->d, sec->file, sec->line,
                   "[%s] needs a zone name without commas, e.g. [zone IMP]", sec->header);
        return false;
    }
    if (strcmp(name, "any") == 0 || strcmp(name, "all_zones") == 0) {
        diag_error(L->d, sec->file, sec->line, "zone name '%s' is reserved (a rule source word)",
                   name);
        return false;
    }
    const struct zone *first = dialplan_zone_find(L->dp, name);
    if (first) {
        diag_error(L->d, sec->file, sec->line, "duplicate zone '%s' (first declared at %s:%u)",
                   name, first->file, first->line);
        return false;
    }
    return true;
}

/* The type, read before the other keys. Returns false when absent or invalid (reported). */
static bool zone_type_read(struct ini_ctx *c, struct zone *z)
{
    const struct ini_entry *e = ini_section_get(c->sec, "type");
    int v;
    if (!e) {
        ini_section_require(c->sec, c->d, "type");
        return false;
    }
    if (ini_value_word(c, e, zone_type_words, &v))
        return false;
    z->type = (enum zone_type)v;
    return true;
}

static void zone_default_check(struct dialplan_loader *L, const struct ini_section *sec,
                               struct zone *z, bool typed)
{
    if (typed && z->type == ZONE_DEFAULT) {
        if (L->default_zone)
            diag_error(L->d, sec->file, sec->line,
                       "second zone of type default '%s' (the first is '%s' at %s:%u)", z->name,
                       L->default_zone->name, L->default_zone->file, L->default_zone->line);
        else
            L->default_zone = z;
    } else if (typed && strcmp(z->name, "default") == 0) {
        diag_error(L->d, sec->file, sec->line, "zone 'default' must have type = default");
    }
}

/* SPEC §5.4: the pair is joined by mutually authenticated TLS. The DMZ node knows the internal
 * node only by its client certificate (its address is the firewall's), and never connects to it,
 * so a traversal_server zone has names instead of peers. */
static void traversal_section_finish(struct dialplan_loader *L, struct ini_ctx *c,
                                     const struct zone *z)
{
    if (z->type != ZONE_TRAVERSAL_CLIENT && z->type != ZONE_TRAVERSAL_SERVER)
        return;
    if (z->transport != SIP_TP_TLS)
        diag_error(L->d, c->sec->file, c->sec->line,
                   "[%s]: traversal zones need transport = tls (the pair is joined by mutual "
                   "TLS)", c->sec->header);
    if (z->type == ZONE_TRAVERSAL_SERVER && z->n_tls_verify_subject == 0)
        diag_error(L->d, c->sec->file, c->sec->line,
                   "[%s]: a traversal_server zone needs tls_verify_subject = the internal "
                   "node's certificate name(s)", c->sec->header);
    if (z->type == ZONE_TRAVERSAL_SERVER && !z->tls_verify)
        diag_error(L->d, c->sec->file, c->sec->line,
                   "[%s]: a traversal_server zone needs tls_verify = on (the client certificate "
                   "is what admits the internal node)", c->sec->header);
}

static void zone_section_finish(struct dialplan_loader *L, struct ini_ctx *c, struct zone *z)
{
    if (z->type == ZONE_NEIGHBOR || z->type == ZONE_TRAVERSAL_CLIENT)
        ini_section_require(c->sec, c->d, "peers");
    const struct ini_entry *subj = ini_section_get(c->sec, "tls_verify_subject");
    if (subj && z->transport != SIP_TP_TLS)
        diag_error(L->d, c->sec->file, subj->line,
                   "tls_verify_subject needs transport = tls in [%s]", c->sec->header);
    if (z->type == ZONE_DNS || z->type == ZONE_DEFAULT)
        z->transport = SIP_TP_TLS;   /* federation over the Internet is TLS only (SPEC §5.3) */
    traversal_section_finish(L, c, z);
}

void dialplan_zone_section_load(struct dialplan_loader *L, struct ini_section *sec)
{
    struct dialplan *dp = L->dp;
    if (!zone_name_check(L, sec))
        return;
    struct zone *z = zone_new(dp->home, sec->name, sec->file, sec->line);
    if (!z || zone_add(L, z))
        return;
    struct ini_ctx c = { .home = dp->home, .d = L->d, .sec = sec };
    ini_section_mark_duplicates(sec, L->d);
    bool typed = zone_type_read(&c, z);
    z->untyped = !typed;
    char desc[64];
    snprintf(desc, sizeof desc, "type %s", zone_type_name(z->type));
    ini_section_apply(&c, zone_keys, z->type, typed ? desc : NULL, typed ? z : NULL);
    zone_default_check(L, sec, z, typed);
    if (typed)
        zone_section_finish(L, &c, z);
}

void dialplan_default_zone_ensure(struct dialplan_loader *L)
{
    struct dialplan *dp = L->dp;
    if (L->default_zone || dialplan_zone_find(dp, "default"))
        return;
    struct zone *z = zone_new(dp->home, "default", NULL, 0);
    if (!z || zone_add(L, z))
        return;
    z->type = ZONE_DEFAULT;
    L->default_zone = z;
}
