#!/usr/bin/env bash
# Outbound MESSAGE IM&P -> Microsoft (rule "Outbound to Microsoft", DNS zone static route) and
# inbound Microsoft -> IM&P (rule "Inbound to IM&P", neighbor zone), over UDP and TCP. The far
# side checks From/epid, unknown headers, body, Record-Route and Max-Forwards (sipp check_it).
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"

    sipp_server ms "$SIPP_DIR/uas_message.xml" "$tp" "$MS_IP" "$MS_PORT"
    uac_from_imp out_uac "$SIPP_DIR/uac_message.xml" "$tp" bob
    sipp_done ms
    wait_log "method=MESSAGE alias=bob@msexample.test src=IMP auth=yes rule=\"Outbound to Microsoft\" target=DNS next_hop=$MS_IP:$MS_PORT/$tp status=200"

    sipp_server imp "$SIPP_DIR/uas_message.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    uac_from_ms in_uac "$SIPP_DIR/uac_message.xml" "$tp" alice
    sipp_done imp
    wait_log "method=MESSAGE alias=alice@ciscoexample.test src=default auth=no rule=\"Inbound to IM&P\" target=IMP next_hop=$IMP_IP:$IMP_PORT/$tp status=200"
}

for_each_transport round
pass "MESSAGE out and in over ${TRANSPORTS:-udp tcp}"
