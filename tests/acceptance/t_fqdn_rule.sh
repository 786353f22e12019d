#!/usr/bin/env bash
# The Federation Routing IM/P FQDN rule: a NOTIFY from the Microsoft side addressed to the IM&P
# node's public FQDN (imp1-public.ciscoexample.test) reaches the IM&P zone. UDP and TCP.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"
    uas_xml "$T/uas_notify.xml" NOTIFY 200
    uac_xml "$T/uac_notify.xml" NOTIFY "sip:imp1-public.ciscoexample.test:5061;transport=$tp" 200
    sipp_server imp "$T/uas_notify.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    expect_ok uac sipp_client uac "$T/uac_notify.xml" "$tp" "$MS_IP" \
        -key from_domain msexample.test -key max_forwards 70
    sipp_done imp
    [ "$(msg_count imp '^NOTIFY sip:imp1-public\.ciscoexample\.test')" -eq 1 ] ||
        fail "the IM&P side did not get the NOTIFY for its public FQDN"
    wait_log "method=NOTIFY alias=imp1-public.ciscoexample.test:5061;transport=$tp src=default .*rule=\"Federation Routing IM/P FQDN\" target=IMP .*status=200"
}

for_each_transport round
pass "NOTIFY to the IM&P public FQDN reaches IMP over ${TRANSPORTS:-udp tcp}"
