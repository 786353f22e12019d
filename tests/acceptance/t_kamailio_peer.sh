#!/usr/bin/env bash
# acceptance: ~25 s
# Kamailio 5.6, a real third-party SIP proxy, as sipfed's peer over mutual TLS in both roles of
# a federation deployment (kamailio_lib.sh has the lab, tests/acceptance/kamailio/ the config):
#
#   IM&P UA (.12) -UDP- Kamailio "imp" (.2, TLS 5062, imp1.ciscoexample.test: neighbor zone IMP)
#     -mutual TLS- sipfed (.1, TLS 5061, edge.ciscoexample.test)
#     -mutual TLS- Kamailio "ms" (.3, TLS 5061, sip.msexample.test: the default zone in, the DNS
#                  zone's SRV target out) -UDP- Microsoft UA (.13)
#
# Both ways, checked at the far user agent: MESSAGE 200; SUBSCRIBE, NOTIFY, BENOTIFY and the
# un-SUBSCRIBE along the recorded route; an INVITE session whose ACK, in-dialog MESSAGEs and BYE
# follow the route set through all three proxies; error finals relayed back (486 with its
# hop-by-hop ACKs, 404); and a request with unusual-but-legal headers compared line by line at
# the far side, where only Via, Record-Route and Max-Forwards may differ (raw_fidelity).
# sipfed checks Kamailio's certificates (chain + imp1.ciscoexample.test for the IMP zone, the
# SRV target sip.msexample.test towards the edge, the From domain for authenticated=verified);
# each Kamailio checks sipfed's chain (tls module) and name (script, on every message).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/kamailio_lib.sh"

RAW=$ROOT/tests/acceptance/raw
SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"

kam_lab_up imp1 msedge

# received NAME METHOD: the first METHOD request sipp NAME received, header lines only.
received() {
    awk -v m="$2" '
        { sub(/\r$/, "") }
        /^-----------+ [0-9]+-[0-9]+-[0-9]+ / { state = 1; next }
        state == 1 { recv = ($0 ~ / message received /); state = 2; next }
        state == 2 && $0 == "" { state = 3; first = 1; next }
        state == 3 { if (first) { first = 0; if (!recv || index($0, m " ") != 1) { state = 0; next } }
                     if ($0 == "") exit
                     print }' "$T/$1.msg"
}

# route_set FROM: the Record-Route entries (ftag removed) a request from side FROM must carry
# at the far user agent, top first: the far Kamailio's two (RFC 5658: UDP inside, TLS towards
# sipfed), sipfed's one (TLS in and out), the near Kamailio's two.
route_set() {
    local imp="<sip:$IMP_IP;r2=on;lr> <sip:imp1.ciscoexample.test:$IMP_PORT;transport=tls;r2=on;lr>"
    local ms="<sip:$MS_IP;r2=on;lr> <sip:sip.msexample.test:$MS_PORT;transport=tls;r2=on;lr>"
    local edge="<sip:edge.ciscoexample.test;transport=tls;lr>"
    if [ "$1" = imp ]; then echo "$ms $edge ${imp#* } ${imp%% *}"
    else echo "$imp $edge ${ms#* } ${ms%% *}"; fi
}

# far_side_ok NAME METHOD FROM: what sipp NAME received as METHOD carries the whole route set
# and Max-Forwards 67 (three proxies).
far_side_ok() {
    local got
    received "$1" "$2" > "$T/$1.$2.req"
    [ -s "$T/$1.$2.req" ] || fail "$1: no $2 received"
    got=$(sed -n 's/^Record-Route: //p' "$T/$1.$2.req" | sed 's/;ftag=[^;>]*//' | tr '\n' ' ')
    [ "${got% }" = "$(route_set "$3")" ] || fail "$1: $2 Record-Route set is '$got'"
    grep -qx "Max-Forwards: 67" "$T/$1.$2.req" || fail "$1: $2 $(grep -i '^Max-Forwards' "$T/$1.$2.req")"
}

