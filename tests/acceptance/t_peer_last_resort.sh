#!/usr/bin/env bash
# A neighbor peer marked down is a last resort, not a ban (issue 11): the second IM&P peer never
# answers OPTIONS, so its keep-alive marks it down, but it answers MESSAGE. When the first peer
# (marked up) answers a MESSAGE with 503, the MESSAGE fails over to the peer marked down, which
# answers 200: the caller gets the 200. Before, a down peer was skipped and the caller got 500.
. "$(dirname "$0")/lib.sh"

SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"
node_file tcp
lab_rules tcp "$IMP_IP:$IMP_PORT, $IMP2_IP:$IMP_PORT"
sed -i 's/^peer_keepalive_interval = 0$/peer_keepalive_interval = 1/' "$T/sipfed.ini"

start_peer() {   # start_peer NAME IP [sipraw uas options]
    local name=$1 ip=$2
    shift 2
    $SIPRAW uas tcp "$ip:$IMP_PORT" "$T/$name.req" "$@" &
    PIDS+=($!)
    wait_until 10 port_open tcp "$ip" "$IMP_PORT" || fail "peer $name did not start"
}

start_peer p1 "$IMP_IP" --status OPTIONS=200 --status MESSAGE=503
start_peer p2 "$IMP2_IP" --silent-to OPTIONS --status MESSAGE=200
start_sipfed
wait_log "event=peer_down zone=IMP peer=$IMP2_IP addr=$IMP2_IP:$IMP_PORT/tcp" 15
log_has "event=peer_down zone=IMP peer=$IMP_IP " && fail "the answering peer was marked down"

uac_xml "$T/m1.xml" MESSAGE sip:alice@ciscoexample.test 200
expect_ok m1 sipp_client m1 "$T/m1.xml" tcp "$MS_IP" -key from_domain msexample.test \
    -key max_forwards 70
wait_log "target=IMP next_hop=$IMP_IP:$IMP_PORT/tcp,$IMP2_IP:$IMP_PORT/tcp status=200"
grep -q "^MESSAGE " "$T/p1.req" || fail "the live peer was not tried first"
grep -q "^MESSAGE " "$T/p2.req" || fail "the peer marked down did not get the MESSAGE"
stop_all
pass "the live peer's 503 fails over to the peer marked down (last resort), which answers 200"
