#!/bin/bash
# bench.sh — `make bench`: sipfed's performance in the SPEC §9 topology, on loopback:
#
#   sipp UAC --TCP--> sipfed A :A_PORT --mutual TLS--> sipfed B :B_PORT --TCP--> sipp UAS :UAS_PORT
#
# MESSAGE with a 200-byte body, regex search rules, Record-Route. Reports the highest sustained
# rate (adaptive ramp: a step passes with < 0.1 % failures, >= 97 % of the target rate and a mean
# response < 100 ms), p50/p99 at a fixed rate, CPU per 1000 transactions (/proc utime+stime of
# both nodes), RSS idle and with TLS_CONNS open TLS connections to B, and instructions per
# forwarded MESSAGE under callgrind (repeatable where wall-clock numbers are noisy).
# Self-contained: certificates from certs/mklab.sh, scenarios and helpers in scripts/bench/.
#
# Environment (defaults): SIPFED (build/sipfed) HOST (127.0.0.1) A_PORT (5060) B_PORT (5061)
#   UAS_PORT (5090) UAC_PORT (5080) WORK (a new /tmp/sipfed-bench.*) STEP_SECS (8) LAT_RATE (1000)
#   LAT_SECS (10) RAMP_START (1500) RAMP_FACTOR (1.4) RAMP_MAX (20000) BISECT (2) TLS_CONNS (1000)
#   CG_MSGS (500) BUDGET (540 s; the whole run stays below 10 minutes)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/scripts/bench
. "$BENCH/lib.sh"

SIPFED=${SIPFED:-$ROOT/build/sipfed}
HOST=${HOST:-127.0.0.1}
A_PORT=${A_PORT:-5060} B_PORT=${B_PORT:-5061} UAS_PORT=${UAS_PORT:-5090} UAC_PORT=${UAC_PORT:-5080}
STEP_SECS=${STEP_SECS:-8} LAT_RATE=${LAT_RATE:-1000} LAT_SECS=${LAT_SECS:-10}
RAMP_START=${RAMP_START:-1500} RAMP_FACTOR=${RAMP_FACTOR:-1.4} RAMP_MAX=${RAMP_MAX:-20000}
BISECT=${BISECT:-2} TLS_CONNS=${TLS_CONNS:-1000} CG_MSGS=${CG_MSGS:-500} BUDGET=${BUDGET:-540}
START=$(date +%s)
left() { echo $((BUDGET - ($(date +%s) - START))); }

case $HOST in 127.*) ;; *) echo "bench: HOST must be a loopback address" >&2; exit 2 ;; esac
for b in sipp ss awk openssl python3; do
    command -v $b >/dev/null || { echo "bench: $b is missing (make deps)" >&2; exit 2; }
done
[ -x "$SIPFED" ] || { echo "bench: $SIPFED not built (make)" >&2; exit 2; }
busy=""
for p in $A_PORT $B_PORT $UAS_PORT $UAC_PORT; do port_busy $p && busy="$busy $p"; done
[ -z "$busy" ] || { echo "bench: ports already in use on $HOST:$busy — refusing to start" >&2; exit 1; }

