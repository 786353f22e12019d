#!/usr/bin/env bash
# acceptance: ~44 s
# Slow and greedy clients against the real daemon while a legitimate peer sends MESSAGEs (issue
# 11): half-open TLS connections are closed at handshake_timeout, TLS connections trickling a
# byte every 0.5 s at message_timeout after their first byte, silent TCP connections at idle_timeout; past
# max_connections_per_ip and max_connections new connections are refused at accept. The
# legitimate sipp sees 0 failures, every attacker is cut off, each kind is logged once per
# episode, and the daemon's memory stays bounded. Scaled for CI (seconds, hundreds of
# connections); `make test-full-limits` runs the issue's full size (docs/security.md).
. "$(dirname "$0")/lib.sh"

HALF=${HALF:-200} TRICKLE=${TRICKLE:-40} LATE=${LATE:-80} TRICKLE_INTERVAL=${TRICKLE_INTERVAL:-0.5}
RATE=${RATE:-50} CALLS=${CALLS:-700}
ATTACK_A=$NET.5 ATTACK_B=$NET.6 ATTACK_C=$NET.7
PER_IP=$((HALF + TRICKLE + 60))
# room for the legitimate connection, A's half-open and trickling ones, B's capped share and
# part of C's: the rest of C is refused by max_connections.
MAX=$((1 + HALF + TRICKLE + PER_IP + LATE / 2))

node_file tcp tls
lab_rules tcp
# The timeouts are short for CI; the full-size run raises them. Every attacker must be open at
# once for the caps to be reached, so opening them all must take less than the timeouts: about
# 1 s on a quiet machine, 6.7 s once in CI with four scenarios (two of them ASan builds) on two
# cores, hence 10 s and 12 s.
HS_TIMEOUT=${HS_TIMEOUT:-10} IDLE_TIMEOUT=${IDLE_TIMEOUT:-12} MSG_TIMEOUT=${MSG_TIMEOUT:-4}
sed -i "s/^max_forwards = 70$/max_forwards = 70\nhandshake_timeout = $HS_TIMEOUT\n\
idle_timeout = $IDLE_TIMEOUT\nmessage_timeout = $MSG_TIMEOUT\nmax_connections = $MAX\n\
max_connections_per_ip = $PER_IP/" "$T/sipfed.ini"
sed -i "s/^listen = .*/listen = tcp:$PROXY_IP:$PROXY_PORT, tls:$PROXY_IP:5061/" "$T/sipfed.ini"
start_sipfed

uas_xml "$T/uas.xml" MESSAGE 200
# (its own timeout covers the whole run: at full size the legitimate peer sends for 30 s)
sipp_server imp "$T/uas.xml" tcp "$IMP_IP" "$IMP_PORT" -m "$CALLS" -timeout 150s
uac_xml "$T/uac.xml" MESSAGE sip:alice@ciscoexample.test 200
# The legitimate peer: one TCP connection, RATE MESSAGE/s (started first: it holds its connection
# before any cap is reached).
timeout 120 sipp -sf "$T/uac.xml" -t t1 -i "$MS_IP" -p "$UAC_PORT" -nostdin -m "$CALLS" \
    -r "$RATE" -timeout 100s -timeout_error -key from_domain msexample.test -key max_forwards 70 \
    -trace_err -error_file "$T/legit.err" -trace_stat -stf "$T/legit.csv" \
    "$PROXY_IP:$PROXY_PORT" >"$T/legit.out" 2>&1 &
LEGIT=$!
PIDS+=("$LEGIT")
wait_log "method=MESSAGE alias=alice@ciscoexample.test .*status=200" 20

timeout 60 python3 "$ROOT/tests/acceptance/slowclients.py" --proxy "$PROXY_IP" --tls-port 5061 \
    --tcp-port "$PROXY_PORT" --half "$ATTACK_A:$HALF" --trickle "$ATTACK_A:$TRICKLE" --trickle-interval "$TRICKLE_INTERVAL" \
    --silent "$ATTACK_B:$((PER_IP + 20))" --silent "$ATTACK_C:$LATE" --deadline 45 \
    --refused-within 1.0 >"$T/attack.out" 2>&1 || fail "slowclients.py failed: $(tail -3 "$T/attack.out")"
cat "$T/attack.out" >&2

