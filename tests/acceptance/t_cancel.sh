#!/usr/bin/env bash
# CANCEL of a ringing INVITE end to end: the caller gets 200 for its CANCEL (from the proxy's
# transaction layer) and the callee's 487 for the INVITE; the callee gets the proxy's CANCEL.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"
    sipp_server ms "$SIPP_DIR/uas_ring_cancel.xml" "$tp" "$MS_IP" "$MS_PORT"
    uac_from_imp uac "$SIPP_DIR/uac_cancel.xml" "$tp" bob
    sipp_done ms
    [ "$(msg_count ms '^CANCEL sip:')" -ge 1 ] || fail "the callee got no CANCEL"
    wait_log "method=INVITE alias=bob@msexample.test src=IMP .*status=487"
}

for_each_transport round
pass "CANCEL of a ringing INVITE over ${TRANSPORTS:-udp tcp}"
