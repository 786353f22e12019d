#!/usr/bin/env bash
# acceptance: ~35 s
# Mutual TLS with a real peer, the refusals (kamailio_lib.sh's lab: Kamailio 5.6 as the IM&P
# neighbour and as the Microsoft edge, raw user agents answering 200 behind each). Each side must
# refuse what the other presents when it does not fit, and the user agent must get a SIP error
# through the other proxy:
#   1. IM&P Kamailio with a valid chain but not imp1.ciscoexample.test: not zone IMP (404, no
#      rule for the default zone); edge Kamailio with sip.msexample.test from an untrusted CA:
#      sipfed refuses the handshake (unknown CA), Kamailio answers 408 when its transaction
#      timer (fr_timer, 10 s: Kamailio never fails a request at once on a refused handshake)
#      fires, nothing is delivered.
#   2. Edge Kamailio with a valid chain but not the SRV target sip.msexample.test: sipfed's
#      outgoing handshake fails and the IM&P side gets 502 at once (not a timer); inbound, the
#      same certificate is accepted (chain) but not authenticated (auth=no: no From-domain name).
#   3. sipfed with edge.ciscoexample.test from an untrusted CA: both Kamailios refuse sipfed's
#      server certificate (their tls module verifies the chain), nothing is delivered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/kamailio_lib.sh"

SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"
for side in imp ms; do
    read -r ua _ _ _ <<< "$(side_of $side)"
    $SIPRAW uas udp "$ua:$UA_PORT" "$T/$side.req" &
    PIDS+=($!)
    wait_until 10 port_open udp "$ua" "$UA_PORT" || fail "the raw $side user agent did not start"
done

# expect_final imp|ms FILE STATUS WHAT: the request from that side gets STATUS.
expect_final() {
    local got
    got=$(kam_raw_final "$1" "$2")
    [ "$got" = "$3" ] || fail "$4: got $got, expected $3"
}
delivered() { grep -c '^MESSAGE ' "$T/$1.req" 2>/dev/null || true; }

kam_lab_up wrongname rogue-client
expect_final imp message_out.sip 404 "IM&P Kamailio without its name"
wait_log "method=MESSAGE alias=bob@msexample.test src=default auth=no .*status=404"
expect_final ms message.sip 408 "edge Kamailio from an untrusted CA"
wait_log "handshake_failed dir=in peer=$MS_IP:[0-9]+ reason=\"sent alert unknown CA"
! log_has "alias=alice@ciscoexample.test" || fail "a request from the untrusted edge was routed"
[ "$(delivered imp)$(delivered ms)" = 00 ] || fail "round 1 delivered a request"
kam_stop imp; kam_stop ms
pass "a neighbour without its name is not zone IMP; an untrusted edge is refused"

kam_both_up imp1 wrongname
# 502 with the cause: the handshake's failure report (the 4 s attempt timer would give 504,
# Timer F 408)
expect_final imp message_out.sip 502 "edge Kamailio without the SRV target name"
wait_log "handshake_failed dir=out peer=$MS_IP:$MS_PORT expected=sip.msexample.test .*hostname mismatch"
wait_log "alias=bob@msexample.test src=IMP .*status=502 .*TLS name mismatch: expected sip.msexample.test"
[ "$(delivered ms)" = 0 ] || fail "a request reached the edge without its name"
expect_final ms message.sip 200 "edge Kamailio with a valid chain, inbound"
wait_log "alias=alice@ciscoexample.test src=default auth=no .*target=IMP .*status=200"
kam_stop imp; kam_stop ms
pass "an edge without the SRV target name: 502 at once; inbound accepted, not authenticated"

# sipfed's own certificate from an untrusted CA (the lab's rogue CA), its name right.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$PKI/edge-rogue.key" \
    -subj "/O=rogue/CN=edge.ciscoexample.test" -out "$T/edge-rogue.csr" 2>/dev/null &&
    printf 'subjectAltName=DNS:edge.ciscoexample.test\nextendedKeyUsage=serverAuth,clientAuth\n' \
        > "$T/edge-rogue.ext" &&
    openssl x509 -req -in "$T/edge-rogue.csr" -CA "$PKI/rogue-ca.pem" -CAkey "$PKI/rogue-ca.key" \
        -CAcreateserial -days 30 -extfile "$T/edge-rogue.ext" -out "$PKI/edge-rogue.pem" 2>/dev/null &&
    chmod 600 "$PKI/edge-rogue.key" || fail "could not make the rogue edge certificate"
kill "$SIPFED_PID"; wait_until 10 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "sipfed did not stop"
mv "$T/sipfed.log" "$T/sipfed.1.log"
sed -i "s|$PKI/edge\.pem|$PKI/edge-rogue.pem|; s|$PKI/edge\.key|$PKI/edge-rogue.key|" "$T/sipfed.ini"
start_sipfed
kam_both_up imp1 msedge
before="$(delivered imp)$(delivered ms)"
kam_raw_final imp message_out.sip > "$T/r3.imp" &
r3=$!
kam_raw_final ms message.sip > "$T/r3.ms"
wait "$r3"
[ "$(cat "$T/r3.imp") $(cat "$T/r3.ms")" = "408 408" ] ||
    fail "sipfed from an untrusted CA: got $(cat "$T/r3.imp") (IM&P side) and $(cat "$T/r3.ms") (edge side), expected 408 from each Kamailio"
wait_log "handshake_failed dir=in peer=$IMP_IP:[0-9]+ reason=\"received alert"
wait_log "handshake_failed dir=in peer=$MS_IP:[0-9]+ reason=\"received alert"
! log_has "module=route method=MESSAGE" || fail "a request reached sipfed over a refused connection"
[ "$(delivered imp)$(delivered ms)" = "$before" ] || fail "round 3 delivered a request"
pass "both Kamailios refuse sipfed's certificate from an untrusted CA"
