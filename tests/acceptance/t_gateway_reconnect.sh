#!/usr/bin/env bash
# XMPP gateway, the XMPP server restarted: while Prosody is down the gateway answers SIP requests
# for XMPP users 480 (never silence) and retries with back-off; once Prosody is back the
# component reconnects and a Microsoft MESSAGE (page mode) reaches the XMPP client again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gateway_lib.sh"

gateway_lab_up

# Prosody goes away: the component is down, SIP gets 480.
stop_prosody
wait_gw_log "event=xmpp_down component=msexample.test" 15
wait_gw_log "event=xmpp_retry component=msexample.test" 15
uac_xml "$T/msg480.xml" MESSAGE "sip:carol@$XMPP_DOMAIN" 480
expect_ok down sipp_client down "$T/msg480.xml" tcp "$MS_IP" -key from_domain msexample.test \
    -key max_forwards 70
wait_gw_log "event=sip_refused method=MESSAGE .*status=480"
wait_log "method=MESSAGE alias=carol@$XMPP_DOMAIN src=default .*target=XMPP .*status=480"

# Prosody is back: the component reconnects on its own (back-off capped at reconnect_max = 2 s).
start_prosody
wait_until 20 sh -c "[ \$(grep -c 'event=xmpp_up component=msexample.test' '$T/gateway.log') -ge 2 ]" ||
    fail "the component did not reconnect"
start_client carol carol@$XMPP_DOMAIN pw
expect_ok up sipp_client up "$SIPP_DIR/uac_message.xml" tcp "$MS_IP" -s carol \
    -key from_domain msexample.test -key to_domain $XMPP_DOMAIN
wait_client carol "^message from=alice@msexample.test type=chat body=hello from msexample.test$" 10
wait_gw_log "event=im_in mode=page from=alice@msexample.test to=carol@$XMPP_DOMAIN"

# A MESSAGE without text (no body) is refused 415 with Accept, and logged.
uac_xml "$T/msg415.xml" MESSAGE "sip:carol@$XMPP_DOMAIN" 415 "" "Accept:" "text/plain"
expect_ok nobody sipp_client nobody "$T/msg415.xml" tcp "$MS_IP" -key from_domain msexample.test \
    -key max_forwards 70
wait_gw_log "event=im_in_refused from=sender@msexample.test to=carol@$XMPP_DOMAIN .*status=415"

stop_gateway
pass "Prosody restarted: 480 while down, reconnected with back-off, messages flow again; 415 for a MESSAGE without text"
