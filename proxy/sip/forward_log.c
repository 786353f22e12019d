/* forward_log.c — the route log line of a transaction and the formatting of its values. */
#include <string.h>

#include <sys/time.h>

#include "forward_int.h"
#include "log.h"
#include "dialplan.h"
#include "ops_stats.h"

const char *fwd_str_add(su_home_t *home, const char *list, const char *sep, const char *item)
{
    if (!item)
        return list;
    return list ? su_sprintf(home, "%s%s%s", list, sep, item) : su_strdup(home, item);
}

const char *fwd_zone_name_or(const struct zone *z, const char *dflt)
{
    return z ? z->name : dflt;
}

/* The alias of a URI for logs: user@host[:port][;params]. */
const char *fwd_uri_alias(su_home_t *home, const url_t *u)
{
    char *s = url_as_string(home, u);
    const char *colon = s ? strchr(s, ':') : NULL;
    return colon ? colon + 1 : "-";
}

/* `s` with `"` and `\` escaped, for a quoted log value. */
const char *fwd_log_quote(su_home_t *home, const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += (*p == '"' || *p == '\\') ? 2 : 1;
    char *out = su_alloc(home, n + 1), *o = out;
    if (!out)
        return "";
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

/* ms-diagnostics / ms-diagnostics-public of a response (SPEC §4.3.7), or NULL. */
const char *fwd_ms_diagnostics(su_home_t *home, const sip_t *sip)
{
    const char *out = NULL;

    for (const sip_unknown_t *u = sip ? sip->sip_unknown : NULL; u; u = u->un_next)
        if (su_casematch(u->un_name, "ms-diagnostics") ||
            su_casematch(u->un_name, "ms-diagnostics-public"))
            out = fwd_str_add(home, out, " ", su_sprintf(home, "%s=\"%s\"", u->un_name,
                                                     fwd_log_quote(home, u->un_value)));
    return out;
}

/* The alias for the log line: the search's (maybe rewritten) one, else the Request-URI's,
 * formatted only when a line is written (tx->sip's Request-URI is never modified). */
static const char *tx_alias(struct fwd_txn *tx)
{
    if (tx->alias)
        return tx->alias;
    return tx->sip ? fwd_uri_alias(tx->home, tx->sip->sip_request->rq_url) : "-";
}

/* The metrics and the search history (SPEC §8) get what the route line says, plus the rules
 * the search tried with their verdicts. */
static void txn_record(struct fwd_txn *tx, int status)
{
    struct ops_stats *ops = tx->env->ops;
    const sip_t *sip = tx->sip;

    if (!ops)
        return;
    ops_request_count(ops, tx->method_name, fwd_zone_name_or(tx->src, NULL), status);
    if (!ops->history)
        return;
    struct timeval now;
    gettimeofday(&now, NULL);
    struct history_entry *e = history_next(ops->history, &now);
    HISTORY_SET(e->method, tx->method_name);
    HISTORY_SET(e->src, fwd_zone_name_or(tx->src, "-"));
    e->authenticated = tx->authenticated;
    HISTORY_SET(e->alias, tx_alias(tx));
    HISTORY_SET(e->rules, tx->log_rules ? tx->log_rules : "-");
    HISTORY_SET(e->targets, tx->log_targets ? tx->log_targets : "-");
    HISTORY_SET(e->next_hop, tx->log_hops ? tx->log_hops : "-");
    e->status = status;
    HISTORY_SET(e->reason, tx->log_note ? tx->log_note : tx->log_failed);
    HISTORY_SET(e->call_id, sip && sip->sip_call_id ? sip->sip_call_id->i_id : "-");
    const struct search_result *sr = &tx->dec.search;
    for (size_t i = 0; i < sr->n_trace; i++)
        history_step_add(e, sr->trace[i].rule ? sr->trace[i].rule->name : "-",
                         search_verdict_name(sr->trace[i].verdict));
}

void fwd_txn_log(struct fwd_txn *tx, int status)
{
    const sip_t *sip = tx->sip;

    txn_record(tx, status);
    enum log_level lvl = status >= 500 ? LOG_LVL_WARN : LOG_LVL_INFO;

    LOG_AT(lvl, "route",
           "method=%s alias=%s src=%s auth=%s rule=\"%s\" target=%s next_hop=%s status=%d "
           "call_id=%s%s%s%s%s%s%s%s",
           tx->method_name, tx_alias(tx), fwd_zone_name_or(tx->src, "-"),
           tx->authenticated ? "yes" : "no", tx->log_rules ? tx->log_rules : "-",
           tx->log_targets ? tx->log_targets : "-", tx->log_hops ? tx->log_hops : "-", status,
           sip && sip->sip_call_id ? sip->sip_call_id->i_id : "-",
           tx->log_note ? " reason=\"" : "", tx->log_note ? tx->log_note : "",
           tx->log_note ? "\"" : "", tx->log_failed ? " failed=\"" : "",
           tx->log_failed ? tx->log_failed : "", tx->log_failed ? "\"" : "",
           tx->log_diag ? su_sprintf(tx->home, " %s", tx->log_diag) : "");
}
