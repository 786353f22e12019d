#!/usr/bin/env bash
# Host names in the configuration (issue 11): neighbor peers and static-route next hops named by
# DNS are resolved through c-ares (the node file's [dns] servers: dnsmasq here) at start, at
# reload and by `check`. A name that does not resolve: `check` and `run` say file:line and refuse
# (exit 1, no start); `check --no-resolve` asks no DNS and says how many names it left out; a reload is refused and the old configuration keeps serving. A reload whose
# DNS server does not answer does not block the event loop: MESSAGEs keep being answered while
# it resolves, until c-ares gives up (reload refused: DNS timeout); once the server answers, the
# reload applies and the next MESSAGE goes to the peer's new address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_zone.sh"

dns_start --host-record=imp.lab.test,"$IMP_IP" --host-record=imp2.lab.test,"$IMP2_IP" \
    --host-record=ms.lab.test,"$MS_IP" || fail "dnsmasq did not start"
# (the scenario's status is kept past kill: dns_stop and cleanup report the $? they are given)
trap 'rc=$?; kill -CONT "$DNS_PID" 2>/dev/null; (exit $rc); dns_stop; cleanup' EXIT

names_rules() {   # names_rules IMP_PEER_HOST STATIC_ROUTE_HOST [DIR]
    local dir=${3:-$T/rules}
    lab_rules tcp "$1:$IMP_PORT"
    sed -i "s/^next_hop = $MS_IP:/next_hop = $2:/" "$T/rules/lab.ini"
    [ "$dir" = "$T/rules" ] || { mkdir -p "$dir"; mv "$T/rules/lab.ini" "$dir/lab.ini"; }
}
node_file tcp
printf '[dns]\nservers = %s:%s\n' "$DNS_ADDR" "$DNS_PORT" >> "$T/sipfed.ini"
names_rules imp.lab.test ms.lab.test
grep -q "^next_hop = ms.lab.test:" "$T/rules/lab.ini" || fail "lab_rules' static route changed: fix names_rules"

# check: names that resolve are fine; names that do not are errors with file:line.
"$SIPFED" -c "$T/sipfed.ini" check >"$T/check_ok.out" 2>&1 || { cat "$T/check_ok.out" >&2; fail "check refused names that resolve"; }
sed "s|^dialplan = rules|dialplan = rules-bad|" "$T/sipfed.ini" > "$T/bad.ini"
names_rules nope.lab.test gone.lab.test "$T/rules-bad"
names_rules imp.lab.test ms.lab.test
"$SIPFED" -c "$T/bad.ini" check >"$T/check_bad.out" 2>&1 && fail "check accepted names that do not resolve"
imp_line=$(grep -n "^\[zone IMP\]" "$T/rules-bad/lab.ini" | cut -d: -f1)
sr_line=$(grep -n "^\[static_route msexample.test\]" "$T/rules-bad/lab.ini" | cut -d: -f1)
for want in "lab.ini:$imp_line: zone IMP: peer 'nope.lab.test' does not resolve: does not exist" \
            "lab.ini:$sr_line: static route msexample.test: next hop 'gone.lab.test' does not resolve: does not exist"; do
    grep -qF "$want" "$T/check_bad.out" || { cat "$T/check_bad.out" >&2; fail "check: missing '$want'"; }
done

# check --no-resolve (a CI job without the production DNS): the names are not asked, the rest is
# checked, the output says how many names were left out. With a [dns] server nobody answers at,
# it still ends at once; an error elsewhere is still one; --dns with it is a usage error.
sed "s|^servers = .*|servers = $DEAD_IP:53|" "$T/bad.ini" > "$T/offline.ini"
timeout 10 "$SIPFED" -c "$T/offline.ini" check --no-resolve >"$T/check_nores.out" 2>&1 ||
    { cat "$T/check_nores.out" >&2; fail "check --no-resolve refused (or waited for DNS)"; }
for want in "host names not resolved (--no-resolve): 2 names of peers and static routes not checked" \
            "configuration OK"; do
    grep -qF "$want" "$T/check_nores.out" || { cat "$T/check_nores.out" >&2; fail "check --no-resolve: missing '$want'"; }
done
grep -q "does not resolve" "$T/check_nores.out" && fail "check --no-resolve resolved names"
sed -i "s/^\[zone IMP\]$/&\nbogus_key = 1/" "$T/rules-bad/lab.ini"
timeout 10 "$SIPFED" -c "$T/offline.ini" check --no-resolve >"$T/check_nores.out" 2>&1 &&
    fail "check --no-resolve accepted an unknown key"
grep -qF "lab.ini:$((imp_line + 1)): " "$T/check_nores.out" || { cat "$T/check_nores.out" >&2; fail "check --no-resolve: no file:line for the unknown key"; }
sed -i "/^bogus_key = 1$/d" "$T/rules-bad/lab.ini"
"$SIPFED" -c "$T/offline.ini" check --no-resolve --dns >"$T/check_nores.out" 2>&1
[ $? -eq 2 ] || fail "check --no-resolve --dns is not a usage error"

