#!/usr/bin/env bash
# acceptance: ~55 s
# Issue 10.1: a request goes down a TLS connection only when that connection's certificate proved
# the name the request needs. One Access Edge address ($NET.14:5061) serves two domains:
#   wrongok.test  SRV -> wrong.example.test:5061   (the edge's certificate names it)
#   victim.test   SRV -> sip.victim.test:5061      (the certificate does not)
# A request for victim.test must never reach that edge, whatever was sent before: the
# connection opened for wrongok.test is not reused for it, a fresh one is opened and refused.
# Both orders, and both requests at once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/dns_zone.sh"

CERTS=$PKI
EDGE=$NET.14
REFUSED=${REFUSED_STATUS:-502}
dns_start \
    --srv-host=_sipfederationtls._tcp.wrongok.test,wrong.example.test,5061,0,0 \
    --host-record=wrong.example.test,"$EDGE" \
    --srv-host=_sipfederationtls._tcp.victim.test,sip.victim.test,5061,0,0 \
    --host-record=sip.victim.test,"$EDGE" || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT

dns_node_ini "tcp:$PROXY_IP:$PROXY_PORT" "$DNS_ADDR:$DNS_PORT"
cat >"$T/rules/dial.ini" <<INI
$(dns_out_rules)
[federation]
local_domains = ciscoexample.test
privacy = off
INI

# round: sipfed, the edge (stunnel with the wrong.example.test certificate in front of a sipp
# that answers up to 5 MESSAGEs), fresh for each round.
round() {
    start_sipfed
    stunnel_server edge "$EDGE" 5061 wrongname 5070
    uas_xml "$T/edge.xml" MESSAGE 200
    sipp_server edge "$T/edge.xml" tcp "$EDGE" 5070 -m 5
}
send() {   # send NAME DOMAIN STATUS [sipp args]
    local name=$1 domain=$2 status=$3; shift 3
    uac_xml "$T/$name.xml" MESSAGE "sip:bob@$domain" "$status"
    sipp_client "$name" "$T/$name.xml" tcp "$IMP_IP" -key from_domain ciscoexample.test \
        -key max_forwards 70 "$@"
}
victim_never_reached() {
    [ "$(msg_count edge 'MESSAGE sip:bob@victim.test')" -eq 0 ] ||
        fail "$1: the request for victim.test reached the edge that did not prove sip.victim.test"
}

# 1. wrongok.test first: its connection proves wrong.example.test only.
round
expect_ok ok1 send ok1 wrongok.test 200
expect_ok victim1 send victim1 victim.test "$REFUSED"
wait_log "event=handshake_failed dir=out peer=$EDGE:5061 expected=sip.victim.test .*hostname mismatch"
victim_never_reached "wrongok.test first"
expect_ok ok1b send ok1b wrongok.test 200
[ "$(msg_count edge 'MESSAGE sip:bob@wrongok.test')" -eq 2 ] || fail "wrongok.test not delivered twice"
pass "after a connection for wrongok.test, victim.test gets its own connection and is refused"
stop_all

# 2. victim.test first, then wrongok.test.
round
expect_ok victim2 send victim2 victim.test "$REFUSED"
expect_ok ok2 send ok2 wrongok.test 200
expect_ok victim2b send victim2b victim.test "$REFUSED"
victim_never_reached "victim.test first"
pass "victim.test refused before and after a connection for wrongok.test"
stop_all

# 3. Both at once: one TCP write from IM&P carries both requests, so the second is sent while the
# first one's connection is still in its handshake.
round
python3 "$ROOT/tests/acceptance/sipraw.py" send tcp "$PROXY_IP:$PROXY_PORT" "$IMP_IP" \
    "$ROOT/tests/acceptance/raw/message_two_domains.sip" --count 2 --wait 10 >"$T/both.out" ||
    fail "sipraw failed"
grep -q "^SIP/2.0 200" "$T/both.out" || fail "concurrent wrongok.test not answered 200: $(cat "$T/both.out")"
grep -q "^SIP/2.0 $REFUSED" "$T/both.out" || fail "concurrent victim.test not refused: $(cat "$T/both.out")"
grep -q '^Warning: 399 edge.ciscoexample.test ".*TLS name mismatch: expected sip.victim.test"' \
    "$T/both.out" || fail "the refusal does not name the cause: $(cat "$T/both.out")"
wait_log "handshake_failed dir=out peer=$EDGE:5061 expected=sip.victim.test "
victim_never_reached "concurrent"
[ "$(msg_count edge 'MESSAGE sip:bob@wrongok.test')" -eq 1 ] || fail "concurrent wrongok.test not delivered"
pass "both domains in one burst: each request checked on its own connection"
