#!/usr/bin/env bash
# Refusals answered by the proxy itself, each with its log line: no rule -> 404, Max-Forwards 0
# -> 483, an unknown Proxy-Require tag -> 420 listing it in Unsupported (ms-* tags pass, see
# t_subscribe), a request that loops back through this node -> 482; a far-side error carrying
# ms-diagnostics is relayed and its diagnostics logged. UDP and TCP.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"

    message_expect no_rule "$tp" ms "sip:mallory@elsewhere.test" 404
    wait_log "method=MESSAGE alias=mallory@elsewhere.test src=default .*status=404"

    message_expect mf0 "$tp" ms "sip:alice@ciscoexample.test" 483 0
    wait_log "method=MESSAGE alias=alice@ciscoexample.test .*status=483 .*reason=\"Max-Forwards 0\""

    uac_xml "$T/pr.xml" MESSAGE "sip:alice@ciscoexample.test" 420 \
        "Proxy-Require: ms-benotify, x-unknown-ext" "Unsupported:" "^ *x-unknown-ext *$"
    expect_ok pr sipp_client pr "$T/pr.xml" "$tp" "$MS_IP" \
        -key from_domain msexample.test -key max_forwards 70
    wait_log "method=MESSAGE .*status=420 .*reason=\"unsupported Proxy-Require: x-unknown-ext\""

    # A Microsoft-side failure with ms-diagnostics: relayed, and its diagnostics logged.
    uas_xml "$T/uas_diag.xml" MESSAGE 504 "" \
        'ms-diagnostics: 1046;reason="Failed to connect to a federated partner";domain="msexample.test"'
    uac_xml "$T/diag.xml" MESSAGE "sip:bob@msexample.test" 504
    sipp_server ms "$T/uas_diag.xml" "$tp" "$MS_IP" "$MS_PORT"
    expect_ok diag sipp_client diag "$T/diag.xml" "$tp" "$IMP_IP" \
        -key from_domain ciscoexample.test -key max_forwards 70
    sipp_done ms
    wait_log "method=MESSAGE alias=bob@msexample.test .*status=504 .*ms-diagnostics=\"1046;reason=.{1,2}Failed to connect"

    # A loop: the Microsoft side's static route points back at this node.
    sed -i "s/^next_hop = .*/next_hop = $PROXY_IP:$PROXY_PORT/" "$T/rules/lab.ini"
    kill -HUP "$SIPFED_PID"
    wait_log "event=reload status=ok"
    message_expect loop "$tp" imp "sip:bob@msexample.test" 482
    wait_log "method=MESSAGE alias=bob@msexample.test .*status=482"
}

for_each_transport round
pass "404, 483, 420 + Unsupported, 482 over ${TRANSPORTS:-udp tcp}"
