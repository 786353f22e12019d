#!/usr/bin/env bash
# tests/package/run.sh — the .deb as an admin gets it (make package-test; as root, on a machine
# without sipfed installed): lintian finds no errors; the systemd unit passes systemd-analyze
# verify and rates "exposure <= 3.0" in systemd-analyze security; installing creates the sipfed
# system user, the conffiles and a configuration that checks OK; the production example checks OK
# with a certificate for its name. Then the test plays systemd with the installed unit's own
# command lines, as its User=: ExecStartPre (check), ExecStart with a NOTIFY_SOCKET until READY=1,
# one MESSAGE routed through the daemon, ExecReload with a broken dial plan (the check fails, no
# signal is sent, the daemon keeps serving) and a good one (RELOADING=1, READY=1), SIGTERM.
# Finally purge: the binary and the configuration are gone, the keys in /etc/sipfed/tls stay.
. "$(dirname "$0")/../acceptance/lib.sh"
. "$(dirname "$0")/../acceptance/dns_zone.sh"
TEST_NAME=package

UNIT=/lib/systemd/system/sipfed.service
MAX_EXPOSURE=3.0
deb=$(ls "$ROOT"/build/deb/sipfed_*_*.deb 2>/dev/null | grep -v dbgsym | head -1)
[ -n "$deb" ] || fail "no build/deb/sipfed_*.deb: make deb"
[ "$(id -u)" -eq 0 ] || fail "the package test installs a package: run it as root"
# One package test at a time on a machine (several checkouts may run make test at once).
exec 9>/run/lock/sipfed-package-test.lock
flock -w 900 9 || fail "another package test held the lock for 15 minutes"
if dpkg-query -W -f='${Status}' sipfed 2>/dev/null | grep -q 'ok installed'; then
    fail "sipfed is already installed on this machine; the test installs and purges it: remove it first"
fi
# Never touch an administrator's files: /etc/sipfed must not exist before the test.
[ ! -e /etc/sipfed ] || fail "/etc/sipfed exists on this machine; the test creates and removes it: move it away first"

purge() {
    dpkg-query -W -f='${Status}' sipfed 2>/dev/null | grep -q 'installed' || return 0
    apt-get purge -y -q -o DPkg::Lock::Timeout=120 sipfed >>"$T/purge.log" 2>&1
}
# Purge on any exit (a failure must not leave the package installed), then lib.sh's cleanup.
trap 'rc=$?; purge; rm -rf /etc/sipfed; [ -z "${rundir:-}" ] || rm -rf "$rundir"; (exit $rc); dns_stop; cleanup' EXIT

# ---------------------------------------------------------------- lintian
lintian --fail-on error "$deb" >"$T/lintian.txt" 2>&1 ||
    { cat "$T/lintian.txt" >&2; fail "lintian reports errors"; }
pass "lintian: no errors ($(grep -c '^W:' "$T/lintian.txt" || true) warnings)"

# ---------------------------------------------------------------- install
apt-get install -y -q -o DPkg::Lock::Timeout=120 "$deb" >"$T/install.log" 2>&1 ||
    { tail -n 20 "$T/install.log" >&2; fail "apt-get install $deb failed"; }
[ -x /usr/sbin/sipfed ] || fail "/usr/sbin/sipfed not installed"
uid=$(id -u sipfed 2>/dev/null) || fail "no sipfed user after install"
[ "$uid" -lt 1000 ] || fail "sipfed is not a system user (uid $uid)"
case "$(getent passwd sipfed | cut -d: -f7)" in
    */nologin|*/false) ;;
    *) fail "the sipfed user has a login shell" ;;
esac
dpkg-query -W -f='${Conffiles}\n' sipfed | grep -q '^ /etc/sipfed/sipfed.ini ' ||
    fail "/etc/sipfed/sipfed.ini is not a conffile"
for f in /usr/share/man/man8/sipfed.8.gz /usr/share/man/man5/sipfed.ini.5.gz \
         /usr/share/doc/sipfed/examples/sipfed.ini "$UNIT"; do
    [ -e "$f" ] || fail "$f not installed"
done
ls /usr/share/doc/sipfed/deploying.md* >/dev/null 2>&1 || fail "docs/deploying.md not installed"
[ "$(stat -c '%U:%G %a' /etc/sipfed/tls)" = "root:sipfed 750" ] ||
    fail "/etc/sipfed/tls is $(stat -c '%U:%G %a' /etc/sipfed/tls), not root:sipfed 750"
