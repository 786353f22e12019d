#!/usr/bin/env bash
# The two sides on different transports (IM&P over TCP, Microsoft over UDP and the reverse):
# the proxy records its route twice (RFC 5658), one entry per side with that side's transport,
# and every in-dialog request crosses over correctly in both directions.
. "$(dirname "$0")/lib.sh"

round() {
    local imp_tp=$1 ms_tp
    if [ "$imp_tp" = tcp ]; then ms_tp=udp; else ms_tp=tcp; fi
    node_file udp tcp; lab_rules "$imp_tp" "" "$ms_tp"; start_sipfed
    sipp_server ms "$SIPP_DIR/uas_session.xml" "$ms_tp" "$MS_IP" "$MS_PORT"
    uac_from_imp uac "$SIPP_DIR/uac_session.xml" "$imp_tp" bob
    sipp_done ms
    grep -qiE "^Record-Route: <sip:edge\.ciscoexample\.test;transport=$ms_tp;lr>, ?<sip:edge\.ciscoexample\.test;transport=$imp_tp;lr>|^Record-Route: <sip:edge\.ciscoexample\.test;transport=$ms_tp;lr>$" "$T/ms.msg" ||
        fail "no double Record-Route ($ms_tp side first) at the far side"
    grep -qi "^Record-Route: .*transport=$imp_tp;lr" "$T/ms.msg" || fail "the $imp_tp-side entry is missing"
    wait_log "method=MESSAGE .*rule=\"dialog\" target=route next_hop=$MS_IP:$MS_PORT/$ms_tp status=200"
    wait_log "method=MESSAGE .*rule=\"dialog\" target=route next_hop=$IMP_IP:$UAC_PORT/$imp_tp status=200"
    wait_log "method=BYE .*rule=\"dialog\" target=route next_hop=$MS_IP:$MS_PORT/$ms_tp status=200"
}

TRANSPORTS="tcp udp" for_each_transport round
pass "double Record-Route across TCP<->UDP, in-dialog both ways"
