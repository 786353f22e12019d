#!/bin/sh
# t_dns_resolver.sh — proxy/dns.c against dnsmasq: Microsoft's SRV pick among records of different
# priority/weight, NXDOMAIN and no-SRV 404s, A-record fallback, cache hits, one shared lookup,
# cancel, and a silent server giving 503 within the bound (build/tests/dns_live does the checks).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/dns_zone.sh"
bin="$top/${B:-build}/tests/dns_live"
[ -x "$bin" ] || { echo "missing $bin (make ${B:-build}/tests/dns_live)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'dns_stop; rm -rf "$tmp"' EXIT INT TERM
dns_start "$tmp" || exit 1
timeout 60 "$bin" "$DNS_ADDR:$DNS_PORT" "$SIPFED_TEST_NET"
