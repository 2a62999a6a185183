/* fuzz_rosters.c - libFuzzer target: rosters.csv: day patterns naming shifts.csv codes.
 * The input becomes s/rosters.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("rosters")
