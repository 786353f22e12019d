#!/usr/bin/env bash
# acceptance: ~42 s
# sipfed's DNS zone and federation policy end to end (SPEC §5.3, §6): dnsmasq serves SRV and A
# records for partner domains, sipp plays the partner edges and IM&P.
#   - outbound via SRV: of three records (priority/weight 10/100, 5/10, 5/60) the 5/60 one is used
#   - a static route wins over DNS, and a dead static route does not fall back to DNS
#   - NXDOMAIN -> 404; a denied target domain -> 403 (deny_list)
#   - inbound from the default zone: a denied From domain gets 403 and never reaches IM&P; an
#     allowed one does
#   - a DNS server that does not answer -> 504 with a Warning naming the DNS failure, no
#     Retry-After (503 would condemn sipfed itself, docs/errors.md), within the bound; a CANCEL while
#     the lookup is pending -> 487, and the late answer finds no freed transaction
#   - allow_list + open federation: a domain is learnt after a 2xx and may then reach us
# The DNS zone uses `srv = _sip._tcp` here (TCP next hops: Debian's sipp has no TLS); t_dns_tls.sh
# covers _sipfederationtls._tcp with TLS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_zone.sh"

INET=$NET.30           # a partner on the Internet (default zone)
SILENT_PORT=5355       # a UDP socket that never answers

dns_start \
    --srv-host=_sip._tcp.msexample.test,sip1.msexample.test,5061,10,100 \
    --srv-host=_sip._tcp.msexample.test,sip2.msexample.test,5062,5,10 \
    --srv-host=_sip._tcp.msexample.test,sip3.msexample.test,5063,5,60 \
    --srv-host=_sip._tcp.static.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.deadstatic.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.elsewhere.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.denied.test,sip3.msexample.test,5063,0,0 \
    || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT

