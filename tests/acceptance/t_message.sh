#!/usr/bin/env bash
# Outbound MESSAGE IM&P -> Microsoft (rule "Outbound to Microsoft", DNS zone static route) and
# inbound Microsoft -> IM&P (rule "Inbound to IM&P", neighbor zone), over UDP and TCP. The far
# side checks From/epid, unknown headers, body, Record-Route and Max-Forwards (sipp check_it).
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    node_file "$tp"; lab_rules "$tp"; start_sipfed

    sipp_server ms "$SIPP_DIR/uas_message.xml" "$tp" "$MS_IP" "$MS_PORT"
    expect_ok out_uac sipp_client out_uac "$SIPP_DIR/uac_message.xml" "$tp" "$IMP_IP" -s bob \
        -key from_domain ciscoexample.test -key to_domain msexample.test
    expect_ok ms sipp_wait ms
    wait_log "method=MESSAGE alias=bob@msexample.test src=IMP auth=yes rule=\"Outbound to Microsoft\" target=DNS next_hop=$MS_IP:$MS_PORT/$tp status=200"

    sipp_server imp "$SIPP_DIR/uas_message.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    expect_ok in_uac sipp_client in_uac "$SIPP_DIR/uac_message.xml" "$tp" "$MS_IP" -s alice \
        -key from_domain msexample.test -key to_domain ciscoexample.test
    expect_ok imp sipp_wait imp
    wait_log "method=MESSAGE alias=alice@ciscoexample.test src=default auth=no rule=\"Inbound to IM&P\" target=IMP next_hop=$IMP_IP:$IMP_PORT/$tp status=200"
}

for_each_transport round
pass "MESSAGE out and in over ${TRANSPORTS:-udp tcp}"
