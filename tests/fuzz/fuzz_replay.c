/* fuzz_replay.c - libFuzzer target: a replayed CAD export: MM/DD/YY dates, reorder window, filter, dedup, grid_map and type_map.
 * The input becomes s/calls.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("replay")
