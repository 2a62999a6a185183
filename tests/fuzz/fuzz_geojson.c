/* fuzz_geojson.c - libFuzzer target: GeoJSON grids: Polygon and MultiPolygon features, properties, projection.
 * The input becomes s/grids.geojson of an otherwise valid scenario (targets.txt). */
#include "fuzz_common.h"

FUZZ_SCENARIO_TARGET("geojson")
