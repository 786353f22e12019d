#!/usr/bin/env bash
# acceptance: ~54 s
# Issue 10.2: a next hop that accepts TCP but never completes TLS. sipfed gives every outgoing
# TLS connection [proxy] connect_timeout (1 s here) for TCP connect + handshake; then it closes
# the connection, the requests waiting on it fail over or get a final answer at once, and the
# next request opens a new connection.
#   - MESSAGE to stall.test (SRV -> $NET.15, a TCP server that never speaks TLS): 504 with a
#     Warning naming the timeout, well before the 4 s attempt timer; again for a second MESSAGE
#     (a new connection, not queued behind the stalled one)
#   - INVITE to stall.test: 504 the same way
#   - a neighbor zone whose first TLS peer stalls: the request fails over to the second peer
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/dns_zone.sh"

CERTS=$PKI
STALL=$NET.15
GOOD=$NET.16
dns_start \
    --srv-host=_sipfederationtls._tcp.stall.test,sip.stall.test,5061,0,0 \
    --host-record=sip.stall.test,"$STALL" || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT

dns_node_ini "tcp:$PROXY_IP:$PROXY_PORT" "$DNS_ADDR:$DNS_PORT"
sed -i '/^\[proxy\]/a connect_timeout = 1' "$T/sipfed.ini"
cat >"$T/rules/dial.ini" <<INI
$(dns_out_rules)
[zone PEERS]
type = neighbor
peers = $STALL:5061, $GOOD:5061
transport = tls
tls_verify_subject = imp1.ciscoexample.test
[rule "failover"]
priority = 90
source = IMP
pattern = .*@failover\\.test
target = PEERS
[federation]
local_domains = ciscoexample.test
privacy = off
INI

# The stalled edge: accepts TCP, reads, never answers (so never completes a TLS handshake).
python3 "$ROOT/tests/acceptance/sipraw.py" uas tcp "$STALL:5061" "$T/stall.log" --silent &
PIDS+=("$!")
wait_until 10 port_open tcp "$STALL" 5061 || fail "stalled server did not listen"
start_sipfed


for n in msg1 msg2; do
    expect_ok $n dns_uac $n "$IMP_IP" MESSAGE bob@stall.test ciscoexample.test 504
    took=$(cat "$T/$n.took")
    [ "$took" -lt 8000 ] || fail "$n: 504 after $took ms (connect_timeout 1 s)"
    grep -q '^Warning: 399 edge.ciscoexample.test ".*no TLS connection within connect_timeout' \
        "$T/$n.msg" || fail "$n: 504 without a Warning naming the connect timeout"
done
[ "$(log_count "event=handshake_failed dir=out peer=$STALL:5061 .*connect_timeout")" -ge 2 ] ||
    fail "the second MESSAGE did not get a connection of its own"
pass "stalled TLS next hop: MESSAGE answered 504 in $took ms, each request on a new connection"

cat >"$T/invite.xml" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="invite_504">
  <send retrans="500"><![CDATA[
INVITE sip:bob@stall.test SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@ciscoexample.test>;tag=[call_number]-uac
To: <sip:bob@stall.test>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:alice@[local_ip]:[local_port];transport=[transport]>
Content-Length: 0

]]></send>
  <recv response="100" optional="true"/>
  <recv response="504"/>
  <send><![CDATA[
ACK sip:bob@stall.test SIP/2.0
[last_Via:]
Max-Forwards: 70
From: <sip:alice@ciscoexample.test>;tag=[call_number]-uac
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Content-Length: 0

]]></send>
</scenario>
XML
t0=$(date +%s%N)
expect_ok invite sipp_client invite "$T/invite.xml" tcp "$IMP_IP"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$took" -lt 8000 ] || fail "INVITE: 504 after $took ms"
wait_log "method=INVITE alias=bob@stall.test .*status=504"
pass "stalled TLS next hop: INVITE answered 504 in $took ms"

stunnel_server good "$GOOD" 5061 imp1 5070
dns_uas good "$GOOD" 5070 MESSAGE
timeouts=$(log_count "event=handshake_failed dir=out peer=$STALL:5061 .*connect_timeout")
expect_ok fo dns_uac fo "$IMP_IP" MESSAGE bob@failover.test ciscoexample.test 200
took=$(cat "$T/fo.took")
[ "$took" -lt 8000 ] || fail "failover after $took ms"
wait_log "alias=bob@failover.test .*next_hop=$STALL:5061/tls,$GOOD:5061/tls status=200"
[ "$(log_count "event=handshake_failed dir=out peer=$STALL:5061 .*connect_timeout")" -gt "$timeouts" ] ||
    fail "the failover did not come from the connect timeout"
pass "neighbor zone: the stalled first peer is given up after connect_timeout, the second answers ($took ms)"
