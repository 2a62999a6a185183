/* fuzz_service_times.c - libFuzzer target: service_times.csv: empirical bins of an incident type.
 * The input becomes s/service_times.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("service_times")
