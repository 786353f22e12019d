# lib.sh — helpers for the acceptance scenarios (sourced by every t_*.sh).
# A scenario builds its own configuration in a temp dir, starts sipfed and sipp instances on
# distinct loopback addresses derived from $SIPFED_TEST_NET, waits on conditions (log lines,
# listening sockets, process exit), never on fixed sleeps, and stops every process by its PID.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SIPFED=${SIPFED:-$ROOT/build/sipfed}
SIPP_DIR=$ROOT/tests/acceptance/sipp
NET=${SIPFED_TEST_NET:-127.0.0}
PROXY_IP=$NET.1          # sipfed
IMP_IP=$NET.2            # the IM&P node (neighbor zone IMP)
MS_IP=$NET.3             # the Microsoft edge (default zone in, static route out)
IMP2_IP=$NET.4           # a second IM&P peer / fork target
DEAD_IP=$NET.9           # nobody listens here
PROXY_PORT=5060
IMP_PORT=5062
MS_PORT=5061
UAC_PORT=5090            # sipp clients bind here (distinct from every server port)
TEST_NAME=$(basename "$0" .sh)
T=$(mktemp -d "/tmp/sipfed-$TEST_NAME.XXXXXX")
PIDS=()
SIPFED_PID=

cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    if [ "$rc" -eq 0 ] && grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
            "$T/sipfed.log" 2>/dev/null; then
        echo "FAIL $TEST_NAME: sanitizer report in the sipfed log" >&2
        rc=1
    fi
    if [ "$rc" -eq 0 ] && [ -z "${KEEP:-}" ]; then rm -rf "$T"; else echo "  (artifacts kept in $T)" >&2; fi
    exit "$rc"
}
trap cleanup EXIT

fail() {
    echo "FAIL $TEST_NAME: $*" >&2
    if [ -f "$T/sipfed.log" ]; then echo "--- sipfed log (tail)" >&2; tail -n 25 "$T/sipfed.log" >&2; fi
    exit 1
}

pass() { echo "ok   $TEST_NAME${1:+: $1}"; }

# wait_until SECONDS CMD...: poll CMD every 50 ms until it succeeds; 1 on timeout.
wait_until() {
    local limit=$1; shift
    local n=$((limit * 20))
    for _ in $(seq "$n"); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

log_has() { grep -qE -- "$1" "$T/sipfed.log" 2>/dev/null; }

# wait_log REGEX [SECONDS]: wait for a sipfed log line.
wait_log() { wait_until "${2:-10}" log_has "$1" || fail "no log line matching /$1/"; }

# sipfed_log_count REGEX: how many log lines match.
log_count() { grep -cE -- "$1" "$T/sipfed.log" 2>/dev/null || true; }

port_open() {   # port_open udp|tcp IP PORT
    if [ "$1" = udp ]; then ss -Hlun "src $2:$3" | grep -q .; else ss -Hltn "src $2:$3" | grep -q .; fi
}

# sipp_tp udp|tcp: sipp's -t value.
sipp_tp() { if [ "$1" = udp ]; then echo u1; else echo t1; fi; }

CERTS=$ROOT/certs/lab

# lab_certs: the lab PKI (certs/mklab.sh is idempotent); every node file names it in [tls],
# which sipfed requires as soon as a dial plan has a DNS zone.
lab_certs() {
    [ -s "$CERTS/edge.pem" ] && [ -s "$CERTS/edge.key" ] && return 0
    "$ROOT/certs/mklab.sh" >/dev/null || fail "certs/mklab.sh failed"
}

# node_file TRANSPORT-LIST: the node file, listening on PROXY_IP:PROXY_PORT for each transport.
node_file() {
    local listen="" tp
    for tp in "$@"; do listen="${listen:+$listen, }$tp:$PROXY_IP:$PROXY_PORT"; done
    mkdir -p "$T/rules"
    lab_certs
    cat > "$T/sipfed.ini" <<INI
[proxy]
hostname = edge.ciscoexample.test
listen = $listen
dialplan = rules
max_forwards = 70
# The scenarios' sipp peers would see an OPTIONS keep-alive as an unexpected request: probing is
# off unless a scenario turns it on (t_peer_health.sh).
peer_keepalive_interval = 0
# One process (docs/workers.md); SIPFED_WORKERS=N runs the scenarios with N workers.
workers = ${SIPFED_WORKERS:-1}
[tls]
certificate = $CERTS/edge.pem
private_key = $CERTS/edge.key
ca_file = $CERTS/ca.pem
[log]
level = ${SIPFED_LOG_LEVEL:-info}
INI
}

# lab_rules TRANSPORT [IMP_PEERS] [MS_TRANSPORT] [EXTRA...]: the lab dial plan of the scenarios:
# IM&P neighbor zone, DNS zone with a static route for msexample.test to the Microsoft sipp (over
# MS_TRANSPORT, default TRANSPORT), and the Expressway rules. An empty IMP_PEERS or MS_TRANSPORT
# takes the default. Each EXTRA changes the lab for one scenario instead of a dial plan of its
# own:
#   imp:LINE          one more line in [zone IMP]          (imp:"presence_format = pidf")
#   dns:LINE          one more line in [zone DNS]
#   local:DOMAINS     [federation] local_domains           (default ciscoexample.test)
#   no-static-route   msexample.test through the DNS zone's SRV records, not the static route
#   "+TEXT"           more sections (zones, rules), appended as written
lab_rules() {
    local tp=$1 peers=${2:-$IMP_IP:$IMP_PORT} ms_tp=${3:-$1}
    local imp="" dns="" local_domains=ciscoexample.test static=yes more="" x
    shift; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
    for x in "$@"; do
        case $x in
            imp:*) imp+="${x#imp:}"$'\n' ;;
            dns:*) dns+="${x#dns:}"$'\n' ;;
            local:*) local_domains=${x#local:} ;;
            no-static-route) static= ;;
            +*) more+=$'\n'"${x#+}"$'\n' ;;
            *) fail "lab_rules: unknown extra '$x'" ;;
        esac
    done
    {
        cat <<INI
[zone IMP]
type = neighbor
peers = $peers
transport = $tp
authenticated = yes
traffic = ms-imp
${imp}
[zone DNS]
type = dns
${dns}
[federation]
local_domains = $local_domains
INI
        [ -n "$static" ] && cat <<INI

[static_route msexample.test]
next_hop = $MS_IP:$MS_PORT
transport = $ms_tp
INI
        cat <<INI

[rule "Outbound to Microsoft"]
priority = 100
source = IMP
pattern = .*@msexample\\.test(;.*)?
target = DNS

[rule "Federation Routing IM/P FQDN"]
priority = 10
source = default
pattern = imp1-public\\.ciscoexample\\.test(:[0-9]+)?(;.*)?
target = IMP

[rule "Inbound to IM&P"]
priority = 110
source = default
pattern = .*@ciscoexample\\.test(;.*)?
target = IMP
INI
        printf '%s' "$more"
    } > "$T/rules/lab.ini"
}

