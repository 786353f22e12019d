# tls_lib.sh — sourced (after lib.sh) by the t_tls_*.sh scenarios. Debian's sipp has no TLS, so
# stunnel4 sits between sipp (plain TCP) and sipfed's TLS port: a client tunnel in front of a
# sipp UAC (`client = yes`, the peer's certificate, checkHost, TLS 1.2 minimum) and a server
# tunnel in front of a sipp UAS (requireCert + verifyChain). A lab PKI is made per scenario with
# certs/mklab.sh. sipp through a tunnel must write `Via: SIP/2.0/TLS` (nta drops a request whose
# top Via transport differs from the transport it arrived on).

TLS_PORT=5061                 # sipfed's TLS listen port on $PROXY_IP
PKI=$T/pki
"$ROOT/certs/mklab.sh" "$PKI" >/dev/null || fail "certs/mklab.sh failed"
command -v stunnel4 >/dev/null || command -v stunnel >/dev/null || fail "stunnel4 not installed"
STUNNEL=$(command -v stunnel4 || command -v stunnel)

# tls_node_file [EXTRA [tls] LINES]: sipfed on tls:$PROXY_IP:$TLS_PORT with the lab PKI; [dns]
# points at the scenario's dnsmasq.
tls_node_file() {
    mkdir -p "$T/rules"
    cat > "$T/sipfed.ini" <<INI
[proxy]
hostname = edge.ciscoexample.test
listen = tls:$PROXY_IP:$TLS_PORT
dialplan = rules
peer_keepalive_interval = 0
workers = ${SIPFED_WORKERS:-1}
[tls]
certificate = $PKI/edge.pem
private_key = $PKI/edge.key
ca_file = $PKI/ca.pem
min_version = 1.2
${1:-}
[dns]
servers = $PROXY_IP:$TLS_DNS_PORT
[log]
level = ${SIPFED_LOG_LEVEL:-debug}
INI
}

# tls_rules: the lab dial plan over TLS: IM&P must present imp1.ciscoexample.test, the default
# zone requires client certificates, msexample.test is reached through the DNS zone (SRV and A
# records from the scenario's dnsmasq), so its certificate must carry the SRV target name
# sip.msexample.test.
tls_rules() {
    lab_rules tls "" "" imp:"tls_verify = on" imp:"tls_verify_subject = imp1.ciscoexample.test" \
        dns:"srv = _sipfederationtls._tcp" dns:"tls_verify = on" no-static-route "+[zone default]
type = default
require_client_certificate = on
authenticated = verified"
}

