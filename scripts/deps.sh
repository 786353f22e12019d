#!/bin/sh
# Install the Debian packages sipfed needs, only those that are missing, by set:
#   build  compile the daemon (compiler, -dev packages; their libraries are what it runs with)
#   run    run it from the tree: `make run` (the lab certificates need openssl)
#   test   `make test`: unit, acceptance, sanitizer and fuzz builds, man pages, the .deb; Kamailio
#          is the real third-party peer of t_kamailio_peer (its packaged service is disabled:
#          the scenarios and the bench start their own instances on loopback ports)
#   bench  `make bench`'s tools (Kamailio again, so `deps.sh bench` alone is enough)
# Usage: scripts/deps.sh [--check] [build|run|test|bench]...   (no set: build, run and test)
#   --check: list what is missing, exit 1 if anything is.
set -eu

BUILD="make gcc pkg-config libsofia-sip-ua-dev libssl-dev libc-ares-dev libpcre2-dev
libinih-dev libexpat1-dev libsystemd-dev python3 binutils libstrophe-dev"
RUN="openssl"
TEST="libcmocka-dev sip-tester dnsmasq-base stunnel4 socat clang libclang-rt-14-dev python3 procps
iproute2 nftables valgrind prosody mandoc systemd build-essential debhelper dpkg-dev fakeroot lintian adduser
curl prometheus chromium fonts-dejavu-core kamailio kamailio-tls-modules"
# make bench's reference proxy (scripts/bench/flavours.sh) and per-hop timestamps
BENCH="kamailio kamailio-tls-modules tcpdump"

check=no
sets=""
for a in "$@"; do
    case "$a" in
        --check) check=yes ;;
        build|run|test|bench) sets="$sets $a" ;;
        *) echo "usage: $0 [--check] [build|run|test|bench]..." >&2; exit 2 ;;
    esac
done
[ -n "$sets" ] || sets="build run test"
PKGS=""
for s in $sets; do
    case "$s" in
        build) PKGS="$PKGS $BUILD" ;;
        run) PKGS="$PKGS $RUN" ;;
        test) PKGS="$PKGS $TEST" ;;
        bench) PKGS="$PKGS $BENCH" ;;
    esac
done

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
if [ "$check" = yes ]; then
    echo "missing packages:$missing"
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing packages:$missing; run as root (or: sudo $0$sets)" >&2
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
case " $missing " in
    *" kamailio "*) ! command -v systemctl >/dev/null || systemctl disable --now kamailio >/dev/null 2>&1 || true ;;
esac
