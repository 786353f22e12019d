#!/usr/bin/env bash
# Presence crossing the proxy (SPEC §7, PRESENCE.md): an IM&P watcher subscribes to a Microsoft
# user; the piggy-backed first NOTIFY in the 200 (ms-piggyback-cseq), a categories NOTIFY, a
# batched multipart BENOTIFY and the final empty NOTIFY are each mapped and logged
# (module=presence entity=... state=... xmpp_show=... xmpp_status="..."), and still delivered.
. "$(dirname "$0")/lib.sh"

round() {
    local tp=$1
    lab_start "$tp"

    sipp_server ms "$SIPP_DIR/uas_presence.xml" "$tp" "$MS_IP" "$MS_PORT" -s bob
    uac_from_imp out_uac "$SIPP_DIR/uac_subscribe.xml" "$tp" bob
    sipp_done ms
    # the notifier's NOTIFY, BENOTIFY and final NOTIFY carry the watcher's tag
    to_tagged out_uac 'sip:watcher@watcher\.test' 3
    wait_log 'module=presence entity=sip:bob@notifier.test state=busy xmpp_show=away xmpp_status="Busy - In a call" method=SUBSCRIBE-2xx activity=on-the-phone'
    wait_log 'module=presence entity=sip:bob@notifier.test state=away xmpp_show=away xmpp_status="Out of office until next week" method=NOTIFY'
    wait_log 'module=presence entity=sip:carol@notifier.test state=busy xmpp_show=away xmpp_status="Busy" method=BENOTIFY'
    wait_log 'module=presence entity=sip:dave@notifier.test state=offline xmpp_show=none xmpp_status="" method=BENOTIFY xmpp_type=unavailable'
    wait_log 'module=presence entity=sip:bob@notifier.test state=offline .*method=NOTIFY xmpp_type=unavailable remark="empty body, Subscription-State: terminated'
    # forwarded unchanged: the watcher got the piggy-backed body and the whole batch
    [ "$(msg_count out_uac 'ms-piggyback-cseq: 1')" -eq 1 ] || fail "the piggy-backed 200 lost its header"
    [ "$(msg_count out_uac '^--sipfed-batch--')" -eq 1 ] || fail "the batch did not reach the watcher whole"
}

for_each_transport round
pass "presence mapped and logged over ${TRANSPORTS:-udp tcp}"
