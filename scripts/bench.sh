#!/bin/bash
# bench.sh — `make bench`: sipfed and Kamailio side by side, one and two workers, on loopback.
#
#   tls  : sipp UAC --TCP--> node A --mutual TLS--> node B --TCP--> sipp UAS   (SPEC §9 chain)
#   tcp1 : sipp UAC --TCP--> node A --TCP--> sipp UAS                          (one proxy)
#
# MESSAGE with a 200-byte body, a regex rule on the Request-URI, Record-Route. For every mode and
# configuration (CONFIGS: FLAVOUR:WORKERS), back to back: the highest sustained rate (adaptive
# ramp: a step passes with < 0.1 % failures, >= 97 % of the target rate and a mean response
# < 100 ms), p50/p99 at LAT_RATE and p99 at 80 % of the highest sustained rate (per-transaction
# times from sipp's message trace), CPU per 1000 transactions (utime+stime of every process of
# both nodes), and in the tls mode the memory of node B idle and with TLS_CONNS open TLS
# connections (PSS summed over its processes). One table at the end, with the sipfed/Kamailio
# ratios. Optional: instructions per forwarded MESSAGE under callgrind (CALLGRIND=1, one worker).
#
# The machine is shared: the load average is recorded with every configuration, and the bench
# runs at nice BENCH_NICE (-10 as root) so that other users' jobs disturb it less.
# Self-contained: certificates from certs/mklab.sh, scenarios, Kamailio configuration and helpers
# in scripts/bench/. Kamailio configurations are skipped (and said so) when it is not installed
# (scripts/deps.sh bench).
#
# Environment (defaults): SIPFED (build/sipfed) HOST (127.0.0.1) A_PORT (5060) B_PORT (5061)
#   A_TLS_PORT (5062) B_TCP_PORT (5063) UAS_PORT (5090) UAC_PORT (5080) WORK (new /tmp/sipfed-bench.*)
#   MODES ("tls tcp1") CONFIGS ("kamailio:1 kamailio:2 sipfed:1 sipfed:2") STEP_SECS (6)
#   LAT_RATE (1000) LAT_SECS (8) RAMP_START (1500) RAMP_FACTOR (1.5) RAMP_MAX (20000) BISECT (1)
#   TLS_CONNS (1000) BUDGET (1500 s for the whole run) BENCH_NICE (-10) CALLGRIND (0) CG_MSGS (500)
#   HOPS (0; 1: tcpdump the plaintext hops during each latency step, scripts/bench/hops.py prints
#   p50/p90/p99 per hop into the log and $WORK/hops/)
#   BENCH_LOG_LEVEL (warn; the sipfed nodes' [log] level, e.g. info to see their episodes)
#   MEMORY_ONLY (0; 1: the tls mode's memory step alone, no load steps: `make bench-memory`, about
#   30 s per configuration; prints "kB per idle TLS connection" per configuration)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/scripts/bench
. "$BENCH/lib.sh"
. "$BENCH/flavours.sh"

SIPFED=${SIPFED:-$ROOT/build/sipfed}
HOST=${HOST:-127.0.0.1}
A_PORT=${A_PORT:-5060} B_PORT=${B_PORT:-5061} A_TLS_PORT=${A_TLS_PORT:-5062}
B_TCP_PORT=${B_TCP_PORT:-5063} UAS_PORT=${UAS_PORT:-5090} UAC_PORT=${UAC_PORT:-5080}
MODES=${MODES:-tls tcp1} CONFIGS=${CONFIGS:-kamailio:1 kamailio:2 sipfed:1 sipfed:2}
STEP_SECS=${STEP_SECS:-6} LAT_RATE=${LAT_RATE:-1000} LAT_SECS=${LAT_SECS:-8}
RAMP_START=${RAMP_START:-1500} RAMP_FACTOR=${RAMP_FACTOR:-1.5} RAMP_MAX=${RAMP_MAX:-20000}
BISECT=${BISECT:-1} TLS_CONNS=${TLS_CONNS:-1000} BUDGET=${BUDGET:-1500}
CALLGRIND=${CALLGRIND:-0} CG_MSGS=${CG_MSGS:-500} HOPS=${HOPS:-0} MEMORY_ONLY=${MEMORY_ONLY:-0}
START=$(date +%s)
left() { echo $((BUDGET - ($(date +%s) - START))); }
load() { cut -d' ' -f1 /proc/loadavg; }

