#!/usr/bin/env bash
# acceptance: ~250 s
# Hostile and broken input over TCP and TLS (docs/errors.md): the cases common to every
# transport (badinput_lib.sh), then the stream-only ones: a 20000-byte header line, messages
# that never complete, an idle connection, a stream whose first line nobody can read, a peer
# closing mid-message, and a broken request over TLS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/badinput_lib.sh"

badinput_start
badinput_common_cases tcp
# The first lines nobody could read (counted one by one above) were logged as an episode naming
# their sender.
wait_log "event=unreadable_start src=$MS_IP:[0-9]+/tcp reason="
# A 20000-byte header line: the message exceeds max_message_size; it is read whole (the stream
# read limit is far above it) and answered 513, and the connection stays usable.
case_is huge_header tcp huge_header.sip "SIP/2.0 513 Message Too Large" \
    'status=513 .*larger than max_message_size'
# On a stream, a message that never completes (Content-Length beyond the body, a header cut in
# the middle, a NUL byte that stops sofia's parser) is answered 400 after message_timeout and
# the connection closed, instead of being held for ever. Run side by side (one timeout).
for c in "cl_larger message.sip --cl 500" "truncated truncated.sip" "nul_header nul_header.sip"; do
    set -- $c
    ( send tcp "$2" --wait 6 "${@:3}" > "$T/stall.$1" ) &
done
stalled_answered() { [ "$(cat "$T"/stall.* 2>/dev/null | grep -o 'SIP/2.0 400' | wc -l)" -ge 3 ]; }
wait_until 20 stalled_answered || fail "stalled TCP messages: $(cat "$T"/stall.*) (expected three 400s)"
routes_ok tcp
# A connection that sent a request and then stays silent is closed after idle_timeout.
r=$(timeout 10 $SIPRAW idle tcp "$PROXY_IP:$PROXY_PORT" "$MS_IP" 8 --after "$RAW/message.sip")
case $r in "closed after "[2-4].*) ;; *) fail "an idle TCP connection: '$r' (expected closed after ~3 s)";; esac
# A stream whose first line nobody can read is no longer read by sofia, and closed when idle.
r=$(send tcp firstline_two.sip --wait 10)
[ "$r" = "connection closed by the proxy" ] || fail "an unreadable stream: '$r' (expected closed after idle_timeout)"
# A peer that closes in the middle of a message: nothing to answer, the proxy goes on.
send tcp message.sip --split 60 >/dev/null
routes_ok tcp
# TLS: the same broken request over TLS gets the same 400, a normal one is routed.
case_is no_to_tls tls no_to.sip "SIP/2.0 400 Bad Request" 'event=refused status=400 .*reason="Bad Request"'
routes_ok tls
badinput_presence_bodies_checked 3

pass "bad input over tcp and tls: exact answers, log lines, routing afterwards"
