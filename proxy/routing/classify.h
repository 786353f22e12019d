/* classify.h — Expressway's "SIP variant" of a request, by sipfed's explicit rule (SPEC §4.2). */
#ifndef SIPFED_CLASSIFY_H
#define SIPFED_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include <sofia-sip/sip.h>

#include "dialplan.h"
#include "types.h"

/* TRAFFIC_STANDARD, TRAFFIC_MS_SIP or TRAFFIC_MS_IMP for a parsed request from zone `source`
 * (which may be NULL). */
enum traffic classify_request(const sip_t *sip, const struct zone *source);
/* Any Microsoft marker of SPEC §4.2 in the message itself (not counting the zone). */
bool classify_has_ms_markers(const sip_t *sip);
/* An IM&P request: MESSAGE, SUBSCRIBE, NOTIFY, BENOTIFY, PUBLISH, INFO, SERVICE, OPTIONS, or an
 * INVITE without a body or whose SDP offers only m=message. */
bool classify_is_imp_request(const sip_t *sip);
/* For `locate`: the Microsoft markers found (the zone's `traffic = ms-imp` included), as
 * static descriptions in out[0..max); returns how many (at most max). */
size_t classify_describe_markers(const sip_t *sip, const struct zone *source, const char **out,
                                 size_t max);

#endif