grep -q "connect_failed=[1-9]" "$T/attack.out" && fail "attack connections failed to connect"
opening=$(sed -n 's/^phase=open seconds=//p' "$T/attack.out")
awk -v o="$opening" -v h="$HS_TIMEOUT" -v i="$IDLE_TIMEOUT" 'BEGIN { exit !(o < h && o < i) }' ||
    fail "opening the attack took ${opening} s, not less than handshake_timeout $HS_TIMEOUT s and idle_timeout $IDLE_TIMEOUT s: raise HS_TIMEOUT/IDLE_TIMEOUT"
field() { sed -n "s/^group=$1 .*$2=\([-0-9.]*\).*/\1/p" "$T/attack.out"; }
[ "$(field half_open_tls opened)" -eq "$HALF" ] || fail "half-open connections not all opened"
[ "$(field half_open_tls open)" -eq 0 ] || fail "half-open TLS connections still open"
[ "$(field half_open_tls refused)" -eq 0 ] || fail "half-open TLS connections refused at accept"
[ "$(field trickle_tls open)" -eq 0 ] || fail "trickling TLS connections still open"
[ "$(field trickle_tls closed)" -eq "$TRICKLE" ] || fail "trickling TLS connections not all closed"
# message_timeout counts from the first byte of the message, sent right after the handshake:
# each trickler is cut MSG_TIMEOUT (+ the guard's 0.5 s sweeps) after it, not at
# handshake_timeout + message_timeout (as before); up to HS_TIMEOUT / 2 late for a loaded machine.
afb_min=$(field trickle_tls after_first_byte_min) afb_max=$(field trickle_tls after_first_byte_max)
awk -v lo="$afb_min" -v hi="$afb_max" -v m="$MSG_TIMEOUT" -v h="$HS_TIMEOUT" \
    'BEGIN { exit !(lo >= m - 0.5 && hi < m + h / 2) }' ||
    fail "trickling TLS cut ${afb_min}..${afb_max} s after their first byte, not message_timeout ($MSG_TIMEOUT s)"
[ "$(field "silent_tcp_$ATTACK_B" refused)" -eq 20 ] ||
    fail "expected 20 connections from $ATTACK_B refused by max_connections_per_ip"
[ "$(field "silent_tcp_$ATTACK_B" open)" -eq 0 ] || fail "silent TCP connections still open"
late_refused=$(field "silent_tcp_$ATTACK_C" refused)
[ "$late_refused" -ge 1 ] || fail "no connection refused by max_connections"
[ "$(field "silent_tcp_$ATTACK_C" open)" -eq 0 ] || fail "silent TCP connections still open"

expect_ok legit wait "$LEGIT"
ok=$(grep -c "status=200" "$T/sipfed.log")
[ "$ok" -ge "$CALLS" ] || fail "legitimate MESSAGEs: $ok of $CALLS answered 200"
grep -qE "alias=alice@ciscoexample.test .*status=(5|4)[0-9][0-9]" "$T/sipfed.log" &&
    fail "a legitimate MESSAGE failed"

# One start line and one end line per kind of episode, the end line with the count.
for l in handshake_timeout message_timeout idle_timeout max_connections_per_ip max_connections; do
    [ "$(log_count "event=limit_start limit=$l ")" -eq 1 ] || fail "expected one limit_start for $l"
done
wait_log "event=limit_end limit=handshake_timeout closed=$HALF " 20
wait_log "event=limit_end limit=message_timeout closed=$TRICKLE " 20
wait_log "event=limit_end limit=max_connections_per_ip refused=20 " 20
wait_log "event=limit_end limit=max_connections refused=$late_refused " 20
wait_log "event=limit_end limit=idle_timeout closed=$((PER_IP + LATE - late_refused)) " 20

rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SIPFED_PID/status")
peak=$(awk '/^VmHWM/ {print $2}' "/proc/$SIPFED_PID/status")
[ "$peak" -lt 200000 ] || fail "sipfed RSS peaked at ${peak} kB during the attack"
expect_ok imp sipp_wait imp
stop_all
pass "$CALLS legitimate MESSAGEs at $RATE/s, 0 failed; $HALF half-open TLS, $TRICKLE trickling, \
$((PER_IP + 20 + LATE)) silent TCP cut off or refused; RSS ${rss} kB (peak ${peak} kB); \
attack opened in ${opening} s; load $(cut -d' ' -f1-3 /proc/loadavg)"
