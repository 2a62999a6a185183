/* fuzz_incident_types.c - libFuzzer target: incident_types.csv: priorities, service distributions, classes, roles.
 * The input becomes s/incident_types.csv of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("incident_types")
