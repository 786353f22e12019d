#!/usr/bin/env bash
# XMPP gateway, presence both ways (shared/PRESENCE.md through proxy/presence):
#  1. The XMPP client subscribes to bob@msexample.test: the edge gets a SUBSCRIBE (Event:
#     presence, Microsoft formats accepted); its NOTIFY with categories availability 6500 reaches
#     the client as <show>dnd</show> + "Busy" (busy_as_dnd = on, as the issue asks; the default is
#     away + "Busy", Cisco Table 1), then 3500 as available; the XMPP unsubscribe becomes an
#     un-SUBSCRIBE.
#  2. A Microsoft SUBSCRIBE to the XMPP user: the user is asked (XMPP subscribe, approved by the
#     client), and the NOTIFYs' PIDF follows the user's XMPP presence: open, then away + "Lunch".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

GW_BUSY_AS_DND=on
gateway_lab_up
start_client carol carol@$XMPP_DOMAIN pw

# 1. XMPP user watches a Microsoft user
sipp_server ms "$SIPP_DIR/uas_gw_notifier.xml" tcp "$MS_IP" "$MS_PORT"
client_do carol subscribe bob@msexample.test
wait_client carol "^presence from=bob@msexample.test type=available show=dnd status=Busy$" 15
wait_client carol "^presence from=bob@msexample.test type=available show= status=$" 15
wait_gw_log "event=presence_to_xmpp from=bob@msexample.test to=carol@$XMPP_DOMAIN state=busy xmpp_show=dnd"
client_do carol unsubscribe bob@msexample.test
expect_ok ms sipp_wait ms
wait_client carol "^presence from=bob@msexample.test type=unavailable " 10
wait_log "method=SUBSCRIBE alias=bob@msexample.test src=XMPP .*rule=\"XMPP gateway to Microsoft\" target=DNS .*status=200"

# 2. A Microsoft user watches the XMPP user
sipp_client watcher "$SIPP_DIR/uac_gw_watcher.xml" tcp "$MS_IP" &
W_PID=$!
wait_client carol "^subscribe from=alice@msexample.test$" 15
wait_gw_log "event=presence_to_sip from=carol@$XMPP_DOMAIN to=alice@msexample.test state=available" 15
client_do carol presence away Lunch
wait "$W_PID" || { tail -n 20 "$T/watcher.err" "$T/watcher.out" >&2; fail "the watcher did not see the XMPP user's presence"; }
wait_gw_log "event=presence_to_sip from=carol@$XMPP_DOMAIN to=alice@msexample.test state=away number=15500"
wait_gw_log "event=presence_watcher_end local=carol@$XMPP_DOMAIN partner=alice@msexample.test"

stop_gateway
pass "presence XMPP <-> Microsoft through Prosody, the gateway and the proxy (6500 -> dnd, 3500 -> available; away -> PIDF away)"
