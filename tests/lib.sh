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
# finish: the closing line; the exit status of the script.
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}
