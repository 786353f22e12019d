#!/usr/bin/env bash
# acceptance: ~42 s
# Several inbound TLS connections from one peer (an Access Edge opens up to four, SPEC §5.6):
# three tunnels from the Microsoft address, each with its own sipp sending a MESSAGE at the same
# time; each sipp gets its 200, i.e. every response left on the connection its request came on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

IMP_UAS=5066; N=3
tls_node_file; tls_rules; tls_dns_start; start_sipfed
tls_xml "$SIPP_DIR/uac_message.xml" "$T/uac_message_tls.xml"

stunnel_server imp-uas "$IMP_IP" "$IMP_PORT" imp1 "$IMP_UAS"
sipp_server imp "$SIPP_DIR/uas_message.xml" tcp "$IMP_IP" "$IMP_UAS" -m "$N"
uacs=()
for i in $(seq "$N"); do
    stunnel_client "ms$i" "$MS_IP" "$((5070 + i))" msedge
done
for i in $(seq "$N"); do
    UAC_PORT=$((5090 + i)) sipp_tunnel_client "uac$i" "$T/uac_message_tls.xml" "$MS_IP" \
        "$((5070 + i))" -s "user$i" -key from_domain msexample.test \
        -key to_domain ciscoexample.test &
    uacs+=("$!")
done
for i in $(seq "$N"); do
    wait "${uacs[$((i - 1))]}" || { tail -n 5 "$T/uac$i.err" >&2; fail "uac$i got no 200"; }
    grep -q "SIP/2.0 200" "$T/uac$i.msg" || fail "uac$i: no 200 on its own connection"
done
sipp_done imp
for i in $(seq "$N"); do
    wait_log "method=MESSAGE alias=user$i@ciscoexample.test src=default auth=yes .*status=200"
done
conns=$(grep -E "event=handshake_done dir=in peer=$MS_IP:" "$T/sipfed.log" | sed 's/.*peer=//; s/ .*//' | sort -u | wc -l)
[ "$conns" -eq "$N" ] || fail "expected $N inbound connections from $MS_IP, saw $conns"
pass "$N inbound TLS connections from one peer, each answered on its own"
