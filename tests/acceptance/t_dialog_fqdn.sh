#!/usr/bin/env bash
# In-dialog requests along a Record-Route entry that names the far edge by FQDN (as a Microsoft
# Access Edge records itself): the proxy removes its own Route entry and resolves the next one's
# host through its resolver (dnsmasq here), never through nta's. UDP and TCP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_zone.sh"

round() {
    local tp=$1
    node_file "$tp"; lab_rules "$tp"
    sed -i "s/^\[log\]/[dns]\nservers = $DNS_ADDR:$DNS_PORT\n[log]/" "$T/sipfed.ini"
    start_sipfed
    # The far side's 200 carries the edge's own Record-Route above ours.
    sed 's|^\[last_Record-Route:\]$|Record-Route: <sip:edge.msexample.test:'"$MS_PORT"';transport=[transport];lr>\n[last_Record-Route:]|' \
        "$SIPP_DIR/uas_session.xml" > "$T/uas_session_rr.xml"
    # The ACK and the first MESSAGE each wait for the same first DNS answer, which may deliver
    # them in either order (SIP allows it; this sipp far side does not): the caller leaves the
    # ACK a head start, as a person typing would.
    python3 - "$SIPP_DIR/uac_session.xml" "$T/uac_session_slow.xml" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index("CSeq: 1 ACK")
j = s.index("</send>", i) + len("</send>")
open(sys.argv[2], "w").write(s[:j] + '\n  <pause milliseconds="300"/>' + s[j:])
PY
    sipp_server ms "$T/uas_session_rr.xml" "$tp" "$MS_IP" "$MS_PORT"
    uac_from_imp uac "$T/uac_session_slow.xml" "$tp" bob
    sipp_done ms
    grep -q "^Route: <sip:edge.msexample.test:$MS_PORT" "$T/ms.msg" ||
        fail "the far side did not get the in-dialog request with its own Route entry"
    wait_log "method=MESSAGE .*rule=\"route\" target=route next_hop=$MS_IP:$MS_PORT/$tp status=200"
    wait_log "method=BYE .*rule=\"route\" target=route next_hop=$MS_IP:$MS_PORT/$tp status=200"
}

dns_start "$T" --host-record=edge.msexample.test,"$MS_IP" || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT
for_each_transport round
pass "in-dialog requests routed to the far edge's Record-Route FQDN over ${TRANSPORTS:-udp tcp}"
