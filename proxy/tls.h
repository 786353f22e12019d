/* tls.h — TLS for the agent's transports, prepared from the node file's [tls] (SPEC §5.6). */
#ifndef SIPFED_TLS_H
#define SIPFED_TLS_H

#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_tag.h>

#include "config.h"
#include "diag.h"
#include "dialplan.h"

struct tls_setup;

/* Validate [tls] (files readable, private key not readable by group/others, min_version) and
 * prepare what sofia's TLS transport needs. Problems go to `d` as file:line. Returns 0 or an
 * errno code; *out is owned by `home`. */
int tls_setup_create(su_home_t *home, const struct node_config *cfg, const struct dialplan *dp,
                     struct diag *d, struct tls_setup **out);

/* The tag list to pass to nta_agent_create()/nta_agent_add_tport() for a TLS listen address
 * (certificate directory, verification policy, ...). Valid while `ts` lives. */
const tagi_t *tls_setup_tport_tags(const struct tls_setup *ts);

#endif
