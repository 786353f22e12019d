# dns_zone.sh — sourced (after lib.sh) by the t_dns_*.sh scenarios: dnsmasq as the Internet's
# DNS, with SRV and A records for the partner domains, on $DNS_ADDR:$DNS_PORT (derived from
# $SIPFED_TEST_NET); and dns_node_ini, a node file whose [dns] points at it.
#   msexample.test  _sipfederationtls._tcp: sip1 (priority 10, weight 100, 5061, .11)
#                                           sip2 (5, 10, 5062, .12), sip3 (5, 60, 5063, .13)
#   partner.test    sip.partner.test:5061 (.21)      second.test  edge.second.test:5061 (.31),
#                   and a TXT (not SRV) _sipinternaltls._tcp record
#   aonly.test      A record only (.41)               noaddr.test  SRV target without address

DNS_ADDR=$NET.1
DNS_PORT=${DNS_PORT:-5353}

# dns_start [DIR] [extra dnsmasq options...]: the records above plus any extra ones (pid and
# query log in DIR, default $T); waits until dnsmasq's socket is open; returns 1 if it does not.
# dnsmasq is not in PIDS, so it outlives stop_all between rounds: stop it with dns_stop (in the
# EXIT trap: trap 'dns_stop; cleanup' EXIT).
dns_start() {
    local dir=$T n=$NET
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then dir=$1; shift; fi
    dnsmasq --keep-in-foreground --conf-file=/dev/null --port="$DNS_PORT" \
        --listen-address="$DNS_ADDR" --bind-interfaces --no-resolv --no-hosts --no-poll \
        --pid-file="$dir/dnsmasq.pid" --local=/test/ --local-ttl=300 \
        --log-facility="$dir/dnsmasq.log" --log-queries \
        --srv-host=_sipfederationtls._tcp.msexample.test,sip1.msexample.test,5061,10,100 \
        --srv-host=_sipfederationtls._tcp.msexample.test,sip2.msexample.test,5062,5,10 \
        --srv-host=_sipfederationtls._tcp.msexample.test,sip3.msexample.test,5063,5,60 \
        --host-record=sip1.msexample.test,"$n.11" \
        --host-record=sip2.msexample.test,"$n.12" \
        --host-record=sip3.msexample.test,"$n.13" \
        --srv-host=_sipfederationtls._tcp.partner.test,sip.partner.test,5061,0,10 \
        --host-record=sip.partner.test,"$n.21" \
        --srv-host=_sipfederationtls._tcp.second.test,edge.second.test,5061,0,0 \
        --txt-record=_sipinternaltls._tcp.second.test,"no SRV here" \
        --host-record=edge.second.test,"$n.31" \
        --host-record=aonly.test,"$n.41" \
        --srv-host=_sipfederationtls._tcp.noaddr.test,ghost.noaddr.test,5061,0,0 \
        "$@" >"$dir/dnsmasq.out" 2>&1 &
    DNS_PID=$!
    wait_until 10 port_open udp "$DNS_ADDR" "$DNS_PORT" && return 0
    cat "$dir/dnsmasq.out" >&2
    return 1
}

# dns_stop: stop dnsmasq by its PID; keeps the exit status it was called with (so that
# `trap 'dns_stop; cleanup' EXIT` still reports the scenario's own result).
dns_stop() {
    local rc=$?
    if [ -n "${DNS_PID:-}" ]; then
        kill "$DNS_PID" 2>/dev/null
        wait "$DNS_PID" 2>/dev/null
        DNS_PID=
    fi
    return $rc
}

# dns_node_ini LISTEN DNS_SERVERS: $T/sipfed.ini (lab certificates, debug log) and $T/rules/.
dns_node_ini() {
    mkdir -p "$T/rules"
    lab_certs
    cat >"$T/sipfed.ini" <<INI
[proxy]
hostname = edge.ciscoexample.test
listen = $1
dialplan = rules
# sipp and stunnel peers do not answer OPTIONS keep-alives: probing off (as lib.sh's node_file)
peer_keepalive_interval = 0
workers = ${SIPFED_WORKERS:-1}
[tls]
certificate = $CERTS/edge.pem
private_key = $CERTS/edge.key
ca_file = $CERTS/ca.pem
[dns]
servers = $2
[log]
level = debug
INI
}

# dns_uac NAME IP METHOD RURI FROM_DOMAIN STATUS: one request from IP to sipfed (TCP), requiring
# the final STATUS; the time it took (ms) goes to $T/NAME.took.
dns_uac() {
    local name=$1 ip=$2 method=$3 ruri=$4 from=$5 status=$6 t0 rc
    uac_xml "$T/$name.xml" "$method" "sip:$ruri" "$status"
    t0=$(date +%s%N)
    sipp_client "$name" "$T/$name.xml" tcp "$ip" -key from_domain "$from" -key max_forwards 70
    rc=$?
    echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$T/$name.took"
    return $rc
}

# dns_uas NAME IP PORT METHOD [STATUS]: a sipp answering one METHOD (200) over TCP.
dns_uas() {
    uas_xml "$T/$1.xml" "$4" "${5:-200}"
    sipp_server "$1" "$T/$1.xml" tcp "$2" "$3"
}

# dns_imp_zone: the IM&P side of every DNS scenario, a TCP neighbor zone whose requests count as
# authenticated (used inside the scenarios' dial-plan heredocs).
dns_imp_zone() {
    cat <<INI
[zone IMP]
type = neighbor
peers = $IMP_IP:$IMP_PORT
transport = tcp
authenticated = yes
INI
}

# dns_out_rules: dns_imp_zone plus a DNS zone and the rule "IMP out" that sends every request
# from IM&P to it (dial-plan heredocs of the outbound DNS scenarios).
dns_out_rules() {
    dns_imp_zone
    cat <<INI
[zone DNS]
type = dns
[rule "IMP out"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS
INI
}
