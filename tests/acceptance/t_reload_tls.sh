#!/usr/bin/env bash
# Reload is all or nothing (issue 9): a new configuration whose TLS set-up cannot be applied to
# the running proxy — here, a node started without TLS that gets [tls] and TLS zones — is
# refused as a whole: the log says why, and the old generation keeps serving unchanged (its
# rules, not a mix of old and new).
. "$(dirname "$0")/lib.sh"

# ini_drop FILE SECTION-REGEX...: remove the sections whose header matches one of the regexes.
ini_drop() {
    local file=$1; shift
    local re; re=$(IFS='|'; echo "$*")
    awk -v re="^\\[($re)\\]" '/^\[/ { skip = ($0 ~ re) } !skip' "$file" > "$file.new" &&
        mv "$file.new" "$file"
}

tp=udp
node_file "$tp"; lab_rules "$tp"
cp "$T/sipfed.ini" "$T/sipfed-tls.ini"; cp "$T/rules/lab.ini" "$T/lab-tls.ini"
# The node as started: no [tls], no DNS zone, so no TLS anywhere.
ini_drop "$T/sipfed.ini" tls
ini_drop "$T/rules/lab.ini" "zone DNS" "static_route .*" 'rule "Outbound to Microsoft"'
start_sipfed
log_has "module=tls event=ready" && fail "a node without TLS set TLS up"
message_inbound_ok "$tp"

# The new configuration adds [tls] and a DNS zone (TLS): it loads, but its TLS set-up cannot be
# applied to an agent made without TLS transports. Refused, nothing of it applied.
cp "$T/sipfed-tls.ini" "$T/sipfed.ini"; cp "$T/lab-tls.ini" "$T/rules/lab.ini"
"$SIPFED" -c "$T/sipfed.ini" check >"$T/check.out" 2>&1 || fail "the new configuration must be valid ($(cat "$T/check.out"))"
kill -HUP "$SIPFED_PID"
wait_log 'event=reload status=refused .*reason="the running proxy started without TLS; restart to apply'
log_has "event=reload status=ok" && fail "the reload was applied"
# The old generation serves: inbound still routed, and the new outbound rule is not there (404,
# not a TLS attempt toward the static route).
message_inbound_ok "$tp"
message_expect uac404 "$tp" imp "sip:bob@msexample.test" 404
log_has "module=tls event=ready" && fail "the refused TLS set-up was activated"

# A restart applies it.
kill -TERM "$SIPFED_PID"; wait "$SIPFED_PID"
start_sipfed
wait_log "module=tls event=ready"
pass "a reload whose TLS set-up cannot be applied is refused whole; the old generation serves"
