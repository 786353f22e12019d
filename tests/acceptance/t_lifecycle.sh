#!/usr/bin/env bash
# Start-up, reload and stop (SPEC §2): a broken configuration is refused with file:line errors;
# SIGHUP with a broken dial plan keeps the old one serving, SIGHUP with a good one applies it;
# SIGTERM lets the transaction in flight finish and exits 0.
. "$(dirname "$0")/lib.sh"

tp=udp
node_file "$tp"; lab_rules "$tp"
printf '[rule "broken"]\npriority = 0\nfoo = bar\n' > "$T/rules/zz_broken.ini"
rc=0; "$SIPFED" -c "$T/sipfed.ini" run >"$T/refused.log" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "a broken dial plan must refuse to start (exit 1), got $rc"
grep -qE "zz_broken\.ini:[0-9]+: " "$T/refused.log" || fail "no file:line error printed"
rm "$T/rules/zz_broken.ini"

start_sipfed
printf '[rule "broken"]\npriority = 0\nfoo = bar\n' > "$T/rules/zz_broken.ini"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=refused"
log_has "zz_broken\.ini:[0-9]+: " || fail "reload errors not logged as file:line"
message_inbound_ok "$tp"

# A good new dial plan: the inbound rule disappears, so the same request gets 404.
rm "$T/rules/zz_broken.ini"
sed -i 's/^\[rule "Inbound to IM&P"\]/[rule "Inbound to IM\&P"]\nenabled = no/' "$T/rules/lab.ini"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=ok"
message_expect uac404 "$tp" ms "sip:alice@ciscoexample.test" 404

# SIGTERM with a transaction in flight (the far side answers after 1 s).
sed -i 's/^enabled = no$//' "$T/rules/lab.ini"
kill -HUP "$SIPFED_PID"
wait_until 10 sh -c "[ \$(grep -c 'event=reload status=ok' '$T/sipfed.log') -ge 2 ]" || fail "second reload"
uas_xml "$T/uas_slow.xml" MESSAGE 200 1000
sipp_server slow "$T/uas_slow.xml" "$tp" "$IMP_IP" "$IMP_PORT"
sipp_client late "$T/uac.xml" "$tp" "$MS_IP" -key from_domain msexample.test \
    -key max_forwards 70 &
late=$!
wait_until 10 grep -q '^MESSAGE' "$T/slow.msg" || fail "the slow side got nothing"
kill -TERM "$SIPFED_PID"
wait "$late" || fail "the transaction in flight did not complete after SIGTERM"
wait_until 6 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "sipfed did not stop within 5 s"
wait "$SIPFED_PID"; rc=$?
[ "$rc" -eq 0 ] || fail "sipfed exit code $rc after SIGTERM"
log_has "event=stop signal=TERM active=1" || fail "no stop line with the transaction in flight"
pass "refuse broken config, reload refused/applied, graceful SIGTERM"
