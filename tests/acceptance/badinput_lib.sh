# badinput_lib.sh — the bad-input scenarios' helpers (t_badinput_udp.sh, t_badinput_tcp.sh;
# sourced after lib.sh): every raw message of tests/acceptance/raw/ is sent with sipraw.py; each
# case asserts the exact answer (or that none is due), the log line that records it, and that
# the proxy still routes a normal MESSAGE afterwards. Timeouts are shortened in the node file
# (message_timeout 2 s, idle_timeout 3 s). The cases common to UDP and TCP are one function, so
# the two transports run as two scenarios side by side.
RAW=$ROOT/tests/acceptance/raw
SIPRAW="python3 $ROOT/tests/acceptance/sipraw.py"
TLS_PORT=5061

# send TP FILE [sipraw args]: the first line of every response, space-joined ("" for none).
send() {
    local tp=$1 file=$2; shift 2
    local port=$PROXY_PORT
    [ "$tp" = tls ] && port=$TLS_PORT
    timeout 20 $SIPRAW send "$tp" "$PROXY_IP:$port" "$MS_IP" "$RAW/$file" "$@" 2>>"$T/sipraw.err" \
        | tr -d '\r' | grep -E '^SIP/2.0|^connection closed' | tr '\n' ' ' | sed 's/ $//'
}

# routes_ok TP: a normal MESSAGE still gets the far side's 200.
routes_ok() {
    local got
    got=$(send "$1" message.sip --wait 10)
    [ "$got" = "SIP/2.0 200 Answer" ] || fail "after the last case a normal MESSAGE over $1 got '$got'"
}

# case_is NAME TP FILE EXPECT LOG_REGEX [sipraw args]: EXPECT is the exact response line (or
# "none"); LOG_REGEX must match one more log line than before the case ("-": sofia closes the
# stream without a word we can catch, see docs/errors.md).
case_is() {
    local name=$1 tp=$2 file=$3 expect=$4 re=$5; shift 5
    local before got
    before=$(log_count "$re")
    got=$(send "$tp" "$file" --wait 10 "$@")
    [ -n "$got" ] || got=none
    [ "$got" = "$expect" ] || fail "$name over $tp: got '$got', expected '$expect'"
    [ "$re" = - ] || wait_until 5 sh -c "[ \$(grep -cE -- '$re' '$T/sipfed.log') -gt $before ]" ||
        fail "$name over $tp: no new log line matching /$re/"
    kill -0 "$SIPFED_PID" 2>/dev/null || fail "$name over $tp: sipfed died"
    routes_ok "$tp"
}

# unreadable_case NAME TP FILE: a message nobody can read: no answer, no log line of its own (it
# may fall in an open episode), counted in sipfed_unreadable_messages_total; routing goes on.
unreadable_case() {
    local before
    before=$(metric sipfed_unreadable_messages_total)
    case_is "$1" "$2" "$3" none - --wait 0.5
    metric_is sipfed_unreadable_messages_total $((before + 1))
    ! log_has "event=dropped src=" || fail "$1 over $2: a warn line of its own (event=dropped)"
}

# badinput_start: the proxy (UDP, TCP and TLS listeners) and a UDP IM&P stand-in logging what
# it receives to $T/imp.req.
badinput_start() {
    node_file udp tcp
    sed -i "s|^listen = .*|&, tls:$PROXY_IP:$TLS_PORT|; s|^max_forwards = .*|&\nmax_message_size = 16384\nidle_timeout = 3\nmessage_timeout = 2|" \
        "$T/sipfed.ini"
    admin_on
    lab_rules udp
    start_sipfed
    $SIPRAW uas udp "$IMP_IP:$IMP_PORT" "$T/imp.req" &
    PIDS+=($!)
    wait_until 10 port_open udp "$IMP_IP" "$IMP_PORT" || fail "the IM&P stand-in did not start"
}