# lab_start TRANSPORT [lab_rules arguments after TRANSPORT...]: the set-up of one round: the node
# file listening on TRANSPORT, the lab dial plan, sipfed started.
lab_start() {
    local tp=$1; shift
    node_file "$tp"; lab_rules "$tp" "$@"; start_sipfed
}

# start_sipfed: run sipfed on $T/sipfed.ini, wait until it serves.
start_sipfed() {
    "$SIPFED" -c "$T/sipfed.ini" run >"$T/sipfed.log" 2>&1 &
    SIPFED_PID=$!
    PIDS+=("$SIPFED_PID")
    wait_until 10 log_has "event=start" || fail "sipfed did not start"
}

# sipp_server NAME XML TRANSPORT IP PORT [sipp args...]: a sipp UAS in the background; waits
# until its socket is open. Its PID is in SIPP_PID_<NAME>, its messages in $T/NAME.msg.
sipp_server() {
    local name=$1 xml=$2 tp=$3 ip=$4 port=$5; shift 5
    sipp -sf "$xml" -t "$(sipp_tp "$tp")" -i "$ip" -p "$port" -nostdin -m 1 \
        -timeout 30s -timeout_error -trace_msg -message_file "$T/$name.msg" \
        -trace_err -error_file "$T/$name.err" "$@" >"$T/$name.out" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    printf -v "SIPP_PID_$name" %s "$pid"
    wait_until 10 port_open "$tp" "$ip" "$port" || fail "sipp $name did not open $tp $ip:$port"
}

# sipp_client NAME XML TRANSPORT IP [sipp args...]: run a sipp UAC against the proxy, one call,
# bounded; returns sipp's exit code (0: every step as scripted).
sipp_client() {
    local name=$1 xml=$2 tp=$3 ip=$4; shift 4
    timeout 40 sipp -sf "$xml" -t "$(sipp_tp "$tp")" -i "$ip" -p "$UAC_PORT" -nostdin -m 1 \
        -timeout 30s -timeout_error -trace_msg -message_file "$T/$name.msg" \
        -trace_err -error_file "$T/$name.err" "$@" "$PROXY_IP:$PROXY_PORT" >"$T/$name.out" 2>&1
}

