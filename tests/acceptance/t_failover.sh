#!/usr/bin/env bash
# Neighbor-zone peer failover (SPEC §5.2): the first IM&P peer is dead, the request reaches the
# second; with every peer dead the caller gets 502 (connection refused) or 504 (no answer) well
# within the transaction
# timeout. UDP and TCP.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    node_file "$tp"; lab_rules "$tp" "$DEAD_IP:$IMP_PORT, $IMP_IP:$IMP_PORT"; start_sipfed
    uas_xml "$T/uas.xml" MESSAGE 200
    uac_xml "$T/uac.xml" MESSAGE "sip:alice@ciscoexample.test" 200
    sipp_server imp "$T/uas.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    expect_ok uac sipp_client uac "$T/uac.xml" "$tp" "$MS_IP" \
        -key from_domain msexample.test -key max_forwards 70
    expect_ok imp sipp_wait imp
    wait_log "method=MESSAGE alias=alice@ciscoexample.test .*target=IMP next_hop=$DEAD_IP:$IMP_PORT/$tp,$IMP_IP:$IMP_PORT/$tp status=200"
    stop_all

    node_file "$tp"; lab_rules "$tp" "$DEAD_IP:$IMP_PORT, $DEAD_IP:$((IMP_PORT + 1))"; start_sipfed
    local t0=$SECONDS
    # 502 (transport error: TCP refused) or 504 (no answer: UDP) are both correct; sipp takes one
    # code, so try one, then the other. Never 503: that would condemn sipfed itself.
    uac_xml "$T/uac_dead.xml" MESSAGE "sip:alice@ciscoexample.test" 502
    if ! sipp_client uac_dead "$T/uac_dead.xml" "$tp" "$MS_IP" -key from_domain msexample.test \
        -key max_forwards 70; then
        uac_xml "$T/uac_dead.xml" MESSAGE "sip:alice@ciscoexample.test" 504
        expect_ok uac_dead2 sipp_client uac_dead2 "$T/uac_dead.xml" "$tp" "$MS_IP" \
            -key from_domain msexample.test -key max_forwards 70
    fi
    [ $((SECONDS - t0)) -lt 32 ] || fail "all-dead answer took longer than the transaction timeout"
    wait_log "method=MESSAGE alias=alice@ciscoexample.test .*target=IMP next_hop=$DEAD_IP:$IMP_PORT/$tp,$DEAD_IP:$((IMP_PORT + 1))/$tp status=(502|504)"
}

for_each_transport round
pass "failover to the next peer, all dead -> 502/504 over ${TRANSPORTS:-udp tcp}"