# run refuses to start with the same lines.
timeout 20 "$SIPFED" -c "$T/bad.ini" run >"$T/run_bad.out" 2>&1 && fail "run started with a name that does not resolve"
grep -qF "zone IMP: peer 'nope.lab.test' does not resolve" "$T/run_bad.out" || { cat "$T/run_bad.out" >&2; fail "run: no file:line for the name"; }
grep -q "event=start" "$T/run_bad.out" && fail "run announced a start"

# run with names that resolve: inbound to imp.lab.test, outbound through the static route's name.
start_sipfed
uas_xml "$T/uas.xml" MESSAGE 200
sipp_server imp "$T/uas.xml" tcp "$IMP_IP" "$IMP_PORT" -m 100000 -timeout 60s
sipp_server ms "$T/uas.xml" tcp "$MS_IP" "$MS_PORT"
message_expect in1 tcp ms sip:alice@ciscoexample.test 200
wait_log "target=IMP next_hop=$IMP_IP:$IMP_PORT/tcp status=200"
message_expect out1 tcp imp sip:bob@msexample.test 200
wait_log "target=DNS next_hop=$MS_IP:$MS_PORT/tcp status=200"

# reload with a name that does not resolve: refused, the old configuration keeps serving.
names_rules nope.lab.test ms.lab.test
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=refused"
log_has "zone IMP: peer 'nope.lab.test' does not resolve" || fail "reload: no file:line for the name"
message_expect in2 tcp ms sip:alice@ciscoexample.test 200
[ "$(log_count "target=IMP next_hop=$IMP_IP:$IMP_PORT/tcp status=200")" -eq 2 ] || fail "the old configuration did not keep serving"

# reload while the DNS server does not answer: MESSAGEs flow while it resolves; a second SIGHUP
# meanwhile is queued and runs after it. (imp2 answers too: the queued reload may apply.)
names_rules imp2.lab.test ms.lab.test
sipp_server imp2 "$T/uas.xml" tcp "$IMP2_IP" "$IMP_PORT" -m 100000 -timeout 60s
uac_xml "$T/flow.xml" MESSAGE sip:alice@ciscoexample.test 200
timeout 60 sipp -sf "$T/flow.xml" -t t1 -i "$MS_IP" -p "$UAC_PORT" -nostdin -m 80 -r 10 \
    -timeout 50s -timeout_error -key from_domain msexample.test -key max_forwards 70 \
    -trace_err -error_file "$T/flow.err" "$PROXY_IP:$PROXY_PORT" >"$T/flow.out" 2>&1 &
FLOW=$!
PIDS+=("$FLOW")
log_at_least() { [ "$(log_count "$1")" -ge "$2" ]; }   # log_at_least REGEX N
wait_until 10 log_at_least "target=IMP .*status=200" 4 || fail "no traffic before the reload"
kill -STOP "$DNS_PID"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=resolving names=2"
kill -HUP "$SIPFED_PID"
wait_log "event=reload status=queued"
wait_until 20 log_at_least "event=reload status=refused" 2 || fail "the reload without DNS never ended"
kill -CONT "$DNS_PID"
log_has "peer 'imp2.lab.test' does not resolve: DNS failed: timeout" || fail "no DNS timeout for imp2.lab.test"
wait_until 10 log_at_least "event=reload status=resolving" 3 || fail "the queued reload did not run"
queued_done() { log_at_least "event=reload status=refused" 3 || log_has "event=reload status=ok generation="; }
wait_until 20 queued_done || fail "the queued reload never ended"
# In the log, between the reload's start and its refusal: MESSAGEs answered (the loop ran on).
from=$(grep -n "event=reload status=resolving" "$T/sipfed.log" | sed -n 2p | cut -d: -f1)
to=$(grep -n "event=reload status=refused" "$T/sipfed.log" | sed -n 2p | cut -d: -f1)
during=$(sed -n "${from},${to}p" "$T/sipfed.log" | grep -c "target=IMP .*status=200")
[ "$during" -ge 3 ] || fail "only $during MESSAGEs answered while the reload resolved (event loop blocked?)"
wait "$FLOW" || { tail -5 "$T/flow.err" >&2; fail "MESSAGEs failed around the reload"; }

# the DNS server answers again: the reload applies, the next MESSAGE goes to imp2.lab.test.
oks=$(log_count "event=reload status=ok generation=")
kill -HUP "$SIPFED_PID"
wait_until 10 log_at_least "event=reload status=ok generation=" $((oks + 1)) || fail "the reload did not apply"
message_expect in3 tcp ms sip:alice@ciscoexample.test 200
grep "target=IMP " "$T/sipfed.log" | tail -1 | grep -q "next_hop=$IMP2_IP:$IMP_PORT/tcp status=200" ||
    fail "the MESSAGE after the reload did not go to imp2.lab.test"
stop_all
pass "names resolved at start/reload/check; unresolvable: check+run refuse (file:line), reload keeps the old config; $during MESSAGEs answered during a reload whose DNS was silent; a SIGHUP meanwhile queued and run after it"
