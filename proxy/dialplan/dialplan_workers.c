/* dialplan_workers.c — what the dial plan means for [proxy] workers (docs/workers.md). */
#include "dialplan.h"

#include "config.h"
#include "workers.h"

const struct zone *dialplan_traversal_zone(const struct dialplan *dp)
{
    for (size_t i = 0; dp && i < dp->n_zones; i++)
        if (dp->zones[i]->type == ZONE_TRAVERSAL_CLIENT ||
            dp->zones[i]->type == ZONE_TRAVERSAL_SERVER)
            return dp->zones[i];
    return NULL;
}

void dialplan_workers_check(const struct dialplan *dp, const struct node_config *cfg,
                            struct diag *d)
{
    const struct zone *z = dialplan_traversal_zone(dp);
    if (z && cfg->workers != WORKERS_AUTO && cfg->workers > 1)
        diag_error(d, cfg->file, cfg->workers_line,
                   "workers = %u: a node with a traversal zone (%s) runs one worker: each "
                   "request to the pair must find the pair's connection in its process "
                   "(set workers = 1 or auto)", cfg->workers, z->name);
}
