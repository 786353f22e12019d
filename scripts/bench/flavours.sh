# flavours.sh — the proxies scripts/bench.sh compares, started in the same topology (bash, sourced
# after lib.sh). A node is a process tree (sipfed's supervisor and workers, Kamailio's main
# process and children); CPU and memory are summed over the tree.
#
#   tls  : sipp UAC -TCP-> node A :A_PORT -mutual TLS-> node B :B_PORT -TCP-> sipp UAS :UAS_PORT
#   tcp1 : sipp UAC -TCP-> node A :A_PORT -TCP-> sipp UAS :UAS_PORT
#
# flavour_start FLAVOUR WORKERS MODE sets A_PID, B_PID (empty in tcp1) and NODE_PIDS (every
# process of both trees); flavour_stop stops them by PID. Kamailio sends TLS and TCP only from
# a socket it listens on, so its A also listens on TLS :A_TLS_PORT and its B on TCP :B_TCP_PORT.

KAM_BIN=${KAM_BIN:-/usr/sbin/kamailio}
KAM_MPATH=${KAM_MPATH:-/usr/lib/x86_64-linux-gnu/kamailio/modules/}

kamailio_available() { [ -x "$KAM_BIN" ] && [ -e "$KAM_MPATH/tls.so" ]; }

# tree_pids PID: PID and every descendant
tree_pids() {
    [ -n "$1" ] || return 0
    # one stream: a process that exits while it is read must not stop the walk
    cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
        { pid = $1; line = $0; sub(/.*\) /, "", line); split(line, f, " "); parent[pid] = f[2] }
        END { keep[root] = 1
              do { grew = 0
                   for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 }
              } while (grew)
              for (p in keep) if (p in parent) printf "%s ", p }'
}

# pss_kb PID...: proportional set size summed (shared pages counted once over the processes)
pss_kb() {
    local p
    for p in "$@"; do cat /proc/$p/smaps_rollup 2>/dev/null; done | awk '/^Pss:/ { s += $2 } END { printf "%d", s }'
}

# pss_mem_kb PID...: the same without file-backed pages (Pss_Anon + Pss_Shmem: heap, stacks,
# Kamailio's shared memory). Libraries and binaries do not grow with connections, but their PSS
# share moves whenever another process on the machine maps or unmaps the same files.
pss_mem_kb() {
    local p
    for p in "$@"; do cat /proc/$p/smaps_rollup 2>/dev/null; done |
        awk '/^Pss_(Anon|Shmem):/ { s += $2 } END { printf "%d", s }'
}