WORK=${WORK:-$(mktemp -d /tmp/sipfed-bench.XXXXXX)}
mkdir -p "$WORK"
CERTS=$WORK/certs
"$ROOT/certs/mklab.sh" "$CERTS" >/dev/null || { echo "bench: certs/mklab.sh failed" >&2; exit 1; }
A_INI=$(node_render A "tcp:$HOST:$A_PORT" edge.ciscoexample.test edge "peers = $HOST:$B_PORT
transport = tls
tls_verify = on
tls_verify_subject = sip.msexample.test")
B_INI=$(node_render B "tls:$HOST:$B_PORT" sip.msexample.test msedge "peers = $HOST:$UAS_PORT
transport = tcp")

A_PID="" B_PID="" UAS_PID="" HOLD_PID="" SIPP_PIDS=""
cleanup() {
    local p
    for p in $SIPP_PIDS; do stop_pid $p 2; done
    stop_pid "$HOLD_PID" 2; stop_pid "$UAS_PID" 2; stop_pid "$A_PID" 20; stop_pid "$B_PID" 20
    A_PID="" B_PID="" UAS_PID="" HOLD_PID="" SIPP_PIDS=""
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

# start_all [WRAPPER...]: both nodes (optionally under a wrapper such as valgrind, which names its
# output after CG_NODE) and the UAS
start_all() {
    CG_NODE=B "$@" "$SIPFED" -c "$B_INI" run > "$WORK/B.log" 2>&1 &
    B_PID=$!
    CG_NODE=A "$@" "$SIPFED" -c "$A_INI" run > "$WORK/A.log" 2>&1 &
    A_PID=$!
    sipp -sf "$BENCH/uas.xml" -i "$HOST" -p "$UAS_PORT" -t t1 -nostdin -nd -timeout 900s \
        -max_recv_loops 5000 -max_sched_loops 5000 > "$WORK/uas.out" 2>&1 &
    UAS_PID=$!
    local t=$([ $# -gt 0 ] && echo 60 || echo 10)
    wait_listen $B_PORT $t && wait_listen $A_PORT $t && wait_listen $UAS_PORT 10 ||
        { log "start failed; see $WORK/A.log $WORK/B.log"; return 1; }
}
restart_all() { cleanup; start_all && step 200 2 warmup >/dev/null; }

log "work directory $WORK; sipfed A $HOST:$A_PORT (tcp) -> B $HOST:$B_PORT (tls) -> UAS :$UAS_PORT"
start_all || exit 1
r=$(step 200 2 warmup)
[ "$(kv failpct "$r")" = "0.000" ] || { log "warm-up failed: $r"; exit 1; }

# --- RSS: idle, then with TLS_CONNS open TLS connections to B
rss_a_idle=$(rss_kb $A_PID) rss_b_idle=$(rss_kb $B_PID)
coproc HOLD { exec python3 "$BENCH/tls_hold.py" "$HOST" "$B_PORT" "$TLS_CONNS" "$CERTS/edge.pem" \
    "$CERTS/edge.key" "$CERTS/ca.pem" 120; }
HOLD_PID=$HOLD_PID
read -r -t 120 held <&"${HOLD[0]}" || held="open 0 failed ?"
sleep 1                                   # let B finish accepting before sampling
rss_b_conns=0
for i in 1 2 3; do v=$(rss_kb $B_PID); [ "${v:-0}" -gt $rss_b_conns ] && rss_b_conns=$v; sleep 0.3; done
conns_seen=$(ss -tn state established "( sport = :$B_PORT )" 2>/dev/null | grep -c "$HOST:$B_PORT")
eval "exec ${HOLD[1]}>&-"; stop_pid "$HOLD_PID" 10; HOLD_PID=""
log "RSS idle A=${rss_a_idle} kB B=${rss_b_idle} kB; B with ${held}: ${rss_b_conns} kB ($conns_seen established)"

# --- latency and CPU at a fixed rate
lat_r=$(step $LAT_RATE $LAT_SECS lat trace)
lat=$(latency "$WORK/steps/lat/msgs.log"); rm -f "$WORK/steps/lat/msgs.log"
n_lat=$((LAT_RATE * LAT_SECS))
cpu_per_k() { awk -v t=$1 -v n=$n_lat -v c=$CLK_TCK 'BEGIN { printf "%.0f", t * 1000 / c * 1000 / n }'; }
cpu_a=$(cpu_per_k $(kv cpu_ticks_a "$lat_r")) cpu_b=$(cpu_per_k $(kv cpu_ticks_b "$lat_r"))
log "latency at $LAT_RATE/s: $lat_r $lat"

# --- adaptive ramp
max=0 fail_at=0 firstfail="-"
try_rate() {
    local rate=$1 r
    r=$(step $rate $STEP_SECS r$rate)
    log "ramp $rate/s: $r"
    if awk -v f=$(kv failpct "$r") -v a=$(kv achieved "$r") -v r=$rate -v m=$(kv meanrt_ms "$r") \
        'BEGIN { exit !(f < 0.1 && a >= 0.97 * r && m < 100) }'; then
        [ $rate -gt $max ] && max=$rate
        return 0
    fi
    if [ $fail_at -eq 0 ] || [ $rate -lt $fail_at ]; then
        fail_at=$rate; firstfail="$rate/s (fail $(kv failpct "$r") %, achieved $(kv achieved "$r")/s, mean $(kv meanrt_ms "$r") ms)"
    fi
    restart_all || log "restart after the failed step failed"
    return 1
}
room() { [ $(left) -ge $((STEP_SECS + 75)) ] || { log "budget: ramp stopped"; return 1; }; }
rate=$RAMP_START
while [ $rate -le $RAMP_MAX ] && room && try_rate $rate; do
    rate=$(awk -v r=$rate -v f=$RAMP_FACTOR 'BEGIN { printf "%d", int(r * f / 100 + 0.5) * 100 }')
done
lo=$max hi=$fail_at
for i in $(seq $BISECT); do
    [ $hi -gt 0 ] && [ $((hi - lo)) -gt 200 ] && room || break
    mid=$(((lo + hi) / 200 * 100))
    if try_rate $mid; then lo=$mid; else hi=$mid; fi
done
cleanup

# --- instructions per forwarded MESSAGE: both nodes under callgrind, CG_MSGS/5 then CG_MSGS
# messages; the difference divided by the difference cancels start-up, TLS handshake and exit.
cg_run() { # N -> "instructions_A instructions_B"
    local n=$1
    start_all valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind/%q{CG_NODE}.$n.out" || return 1
    step 50 $((n / 50)) cg$n > "$WORK/callgrind/step.$n"
    cleanup
    echo $(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/callgrind/A.$n.out") \
         $(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/callgrind/B.$n.out")
}
ipm_a="n/a" ipm_b="n/a"
if command -v valgrind >/dev/null && [ $(left) -ge 70 ]; then
    mkdir -p "$WORK/callgrind"
    n1=$((CG_MSGS / 5)) n2=$CG_MSGS
    if c1=$(cg_run $n1) && c2=$(cg_run $n2); then
        set -- $c1 $c2
        ipm_a=$(( ($3 - $1) / (n2 - n1) )) ipm_b=$(( ($4 - $2) / (n2 - n1) ))
        log "callgrind: A $1 -> $3, B $2 -> $4 instructions for $n1 -> $n2 messages"
    else
        log "callgrind run failed (see $WORK/callgrind)"
    fi
else
    log "callgrind skipped (no valgrind or no time left)"
fi

{
    echo
    echo "# sipfed make bench — $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $HOST"
    echo "sipp UAC -TCP-> sipfed A -mutual TLS-> sipfed B -TCP-> sipp UAS; MESSAGE, 200-byte body"
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| highest sustained rate | $max MESSAGE/s (lowest failing step: $firstfail) |"
    echo "| latency at $LAT_RATE/s | p50 $(kv p50_ms "$lat") ms, p99 $(kv p99_ms "$lat") ms, max $(kv max_ms "$lat") ms ($(kv n "$lat") transactions, $(kv failpct "$lat_r") % failed) |"
    echo "| CPU per 1000 transactions | A $cpu_a ms + B $cpu_b ms = $((cpu_a + cpu_b)) ms |"
    echo "| RSS idle | A $((rss_a_idle / 1024)) MB, B $((rss_b_idle / 1024)) MB |"
    echo "| RSS of B with $TLS_CONNS TLS connections | $((rss_b_conns / 1024)) MB ($held, $conns_seen established) |"
    echo "| instructions per forwarded MESSAGE (callgrind) | A $ipm_a + B $ipm_b |"
    echo
    echo "Wall-clock numbers depend on the machine's load; callgrind counts are repeatable."
    echo "Details: $WORK (steps/, callgrind/, A.log, B.log); total $(( $(date +%s) - START )) s"
} | tee "$WORK/report.md"
