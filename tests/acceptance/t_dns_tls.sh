#!/usr/bin/env bash
# The DNS zone over TLS and partner authentication (SPEC §5.3, §5.5):
#   - outbound via _sipfederationtls._tcp to a partner edge (stunnel + sipp) whose certificate
#     names the SRV target: delivered
#   - a partner edge whose certificate does not name the SRV target: refused, 502 at once with a
#     Warning "TLS name mismatch: expected sip.wrong.test", and a
#     log line naming the expected and the presented names; the request never reaches it
#   - inbound over mutual TLS: a client certificate for sip.partner.test authenticates From
#     partner.test (a rule with authenticated = yes matches); a spoofed From (msexample.test)
#     over the same certificate is not authenticated (the rule does not match: 404)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"
. "$(dirname "$0")/dns_zone.sh"

CERTS=$PKI            # sipfed and the tunnels share this scenario's PKI
INET=$NET.30
dns_start \
    --srv-host=_sipfederationtls._tcp.wrong.test,sip.wrong.test,5061,0,0 \
    --host-record=sip.wrong.test,"$NET.14" || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT

dns_node_ini "tcp:$PROXY_IP:$PROXY_PORT, tls:$PROXY_IP:$TLS_PORT" "$DNS_ADDR:$DNS_PORT"
cat >"$T/rules/dial.ini" <<INI
$(dns_imp_zone)
[zone DNS]
type = dns
[zone default]
type = default
require_client_certificate = on
authenticated = verified
[rule "IMP out"]
priority = 100
source = IMP
pattern = .*@.*
target = DNS
[rule "Partners in, authenticated"]
priority = 200
source = default
authenticated = yes
pattern = .*@ciscoexample\\.test
target = IMP
[federation]
local_domains = ciscoexample.test
privacy = off
INI
start_sipfed

# _sipfederationtls._tcp.partner.test -> sip.partner.test:5061 (dns_zone.sh): its certificate
# names sip.partner.test.
stunnel_server partner "$NET.21" 5061 partner 5070
dns_uas pt "$NET.21" 5070 MESSAGE
expect_ok out_ok dns_uac out_ok "$IMP_IP" MESSAGE bob@partner.test ciscoexample.test 200
wait_log "event=handshake_done dir=out peer=$NET.21:5061 .*verified=yes names=sip.partner.test"
pass "outbound over TLS to the SRV target, whose certificate names it"

stunnel_server wrong "$NET.14" 5061 wrongname 5070
dns_uas wr "$NET.14" 5070 MESSAGE
expect_ok out_wrong dns_uac out_wrong "$IMP_IP" MESSAGE bob@wrong.test ciscoexample.test 502
grep -q '^Warning: 399 edge.ciscoexample.test ".*TLS name mismatch: expected sip.wrong.test"' \
    "$T/out_wrong.msg" || fail "502 without the Warning naming the expected name"
grep -q "^Retry-After:" "$T/out_wrong.msg" && fail "a partner's bad certificate answered with Retry-After"
took=$(cat "$T/out_wrong.took")
[ "$took" -le 5000 ] || fail "mismatch refused after $took ms"
wait_log "event=handshake_failed dir=out peer=$NET.14:5061 expected=sip.wrong.test .*CN=wrong.example.test: hostname mismatch"
[ "$(msg_count wr 'bob@wrong.test')" -eq 0 ] || fail "the request reached the mismatched edge"
pass "SRV target missing from the certificate: 502 + Warning in $took ms, expected and presented names logged"

stunnel_client in "$INET" 5080 partner
dns_uas imp "$IMP_IP" "$IMP_PORT" MESSAGE
for name in in_ok in_spoof; do
    status=200 from=partner.test
    [ $name = in_spoof ] && status=404 from=msexample.test
    uac_xml "$T/$name.plain.xml" MESSAGE sip:alice@ciscoexample.test $status
    tls_xml "$T/$name.plain.xml" "$T/$name.xml"
    expect_ok $name sipp_tunnel_client $name "$T/$name.xml" "$INET" 5080 \
        -key from_domain $from -key max_forwards 70
done
wait_log "alias=alice@ciscoexample.test src=default auth=yes rule=\"Partners in, authenticated\" target=IMP .*status=200"
wait_log "alias=alice@ciscoexample.test src=default auth=no rule=\"-\" .*status=404"
pass "mutual TLS: the certificate's domain is authenticated, a spoofed From is not"