case $HOST in 127.*) ;; *) echo "bench: HOST must be a loopback address" >&2; exit 2 ;; esac
for b in sipp ss awk openssl python3; do
    command -v $b >/dev/null || { echo "bench: $b is missing (make deps)" >&2; exit 2; }
done
[ -x "$SIPFED" ] || { echo "bench: $SIPFED not built (make)" >&2; exit 2; }
busy=""
for p in $A_PORT $B_PORT $A_TLS_PORT $B_TCP_PORT $UAS_PORT $UAC_PORT; do
    port_busy $p && busy="$busy $p"
done
[ -z "$busy" ] || { echo "bench: ports already in use on $HOST:$busy — refusing to start" >&2; exit 1; }
[ "$(id -u)" -ne 0 ] || renice -n "${BENCH_NICE:--10}" -p $$ >/dev/null 2>&1 || true

WORK=${WORK:-$(mktemp -d /tmp/sipfed-bench.XXXXXX)}
mkdir -p "$WORK"
CERTS=$WORK/certs
"$ROOT/certs/mklab.sh" "$CERTS" >/dev/null || { echo "bench: certs/mklab.sh failed" >&2; exit 1; }
RESULTS=$WORK/results
: > "$RESULTS"

UAS_PID="" HOLD_PID="" SIPP_PIDS=""
cleanup() {
    local p
    for p in $SIPP_PIDS; do stop_pid $p 2; done
    stop_pid "$HOLD_PID" 2; stop_pid "$UAS_PID" 2; flavour_stop
    UAS_PID="" HOLD_PID="" SIPP_PIDS=""
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

# start_all FLAVOUR WORKERS MODE: the nodes and the UAS, warmed up
start_all() {
    flavour_start "$@" || { log "$1 w=$2 $3: start failed (see $WORK/A.log B.log kam-*/)"; return 1; }
    sipp -sf "$BENCH/uas.xml" -i "$HOST" -p "$UAS_PORT" -t t1 -nostdin -nd -timeout 900s \
        -max_recv_loops 5000 -max_sched_loops 5000 > "$WORK/uas.out" 2>&1 &
    UAS_PID=$!
    wait_listen $UAS_PORT 10 || return 1
    step 200 2 warmup >/dev/null
}

# memory FLAVOUR WORKERS: "idle_kb conns_kb held idle_mem_kb conns_mem_kb teardown_ms
# teardown_cpu_ms" of node B (PSS over its processes; _mem: without file-backed pages,
# pss_mem_kb; teardown: from closing the held connections until B has no more of them than
# before, and B's CPU meanwhile; the load steps start only after it)
memory() {
    local idle conns v held pids idle_mem conns_mem n0 t0 c0 td_ms td_cpu
    n0=$(conns_on "$B_PORT")
    pids=$(tree_pids "$B_PID")
    idle=$(pss_kb $pids) idle_mem=$(pss_mem_kb $pids)
    coproc HOLD { exec python3 "$BENCH/tls_hold.py" "$HOST" "$B_PORT" "$TLS_CONNS" \
        "$CERTS/edge.pem" "$CERTS/edge.key" "$CERTS/ca.pem" 120; }
    HOLD_PID=$HOLD_PID
    read -r -t 120 held <&"${HOLD[0]}" || held="open 0 failed ?"
    sleep 1                                   # let B finish accepting before sampling
    conns=0 conns_mem=0
    for i in 1 2 3; do
        pids=$(tree_pids "$B_PID")
        v=$(pss_kb $pids); [ "${v:-0}" -gt $conns ] && conns=$v
        v=$(pss_mem_kb $pids); [ "${v:-0}" -gt $conns_mem ] && conns_mem=$v
        sleep 0.3
    done
    t0=$(date +%s%N) c0=$(cpu_ticks $(tree_pids "$B_PID"))
    eval "exec ${HOLD[1]}>&-"; stop_pid "$HOLD_PID" 10; HOLD_PID=""
    for i in $(seq 600); do [ "$(conns_on "$B_PORT")" -le "$n0" ] && break; sleep 0.05; done
    td_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    td_cpu=$(( ($(cpu_ticks $(tree_pids "$B_PID")) - c0) * 1000 / CLK_TCK ))
    [ "$(conns_on "$B_PORT")" -le "$n0" ] || log "node B still has $(conns_on "$B_PORT") connections after 30 s"
    echo "$idle $conns $(echo "$held" | awk '{ print $2 }') $idle_mem $conns_mem $td_ms $td_cpu"
}

# latency RATE SECS TAG: "step line" + p50/p99 from the trace
lat_step() {
    local r l cap=""
    if [ "$HOPS" = 1 ] && command -v tcpdump >/dev/null; then
        mkdir -p "$WORK/hops"
        tcpdump -i lo -s 1500 -U -w "$WORK/hops/$3.pcap" "tcp port $A_PORT or tcp port $UAS_PORT" \
            2>/dev/null &
        cap=$!; SIPP_PIDS="$SIPP_PIDS $cap"; sleep 1
    fi
    r=$(step "$1" "$2" "$3" trace)
    if [ -n "$cap" ]; then
        stop_pid $cap 3; SIPP_PIDS=${SIPP_PIDS/ $cap/}
        python3 "$BENCH/hops.py" "$WORK/hops/$3.pcap" > "$WORK/hops/$3.txt" 2>&1
        sed "s/^/[hops $3] /" "$WORK/hops/$3.txt" >&2
    fi
    l=$(latency "$WORK/steps/$3/msgs.log"); rm -f "$WORK/steps/$3/msgs.log"
    echo "$r $l"
}

# run_config FLAVOUR WORKERS MODE ROOM: appends one line of key=value to $RESULTS
run_config() {
    local f=$1 w=$2 mode=$3 room=$4 t0 l0 out
    t0=$(date +%s) l0=$(load)
    out="mode=$mode flavour=$f workers=$w load_start=$l0"
    if [ "$f" = kamailio ] && ! kamailio_available; then
        echo "$out skipped=kamailio_not_installed" >> "$RESULTS"; return
    fi
    log "=== $mode $f workers=$w (load $l0, ${room}s)"
    start_all "$f" "$w" "$mode" || { echo "$out skipped=start_failed" >> "$RESULTS"; cleanup; return; }
    out="$out procs=$(echo $NODE_PIDS | wc -w)"
    if [ "$mode" = tls ]; then
        set -- $(memory)
        out="$out mem_idle_kb=$1 mem_conns_kb=$2 conns=$3 mem_anon_idle_kb=$4 mem_anon_conns_kb=$5"
        out="$out teardown_ms=$6 teardown_cpu_ms=$7"
        log "memory of B: idle $1 kB, $2 kB with $3 TLS connections (without file pages: $4 -> $5 kB); they closed in $6 ms, B's CPU meanwhile $7 ms"
        if [ "$MEMORY_ONLY" = 1 ]; then
            cleanup; echo "$out load_end=$(load) secs=$(( $(date +%s) - t0 ))" >> "$RESULTS"; return
        fi
        # fresh nodes for the load steps: the 1000 closed connections must not weigh on them
        cleanup; start_all "$f" "$w" "$mode" || { echo "$out skipped=restart_failed" >> "$RESULTS"; cleanup; return; }
    fi
    local lat
    lat=$(lat_step "$LAT_RATE" "$LAT_SECS" "$mode-$f$w-lat")
    log "latency at $LAT_RATE/s: $lat"
    out="$out lat_p50=$(kv p50_ms "$lat") lat_p99=$(kv p99_ms "$lat") lat_fail=$(kv failpct "$lat")"
    out="$out runq_us_per_tx=$(awk -v q=$(kv runq_ms "$lat") -v n=$((LAT_RATE * LAT_SECS)) \
        'BEGIN { printf "%.0f", q * 1000 / n }')"
    out="$out cpu_ms_per_k=$(awk -v t=$(kv cpu_ticks "$lat") -v n=$((LAT_RATE * LAT_SECS)) -v c=$CLK_TCK \
        'BEGIN { printf "%.0f", t * 1000 / c * 1000 / n }')"

    # adaptive ramp: restart after a failing step so the next one starts clean
    local max=0 fail_at=0 rate=$RAMP_START lo hi mid i
    try_rate() {
        local r
        r=$(step "$1" "$STEP_SECS" "$mode-$f$w-r$1")
        log "ramp $1/s: $r"
        if awk -v x=$(kv failpct "$r") -v a=$(kv achieved "$r") -v r=$1 -v m=$(kv meanrt_ms "$r") \
            'BEGIN { exit !(x < 0.1 && a >= 0.97 * r && m < 100) }'; then
            [ "$1" -gt $max ] && max=$1
            return 0
        fi
        [ $fail_at -eq 0 ] || [ "$1" -lt $fail_at ] && fail_at=$1
        cleanup; start_all "$f" "$w" "$mode" || log "restart after the failed step failed"
        return 1
    }
    room_left() { [ $(( room - ($(date +%s) - t0) )) -ge $((STEP_SECS * 2 + 25)) ]; }
    while [ $rate -le $RAMP_MAX ] && room_left && try_rate $rate; do
        rate=$(awk -v r=$rate -v x=$RAMP_FACTOR 'BEGIN { printf "%d", int(r * x / 100 + 0.5) * 100 }')
    done
    # the first step failed (a loaded machine): go down until one passes
    rate=$((RAMP_START / 2 / 100 * 100))
    while [ $max -eq 0 ] && [ $rate -ge 200 ] && room_left && ! try_rate $rate; do
        rate=$((rate / 2 / 100 * 100))
    done
    lo=$max hi=$fail_at
    for i in $(seq $BISECT); do
        [ $hi -gt 0 ] && [ $((hi - lo)) -gt 200 ] && room_left || break
        mid=$(((lo + hi) / 200 * 100))
        if try_rate $mid; then lo=$mid; else hi=$mid; fi
    done
    max=$lo
    out="$out max_rate=$max first_fail=$fail_at"
    if [ $max -gt 0 ] && room_left; then
        local r80=$((max * 8 / 1000 * 100)) l80
        l80=$(step $r80 "$STEP_SECS" "$mode-$f$w-p80" rtt)
        l80="$l80 $(latency_rtt "$WORK/steps/$mode-$f$w-p80")"
        log "latency at $r80/s (80 % of $max): $l80"
        out="$out rate80=$r80 p99_80=$(kv p99_ms "$l80") p50_80=$(kv p50_ms "$l80") fail_80=$(kv failpct "$l80") ach_80=$(kv achieved "$l80")"
    fi
    cleanup
    echo "$out load_end=$(load) secs=$(( $(date +%s) - t0 ))" >> "$RESULTS"
}

n_runs=0
[ "$MEMORY_ONLY" != 1 ] || MODES=tls
for mode in $MODES; do for c in $CONFIGS; do n_runs=$((n_runs + 1)); done; done
log "work directory $WORK; modes: $MODES; configurations: $CONFIGS; budget ${BUDGET}s"
i=0
for mode in $MODES; do
    for c in $CONFIGS; do
        room=$(( $(left) / (n_runs - i) )); i=$((i + 1))
        if [ "$room" -lt 40 ]; then
            echo "mode=$mode flavour=${c%:*} workers=${c#*:} skipped=budget" >> "$RESULTS"; continue
        fi
        run_config "${c%:*}" "${c#*:}" "$mode" "$room"
    done
done

if [ "$MEMORY_ONLY" = 1 ]; then
    # one line per configuration; the same arithmetic as table.py's "kB per idle TLS connection"
    awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           if (v["conns"] > 0)
               printf "%s w=%s: PSS idle %d kB, %d kB with %d TLS connections: %.1f kB per idle TLS connection; without file pages %.1f kB; closed in %d ms, CPU of B meanwhile %d ms (load %s -> %s)\n",
                   v["flavour"], v["workers"], v["mem_idle_kb"], v["mem_conns_kb"], v["conns"],
                   (v["mem_conns_kb"] - v["mem_idle_kb"]) / v["conns"],
                   (v["mem_anon_conns_kb"] - v["mem_anon_idle_kb"]) / v["conns"], v["teardown_ms"],
                   v["teardown_cpu_ms"], v["load_start"], v["load_end"]
           else printf "%s w=%s: not measured (%s)\n", v["flavour"], v["workers"], $0
           delete v }' "$RESULTS" | tee "$WORK/report.md"
    echo "Details: $WORK (results, B.log)"
    exit 0
