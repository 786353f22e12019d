#!/usr/bin/env bash
# `sipfed locate` shows the SRV answers, the record chosen and the next hop of a DNS-zone target
# (or its static route, or the policy's 403); `sipfed check --dns` verifies our own published
# records as a Microsoft edge would: no record, more than one record, a target outside the
# domain's namespace (ms-diagnostics 1009), a target our certificate does not name (1010).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_zone.sh"

dns_start \
    --srv-host=_sipfederationtls._tcp.ciscoexample.test,edge.ciscoexample.test,5061,0,0 \
    --host-record=edge.ciscoexample.test,"$PROXY_IP" \
    --srv-host=_sipfederationtls._tcp.two.test,edge.ciscoexample.test,5061,0,0 \
    --srv-host=_sipfederationtls._tcp.two.test,sip.two.test,5061,1,0 \
    --srv-host=_sipfederationtls._tcp.outside.test,sip.elsewhere.test,5061,0,0 \
    --host-record=sip.elsewhere.test,"$NET.3" \
    --srv-host=_sipfederationtls._tcp.nocert.test,sip.nocert.test,5061,0,0 \
    --host-record=sip.nocert.test,"$NET.4" || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT

# node LOCAL_DOMAINS
node() {
    dns_node_ini "tcp:$PROXY_IP:$PROXY_PORT" "$DNS_ADDR:$DNS_PORT"
    cat >"$T/rules/dial.ini" <<INI
$(dns_imp_zone)
[zone DNS]
type = dns
[rule "IMP out"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS
[federation]
local_domains = $1
privacy = allow_list
domains = msexample.test, pinned.test
[static_route pinned.test]
next_hop = sip.partner.test:5071
transport = tls
INI
}

node ciscoexample.test
locate() { "$SIPFED" -c "$T/sipfed.ini" locate --from IMP "$1" >"$T/$2.out" 2>&1; }
locate_has() { grep -qE -- "$2" "$T/$1.out" || { cat "$T/$1.out" >&2; fail "locate $1: no /$2/"; }; }

locate bob@msexample.test ms || fail "locate exited non-zero"
locate_has ms "target=sip3.msexample.test .*<- chosen"
locate_has ms "priority=10 weight=100 port=5061 target=sip1.msexample.test"
locate_has ms "next hop: sip:sip3.msexample.test:5063;transport=tls;maddr=$NET.13 "
locate bob@pinned.test pinned
locate_has pinned "static route"
grep -q "SRV" "$T/pinned.out" && fail "locate: SRV queried for a static-route domain"
locate_has pinned "next hop: sip:sip.partner.test:5071;transport=tls;maddr=$NET.21 "
locate bob@nosuch.test denied
locate_has denied "result: +403"
pass "locate: SRV answers, the chosen record and next hop; static route without SRV; policy 403"

"$SIPFED" -c "$T/sipfed.ini" check --dns >"$T/good.out" 2>&1 \
    || { cat "$T/good.out" >&2; fail "check --dns reported a correct record"; }
grep -q "dns: 0 problems" "$T/good.out" || fail "check --dns: no summary"
# the sample docs/dns.md shows
for want in "dns: ciscoexample.test: SRV priority=0 weight=0 edge.ciscoexample.test:5061 (the record a Microsoft edge uses)" \
            "dns: ciscoexample.test: edge.ciscoexample.test has address $PROXY_IP"; do
    grep -qxF -- "$want" "$T/good.out" || { cat "$T/good.out" >&2; fail "check --dns: no line '$want'"; }
done

node "ciscoexample.test, none.test, two.test, outside.test, nocert.test"
"$SIPFED" -c "$T/sipfed.ini" check --dns >"$T/bad.out" 2>&1 && { cat "$T/bad.out" >&2; fail "check --dns: problems not reported"; }
for want in "none.test: no _sipfederationtls._tcp.none.test SRV record" \
            "two.test: 2 _sipfederationtls._tcp records" \
            "two.test: target edge.ciscoexample.test is outside the domain's namespace.*1009" \
            "outside.test: target sip.elsewhere.test is outside the domain's namespace.*1009" \
            "nocert.test: target sip.nocert.test is not in our certificate.*1010"; do
    grep -q -- "$want" "$T/bad.out" || { cat "$T/bad.out" >&2; fail "check --dns: missing '$want'"; }
done
grep -q "ciscoexample.test: target" "$T/bad.out" && fail "check --dns reported the good domain"
pass "check --dns: one good record accepted; no record, two records, 1009 and 1010 reported"
