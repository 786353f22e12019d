#!/bin/sh
# Install the Debian packages sipfed needs, only those that are missing.
# Usage: scripts/deps.sh [--check]   (--check: list what is missing, exit 1 if anything is)
set -eu

PKGS="make gcc pkg-config libsofia-sip-ua-dev libssl-dev openssl libc-ares-dev libpcre2-dev
libinih-dev libexpat1-dev libcmocka-dev sip-tester dnsmasq-base stunnel4 socat
clang libclang-rt-14-dev python3 procps iproute2 nftables valgrind"

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    case "$status" in
        ii*) ;;
        *) missing="$missing $p" ;;
    esac
done

if [ -z "$missing" ]; then
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "missing packages:$missing"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages:$missing; run as root (or: sudo $0)" >&2
    exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if an install fails.
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y --no-install-recommends $missing
}
