# kamailio_lib.sh — sourced (after lib.sh and tls_lib.sh) by t_kamailio_peer.sh and
# t_kamailio_tls.sh: Kamailio, a real third-party SIP proxy, as a mutual-TLS peer of sipfed.
# The configuration is tests/acceptance/kamailio/{peer,tls}.cfg.in, rendered per instance with
# this namespace's loopback addresses; every instance runs in the foreground (kamailio -DD -E)
# with its own runtime directory, under the scenario's control, stopped by PID with the
# scenario — never the packaged service.
#
# Kamailio resolves names with the C library (use_dns_cache=off): each instance runs in a mount
# namespace of its own where /etc/hosts names the lab hosts and /etc/resolv.conf points at
# loopback, so it resolves sipfed's Record-Route name (edge.ciscoexample.test) without
# touching the machine's files or network.

KAM_BIN=${KAM_BIN:-/usr/sbin/kamailio}
KAM_MPATH=${KAM_MPATH:-/usr/lib/x86_64-linux-gnu/kamailio/modules}
KAM_DIR=$ROOT/tests/acceptance/kamailio
[ -x "$KAM_BIN" ] && [ -e "$KAM_MPATH/tls.so" ] ||
    fail "kamailio and kamailio-tls-modules not installed (scripts/deps.sh test)"
[ "$(id -u)" -eq 0 ] || fail "needs root (Kamailio runs in a mount namespace of its own)"

# kam_hosts LINES: the /etc/hosts every Kamailio instance of the scenario sees.
kam_hosts() {
    printf '127.0.0.1 localhost\n%s\n' "$1" > "$T/kam-hosts"
    printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' > "$T/kam-resolv.conf"
}

# kam_start NAME IP TLS_PORT FQDN CERT INSIDE_PORT INSIDE SIPFED: start a Kamailio instance NAME
# on IP: UDP on INSIDE_PORT (its inside), mutual TLS on TLS_PORT advertised as FQDN with the lab
# certificate CERT; requests from the inside go to SIPFED (HOST:PORT, over TLS), requests from
# sipfed to INSIDE (HOST:PORT, UDP). Its log is $T/kam-NAME.log. kam_ready NAME waits for it, so
# several instances start side by side.
kam_start() {
    local name=$1 ip=$2 tport=$3 fqdn=$4 cert=$5 iport=$6 inside=$7 sipfed=$8
    local d=$T/kam-$name
    mkdir -p "$d/run"
    sed -e "s|@CERT@|$PKI/$cert.pem|; s|@KEY@|$PKI/$cert.key|; s|@CA@|$PKI/ca.pem|" \
        -e "s|@PEER_NAME@|edge.ciscoexample.test|" "$KAM_DIR/tls.cfg.in" > "$d/tls.cfg"
    sed -e "s|@IP@|$ip|g; s|@TLS_PORT@|$tport|g; s|@FQDN@|$fqdn|g; s|@INSIDE_PORT@|$iport|g" \
        -e "s|@INSIDE@|$inside|g; s|@SIPFED@|$sipfed|g; s|@DIR@|$d|g; s|@MPATH@|$KAM_MPATH|g" \
        -e "s|@PEER_NAME@|edge.ciscoexample.test|g" "$KAM_DIR/peer.cfg.in" > "$d/peer.cfg"
    unshare -m sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf &&
        shift 2 && exec "$@"' sh "$T/kam-hosts" "$T/kam-resolv.conf" \
        "$KAM_BIN" -f "$d/peer.cfg" -DD -E --atexit=no -m 64 -M 8 -Y "$d/run" -P "$d/run/kamailio.pid" \
        > "$T/kam-$name.log" 2>&1 &
    PIDS+=("$!")
    printf -v "KAM_PID_$name" %s "$!"
    printf -v "KAM_ADDR_$name" %s "$ip $tport $iport"
}

# kam_ready NAME: wait until Kamailio NAME listens on both sockets; fail with its errors (a
# configuration it refuses, a port taken) if it exits or does not.
kam_ready() {
    local pid=KAM_PID_$1 addr=KAM_ADDR_$1 ip tport iport
    read -r ip tport iport <<< "${!addr}"
    wait_until 20 kam_settled "${!pid}" "$ip" "$tport" "$iport"
    kam_listening "${!pid}" "$ip" "$tport" "$iport" ||
        { grep -E "ERROR|CRITICAL|error" "$T/kam-$1.log" | tail -n 20 >&2
          fail "kamailio $1 did not listen on $ip"; }
}

# kam_listening PID IP TLS_PORT UDP_PORT: PID runs and both sockets are open.
kam_listening() { kill -0 "$1" 2>/dev/null && port_open tcp "$2" "$3" && port_open udp "$2" "$4"; }
# kam_settled PID ...: listening, or PID has exited (no point in waiting longer).
kam_settled() { ! kill -0 "$1" 2>/dev/null || kam_listening "$@"; }

