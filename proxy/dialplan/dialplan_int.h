/* dialplan_int.h — private to the dial-plan loader (dialplan*.c): the state of one load, shared
 * by the per-section parsers and the cross-checks that run once every file is read. */
#ifndef SIPFED_DIALPLAN_INT_H
#define SIPFED_DIALPLAN_INT_H

#include "dialplan.h"
#include "ini_file.h"
#include "ini_value.h"

/* What a rule names before every file is read: zones may be declared in a later file. */
struct rule_draft {
    struct rule *rule;
    unsigned seq;                /* declaration order: file name order, then line */
    const char *target;          /* the zone name as written, NULL if absent */
    unsigned target_line;
    char **sources;              /* RULE_SOURCE_NAMED: the zone names as written */
    size_t n_sources;
    unsigned source_line;
};

struct dialplan_loader {
    struct dialplan *dp;
    struct diag *d;              /* collected here, handed to the caller's in file:line order */
    su_home_t *scratch;          /* drafts and the diagnostics; freed when the load ends */
    const char **files;          /* display names in reading order */
    size_t n_files, cap_files;
    size_t cap_zones, cap_rules, cap_routes, cap_drafts;
    struct rule_draft *drafts;   /* parallel to dp->rules until they are sorted */
    const char *federation_file; /* where [federation] was declared, NULL: not yet */
    unsigned federation_line;
    const struct zone *default_zone;
};

/* Grow `*v` (an array of pointers) from `home` to hold one more; returns 0 or ENOMEM. */
int dialplan_array_grow(su_home_t *home, void *v, size_t n, size_t *cap, size_t size);

void dialplan_zone_section_load(struct dialplan_loader *L, struct ini_section *sec);
/* SPEC §3.2: a zone of type default named `default` exists even if none is declared. */
void dialplan_default_zone_ensure(struct dialplan_loader *L);
void dialplan_rule_section_load(struct dialplan_loader *L, struct ini_section *sec);
/* Resolve rule targets and sources, and warn about open relays; after every file is read. */
void dialplan_rules_resolve(struct dialplan_loader *L);
void dialplan_federation_section_load(struct dialplan_loader *L, struct ini_section *sec);
void dialplan_static_route_section_load(struct dialplan_loader *L, struct ini_section *sec);

/* Free every compiled regex of `dp` (the su_home destructor also calls it). */
void dialplan_regex_free_all(struct dialplan *dp);

#endif
