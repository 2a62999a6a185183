#!/bin/sh
# profile.sh [S | mm1]: instructions per incident by function on bench-city
# of size S (default 64) or on the M/M/1 configuration of tools/bench.sh,
# with callgrind over two short horizons differenced, so that loading and
# set-up drop out (docs/performance.md).  Needs valgrind; BIN as for bench.
set -eu
BIN=${BIN:-bin}
command -v valgrind >/dev/null 2>&1 || { echo "profile.sh: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
what=${1:-64}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
if [ "$what" = mm1 ]; then
    eval "$(sed -n '/^mm1_gen() {/,/^}/p' tools/bench.sh)"
    gen() { mm1_gen "$1" "$2"; }
    d1=46.296296 d2=92.592593
else
    gen() { sh scenarios/bench-city/generate.sh "$what" "$2" "$1"; }
    case $what in 8) d1=30 d2=60;; 64) d1=3 d2=6;; *) d1=1 d2=2;; esac
fi
for d in "$d1" "$d2"; do
    mkdir -p "$t/$d"
    gen "$d" "$t/$d" >/dev/null
    valgrind --tool=callgrind --callgrind-out-file="$t/$d/cg" "$BIN/patrolsim" bench "$t/$d" \
        >"$t/$d/out" 2>"$t/$d/err"
    # "Ir file:function" per line, the function's own instructions
    callgrind_annotate --inclusive=no --show-percs=no --threshold=100 "$t/$d/cg" 2>/dev/null |
        awk '/file:function/ { f = 1; next } f && NF >= 2 { gsub(",", "", $1); print $1, $2 }' \
        >"$t/$d/fn"
done
n1=$(sed -n 's/^incidents: //p' "$t/$d1/out"); n2=$(sed -n 's/^incidents: //p' "$t/$d2/out")
i1=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$t/$d1/err")
i2=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$t/$d2/err")
echo "== instructions per incident by function: $what (horizons $d1 and $d2 days differenced)"
awk -v n=$((n2 - n1)) -v tot=$((i2 - i1)) '
    FNR == NR { a[$2] = $1; next }
    { b[$2] = $1 }
    END {
        for (k in b) {
            d = (b[k] - a[k]) / n; name = k; sub(/^[?]+:/, "", name)
            if (d >= 1) printf "%8.1f  %s\n", d, name
        }
    }' "$t/$d1/fn" "$t/$d2/fn" | sort -rn
awk -v n=$((n2 - n1)) -v tot=$((i2 - i1)) 'BEGIN { printf "%8.1f  total\n", tot / n }'
