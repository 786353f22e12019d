/* dialplan_unbuilt.c — what a dial plan asks for that this build does not do. One list, read by
 * `check` (a warning at the zone's file:line) and by `run` (a log line at start and on reload),
 * so neither can fall silent while the other speaks. Remove an entry when its feature lands. */
#include "dialplan.h"

struct dialplan_unbuilt {
    enum zone_type type;
    const char *event;           /* the log event of `run` */
    const char *what;            /* what this build does instead */
};

/* Every zone type is built now (the traversal pair landed with issue 15); the list stays, ended
 * by its sentinel, for the next feature a dial plan can ask for before it exists. */
static const struct dialplan_unbuilt dialplan_unbuilt_zone_types[] = {
    { ZONE_DEFAULT, NULL, NULL },
};

size_t dialplan_unbuilt_each(const struct dialplan *dp, dialplan_unbuilt_f *fn, void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < dp->n_zones; i++) {
        const struct zone *z = dp->zones[i];
        for (const struct dialplan_unbuilt *u = dialplan_unbuilt_zone_types; u->event; u++) {
            if (z->type == u->type && !z->untyped) {
                fn(arg, z, u->event, u->what);
                n++;
            }
        }
    }
    return n;
}

static void dialplan_unbuilt_warn(void *arg, const struct zone *z, const char *event,
                                  const char *what)
{
    (void)event;
    diag_warn(arg, z->file, z->line, "zone '%s' (type %s): %s", z->name, zone_type_name(z->type),
              what);
}

void dialplan_unbuilt_check(const struct dialplan *dp, struct diag *d)
{
    dialplan_unbuilt_each(dp, dialplan_unbuilt_warn, d);
}