fi

# --- instructions per forwarded MESSAGE (one worker, tls chain): CG_MSGS/5 then CG_MSGS messages;
# the difference divided by the difference cancels start-up, TLS handshake and exit.
ipm="not measured (CALLGRIND=1)"
if [ "$CALLGRIND" = 1 ] && command -v valgrind >/dev/null; then
    mkdir -p "$WORK/callgrind"
    cg_run() { # N -> "instructions_A instructions_B"
        WRAP=1 flavour_start_cg "$1" || return 1
        step 50 $(($1 / 50)) cg$1 > "$WORK/callgrind/step.$1"
        cleanup
        echo $(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/callgrind/A.$1.out") \
             $(awk '/^(summary|totals):/ { print $2; exit }' "$WORK/callgrind/B.$1.out")
    }
    flavour_start_cg() {
        SIPFED_CG="valgrind --tool=callgrind --callgrind-out-file=$WORK/callgrind/%q{CG_NODE}.$1.out"
        A_PID="" B_PID=""
        local ia ib
        ia=$(SIPFED_WORKERS=1 node_render A "tcp:$HOST:$A_PORT" edge.ciscoexample.test edge \
            "peers = $HOST:$B_PORT
transport = tls
tls_verify = on
tls_verify_subject = sip.msexample.test")
        ib=$(SIPFED_WORKERS=1 node_render B "tls:$HOST:$B_PORT" sip.msexample.test msedge \
            "peers = $HOST:$UAS_PORT
transport = tcp")
        CG_NODE=B $SIPFED_CG "$SIPFED" -c "$ib" run > "$WORK/B.log" 2>&1 & B_PID=$!
        CG_NODE=A $SIPFED_CG "$SIPFED" -c "$ia" run > "$WORK/A.log" 2>&1 & A_PID=$!
        NODE_PIDS="$A_PID $B_PID"
        wait_listen $B_PORT 60 && wait_listen $A_PORT 60 || return 1
        sipp -sf "$BENCH/uas.xml" -i "$HOST" -p "$UAS_PORT" -t t1 -nostdin -nd -timeout 900s \
            > "$WORK/uas.out" 2>&1 &
        UAS_PID=$!
        wait_listen $UAS_PORT 10
    }
    n1=$((CG_MSGS / 5)) n2=$CG_MSGS
    if c1=$(cg_run $n1) && c2=$(cg_run $n2); then
        set -- $c1 $c2
        ipm="A $(( ($3 - $1) / (n2 - n1) )) + B $(( ($4 - $2) / (n2 - n1) ))"
    else
        ipm="callgrind run failed (see $WORK/callgrind)"
    fi
fi

python3 "$BENCH/table.py" "$RESULTS" "$TLS_CONNS" "$LAT_RATE" \
    "$(flavour_describe sipfed); $(kamailio_available && flavour_describe kamailio || echo 'Kamailio not installed')" \
    "$ipm" "$(( $(date +%s) - START ))" | tee "$WORK/report.md"
echo "Details: $WORK (results, steps/, A.log, B.log, kam-*/)"
