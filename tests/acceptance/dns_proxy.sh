# dns_proxy.sh — sourced by the t_dns_*.sh scenarios that run sipfed: start/stop sipfed with a
# generated node file and dial plan, sipp UAC/UAS from templates, wait on log lines. Every
# address comes from $SIPFED_TEST_NET; every process is stopped by its PID.
# (Self-contained until the proxy helper's lib.sh lands; then these can move onto it.)

here=${here:-$(cd "$(dirname "$0")" && pwd)}
top=${top:-$(cd "$here/../.." && pwd)}
SIPFED_BIN="$top/${B:-build}/sipfed"
N=$SIPFED_TEST_NET
PIDS=""

fail() { echo "FAIL: $*" >&2; exit 1; }

# wait_for FILE PATTERN SECONDS: until grep finds PATTERN in FILE (bounded).
wait_for() {
    i=0 n=$(($3 * 20))
    while [ $i -lt $n ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# sipfed_start NAME DIR: run sipfed with DIR/sipfed.ini, wait until it listens.
sipfed_start() {
    "$SIPFED_BIN" -c "$2/sipfed.ini" run >"$2/$1.log" 2>&1 &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    wait_for "$2/$1.log" "event=start" 10 || { cat "$2/$1.log" >&2; fail "sipfed $1 did not start"; }
}

# sipp_uas NAME DIR IP PORT METHOD [STATUS]: answer one METHOD with STATUS (200), log messages.
sipp_uas() {
    sed -e "s/@METHOD@/$5/g" -e "s/@STATUS@/${6:-200}/g" "$here/sipp/dns_uas.xml" >"$2/$1.xml"
    (cd "$2" && exec sipp -sf "$1.xml" -t t1 -i "$3" -p "$4" -m 1 -nostdin \
        -trace_msg -message_file "$1.msg" >"$1.out" 2>&1) &
    eval "PID_$1=$!"
    PIDS="$PIDS $!"
    i=0
    while [ $i -lt 100 ]; do
        ss -ltnH "src $3:$4" 2>/dev/null | grep -q . && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "sipp UAS $1 did not listen on $3:$4"
}

# sipp_uac NAME DIR LOCAL_IP METHOD RURI FROM_URI EXPECT [TIMEOUT_S]: send one request to sipfed
# ($SIPFED_ADDR:$SIPFED_PORT over TCP) and require the final response EXPECT. Prints the time
# it took (seconds) into DIR/NAME.took.
sipp_uac() {
    sed -e "s/@METHOD@/$4/g" -e "s/@EXPECT@/$7/g" -e "s|@RURI@|$5|g" -e "s|@FROM@|$6|g" \
        "$here/sipp/dns_uac.xml" >"$2/$1.xml"
    t0=$(date +%s%N)
    (cd "$2" && timeout $((${8:-10} + 5)) sipp -sf "$1.xml" -t t1 -i "$3" -p 0 -m 1 -nostdin \
        -timeout "${8:-10}s" -timeout_error -trace_msg -message_file "$1.msg" \
        "$SIPFED_ADDR:$SIPFED_PORT" >"$1.out" 2>&1)
    rc=$?
    echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$2/$1.took"
    return $rc
}

stop_all() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    PIDS=""
}
