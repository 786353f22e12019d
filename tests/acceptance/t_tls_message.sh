#!/usr/bin/env bash
# acceptance: ~44 s
# The main flows over TLS (SPEC §5.6): outbound MESSAGE IM&P -> Microsoft and inbound Microsoft ->
# IM&P, then SUBSCRIBE with its NOTIFY back along the recorded route. IM&P and the Microsoft edge
# are sipp behind stunnel: the IM&P tunnel presents imp1.ciscoexample.test (zone IMP by address
# and tls_verify_subject), the Microsoft tunnel sip.msexample.test (default zone, mutual TLS,
# authenticated because the certificate names the From domain). Outgoing, sipfed checks the name
# in each server certificate and sends its own certificate (both stunnel servers require one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

IMP_TUNNEL=5070; MS_TUNNEL=5071; MS_UAS=5065; IMP_UAS=5066

tls_node_file; tls_rules; tls_dns_start; start_sipfed
tls_outbound_message
wait_log "method=MESSAGE alias=bob@msexample.test src=IMP auth=yes rule=\"Outbound to Microsoft\" target=DNS next_hop=$MS_IP:$MS_PORT/tls status=200"
wait_log "event=handshake_done dir=out peer=$MS_IP:$MS_PORT version=TLSv1.[23] .*verified=yes names=sip.msexample.test"
wait_log "event=handshake_done dir=in peer=$IMP_IP:[0-9]+ .*verified=yes names=imp1.ciscoexample.test"

# Inbound: sip.msexample.test -> sipfed -> IM&P (imp1.ciscoexample.test)
stunnel_server imp-uas "$IMP_IP" "$IMP_PORT" imp1 "$IMP_UAS"
sipp_server imp "$SIPP_DIR/uas_message.xml" tcp "$IMP_IP" "$IMP_UAS"
stunnel_client ms-uac "$MS_IP" "$MS_TUNNEL" msedge
expect_ok in_uac sipp_tunnel_client in_uac "$T/uac_message_tls.xml" "$MS_IP" "$MS_TUNNEL" \
    -s alice -key from_domain msexample.test -key to_domain ciscoexample.test
expect_ok imp sipp_wait imp
wait_log "method=MESSAGE alias=alice@ciscoexample.test src=default auth=yes rule=\"Inbound to IM&P\" target=IMP next_hop=$IMP_IP:$IMP_PORT/tls status=200"
wait_log "event=handshake_done dir=out peer=$IMP_IP:$IMP_PORT .*verified=yes names=imp1.ciscoexample.test"
# Record-Route names the TLS side
grep -q "Record-Route: <sip:edge.ciscoexample.test;transport=tls;lr>" "$T/imp.msg" ||
    fail "no TLS Record-Route at IM&P"
pass "MESSAGE out and in over TLS (stunnel), names checked both ways"
