/* fuzz_ini.c - libFuzzer target: the scenario.ini parser: INI syntax, sections, keys and values, table paths, [replay]/[geo]/[nhpp] keys.
 * The input becomes s/scenario.ini of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("ini")
