#!/bin/sh
# Overrides from the command line (--set): table cells, whole tables,
# scaling, units.csv count sweeps, and the messages of bad overrides.  An
# override is applied as if the file had said so: restating the file's own
# value changes no byte of the results.
. tests/lib.sh

D=scenarios/demo
CQ=scenarios/chongqing-standard
RUN="--reps 2 --horizon-days 3 --warmup-days 0.5 --seed 11 --quiet"

# incidents: the overall incident count of summary.csv
incidents() { awk -F, '$1 == "all" && $2 == "incidents" { print $4 }' "$1/summary.csv"; }

# --- as if the file said so --------------------------------------------------------
expect_exit 0 "run demo" "$P" run $D $RUN --out "$T/base"
expect_exit 0 "run demo restating C1's officers" "$P" run $D $RUN --out "$T/same" \
    --set units.C1.officers=1 --set incidents.rate_per_day=*1 --set tables.units=units.csv
for f in summary.csv by_unit.csv by_grid.csv; do
    check "restating the file's values leaves $f unchanged" cmp -s "$T/base/$f" "$T/same/$f"
done
expect_exit 0 "run demo with C1 based at P1" "$P" run $D $RUN --out "$T/moved" --set units.C1.base=P1
check "a cell override changes the results" sh -c "! cmp -s '$T/base/by_unit.csv' '$T/moved/by_unit.csv'"

# --- scaling ---------------------------------------------------------------------------
expect_exit 0 "run demo with rate_per_day=*2" "$P" run $D $RUN --out "$T/x2" --set incidents.rate_per_day=*2
a=$(incidents "$T/base"); b=$(incidents "$T/x2")
check "doubling the rate gives more incidents ($a -> $b)" awk -v a="$a" -v b="$b" 'BEGIN { exit !(b > 1.6 * a && b < 2.4 * a) }'
expect_exit 2 "replications=*0 is refused" "$P" validate $D --set run.replications=*0
check "the scaled value's message names the key and the factor" grep -q "override \[run\] replications: expected an integer in \[1, 100000\], got '0' (from '\*0')" "$T/err"

# --- a count sweep on chongqing-standard -------------------------------------------------
base_units=$(($(wc -l <$CQ/units.csv) - 1))
for n in 1 2 3 4 5 6; do
    expect_exit 0 "run $CQ with URB-comm1 x $n" "$P" run $CQ --reps 1 --horizon-days 2 --warmup-days 0 --quiet \
        --set units.URB-comm1.count=$n --out "$T/cq$n"
    check "URB-comm1 x $n: by_unit.csv has $((base_units + n - 1)) units" \
        test "$(($(wc -l <"$T/cq$n/by_unit.csv") - 1))" -eq $((base_units + n - 1))
done
check "count = 1 keeps the id" grep -q '^"URB-comm1",' "$T/cq1/by_unit.csv"
check "count = 6 derives URB-comm1#6" grep -q '^"URB-comm1#6",' "$T/cq6/by_unit.csv"
check "crew ids are stable across counts" sh -c "grep -q '^\"URB-comm1#2\",' '$T/cq2/by_unit.csv' && grep -q '^\"URB-comm1#2\",' '$T/cq5/by_unit.csv'"
expect_exit 0 "count=*2 scales the default count" "$P" validate $CQ --set units.URB-comm1.count=*2
expect_exit 0 "count=0 removes a row's units" "$P" validate $CQ --set units.URB-comm1.count=0

# --- whole tables --------------------------------------------------------------------------
expect_exit 0 "tables.units swaps the unit table" "$P" validate $CQ --set tables.units=units-community-50.csv
expect_exit 2 "a missing swapped table" "$P" validate $CQ --set tables.units=units-99.csv
check "the missing table is named" grep -q "chongqing-standard/units-99.csv: cannot open" "$T/err"

# --- bad overrides: message, exit 2 ------------------------------------------------------------
bad_set() {
    expect_exit 2 "--set $1 is refused" "$P" validate $D --set "$1"
    if grep -qF -- "$2" "$T/err"; then ok "--set $1: '$2'"; else bad "--set $1: '$(cat "$T/err")' lacks '$2'"; fi
}
bad_set units.C9.base=S2 "override units.C9.base=S2: no row 'C9' in scenarios/demo/units.csv (ids: C1, C2,"
bad_set units.C1.bsae=S2 "override units.C1.bsae=S2: units.csv has no column 'bsae'; columns: name, base,"
bad_set units.C1.base=S9 "override units.C1.base=S9: scenarios/demo/units.csv:2: column 3 'base': unknown facility 'S9'"
bad_set units.C1.count=-1 "column 'count': expected an integer in [0, 10000], got '-1'"
bad_set units.C1.id=X "the id column 'id' names the row and cannot be overridden"
bad_set grids.G1.weight=*x "expected '*' and a number (a factor), got '*x'"
bad_set staff.shift=8 "override unknown section [staff]; expected one of scenario, run,"
bad_set run.reps=8 "override [run] unknown key 'reps'; accepted keys: seed, replications, horizon_days, warmup_days"

finish
