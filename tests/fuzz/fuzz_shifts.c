/* fuzz_shifts.c - libFuzzer target: shifts.csv, in a scenario whose units work rosters.
 * The input becomes s/shifts.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("shifts")
