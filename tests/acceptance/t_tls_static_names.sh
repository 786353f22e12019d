#!/usr/bin/env bash
# Issue 10.5: names on every TLS hop, and TLS settings that match the docs.
#   - a static route to an IP literal over TLS verifies tls_verify_subject: an edge at that
#     address whose certificate lacks the name is refused (502 with the cause, never reached),
#     one that carries it gets the request; `check` warns about a TLS static route to an address
#     without tls_verify_subject, and `locate` says what is checked
#   - the default cipher list's DHE suites are really offered with an RSA certificate, and
#     `check` prints the effective suites
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/dns_zone.sh"     # dns_out_rules only (this scenario's DNS: tls_dns_start)

EDGE_UAS=5065
tls_node_file
sed -i "s|^listen = .*|listen = tcp:$PROXY_IP:$PROXY_PORT, tls:$PROXY_IP:$TLS_PORT|" "$T/sipfed.ini"
cat >"$T/rules/dial.ini" <<INI
$(dns_out_rules)
[federation]
local_domains = ciscoexample.test
[static_route partner.test]
next_hop = $MS_IP:$MS_PORT
transport = tls
tls_verify_subject = sip.partner.test
[static_route bare.test]
next_hop = $MS_IP:$MS_PORT
transport = tls
INI
tls_dns_start

"$SIPFED" -c "$T/sipfed.ini" check >"$T/check.out" 2>&1 || fail "check failed: $(cat "$T/check.out")"
grep -q "\[static_route bare.test\]: next_hop $MS_IP is an address: only the certificate chain is checked" \
    "$T/check.out" || fail "check does not warn about a TLS static route without a name: $(cat "$T/check.out")"
grep -q "static_route partner.test.*is an address" "$T/check.out" &&
    fail "check warns about a static route that has tls_verify_subject"
"$SIPFED" -c "$T/sipfed.ini" locate --from IMP bob@partner.test >"$T/locate.out" 2>&1
grep -q "server certificate must name one of: sip.partner.test" "$T/locate.out" ||
    fail "locate does not name tls_verify_subject: $(cat "$T/locate.out")"
"$SIPFED" -c "$T/sipfed.ini" locate --from IMP bob@bare.test >"$T/locate-bare.out" 2>&1
grep -q "(an IP address: the server certificate must chain to \[tls\] ca_file; no name is checked)" \
    "$T/locate-bare.out" || fail "locate claims a name check for an address: $(cat "$T/locate-bare.out")"
pass "check warns about a TLS static route to an address without a name; locate names the check"

start_sipfed
send() {   # send NAME DOMAIN STATUS
    uac_xml "$T/$1.xml" MESSAGE "sip:bob@$2" "$3"
    sipp_client "$1" "$T/$1.xml" tcp "$IMP_IP" -key from_domain ciscoexample.test -key max_forwards 70
}
stunnel_server wrong "$MS_IP" "$MS_PORT" wrongname "$EDGE_UAS"
uas_xml "$T/edge.xml" MESSAGE 200
sipp_server edge "$T/edge.xml" tcp "$MS_IP" "$EDGE_UAS" -m 3
expect_ok wrong send wrong partner.test 502
grep -q '^Warning: 399 edge.ciscoexample.test ".*TLS name mismatch: expected sip.partner.test"' \
    "$T/wrong.msg" || fail "502 without the cause"
[ "$(msg_count edge 'MESSAGE sip:bob@partner.test')" -eq 0 ] ||
    fail "the static route's request reached an edge without the tls_verify_subject name"
stop_pid() { kill "$1" 2>/dev/null; wait_until 5 sh -c "! kill -0 $1 2>/dev/null"; }
stop_pid "${PIDS[-2]}"      # the wrong-name tunnel
stunnel_server right "$MS_IP" "$MS_PORT" partner "$EDGE_UAS"
expect_ok right send right partner.test 200
wait_log "event=handshake_done dir=out peer=$MS_IP:$MS_PORT .*names=sip.partner.test"
pass "static route to an address: tls_verify_subject verified (wrong name 502, right name 200)"

# DHE with an RSA certificate: the documented list is what is offered.
sed -i -e "s|^certificate = .*|certificate = $PKI/edge-rsa.pem|" \
       -e "s|^private_key = .*|private_key = $PKI/edge-rsa.key|" "$T/sipfed.ini"
"$SIPFED" -c "$T/sipfed.ini" check >"$T/check-rsa.out" 2>&1 || fail "check (RSA) failed"
grep -qE "^tls: TLS 1.2 suites offered: .*TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384.* TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" \
    "$T/check-rsa.out" || fail "check does not print the DHE suites: $(cat "$T/check-rsa.out")"
grep -q "^tls: TLS 1.3 suites offered: TLS_AES_256_GCM_SHA384" "$T/check-rsa.out" ||
    fail "check does not print the TLS 1.3 suites"
grep -q "TLS_RSA_WITH\|_CBC_SHA " "$T/check-rsa.out" && fail "a suite without forward secrecy is offered"
stop_all
start_sipfed
s_client_ok -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384 -cert "$PKI/partner.pem" -key "$PKI/partner.key" ||
    fail "a DHE suite from the documented list was refused: $(tail -5 "$T/s_client.out")"
grep -q "Cipher is DHE-RSA-AES256-GCM-SHA384" "$T/s_client.out" || fail "DHE not negotiated"
pass "RSA certificate: the DHE suites of the default list are offered and negotiated; check prints the suites"
