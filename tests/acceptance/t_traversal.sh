#!/usr/bin/env bash
# acceptance: ~67 s
# The traversal pair through a DMZ firewall that lets nothing in (SPEC §5.4, issue 15,
# docs/traversal.md). Two network namespaces made by this scenario, joined by a veth pair:
#   inside  198.18.77.1  the internal node (traversal_client, hostname expc.ciscoexample.test)
#                        and the IM&P sipp on its loopback (127.0.0.2, TCP)
#   dmz     198.18.77.2  the DMZ node (traversal_server, hostname edge.ciscoexample.test) and, on
#                        its loopback, the Microsoft edge: sipp behind stunnel (127.0.0.3)
# nftables in both namespaces drops (and counts) every new connection from dmz to inside; the
# internal node even listens on 198.18.77.1:5061 so that an inward connection would have
# somewhere to go. Checked: MESSAGE both ways, SUBSCRIBE/NOTIFY/BENOTIFY both ways, an INVITE
# session (m=message) with BYE; SIGHUP on both nodes keeps the connection; the DMZ node restarted: 503 at once inside while it is down,
# reconnection within the back-off, traffic again; a second internal node (expc2, listening on
# its loopback only) connected: the first one killed, inbound requests go down the second's
# connection; both killed: the DMZ node answers 503 at once; the firewall counters show no
# connection attempt from dmz to inside.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tls_lib.sh"

command -v nft >/dev/null || fail "nft not installed (scripts/deps.sh installs nftables)"
NS_IN=sipfed-in-$$
NS_DMZ=sipfed-dmz-$$
if ! ip netns add "$NS_IN" 2>/dev/null; then
    echo "skip $TEST_NAME: cannot create network namespaces (ip netns add failed: not root?)"
    exit 0
fi
ip netns add "$NS_DMZ" || fail "ip netns add $NS_DMZ"

# Stop everything, remove the namespaces (also on failure); under the sanitizer build any report
# in either node's log fails the scenario.
netns_cleanup() {
    local rc=$? p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do
        wait_until 6 sh -c "! kill -0 $p 2>/dev/null" || kill -9 "$p" 2>/dev/null
    done
    PIDS=()
    ip netns del "$NS_IN" 2>/dev/null
    ip netns del "$NS_DMZ" 2>/dev/null
    if [ "$rc" -eq 0 ] && grep -qE "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
            "$T"/dmz*.log "$T"/int*.log 2>/dev/null; then
        grep -hE -A30 "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:" \
            "$T"/dmz*.log "$T"/int*.log | head -40 >&2
        echo "FAIL $TEST_NAME: sanitizer report in a node's log" >&2
        rc=1
    fi
    (exit "$rc")
    cleanup
}
trap netns_cleanup EXIT

IN_ADDR=198.18.77.1
DMZ_ADDR=198.18.77.2
in_ns() { ip netns exec "$NS_IN" "$@"; }
dmz_ns() { ip netns exec "$NS_DMZ" "$@"; }

ip link add "tvi$$" type veth peer name "tvd$$" || fail "veth"
ip link set "tvi$$" netns "$NS_IN" && ip link set "tvd$$" netns "$NS_DMZ" || fail "veth move"
in_ns ip addr add "$IN_ADDR/24" dev "tvi$$"
dmz_ns ip addr add "$DMZ_ADDR/24" dev "tvd$$"
for ns in "$NS_IN" "$NS_DMZ"; do
    ip netns exec "$ns" ip link set lo up
done
in_ns ip link set "tvi$$" up
dmz_ns ip link set "tvd$$" up

