#!/bin/sh
# Runs every test binary and shell test, prints each one's checks, and closes
# with the summed "N passed, N failed" line.  Exit status: non-zero if any
# check failed or any test program crashed.
BIN=${BIN:-bin}
cd "$(dirname "$0")/.." || exit 1
# No test writes a file of 8 GB (16777216 blocks of 512 bytes for dash's
# -f; of 1024 for bash's): a writer caught in a loop then fails with
# SIGXFSZ, which patrolsim reports, instead of filling the disk (a broken
# report writer once wrote 79 GB).
ulimit -f 16777216 2>/dev/null || true
total_p=0; total_f=0; status=0
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$BIN"/test_* tests/test_*.sh; do
    [ -e "$t" ] || continue
    case "$t" in *.sh) cmd="sh $t";; *) cmd="$t";; esac
    echo "== $t"
    BIN="$BIN" $cmd >"$log" 2>&1; rc=$?
    grep -v '^PASS ' "$log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "ERROR: $t exited $rc without a closing count"; total_f=$((total_f + 1)); status=1; continue
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed*}
    total_p=$((total_p + p)); total_f=$((total_f + f))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "ERROR: $t exited $rc"; total_f=$((total_f + 1))
    fi
    [ "$rc" -ne 0 ] && status=1
done
echo "$total_p passed, $total_f failed"
exit $status
