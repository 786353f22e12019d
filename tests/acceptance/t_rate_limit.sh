#!/usr/bin/env bash
# acceptance: alone (the token bucket is measured against sipp's real rate; a loaded machine slows sipp)
# Per-source rate limit (issue 11): a noisy source sending MESSAGEs at 5x rate_limit_per_ip gets
# 503 with Retry-After for the requests past its bucket, and one rate_limit_start / _end pair in
# the log; another source sending at a normal rate at the same time sees 0 failures. TCP.
. "$(dirname "$0")/lib.sh"

LIMIT=20 NOISY_RATE=100 NOISY_CALLS=400 CALM_RATE=10 CALM_CALLS=40
CALM_IP=$IMP2_IP

node_file tcp
lab_rules tcp
sed -i "s/^max_forwards = 70$/max_forwards = 70\nrate_limit_per_ip = $LIMIT/" "$T/sipfed.ini"
start_sipfed

uas_xml "$T/uas.xml" MESSAGE 200
sipp_server imp "$T/uas.xml" tcp "$IMP_IP" "$IMP_PORT" -m 100000 -timeout 60s

uac_xml "$T/calm.xml" MESSAGE sip:alice@ciscoexample.test 200

# The noisy client takes 200 or 503; a 503 must carry Retry-After.
timeout 60 sipp -sf "$SIPP_DIR/uac_message_limited.xml" -t t1 -i "$MS_IP" -p "$UAC_PORT" -nostdin \
    -m "$NOISY_CALLS" -r "$NOISY_RATE" -key from_domain msexample.test -timeout 50s -timeout_error \
    -trace_msg -message_file "$T/noisy.msg" -trace_err -error_file "$T/noisy.err" "$PROXY_IP:$PROXY_PORT" >"$T/noisy.out" 2>&1 &
NOISY=$!
PIDS+=("$NOISY")
timeout 60 sipp -sf "$T/calm.xml" -t t1 -i "$CALM_IP" -p "$UAC_PORT" -nostdin -m "$CALM_CALLS" \
    -r "$CALM_RATE" -timeout 50s -timeout_error -key from_domain partner.test \
    -key max_forwards 70 -trace_err -error_file "$T/calm.err" \
    "$PROXY_IP:$PROXY_PORT" >"$T/calm.out" 2>&1 || { tail -5 "$T/calm.err" >&2; fail "the calm source saw failures"; }
wait "$NOISY" || { tail -5 "$T/noisy.err" >&2; fail "noisy sipp: unexpected answers"; }

refused=$(grep -c "^SIP/2.0 503" "$T/noisy.msg")
accepted=$(grep -c "^SIP/2.0 200" "$T/noisy.msg")
[ $((refused + accepted)) -eq "$NOISY_CALLS" ] || fail "noisy: $accepted 200 + $refused 503 != $NOISY_CALLS"
# 4 s at 100/s against 20/s with a burst of 40: about 40 + 4 x 20 let through.
[ "$refused" -ge 200 ] || fail "noisy source: only $refused of $NOISY_CALLS refused"
[ "$accepted" -ge 60 ] || fail "noisy source: only $accepted let through (the bucket refills)"
[ "$(grep -c "alias=alice@ciscoexample.test .*status=200" "$T/sipfed.log")" -eq $((accepted + CALM_CALLS)) ] ||
    fail "route lines do not match the 200s"
[ "$(log_count "event=rate_limit_start source=ip:$MS_IP rate=$LIMIT/s")" -eq 1 ] ||
    fail "expected one rate_limit_start for $MS_IP"
log_has "event=rate_limit_start source=ip:$CALM_IP" && fail "the calm source was limited"
# The episode ends when the source has not been refused for 5 s; the table is swept from the
# request path, so one more request from the noisy source, 6 s later, writes the end line.
sleep_until() { [ "$(date +%s)" -ge "$1" ]; }
wait_until 10 sleep_until $(( $(date +%s) + 6 ))
uac_xml "$T/after.xml" MESSAGE sip:alice@ciscoexample.test 200
expect_ok after sipp_client after "$T/after.xml" tcp "$MS_IP" -key from_domain msexample.test \
    -key max_forwards 70
wait_log "event=rate_limit_end source=ip:$MS_IP refused=$refused"
stop_all
pass "noisy source: $refused of $NOISY_CALLS refused with 503 + Retry-After; calm source: $CALM_CALLS of $CALM_CALLS answered 200"
