#!/usr/bin/env bash
# acceptance: ~38 s
# SUBSCRIBE/NOTIFY over TLS in both directions (the presence flow of SPEC §5.6 and issue 3): the
# SUBSCRIBE is searched, the NOTIFY and BENOTIFY come back along the recorded route to the
# watcher's Contact, the un-SUBSCRIBE goes to the notifier's Contact, every hop TLS. Each sipp sits
# behind a client tunnel (what it sends) and a server tunnel (what is sent to its Contact).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

tls_node_file; tls_rules; tls_dns_start; start_sipfed

# round NAME WATCHER_IP WATCHER_CERT FROM_DOMAIN NOTIFIER_IP NOTIFIER_TLS_PORT NOTIFIER_CERT
#       TO_DOMAIN USER SRC TARGET
round() {
    local name=$1 wip=$2 wcert=$3 wdom=$4 nip=$5 nport=$6 ncert=$7 ndom=$8 user=$9
    local src=${10} target=${11}
    local w_tunnel=5070 w_contact=5080 n_sipp=5066
    tls_xml "$SIPP_DIR/uac_subscribe.xml" "$T/$name-uac.xml" "$w_contact"
    tls_xml "$SIPP_DIR/uas_subscribe.xml" "$T/$name-uas.xml" "$nport"

    stunnel_server "${name}_n" "$nip" "$nport" "$ncert" "$n_sipp"
    sipp_server "${name}_ntf" "$T/$name-uas.xml" tcp "$nip" "$n_sipp" -s "$user"
    stunnel_server "${name}_wc" "$wip" "$w_contact" "$wcert" "$UAC_PORT"
    stunnel_client "${name}_w" "$wip" "$w_tunnel" "$wcert"
    expect_ok "${name}_wat" sipp_tunnel_client "${name}_wat" "$T/$name-uac.xml" "$wip" "$w_tunnel" \
        -s "$user" -key from_domain "$wdom" -key to_domain "$ndom"
    expect_ok "${name}_ntf" sipp_wait "${name}_ntf"
    wait_log "method=SUBSCRIBE alias=$user@$ndom src=$src .*target=$target .*/tls status=200"
    wait_log "method=NOTIFY .*rule=\"dialog\" target=route next_hop=$wip:$w_contact/tls status=200"
    [ "$(msg_count "${name}_wat" '^BENOTIFY ')" -eq 1 ] || fail "$name: the BENOTIFY did not reach the watcher"
    [ "$(msg_count "${name}_ntf" 'CSeq: 2 BENOTIFY')" -eq 1 ] || fail "$name: the BENOTIFY was answered"
}

round in "$MS_IP" msedge msexample.test "$IMP_IP" "$IMP_PORT" imp1 ciscoexample.test alice \
    default IMP
stop_all
tls_dns_start; start_sipfed
round out "$IMP_IP" imp1 ciscoexample.test "$MS_IP" "$MS_PORT" msedge msexample.test bob IMP DNS
pass "SUBSCRIBE/NOTIFY/BENOTIFY both ways over TLS"
