#!/usr/bin/env bash
# acceptance: ~250 s
# Hostile and broken input over UDP (docs/errors.md): the cases common to every transport
# (badinput_lib.sh), then the datagram-only ones: a truncated datagram, a Content-Length beyond
# the datagram, a NUL byte in a header — each answered 400 at once (a datagram cannot be
# "still arriving"); datagrams in which no SIP line can be read (a first line that is none, no
# line end, a TLS record sent to the UDP port) are one warn line per episode naming the sender,
# and counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/badinput_lib.sh"

badinput_start
# One sender, 50 datagrams whose first line nobody can read (the method is no token): nothing to
# answer, and the log must not grow with them: one warn line for the episode, naming the
# sender's own port (nta's line names ours), why and the line; each one's detail is at debug
# level only. All 50 are counted, and the proxy still routes.
lines=$(wc -l < "$T/sipfed.log")
got=$(send udp method_notoken.sip --times 50 --wait 0.5)
[ -z "$got" ] || fail "an unreadable first line was answered: '$got'"
metric_is sipfed_unreadable_messages_total 50
added=$(( $(wc -l < "$T/sipfed.log") - lines ))
[ "$added" -le 2 ] || fail "50 unreadable first lines from one sender wrote $added log lines"
[ "$(log_count "event=unreadable_start src=$MS_IP:[0-9]+/udp reason=\"the method is not a token .* request=\"M@SSAGE sip:alice@ciscoexample.test SIP/2.0\"")" -eq 1 ] ||
    fail "no single episode line naming the sender, the reason and the line: $(grep -a unreadable_start "$T/sipfed.log")"
port=$(sed -n "s|.*event=unreadable_start src=$MS_IP:\([0-9]*\)/udp.*|\1|p" "$T/sipfed.log" | head -n1)
[ "$port" != "$PROXY_PORT" ] || fail "the unreadable datagram's line names the proxy's port, not the sender's"
# Another sender in the episode is named too, once (or starts the next episode); an episode
# names at most 8 sender addresses (UNREADABLE_SENDERS_MAX), the others' messages are counted
# (here 10 more senders at once; the end line says senders=K unnamed_dropped=M).
$SIPRAW send udp "$PROXY_IP:$PROXY_PORT" "$IMP_IP" "$RAW/method_notoken.sip" --wait 0.2 >/dev/null
wait_log "event=unreadable_(start|sender) src=$IMP_IP:[0-9]+/udp reason=\"the method is not a token"
senders=()
for i in $(seq 20 29); do
    $SIPRAW send udp "$PROXY_IP:$PROXY_PORT" "127.0.0.$i" "$RAW/method_notoken.sip" --wait 0.2 >/dev/null &
    senders+=($!)
done
wait "${senders[@]}"
metric_is sipfed_unreadable_messages_total 61
awk '/event=unreadable_start/ { n = 1 } /event=unreadable_sender/ { if (++n > 8) bad = 1 } END { exit bad }' \
    "$T/sipfed.log" || fail "an unreadable episode named more than 8 senders"
routes_ok udp
# Datagrams with no SIP line at all (no line end, a TLS record on the UDP port) are counted the
# same way; a CRLF keep-alive datagram is no unreadable message.
unreadable_case noeol udp noeol.sip
unreadable_case tls_record udp tls_record.sip
case_is crlf_keepalive udp crlf_only.sip none - --wait 0.5
metric_is sipfed_unreadable_messages_total 63
badinput_common_cases udp
case_is truncated udp truncated.sip "SIP/2.0 400 Bad To Header" 'event=refused status=400 .*Bad To Header'
case_is cl_larger udp message.sip "SIP/2.0 400 Bad Request" 'event=refused status=400' --cl 500
case_is nul_header udp nul_header.sip "SIP/2.0 400 Bad Request" 'event=refused status=400'
badinput_presence_bodies_checked 3
# Every episode ends with a line counting its datagrams; together they are the counter.
wait_until 30 sh -c "[ \$(grep -c 'event=unreadable_end' '$T/sipfed.log') -eq \$(grep -c 'event=unreadable_start' '$T/sipfed.log') ]" ||
    fail "an unreadable episode did not end"
dropped=$(sed -n 's/.*event=unreadable_end dropped=\([0-9]*\).*/\1/p' "$T/sipfed.log" | awk '{ n += $1 } END { print n + 0 }')
metric_is sipfed_unreadable_messages_total "$dropped"
promtool_check

pass "bad input over udp: exact answers, log lines, routing afterwards"
