/* fuzz_sip.c — the SIP targets' shared pieces (see fuzz_sip.h). */
#include "fuzz_sip.h"

#include <stdlib.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_util.h>

#include "log.h"
#include "sip_mclass.h"

msg_mclass_t const *fuzz_sip_mclass(void)
{
    static struct sip_mclass *mc;
    if (mc == NULL) {
        log_set_level(LOG_LVL_ERROR);
        if ((mc = sip_mclass_create()) == NULL)
            abort();
    }
    return sip_mclass_get(mc);
}

bool fuzz_nta_would_accept(msg_t *msg, const sip_t *sip)
{
    if (sip->sip_request == NULL)
        return sip->sip_status != NULL && sip_sanity_check(sip) == 0;
    return (msg_extract_errors(msg) & sip_mask_request) == 0 &&
           !(sip->sip_flags & MSG_FLG_ERROR) && sip_sanity_check(sip) == 0;
}
