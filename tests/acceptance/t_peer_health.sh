#!/usr/bin/env bash
# acceptance: ~38 s
# Neighbor peer health (issue 11): OPTIONS keep-alives every second to both IM&P peers; when the
# first stops answering it is marked down once (logged), and the next MESSAGE goes straight to
# the second peer (no failed attempt first); when it answers again it is marked up once and
# takes the traffic back. TCP (a UDP probe to a closed port would depend on ICMP).
. "$(dirname "$0")/lib.sh"

SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"
node_file tcp
lab_rules tcp "$IMP_IP:$IMP_PORT, $IMP2_IP:$IMP_PORT"
sed -i 's/^peer_keepalive_interval = 0$/peer_keepalive_interval = 1/' "$T/sipfed.ini"
admin_on
P1_UP="sipfed_peer_up{zone=\"IMP\",peer=\"$IMP_IP:$IMP_PORT\"}"
P2_UP="sipfed_peer_up{zone=\"IMP\",peer=\"$IMP2_IP:$IMP_PORT\"}"

start_peer() {   # start_peer NAME IP
    $SIPRAW uas tcp "$2:$IMP_PORT" "$T/$1.req" &
    PIDS+=($!)
    printf -v "PEER_$1" %s "$!"
    wait_until 10 port_open tcp "$2" "$IMP_PORT" || fail "peer $1 did not start"
}
options_seen() { [ "$(grep -c "^OPTIONS sip:$2:$IMP_PORT" "$T/$1.req" 2>/dev/null)" -ge "$3" ]; }
message() {      # message NAME: one MESSAGE from the Microsoft side, 200 expected
    uac_xml "$T/$1.xml" MESSAGE sip:alice@ciscoexample.test 200
    expect_ok "$1" sipp_client "$1" "$T/$1.xml" tcp "$MS_IP" -key from_domain msexample.test \
        -key max_forwards 70
}

start_peer p1 "$IMP_IP"
start_peer p2 "$IMP2_IP"
start_sipfed
wait_until 10 options_seen p1 "$IMP_IP" 2 || fail "no OPTIONS keep-alives to $IMP_IP"
wait_until 10 options_seen p2 "$IMP2_IP" 2 || fail "no OPTIONS keep-alives to $IMP2_IP"
log_has "event=peer_down" && fail "a peer marked down while both answer"
metric_is "$P1_UP" 1
metric_is "$P2_UP" 1

kill "$PEER_p1"
wait_log "event=peer_down zone=IMP peer=$IMP_IP addr=$IMP_IP:$IMP_PORT/tcp" 10
metric_is "$P1_UP" 0
metric_is "$P2_UP" 1
admin_get status | grep -q "\"peer\":\"$IMP_IP:$IMP_PORT\",[^}]*\"health\":\"down\"" ||
    fail "/status does not show $IMP_IP:$IMP_PORT down"
promtool_check
t0=$(date +%s%N)
message m1
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait_log "target=IMP next_hop=$IMP2_IP:$IMP_PORT/tcp status=200"
log_has "target=IMP next_hop=$IMP_IP:$IMP_PORT/tcp,$IMP2_IP" &&
    fail "the MESSAGE tried the peer marked down first"

start_peer p1b "$IMP_IP"
wait_log "event=peer_up zone=IMP peer=$IMP_IP addr=$IMP_IP:$IMP_PORT/tcp status=200" 10
metric_is "$P1_UP" 1
message m2
wait_until 5 grep -q "^MESSAGE " "$T/p1b.req" || fail "the peer back up did not get the MESSAGE"
[ "$(log_count "event=peer_down")" -eq 1 ] || fail "expected one peer_down line"
[ "$(log_count "event=peer_up")" -eq 1 ] || fail "expected one peer_up line"
stop_all
pass "peer down after missed OPTIONS (sipfed_peer_up 0, /status down), next MESSAGE straight to the second peer (${ms} ms), up again and back in use"
