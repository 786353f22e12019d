#!/usr/bin/env bash
# [proxy] workers = 2 (docs/workers.md): a supervisor and two workers sharing the TCP and TLS
# listen ports (SO_REUSEPORT). MESSAGEs from the Microsoft side, each on its own TCP or TLS
# connection, are answered 200 and spread over both workers (each worker's /metrics on the admin
# port + its index); they go on to IM&P over UDP, so worker 1's responses must come back to its
# own UDP port (its Via). UDP requests reach worker 0 only. `sipfed reload` (SIGHUP to the pid
# file, which names the supervisor) reloads every worker; kill -9 of a worker: the supervisor
# restarts it (a second death at once: twice the back-off) and traffic goes on; SIGTERM stops
# them all and leaves no process behind; kill -9 of the supervisor takes its workers with it.
. "$(dirname "$0")/lib.sh"

TLS_PORT=5061
N=${WORKERS_MESSAGES:-16}     # MESSAGEs per transport and round
lab_certs
mkdir -p "$T/rules"
cat > "$T/sipfed.ini" <<INI
[proxy]
hostname = edge.ciscoexample.test
listen = udp:$PROXY_IP:$PROXY_PORT, tcp:$PROXY_IP:$PROXY_PORT, tls:$PROXY_IP:$TLS_PORT
dialplan = rules
peer_keepalive_interval = 0
rate_limit_per_ip = 0
workers = 2
pid_file = $T/sipfed.pid
[tls]
certificate = $CERTS/edge.pem
private_key = $CERTS/edge.key
ca_file = $CERTS/ca.pem
[log]
level = info
INI
admin_on
lab_rules udp

python3 "$ROOT/tests/acceptance/sipraw.py" uas udp "$IMP_IP:$IMP_PORT" "$T/imp.log" &
PIDS+=("$!")
wait_until 10 port_open udp "$IMP_IP" "$IMP_PORT" || fail "IM&P server did not start"

"$SIPFED" -c "$T/sipfed.ini" run >"$T/sipfed.log" 2>&1 &
SIPFED_PID=$!
PIDS+=("$SIPFED_PID")
wait_log "module=supervisor event=ready workers=2 pid=$SIPFED_PID" 20
[ "$(cat "$T/sipfed.pid")" = "$SIPFED_PID" ] || fail "the pid file does not name the supervisor"
# Both workers listen on both stream ports (SO_REUSEPORT); the UDP port has one owner.
for port in "$PROXY_PORT" "$TLS_PORT"; do
    [ "$(ss -Hltn "src $PROXY_IP:$port" | wc -l)" = 2 ] || fail "not two listeners on :$port"
done
[ "$(ss -Hlun "src $PROXY_IP:$PROXY_PORT" | wc -l)" = 1 ] || fail "not one UDP socket on :$PROXY_PORT"

worker_pid() { grep -oE "event=worker_start worker=$1 pid=[0-9]+" "$T/sipfed.log" | tail -1 | sed 's/.*pid=//'; }
W0=$(worker_pid 0); W1=$(worker_pid 1)
[ -n "$W0" ] && [ -n "$W1" ] || fail "worker pids not logged"

# worker_requests I: MESSAGEs worker I routed (its admin listener is on ADMIN_PORT + I).
worker_requests() {
    curl -sf --max-time 10 "http://$PROXY_IP:$((ADMIN_PORT + $1))/metrics" |
        awk '$1 ~ /^sipfed_requests_total\{.*method="MESSAGE"/ { n += $2 } END { print n + 0 }'
}

# messages TP: N MESSAGEs Microsoft -> IM&P, each on a new connection; all must be answered 200.
messages() {
    local tp=$1 port=$PROXY_PORT ok
    [ "$tp" = tls ] && port=$TLS_PORT
    ok=$(python3 "$ROOT/tests/acceptance/sipraw.py" send "$tp" "$PROXY_IP:$port" "$MS_IP" \
             "$ROOT/tests/acceptance/raw/message.sip" --wait 10 --count 1 --repeat "$N" \
             2>>"$T/sipraw.err" | grep -c '^SIP/2.0 200')
    [ "$ok" = "$N" ] || fail "$tp: $ok of $N MESSAGEs answered 200"
}