# sipp_wait NAME: wait for a background sipp to exit (bounded) and return its exit code.
sipp_wait() {
    local var="SIPP_PID_$1" rc
    local pid=${!var}
    wait_until 35 sh -c "! kill -0 $pid 2>/dev/null" || { kill "$pid"; fail "sipp $1 did not finish"; }
    wait "$pid"; rc=$?
    return $rc
}

# expect_ok NAME CMD...: run CMD, fail with NAME's sipp error file when it fails.
expect_ok() {
    local name=$1; shift
    "$@" || { echo "--- $name errors" >&2; tail -n 20 "$T/$name.err" "$T/$name.out" 2>/dev/null >&2; fail "$name failed"; }
}

# message_inbound_ok TRANSPORT: one MESSAGE from the Microsoft side to alice@ciscoexample.test,
# routed by lab_rules' "Inbound to IM&P" to the IM&P sipp, which answers 200; fails otherwise.
message_inbound_ok() {
    local tp=$1
    uas_xml "$T/uas.xml" MESSAGE 200
    uac_xml "$T/uac.xml" MESSAGE "sip:alice@ciscoexample.test" 200
    sipp_server imp "$T/uas.xml" "$tp" "$IMP_IP" "$IMP_PORT"
    expect_ok uac sipp_client uac "$T/uac.xml" "$tp" "$MS_IP" -key from_domain msexample.test \
        -key max_forwards 70
    expect_ok imp sipp_wait imp
}

# uac_from_imp NAME XML TRANSPORT USER [sipp args...]: the IM&P -> Microsoft direction: a sipp
# UAC on the IM&P address sends to USER@msexample.test from ciscoexample.test through sipfed;
# fails with its errors unless every step went as scripted.
uac_from_imp() {
    local name=$1 xml=$2 tp=$3 user=$4; shift 4
    expect_ok "$name" sipp_client "$name" "$xml" "$tp" "$IMP_IP" -s "$user" \
        -key from_domain ciscoexample.test -key to_domain msexample.test "$@"
}

# uac_from_ms NAME XML TRANSPORT USER [sipp args...]: the Microsoft -> IM&P direction: a sipp UAC
# on the Microsoft address sends to USER@ciscoexample.test from msexample.test.
uac_from_ms() {
    local name=$1 xml=$2 tp=$3 user=$4; shift 4
    expect_ok "$name" sipp_client "$name" "$xml" "$tp" "$MS_IP" -s "$user" \
        -key from_domain msexample.test -key to_domain ciscoexample.test "$@"
}

# message_expect NAME TRANSPORT imp|ms RURI STATUS [MAX_FORWARDS]: one MESSAGE to RURI from the
# IM&P or the Microsoft side (its address and domain; Max-Forwards 70 unless given) must be
# answered STATUS.
message_expect() {
    local name=$1 tp=$2 side=$3 ruri=$4 status=$5 mf=${6:-70} ip dom
    case $side in
        imp) ip=$IMP_IP dom=ciscoexample.test ;;
        ms) ip=$MS_IP dom=msexample.test ;;
        *) fail "message_expect: side '$side' (imp or ms)" ;;
    esac
    uac_xml "$T/$name.xml" MESSAGE "$ruri" "$status"
    expect_ok "$name" sipp_client "$name" "$T/$name.xml" "$tp" "$ip" -key from_domain "$dom" \
        -key max_forwards "$mf"
}

# sipp_done NAME: the background sipp NAME finished as scripted (else fail with its errors).
sipp_done() { expect_ok "$1" sipp_wait "$1"; }

# msg_count NAME REGEX: how many received messages of sipp NAME have a first line matching.
msg_count() { grep -cE -- "$2" "$T/$1.msg" 2>/dev/null || true; }

# to_tagged NAME URI_REGEX MIN: sipp NAME's messages have at least MIN To headers naming the URI,
# each with a tag: requests inside a dialog carry the dialog's tag (RFC 3261 §12.2.1.1), which a
# sipp UAS must set itself ([peer_tag_param] is empty there; see uas_subscribe.xml).
to_tagged() {
    [ "$(msg_count "$1" "^To: <$2>[[:space:]]*\$")" -eq 0 ] || fail "$1: a To <$2> without a tag"
    [ "$(msg_count "$1" "^To: <$2>;tag=")" -ge "$3" ] || fail "$1: fewer than $3 To <$2> with a tag"
}

# for_each_transport FUNC: run the scenario body over UDP and TCP (TRANSPORTS overrides).
for_each_transport() {
    local tp
    for tp in ${TRANSPORTS:-udp tcp}; do
        "$1" "$tp" || fail "$1 over $tp"
        stop_all
    done
}

