#!/usr/bin/env bash
# Privilege drop (issue 11): started as root with [proxy] user = nobody, sipfed binds (also a port
# below 1024), writes its pid file, then runs as nobody:nogroup (/proc/PID/status Uid, Gid,
# Groups); it reads its private key through its group (root:nogroup 0640, the ssl-cert
# convention); a MESSAGE goes through; SIGHUP reloads as nobody; a reload whose key only root
# can read is refused (the old configuration serves); a node file only root can read refuses
# the start (every reload would fail); the pid file goes at exit. Needs root.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "needs root"
getent passwd nobody >/dev/null && getent group nogroup >/dev/null || fail "needs user nobody and group nogroup"
LOW_PORT=506
NOBODY=$(id -u nobody) NOGROUP=$(getent group nogroup | cut -d: -f3)

node_file tcp
lab_rules tcp
mkdir -p "$T/tls" "$T/run"
cp "$CERTS/edge.pem" "$CERTS/ca.pem" "$T/tls/"
install -m 0640 -g nogroup "$CERTS/edge.key" "$T/tls/edge.key"   # root:nogroup 0640
chown nobody "$T/run"
sed -i -e "s|^certificate = .*|certificate = $T/tls/edge.pem|" \
    -e "s|^private_key = .*|private_key = $T/tls/edge.key|" -e "s|^ca_file = .*|ca_file = $T/tls/ca.pem|" \
    -e "s|^listen = .*|&, tcp:$PROXY_IP:$LOW_PORT|" \
    -e "s|^dialplan = rules$|&\nuser = nobody\npid_file = $T/run/sipfed.pid|" "$T/sipfed.ini"

# The scenario directory is root's (mktemp: 0700): nobody could not read the node file again.
"$SIPFED" -c "$T/sipfed.ini" run >"$T/refused.out" 2>&1 && fail "started although nobody cannot read the configuration"
grep -q "event=privileges status=refused user=nobody" "$T/refused.out" || { cat "$T/refused.out" >&2; fail "no privileges refusal"; }
grep -q "event=start" "$T/refused.out" && fail "announced a start"

chmod 0755 "$T"
start_sipfed
status=/proc/$SIPFED_PID/status
grep -qE "^Uid:\s+$NOBODY\s+$NOBODY\s+$NOBODY\s+$NOBODY$" "$status" || { grep -E "^(Uid|Gid|Groups):" "$status" >&2; fail "not running as nobody"; }
grep -qE "^Gid:\s+$NOGROUP\s+$NOGROUP\s+$NOGROUP\s+$NOGROUP$" "$status" || fail "not running as group nogroup"
grep -qE "^Groups:\s+$NOGROUP\s*$" "$status" || { grep "^Groups:" "$status" >&2; fail "supplementary groups are not nobody's"; }
grep -qE "^CapEff:\s+0+$" "$status" || fail "capabilities left"
log_has "event=privileges status=dropped user=nobody uid=$NOBODY gid=$NOGROUP" || fail "no privileges line"
ss -Hltnp "src $PROXY_IP:$LOW_PORT" | grep -q "pid=$SIPFED_PID," || fail "port $LOW_PORT not held by sipfed"
[ "$(cat "$T/run/sipfed.pid")" = "$SIPFED_PID" ] || fail "pid file"
message_inbound_ok tcp

# SIGHUP as nobody: the node file, dial plan and key are read again.
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=ok generation=2"
# The key made root-only: the reload (as nobody) is refused, the old configuration serves.
chmod 0600 "$T/tls/edge.key"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=refused"
log_has "private_key '$T/tls/edge.key': Permission denied" || log_has "edge.key.*Permission denied" ||
    fail "the refused reload does not name the unreadable key"
message_inbound_ok tcp
stop_all
[ -e "$T/run/sipfed.pid" ] && fail "pid file left after exit"
pass "root -> nobody:nogroup after binding port $LOW_PORT (Uid/Gid/Groups, no capabilities), key root:nogroup 0640 read through the group, MESSAGE, reload as nobody, root-only key refused at reload, unreadable node file refuses the start"
