#!/usr/bin/env bash
# The admin listener's /metrics moves with the traffic: requests by method, source zone and
# status class (200 routed, 404 no rule), a DNS zone lookup by result, a TLS handshake failure
# by reason; /history shows the rules the search tried for the request just sent; /status and
# /presence are JSON; every /metrics passes `promtool check metrics`.
. "$(dirname "$0")/lib.sh"

TLS_PORT=5061
node_file tcp
sed -i "s/^listen = .*/&, tls:$PROXY_IP:$TLS_PORT/" "$T/sipfed.ini"
lab_rules tcp
# A DNS zone route for a name that cannot exist (RFC 6761: answered at once, no server).
cat >> "$T/rules/lab.ini" <<'INI'

[rule "Outbound to the void"]
priority = 120
source = IMP
pattern = .*@nowhere\.invalid
target = DNS
INI
admin_on
start_sipfed
wait_until 10 port_open tcp "$PROXY_IP" "$ADMIN_PORT" || fail "admin listener not open"
wait_log "module=admin event=listen url=http://$ADMIN/"

promtool_check
grep -q '^sipfed_build_info{version="[0-9.]*",sofia_sip="[^"]*"} 1$' "$T/metrics.txt" ||
    fail "no sipfed_build_info"
metric_is 'sipfed_requests_total{method="MESSAGE",source_zone="IMP",status_class="2xx"}' 0

# A MESSAGE routed IM&P -> Microsoft: 200.
sipp_server ms "$SIPP_DIR/uas_message.xml" tcp "$MS_IP" "$MS_PORT"
expect_ok out_uac sipp_client out_uac "$SIPP_DIR/uac_message.xml" tcp "$IMP_IP" -s bob \
    -key from_domain ciscoexample.test -key to_domain msexample.test
expect_ok ms sipp_wait ms
metric_is 'sipfed_requests_total{method="MESSAGE",source_zone="IMP",status_class="2xx"}' 1

# A MESSAGE no rule matches: 404, with the rules tried in /history.
uac_xml "$T/uac_404.xml" MESSAGE sip:carol@nowhere.example 404
expect_ok uac_404 sipp_client uac_404 "$T/uac_404.xml" tcp "$IMP_IP" \
    -key from_domain ciscoexample.test -key max_forwards 70
metric_is 'sipfed_requests_total{method="MESSAGE",source_zone="IMP",status_class="4xx"}' 1
metric_is 'sipfed_requests_total{method="MESSAGE",source_zone="IMP",status_class="2xx"}' 1

admin_get 'history?n=2' > "$T/history.json" || fail "GET /history failed"
python3 - "$T/history.json" "$MS_IP:$MS_PORT/tcp" <<'PY' || fail "/history: $(cat "$T/history.json")"
import json, sys
h = json.load(open(sys.argv[1]))
assert h["kept"] == 2 and h["capacity"] == 256, h
last, first = h["entries"]
assert last["status"] == 404 and last["alias"] == "carol@nowhere.example", last
assert last["source_zone"] == "IMP" and last["method"] == "MESSAGE", last
tried = {s["rule"]: s["verdict"] for s in last["rules_tried"]}
assert tried["Outbound to Microsoft"] == "pattern", tried
assert tried["Inbound to IM&P"] == "source", tried
assert last["reason"] == "no search rule matched", last
assert first["status"] == 200 and first["rule"] == "Outbound to Microsoft", first
assert first["target"] == "DNS" and first["next_hop"] == sys.argv[2], first
assert {"rule": "Outbound to Microsoft", "verdict": "matched"} in first["rules_tried"], first
assert last["seq"] == first["seq"] + 1 and last["time"] >= first["time"], h
PY
[ "$(admin_get 'history?n=1' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')" = 1 ] ||
    fail "/history?n=1 is not one entry"

# A DNS zone lookup: counted by result.
uac_xml "$T/uac_void.xml" MESSAGE sip:dave@nowhere.invalid 404
expect_ok uac_void sipp_client uac_void "$T/uac_void.xml" tcp "$IMP_IP" \
    -key from_domain ciscoexample.test -key max_forwards 70
metric_is 'sipfed_dns_queries_total{result="no_srv"}' 1
metric_is 'sipfed_dns_cache_hits_total' 0

# TLS handshake failures, counted by reason: a client that does not trust our certificate
# (it aborts with a fatal alert), then plain text on the TLS port (sofia closes it).
timeout 10 openssl s_client -connect "$PROXY_IP:$TLS_PORT" -verify_return_error \
    -CAfile "$CERTS/edge.pem" </dev/null >"$T/s_client.out" 2>&1 && fail "s_client trusted us"
metric_is 'sipfed_tls_handshakes_total{direction="in",result="alert_received"}' 1
wait_log 'module=tls event=handshake_failed dir=in .*reason="received alert'

python3 - "$PROXY_IP" "$TLS_PORT" <<'PY' || fail "cannot connect to the TLS port"
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), 5)
s.sendall(b"OPTIONS sip:edge.ciscoexample.test SIP/2.0\r\n\r\n")
s.settimeout(5)
try:
    s.recv(100)      # the proxy closes the connection
except OSError:
    pass
PY
metric_is 'sipfed_tls_handshakes_total{direction="in",result="closed"}' 1

# /status and /presence are JSON with the live state.
admin_get status > "$T/status.json" || fail "GET /status failed"
python3 - "$T/status.json" <<'PY' || fail "/status: $(cat "$T/status.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["hostname"] == "edge.ciscoexample.test" and s["version"], s
assert s["configuration"]["generation"] == 1 and s["configuration"]["last_reload"] is None, s
zones = {z["name"]: z for z in s["zones"]}
assert zones["IMP"]["type"] == "neighbor" and zones["IMP"]["peers"][0]["resolved"], zones
assert zones["DNS"]["type"] == "dns", zones
assert s["overload"]["overloaded"] is False, s
assert s["counters"]["requests"] >= 3, s
assert s["dns"]["results"]["no_srv"] == 1, s
assert s["tls"]["handshakes"]["in"]["alert_received"] == 1, s
assert s["tls"]["handshakes"]["in"]["closed"] == 1, s
PY
admin_get presence | python3 -c 'import json,sys; p=json.load(sys.stdin); assert p["count"] == 0 and p["max"] > 0, p' ||
    fail "/presence is not the expected JSON"

# Wrong method and path.
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$ADMIN/metrics")" = 405 ] || fail "POST not refused"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADMIN/nothing")" = 404 ] || fail "unknown path not 404"
promtool_check
pass "requests, DNS and TLS counted; /history shows the rules tried; promtool accepts /metrics"
