#!/usr/bin/env bash
# Privilege drop (issue 11): started as root with [proxy] user = a test user (primary group
# nogroup, member of a test "keys" group the way sipfed is a member of Debian's ssl-cert), sipfed
# binds (also a port below 1024), writes its pid file, then runs as that user with its
# supplementary groups (initgroups: /proc/PID/status Uid, Gid, Groups, CapEff); it reads its
# private key through the supplementary group (root:KEYS 0640, the ssl-cert convention); a
# MESSAGE goes through; SIGHUP reloads as that user; a reload whose key only root can read is
# refused (the old configuration serves); a node file only root can read refuses the start
# (every reload would fail); the pid file goes at exit. Needs root; the user and group are made
# for the run (names unique to it) and deleted at exit.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "needs root"
getent group nogroup >/dev/null || fail "needs group nogroup"
LOW_PORT=506
U=sfpu$$ G=sfpk$$
users_gone() { ! pgrep -u "$U" >/dev/null; }
trap 'rc=$?; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait_until 6 users_gone;
      userdel "$U" 2>/dev/null; groupdel "$G" 2>/dev/null; (exit $rc); cleanup' EXIT
groupadd --system "$G" || fail "groupadd"
useradd --system --no-create-home --shell /usr/sbin/nologin --gid nogroup --groups "$G" "$U" ||
    fail "useradd"
UID_U=$(id -u "$U") NOGROUP=$(getent group nogroup | cut -d: -f3) KEYS=$(getent group "$G" | cut -d: -f3)

node_file tcp
lab_rules tcp
mkdir -p "$T/tls" "$T/run"
cp "$CERTS/edge.pem" "$CERTS/ca.pem" "$T/tls/"
install -m 0640 -g "$G" "$CERTS/edge.key" "$T/tls/edge.key"   # root:KEYS 0640 (ssl-cert)
chown "$U" "$T/run"
sed -i -e "s|^certificate = .*|certificate = $T/tls/edge.pem|" \
    -e "s|^private_key = .*|private_key = $T/tls/edge.key|" -e "s|^ca_file = .*|ca_file = $T/tls/ca.pem|" \
    -e "s|^listen = .*|&, tcp:$PROXY_IP:$LOW_PORT|" \
    -e "s|^dialplan = rules$|&\nuser = $U\npid_file = $T/run/sipfed.pid|" "$T/sipfed.ini"

# The scenario directory is root's (mktemp: 0700): the user could not read the node file again.
"$SIPFED" -c "$T/sipfed.ini" run >"$T/refused.out" 2>&1 && fail "started although the user cannot read the configuration"
grep -q "event=privileges status=refused user=$U" "$T/refused.out" || { cat "$T/refused.out" >&2; fail "no privileges refusal"; }
grep -q "event=start" "$T/refused.out" && fail "announced a start"

chmod 0755 "$T"
start_sipfed
status=/proc/$SIPFED_PID/status
grep -qE "^Uid:\s+$UID_U\s+$UID_U\s+$UID_U\s+$UID_U$" "$status" || { grep -E "^(Uid|Gid|Groups):" "$status" >&2; fail "not running as $U"; }
grep -qE "^Gid:\s+$NOGROUP\s+$NOGROUP\s+$NOGROUP\s+$NOGROUP$" "$status" || fail "not running as group nogroup"
groups=$(sed -n 's/^Groups:\s*//p' "$status" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')
[ "$groups" = "$(printf '%s\n' "$NOGROUP" "$KEYS" | sort -n | tr '\n' ' ')" ] ||
    fail "supplementary groups '$groups' are not the user's ($NOGROUP $KEYS)"
grep -qE "^CapEff:\s+0+$" "$status" || fail "capabilities left"
log_has "event=privileges status=dropped user=$U uid=$UID_U gid=$NOGROUP groups=2" || fail "no privileges line"
ss -Hltnp "src $PROXY_IP:$LOW_PORT" | grep -q "pid=$SIPFED_PID," || fail "port $LOW_PORT not held by sipfed"
[ "$(cat "$T/run/sipfed.pid")" = "$SIPFED_PID" ] || fail "pid file"
message_inbound_ok tcp

# SIGHUP as the user: the node file, dial plan and key (through the group) are read again.
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=ok generation=2"
# The key made root-only: the reload (as the user) is refused, the old configuration serves.
chmod 0600 "$T/tls/edge.key"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=refused"
log_has "private_key '$T/tls/edge.key': Permission denied" || log_has "edge.key.*Permission denied" ||
    fail "the refused reload does not name the unreadable key"
message_inbound_ok tcp
stop_all
[ -e "$T/run/sipfed.pid" ] && fail "pid file left after exit"
pass "root -> $U:nogroup + supplementary $G after binding port $LOW_PORT (Uid/Gid/Groups, no capabilities), key root:$G 0640 read through the supplementary group, MESSAGE, reload as $U, root-only key refused at reload, unreadable node file refuses the start"
