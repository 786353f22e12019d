#!/bin/sh
# Run every unit-test binary given; fail if any fails. Each binary is a cmocka group.
set -u
rc=0
for t in "$@"; do
    if ! "$t"; then
        echo "FAILED: $t" >&2
        rc=1
    fi
done
exit $rc
