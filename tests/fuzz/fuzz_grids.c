/* fuzz_grids.c - libFuzzer target: grids.csv: rectangles, polygon syntax, weights, overlap and hole checks.
 * The input becomes s/grids.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("grids")