# The firewall: the DMZ may not open a connection inwards (counted on both sides).
# fw_drop NS HOOK MATCH: in NS, drop and count new connections matching MATCH at HOOK.
fw_drop() {
    ip netns exec "$1" nft -f - <<NFT || fail "nft in $1"
table inet sipfed_fw {
    chain c {
        type filter hook $2 priority 0; policy accept;
        $3 ct state new counter drop comment "dmz-to-inside"
    }
}
NFT
}
fw_drop "$NS_DMZ" output "ip daddr $IN_ADDR"
fw_drop "$NS_IN" input "ip saddr $DMZ_ADDR"
# packets counted by the dmz-to-inside rule of NS's table
fw_count() {
    ip netns exec "$1" nft list table inet sipfed_fw |
        sed -n 's/.*counter packets \([0-9]*\) .*dmz-to-inside.*/\1/p'
}
# The firewall works: a probe from dmz to the internal node's TLS port is dropped at the dmz
# side (its SYNs are the only packets the dmz counter may ever see; the inside one sees none).
dmz_ns timeout 3 bash -c "echo > /dev/tcp/$IN_ADDR/5061" 2>/dev/null &&
    fail "the firewall let a connection from dmz to inside through"
PROBE=$(fw_count "$NS_DMZ")
[ "${PROBE:-0}" -ge 1 ] || fail "the firewall did not count the probe"

port_open_ns() { ip netns exec "$1" ss -Hltn "src $2:$3" | grep -q .; }