# 1. MESSAGE both ways, 200 back at the sender.
uas_xml "$T/uas_message.xml" MESSAGE 200
kam_uas ms_msg "$T/uas_message.xml" ms
kam_uac imp_msg "$SIPP_DIR/uac_message.xml" imp bob
sipp_done ms_msg
far_side_ok ms_msg MESSAGE imp
wait_log "method=MESSAGE alias=bob@msexample.test src=IMP auth=yes .*target=DNS next_hop=$MS_IP:$MS_PORT/tls status=200"
kam_uas imp_msg "$T/uas_message.xml" imp
kam_uac ms_msg "$SIPP_DIR/uac_message.xml" ms alice
sipp_done imp_msg
far_side_ok imp_msg MESSAGE ms
wait_log "method=MESSAGE alias=alice@ciscoexample.test src=default auth=yes .*target=IMP next_hop=$IMP_IP:$IMP_PORT/tls status=200"
kam_log_has imp "kam-tls peer-ok method=MESSAGE" || fail "Kamailio imp did not verify sipfed"
kam_log_has ms "kam-tls peer-ok method=MESSAGE" || fail "Kamailio ms did not verify sipfed"

# in_msg FILE OUT: a copy of a sipp scenario whose Record-Route check looks for sipfed's entry
# anywhere in the message (Kamailio's entries come first).
in_msg() { sed 's|search_in="hdr" header="Record-Route:"|search_in="msg"|' "$1" > "$2"; }

# 2. Presence both ways: SUBSCRIBE 200, NOTIFY and BENOTIFY back along the recorded route, the
# un-SUBSCRIBE to the notifier's Contact and its final NOTIFY.
in_msg "$SIPP_DIR/uas_subscribe.xml" "$T/uas_subscribe.xml"
for from in imp ms; do
    to=ms user=bob; [ $from = ms ] && to=imp user=alice
    kam_uas "${to}_ntf" "$T/uas_subscribe.xml" $to -s $user
    kam_uac "${from}_wat" "$SIPP_DIR/uac_subscribe.xml" $from $user
    sipp_done "${to}_ntf"
    far_side_ok "${to}_ntf" SUBSCRIBE $from
    [ "$(msg_count "${from}_wat" '^BENOTIFY ')" -eq 1 ] || fail "$from: the BENOTIFY did not reach the watcher"
done
wait_log "method=SUBSCRIBE alias=bob@msexample.test src=IMP auth=yes .*target=DNS .*status=200"
wait_log "method=SUBSCRIBE alias=alice@ciscoexample.test src=default auth=yes .*target=IMP .*status=200"
wait_log "method=NOTIFY .*target=route next_hop=$IMP_IP:$IMP_PORT/tls status=200"
wait_log "method=NOTIFY .*target=route next_hop=$MS_IP:$MS_PORT/tls status=200"
! log_has "method=BENOTIFY .*status=[0-9]" || fail "a BENOTIFY got a status"
# in-dialog requests follow Kamailio's Record-Route names, resolved through DNS (and, over TLS,
# sent only on a connection whose certificate proved that name: docs/tls.md)
wait_log "module=dns event=next_hop domain=imp1.ciscoexample.test status=0 reason=a_record"
wait_log "module=dns event=next_hop domain=sip.msexample.test status=0 reason=a_record"

# 3. INVITE sessions with Record-Route: IM&P -> Microsoft with a MESSAGE each way in the
# dialog, Microsoft -> IM&P plain; ACK and BYE along the route set through all three proxies.
in_msg "$SIPP_DIR/uas_session.xml" "$T/uas_session.xml"
kam_uas ms_ses "$T/uas_session.xml" ms -s bob
kam_uac imp_ses "$SIPP_DIR/uac_session.xml" imp bob
sipp_done ms_ses
far_side_ok ms_ses INVITE imp
kam_uas imp_inv "$SIPP_DIR/uas_invite_200.xml" imp
kam_uac ms_inv "$SIPP_DIR/uac_invite.xml" ms alice
sipp_done imp_inv
far_side_ok imp_inv INVITE ms
for ua in ms_ses imp_inv; do
    for m in ACK BYE; do
        received $ua $m | grep -qi '^Route:' && fail "$ua: $m still carries a Route"
        received $ua $m | grep -q "^$m sip:" || fail "$ua: no $m"
    done
