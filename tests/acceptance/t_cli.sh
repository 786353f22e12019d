#!/usr/bin/env bash
# The CLI a newcomer meets first (issue 12): usage without arguments, a complete --help, one
# message and exit code for a missing node file, "did you mean", and `presence` reading a whole
# SIP message, refusing empty input and naming the presentity of each line of a batch.
. "$(dirname "$0")/lib.sh"

out() { "$@" >"$T/out" 2>&1; echo $? >"$T/rc"; }
rc_is() { [ "$(cat "$T/rc")" = "$1" ] || { cat "$T/out" >&2; fail "$2: exit $(cat "$T/rc"), want $1"; }; }
has() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "$2: no '$1'"; }; }

# No arguments: usage and exit 2, never a daemon on the lab ports.
out timeout 10 "$SIPFED"
rc_is 2 "no arguments"
has "usage: sipfed" "no arguments"
has "sipfed [-c FILE] run" "no arguments"

# --help names every long option the commands accept (their getopt tables in proxy/cli/).
"$SIPFED" --help >"$T/help" || fail "--help exited non-zero"
opts=$(grep -ohE '\{ "[a-z-]+", (no|required)_argument' "$ROOT"/proxy/cli/*.c | cut -d'"' -f2 | sort -u)
[ -n "$opts" ] || fail "no options found in proxy/cli/*.c"
for o in $opts; do
    grep -qe "--$o" "$T/help" || fail "--help does not mention --$o"
done
for c in run check locate presence; do
    "$SIPFED" "$c" --help >"$T/chelp" 2>&1 || fail "$c --help exited non-zero"
    grep -q "sipfed.* $c" "$T/chelp" || fail "$c --help: no synopsis"
done
pass "usage without arguments; --help lists all $(echo $opts | wc -w) options"

# A missing node file: the same message and exit code whatever the command.
for c in run check "locate bob@msexample.test"; do
    out "$SIPFED" -c "$T/none.ini" $c
    rc_is 2 "missing node file ($c)"
    has "sipfed: cannot read node file $T/none.ini: No such file or directory" "missing node file ($c)"
    [ "$(wc -l <"$T/out")" = 1 ] || { cat "$T/out" >&2; fail "missing node file ($c): more than one line"; }
done
out "$SIPFED" chek
rc_is 2 "unknown command"
has "unknown command 'chek' (did you mean 'check'?)" "unknown command"
pass "missing node file: one message, exit 2 for run, check and locate; did you mean"

# presence: a whole NOTIFY, empty input, a batch naming each presentity.
body='<categories xmlns="http://schemas.microsoft.com/2006/09/sip/categories" uri="sip:bob@msexample.test"><category name="state"><state xmlns="http://schemas.microsoft.com/2006/09/sip/state" type="aggregateState"><availability>6500</availability></state></category></categories>'
printf 'NOTIFY sip:alice@ciscoexample.test SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK-1\r\nFrom: <sip:bob@msexample.test>;tag=1\r\nTo: <sip:alice@ciscoexample.test>;tag=2\r\nCall-ID: c1\r\nCSeq: 3 NOTIFY\r\nEvent: presence\r\nContent-Type: application/msrtc-event-categories+xml\r\nContent-Length: %d\r\n\r\n%s' \
    "${#body}" "$body" >"$T/notify.sip"
out "$SIPFED" presence --out state "$T/notify.sip"
rc_is 0 "presence of a NOTIFY"
[ "$(cat "$T/out")" = busy ] || { cat "$T/out" >&2; fail "presence of a NOTIFY: not 'busy'"; }
out "$SIPFED" presence --in categories --out state "$T/notify.sip"
rc_is 0 "presence --in categories of a NOTIFY"
[ "$(cat "$T/out")" = busy ] || { cat "$T/out" >&2; fail "presence --in of a NOTIFY: not 'busy'"; }
out "$SIPFED" presence --out state </dev/null
rc_is 1 "presence of nothing"
has "no input" "presence of nothing"
out "$SIPFED" presence --out state "$ROOT/tests/fuzz/corpus/presence/multipart_batch.txt"
rc_is 0 "presence of a batch"
has "sip:bob@fabrikam.com available" "presence of a batch"
has "sip:frank@fabrikam.com offline" "presence of a batch"
pass "presence: a whole NOTIFY, no input, a batch names each presentity"

# A port already in use: the real cause with the address, exit 1, and no line claiming the
# proxy started (nor TLS ready). Then the test runner's own check names the pid to stop.
node_file tls
lab_rules tcp
cat >>"$T/rules/lab.ini" <<INI
[zone T]
type = traversal_client
peers = $IMP2_IP:5062
INI
start_sipfed
out "$SIPFED" -c "$T/sipfed.ini" check
rc_is 0 "check of a plan with a traversal zone"
if grep -q "traversal_as_neighbor" "$T/sipfed.log"; then
    # this build routes traversal zones like neighbor zones: check must say so too (issue 12)
    has "zone 'T' (type traversal_client)" "check of an unbuilt zone type"
fi
out timeout 20 "$SIPFED" -c "$T/sipfed.ini" run
rc_is 1 "a second proxy on the same ports"
has "cannot listen on tls:$PROXY_IP:$PROXY_PORT: Address already in use" "a second proxy"
if grep -qE "event=(start|ready)" "$T/out"; then cat "$T/out" >&2; fail "a second proxy announced itself"; fi
[ "$(wc -l <"$T/out")" -le 4 ] || { cat "$T/out" >&2; fail "a second proxy: too many lines"; }
SIPFED_TEST_NET=$NET out "$ROOT/tests/ports-free.sh"
rc_is 2 "ports-free.sh with a proxy up"
has "is in use by sipfed (pid $SIPFED_PID): stop the running proxy (pid $SIPFED_PID) first" "ports-free.sh"
pass "busy port: the cause, the address, exit 1 before ready; the runner names the pid"

# locate: a SIP URI is the Request-URI itself, a lowercase method is taken with a warning, the
# From and the policy's verdict are printed, and an IP next hop claims no certificate name.
sed -i 's/^local_domains = ciscoexample.test$/&\nprivacy = allow_list\ndomains = msexample.test/' \
    "$T/rules/lab.ini"
out "$SIPFED" -c "$T/sipfed.ini" locate --from IMP --method message sip:bob@msexample.test
rc_is 0 "locate a SIP URI"
has "warning: method 'message' taken as MESSAGE" "locate --method message"
has "request:  MESSAGE sip:bob@msexample.test" "locate a SIP URI"
has "alias:    bob@msexample.test" "locate a SIP URI"
has "policy:   From not judged (source zone IMP is not the default zone)" "locate from IMP"
has "no name is checked" "locate to an IP next hop"
grep -q "certificate must name $MS_IP" "$T/out" && fail "locate claims a name check for an IP"
out "$SIPFED" -c "$T/sipfed.ini" locate --method SUBSCRIBE --header 'User-Agent: UCCAPI/16.0' \
    --authenticated alice@ciscoexample.test
has "from:     sip:check@sipfed.invalid (the default; set one with --from-uri)" "locate's default From"
has "policy:   From domain sipfed.invalid refused (not_allowed)" "locate's policy verdict"
has "result:   403" "locate refused by the policy"
out "$SIPFED" -c "$T/sipfed.ini" locate --from-uri bob@msexample.test --method SUBSCRIBE \
    --header 'User-Agent: UCCAPI/16.0' --authenticated alice@ciscoexample.test
has "policy:   From domain msexample.test allowed" "locate --from-uri"
has "MATCHED -> IMP" "locate --from-uri"
out "$SIPFED" -c "$T/sipfed.ini" locate --method MESAGE bob@msexample.test
has "method 'MESAGE' is no SIP method (did you mean MESSAGE?)" "locate --method MESAGE"
pass "locate: SIP URI, method warnings, From and policy verdict, --from-uri, IP next hop"