# tls_dns_start [TARGET [extra dnsmasq options...]]: dnsmasq with
# _sipfederationtls._tcp.msexample.test -> TARGET (default sip.msexample.test):$MS_PORT and
# TARGET -> $MS_IP.
TLS_DNS_PORT=5354
tls_dns_start() {
    local target=${1:-sip.msexample.test}
    [ $# -gt 0 ] && shift
    dnsmasq --keep-in-foreground --conf-file=/dev/null --port="$TLS_DNS_PORT" \
        --listen-address="$PROXY_IP" --bind-interfaces --no-resolv --no-hosts --no-poll \
        --pid-file="$T/dnsmasq.pid" --local=/test/ --local-ttl=300 \
        --srv-host=_sipfederationtls._tcp.msexample.test,"$target",$MS_PORT,0,10 \
        --host-record="$target","$MS_IP" "$@" >"$T/dnsmasq.out" 2>&1 &
    PIDS+=("$!")
    wait_until 10 port_open udp "$PROXY_IP" "$TLS_DNS_PORT" || fail "dnsmasq did not start"
}

# stunnel_start NAME IP PORT SERVICE-LINES: stunnel4 in the foreground with one service NAME
# (logging to $T/stunnel-NAME.log), stopped with the scenario; waits until IP:PORT accepts.
stunnel_start() {
    local name=$1 ip=$2 port=$3
    printf 'foreground = yes\npid =\noutput = %s\ndebug = info\n[%s]\n%s\n' \
        "$T/stunnel-$name.log" "$name" "$4" > "$T/stunnel-$name.conf"
    "$STUNNEL" "$T/stunnel-$name.conf" >/dev/null 2>&1 &
    PIDS+=("$!")
    wait_until 10 port_open tcp "$ip" "$port" || fail "stunnel $name did not listen on $ip:$port"
}

# stunnel_client NAME ACCEPT_IP ACCEPT_PORT CERT [CHECKHOST] [sslVersion lines]: a client
# tunnel: plain TCP on ACCEPT_IP:ACCEPT_PORT, TLS to sipfed from source address ACCEPT_IP with
# certificate CERT (a mklab name; "none" for no certificate).
stunnel_client() {
    local name=$1 ip=$2 port=$3 cert=$4 check=${5:-edge.ciscoexample.test} extra=${6:-}
    local certlines=""
    [ "$cert" != none ] && certlines="cert = $PKI/$cert.pem
key = $PKI/$cert.key"
    stunnel_start "$name" "$ip" "$port" "client = yes
accept = $ip:$port
connect = $PROXY_IP:$TLS_PORT
local = $ip
$certlines
CAfile = $PKI/ca.pem
verifyChain = yes
checkHost = $check
sslVersionMin = TLSv1.2
$extra"
}

# stunnel_server NAME IP PORT CERT SIPP_PORT: a server tunnel: TLS on IP:PORT with certificate
# CERT, requiring a client certificate that verifies, plain TCP to a sipp on IP:SIPP_PORT.
stunnel_server() {
    local name=$1 ip=$2 port=$3 cert=$4 sport=$5
    stunnel_start "$name" "$ip" "$port" "accept = $ip:$port
connect = $ip:$sport
cert = $PKI/$cert.pem
key = $PKI/$cert.key
CAfile = $PKI/ca.pem
requireCert = yes
verifyChain = yes
sslVersionMin = TLSv1.2"
}

# tls_xml SRC DST [CONTACT_PORT]: a sipp scenario rewritten for a sipp behind a tunnel: the top
# Via and Contact say TLS (what sipfed sees), not sipp's own TCP; with CONTACT_PORT the Contact
# points at the server tunnel that leads to this sipp (for requests sent to it in the dialog).
tls_xml() {
    local port=${3:-}
    sed -e 's|SIP/2.0/\[transport\]|SIP/2.0/TLS|g' -e 's|transport=\[transport\]|transport=tls|g' \
        ${port:+-e "/^Contact:/s|\[local_ip\]:\[local_port\]|[local_ip]:$port|"} "$1" > "$2"
}

# sipp_tunnel_client NAME XML IP PORT [sipp args...]: a sipp UAC over TCP from IP to the client
# tunnel listening on IP:PORT; one call, bounded; returns sipp's exit code.
sipp_tunnel_client() {
    local name=$1 xml=$2 ip=$3 port=$4; shift 4
    timeout 40 sipp -sf "$xml" -t t1 -i "$ip" -p "$UAC_PORT" -nostdin -m 1 \
        -timeout 30s -timeout_error -trace_msg -message_file "$T/$name.msg" \
        -trace_err -error_file "$T/$name.err" "$@" "$ip:$port" >"$T/$name.out" 2>&1
}

# s_client_ok OPTS...: openssl s_client against sipfed's TLS port completes a handshake.
s_client_ok() {
    timeout 10 openssl s_client -connect "$PROXY_IP:$TLS_PORT" -CAfile "$PKI/ca.pem" \
        -verify_return_error -verify_hostname edge.ciscoexample.test "$@" </dev/null \
        >"$T/s_client.out" 2>&1
}

# tls_outbound_message: IM&P -> sipfed -> sip.msexample.test over TLS: the Microsoft edge is a
# sipp UAS "ms" (messages in $T/ms.msg) behind a server tunnel on $MS_IP:$MS_PORT (certificate
# msedge, sipp on $MS_UAS), IM&P a sipp UAC behind a client tunnel on $IMP_IP:$IMP_TUNNEL
# (certificate imp1); one MESSAGE to bob@msexample.test, both sides must complete.
tls_outbound_message() {
    tls_xml "$SIPP_DIR/uac_message.xml" "$T/uac_message_tls.xml"
    stunnel_server ms "$MS_IP" "$MS_PORT" msedge "$MS_UAS"
    sipp_server ms "$SIPP_DIR/uas_message.xml" tcp "$MS_IP" "$MS_UAS"
    stunnel_client imp "$IMP_IP" "$IMP_TUNNEL" imp1
    expect_ok out_uac sipp_tunnel_client out_uac "$T/uac_message_tls.xml" "$IMP_IP" \
        "$IMP_TUNNEL" -s bob -key from_domain ciscoexample.test -key to_domain msexample.test
    expect_ok ms sipp_wait ms
}
