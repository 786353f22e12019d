#!/usr/bin/env bash
# acceptance: alone (the token buckets are measured against sipp's real rate; a loaded machine slows sipp)
# Per-domain rate limit (issue 11): two Microsoft edges of msexample.test, each on its own address
# and each below rate_limit_per_domain, are authenticated by their certificates (default zone
# `authenticated = verified`) and together exceed the domain's bucket: requests past it get 503
# with Retry-After, from both addresses, and one rate_limit_start for the domain; an edge of
# partner.test at a normal rate at the same time sees 0 failures. TLS through stunnel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

LIMIT=10 EDGE_RATE=9 EDGE_CALLS=80 CALM_RATE=5 CALM_CALLS=30
EDGE2_IP=$NET.6 CALM_IP=$NET.7 TUNNEL=5070

tls_node_file
sed -i "s/^peer_keepalive_interval = 0$/&\nrate_limit_per_domain = $LIMIT/" "$T/sipfed.ini"
lab_rules tcp "" "" "+[zone default]
type = default
require_client_certificate = on
authenticated = verified"
start_sipfed

uas_xml "$T/uas.xml" MESSAGE 200
sipp_server imp "$T/uas.xml" tcp "$IMP_IP" "$IMP_PORT" -m 100000 -timeout 60s
tls_xml "$SIPP_DIR/uac_message_limited.xml" "$T/limited.xml"
stunnel_client edge1 "$MS_IP" "$TUNNEL" msedge
stunnel_client edge2 "$EDGE2_IP" "$TUNNEL" msedge
stunnel_client calm "$CALM_IP" "$TUNNEL" partner

edge_start() {   # edge_start NAME IP: msexample.test at EDGE_RATE through its tunnel
    timeout 60 sipp -sf "$T/limited.xml" -t t1 -i "$2" -p "$UAC_PORT" -nostdin -m "$EDGE_CALLS" \
        -r "$EDGE_RATE" -key from_domain msexample.test -timeout 50s -timeout_error \
        -trace_msg -message_file "$T/$1.msg" -trace_err -error_file "$T/$1.err" \
        "$2:$TUNNEL" >"$T/$1.out" 2>&1 &
    PIDS+=($!)
    printf -v "PID_$1" %s "$!"
}
edge_start edge1 "$MS_IP"
edge_start edge2 "$EDGE2_IP"
timeout 60 sipp -sf "$T/limited.xml" -t t1 -i "$CALM_IP" -p "$UAC_PORT" -nostdin -m "$CALM_CALLS" \
    -r "$CALM_RATE" -key from_domain partner.test -timeout 50s -timeout_error \
    -trace_msg -message_file "$T/calm.msg" -trace_err -error_file "$T/calm.err" \
    "$CALM_IP:$TUNNEL" >"$T/calm.out" 2>&1 || { tail -5 "$T/calm.err" >&2; fail "partner.test: sipp failed"; }
wait "$PID_edge1" || { tail -5 "$T/edge1.err" >&2; fail "edge1: unexpected answers"; }
wait "$PID_edge2" || { tail -5 "$T/edge2.err" >&2; fail "edge2: unexpected answers"; }

calm_refused=$(grep -c "^SIP/2.0 503" "$T/calm.msg")
[ "$calm_refused" -eq 0 ] || fail "partner.test at a normal rate got $calm_refused 503s"
[ "$(grep -c "^SIP/2.0 200" "$T/calm.msg")" -eq "$CALM_CALLS" ] || fail "partner.test: not every MESSAGE answered 200"
refused=0 accepted=0
for e in edge1 edge2; do
    r=$(grep -c "^SIP/2.0 503" "$T/$e.msg") a=$(grep -c "^SIP/2.0 200" "$T/$e.msg")
    [ $((r + a)) -eq "$EDGE_CALLS" ] || fail "$e: $a 200 + $r 503 != $EDGE_CALLS"
    refused=$((refused + r)) accepted=$((accepted + a))
done
# About 9 s at 2 x 9/s against 10/s with a burst of 20: about 20 + 9 x 10 of 160 let through.
# Each edge alone is below the limit, so any refusal shows the bucket is the domain's. Which edge
# gets them is not asserted: the two sipps tick at the same rate, and when one edge's requests
# land just ahead of the other's they take each refilled token first (seen under ASan: 0 and 55).
[ "$refused" -ge 20 ] || fail "msexample.test: only $refused of $((2 * EDGE_CALLS)) refused"
[ "$accepted" -ge 60 ] || fail "msexample.test: only $accepted let through (the bucket refills)"
log_has "auth=yes" || fail "the edges were not authenticated by their certificates"
[ "$(log_count "event=rate_limit_start source=domain:msexample.test rate=$LIMIT/s")" -eq 1 ] ||
    fail "expected one rate_limit_start for msexample.test"
log_has "event=rate_limit_start source=(ip:|domain:partner)" && fail "another bucket than msexample.test's was limited"
stop_all
pass "msexample.test from two addresses, each below the limit: $refused of $((2 * EDGE_CALLS)) refused with 503 + Retry-After; partner.test: $CALM_CALLS of $CALM_CALLS answered 200"
