# lib.sh - the harness shared by the shell tests (sourced, not run):
# one PASS/FAIL line per check and the closing "N passed, N failed".
BIN=${BIN:-bin}
P="$BIN/patrolsim"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok()  { pass=$((pass + 1)); echo "PASS $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else bad "$desc"; fi; }
# expect_exit CODE DESC CMD...: runs CMD (stdout to $T/out, stderr to $T/err)
# and checks its exit code.
expect_exit() {
    code=$1; desc=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; rc=$?
    if [ "$rc" -eq "$code" ]; then ok "$desc (exit $rc)"; else bad "$desc: exit $rc, expected $code; stderr: $(head -c 300 "$T/err")"; fi
}
# same_both_ways VAR A B DESC ARGS...: `patrolsim run ARGS` with the
# environment variable VAR set to A and to B (empty: as if unset), and a
# check that every output file is the same byte for byte.
same_both_ways() {
    var=$1; va=$2; vb=$3; desc=$4; shift 4
    for m in a b; do
        if [ $m = a ]; then v=$va; else v=$vb; fi
        rm -rf "$T/$m"
        env "$var=$v" "$P" run "$@" --quiet --out "$T/$m" >"$T/log.$m" 2>&1 ||
            { bad "$desc: run with $var=$v failed: $(head -c 300 "$T/log.$m")"; return; }
    done
    if diff -r -x 'provenance*' -x manifest.txt "$T/a" "$T/b" >"$T/diff"; then
        ok "$desc: outputs identical with $var=$va and $var=$vb"
    else
        bad "$desc: outputs differ: $(head -c 300 "$T/diff")"
    fi
}
# finish: the closing line; the exit status of the script.
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