# The installed default configuration, at the default path, as the service user.
# As the unit's User=, without privileges (setpriv execs: a background PID is the command's own).
AS_SIPFED=(setpriv --reuid=sipfed --regid=sipfed --init-groups --no-new-privs
           --inh-caps=-all --bounding-set=-all --)
as_sipfed() { "${AS_SIPFED[@]}" "$@"; }
out=$(as_sipfed /usr/sbin/sipfed check 2>&1) || fail "sipfed check (default /etc/sipfed/sipfed.ini): $out"
[ "$out" = "configuration OK" ] || fail "sipfed check printed: $out"
out=$(/usr/sbin/sipfed -c /etc/sipfed/sipfed.ini check 2>&1) || fail "sipfed -c /etc/sipfed/sipfed.ini check: $out"
pass "installed: system user, conffiles, man pages, default configuration checks OK"

# The production example, with a certificate for its hostname.
cp -r /usr/share/doc/sipfed/examples "$T/example"
mkdir "$T/example/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=edge.example.com -addext subjectAltName=DNS:edge.example.com \
    -keyout "$T/example/tls/edge.key" -out "$T/example/tls/edge.pem" >/dev/null 2>&1 ||
    fail "openssl could not make the example certificate"
chmod 600 "$T/example/tls/edge.key"
cp "$T/example/tls/edge.pem" "$T/example/tls/trust.pem"
# Its IM&P peers are host names, resolved by check as by run (docs/configuration.md "Host
# names"): the scenario's dnsmasq stands for the site's DNS.
dns_start --host-record=imp1.example.com,192.0.2.11 --host-record=imp2.example.com,192.0.2.12 ||
    fail "dnsmasq did not start"
sed -i "s|^servers =\$|servers = $DNS_ADDR:$DNS_PORT|" "$T/example/sipfed.ini"
grep -q "^servers = $DNS_ADDR" "$T/example/sipfed.ini" || fail "the example's [dns] servers line changed"
out=$(/usr/sbin/sipfed -c "$T/example/sipfed.ini" check 2>&1) || fail "the example does not check: $out"

# ---------------------------------------------------------------- the unit, statically
man_ok=no; command -v man >/dev/null && man_ok=yes
systemd-analyze verify --man="$man_ok" "$UNIT" >"$T/verify.txt" 2>&1 ||
    { cat "$T/verify.txt" >&2; fail "systemd-analyze verify $UNIT"; }
[ ! -s "$T/verify.txt" ] || { cat "$T/verify.txt" >&2; fail "systemd-analyze verify complains"; }
systemd-analyze security --offline=yes --no-pager "$UNIT" >"$T/security.txt" 2>&1
exposure=$(sed -n 's/.*Overall exposure level for sipfed.service: \([0-9.]*\) .*/\1/p' "$T/security.txt")
[ -n "$exposure" ] || { tail -n 5 "$T/security.txt" >&2; fail "no exposure level from systemd-analyze security"; }
awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }' ||
    { grep '✗' "$T/security.txt" >&2; fail "exposure $exposure > $MAX_EXPOSURE"; }
grep -qx 'Type=notify' "$UNIT" && grep -qx 'User=sipfed' "$UNIT" || fail "the unit is not Type=notify as User=sipfed"
pass "unit: systemd-analyze verify clean, security exposure $exposure (<= $MAX_EXPOSURE)"

# ---------------------------------------------------------------- run it as systemd would
# The lab node and dial plan on the test addresses, the lab certificate owned by sipfed.
tp=udp
node_file "$tp"; lab_rules "$tp"
install -o root -g sipfed -m 640 "$CERTS/edge.pem" "$CERTS/ca.pem" /etc/sipfed/tls/
install -o sipfed -g sipfed -m 600 "$CERTS/edge.key" /etc/sipfed/tls/
sed -e "s|^certificate = .*|certificate = tls/edge.pem|" -e "s|^private_key = .*|private_key = tls/edge.key|" \
    -e "s|^ca_file = .*|ca_file = tls/ca.pem|" "$T/sipfed.ini" > /etc/sipfed/sipfed.ini
install -m 644 "$T/rules/lab.ini" /etc/sipfed/rules/lab.ini

