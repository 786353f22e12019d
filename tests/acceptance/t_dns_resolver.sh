#!/usr/bin/env bash
# proxy/dns/dns.c against dnsmasq: Microsoft's SRV pick among records of different priority/weight,
# NXDOMAIN and no-SRV 404s, A-record fallback, static-route host lookups, cache hits, one shared
# lookup, cancel, SIGHUP server change, REFUSED -> 503, and a silent server giving 503 within the bound
# (build/tests/dns_live does the checks; ASan build: B=build-asan).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns_zone.sh"

bin=$ROOT/${B:-build}/tests/dns_live
[ -x "$bin" ] || fail "missing $bin (make ${B:-build}/tests/dns_live)"
dns_start || fail "dnsmasq did not start"
trap 'dns_stop; cleanup' EXIT
timeout 60 "$bin" "$DNS_ADDR:$DNS_PORT" "$NET" >"$T/dns_live.out" 2>&1 \
    || { cat "$T/dns_live.out" >&2; fail "dns_live"; }
pass "SRV pick, 404s, A fallback, cache, shared lookup, cancel, reload, REFUSED and silent server -> 503"
