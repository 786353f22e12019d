#!/bin/sh
# t_dns_route.sh — sipfed's DNS zone and federation policy end to end (SPEC §5.3, §6): dnsmasq
# serves SRV and A records for partner domains, sipp plays the partner edges and IM&P.
#   - outbound via SRV: of three records (priority/weight 10/100, 5/10, 5/60) the 5/60 one is used
#   - a static route wins over DNS, and a dead static route does not fall back to DNS
#   - NXDOMAIN -> 404; a denied target domain -> 403 (deny_list)
#   - inbound from the default zone: a denied From domain gets 403 and never reaches IM&P; an
#     allowed one does
#   - a DNS server that does not answer -> 503 with Retry-After within the bound
#   - allow_list + open federation: a domain is learnt after a 2xx and may then reach us
# The DNS zone uses `srv = _sip._tcp` here (TCP next hops: sipp has no TLS); the TLS variant is
# the same code path with _sipfederationtls._tcp.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${SIPFED_TEST_NET:=127.0.0}"
. "$here/dns_zone.sh"
. "$here/dns_proxy.sh"
[ -x "$SIPFED_BIN" ] || fail "missing $SIPFED_BIN (make)"
tmp=$(mktemp -d)
trap 'stop_all; dns_stop; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT INT TERM
[ -n "${KEEP:-}" ] && echo "keeping $tmp"

SIPFED_ADDR="$N.2"
SIPFED_PORT=5060
IMP="$N.5"            # the IM&P peer (source zone IMP by address)
INET="$N.30"          # a partner on the Internet (default zone)

dns_start "$tmp" \
    --srv-host=_sip._tcp.msexample.test,sip1.msexample.test,5061,10,100 \
    --srv-host=_sip._tcp.msexample.test,sip2.msexample.test,5062,5,10 \
    --srv-host=_sip._tcp.msexample.test,sip3.msexample.test,5063,5,60 \
    --srv-host=_sip._tcp.static.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.deadstatic.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.elsewhere.test,sip3.msexample.test,5063,0,0 \
    --srv-host=_sip._tcp.denied.test,sip3.msexample.test,5063,0,0 || exit 1

