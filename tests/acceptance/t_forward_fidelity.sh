#!/usr/bin/env bash
# What is forwarded (RFC 3261 §16.6, docs/forwarding.md): a request with unusual-but-legal and
# with malformed header values is sent over UDP and TCP through the proxy to a raw far side
# (sipraw.py uas), and the forwarded copy is compared line by line with what was sent. The only
# differences allowed are the proxy's own: one Via added on top, the sender's Via completed with
# rport (RFC 3581), Max-Forwards decremented, the Record-Route entry added. Every other line (request line, header names, compact forms,
# folding, escapes, order, repeated and unknown headers, values sofia cannot parse, body) must
# arrive byte for byte as sent; so must the headers of the response relayed back.
. "$(dirname "$0")/lib.sh"

RAW=$ROOT/tests/acceptance/raw
SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"

# forwarded_as_sent TP FILE: send FILE over TP to the IM&P side (always reached over UDP), expect the far side's 200, diff what arrived.
forwarded_as_sent() {
    local tp=$1 file=$2 name=${2%.sip} got unexpected via lport
    timeout 20 $SIPRAW send "$tp" "$PROXY_IP:$PROXY_PORT" "$MS_IP" "$RAW/$file" \
        --wait 5 --save "$T/$name.$tp.sent" 2>>"$T/sipraw.err" | tr -d '\r' > "$T/$name.$tp.answer"
    got=$(head -n 1 "$T/$name.$tp.answer")
    [ "$got" = "SIP/2.0 200 Answer" ] || fail "$name over $tp: got '$got', expected the far side's 200"
    # The far side echoes From, To, Call-ID and CSeq as it received them; the relayed response
    # carries them unchanged too.
    grep -aiE '^(from|f|to|t|call-id|i|cseq)[ \t]*:' "$T/$name.$tp.sent" | tr -d '\r' |
        sed -E '/^(to|t)[ \t]*:/I{/tag=/!s/$/;tag=uas/}' > "$T/$name.$tp.echo"
    grep -aiE '^(from|f|to|t|call-id|i|cseq)[ \t]*:' "$T/$name.$tp.answer" |
        cmp -s - "$T/$name.$tp.echo" || fail "$name over $tp: the response's From/To/Call-ID/CSeq changed:
$(grep -aiE '^(from|f|to|t|call-id|i|cseq)[ \t]*:' "$T/$name.$tp.answer")"
    $SIPRAW hdiff "$T/$name.$tp.sent" "$T/imp.req" > "$T/$name.$tp.diff" ||
        fail "$name over $tp: not forwarded ($(cat "$T/$name.$tp.diff"))"
    # The sender's Via as the proxy must pass it on: rport filled in (RFC 3581 §4), re-encoded.
    via=$(grep -m1 -aiE '^(via|v)[ \t]*:' "$T/$name.$tp.sent" | tr -d '\r')
    lport=$(echo "$via" | sed -E 's/^[^ ]+ [^ ]+ [^:]+:([0-9]+).*/\1/')
    # What the proxy may change, and nothing else.
    unexpected=$(grep -E '^[-+] ' "$T/$name.$tp.diff" | grep -vxF -e "- $via" \
                     -e "+ Via: $(echo "${via#*:}" | sed -E "s/^ *//; s/;rport(;|\$)/;rport=$lport\1/")" |
                 grep -vE \
        -e "^\+ Via: SIP/2.0/UDP edge.ciscoexample.test;branch=z9hG4bK[^ ]*\$" \
        -e '^- Max-Forwards: 70$' -e '^\+ Max-Forwards: 69$' \
        -e "^\+ Record-Route: <sip:edge.ciscoexample.test;transport=(udp|$tp);lr>\$")
    [ -z "$unexpected" ] || fail "$name over $tp: changed in transit:
$unexpected
(full comparison in $T/$name.$tp.diff)"
    # Our Via is the first header, and there is exactly one of each change.
    [ "$(grep -m1 -E '^[-+ ] ' "$T/$name.$tp.diff" | cut -c3-)" = \
      "$(head -n 1 "$T/$name.$tp.sent" | tr -d '\r')" ] || fail "$name over $tp: request line changed"
    sed -n 2p "$T/$name.$tp.diff" | grep -q "^+ Via: " || fail "$name over $tp: our Via is not on top"
    # Two Vias and Max-Forwards, and one Record-Route per side (two from TCP to UDP, RFC 5658).
    [ "$(grep -c '^+ ' "$T/$name.$tp.diff")" -eq "$([ "$tp" = udp ] && echo 4 || echo 5)" ] ||
        fail "$name over $tp: expected exactly the Vias, Max-Forwards and Record-Route to change"
}

node_file udp tcp
lab_rules udp
start_sipfed
$SIPRAW uas udp "$IMP_IP:$IMP_PORT" "$T/imp.req" &
PIDS+=($!)
wait_until 10 port_open udp "$IMP_IP" "$IMP_PORT" || fail "the IM&P stand-in did not start"

for tp in udp tcp; do
    forwarded_as_sent "$tp" fwd_legal.sip
    forwarded_as_sent "$tp" fwd_malformed.sip
done
pass "unusual and malformed headers forwarded as they came over udp and tcp"
