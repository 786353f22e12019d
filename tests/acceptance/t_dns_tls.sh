#!/bin/sh
# t_dns_tls.sh — the DNS zone over TLS and partner authentication (SPEC §5.3, §5.5):
#   - outbound via _sipfederationtls._tcp to a partner edge (stunnel + sipp) whose certificate
#     names the SRV target: delivered
#   - a partner edge whose certificate does not name the SRV target: refused, 503 at once, and a
#     log line naming the expected name
#   - inbound over mutual TLS: a client certificate for sip.partner.test authenticates From
#     partner.test (a rule with authenticated = yes matches); a spoofed From (msexample.test)
#     with the same certificate is not authenticated (the rule does not match: 404)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${SIPFED_TEST_NET:=127.0.0}"
. "$here/dns_zone.sh"
. "$here/dns_proxy.sh"
dns_test_begin

SIPFED_ADDR="$N.2"
SIPFED_PORT=5060
IMP="$N.5"
dns_start "$tmp" \
    --srv-host=_sipfederationtls._tcp.wrong.test,sip.wrong.test,5061,0,0 \
    --host-record=sip.wrong.test,"$N.14" || exit 1

dns_node_ini "$tmp/n" "tcp:$SIPFED_ADDR:5060, tls:$SIPFED_ADDR:5061" "$DNS_ADDR:$DNS_PORT"
cat >"$tmp/n/rules/dial.ini" <<EOT
[zone IMP]
type = neighbor
peers = $IMP:5062
transport = tcp
authenticated = yes
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
pattern = .*@ciscoexample\.test
target = IMP
[federation]
local_domains = ciscoexample.test
privacy = off
EOT
sipfed_start n "$tmp/n"

# stunnel NAME CONF-BODY: run stunnel in the foreground with this service section.
stunnel_start() {
    { echo "foreground = yes"; echo "pid ="; echo "debug = 4"; echo "output = $tmp/$1.log"
      echo "sslVersionMin = TLSv1.2"; echo "[$1]"; cat; } >"$tmp/$1.conf"
    stunnel "$tmp/$1.conf" >/dev/null 2>&1 &
    PIDS="$PIDS $!"
}
wait_tcp() { # IP PORT
    i=0
    while [ $i -lt 100 ]; do
        ss -ltnH "src $1:$2" 2>/dev/null | grep -q . && return 0
        sleep 0.05; i=$((i + 1))
    done
    fail "nothing listens on $1:$2"
}

# ---- outbound: the partner edge's certificate names the SRV target ---------------------------
# _sipfederationtls._tcp.partner.test -> sip.partner.test:5061 (dns_zone.sh); its certificate
# names sip.partner.test.
stunnel_start partner <<EOT
accept = $N.21:5061
connect = $N.21:5070
cert = $C/partner.pem
key = $C/partner.key
EOT
wait_tcp "$N.21" 5061
sipp_uas pt "$tmp" "$N.21" 5070 MESSAGE
sipp_uac out_ok "$tmp" "$IMP" MESSAGE bob@partner.test alice@ciscoexample.test 200 \
    || fail "outbound over TLS to sip.partner.test: no 200 (see $tmp/out_ok.msg)"
wait_for "$tmp/n/n.log" "event=handshake_done dir=out peer=$N.21:5061 .*names=sip.partner.test" 5 \
    || fail "no verified outgoing handshake with sip.partner.test"
echo "ok - outbound over TLS to the SRV target, whose certificate names it"

# ---- outbound: a certificate without the SRV target's name -------------------------------------
stunnel_start wrong <<EOT
accept = $N.14:5061
connect = $N.14:5070
cert = $C/wrongname.pem
key = $C/wrongname.key
EOT
wait_tcp "$N.14" 5061
sipp_uas wr "$tmp" "$N.14" 5070 MESSAGE
sipp_uac out_wrong "$tmp" "$IMP" MESSAGE bob@wrong.test alice@ciscoexample.test 503 10 \
    || fail "certificate name mismatch: expected 503"
check_ms=$(cat "$tmp/out_wrong.took")
[ "$check_ms" -le 5000 ] || fail "mismatch refused after $check_ms ms"
wait_for "$tmp/n/n.log" "event=handshake_failed dir=out peer=$N.14:5061 expected=sip.wrong.test" 5 \
    || fail "no log line naming the expected name"
grep -q "MESSAGE sip:bob@wrong.test" "$tmp/wr.msg" 2>/dev/null && fail "the request reached the mismatched edge"
echo "ok - certificate name mismatch refused with 503 in $check_ms ms, logged with the expected name"

# ---- inbound over mutual TLS: authenticated From, spoofed From -------------------------------
stunnel_start in <<EOT
client = yes
accept = $N.30:5080
connect = $SIPFED_ADDR:5061
local = $N.30
cert = $C/partner.pem
key = $C/partner.key
CAfile = $C/ca.pem
verifyChain = yes
checkHost = edge.ciscoexample.test
EOT
wait_tcp "$N.30" 5080
sipp_uas imp "$tmp" "$IMP" 5062 MESSAGE
SIPFED_ADDR="$N.30" SIPFED_PORT=5080 VIA=TLS \
    sipp_uac in_ok "$tmp" "$N.30" MESSAGE alice@ciscoexample.test bob@partner.test 200 \
    || fail "inbound with a certificate naming the From domain: expected 200"
SIPFED_ADDR="$N.30" SIPFED_PORT=5080 VIA=TLS \
    sipp_uac in_spoof "$tmp" "$N.30" MESSAGE alice@ciscoexample.test eve@msexample.test 404 \
    || fail "inbound with a spoofed From: expected 404 (not authenticated)"
echo "ok - mutual TLS: the certificate's domain is authenticated, a spoofed From is not"
echo "PASS t_dns_tls"
