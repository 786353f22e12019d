#!/usr/bin/env bash
# presence_format = pidf (SPEC §7, docs/presence.md): Microsoft-only presence bodies crossing
# sipfed toward a zone with the option arrive as application/pidf+xml (PRESENCE.md §5) with the
# mapped state, every other header unchanged and a Content-Length that is the body's; a zone
# without the option gets the original body.
#   1. out-of-dialog NOTIFY (searched): the same categories NOTIFY to IMP (pidf) and to LEGACY
#      (as is), each receiver checking what it got; then as a BENOTIFY (the stateless path) to IMP;
#   2. a subscription dialog (uas_presence.xml): the piggy-backed 200, the in-dialog NOTIFY
#      (loose-routed: its zone found by the peer address) converted; the multipart BENOTIFY batch
#      and the empty final NOTIFY unchanged, with a log line for the batch.
. "$(dirname "$0")/lib.sh"

LEGACY_IP=$IMP2_IP

# pidf_rules TRANSPORT: the lab with IMP in pidf (the watcher's sipp port is one of its peers, as
# an IM&P node's own address would be) and a LEGACY cluster without the option.
pidf_rules() {
    local tp=$1
    lab_rules "$tp" "$IMP_IP:$IMP_PORT, $IMP_IP:$UAC_PORT" "" imp:"presence_format = pidf" \
        local:"ciscoexample.test, legacy.ciscoexample.test" "+[zone LEGACY]
type = neighbor
peers = $LEGACY_IP:$IMP_PORT
transport = $tp

[rule \"Inbound to the legacy cluster\"]
priority = 120
source = default
pattern = .*@legacy\\.ciscoexample\\.test(;.*)?
target = LEGACY"
}

# xml_attr TEXT: TEXT escaped for an XML attribute value.
xml_attr() { printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g'; }

# uas_notify_xml FILE METHOD CT_REGEX BODY_REGEX: a receiver of one NOTIFY or BENOTIFY that
# checks its Content-Type, its body, and that Event, Subscription-State and our test header came
# through; answers a NOTIFY with 200 (a BENOTIFY is never answered).
uas_notify_xml() {
    local method=$2 ct body reply=""
    ct=$(xml_attr "$3"); body=$(xml_attr "$4")
    [ "$method" = NOTIFY ] && reply=$(sipp_answer 200 OK)
    cat > "$1" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas_notify_check">
  <recv request="$method">
    <action>
      <ereg regexp="$ct" search_in="hdr" header="Content-Type:" check_it="true" assign_to="c"/>
      <ereg regexp="$body" search_in="body" check_it="true" assign_to="b"/>
      <ereg regexp="^ *presence\$" search_in="hdr" header="Event:" check_it="true" assign_to="e"/>
      <ereg regexp="^ *active;expires=600" search_in="hdr" header="Subscription-State:" check_it="true" assign_to="s"/>
      <ereg regexp="^ *kept as it was" search_in="hdr" header="X-Sipfed-Test:" check_it="true" assign_to="x"/>
    </action>
  </recv>
  <Reference variables="c,b,e,s,x"/>
  $reply
</scenario>
XML
}

# body_length_ok NAME METHOD: in sipp NAME's trace, the first received METHOD's Content-Length
# equals the byte count of its body (the trace separates messages with a blank line and dashes).
body_length_ok() {
    awk -v m="$2" '
        /^----/ { if (inmsg && hdrs == 0) exit; inmsg = 0 }
        inmsg == 0 && $0 ~ "^" m " " { inmsg = 1; hdrs = 1; body = ""; next }
        inmsg && hdrs && /^\r?$/ { hdrs = 0; next }
        inmsg && hdrs && tolower($0) ~ /^content-length:/ { sub(/\r$/, ""); split($0, a, ": *"); cl = a[2] + 0 }
        inmsg && !hdrs { body = body $0 "\n" }
        END {
            n = length(body)
            # the trace adds one line break after each message
            if (n != cl + 1) { printf "Content-Length %d, body %d bytes\n", cl, n - 1; exit 1 }
        }' "$T/$1.msg"
}

round() {
    local tp=$1
    node_file "$tp"; pidf_rules "$tp"; start_sipfed

    # 1. out of dialog, to each zone
    uas_notify_xml "$T/uas_pidf.xml" NOTIFY '^ *application/pidf\+xml$' \
        'entity=.sip:bob@msexample\.test.*<basic>open</basic>.*<ep:activity>busy</ep:activity>.*<note>In a call</note>'
    uas_notify_xml "$T/uas_asis.xml" NOTIFY '^ *application/msrtc-event-categories\+xml$' \
        '<availability>6500</availability><activity token=.on-the-phone.><custom LCID=.1033.>In a call</custom>'
    sipp_server imp "$T/uas_pidf.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    sipp_server legacy "$T/uas_asis.xml" "$tp" "$LEGACY_IP" "$IMP_PORT"
    uac_from_ms ms1 "$SIPP_DIR/uac_notify.xml" "$tp" bob
    expect_ok ms2 sipp_client ms2 "$SIPP_DIR/uac_notify.xml" "$tp" "$MS_IP" -s carol \
        -key from_domain msexample.test -key to_domain legacy.ciscoexample.test
    sipp_done imp
    sipp_done legacy
    body_length_ok imp NOTIFY || fail "IMP: Content-Length of the converted NOTIFY is not its body's"
    body_length_ok legacy NOTIFY || fail "LEGACY: Content-Length of the NOTIFY is not its body's"
    [ "$(msg_count imp '^Content-Type: application/msrtc')" -eq 0 ] || fail "IMP got the categories body"
    # the observer still reads the original body
    wait_log 'module=presence entity=sip:bob@msexample.test state=busy xmpp_show=away xmpp_status="Busy - In a call" method=NOTIFY activity=on-the-phone'

    # the same body in a BENOTIFY (forwarded without a transaction, never answered)
    uas_notify_xml "$T/uas_pidf_be.xml" BENOTIFY '^ *application/pidf\+xml$' \
        'entity=.sip:bob@msexample\.test.*<basic>open</basic>.*<ep:activity>busy</ep:activity>.*<note>In a call</note>'
    sed -e 's/NOTIFY/BENOTIFY/g' -e '/<recv response="200"\/>/d' "$SIPP_DIR/uac_notify.xml" > "$T/uac_benotify.xml"
    sipp_server impbe "$T/uas_pidf_be.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    uac_from_ms ms3 "$T/uac_benotify.xml" "$tp" bob
    sipp_done impbe
    body_length_ok impbe BENOTIFY || fail "IMP: Content-Length of the converted BENOTIFY is not its body's"

    # 2. a subscription dialog from the IMP zone
    sipp_server ms "$SIPP_DIR/uas_presence.xml" "$tp" "$MS_IP" "$MS_PORT" -s bob
    uac_from_imp watcher "$SIPP_DIR/uac_subscribe_pidf.xml" "$tp" bob
    sipp_done ms
    to_tagged watcher 'sip:watcher@watcher\.test' 3
    body_length_ok watcher NOTIFY || fail "watcher: Content-Length of the converted NOTIFY is not its body's"
    wait_log 'module=presence event=not_converted zone=IMP method=BENOTIFY .*reason="multipart batch: parts are not converted"'
    wait_log 'module=presence entity=sip:bob@notifier.test state=away .*method=NOTIFY'
}

for_each_transport round
pass "Microsoft presence converted to PIDF for a presence_format = pidf zone over ${TRANSPORTS:-udp tcp}"