# unit_cmds KEY: the command lines of KEY= in the installed unit, one per line.
unit_cmds() { sed -n "s/^$1=//p" "$UNIT"; }
# run_unit_cmds KEY: run them in order as the unit's user, stop at the first failure (systemd's
# rule for ExecStartPre/ExecReload lists); $MAINPID is the daemon's PID.
run_unit_cmds() {
    local line argv
    while IFS= read -r line; do
        read -ra argv <<<"${line//\$MAINPID/$SIPFED_PID}"
        as_sipfed "${argv[@]}" >>"$T/$1.out" 2>&1 || return 1
    done < <(unit_cmds "$1")
}

run_unit_cmds ExecStartPre || { cat "$T/ExecStartPre.out" >&2; fail "ExecStartPre failed"; }
mkdir -m 755 "$T/run"; chmod 711 "$T"
python3 "$ROOT/tests/acceptance/notify_listen.py" "$T/run/notify.sock" "$T/notify.log" &
PIDS+=("$!")
wait_until 10 test -S "$T/run/notify.sock" || fail "notify socket not created"
chmod 666 "$T/run/notify.sock"
read -ra start <<<"$(unit_cmds ExecStart)"
# The unit's RuntimeDirectory= (/run/sipfed, RuntimeDirectoryMode=) and Environment= (%t = /run).
rundir=/run/$(unit_cmds RuntimeDirectory)
install -d -o sipfed -g sipfed -m "$(unit_cmds RuntimeDirectoryMode)" "$rundir"
mapfile -t unit_env < <(unit_cmds Environment | sed 's|%t|/run|g')
env "${unit_env[@]}" NOTIFY_SOCKET="$T/run/notify.sock" "${AS_SIPFED[@]}" "${start[@]}" \
    >"$T/sipfed.log" 2>&1 &
SIPFED_PID=$!
PIDS+=("$SIPFED_PID")
notify_count() { grep -cx -- "$1" "$T/notify.log" 2>/dev/null; }
notify_at_least() { [ "$(notify_count "$1")" -ge "$2" ]; }
wait_until 10 notify_at_least READY=1 1 || fail "no READY=1 from the installed daemon"
[ "$(ps -o user= -p "$SIPFED_PID")" = sipfed ] || fail "the daemon does not run as sipfed"
ls "$rundir"/sipfed-tls-* >/dev/null 2>&1 || fail "the TLS set-up is not in the unit's TMPDIR ($rundir)"
message_inbound_ok "$tp"
wait_log "module=route method=MESSAGE .*status=200"
pass "ExecStartPre + ExecStart as sipfed: READY=1, a MESSAGE routed (200)"

# ExecReload with a broken dial plan: the check fails, so nothing is signalled.
printf '[rule "broken"]\npriority = 0\n' > /etc/sipfed/rules/zz_broken.ini
if run_unit_cmds ExecReload; then fail "ExecReload succeeded with a broken dial plan"; fi
grep -q 'zz_broken\.ini:[0-9]*: ' "$T/ExecReload.out" || fail "ExecReload did not show the file:line errors"
[ "$(notify_count RELOADING=1)" -eq 0 ] || fail "a broken configuration was signalled to the daemon"
rm /etc/sipfed/rules/zz_broken.ini
run_unit_cmds ExecReload || { cat "$T/ExecReload.out" >&2; fail "ExecReload failed with a good configuration"; }
wait_until 10 notify_at_least READY=1 2 || fail "no READY=1 after the reload"
[ "$(notify_count RELOADING=1)" -eq 1 ] || fail "RELOADING=1 not sent once"
grep -q '^STATUS=configuration reloaded' "$T/notify.log" || fail "no reloaded STATUS"
kill -TERM "$SIPFED_PID"
wait_until 10 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "the daemon did not stop"
wait "$SIPFED_PID" || fail "the daemon exited with $? after SIGTERM"
pass "ExecReload: refused before any signal when broken, applied when good; SIGTERM exit 0"

# ---------------------------------------------------------------- purge
rm -f /etc/sipfed/rules/lab.ini
purge || { cat "$T/purge.log" >&2; fail "apt-get purge sipfed failed"; }
[ ! -e /usr/sbin/sipfed ] || fail "/usr/sbin/sipfed left after purge"
[ ! -e /etc/sipfed/sipfed.ini ] && [ ! -e /etc/sipfed/rules ] || fail "configuration left after purge"
[ -e /etc/sipfed/tls/edge.key ] || fail "purge removed the administrator's key"
grep -q 'keeping /etc/sipfed/tls' "$T/purge.log" || fail "purge did not say it keeps /etc/sipfed/tls"
pass "purged: binary and configuration gone, keys in /etc/sipfed/tls kept"
