/* fuzz_units.c - libFuzzer target: units.csv: bases, home grids with posts, roles, modes, rosters.
 * The input becomes s/units.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("units")
