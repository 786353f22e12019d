#!/usr/bin/env bash
# XMPP gateway, instant messages: a real Prosody, the gateway as its XEP-0114 component for
# msexample.test, the sipfed proxy (gateway zone XMPP) and sipp as the Microsoft edge.
#  1. XMPP -> Microsoft: the edge sees INVITE (m=message) through the proxy, a MESSAGE with the
#     text, answers with a MESSAGE in the dialog (which reaches the XMPP client) and gets a BYE
#     once the session has been idle.
#  2. Microsoft -> XMPP: INVITE + MESSAGE arrive as a chat message; the XMPP user's answer goes
#     back in the same dialog.
#  3. A failed INVITE (486) comes back to the XMPP sender as <message type='error'>.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

gateway_lab_up
start_client carol carol@$XMPP_DOMAIN pw

# 1. XMPP -> Microsoft
sipp_server ms "$SIPP_DIR/uas_session.xml" tcp "$MS_IP" "$MS_PORT" -s bob
client_do carol send bob@msexample.test hello from xmpp
wait_client carol "^message from=bob@msexample.test type=chat body=reply in dialog$" 15
expect_ok ms sipp_wait ms
grep -q "hello from xmpp" "$T/ms.msg" || fail "the MESSAGE did not carry the XMPP text"
grep -qE "^m=message [0-9]+ sip null" "$T/ms.msg" || fail "no m=message SDP in the INVITE"
wait_log "method=INVITE alias=bob@msexample.test src=XMPP .*rule=\"XMPP gateway to Microsoft\" target=DNS .*status=200"
wait_gw_log "event=im_idle local=carol@$XMPP_DOMAIN partner=bob@msexample.test"
wait_gw_log "event=im_session_end local=carol@$XMPP_DOMAIN partner=bob@msexample.test .*in=1 out=1"

# 2. Microsoft -> XMPP
sipp_client uac_in "$SIPP_DIR/uac_session.xml" tcp "$MS_IP" -s carol \
    -key from_domain msexample.test -key to_domain $XMPP_DOMAIN &
IN_PID=$!
wait_client carol "^message from=alice@msexample.test type=chat body=in-dialog hello$" 15
client_do carol send alice@msexample.test hi alice
wait "$IN_PID" || { tail -n 20 "$T/uac_in.err" >&2; fail "Microsoft -> XMPP session failed"; }
grep -q "hi alice" "$T/uac_in.msg" || fail "the XMPP answer did not reach the edge"
wait_log "method=INVITE alias=carol@$XMPP_DOMAIN src=default .*rule=\"Inbound to the XMPP gateway\" target=XMPP .*status=200"

# 3. A refused session comes back as an XMPP error
sipp_server busy "$SIPP_DIR/uas_invite_busy.xml" tcp "$MS_IP" "$MS_PORT"
client_do carol send dave@msexample.test are you there
wait_client carol "^error from=dave@msexample.test condition=recipient-unavailable$" 15
expect_ok busy sipp_wait busy

stop_gateway
pass "XMPP <-> SIP session-mode IM through Prosody, the gateway and the proxy; 486 as an XMPP error"
