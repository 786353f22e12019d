#!/usr/bin/env bash
# Session-mode IM: INVITE with SDP m=message, 180, 200, ACK, a MESSAGE each way inside the
# dialog and BYE — every in-dialog request along the Record-Route set — over UDP and TCP.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"
    sipp_server ms "$SIPP_DIR/uas_session.xml" "$tp" "$MS_IP" "$MS_PORT"
    uac_from_imp uac "$SIPP_DIR/uac_session.xml" "$tp" bob
    sipp_done ms
    wait_log "method=INVITE alias=bob@msexample.test src=IMP .* target=DNS .*status=200"
    wait_log "method=MESSAGE .*rule=\"dialog\" target=route next_hop=$MS_IP:$MS_PORT/$tp status=200"
    wait_log "method=MESSAGE .*rule=\"dialog\" target=route next_hop=$IMP_IP:$UAC_PORT/$tp status=200"
    wait_log "method=BYE .*rule=\"dialog\" target=route next_hop=$MS_IP:$MS_PORT/$tp status=200"
    [ "$(msg_count ms '^ACK sip:')" -ge 1 ] || fail "the ACK for the 2xx did not reach the far side"
}

for_each_transport round
pass "INVITE m=message, ACK, MESSAGE both ways, BYE over ${TRANSPORTS:-udp tcp}"
