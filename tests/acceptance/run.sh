#!/usr/bin/env bash
# run.sh — run the tests/acceptance/t_*.sh scenarios against build/sipfed (or $SIPFED); report
# each scenario with its duration and exit non-zero when any failed.
#
#   run.sh [-j JOBS] [-a ASAN_SIPFED] [PATTERN]      e.g. run.sh message, run.sh -j1
#
# -a also runs every scenario against ASAN_SIPFED, the ASan+UBSan build (any sanitizer report
# fails the scenario), in the same pool of jobs: `make test` runs both sets this way.
#
# As root (CI, `make test`), every scenario runs in a network namespace of its own
# (`unshare -n`, loopback up): the scenarios use fixed loopback addresses and ports, so the
# namespaces let JOBS of them run at once (default 4, or $ACCEPTANCE_JOBS) without seeing each
# other or anything else on the machine. The longest scenarios start first. A scenario whose
# header has the line `# acceptance: alone` (floods, rates and memory measured against the
# clock) runs after the others, by itself. Without root or unshare the scenarios run one at a
# time on the host's loopback, which must then be free (tests/ports-free.sh).
set -u
dir=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$dir/../.." && pwd)
usage() { echo "usage: run.sh [-j JOBS] [-a ASAN_SIPFED] [PATTERN]" >&2; exit 2; }
jobs=${ACCEPTANCE_JOBS:-4} asan=
while getopts j:a: opt; do
    case $opt in j) jobs=$OPTARG ;; a) asan=$OPTARG ;; *) usage ;; esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
case $jobs in ''|*[!0-9]*|0) usage ;; esac
pattern=${1:-}
plain=${SIPFED:-$root/build/sipfed}

for b in "$plain" ${asan:+"$asan"}; do
    [ -x "$b" ] || { echo "run.sh: $b missing (make, make asan)" >&2; exit 2; }
done
command -v sipp >/dev/null || { echo "run.sh: sipp not installed (scripts/deps.sh)" >&2; exit 2; }
export SIPFED_TEST_NET=${SIPFED_TEST_NET:-127.0.0}

isolate=0
if [ "$(id -u)" -eq 0 ] && unshare -n true 2>/dev/null; then isolate=1; fi
if [ $isolate -eq 0 ]; then
    [ "$jobs" -eq 1 ] || echo "run.sh: no network namespaces (needs root and unshare): one scenario at a time"
    jobs=1
    # a proxy left running (`make run`) would make every scenario fail with "did not start"
    "$root/tests/ports-free.sh" || exit 2
fi

# The runs (a scenario, against a build), longest first: a scenario's `# acceptance: ~N s`
# header line is its run time as last measured (4 at a time on a loaded 2-core machine;
# unmarked ones count as short); the sanitizer build's runs sort as twice as long. The `alone`
# ones are kept apart.
shared=() alone=()
while read -r _ run; do
    if grep -q '^# acceptance: alone' "${run#*:}"; then alone+=("$run"); else shared+=("$run"); fi
done < <(for t in "$dir"/t_*"$pattern"*.sh; do
             [ -e "$t" ] || continue
             secs=$(sed -n 's/^# acceptance: .*~\([0-9]*\) s.*/\1/p' "$t" | head -n1)
             echo "${secs:-0} plain:$t"
             [ -z "$asan" ] || echo "$((${secs:-0} * 2 + 1)) asan:$t"
         done | sort -k1,1nr -k2)

out=$(mktemp -d /tmp/sipfed-acceptance.XXXXXX)
# The scenarios call python3 hundreds of times: when python3 is a version manager's shim (pyenv:
# shell scripts on every call, about 1 s of CPU each), they get the interpreter it resolves to.
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -n "$py" ] && [ "$(command -v python3)" != "$py" ]; then
    mkdir "$out/bin" && ln -s "$py" "$out/bin/python3" && export PATH="$out/bin:$PATH"
fi
pass=0 failed=()
declare -A started_at=() label_of=()

start() {   # start BUILD:SCRIPT — run it in the background, its output to $out/LABEL.out
    local build=${1%%:*} t=${1#*:} label
    label=$(basename "$t" .sh)
    local -a env=(SIPFED="$plain")
    if [ "$build" = asan ]; then
        label="$label [asan]"
        env=(SIPFED="$asan" ASAN_OPTIONS=fast_unwind_on_malloc=0
             LSAN_OPTIONS=suppressions="$root/tests/lsan.supp")
    fi
    if [ $isolate -eq 1 ]; then
        env "${env[@]}" unshare -n bash -c 'ip link set lo up && exec bash "$0"' "$t" \
            >"$out/$label.out" 2>&1 &
    else
        env "${env[@]}" bash "$t" >"$out/$label.out" 2>&1 &
    fi
    started_at[$!]=$SECONDS
    label_of[$!]=$label
}

wait_one() {   # wait for any running scenario and report it
    local pid rc label
    wait -n -p pid; rc=$?
    label=${label_of[$pid]}
    if [ "$label" != "${label% \[asan\]}" ]; then sed 's/^\(ok\|FAIL\) \{1,3\}\(t_[a-z0-9_]*\)/\1 \2 [asan]/' "$out/$label.out"
    else cat "$out/$label.out"; fi
    echo "     ($label: $((SECONDS - ${started_at[$pid]})) s)"
    if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else failed+=("$label"); fi
    unset "started_at[$pid]" "label_of[$pid]"
}

run_pool() {   # run_pool MAXJOBS RUN...
    local max=$1 run; shift
    for run in "$@"; do
        while [ ${#label_of[@]} -ge "$max" ]; do wait_one; done
        start "$run"
    done
    while [ ${#label_of[@]} -gt 0 ]; do wait_one; done
}

begin=$SECONDS
run_pool "$jobs" "${shared[@]}"
run_pool 1 "${alone[@]}"
rm -rf "$out"
list=$(printf '%s, ' "${failed[@]}")
echo "acceptance: $pass passed, ${#failed[@]} failed${failed:+ (${list%, })} in $((SECONDS - begin)) s" \
     "(${jobs} at a time$([ $isolate -eq 1 ] && echo ', one network namespace each'))"
[ ${#failed[@]} -eq 0 ]