_sipfed_start() { # WORKERS MODE
    local ini_a ini_b=""
    if [ "$2" = tls ]; then
        ini_a=$(SIPFED_WORKERS=$1 node_render A "tcp:$HOST:$A_PORT" edge.ciscoexample.test edge \
            "peers = $HOST:$B_PORT
transport = tls
tls_verify = on
tls_verify_subject = sip.msexample.test")
        ini_b=$(SIPFED_WORKERS=$1 node_render B "tls:$HOST:$B_PORT" sip.msexample.test msedge \
            "peers = $HOST:$UAS_PORT
transport = tcp")
        "$SIPFED" -c "$ini_b" run >> "$WORK/B.log" 2>&1 &
        B_PID=$!
    else
        ini_a=$(SIPFED_WORKERS=$1 node_render A "tcp:$HOST:$A_PORT" edge.ciscoexample.test edge \
            "peers = $HOST:$UAS_PORT
transport = tcp")
    fi
    "$SIPFED" -c "$ini_a" run >> "$WORK/A.log" 2>&1 &
    A_PID=$!
}

# _kam_render NAME WORKERS "LISTEN..." NEXT_HOP CERT: a config directory in $WORK/kam-NAME
_kam_render() {
    local d=$WORK/kam-$1 tls=no tlsmod=""
    mkdir -p "$d/run"
    case " $3" in *" tls:"*) tls=yes ;; esac
    if [ $tls = yes ]; then
        sed -e "s|@CERT@|$CERTS/$5.pem|; s|@KEY@|$CERTS/$5.key|; s|@CA@|$CERTS/ca.pem|" \
            "$BENCH/kamailio/tls.cfg.in" > "$d/tls.cfg"
        tlsmod="loadmodule \"tls.so\"
modparam(\"tls\", \"config\", \"$d/tls.cfg\")"
    fi
    awk -v w="$2" -v listen="$3" -v nh="$4" -v tls=$tls -v tlsmod="$tlsmod" -v mpath="$KAM_MPATH" '
        { gsub(/@WORKERS@/, w); gsub(/@NEXT_HOP@/, nh); gsub(/@TLS@/, tls); gsub(/@MPATH@/, mpath) }
        $0 == "@LISTEN@" { n = split(listen, l, " "); for (i = 1; i <= n; i++) print "listen=" l[i]; next }
        $0 == "@TLS_MODULE@" { print tlsmod; next }
        { print }' "$BENCH/kamailio/proxy.cfg.in" > "$d/proxy.cfg"
    "$KAM_BIN" -c -f "$d/proxy.cfg" > "$d/check.log" 2>&1 || { cat "$d/check.log" >&2; return 1; }
    echo "$d"
}

_kam_launch() { # DIR -> LAST_PID
    "$KAM_BIN" -f "$1/proxy.cfg" -DD -E -m "${KAM_SHM_MB:-512}" -M "${KAM_PKG_MB:-16}" \
        -Y "$1/run" -P "$1/kamailio.pid" > "$1/kamailio.log" 2>&1 &
    LAST_PID=$!
}

_kamailio_start() { # WORKERS MODE
    local d
    if [ "$2" = tls ]; then
        d=$(_kam_render B "$1" "tls:$HOST:$B_PORT tcp:$HOST:$B_TCP_PORT" \
            "sip:$HOST:$UAS_PORT;transport=tcp" msedge) || return 1
        _kam_launch "$d"; B_PID=$LAST_PID
        d=$(_kam_render A "$1" "tcp:$HOST:$A_PORT tls:$HOST:$A_TLS_PORT" \
            "sip:$HOST:$B_PORT;transport=tls" edge) || return 1
    else
        d=$(_kam_render A "$1" "tcp:$HOST:$A_PORT" "sip:$HOST:$UAS_PORT;transport=tcp" edge) ||
            return 1
    fi
    _kam_launch "$d"; A_PID=$LAST_PID
}

flavour_start() { # FLAVOUR WORKERS MODE
    A_PID="" B_PID="" NODE_PIDS=""
    "_$1_start" "$2" "$3" || return 1
    local t=$([ -n "${WRAP:-}" ] && echo 60 || echo 20)
    wait_listen "$A_PORT" $t || return 1
    [ "$3" != tls ] || wait_listen "$B_PORT" $t || return 1
    # every worker up: sipfed's supervisor forks them after the listen check, Kamailio its children
    local n0=0 n i
    for i in $(seq 40); do
        n=$(echo $(tree_pids "$A_PID") $(tree_pids "$B_PID") | wc -w)
        [ "$n" -gt 0 ] && [ "$n" -eq "$n0" ] && break
        n0=$n; sleep 0.25
    done
    NODE_PIDS="$(tree_pids "$A_PID") $(tree_pids "$B_PID")"
}

flavour_stop() {
    stop_pid "$A_PID" 20; stop_pid "$B_PID" 20
    A_PID="" B_PID="" NODE_PIDS=""
}

flavour_describe() { # FLAVOUR
    case $1 in
        sipfed) echo "sipfed $("$SIPFED" --version 2>/dev/null | head -1)" ;;
        kamailio) echo "$("$KAM_BIN" -v 2>/dev/null | head -1 | sed 's/version: //'), tm + t_relay" ;;
    esac
}
