#!/usr/bin/env bash
# acceptance: alone (1100 requests must arrive within the 4 s a transaction lives; a loaded machine stretches the burst)
# Overload under a flood, as the metrics see it: 1100 MESSAGEs in one burst on one TCP connection
# toward a black hole: the first 1000 become transactions (the admission limit) that live until
# their attempt times out (4 s), so exactly the last 100 are refused with the proxy's own 503;
# /metrics and /status count each of them.
. "$(dirname "$0")/lib.sh"

RAW=$ROOT/tests/acceptance/raw
N=1100
LIMIT=1000    # forward_overload.c FWD_MAX_ACTIVE

node_file tcp
lab_rules tcp
admin_on
start_sipfed
wait_until 10 port_open tcp "$PROXY_IP" "$ADMIN_PORT" || fail "admin listener not open"
python3 "$ROOT/tests/acceptance/sipraw.py" uas tcp "$MS_IP:$MS_PORT" "$T/ms.req" --silent &
PIDS+=($!)
wait_until 10 port_open tcp "$MS_IP" "$MS_PORT" || fail "the black hole did not start"

r=$(timeout 30 python3 "$ROOT/tests/acceptance/sipraw.py" flood tcp "$PROXY_IP:$PROXY_PORT" \
    "$IMP_IP" "$N" "$RAW/message_out.sip" --wait 8 --pace 5)
echo "  flood: $r"
n503=$(echo "$r" | grep -oE ' 503=[0-9]+' | cut -d= -f2)
[ "${n503:-0}" -eq $((N - LIMIT)) ] || fail "flood: ${n503:-0} refused with 503, expected $((N - LIMIT))"
metric_is sipfed_overload_refused_total "$n503"
metric_is 'sipfed_requests_total{method="MESSAGE",source_zone="unclassified",status_class="5xx"}' "$n503"
admin_get status | python3 -c '
import json, sys
o = json.load(sys.stdin)["overload"]
assert o["refused_total"] == 100, o' ||
    fail "/status does not show the overload"
promtool_check
pass "$n503 overload refusals counted in sipfed_overload_refused_total and by zone/class"