# node DNS_SERVER PRIVACY DOMAINS OPEN_FEDERATION
node() {
    dns_node_ini "tcp:$PROXY_IP:$PROXY_PORT" "$1"
    cat >"$T/rules/dial.ini" <<INI
$(dns_imp_zone)

[zone DNS]
type = dns
srv = _sip._tcp

[rule "IMP out to partners"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS

[rule "Partners in to IMP"]
priority = 200
source = default
pattern = .*@ciscoexample\\.test
target = IMP

[federation]
local_domains = ciscoexample.test
privacy = $2
domains = $3
open_federation = $4

[static_route static.test]
next_hop = $NET.22:5064
transport = tcp

[static_route deadstatic.test]
next_hop = $NET.23:5065
transport = tcp
INI
}

# ---- 1. deny_list ----------------------------------------------------------------------------
node "$DNS_ADDR:$DNS_PORT" deny_list denied.test off
start_sipfed

dns_uas ms3 "$NET.13" 5063 MESSAGE
expect_ok out_srv dns_uac out_srv "$IMP_IP" MESSAGE bob@msexample.test ciscoexample.test 200
[ "$(msg_count ms3 '^MESSAGE sip:bob@msexample.test')" -ge 1 ] || fail "sip3 (5/60) did not get it"
wait_log "alias=bob@msexample.test .*target=DNS next_hop=$NET.13:5063/tcp status=200"

dns_uas st "$NET.22" 5064 MESSAGE
expect_ok static dns_uac static "$IMP_IP" MESSAGE bob@static.test ciscoexample.test 200
[ "$(msg_count st '^MESSAGE sip:bob@static.test')" -ge 1 ] || fail "the static route's next hop did not get it"

dns_uas ms3b "$NET.13" 5063 MESSAGE
dns_uac deadstatic "$IMP_IP" MESSAGE bob@deadstatic.test ciscoexample.test 502 \
    || fail "dead static route: expected 502"
[ "$(msg_count ms3b deadstatic)" -eq 0 ] || fail "the dead static route fell back to DNS"

expect_ok nx dns_uac nx "$IMP_IP" MESSAGE bob@nosuch.test ciscoexample.test 404
wait_log "alias=bob@nosuch.test .*status=404"
expect_ok deny_out dns_uac deny_out "$IMP_IP" MESSAGE bob@denied.test ciscoexample.test 403
wait_log "alias=bob@denied.test .*status=403 .*federation policy refuses target domain denied.test \\(deny_list\\)"

dns_uas imp "$IMP_IP" "$IMP_PORT" SUBSCRIBE
expect_ok deny_in dns_uac deny_in "$INET" SUBSCRIBE alice@ciscoexample.test denied.test 403
expect_ok allow_in dns_uac allow_in "$INET" SUBSCRIBE alice@ciscoexample.test msexample.test 200
[ "$(msg_count imp 'denied.test')" -eq 0 ] || fail "the denied SUBSCRIBE reached IM&P"
[ "$(msg_count imp '^From: <sip:sender@msexample.test>')" -ge 1 ] || fail "IM&P did not get the allowed SUBSCRIBE"
stop_all
pass "SRV pick 5/60, static route wins without DNS fallback, NXDOMAIN 404, deny_list 403 both ways, denied SUBSCRIBE never reaches IM&P"

# ---- 2. a DNS server that never answers --------------------------------------------------------
socat -u UDP-RECV:$SILENT_PORT,bind="$DNS_ADDR" /dev/null &
PIDS+=("$!")
wait_until 10 port_open udp "$DNS_ADDR" "$SILENT_PORT" || fail "silent DNS socket"
node "$DNS_ADDR:$SILENT_PORT" off "" off
start_sipfed
expect_ok silent dns_uac silent "$IMP_IP" MESSAGE bob@msexample.test ciscoexample.test 504
grep -q '^Warning: 399 edge.ciscoexample.test "DNS failure for msexample.test' "$T/silent.msg" ||
    fail "504 without a Warning naming the DNS failure"
grep -q "^Reason: SIP;cause=504;text=\"DNS failure for msexample.test" "$T/silent.msg" ||
    fail "504 without a Reason header"
grep -q "^Retry-After:" "$T/silent.msg" && fail "a DNS failure answered with Retry-After"
took=$(cat "$T/silent.took")
[ "$took" -le 5000 ] || fail "504 after $took ms, bound 5000 ms"

# A CANCEL while the lookup is pending: 487 at once; the late DNS answer (a timeout, ~3 s later)
# must find no freed transaction (the ASan build would abort on it).
sed -e "s|@RURI@|bob@partner.test|g" -e "s|@FROM@|alice@ciscoexample.test|g" \
    "$SIPP_DIR/dns_cancel.xml" >"$T/cancel.xml"
expect_ok cancel sipp_client cancel "$T/cancel.xml" tcp "$IMP_IP"
wait_log "event=answer domain=partner.test status=503" 8
expect_ok alive dns_uac alive "$IMP_IP" MESSAGE bob@partner.test ciscoexample.test 504
stop_all
pass "silent DNS -> 504 + Warning/Reason in $took ms; CANCEL during the lookup -> 487, late answer dropped"

# ---- 3. allow_list + open federation ---------------------------------------------------------
node "$DNS_ADDR:$DNS_PORT" allow_list msexample.test on
start_sipfed
expect_ok before dns_uac before "$INET" SUBSCRIBE alice@ciscoexample.test elsewhere.test 403
dns_uas ms3c "$NET.13" 5063 MESSAGE
expect_ok learn dns_uac learn "$IMP_IP" MESSAGE carol@elsewhere.test ciscoexample.test 200
wait_log "module=policy event=learnt domain=elsewhere.test"
# With workers (t_workers_dns.sh), the other worker learns it too, through the supervisor.
[ "${SIPFED_WORKERS:-1}" -gt 1 ] && wait_log "module=policy event=learnt domain=elsewhere.test from=worker"
dns_uas impc "$IMP_IP" "$IMP_PORT" SUBSCRIBE
expect_ok after dns_uac after "$INET" SUBSCRIBE alice@ciscoexample.test elsewhere.test 200
stop_all
pass "open federation: unknown domain refused inbound, reached by DNS, learnt after a 2xx, then accepted"
