#!/usr/bin/env bash
# acceptance: ~250 s
# Hostile and broken input over UDP (docs/errors.md): the cases common to every transport
# (badinput_lib.sh), then the datagram-only ones: a truncated datagram, a Content-Length beyond
# the datagram, a NUL byte in a header — each answered 400 at once (a datagram cannot be
# "still arriving"); datagrams in which no SIP line can be read (no line end, a TLS record sent
# to the UDP port) are one warn line per episode naming the sender, and counted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/badinput_lib.sh"

badinput_start
# Unreadable datagrams: dropped (nothing to answer), but an admin sees them: one
# unreadable_start line with the sender's own port (nta's line names ours), and a counter.
case_is noeol udp noeol.sip none "event=unreadable_start src=$MS_IP:[0-9]+/udp reason=" --wait 0.5
port=$(sed -n "s|.*event=unreadable_start src=$MS_IP:\([0-9]*\)/udp.*|\1|p" "$T/sipfed.log" | head -n1)
[ "$port" != "$PROXY_PORT" ] || fail "the unreadable datagram's line names the proxy's port, not the sender's"
case_is tls_record udp tls_record.sip none - --wait 0.5
[ "$(log_count 'event=unreadable_start')" -eq 1 ] ||
    fail "a second unreadable datagram in the same episode was logged again"
# a CRLF keep-alive datagram is no unreadable message
case_is crlf_keepalive udp crlf_only.sip none - --wait 0.5
metric_is sipfed_unreadable_messages_total 2
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
