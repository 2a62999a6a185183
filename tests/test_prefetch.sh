#!/bin/sh
# test_prefetch.sh - prefetching (models/ops.c pull, evq_prefetch_records,
# the result index's entries in sim/res.c)
# only moves memory early: every output file is the same byte for byte with
# it on and off, on scenarios that cover each incident source (synthetic,
# replay, spawned), the road model, the grid tier and a stream that ends
# before the look-ahead ring fills.  PATROLSIM_PREFETCH overrides the
# automatic choice (by the size of the unit and grid records).
. "$(dirname "$0")/lib.sh"

# Prefetching on and off.
pf_both_ways() { same_both_ways PATROLSIM_PREFETCH on off "$@"; }

pf_both_ways "bench-city S=8" scenarios/bench-city --reps 2 --set run.horizon_days=20
pf_both_ways "dazhou after (grid tier, spawned incidents)" scenarios/dazhou-dachuan/after --reps 2
pf_both_ways "slo replay (a log as the source)" scenarios/slo-replay --reps 2
pf_both_ways "cumcm district A (road network)" scenarios/cumcm-2011b/district-a --reps 2
pf_both_ways "haidian three-tier" scenarios/haidian-suozhanshi/three-tier --reps 2
pf_both_ways "jinan after (tiered dispatch)" scenarios/jinan-shizhong/after --reps 2
# About 1.3 incidents in the horizon: the stream ends before the ring fills.
pf_both_ways "a stream shorter than the look-ahead" scenarios/bench-city --reps 3 \
    --set run.horizon_days=0.002

# The size line (2 MB of unit and grid records) lies between bench-city
# S = 64 (1 MB: off by default) and S = 128 (4 MB: on).
prefetch_of() { "$P" bench "$1" 2>/dev/null | sed -n 's/^prefetch: //p'; }
sh scenarios/bench-city/generate.sh 64 "$T/s64" 0.05 >/dev/null
check "bench-city S=64: no prefetching by default" [ "$(prefetch_of "$T/s64")" = off ]
pf_both_ways "bench-city S=64" "$T/s64" --reps 2
sh scenarios/bench-city/generate.sh 128 "$T/s128" 0.02 >/dev/null
check "bench-city S=128: prefetching by default" [ "$(prefetch_of "$T/s128")" = on ]
pf_both_ways "bench-city S=128 (prefetching by default)" "$T/s128" --reps 2

# Every prefetch hint in the source is in the compiled code.  GCC 12 drops
# a call to a static function whose only effect is __builtin_prefetch (it
# takes it for a function without side effects): pull()'s hints for the
# grid rows were never compiled in, and the home unit's not since e2748ac,
# until both were made PS_HOT (always inline).  Built with the Makefile's
# optimisation and -g, so that objdump names each instruction's line.
if command -v objdump >/dev/null 2>&1; then
    hints=$(grep -n '__builtin_prefetch(' models/*.c models/*.h sim/*.c sim/*.h include/*.h |
            grep -v '^[^:]*:[0-9]*: *\*' | cut -d: -f1,2 | sed 's|^.*/||')
    : >"$T/pf_lines"
    # the sources with a hint, and those including a header with one
    srcs=$(grep -l '__builtin_prefetch(' models/*.c sim/*.c)
    for hdr in $(grep -l '__builtin_prefetch(' models/*.h sim/*.h include/*.h); do
        srcs="$srcs $(grep -l "#include \"${hdr##*/}\"" models/*.c sim/*.c)"
    done
    for src in $(echo $srcs | tr ' ' '\n' | sort -u); do
        ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -DNDEBUG -g -Iinclude -c "$src" \
            -o "$T/pf.o" && objdump -dl "$T/pf.o" |
            awk '/^\/.*:[0-9]+/ { n = split($1, a, "/"); cur = a[n] }
                 /\tprefetch/ { print cur }' >>"$T/pf_lines"
    done
    check "prefetch hints found in the source" [ -n "$hints" ]
    for h in $hints; do
        check "prefetch hint $h is compiled in" grep -qx "$h" "$T/pf_lines"
    done
fi

expect_exit 1 "PATROLSIM_PREFETCH with a bad value is refused" \
    env PATROLSIM_PREFETCH=maybe "$P" run scenarios/bench-city --reps 1 --quiet --out "$T/bad"
check "... naming the value and what is expected" \
    grep -q "PATROLSIM_PREFETCH=maybe: expected on or off" "$T/err"
check "... leaving no output folder" test ! -e "$T/bad"

finish
