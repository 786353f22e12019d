# dns_zone.sh — sourced by the t_dns_*.sh scenarios: start dnsmasq with the partner domains' SRV
# and A records on $SIPFED_TEST_NET.1:$DNS_PORT, wait until it answers, stop it by its PID.
# Every address is derived from $SIPFED_TEST_NET.

: "${SIPFED_TEST_NET:=127.0.0}"
: "${DNS_PORT:=5353}"
DNS_ADDR="$SIPFED_TEST_NET.1"

# dns_start DIR [extra dnsmasq options...]: the records below plus any extra ones.
dns_start() {
    dir=$1; shift
    n=$SIPFED_TEST_NET
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
    # Wait (bounded) until dnsmasq has bound its port: its log says so, or it died.
    i=0
    while [ $i -lt 100 ]; do
        if ! kill -0 "$DNS_PID" 2>/dev/null; then
            echo "dnsmasq failed to start:" >&2; cat "$dir/dnsmasq.out" "$dir/dnsmasq.log" >&2
            return 1
        fi
        grep -q "started, version" "$dir/dnsmasq.log" 2>/dev/null && return 0
        sleep 0.05
        i=$((i + 1))
    done
    echo "dnsmasq did not start within 5 s" >&2
    return 1
}

dns_stop() {
    if [ -n "${DNS_PID:-}" ]; then
        kill "$DNS_PID" 2>/dev/null
        wait "$DNS_PID" 2>/dev/null
        DNS_PID=
    fi
}
