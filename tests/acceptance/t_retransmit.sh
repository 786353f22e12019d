#!/usr/bin/env bash
# UDP retransmissions are absorbed by the transaction layer: the caller retransmits its MESSAGE
# while the far side is slow (100 Trying, then 200 after 0.8 s); the far side sees one client
# transaction (one Via branch: nta's own timer-E retransmissions reuse it) however often the
# caller retransmits, the proxy routes (logs) the request once, and the caller gets its 200.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"
    uas_xml "$T/uas_slow.xml" MESSAGE 200 800
    uac_xml "$T/uac.xml" MESSAGE "sip:bob@msexample.test" 200
    sipp_server ms "$T/uas_slow.xml" "$tp" "$MS_IP" "$MS_PORT"
    expect_ok uac sipp_client uac "$T/uac.xml" "$tp" "$IMP_IP" \
        -key from_domain ciscoexample.test -key max_forwards 70
    sipp_done ms
    local sent got
    sent=$(grep -c '^MESSAGE sip:' "$T/uac.msg")
    got=$(grep -A1 '^MESSAGE sip:' "$T/ms.msg" | grep -o 'branch=[^;, ]*' | sort -u | wc -l)
    [ "$sent" -ge 2 ] || fail "the caller did not retransmit (sent $sent): scenario too fast"
    [ "$got" -eq 1 ] || fail "the far side saw $got transactions for $sent MESSAGEs sent"
    wait_log "method=MESSAGE alias=bob@msexample.test .*status=200"
    [ "$(log_count 'module=route method=MESSAGE')" -eq 1 ] || fail "the MESSAGE was routed more than once"
}

TRANSPORTS=udp for_each_transport round
pass "caller retransmissions absorbed (far side saw one MESSAGE) over udp"
