#!/bin/sh
# t_dns_cli.sh — `sipfed locate` shows the SRV answers, the record chosen and the next hop of a
# DNS-zone target (or its static route); `sipfed check --dns` verifies our own published records
# as a Microsoft edge would: no record, more than one record, a target outside the domain's
# namespace (ms-diagnostics 1009), a target our certificate does not name (1010).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${SIPFED_TEST_NET:=127.0.0}"
. "$here/dns_zone.sh"
. "$here/dns_proxy.sh"
[ -x "$SIPFED_BIN" ] || fail "missing $SIPFED_BIN (make)"
"$top/certs/mklab.sh" >/dev/null || fail "certs/mklab.sh failed"
tmp=$(mktemp -d)
trap 'stop_all; dns_stop; rm -rf "$tmp"' EXIT INT TERM

dns_start "$tmp" \
    --srv-host=_sipfederationtls._tcp.ciscoexample.test,edge.ciscoexample.test,5061,0,0 \
    --host-record=edge.ciscoexample.test,"$N.2" \
    --srv-host=_sipfederationtls._tcp.two.test,edge.ciscoexample.test,5061,0,0 \
    --srv-host=_sipfederationtls._tcp.two.test,sip.two.test,5061,1,0 \
    --srv-host=_sipfederationtls._tcp.outside.test,sip.elsewhere.test,5061,0,0 \
    --host-record=sip.elsewhere.test,"$N.3" \
    --srv-host=_sipfederationtls._tcp.nocert.test,sip.nocert.test,5061,0,0 \
    --host-record=sip.nocert.test,"$N.4" || exit 1

# node DIR LOCAL_DOMAINS
node() {
    mkdir -p "$1/rules"
    cat >"$1/sipfed.ini" <<EOT
[proxy]
hostname = edge.ciscoexample.test
listen = tcp:$N.2:5060
dialplan = rules
[tls]
certificate = $top/certs/lab/edge.pem
private_key = $top/certs/lab/edge.key
ca_file = $top/certs/lab/ca.pem
[dns]
servers = $DNS_ADDR:$DNS_PORT
EOT
    cat >"$1/rules/dial.ini" <<EOT
[zone IMP]
type = neighbor
peers = $N.5:5062
transport = tcp
authenticated = yes
[zone DNS]
type = dns
[rule "IMP out"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS
[federation]
local_domains = $2
privacy = allow_list
domains = msexample.test, pinned.test
[static_route pinned.test]
next_hop = sip.partner.test:5071
transport = tls
EOT
}

# ---- locate --------------------------------------------------------------------------------------
node "$tmp/n" ciscoexample.test
"$SIPFED_BIN" -c "$tmp/n/sipfed.ini" locate --from IMP bob@msexample.test >"$tmp/locate.out" 2>&1 \
    || { cat "$tmp/locate.out"; fail "locate exited non-zero"; }
grep -q "target=sip3.msexample.test.*<- chosen" "$tmp/locate.out" || { cat "$tmp/locate.out"; fail "locate: sip3 not chosen"; }
grep -q "priority=10 weight=100 port=5061 target=sip1.msexample.test" "$tmp/locate.out" \
    || fail "locate: the other SRV records are not listed"
grep -q "next hop: sip:sip3.msexample.test:5063;transport=tls;maddr=$N.13" "$tmp/locate.out" \
    || { cat "$tmp/locate.out"; fail "locate: next hop"; }
echo "ok - locate shows the SRV answers, the record chosen and the next hop"

"$SIPFED_BIN" -c "$tmp/n/sipfed.ini" locate --from IMP bob@pinned.test >"$tmp/pinned.out" 2>&1
grep -q "static route" "$tmp/pinned.out" && grep -q "SRV" "$tmp/pinned.out" && fail "locate: SRV queried for a static-route domain"
grep -q "next hop: sip:sip.partner.test:5071;transport=tls;maddr=$N.21" "$tmp/pinned.out" \
    || { cat "$tmp/pinned.out"; fail "locate: static route next hop"; }
echo "ok - locate shows the static route (no SRV lookup)"

"$SIPFED_BIN" -c "$tmp/n/sipfed.ini" locate --from IMP bob@nosuch.test >"$tmp/denied.out" 2>&1
grep -q "result: *403" "$tmp/denied.out" || { cat "$tmp/denied.out"; fail "locate: a domain outside the allow list"; }
echo "ok - locate shows 403 for a domain the policy refuses"

# ---- check --dns -------------------------------------------------------------------------------
"$SIPFED_BIN" -c "$tmp/n/sipfed.ini" check --dns >"$tmp/good.out" 2>&1 \
    || { cat "$tmp/good.out"; fail "check --dns: a correct record was reported"; }
grep -q "dns: 0 problems" "$tmp/good.out" || fail "check --dns: no summary"
echo "ok - check --dns accepts one in-namespace SRV record whose target our certificate names"

node "$tmp/b" "ciscoexample.test, none.test, two.test, outside.test, nocert.test"
"$SIPFED_BIN" -c "$tmp/b/sipfed.ini" check --dns >"$tmp/bad.out" 2>&1 && { cat "$tmp/bad.out"; fail "check --dns: problems not reported"; }
for want in "none.test: no _sipfederationtls._tcp.none.test SRV record" \
            "two.test: 2 _sipfederationtls._tcp records" \
            "outside.test: target sip.elsewhere.test is outside the domain's namespace.*1009" \
            "nocert.test: target sip.nocert.test is not in our certificate.*1010" \
            "two.test: target edge.ciscoexample.test is outside.*1009"; do
    grep -q "$want" "$tmp/bad.out" || { cat "$tmp/bad.out"; fail "check --dns: missing '$want'"; }
done
grep -q "ciscoexample.test: target" "$tmp/bad.out" && fail "check --dns: the good domain was reported"
echo "ok - check --dns reports no record, two records, 1009 and 1010"
echo "PASS t_dns_cli"
