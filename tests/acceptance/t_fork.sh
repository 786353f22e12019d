#!/usr/bin/env bash
# Forking (SPEC §4.3.2): one priority level with two targets, one answering 486 and the other
# 200: the caller gets the 200 (RFC 3261 §16.7), ACK and BYE reach the answering side. Then
# `on_match = continue`: the first level answers 404, the next level is tried and answers 200.
. "$(dirname "$0")/lib.sh"

FORK_PORT=5064

fork_rules() {
    local tp=$1
    cat > "$T/rules/fork.ini" <<INI
[zone MSA]
type = neighbor
peers = $MS_IP:$MS_PORT
transport = $tp

[zone MSB]
type = neighbor
peers = $IMP2_IP:$FORK_PORT
transport = $tp

[rule "Fork A"]
priority = 50
pattern = fork@msexample\\.test
target = MSA

[rule "Fork B"]
priority = 50
pattern = fork@msexample\\.test
target = MSB

[rule "First try"]
priority = 60
pattern = seq@msexample\\.test
on_match = continue
target = MSA

[rule "Then"]
priority = 70
pattern = seq@msexample\\.test
target = MSB
INI
}

round() {
    local tp=$1
    node_file "$tp"; lab_rules "$tp"; fork_rules "$tp"; start_sipfed

    sipp_server busy "$SIPP_DIR/uas_invite_busy.xml" "$tp" "$MS_IP" "$MS_PORT"
    sipp_server ok "$SIPP_DIR/uas_invite_200.xml" "$tp" "$IMP2_IP" "$FORK_PORT"
    uac_from_imp uac "$SIPP_DIR/uac_invite.xml" "$tp" fork
    sipp_done busy
    sipp_done ok
    wait_log "method=INVITE alias=fork@msexample.test .*rule=\"Fork A,Fork B\" target=MSA\\+MSB .*status=200"

    uas_xml "$T/uas_404.xml" MESSAGE 404
    uas_xml "$T/uas_200.xml" MESSAGE 200
    uac_xml "$T/uac_seq.xml" MESSAGE "sip:seq@msexample.test" 200
    sipp_server s404 "$T/uas_404.xml" "$tp" "$MS_IP" "$MS_PORT"
    sipp_server s200 "$T/uas_200.xml" "$tp" "$IMP2_IP" "$FORK_PORT"
    expect_ok seq sipp_client seq "$T/uac_seq.xml" "$tp" "$IMP_IP" \
        -key from_domain ciscoexample.test -key max_forwards 70
    sipp_done s404
    sipp_done s200
    wait_log "method=MESSAGE alias=seq@msexample.test .*rule=\"First try,Then\" target=MSA,MSB .*status=200"
}

for_each_transport round
pass "parallel fork 486+200 -> 200, continue to the next level over ${TRANSPORTS:-udp tcp}"