# write_config DIR DNS_SERVER PRIVACY DOMAINS OPEN_FEDERATION
write_config() {
    mkdir -p "$1/rules"
    cat >"$1/sipfed.ini" <<EOT
[proxy]
hostname = edge.ciscoexample.test
listen = tcp:$SIPFED_ADDR:$SIPFED_PORT
dialplan = rules
[dns]
servers = $2
[log]
level = debug
EOT
    cat >"$1/rules/dial.ini" <<EOT
[zone IMP]
type = neighbor
peers = $IMP:5062
transport = tcp
authenticated = yes

[zone DNS]
type = dns
srv = _sip._tcp

[zone default]
type = default

[rule "IMP out to partners"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS

[rule "Partners in to IMP"]
priority = 200
source = default
pattern = .*@ciscoexample\.test
target = IMP

[federation]
local_domains = ciscoexample.test
privacy = $3
domains = $4
open_federation = $5

[static_route static.test]
next_hop = $N.22:5064
transport = tcp

[static_route deadstatic.test]
next_hop = $N.23:5065
transport = tcp
EOT
}

check_took() { # NAME MAX_MS
    took=$(cat "$tmp/$1.took")
    [ "$took" -le "$2" ] || fail "$1 took ${took} ms, bound ${2} ms"
}

# ---- 1. deny_list node -------------------------------------------------------------------------
write_config "$tmp/a" "$DNS_ADDR:$DNS_PORT" deny_list denied.test off
sipfed_start a "$tmp/a"

sipp_uas ms3 "$tmp" "$N.13" 5063 MESSAGE
sipp_uac out_srv "$tmp" "$IMP" MESSAGE bob@msexample.test alice@ciscoexample.test 200 \
    || fail "outbound via SRV: no 200 (see $tmp/out_srv.msg)"
grep -q "MESSAGE sip:bob@msexample.test" "$tmp/ms3.msg" || fail "sip3 (5/60) did not get it"
echo "ok - outbound via SRV uses priority 5 / weight 60 (sip3.msexample.test:5063)"

sipp_uas st "$tmp" "$N.22" 5064 MESSAGE
sipp_uac static "$tmp" "$IMP" MESSAGE bob@static.test alice@ciscoexample.test 200 \
    || fail "static route: no 200"
grep -q "MESSAGE sip:bob@static.test" "$tmp/st.msg" || fail "static route next hop did not get it"
echo "ok - static route wins over the domain's SRV record"

sipp_uas ms3b "$tmp" "$N.13" 5063 MESSAGE
sipp_uac deadstatic "$tmp" "$IMP" MESSAGE bob@deadstatic.test alice@ciscoexample.test 503 20 \
    || sipp_uac deadstatic2 "$tmp" "$IMP" MESSAGE bob@deadstatic.test alice@ciscoexample.test 408 20 \
    || fail "dead static route: expected 503 or 408"
if grep -q "deadstatic" "$tmp/ms3b.msg" 2>/dev/null; then
    fail "dead static route fell back to DNS"
fi
echo "ok - a dead static route fails and does not fall back to DNS"

sipp_uac nx "$tmp" "$IMP" MESSAGE bob@nosuch.test alice@ciscoexample.test 404 \
    || fail "NXDOMAIN: expected 404"
echo "ok - NXDOMAIN -> 404"

sipp_uac deny_out "$tmp" "$IMP" MESSAGE bob@denied.test alice@ciscoexample.test 403 \
    || fail "deny_list target: expected 403"
echo "ok - outbound to a denied domain -> 403"

sipp_uas imp "$tmp" "$IMP" 5062 SUBSCRIBE
sipp_uac deny_in "$tmp" "$INET" SUBSCRIBE alice@ciscoexample.test mallory@denied.test 403 \
    || fail "SUBSCRIBE from a denied domain: expected 403"
sipp_uac allow_in "$tmp" "$INET" SUBSCRIBE alice@ciscoexample.test bob@msexample.test 200 \
    || fail "SUBSCRIBE from an allowed domain: expected 200"
grep -q "denied.test" "$tmp/imp.msg" && fail "the denied SUBSCRIBE reached IM&P"
grep -q "From: <sip:bob@msexample.test>" "$tmp/imp.msg" || fail "IM&P did not get the allowed one"
echo "ok - SUBSCRIBE from a denied domain -> 403, never reaches IM&P; an allowed one does"
stop_all

# ---- 2. a DNS server that never answers --------------------------------------------------------
socat -u UDP-RECV:5354,bind="$DNS_ADDR" /dev/null &
PIDS="$PIDS $!"
write_config "$tmp/b" "$DNS_ADDR:5354" off "" off
sipfed_start b "$tmp/b"
sipp_uac silent "$tmp" "$IMP" MESSAGE bob@msexample.test alice@ciscoexample.test 503 10 \
    || fail "silent DNS: expected 503"
grep -q "Retry-After" "$tmp/silent.msg" || fail "silent DNS: 503 without Retry-After"
check_took silent 5000
echo "ok - DNS server not answering -> 503 with Retry-After in $(cat "$tmp/silent.took") ms"
stop_all

# ---- 3. allow_list + open federation -----------------------------------------------------------
write_config "$tmp/c" "$DNS_ADDR:$DNS_PORT" allow_list msexample.test on
sipfed_start c "$tmp/c"
sipp_uac before "$tmp" "$INET" SUBSCRIBE alice@ciscoexample.test carol@elsewhere.test 403 \
    || fail "open federation: an unknown domain may not reach us before it is learnt"
sipp_uas ms3c "$tmp" "$N.13" 5063 MESSAGE
sipp_uac learn "$tmp" "$IMP" MESSAGE carol@elsewhere.test alice@ciscoexample.test 200 \
    || fail "open federation: outbound to an unlisted domain should route by DNS"
wait_for "$tmp/c/c.log" "event=learnt domain=elsewhere.test" 5 || fail "elsewhere.test not learnt"
sipp_uas impc "$tmp" "$IMP" 5062 SUBSCRIBE
sipp_uac after "$tmp" "$INET" SUBSCRIBE alice@ciscoexample.test carol@elsewhere.test 200 \
    || fail "open federation: a learnt domain should reach IM&P"
echo "ok - open federation learns a domain after a 2xx (logged) and then accepts it inbound"
stop_all
echo "PASS t_dns_route"
