#!/usr/bin/env bash
# acceptance: alone (its RSS limit is measured under a flood; other scenarios beside it distort it)
# A flood: 2000 MESSAGEs over one TCP connection, 16 kB every 5 ms (sofia closes a stream whose
# queued bytes exceed max_message_size at once, docs/errors.md), toward a
# far side that reads and never answers. Every one must get a final answer (504 when its branch
# times out, or 503 + Retry-After when the proxy sheds load)
# within 40 s, the daemon's RSS stays
# sane, and a normal MESSAGE is routed afterwards.
. "$(dirname "$0")/lib.sh"

RAW=$ROOT/tests/acceptance/raw
SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"
N=2000

node_file tcp
lab_rules tcp
# This scenario measures the global overload control: the per-source rate limit (which would
# answer most of this one source's flood with 503 first, t_rate_limit.sh) is off.
sed -i 's/^max_forwards = 70$/max_forwards = 70\nrate_limit_per_ip = 0\nrate_limit_per_domain = 0/' "$T/sipfed.ini"
start_sipfed
# The Microsoft side (static route of msexample.test) is a black hole that reads.
$SIPRAW uas tcp "$MS_IP:$MS_PORT" "$T/ms.req" --silent &
PIDS+=($!)
wait_until 10 port_open tcp "$MS_IP" "$MS_PORT" || fail "the black hole did not start"
# The IM&P side answers (for the MESSAGE afterwards).
$SIPRAW uas tcp "$IMP_IP:$IMP_PORT" "$T/imp.req" &
PIDS+=($!)
wait_until 10 port_open tcp "$IMP_IP" "$IMP_PORT" || fail "the IM&P stand-in did not start"

start=$(date +%s)
r=$(timeout 30 $SIPRAW flood tcp "$PROXY_IP:$PROXY_PORT" "$IMP_IP" "$N" "$RAW/message_out.sip" --wait 12 \
    --pace 5)
echo "  flood: $r"
case $r in "sent=589780/589780 "*) ;; *) fail "flood: not everything was sent: $r";; esac
# What reaches the client: 503 + Retry-After (load shed: sipfed's own overload) and 504 for a
# MESSAGE whose branch timed out (never 408: nta withholds a local 408 to a non-INVITE per
# RFC 4320, and the client would hear nothing; docs/errors.md). The last 504s may come after the
# client stopped listening; every MESSAGE is accounted for in the log.
n503=$(echo "$r" | grep -oE ' 503=[0-9]+' | cut -d= -f2); n503=${n503:-0}
ra=$(echo "$r" | grep -oE 'retry_after=[0-9]+' | cut -d= -f2)
other=$(echo "$r" | tr ' ' '\n' | grep -E '^[0-9]{3}=' | grep -vE '^50[34]=' || true)
[ -z "$other" ] || fail "flood: unexpected answers $other"
[ "$ra" = "$n503" ] || fail "flood: $n503 503s but $ra with Retry-After"
# Forwarded MESSAGEs each get their route line (504 after the branch timed out). Requests shed
# by the overload control are refused before a transaction exists and are counted, not logged
# one by one (a log line per refusal would itself be a flood): the episode's overload_end line,
# written when the next request finds the proxy below its limit, carries the count.
n_fwd=$((N - n503))
all_logged() { [ "$(log_count 'call_id=fl-[0-9]+@')" -ge "$n_fwd" ]; }
wait_until 30 all_logged || fail "flood: $(log_count 'call_id=fl-[0-9]+@') of $n_fwd forwarded MESSAGEs logged"
n504=$(log_count 'status=504 call_id=fl-')
[ "$n504" -eq "$n_fwd" ] || fail "flood: log has $n504 x 504 for $n_fwd forwarded MESSAGEs"
if [ "$n503" -gt 0 ]; then
    [ "$(log_count 'event=overload_start')" -ge 1 ] || fail "flood: $n503 shed but no overload_start line"
fi
[ $(( $(date +%s) - start )) -le 40 ] || fail "flood took longer than 40 s"
kill -0 "$SIPFED_PID" 2>/dev/null || fail "sipfed died under the flood"
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$SIPFED_PID/status")
limit=150000
case $SIPFED in *asan*) limit=600000;; esac
[ "$rss" -le "$limit" ] || fail "RSS $rss kB after the flood (limit $limit kB)"
echo "  rss after the flood: $rss kB"

got=$($SIPRAW send tcp "$PROXY_IP:$PROXY_PORT" "$MS_IP" "$RAW/message.sip" --wait 5 | tr -d '\r' | head -1)
[ "$got" = "SIP/2.0 200 Answer" ] || fail "after the flood a normal MESSAGE got '$got'"
if [ "$n503" -gt 0 ]; then
    ended() { grep -qE "event=overload_end refused=$n503\b" "$T/sipfed.log"; }
    wait_until 5 ended || fail "flood: no 'overload_end refused=$n503' line for the $n503 shed MESSAGEs"
fi
pass "$N MESSAGEs to a black hole: $n503 shed with 503 + Retry-After, $n504 timed out (504), RSS $rss kB"
