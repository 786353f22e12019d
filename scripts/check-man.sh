#!/bin/sh
# check-man.sh — the man pages are clean for mandoc and complete: every key the loaders accept
# (the ini_key tables of proxy/base/config.c and proxy/dialplan/*.c) is described in
# sipfed.ini(5), every section in it, and every command main.c dispatches and every long option
# of the CLI (the getopt_long tables of proxy/cli/) in sipfed(8).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rc=0
mandoc -T lint -W warning man/sipfed.8 man/sipfed.ini.5 || rc=1

# { "key", FLAGS, name_apply } / name_skip: the keys of every section table.
keys=$(grep -hoE '\{ "[a-z_]+", [^,]+, [a-z_]+_(apply|skip) \}' proxy/base/*.c proxy/dialplan/*.c |
       sed -E 's/^\{ "([a-z_]+)".*/\1/' | sort -u)
[ -n "$keys" ] || { echo "check-man: no configuration keys found in the sources" >&2; exit 1; }
for k in $keys; do
    grep -qE "^\.It Cm $k( |$)" man/sipfed.ini.5 ||
        { echo "man/sipfed.ini.5: key '$k' is not described (.It Cm $k)" >&2; rc=1; }
done
# [ "name", ... ] section tables of the node file; the dial plan's section words.
sections=$(grep -hoE '\[CFG_[A-Z_]+\] = \{ "[a-z_]+"' proxy/base/config.c | sed -E 's/.*"([a-z_]+)"/\1/')
for s in $sections zone rule federation static_route; do
    grep -qE "^\.Ss \[$s( |\])" man/sipfed.ini.5 ||
        { echo "man/sipfed.ini.5: section [$s] is not described" >&2; rc=1; }
done
cmds=$(grep -hoE 'strcmp\(argv\[0\], "[a-z-]+"\) == 0' proxy/cli/main.c | sed -E 's/.*"([a-z-]+)".*/\1/')
for c in $cmds; do
    grep -qE "^\.It Cm $c( |$)" man/sipfed.8 ||
        { echo "man/sipfed.8: command '$c' is not described (.It Cm $c)" >&2; rc=1; }
done
opts=$(grep -hoE '\{ "[a-z-]+", (no|required|optional)_argument' proxy/cli/*.c |
       sed -E 's/^\{ "([a-z-]+)".*/\1/' | sort -u)
for o in $opts; do
    grep -qE "Fl -$o( |$)" man/sipfed.8 ||
        { echo "man/sipfed.8: option '--$o' is not described (Fl -$o)" >&2; rc=1; }
done
[ $rc -eq 0 ] && echo "man pages: lint clean, $(echo "$keys" | wc -l) keys and $(echo "$cmds" | wc -l) commands, $(echo "$opts" | wc -l) options described"
exit $rc
