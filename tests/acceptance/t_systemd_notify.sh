#!/usr/bin/env bash
# Under systemd (Type=notify, stderr on the journal): sipfed says READY=1 once it listens,
# RELOADING=1 then READY=1 around a SIGHUP with a STATUS= telling an accepted from a refused
# configuration, STOPPING=1 on SIGTERM; its log lines carry syslog priorities (<3>, <4>, <6>)
# instead of timestamps. The test plays systemd: its own NOTIFY_SOCKET, JOURNAL_STREAM naming the
# log file sipfed's stderr is on.
. "$(dirname "$0")/lib.sh"

tp=udp
node_file "$tp"; lab_rules "$tp"

python3 "$ROOT/tests/acceptance/notify_listen.py" "$T/notify.sock" "$T/notify.log" &
PIDS+=("$!")
wait_until 10 test -S "$T/notify.sock" || fail "notify socket not created"

notified() { grep -qE -- "$1" "$T/notify.log" 2>/dev/null; }
notify_count_at_least() { [ "$(grep -cE -- "$1" "$T/notify.log" 2>/dev/null)" -ge "$2" ]; }
# wait_notify REGEX N: wait until N messages matching REGEX arrived.
wait_notify() {
    wait_until 10 notify_count_at_least "$1" "$2" ||
        { cat "$T/notify.log" >&2; fail "no notification #$2 matching /$1/"; }
}

: > "$T/sipfed.log"
journal=$(stat -c '%d:%i' "$T/sipfed.log")
NOTIFY_SOCKET=$T/notify.sock JOURNAL_STREAM=$journal "$SIPFED" -c "$T/sipfed.ini" run \
    >>"$T/sipfed.log" 2>&1 &
SIPFED_PID=$!
PIDS+=("$SIPFED_PID")

wait_notify '^READY=1$' 1
port_open udp "$PROXY_IP" "$PROXY_PORT" || fail "READY=1 before the proxy listens"
notified '^STATUS=serving: 3 zones, 3 rules$' || { cat "$T/notify.log" >&2; fail "no serving STATUS"; }

# A routed MESSAGE while notified ready.
message_inbound_ok "$tp"

# A broken dial plan: RELOADING=1, then READY=1 with a STATUS saying it was refused.
printf '[rule "broken"]\npriority = 0\n' > "$T/rules/zz_broken.ini"
kill -HUP "$SIPFED_PID"
wait_notify '^RELOADING=1$' 1
wait_notify '^READY=1$' 2
notified '^STATUS=reload refused: 3 errors in .*sipfed\.ini \(see the log\); serving the previous configuration$' ||
    { cat "$T/notify.log" >&2; fail "no refused STATUS"; }
grep -A3 '^RELOADING=1$' "$T/notify.log" | grep -qE '^MONOTONIC_USEC=[0-9]+$' ||
    fail "RELOADING=1 without MONOTONIC_USEC"

# A good one: RELOADING=1, READY=1, STATUS says reloaded.
rm "$T/rules/zz_broken.ini"
kill -HUP "$SIPFED_PID"
wait_notify '^RELOADING=1$' 2
wait_notify '^READY=1$' 3
notified '^STATUS=configuration reloaded: 3 zones, 3 rules$' ||
    { cat "$T/notify.log" >&2; fail "no reloaded STATUS"; }

kill -TERM "$SIPFED_PID"
wait_notify '^STOPPING=1$' 1
wait_until 10 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "sipfed did not stop"
wait "$SIPFED_PID" || fail "sipfed exit code $? after SIGTERM"

# The journal format: a priority prefix, the level word, no timestamp on any line.
grep -qE '^<6>info module=proxy event=start ' "$T/sipfed.log" || fail "no <6> start line"
grep -qE '^<6>info module=route method=MESSAGE .*status=200' "$T/sipfed.log" || fail "no <6> route line"
grep -qE '^<3>error module=config event=reload status=refused' "$T/sipfed.log" || fail "no <3> refused line"
grep -qE '^<3>error module=config msg=".*zz_broken\.ini:[0-9]+: ' "$T/sipfed.log" ||
    fail "the reload error is not a <3> line"
bad=$(grep -vE '^<[3-7]>' "$T/sipfed.log" | head -3)
[ -z "$bad" ] || fail "lines without a priority prefix: $bad"
! grep -qE '^<[0-7]>[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$T/sipfed.log" || fail "timestamp under the journal"
pass "READY/RELOADING/STOPPING with STATUS, journal priorities"