# kam_alive NAME: Kamailio NAME still runs (it did not crash during the scenario).
kam_alive() {
    local var="KAM_PID_$1"
    kill -0 "${!var}" 2>/dev/null || fail "kamailio $1 exited: $(grep -E 'CRITICAL|ERROR' "$T/kam-$1.log" | tail -n 3)"
}

kam_log_has() { grep -qE -- "$2" "$T/kam-$1.log" 2>/dev/null; }

# ---- the lab of the Kamailio scenarios ----
#   IM&P UA (.12) -UDP- Kamailio "imp" (.2, TLS 5062, imp1.ciscoexample.test: neighbor zone IMP)
#     -mutual TLS- sipfed (.1, TLS 5061, edge.ciscoexample.test)
#     -mutual TLS- Kamailio "ms" (.3, TLS 5061, sip.msexample.test: the default zone in, the DNS
#                  zone's SRV target out) -UDP- Microsoft UA (.13)
IMP_UA=$NET.12      # the IM&P side's user agents, behind Kamailio "imp"
MS_UA=$NET.13       # the Microsoft side's user agents, behind Kamailio "ms"
KAM_INSIDE=5060     # each Kamailio's UDP port towards its user agents
UA_PORT=5060        # the user agents' server port

# kam_lab_up IMP_CERT MS_CERT: sipfed with tls_lib's node file, dial plan and DNS (plus
# imp1.ciscoexample.test for Kamailio's Record-Route name), both Kamailio instances with these
# lab certificates (certs/mklab.sh names), all ready.
kam_lab_up() {
    tls_node_file
    tls_rules
    tls_dns_start sip.msexample.test --host-record=imp1.ciscoexample.test,"$IMP_IP"
    start_sipfed
    kam_hosts "$PROXY_IP edge.ciscoexample.test
$IMP_IP imp1.ciscoexample.test
$MS_IP sip.msexample.test"
    kam_both_up "$1" "$2"
}

# kam_both_up IMP_CERT MS_CERT: (re)start both Kamailio instances with these certificates.
kam_both_up() {
    kam_start imp "$IMP_IP" "$IMP_PORT" imp1.ciscoexample.test "$1" "$KAM_INSIDE" \
        "$IMP_UA:$UA_PORT" "edge.ciscoexample.test:$TLS_PORT"
    kam_start ms "$MS_IP" "$MS_PORT" sip.msexample.test "$2" "$KAM_INSIDE" \
        "$MS_UA:$UA_PORT" "edge.ciscoexample.test:$TLS_PORT"
    kam_ready imp
    kam_ready ms
}

# kam_stop NAME: stop Kamailio NAME (by PID) and wait until it has exited.
kam_stop() {
    local var=KAM_PID_$1
    kill "${!var}" 2>/dev/null
    wait_until 10 sh -c "! kill -0 ${!var} 2>/dev/null" || kill -9 "${!var}" 2>/dev/null
}

# kam_raw_final imp|ms FILE: send raw request FILE (tests/acceptance/raw) over UDP from one
# side's user-agent address through its Kamailio; print the status code of the answer (none:
# "none").
kam_raw_final() {
    local ip kam code
    read -r ip kam _ _ <<< "$(side_of "$1")"
    code=$(timeout 30 python3 "$ROOT/tests/acceptance/sipraw.py" send udp "$kam:$KAM_INSIDE" \
               "$ip" "$ROOT/tests/acceptance/raw/$2" --wait 25 --count 1 2>>"$T/sipraw.err" |
           sed -n 's/^SIP\/2.0 \([0-9]*\) .*/\1/p' | tail -n 1)
    echo "${code:-none}"
}

# side_of imp|ms: UA address, Kamailio address, own domain, other domain.
side_of() {
    case $1 in
        imp) echo "$IMP_UA $IMP_IP ciscoexample.test msexample.test" ;;
        ms) echo "$MS_UA $MS_IP msexample.test ciscoexample.test" ;;
    esac
}

# kam_uac NAME XML imp|ms USER [sipp args...]: a sipp UAC on one side's user-agent address
# sends through that side's Kamailio to USER at the other side's domain; one call, bounded.
kam_uac() { expect_ok "$1" kam_sipp_uac "$@"; }
kam_sipp_uac() {
    local name=$1 xml=$2 user=$4 ip kam from to
    read -r ip kam from to <<< "$(side_of "$3")"
    shift 4
    timeout 40 sipp -sf "$xml" -t u1 -i "$ip" -p "$UAC_PORT" -nostdin -m 1 -timeout 30s \
        -timeout_error -trace_msg -message_file "$T/$name.msg" -trace_err \
        -error_file "$T/$name.err" -s "$user" -key from_domain "$from" -key to_domain "$to" \
        "$@" "$kam:$KAM_INSIDE" >"$T/$name.out" 2>&1
}

# kam_uas NAME XML imp|ms [sipp args...]: a sipp UAS on one side's user-agent address.
kam_uas() {
    local ip=$IMP_UA
    [ "$3" = ms ] && ip=$MS_UA
    sipp_server "$1" "$2" udp "$ip" "$UA_PORT" "${@:4}"
}