# badinput_common_cases TP: the cases every transport must answer the same way.
badinput_common_cases() {
    local tp=$1 h m v a
    local S="event=bad-request .*failed sanity check" src="src=$MS_IP:[0-9]+/$1"
    routes_ok "$tp"
    # Not SIP at all: nothing to answer (no Via); a stream is closed.
    if [ "$tp" = udp ]; then
        case_is garbage udp garbage.sip none 'event=bad-request request="GET / HTTP/1.1' --wait 0.5
    else
        case_is garbage tcp garbage.sip "connection closed by the proxy" - --wait 0.5
    fi
    # CRLF keep-alives in the same write or datagram as the request after them (RFC 5626
    # §4.4.1; RFC 3261 §7.5: ignored before a start-line): routed. sofia 1.12 with the agent's
    # MSG_DO_EXTRACT_COPY parsed the request line from before the CRLFs and dropped the request
    # as garbage (sip_mclass.c repairs it); on a stream it then closed the connection.
    case_is crlf_before "$tp" message.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200' --lead 2
    # A Request-URI sofia cannot parse (no host, unterminated IPv6 literal): the rest of the
    # request is read (sip_mclass.c), so the sender gets 400 through its Via, and the log names
    # the sender's own address and port.
    case_is ruri_nohost "$tp" ruri_nohost.sip "SIP/2.0 400 Bad Request-URI" \
        "method=MESSAGE $src status=400 request=\"MESSAGE sip:alice@ SIP/2.0\" reason=\"Request-URI does not parse\""
    case_is ruri_ipv6_bad "$tp" ruri_ipv6_bad.sip "SIP/2.0 400 Bad Request-URI" \
        "$src status=400 request=\"MESSAGE sip:alice@\[::1 SIP/2.0\""
    # Token methods sofia's own parser refuses (SERVICE is shorter than SUBSCRIBE; + is a token
    # character) are read as unknown methods and forwarded like any other (RFC 3261 §16.6),
    # their request line and CSeq as they came.
    case_is method_service "$tp" method_service.sip "SIP/2.0 200 Answer" 'method=SERVICE .*status=200'
    grep -qa "^SERVICE sip:alice@ciscoexample.test SIP/2.0" "$T/imp.req" &&
        grep -qa "^CSeq: 0007 SERVICE" "$T/imp.req" || fail "SERVICE not forwarded as it came"
    case_is method_plus "$tp" method_plus.sip "SIP/2.0 200 Answer" 'method=A\+B .*status=200'
    # A first line that is no request line at all (the method not a token, two words): nothing
    # can be answered. Each is counted; the log has one line per episode (the first sender, its
    # reason and line: t_badinput_udp.sh), not one per message. sofia stops reading such a
    # stream; idle_timeout closes it (t_badinput_tcp.sh).
    unreadable_case method_notoken "$tp" method_notoken.sip
    unreadable_case firstline_two "$tp" firstline_two.sip
    case_is badversion "$tp" badversion.sip "SIP/2.0 505 Version Not Supported" \
        'event=refused status=505 .*SIP/3.0'
    case_is no_via "$tp" no_via.sip "$( [ "$tp" = tcp ] && echo "connection closed by the proxy" || echo none)" "$S" --wait 0.5
    for h in from to callid cseq; do
        case_is "no_$h" "$tp" "no_$h.sip" "SIP/2.0 400 Bad Request" 'event=refused status=400 .*reason="Bad Request"'
    done
    case_is cseq_mismatch "$tp" cseq_mismatch.sip "SIP/2.0 400 Bad Request" "$S"
    case_is no_max_forwards "$tp" no_mf.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200'
    grep -qa "^Max-Forwards: 69" "$T/imp.req" || fail "no Max-Forwards inserted"
    case_is mf0 "$tp" mf0.sip "SIP/2.0 483 Too Many Hops" 'status=483 .*reason="Max-Forwards 0"'
    case_is mf1 "$tp" mf1.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200'
    grep -qa "^Max-Forwards: 0" "$T/imp.req" || fail "Max-Forwards 1 was not forwarded as 0"
    for v in neg text; do
        case_is "mf_$v" "$tp" "mf_$v.sip" "SIP/2.0 400 Bad Max-Forwards Header" \
            'status=400 .*reason="malformed Max-Forwards"'
    done
    case_is mf_huge "$tp" mf_huge.sip "SIP/2.0 400 Bad Max-Forwards Header" 'reason="malformed Max-Forwards"'
    case_is ruri_tel "$tp" ruri_tel.sip "SIP/2.0 416 Unsupported URI Scheme" \
        'status=416 .*reason="unsupported Request-URI scheme"'
    case_is ruri_http "$tp" ruri_http.sip "SIP/2.0 416 Unsupported URI Scheme" 'status=416'
    case_is ruri_ipv6 "$tp" ruri_ipv6.sip "SIP/2.0 404 Not Found" 'alias=alice@\[::1\]:5060 .*status=404'
    case_is ruri_longuser "$tp" ruri_longuser.sip "SIP/2.0 200 Answer" 'alias=u{200,}'
    # Larger than max_message_size (a body of 20000 bytes): 513 (RFC 3261 §21.5.9).
    case_is oversize "$tp" oversize.sip "SIP/2.0 513 Message Too Large" \
        'status=513 .*larger than max_message_size'
    case_is many_headers "$tp" many_headers.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200'
    grep -qa "^X1199: 1199" "$T/imp.req" || fail "1200 headers not forwarded"
    case_is binary_header "$tp" binary_header.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200'
    case_is nul_body "$tp" nul_body.sip "SIP/2.0 200 Answer" 'method=MESSAGE .*status=200'
    case_is route_self "$tp" route_self_loop.sip "SIP/2.0 200 Answer" 'rule="Inbound to IM&P" .*status=200'
    case_is route_unroutable "$tp" route_unroutable.sip "SIP/2.0 404 Not Found" \
        'rule="route" .*status=404 .*failed="route: 404 no_address"'
    case_is indialog_nomatch "$tp" indialog_nomatch.sip "SIP/2.0 404 Not Found" \
        'alias=alice@imp-gone.ciscoexample.test .*status=404 .*reason="no search rule matched"'
    case_is stray_200 "$tp" stray_200.sip none 'event=stray-response status=200 cseq="MESSAGE"' --wait 0.5
    case_is stray_487 "$tp" stray_487.sip none 'event=stray-response status=487 cseq="INVITE"' --wait 0.5
    # A stray 2xx to INVITE under our own Via is relayed along the next Via (RFC 3261 §16.7),
    # but never to a multicast group or a broadcast address: a forged Via must not make the
    # proxy a reflector (issue 11).
    for a in 224.0.1.75 255.255.255.255; do
        case_is "stray_to_$a" "$tp" stray_multicast.sip none \
            'event=stray-response status=200 cseq="INVITE" .*multicast or broadcast address: dropped' \
            -D NEXT=$a --wait 0.5
    done
    # Headers in the Request-URI (RFC 3261 §19.1.5) are refused, never passed on.
    case_is ruri_headers "$tp" ruri_headers.sip "SIP/2.0 400 Bad Request-URI: Headers Not Allowed" \
        'status=400 .*reason="Request-URI with headers"'
    case_is cancel_unknown "$tp" cancel_unknown.sip "SIP/2.0 481 Call/Transaction Does Not Exist" \
        'event=refused status=481 request="CANCEL'
    for m in SUBSCRIBE NOTIFY; do
        case_is "presence_$m" "$tp" "presence_bad_$m.sip" "SIP/2.0 200 Answer" "method=$m .*status=200"
    done
    case_is presence_BENOTIFY "$tp" presence_bad_BENOTIFY.sip none 'method=BENOTIFY .*stateless=yes' --wait 0.5
    # A header that may appear once, given twice: sofia's encoder aborted the proxy on the copy
    # it forwards (found by tests/fuzz/fuzz_request.c): 400 naming it; an ACK is dropped.
    for h in ua:User-Agent mf:Max-Forwards date:Date; do
        case_is "dup_${h%%:*}" "$tp" "dup_${h%%:*}.sip" "SIP/2.0 400 Duplicate ${h#*:} Header" \
            "method=MESSAGE status=400 reason=\"the ${h#*:} header given twice\""
    done
    case_is dup_ua_ack "$tp" dup_ua_ack.sip none \
        'method=ACK status=dropped reason="the User-Agent header given twice"' --wait 0.5
}

# badinput_presence_bodies_checked N: the N broken presence documents went through unchanged,
# and the log says why the state is unknown.
badinput_presence_bodies_checked() {
    local n
    n=$(grep -ac '<unclosed' "$T/imp.req")
    [ "$n" -eq "$1" ] || fail "malformed presence bodies forwarded: $n of $1 unchanged"
    wait_log 'module=presence .*state=unknown method=NOTIFY error="malformed XML'
    wait_log 'module=presence .*state=unknown method=BENOTIFY error="malformed XML'
}