# ns_bg NS NAME CMD...: run CMD in NS in the background (ip netns exec execs it: $! is its PID).
ns_bg() {
    local ns=$1 name=$2; shift 2
    ip netns exec "$ns" "$@" >"$T/$name.out" 2>&1 &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

fail_pair() {
    for f in dmz int int2; do
        [ -f "$T/$f.log" ] && { echo "--- $f node log (tail)" >&2; tail -n 30 "$T/$f.log" >&2; }
    done
    fail "$@"
}
log_in() { grep -qE -- "$2" "$T/$1.log" 2>/dev/null; }
wait_node_log() { wait_until "${3:-15}" log_in "$1" "$2" || fail_pair "$1 node: no log line /$2/"; }
node_count() { grep -cE -- "$2" "$T/$1.log" 2>/dev/null || true; }

# ------------------------------------------------------------------ nodes

mkdir -p "$T/dmz/rules" "$T/int/rules"
cat > "$T/dmz/sipfed.ini" <<INI
[proxy]
hostname = edge.ciscoexample.test
# no OPTIONS keep-alives to the sipp peers (sipp aborts on them; the first comes 30 s after
# start, which a loaded run reaches)
peer_keepalive_interval = 0
listen = tls:$DMZ_ADDR:5061, tls:127.0.0.1:5061
dialplan = rules
[tls]
certificate = $PKI/edge.pem
private_key = $PKI/edge.key
ca_file = $PKI/ca.pem
[admin]
listen = 127.0.0.1:9061
[log]
level = debug
INI
cat > "$T/dmz/rules/dmz.ini" <<'INI'
[zone TraversalServer]
type = traversal_server
tls_verify_subject = expc.ciscoexample.test, expc2.ciscoexample.test
authenticated = yes
traffic = ms-imp
keepalive_interval = 2

[zone DNS]
type = dns

[zone default]
type = default
require_client_certificate = on
authenticated = verified

[federation]
local_domains = ciscoexample.test

[static_route msexample.test]
next_hop = 127.0.0.3:5061
transport = tls

[rule "Outbound to Microsoft"]
priority = 100
source = TraversalServer
pattern = .*@msexample\.test(;.*)?
target = DNS

[rule "Inbound to IM&P"]
priority = 110
source = default
authenticated = yes
pattern = .*@ciscoexample\.test(;.*)?
target = TraversalServer
INI
cat > "$T/int/sipfed.ini" <<INI
[proxy]
hostname = expc.ciscoexample.test
# no OPTIONS keep-alives to the sipp peers (sipp aborts on them; the first comes 30 s after
# start, which a loaded run reaches)
peer_keepalive_interval = 0
listen = tcp:127.0.0.1:5060, tls:$IN_ADDR:5061
dialplan = rules
[tls]
certificate = $PKI/expc.pem
private_key = $PKI/expc.key
ca_file = $PKI/ca.pem
[admin]
listen = 127.0.0.1:9061
[log]
level = debug
INI
cat > "$T/int/rules/int.ini" <<INI
[zone IMP]
type = neighbor
peers = 127.0.0.2:5062
transport = tcp
authenticated = yes
traffic = ms-imp

[zone TraversalClient]
type = traversal_client
peers = $DMZ_ADDR:5061
tls_verify_subject = edge.ciscoexample.test
authenticated = yes
traffic = ms-imp
keepalive_interval = 1
reconnect_max = 2

[federation]
local_domains = ciscoexample.test

[rule "Outbound to Microsoft"]
priority = 100
source = IMP
pattern = .*@msexample\\.test(;.*)?
target = TraversalClient

[rule "Inbound to IM&P"]
priority = 110
source = TraversalClient
pattern = .*@ciscoexample\\.test(;.*)?
target = IMP
INI

# A second internal node (expc2), for failover between two client nodes: the same dial plan,
# IM&P-side listen address only (nothing on the inside network, even less the DMZ, reaches it).
mkdir -p "$T/int2"
sed -e 's/^hostname = .*/hostname = expc2.ciscoexample.test/' -e 's/expc\./expc2./g' \
    -e 's/^listen = .*/listen = tcp:127.0.0.4:5060/' -e "s|^dialplan = .*|dialplan = $T/int/rules|" \
    -e '/^\[admin\]/,/^listen/d' \
    "$T/int/sipfed.ini" > "$T/int2/sipfed.ini"

start_dmz() {
    : >"$T/dmz.log"
    ip netns exec "$NS_DMZ" "$SIPFED" -c "$T/dmz/sipfed.ini" run >>"$T/dmz.log" 2>&1 &
    DMZ_PID=$!
    PIDS+=("$DMZ_PID")
    wait_until 10 log_in dmz "event=start" || fail_pair "the DMZ node did not start"
}
start_int() {
    : >"$T/int.log"
    ip netns exec "$NS_IN" "$SIPFED" -c "$T/int/sipfed.ini" run >>"$T/int.log" 2>&1 &
    INT_PID=$!
    PIDS+=("$INT_PID")
    wait_until 10 log_in int "event=start" || fail_pair "the internal node did not start"
}
start_int2() {
    : >"$T/int2.log"
    ip netns exec "$NS_IN" "$SIPFED" -c "$T/int2/sipfed.ini" run >>"$T/int2.log" 2>&1 &
    INT2_PID=$!
    PIDS+=("$INT2_PID")
    wait_until 10 log_in int2 "event=start" || fail_pair "the second internal node did not start"
}
stop_pid() {
    kill "$1" 2>/dev/null
    wait_until 10 sh -c "! kill -0 $1 2>/dev/null" || kill -9 "$1" 2>/dev/null
    wait "$1" 2>/dev/null
}

"$SIPFED" -c "$T/dmz/sipfed.ini" check >"$T/check-dmz.out" 2>&1 ||
    { cat "$T/check-dmz.out" >&2; fail "sipfed check (DMZ node)"; }
"$SIPFED" -c "$T/int/sipfed.ini" check >"$T/check-int.out" 2>&1 ||
    { cat "$T/check-int.out" >&2; fail "sipfed check (internal node)"; }
"$SIPFED" -c "$T/int2/sipfed.ini" check >"$T/check-int2.out" 2>&1 ||
    { cat "$T/check-int2.out" >&2; fail "sipfed check (second internal node)"; }

start_dmz
start_int
wait_node_log int "module=traversal event=connected role=client zone=TraversalClient peer=$DMZ_ADDR:5061"
wait_node_log dmz "module=traversal event=connected role=server zone=TraversalServer peer=$IN_ADDR:[0-9]+ name=expc.ciscoexample.test"
# keep-alives flow over the connection and are answered by the DMZ node itself
wait_node_log int "event=keepalive role=client zone=TraversalClient .*status=200"

# status_is NS ROLE STATE: the node's GET /status shows its first traversal row so
status_is() {
    ip netns exec "$1" curl -sf --max-time 5 http://127.0.0.1:9061/status | python3 -c '
import json, sys
rows = json.load(sys.stdin)["traversal"]
r = rows[0]
sys.exit(0 if r["role"] == sys.argv[1] and r["state"] == sys.argv[2] else 1)' "$2" "$3"
}
wait_until 10 status_is "$NS_IN" client connected || fail_pair "internal node /status: not connected"
wait_until 10 status_is "$NS_DMZ" server connected || fail_pair "DMZ node /status: not connected"

# ------------------------------------------------------------- scenarios

# The IM&P and Microsoft sipp scenarios, rewritten for the pair: two hops (Max-Forwards 68),
# either node's Record-Route.
pair_xml() {
    sed -e 's/\^ \*69/^ *68/' -e 's/edge\\.ciscoexample\\.test/(edge|expc2?)\\.ciscoexample\\.test/g' \
        "$1" > "$2"
}
pair_xml "$SIPP_DIR/uac_message.xml" "$T/uac_message.xml"
pair_xml "$SIPP_DIR/uas_message.xml" "$T/uas_message.xml"
pair_xml "$SIPP_DIR/uac_subscribe.xml" "$T/uac_subscribe.xml"
pair_xml "$SIPP_DIR/uas_subscribe.xml" "$T/uas_subscribe.xml"
pair_xml "$SIPP_DIR/uac_session.xml" "$T/uac_session.xml"
pair_xml "$SIPP_DIR/uas_session.xml" "$T/uas_session.xml"
MS_TUNNEL=5070      # Microsoft sipp -> stunnel client (127.0.0.3) -> DMZ node 127.0.0.1:5061
MS_CONTACT=5080     # stunnel server -> the Microsoft sipp's own port (in-dialog requests)
MS_UAS=5066         # stunnel server 127.0.0.3:5061 -> Microsoft sipp UAS

# ms_tunnels: the Microsoft side's tunnels in the dmz namespace: a client tunnel to the DMZ node
# (certificate sip.msexample.test, checks edge.ciscoexample.test), a server tunnel on the
# static route's 127.0.0.3:5061 to the UAS and one to the UAC's Contact.
ms_tunnels() {
    cat > "$T/stunnel-msc.conf" <<CONF
foreground = yes
pid =
output = $T/stunnel-msc.log
[msc]
client = yes
accept = 127.0.0.3:$MS_TUNNEL
connect = 127.0.0.1:5061
local = 127.0.0.3
cert = $PKI/msedge.pem
key = $PKI/msedge.key
CAfile = $PKI/ca.pem
verifyChain = yes
checkHost = edge.ciscoexample.test
sslVersionMin = TLSv1.2
CONF
    local name port sport
    for name in mss:5061:$MS_UAS msw:$MS_CONTACT:$UAC_PORT; do
        IFS=: read -r name port sport <<<"$name"
        cat > "$T/stunnel-$name.conf" <<CONF
foreground = yes
pid =
output = $T/stunnel-$name.log
[$name]
accept = 127.0.0.3:$port
connect = 127.0.0.3:$sport
cert = $PKI/msedge.pem
key = $PKI/msedge.key
CAfile = $PKI/ca.pem
requireCert = yes
verifyChain = yes
sslVersionMin = TLSv1.2
CONF
    done
    for name in msc mss msw; do ns_bg "$NS_DMZ" "stunnel-$name" "$STUNNEL" "$T/stunnel-$name.conf"; done
    wait_until 10 port_open_ns "$NS_DMZ" 127.0.0.3 "$MS_TUNNEL" || fail "stunnel msc"
    wait_until 10 port_open_ns "$NS_DMZ" 127.0.0.3 5061 || fail "stunnel mss"
    wait_until 10 port_open_ns "$NS_DMZ" 127.0.0.3 "$MS_CONTACT" || fail "stunnel msw"
}
ms_tunnels

# sipp_ns NS NAME XML IP PORT [args...] -- a sipp in namespace NS, bounded. UAS: background
# (PID in SIPP_<NAME>); UAC: foreground against DEST (set DEST=ip:port).
uas_ns() {
    local ns=$1 name=$2 xml=$3 ip=$4 port=$5; shift 5
    ns_bg "$ns" "$name" sipp -sf "$xml" -t t1 -i "$ip" -p "$port" -nostdin -m 1 -timeout 30s \
        -timeout_error -trace_msg -message_file "$T/$name.msg" -trace_err -error_file \
        "$T/$name.err" "$@"
    printf -v "SIPP_$name" %s "$LAST_PID"
    wait_until 10 port_open_ns "$ns" "$ip" "$port" || fail "sipp $name did not listen"
}
uac_ns() {
    local ns=$1 name=$2 xml=$3 ip=$4 dest=$5; shift 5
    ip netns exec "$ns" timeout 40 sipp -sf "$xml" -t t1 -i "$ip" -p "$UAC_PORT" -nostdin -m 1 \
        -timeout 30s -timeout_error -trace_msg -message_file "$T/$name.msg" -trace_err \
        -error_file "$T/$name.err" "$@" "$dest" >"$T/$name.out" 2>&1
}
uas_wait() {
    local var="SIPP_$1"
    local pid=${!var}
    wait_until 35 sh -c "! kill -0 $pid 2>/dev/null" || { kill "$pid"; fail "sipp $1 did not finish"; }
    wait "$pid"
}
ok() { local name=$1; shift; "$@" || { tail -n 20 "$T/$name.err" "$T/$name.out" >&2 2>/dev/null; fail_pair "$name failed"; }; }

# IM&P -> Microsoft: internal node (IMP -> TraversalClient) -> DMZ node (TraversalServer -> DNS).
message_out() {
    local n=$1
    tls_xml "$T/uas_message.xml" "$T/uas_message_tls.xml"
    uas_ns "$NS_DMZ" "ms_uas$n" "$T/uas_message_tls.xml" 127.0.0.3 "$MS_UAS"
    ok "imp_uac$n" uac_ns "$NS_IN" "imp_uac$n" "$T/uac_message.xml" 127.0.0.2 127.0.0.1:5060 \
        -s bob -key from_domain ciscoexample.test -key to_domain msexample.test
    ok "ms_uas$n" uas_wait "ms_uas$n"
    wait_node_log int "method=MESSAGE alias=bob@msexample.test src=IMP .*target=TraversalClient next_hop=$DMZ_ADDR:5061/tls status=200"
    wait_node_log dmz "method=MESSAGE alias=bob@msexample.test src=TraversalServer .*target=DNS .*status=200"
}
# Microsoft -> IM&P: DMZ node (default -> TraversalServer, down the client's connection) ->
# internal node (TraversalClient -> IMP).
message_in() {
    local n=$1
    tls_xml "$T/uac_message.xml" "$T/uac_message_tls.xml"
    uas_ns "$NS_IN" "imp_uas$n" "$T/uas_message.xml" 127.0.0.2 5062
    ok "ms_uac$n" uac_ns "$NS_DMZ" "ms_uac$n" "$T/uac_message_tls.xml" 127.0.0.3 "127.0.0.3:$MS_TUNNEL" \
        -s alice -key from_domain msexample.test -key to_domain ciscoexample.test
    ok "imp_uas$n" uas_wait "imp_uas$n"
    wait_node_log dmz "method=MESSAGE alias=alice@ciscoexample.test src=default .*target=TraversalServer next_hop=$IN_ADDR:[0-9]+/tls status=200"
    wait_node_log int "method=MESSAGE alias=alice@ciscoexample.test src=TraversalClient .*target=IMP .*status=200"
}

message_out 1
message_in 1

# The pair in /metrics (docs/operations.md): the link up on the internal node, one verified
# client connection on the DMZ node.
metric_in() { ip netns exec "$1" curl -sf --max-time 10 http://127.0.0.1:9061/metrics | grep -qxF -- "$2"; }
metric_in "$NS_IN" "sipfed_traversal_up{zone=\"TraversalClient\",peer=\"$DMZ_ADDR:5061\"} 1" ||
    fail_pair "internal node: no sipfed_traversal_up 1 in /metrics"
metric_in "$NS_DMZ" 'sipfed_traversal_connections{zone="TraversalServer"} 1' ||
    fail_pair "DMZ node: no sipfed_traversal_connections 1 in /metrics"

# A reload (SIGHUP) on both nodes keeps the pair's connection: same zone, same peer.
kill -HUP "$DMZ_PID" "$INT_PID"
wait_node_log dmz "event=reload status=ok"
wait_node_log int "event=reload status=ok"
kas=$(node_count int "event=keepalive role=client")
wait_until 10 sh -c "[ \$(grep -c 'event=keepalive role=client' '$T/int.log') -gt $kas ]" ||
    fail_pair "no keep-alive answered after the reload"
if log_in int "event=(closed|disconnected) role=client" ||
   log_in dmz "event=(closed|disconnected) role=server"; then
    fail_pair "a reload dropped the traversal connection"
fi

# Microsoft watches IM&P: SUBSCRIBE in; 200, NOTIFY and BENOTIFY back through both nodes along
# the recorded route; the un-SUBSCRIBE goes in again down the traversal connection.
tls_xml "$T/uac_subscribe.xml" "$T/uac_subscribe_ms.xml" "$MS_CONTACT"
uas_ns "$NS_IN" imp_ntf "$T/uas_subscribe.xml" 127.0.0.2 5062 -s alice
ok ms_wat uac_ns "$NS_DMZ" ms_wat "$T/uac_subscribe_ms.xml" 127.0.0.3 "127.0.0.3:$MS_TUNNEL" \
    -s alice -key from_domain msexample.test -key to_domain ciscoexample.test
ok imp_ntf uas_wait imp_ntf
[ "$(msg_count ms_wat '^BENOTIFY ')" -eq 1 ] || fail_pair "the BENOTIFY did not reach Microsoft"
wait_node_log dmz "method=SUBSCRIBE alias=alice@ciscoexample.test src=default .*target=TraversalServer .*status=200"
wait_node_log int "method=NOTIFY .*next_hop=$DMZ_ADDR:5061/tls status=200"
wait_node_log dmz "method=NOTIFY .*next_hop=127.0.0.3:$MS_CONTACT/tls status=200"
# the un-SUBSCRIBE: its Route names the internal node, which the DMZ node reaches only over the
# traversal connection
wait_node_log dmz "method=SUBSCRIBE .*target=route next_hop=$IN_ADDR:[0-9]+/tls status=200"

# IM&P watches Microsoft: SUBSCRIBE out; NOTIFY/BENOTIFY in down the traversal connection.
tls_xml "$T/uas_subscribe.xml" "$T/uas_subscribe_ms.xml" 5061
uas_ns "$NS_DMZ" ms_ntf "$T/uas_subscribe_ms.xml" 127.0.0.3 "$MS_UAS" -s bob
ok imp_wat uac_ns "$NS_IN" imp_wat "$T/uac_subscribe.xml" 127.0.0.2 127.0.0.1:5060 \
    -s bob -key from_domain ciscoexample.test -key to_domain msexample.test
ok ms_ntf uas_wait ms_ntf
[ "$(msg_count imp_wat '^BENOTIFY ')" -eq 1 ] || fail_pair "the BENOTIFY did not reach IM&P"
wait_node_log dmz "method=NOTIFY .*next_hop=$IN_ADDR:[0-9]+/tls status=200"

# Session-mode IM: INVITE (m=message) from Microsoft, ACK, a MESSAGE each way, BYE.
tls_xml "$T/uac_session.xml" "$T/uac_session_ms.xml" "$MS_CONTACT"
uas_ns "$NS_IN" imp_ses "$T/uas_session.xml" 127.0.0.2 5062 -s alice
ok ms_ses uac_ns "$NS_DMZ" ms_ses "$T/uac_session_ms.xml" 127.0.0.3 "127.0.0.3:$MS_TUNNEL" \
    -s alice -key from_domain msexample.test -key to_domain ciscoexample.test
ok imp_ses uas_wait imp_ses
wait_node_log dmz "method=BYE .*next_hop=$IN_ADDR:[0-9]+/tls status=200"

# --------------------------------------------------------- DMZ node restart

stop_pid "$DMZ_PID"
wait_node_log int "event=disconnected role=client zone=TraversalClient .*retry_in_ms="
wait_until 10 status_is "$NS_IN" client reconnecting || fail_pair "internal node /status: not reconnecting"
# while it is down the internal node answers at once (no connection attempt waits)
uac_xml "$T/uac_down.xml" MESSAGE "sip:bob@msexample.test" 503
start=$(date +%s%N)
ok imp_down uac_ns "$NS_IN" imp_down "$T/uac_down.xml" 127.0.0.2 127.0.0.1:5060 \
    -key from_domain ciscoexample.test -key max_forwards 70
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 5000 ] || fail_pair "the 503 took ${elapsed_ms} ms"
wait_node_log int "method=MESSAGE alias=bob@msexample.test src=IMP .*status=503"
mv "$T/dmz.log" "$T/dmz-1.log"
start_dmz
# back-off capped at reconnect_max = 2 s: reconnected within a few seconds
wait_node_log int "event=connected role=client zone=TraversalClient .*reconnects=1" 15
wait_node_log dmz "event=connected role=server zone=TraversalServer"
message_out 2
message_in 2

# ------------------------------------------- two internal nodes, both killed

# A second internal node connects too; the first stays the DMZ node's first choice.
start_int2
wait_node_log int2 "event=connected role=client zone=TraversalClient peer=$DMZ_ADDR:5061"
wait_node_log dmz "event=connected role=server zone=TraversalServer .*name=expc2.ciscoexample.test connections=2"
stop_pid "$INT_PID"
wait_node_log dmz "event=disconnected role=server zone=TraversalServer .*name=expc.ciscoexample.test .*connections=1"
# inbound goes down the second node's connection now
tls_xml "$T/uac_message.xml" "$T/uac_message_tls.xml"
uas_ns "$NS_IN" imp_uas3 "$T/uas_message.xml" 127.0.0.2 5062
ok ms_uac3 uac_ns "$NS_DMZ" ms_uac3 "$T/uac_message_tls.xml" 127.0.0.3 "127.0.0.3:$MS_TUNNEL" \
    -s alice -key from_domain msexample.test -key to_domain ciscoexample.test
ok imp_uas3 uas_wait imp_uas3
wait_node_log int2 "method=MESSAGE alias=alice@ciscoexample.test src=TraversalClient .*target=IMP .*status=200"
stop_pid "$INT2_PID"
wait_node_log dmz "event=disconnected role=server zone=TraversalServer .*connections=0"
wait_until 10 status_is "$NS_DMZ" server waiting || fail_pair "DMZ node /status: not waiting"
uac_xml "$T/uac_nozone.xml" MESSAGE "sip:alice@ciscoexample.test" 503
tls_xml "$T/uac_nozone.xml" "$T/uac_nozone_tls.xml"
start=$(date +%s%N)
ok ms_nozone uac_ns "$NS_DMZ" ms_nozone "$T/uac_nozone_tls.xml" 127.0.0.3 "127.0.0.3:$MS_TUNNEL" \
    -key from_domain msexample.test -key max_forwards 70
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 5000 ] || fail_pair "the DMZ node's 503 took ${elapsed_ms} ms"
wait_node_log dmz "method=MESSAGE alias=alice@ciscoexample.test src=default .*target=TraversalServer .*status=503"
log_in dmz "failed=.*no traversal client connected" || fail_pair "the 503 does not say why"

# ----------------------------------------------------------- the firewall

dmz_out=$(fw_count "$NS_DMZ")
in_in=$(fw_count "$NS_IN")
[ "$dmz_out" = "$PROBE" ] || fail_pair "the DMZ namespace tried $((dmz_out - PROBE)) connection(s) inwards"
[ "$in_in" = 0 ] || fail_pair "the inside namespace saw $in_in new connection(s) from dmz"
pass "MESSAGE, SUBSCRIBE/NOTIFY/BENOTIFY and a session both ways through the pair; DMZ restart, 503s; no inward connection (dmz counter $dmz_out = the test's own probe, inside 0)"