messages tcp
messages tls
r0=$(worker_requests 0); r1=$(worker_requests 1)
[ "$((r0 + r1))" = "$((2 * N))" ] || fail "workers routed $r0 + $r1 MESSAGEs, expected $((2 * N))"
[ "$r0" -gt 0 ] && [ "$r1" -gt 0 ] || fail "connections not spread: worker 0 $r0, worker 1 $r1"
curl -sf --max-time 10 "http://$PROXY_IP:$((ADMIN_PORT + 1))/status" |
    python3 -c 'import json,sys; w=json.load(sys.stdin)["worker"]; assert (w["index"], w["count"]) == (1, 2), w' ||
    fail "/status on the admin port + 1 is not worker 1 of 2"
# Worker 1 sent to IM&P from its own UDP port, named in its Via, and heard the answers.
grep -qE "^Via: SIP/2.0/UDP edge.ciscoexample.test:[0-9]+;" "$T/imp.log" ||
    fail "no Via with a worker's own UDP port at IM&P"
messages udp
[ "$(worker_requests 0)" = "$((r0 + N))" ] && [ "$(worker_requests 1)" = "$r1" ] ||
    fail "UDP requests not all on worker 0: $(worker_requests 0)/$(worker_requests 1)"

# `sipfed reload` (SIGHUP to the pid in the pid file, then worker 0's admin generation) reaches
# every worker.
"$SIPFED" -c "$T/sipfed.ini" reload > "$T/reload.out" 2>&1 || { cat "$T/reload.out" >&2; fail "sipfed reload failed"; }
grep -q "reload accepted: the daemon serves generation 2" "$T/reload.out" || { cat "$T/reload.out" >&2; fail "reload not confirmed"; }
wait_log "module=supervisor event=reload status=ok workers=2 refused=0"
[ "$(log_count 'module=config event=reload status=ok generation=')" = 2 ] ||
    fail "not every worker reloaded"

# kill -9 one worker: the supervisor restarts it from the configuration it reloaded (its own TLS
# set-up files, which no worker may remove), the node keeps serving.
kill -9 "$W1"
wait_log "event=worker_exit worker=1 pid=$W1 signal=9 restart_in_ms=[0-9]+"
wait_log "event=worker_ready worker=1 pid=[0-9]+" 20
W1x=$(worker_pid 1)
[ "$W1x" != "$W1" ] || fail "worker 1 was not restarted"
# Dead again at once: the back-off doubles.
kill -9 "$W1x"
wait_log "event=worker_exit worker=1 pid=$W1x signal=9 restart_in_ms=200 restarts_in_a_row=2"
wait_until 20 sh -c "[ \$(grep -c 'event=worker_ready worker=1 ' '$T/sipfed.log') -ge 2 ]" ||
    fail "worker 1 not restarted a second time"
W1b=$(worker_pid 1)
messages tcp
messages tls

# SIGTERM: every worker stops, then the supervisor; nothing is left.
kill -TERM "$SIPFED_PID"
wait_until 20 sh -c "! kill -0 $SIPFED_PID 2>/dev/null" || fail "the supervisor did not stop"
wait "$SIPFED_PID" || fail "exit code $? after SIGTERM"
for p in "$W0" "$W1b"; do
    ! kill -0 "$p" 2>/dev/null || fail "worker $p still running after the supervisor exited"
done
[ ! -e "$T/sipfed.pid" ] || fail "the pid file was left behind"
[ "$(log_count 'module=supervisor event=worker_exit worker=[01] pid=[0-9]+ exit=0')" = 2 ] ||
    fail "the workers did not exit cleanly"

# kill -9 of the supervisor itself: its workers stop too (their death signal), no orphan serves.
"$SIPFED" -c "$T/sipfed.ini" run >"$T/sipfed2.log" 2>&1 &
SUP=$!
PIDS+=("$SUP")
disown "$SUP"              # killed on purpose below: no job-control notice
wait_until 20 grep -q "module=supervisor event=ready workers=2 pid=$SUP" "$T/sipfed2.log" ||
    fail "the second node did not start"
orphans=$(pgrep -P "$SUP" | tr '\n' ' ')
[ -n "$orphans" ] || fail "no workers under the second supervisor"
kill -9 "$SUP"
for p in $orphans; do
    wait_until 10 sh -c "! kill -0 $p 2>/dev/null" || fail "worker $p outlived its supervisor"
done
pass "2 workers: TCP and TLS spread ($r0/$r1), reload, restart after kill -9 (back-off), stop; no orphans"
