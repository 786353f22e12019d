#!/usr/bin/env bash
# run.sh — run every tests/acceptance/t_*.sh in name order against build/sipfed; report each
# scenario and exit non-zero when any failed. Usage: run.sh [PATTERN] (e.g. run.sh message).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
[ -x "$root/build/sipfed" ] || { echo "run.sh: build/sipfed missing (make)" >&2; exit 2; }
command -v sipp >/dev/null || { echo "run.sh: sipp not installed (scripts/deps.sh)" >&2; exit 2; }
export SIPFED_TEST_NET=${SIPFED_TEST_NET:-127.0.0}
# a proxy left running (`make run`) would make every scenario fail with "did not start"
"$root/tests/ports-free.sh" || exit 2
pass=0; failed=()
for t in "$dir"/t_*"${1:-}"*.sh; do
    [ -e "$t" ] || continue
    if bash "$t"; then pass=$((pass + 1)); else failed+=("$(basename "$t" .sh)"); fi
done
echo "acceptance: $pass passed, ${#failed[@]} failed${failed:+ (${failed[*]})}"
[ ${#failed[@]} -eq 0 ]
