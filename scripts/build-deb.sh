#!/bin/sh
# build-deb.sh — build the Debian package (debian/, debhelper 13) with dpkg-buildpackage from a
# copy of this tree's sources in build/deb/src, so its `clean` step never touches the tree's own
# builds. The .deb and .buildinfo/.changes land in build/deb/.
# DEB_BUILD_OPTIONS defaults to "nocheck noautodbgsym parallel=2" (make test runs the unit tests
# itself; no -dbgsym package); set it to "" to run them in the package build too.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/deb
rm -rf "$out"
mkdir -p "$out/src"

# The files git knows (tracked or new, not ignored); without git, the tree minus its builds.
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -xf - -C "$out/src"
else
    (cd "$root" && tar --exclude=./build --exclude=./build-asan --exclude=./build-fuzz \
        --exclude=./certs/lab -cf - .) | tar -xf - -C "$out/src"
fi

cd "$out/src"
export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS-nocheck noautodbgsym parallel=2}"
if ! dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1; then
    tail -n 40 "$out/build.log" >&2
    echo "build-deb: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
    exit 1
fi
ls "$out"/*.deb
