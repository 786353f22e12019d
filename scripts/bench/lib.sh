# lib.sh — helpers for scripts/bench.sh: processes by PID, ports, CPU/RSS from /proc, node files,
# one sipp load step. Every wait is bounded; every process started here is stopped by its PID.

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# port_busy PORT: true when something listens on $HOST:PORT (TCP)
port_busy() { ss -lnt 2>/dev/null | awk '{ print $4 }' | grep -qx "$HOST:$1"; }

# wait_listen PORT [SECONDS]: until something listens on $HOST:PORT
wait_listen() {
    local i
    for i in $(seq $((${2:-10} * 20))); do port_busy "$1" && return 0; sleep 0.05; done
    log "nothing listens on $HOST:$1"; return 1
}

# stop_pid PID [GRACE]: SIGTERM, up to GRACE seconds (default 5), then SIGKILL; reaps it.
stop_pid() {
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
    for i in $(seq $((${2:-5} * 20))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID...: utime+stime in clock ticks (fields 14, 15 of /proc/PID/stat)
cpu_ticks() {
    local p s=0 t
    for p in "$@"; do
        t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$p/stat 2>/dev/null)
        s=$((s + ${t:-0}))
    done
    echo $s
}

# runq_ns PID...: nanoseconds the processes' threads spent runnable but waiting for a CPU
# (/proc/PID/task/TID/schedstat, second field): on a shared machine, the latency that is not theirs
runq_ns() {
    local p
    for p in "$@"; do cat /proc/$p/task/*/schedstat 2>/dev/null; done | awk '{ s += $2 } END { printf "%.0f", s }'
}

# conns_on PORT: established TCP connections whose local end is $HOST:PORT (a node's side)
conns_on() { ss -Htn state established "( sport = :$1 )" 2>/dev/null | wc -l; }

# rss_kb PID: resident set size in kB
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/$1/status 2>/dev/null; }

# node_render NAME LISTEN HOSTNAME CERT ZONE_LINES: a node file and its dial plan in $WORK/NAME
# (the search rules of rules/: a regex alias rule ahead of non-matching ones).
node_render() {
    local d=$WORK/$1
    mkdir -p "$d/rules"
    cat > "$d/sipfed.ini" <<EOT
[proxy]
hostname = $3
listen = $2
dialplan = rules
# no OPTIONS keep-alives to the sipp UAS (it would count them as unexpected)
peer_keepalive_interval = 0
# every client is 127.0.0.1 here: no per-address limits (they would refuse the load as a flood)
max_connections_per_ip = 20000
rate_limit_per_ip = 0
rate_limit_per_domain = 0
# worker processes per node (docs/workers.md); one unless SIPFED_WORKERS says otherwise
workers = ${SIPFED_WORKERS:-1}
[tls]
certificate = $CERTS/$4.pem
private_key = $CERTS/$4.key
ca_file = $CERTS/ca.pem
[log]
level = ${BENCH_LOG_LEVEL:-warn}
EOT
    cat > "$d/rules/plan.ini" <<EOT
[zone NEXT]
type = neighbor
$5

[zone default]
type = default
require_client_certificate = on

[rule "Inbound to IM&P"]
priority = 50
source = any
mode = alias_pattern
pattern_type = regex
pattern = .*@ciscoexample\.test(;.*)?
target = NEXT

[rule "Outbound to Microsoft"]
priority = 100
source = any
traffic = any
mode = alias_pattern
pattern_type = regex
pattern = .*@msexample\.test(;.*)?
behavior = leave
on_match = stop
target = NEXT
EOT
    echo "$d/sipfed.ini"
}

# step RATE SECONDS TAG [trace]: one sipp UAC run of RATE*SECONDS MESSAGEs into node A.
# Prints "key=value ..." (sent ok failed failpct achieved meanrt_ms cpu_ticks): cpu_ticks is the
# CPU (utime+stime) of every process in NODE_PIDS (both nodes, all workers) during the step,
# runq_ms the time their threads waited for a CPU while runnable (machine load, not the proxy).
step() {
    local rate=$1 secs=$2 tag=$3 trace=${4:-} n=$(($1 * $2)) dir=$WORK/steps/$3 extra=""
    mkdir -p "$dir"; rm -f "$dir"/*
    # trace: every message with microsecond times (-trace_msg); rtt: one line per call with
    # millisecond times (-trace_rtt), for high rates: the message trace slowed sipp down so much
    # above ~2500/s that it could not keep the rate
    [ "$trace" = trace ] && extra="-trace_msg -message_file $dir/msgs.log"
    [ "$trace" = rtt ] && extra="-trace_rtt -rtt_freq 100"
    local c0 c1 q0 q1
    c0=$(cpu_ticks $NODE_PIDS); q0=$(runq_ns $NODE_PIDS)
    ( cd "$dir" && exec timeout -k 5 $((secs + 40)) sipp "$HOST:$A_PORT" -sf "$BENCH/uac.xml" \
        -i "$HOST" -p "$UAC_PORT" -t t1 -s bob -r "$rate" -rp 1000 -m "$n" -l 20000 -nostdin -nd \
        -recv_timeout 5000 -timeout $((secs + 30))s -timeout_error \
        -max_recv_loops 5000 -max_sched_loops 5000 -trace_stat -stf stat.csv -fd 1 \
        -trace_error_codes $extra > uac.out 2>&1 ) &
    local uac=$!
    SIPP_PIDS="$SIPP_PIDS $uac"
    wait $uac
    SIPP_PIDS=${SIPP_PIDS/ $uac/}
    c1=$(cpu_ticks $NODE_PIDS); q1=$(runq_ns $NODE_PIDS)
    # the responses sipp did not expect, by status code (e.g. the proxy's 503 when overloaded):
    # sipp 3.6 counts such a call as failed only when its recv_timeout expires, as
    # FailedTimeoutOnRecv, so the status is the only trace of what happened to it
    local codes
    codes=$(cat "$dir"/*_error_codes.csv 2>/dev/null | awk -F';' '{ k = split($3, c, ",")
            for (i = 1; i <= k; i++) if (c[i] ~ /^[0-9]+$/) n[c[i]]++ }
        END { s = ""; for (x in n) s = s (s == "" ? "" : ",") x ":" n[x]; print (s == "" ? "none" : s) }')
    awk -F';' -v n=$n -v cpu=$((c1 - c0)) -v runq=$((q1 - q0)) -v codes="$codes" '
        function t(f,  a, k) { k = split(f, a, "\t"); return a[k] + 0 }
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        {   last = $0; now = t($h["CurrentTime"]); o = $h["OutgoingCall(C)"] + 0
            if (start == "") start = t($h["StartTime"])
            # the moment all n calls were sent, interpolated between the 1 s dumps
            if (sent_at == "" && o >= n) sent_at = (o > po && pt != "") ? pt + (n - po) * (now - pt) / (o - po) : now
            pt = now; po = o }
        END {
            split(last, v, ";"); out = v[h["OutgoingCall(C)"]] + 0
            ok = v[h["SuccessfulCall(C)"]] + 0; ko = v[h["FailedCall(C)"]] + 0
            split(v[h["ResponseTime1(C)"]], r, ":"); rt = (r[1] * 3600 + r[2] * 60 + r[3]) * 1000 + r[4] / 1000
            secs = (sent_at != "" ? sent_at : now) - start
            printf "sent=%d ok=%d failed=%d failpct=%.3f achieved=%.0f meanrt_ms=%.2f cpu_ticks=%d runq_ms=%.0f unexpected=%s\n",
                out, ok, ko, 100 * (n - ok) / n, (secs > 0 ? out / secs : 0), rt, cpu, runq / 1e6, codes }' "$dir/stat.csv"
}

# latency_rtt DIR: p50/p99/max in ms from the -trace_rtt file(s) of a step (millisecond resolution)
latency_rtt() {
    cat "$1"/*_rtt.csv 2>/dev/null | awk -F';' 'NR > 1 && $3 == 1 { print $2 }' | sort -g |
        awk '{ a[NR] = $1 } END {
            if (NR == 0) { print "p50_ms=NA p99_ms=NA max_ms=NA n=0"; exit }
            i50 = int(NR * 0.50); i99 = int(NR * 0.99); if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
            printf "p50_ms=%d p99_ms=%d max_ms=%d n=%d\n", a[i50], a[i99], a[NR], NR }'
}

# kv KEY "k=v k=v ...": the value of KEY
kv() { echo "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'; }

# latency FILE: p50/p99/max in ms (microsecond timestamps of a sipp -trace_msg file), MESSAGE sent
# to its 200 received, per Call-ID
latency() {
    awk '
        /^-----+ [0-9]+-[0-9]+-[0-9]+ / { split($3, c, ":"); ts = c[1] * 3600 + c[2] * 60 + c[3]; hdr = 1; next }
        hdr && / message sent/     { dir = "s"; hdr = 0; first = ""; next }
        hdr && / message received/ { dir = "r"; hdr = 0; first = ""; next }
        first == "" && NF > 0 { first = $1 " " $2; next }
        /^Call-ID:/ || /^i:/ {
            if (dir == "s" && first ~ /^MESSAGE / && !($2 in s)) s[$2] = ts
            else if (dir == "r" && first ~ /^SIP\/2.0 200/ && ($2 in s) && !($2 in done)) {
                d = ts - s[$2]; if (d < 0) d += 86400; print d * 1000; done[$2] = 1 }
        }' "$1" | sort -g | awk '{ a[NR] = $1 } END {
            if (NR == 0) { print "p50_ms=NA p99_ms=NA max_ms=NA n=0"; exit }
            i50 = int(NR * 0.50); i99 = int(NR * 0.99)
            if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1
            printf "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f n=%d\n", a[i50], a[i99], a[NR], NR }'
}
