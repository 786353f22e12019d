#!/usr/bin/env bash
# Issue 10.4: with TLS on a port other than 5061 (listen = tls:ADDR:27061) the Record-Route and
# Via that sipfed puts in a request carry that port, so a next hop resolving them per RFC 3263
# reaches sipfed instead of port 5061. The TCP side on 5060 (its default) stays without a port.
# `check --dns` reports where the Record-Route host resolves.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

TLS_PORT=27061; IMP_TUNNEL=5070; MS_UAS=5065
tls_node_file
sed -i "s|^listen = .*|listen = tcp:$PROXY_IP:$PROXY_PORT, tls:$PROXY_IP:$TLS_PORT|" "$T/sipfed.ini"
tls_rules
tls_dns_start sip.msexample.test --host-record=edge.ciscoexample.test,"$PROXY_IP"
start_sipfed
tls_outbound_message
grep -q "^Record-Route: <sip:edge.ciscoexample.test:$TLS_PORT;transport=tls;lr>" "$T/ms.msg" ||
    fail "the Record-Route does not carry port $TLS_PORT: $(grep -i '^Record-Route' "$T/ms.msg")"
grep -qE "^Via: SIP/2.0/TLS edge.ciscoexample.test:$TLS_PORT;" "$T/ms.msg" ||
    fail "our Via does not carry port $TLS_PORT: $(grep -i '^Via' "$T/ms.msg" | head -1)"
pass "TLS on port $TLS_PORT: Record-Route and Via carry the port"

# check --dns: where the Record-Route host resolves (with the port given: A/AAAA, no SRV); a
# hostname that does not resolve is a problem.
rr="<sip:edge.ciscoexample.test:$TLS_PORT;transport=tls;lr>"
"$SIPFED" -c "$T/sipfed.ini" check --dns >"$T/check.out" 2>&1
grep -qF "dns: Record-Route $rr: edge.ciscoexample.test resolves to $PROXY_IP port $TLS_PORT" \
    "$T/check.out" || fail "check --dns: Record-Route host not reported: $(cat "$T/check.out")"
sed -e 's/^hostname = .*/hostname = edge2.ciscoexample.test/' "$T/sipfed.ini" >"$T/other.ini"
"$SIPFED" -c "$T/other.ini" check --dns >"$T/check2.out" 2>&1
grep -qF "dns: Record-Route <sip:edge2.ciscoexample.test:$TLS_PORT;transport=tls;lr>: edge2.ciscoexample.test does not resolve" \
    "$T/check2.out" || fail "check --dns: unresolvable Record-Route host not reported: $(cat "$T/check2.out")"
pass "check --dns reports where the Record-Route host resolves, and when it does not"
