#!/usr/bin/env bash
# SUBSCRIBE with Proxy-Require: ms-benotify in both directions (Microsoft -> IM&P and IM&P ->
# Microsoft), the NOTIFYs coming back along the recorded route with no rule for them, and a
# BENOTIFY that is forwarded but never answered (in a dialog, and outside one by search from its
# source zone). Over UDP and TCP.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"

    # Inbound: a Microsoft watcher subscribes to an IM&P user.
    sipp_server imp "$SIPP_DIR/uas_subscribe.xml" "$tp" "$IMP_IP" "$IMP_PORT" -s alice
    uac_from_ms in_uac "$SIPP_DIR/uac_subscribe.xml" "$tp" alice
    sipp_done imp
    wait_log "method=SUBSCRIBE alias=alice@ciscoexample.test src=default .*target=IMP .*status=200"
    wait_log "method=NOTIFY .*rule=\"dialog\" target=route next_hop=$MS_IP:$UAC_PORT/$tp status=200"
    [ "$(msg_count in_uac '^BENOTIFY ')" -eq 1 ] || fail "the BENOTIFY did not reach the watcher"
    [ "$(msg_count imp 'CSeq: 2 BENOTIFY')" -eq 1 ] || fail "the BENOTIFY was answered"

    # Outbound: an IM&P watcher subscribes to a Microsoft user.
    sipp_server ms "$SIPP_DIR/uas_subscribe.xml" "$tp" "$MS_IP" "$MS_PORT" -s bob
    uac_from_imp out_uac "$SIPP_DIR/uac_subscribe.xml" "$tp" bob
    sipp_done ms
    wait_log "method=SUBSCRIBE alias=bob@msexample.test src=IMP .*target=DNS .*status=200"
    wait_log "method=NOTIFY .*rule=\"dialog\" target=route next_hop=$IMP_IP:$UAC_PORT/$tp status=200"
    [ "$(msg_count ms 'CSeq: 2 BENOTIFY')" -eq 1 ] || fail "the BENOTIFY was answered"
    ! log_has "method=BENOTIFY .*status=[0-9]" || fail "a BENOTIFY got a status"

    # Outside a dialog (no Route): searched from its real source zone (IMP -> Microsoft).
    sipp_server ms2 "$SIPP_DIR/uas_benotify.xml" "$tp" "$MS_IP" "$MS_PORT"
    uac_from_imp bn "$SIPP_DIR/uac_benotify.xml" "$tp" bob
    sipp_done ms2
    wait_log "method=BENOTIFY alias=bob@msexample.test stateless=yes next_hop=$MS_IP:$MS_PORT/$tp status=-"
}

for_each_transport round
pass "SUBSCRIBE/NOTIFY/BENOTIFY both ways over ${TRANSPORTS:-udp tcp}"