done
wait_log "method=BYE .*rule=\"route\" target=route next_hop=$MS_IP:$MS_PORT/tls status=200"
wait_log "method=BYE .*rule=\"route\" target=route next_hop=$IMP_IP:$IMP_PORT/tls status=200"

# 4. Error finals relayed back: 486 to an INVITE (each hop ACKs it), 404 to a MESSAGE.
kam_uas ms_busy "$SIPP_DIR/uas_invite_busy.xml" ms
kam_uac imp_busy "$SIPP_DIR/uac_invite_busy.xml" imp bob
sipp_done ms_busy
wait_log "method=INVITE alias=bob@msexample.test src=IMP .*status=486"
uas_xml "$T/uas_404.xml" MESSAGE 404
uac_xml "$T/uac_404.xml" MESSAGE "sip:nobody@ciscoexample.test" 404
kam_uas imp_404 "$T/uas_404.xml" imp
kam_uac ms_404 "$T/uac_404.xml" ms nobody -key max_forwards 70
sipp_done imp_404
wait_log "method=MESSAGE alias=nobody@ciscoexample.test src=default .*status=404"

# 5. Header fidelity through the whole chain (docs/forwarding.md): t_forward_fidelity's request
# with unusual-but-legal headers (compact forms, a From without angle brackets, escapes,
# CSeq 0009, folding, repeated and unknown headers, an earlier hop's Via and Record-Route)
# is sent by a raw client to one side's Kamailio and compared line by line at a raw receiver
# behind the other. Allowed, and required, exactly: the three proxies' Vias on top (sipfed
# re-encodes the near Kamailio's, adding received and rport), the sender's Via completed with
# received and rport by the near Kamailio (RFC 3581), Max-Forwards 70 -> 67, the five
# Record-Route entries. Everything else — Content-Length included — arrives byte for byte, in
# order; the response comes back with the sender's Vias, From, To, Call-ID and CSeq unchanged.
raw_fidelity() {
    # near: the sender's Kamailio (address, TLS name and port); fkam: the far one's address
    local from=$1 to=ms sent diff ua kam nkam nfqdn nport fkam via via_k lport unexpected
    [ "$from" = ms ] && to=imp
    read -r ua kam _ _ <<< "$(side_of "$from")"
    if [ "$from" = ms ]; then
        nfqdn=sip.msexample.test nport=$MS_PORT nkam=$MS_IP fkam=$IMP_IP
        cp "$RAW/fwd_legal.sip" "$T/legal.$from.sip"
    else
        nfqdn=imp1.ciscoexample.test nport=$IMP_PORT nkam=$IMP_IP fkam=$MS_IP
        # the same request from the IM&P side: the two domains swapped
        sed -e 's/ciscoexample\.test/@C@/g; s/msexample\.test/ciscoexample.test/g' \
            -e 's/@C@/msexample.test/g' "$RAW/fwd_legal.sip" > "$T/legal.$from.sip"
    fi
    sent=$T/legal.$from.sent diff=$T/legal.$from.diff
    timeout 20 $SIPRAW send udp "$kam:$KAM_INSIDE" "$ua" "$T/legal.$from.sip" --wait 10 \
        --save "$sent" 2>>"$T/sipraw.err" | tr -d '\r' > "$T/legal.$from.answer"
    [ "$(head -n 1 "$T/legal.$from.answer")" = "SIP/2.0 200 Answer" ] ||
        fail "fidelity from $from: got '$(head -n 1 "$T/legal.$from.answer")', expected the far side's 200"
    $SIPRAW hdiff "$sent" "$T/$to.req" > "$diff" || fail "fidelity from $from: $(cat "$diff")"
    via=$(grep -m1 -aiE '^(via|v)[ \t]*:' "$sent" | tr -d '\r')
    lport=$(echo "$via" | sed -E 's/^[^ ]+ [^ ]+ [^:]+:([0-9]+).*/\1/')
    # The near Kamailio's edit of the sender's Via (RFC 3581 §4): received after the sent-by,
    # the rport value; the rest of the line as sent.
    via_k=$(echo "$via" | sed -E "s/^([^;]*);/\1;received=$ua;/; s/;rport(;|\$)/;rport=$lport\1/")
    unexpected=$(grep -E '^[-+] ' "$diff" | grep -vxF -e "- $via" -e "+ $via_k" \
                     -e '- Max-Forwards: 70' -e '+ Max-Forwards: 67' | grep -vxE \
        -e "\+ Via: SIP/2.0/UDP $fkam;branch=z9hG4bK[^; ]*(;i=[0-9a-f]+)?" \
        -e "\+ Via: SIP/2.0/TLS edge\.ciscoexample\.test;received=$PROXY_IP;branch=z9hG4bK[^; ]*" \
        -e "\+ Via: SIP/2.0/TLS $nfqdn:$nport;branch=z9hG4bK[^; ]*(;i=[0-9a-f]+)?;received=$nkam;rport=[0-9]+" \
        -e "\+ Record-Route: <sip:[^>]*>")
    [ -z "$unexpected" ] || fail "fidelity from $from: changed in transit:
$unexpected
(full comparison in $diff)"
    [ "$(grep -c '^+ Via: ' "$diff")" -eq 3 ] && [ "$(grep -cE '^\+ (v|Via): ' "$diff")" -eq 4 ] &&
        [ "$(grep -c '^+ Max-Forwards: 67$' "$diff")" -eq 1 ] ||
        fail "fidelity from $from: expected three Vias added, the sender's completed, Max-Forwards 67 (in $diff)"
    [ "$(sed -n 's/^+ Record-Route: //p' "$diff" | sed 's/;ftag=[^;>]*//' | tr '\n' ' ')" = \
      "$(route_set "$from") " ] || fail "fidelity from $from: Record-Route entries added: $(grep '^+ Record-Route' "$diff")"
    [ "$(head -n 1 "$diff")" = "  $(head -n 1 "$sent" | tr -d '\r')" ] ||
        fail "fidelity from $from: request line changed"
    # The response: the far side echoes the sender's Vias, From, To, Call-ID and CSeq as it got
    # them (To with its tag); all must reach the sender unchanged.
    { echo "$via_k"
      grep -aiE '^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:' "$sent" | tr -d '\r' | grep -vxF "$via" |
        sed -E '/^(to|t)[ \t]*:/I{/tag=/!s/$/;tag=uas/}'; } > "$T/legal.$from.echo"
    grep -aiE '^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:' "$T/legal.$from.answer" |
        cmp -s - "$T/legal.$from.echo" || fail "fidelity from $from: the response's Via/From/To/Call-ID/CSeq:
$(grep -aiE '^(via|v|from|f|to|t|call-id|i|cseq)[ \t]*:' "$T/legal.$from.answer")"
}
$SIPRAW uas udp "$IMP_UA:$UA_PORT" "$T/imp.req" &
PIDS+=($!)
$SIPRAW uas udp "$MS_UA:$UA_PORT" "$T/ms.req" &
PIDS+=($!)
wait_until 10 port_open udp "$IMP_UA" "$UA_PORT" && wait_until 10 port_open udp "$MS_UA" "$UA_PORT" ||
    fail "the raw receivers did not start"
raw_fidelity ms
raw_fidelity imp
kam_alive imp
kam_alive ms
pass "MESSAGE, presence, INVITE sessions, errors and header fidelity both ways"
