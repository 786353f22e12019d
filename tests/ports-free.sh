#!/usr/bin/env bash
# ports-free.sh — refuse to start the tests while something (typically `make run`) listens on the
# ports they use: every scenario would otherwise fail with "sipfed did not start". Names the
# process holding each port. Exit 0 when free, 2 (with a message) when not.
# Ports: SIP 5060-5099 and dnsmasq 5353 on $SIPFED_TEST_NET.* (default 127.0.0.*), or on any
# address (a wildcard listener takes them too).
net=${SIPFED_TEST_NET:-127.0.0}
re="^(${net//./\\.}\\.[0-9]+|0\\.0\\.0\\.0|\\*|\\[::\\]):(50[6-9][0-9]|5353)\$"
busy=0
while read -r proto local users; do
    [[ "$local" =~ $re ]] || continue
    pid=$(grep -oE 'pid=[0-9]+' <<<"$users" | head -n 1 | cut -d= -f2)
    name=$(grep -oE '\(\("[^"]+"' <<<"$users" | head -n 1 | cut -d'"' -f2)
    if [ -n "$pid" ]; then
        echo "tests: $local/$proto is in use by ${name:-a process} (pid $pid):" \
             "stop the running proxy (pid $pid) first, e.g. kill $pid" >&2
    else
        echo "tests: $local/$proto is in use: stop what listens there first" >&2
    fi
    busy=1
done < <(ss -Hltunp 2>/dev/null | awk '{ print $1, $5, $7 }')
if [ "$busy" = 1 ]; then
    echo "tests: (or run them in a network namespace of their own:" \
         "unshare -n bash -c 'ip link set lo up; make test')" >&2
    exit 2
fi
exit 0
