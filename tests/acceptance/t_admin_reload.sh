#!/usr/bin/env bash
# `sipfed reload` and `sipfed status` against a running daemon found through [proxy] pid_file and
# [admin] listen: a broken dial plan makes reload exit 1 with the file:line error, the daemon is
# not even signalled and the old plan still routes; a good change is reported as the new
# generation; a refusal by the daemon itself (SIGHUP) shows in the metrics and in status.
. "$(dirname "$0")/lib.sh"

node_file tcp
sed -i "/^max_forwards/a pid_file = $T/sipfed.pid" "$T/sipfed.ini"
lab_rules tcp
admin_on
start_sipfed
wait_until 10 port_open tcp "$PROXY_IP" "$ADMIN_PORT" || fail "admin listener not open"
[ "$(cat "$T/sipfed.pid")" = "$SIPFED_PID" ] || fail "pid_file does not hold the daemon's PID"

sf() { "$SIPFED" -c "$T/sipfed.ini" "$@"; }
sf status > "$T/status.txt" 2>&1 || fail "status failed: $(cat "$T/status.txt")"
grep -q "generation 1 loaded" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
grep -qE "^  IMP +neighbor +tcp, 1 peer" "$T/status.txt" || fail "status has no IMP zone: $(cat "$T/status.txt")"
grep -q "last reload: none since start" "$T/status.txt" || fail "status: $(cat "$T/status.txt")"
sf status --json | python3 -c 'import json,sys; s=json.load(sys.stdin); assert s["configuration"]["generation"] == 1' ||
    fail "status --json is not the status document"

route_message() {   # route_message NAME: an IM&P -> Microsoft MESSAGE gets its 200
    sipp_server "ms_$1" "$SIPP_DIR/uas_message.xml" tcp "$MS_IP" "$MS_PORT"
    expect_ok "uac_$1" sipp_client "uac_$1" "$SIPP_DIR/uac_message.xml" tcp "$IMP_IP" -s bob \
        -key from_domain ciscoexample.test -key to_domain msexample.test
    expect_ok "ms_$1" sipp_wait "ms_$1"
}

# A broken dial plan: reload refuses it with file:line and never signals the daemon.
cp "$T/rules/lab.ini" "$T/lab.ini.good"
printf '\n[rule "Broken"]\npriority = 5\npattern = .*\ntarget = NoSuchZone\n' >> "$T/rules/lab.ini"
line=$(grep -n '^target = NoSuchZone' "$T/rules/lab.ini" | cut -d: -f1)
sf reload > "$T/reload1.out" 2>&1 && fail "reload of a broken plan exited 0: $(cat "$T/reload1.out")"
grep -qE "rules/lab.ini:$line: .*NoSuchZone" "$T/reload1.out" ||
    fail "reload did not print the file:line error: $(cat "$T/reload1.out")"
grep -q "was not asked to reload" "$T/reload1.out" || fail "reload: $(cat "$T/reload1.out")"
log_has "event=reload" && fail "the daemon was signalled for a broken plan"
metric_is sipfed_config_generation 1
route_message old

# A good change: accepted, reported as generation 2.
cp "$T/lab.ini.good" "$T/rules/lab.ini"
printf '\n[rule "Added"]\npriority = 200\nsource = IMP\npattern = .*@added\\.test\ntarget = IMP\n' >> "$T/rules/lab.ini"
sf reload > "$T/reload2.out" 2>&1 || fail "reload of a good plan failed: $(cat "$T/reload2.out")"
grep -q "reload accepted: the daemon serves generation 2" "$T/reload2.out" || fail "reload: $(cat "$T/reload2.out")"
metric_is sipfed_config_generation 2
metric_is 'sipfed_config_reloads_total{result="ok"}' 1
wait_log "module=config event=reload status=ok generation=2 zones=3 rules=4"
route_message new

# The daemon's own refusal (a SIGHUP without reload's check): counted, and shown by status.
printf '\n[rule "Broken"]\npriority = 5\npattern = .*\ntarget = NoSuchZone\n' >> "$T/rules/lab.ini"
kill -HUP "$SIPFED_PID"
metric_is 'sipfed_config_reloads_total{result="refused"}' 1
metric_is sipfed_config_last_reload_successful 0
metric_is sipfed_config_generation 2
sf status > "$T/status2.txt" 2>&1 || fail "status failed"
grep -qE "last reload: REFUSED at .*rules/lab.ini:[0-9]+: .*NoSuchZone" "$T/status2.txt" ||
    fail "status does not show the refusal: $(cat "$T/status2.txt")"
promtool_check
route_message after

# pid_file goes with the daemon; reload then says there is nothing to reload.
cp "$T/lab.ini.good" "$T/rules/lab.ini"
kill "$SIPFED_PID"
wait_until 10 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "sipfed did not stop"
[ -e "$T/sipfed.pid" ] && fail "pid_file left behind"
sf reload > "$T/reload3.out" 2>&1 && fail "reload without a daemon exited 0"
grep -q "cannot read pid_file" "$T/reload3.out" || fail "reload: $(cat "$T/reload3.out")"
sf status > "$T/status3.txt" 2>&1 && fail "status without a daemon exited 0"
grep -q "sipfed: admin interface $ADMIN: " "$T/status3.txt" || fail "status: $(cat "$T/status3.txt")"
pass "reload refuses a broken plan with file:line (old plan routes), confirms generation 2; status"