# stop_all: stop sipfed and every sipp of this round (by PID), keep the artifacts apart.
stop_all() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        wait_until 6 sh -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null
    done
    PIDS=()
    # Under the sanitizer build (SIPFED=build-asan/sipfed) any report fails the scenario.
    if grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$T/sipfed.log" 2>/dev/null; then
        grep -E -A30 "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" "$T/sipfed.log" | head -40 >&2
        fail "sanitizer report in the sipfed log"
    fi
    local round
    round=$T/round.$(date +%s%N)
    mkdir -p "$round"
    mv "$T"/*.log "$T"/*.msg "$T"/*.out "$T"/*.err "$round"/ 2>/dev/null || true
}

# uac_xml FILE METHOD RURI STATUS [EXTRA_HEADER_LINES] [CHECK_HEADER CHECK_REGEX]: a one-request
# client scenario (non-INVITE) expecting final STATUS; optionally checks a response header.
uac_xml() {
    local file=$1 method=$2 ruri=$3 status=$4 extra=${5:-} chk_h=${6:-} chk_re=${7:-} action=""
    [ -n "$extra" ] && extra="$extra"$'\n'
    if [ -n "$chk_h" ]; then
        action="<action><ereg regexp=\"$chk_re\" search_in=\"hdr\" header=\"$chk_h\" check_it=\"true\" assign_to=\"chk\"/></action>"
    fi
    cat > "$file" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uac_$method">
  <send retrans="500">
    <![CDATA[
$method $ruri SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
Max-Forwards: [max_forwards]
From: <sip:sender@[from_domain]>;tag=[call_number]-uac
To: <$ruri>
Call-ID: [call_id]
CSeq: 1 $method
Contact: <sip:sender@[local_ip]:[local_port];transport=[transport]>
Event: presence
Subscription-State: active;expires=60
${extra}Content-Length: 0

]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="$status">$action</recv>
  $( [ -n "$chk_h" ] && echo '<Reference variables="chk"/>' )
</scenario>
XML
}

# sipp_answer STATUS PHRASE [TO_TAG] [EXTRA_HEADER_LINES]: a sipp <send> of a bodiless response
# to the last request received (with ";tag=TO_TAG" on To when given).
sipp_answer() {
    local extra=${4:-}
    [ -n "$extra" ] && extra="$extra"$'\n'
    printf '<send><![CDATA[\nSIP/2.0 %s %s\n[last_Via:]\n[last_From:]\n[last_To:]%s\n[last_Call-ID:]\n[last_CSeq:]\n%sContent-Length: 0\n\n]]></send>' \
        "$1" "$2" "${3:+;tag=$3}" "$extra"
}

# uas_xml FILE METHOD STATUS [DELAY_MS] [EXTRA_HEADER_LINES]: a server answering one request
# with STATUS (after a 100 Trying and DELAY_MS when given), then done.
uas_xml() {
    local file=$1 method=$2 status=$3 delay=${4:-} extra=${5:-}
    local pre=""
    if [ -n "$delay" ]; then
        pre="$(sipp_answer 100 Trying)
  <pause milliseconds=\"$delay\"/>"
    fi
    cat > "$file" <<XML
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="uas_$method">
  <recv request="$method"/>
  $pre
  $(sipp_answer "$status" Answer "[call_number]-uas" "$extra")
</scenario>
XML
}

# ---- the admin HTTP interface (docs/operations.md) ----
ADMIN_PORT=9061
ADMIN=$PROXY_IP:$ADMIN_PORT

# admin_on [EXTRA_LINES]: add an [admin] section listening on $ADMIN to the node file.
admin_on() {
    printf '[admin]\nlisten = %s\n%s\n' "$ADMIN" "${1:-}" >> "$T/sipfed.ini"
}

# admin_get PATH: the body of GET http://$ADMIN/PATH (fails on an HTTP error).
admin_get() { curl -sf --max-time 10 "http://$ADMIN/$1"; }

# metric 'name{label="v",...}': the value of one sample of /metrics (0 when absent).
metric() {
    admin_get metrics | awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}

# metric_is SAMPLE VALUE: wait (bounded) until the sample has VALUE; fail otherwise.
metric_is() {
    wait_until 10 sh -c "[ \"\$(curl -sf --max-time 5 http://$ADMIN/metrics | awk -v k='$1' '\$1 == k { v = \$2 } END { print (v == \"\" ? 0 : v) }')\" = '$2' ]" ||
        fail "metric $1 is $(metric "$1"), expected $2"
}

# promtool_check: /metrics passes `promtool check metrics` (Prometheus' own parser and linter).
promtool_check() {
    admin_get metrics > "$T/metrics.txt" || fail "GET /metrics failed"
    promtool check metrics < "$T/metrics.txt" > "$T/promtool.out" 2>&1 ||
        { cat "$T/promtool.out" >&2; fail "promtool check metrics refused /metrics"; }
}
