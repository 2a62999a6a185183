/* fuzz_facilities.c - libFuzzer target: facilities.csv: tiers, coordinates, the parent hierarchy.
 * The input becomes s/facilities.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("facilities")
