#!/usr/bin/env bash
# first-message.sh — send one MESSAGE through the running lab proxy (`make run`), the way the
# README walks through it: sipp plays an IM&P user (127.0.0.2) and a Microsoft user (127.0.0.3).
# Debian's sipp has no TLS and the lab zones are TLS, so stunnel wraps both sipp legs with the
# lab certificates (imp1.ciscoexample.test towards the proxy, sip.msexample.test as the edge).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
certs=$root/certs/lab
work=$(mktemp -d /tmp/sipfed-first.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
for c in imp1 msedge; do
    [ -s "$certs/$c.pem" ] || { echo "first-message: $certs/$c.pem missing: make certs" >&2; exit 2; }
done
ss -Hltn 'src 127.0.0.1:5061' | grep -q . || { echo "first-message: no proxy on 127.0.0.1:5061: run 'make run' first" >&2; exit 2; }

# The Microsoft edge: TLS on 127.0.0.3:5061 (the lab static route), plain TCP to sipp on :15061.
cat > "$work/edge.conf" <<CONF
foreground = yes
pid =
[edge]
accept = 127.0.0.3:5061
connect = 127.0.0.3:15061
cert = $certs/msedge.pem
key = $certs/msedge.key
CAfile = $certs/ca.pem
verifyChain = yes
requireCert = yes
sslVersionMin = TLSv1.2
CONF
# The IM&P node: sipp talks TCP to 127.0.0.2:15062, stunnel connects from 127.0.0.2 (the IMP
# zone's peer address) with the imp1 certificate and checks the proxy's name.
cat > "$work/imp.conf" <<CONF
foreground = yes
pid =
[imp]
client = yes
accept = 127.0.0.2:15062
connect = 127.0.0.1:5061
local = 127.0.0.2
cert = $certs/imp1.pem
key = $certs/imp1.key
CAfile = $certs/ca.pem
verifyChain = yes
checkHost = edge.ciscoexample.test
sslVersionMin = TLSv1.2
CONF
stunnel "$work/edge.conf" >"$work/edge.log" 2>&1 & pids+=($!)
stunnel "$work/imp.conf" >"$work/imp.log" 2>&1 & pids+=($!)
sipp -sf "$root/tests/acceptance/sipp/uas_message.xml" -t t1 -i 127.0.0.3 -p 15061 -m 1 -nostdin \
    -timeout 15s -trace_msg -message_file "$work/bob.msg" >/dev/null 2>&1 & uas=$!; pids+=($uas)
for _ in $(seq 100); do
    ss -Hltn 'src 127.0.0.2:15062' | grep -q . && ss -Hltn 'src 127.0.0.3:5061' | grep -q . &&
        ss -Hltn 'src 127.0.0.3:15061' | grep -q . && break
    sleep 0.1
done
if sipp -sf "$root/tests/acceptance/sipp/uac_message_tls.xml" -t t1 -i 127.0.0.2 -p 15090 -m 1 \
        -nostdin -timeout 15s -timeout_error -s bob -key from_domain ciscoexample.test \
        -key to_domain msexample.test 127.0.0.2:15062 >/dev/null 2>&1 && wait "$uas"; then
    echo "first-message: alice@ciscoexample.test -> bob@msexample.test: 200 OK"
    echo "bob received:"
    sed -n '/^MESSAGE /,/^$/p' "$work/bob.msg"
    exit 0
fi
echo "first-message: the MESSAGE did not get through; see the proxy's log" >&2
cat "$work"/*.log >&2
exit 1
