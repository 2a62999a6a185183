/* fuzz_run_cards.c - libFuzzer target: run_cards.csv: grid, rank and unit references.
 * The input becomes s/run_cards.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("run_cards")
