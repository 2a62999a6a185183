/* scn_priv.h - scenario-loader internals used by the incident-stream files
 * (streams.c, geojson.c): the arena, paths, and the hooks scn.c calls for
 * the [replay], [nhpp], [geo] sections, GeoJSON grid tables and the checks
 * that need every table loaded.  Prefix scn__; not a public surface.
 */
#ifndef PATROLSIM_SCN_PRIV_H
#define PATROLSIM_SCN_PRIV_H

#include <stddef.h>
#include "err.h"
#include "scn.h"

/* Zeroed memory / a copy of str in the scenario's arena, freed by scn_free. */
void *scn__alloc(struct scn *s, size_t n);
char *scn__strdup(struct scn *s, const char *str);
/* file, relative to the scenario folder unless absolute, in the arena. */
char *scn__path(struct scn *s, const char *file);

/* One key of the stream sections ([incidents] start/grid_weights/type_mix,
 * [replay], [nhpp], [geo]).  w is the message prefix ("path:LINE: ");
 * line > 0 in scenario.ini, < 0 an override.  0, or -1 with e set. */
int scn__stream_key(struct scn *s, const char *sec, const char *key, const char *val,
                    int line, const char *w, struct perr *e);
/* Whether the grid table at path is GeoJSON (by its extension). */
int scn__is_geojson(const char *path);
/* Reads the grids from a GeoJSON FeatureCollection into s->grids and
 * s->n_grids (polygons in km, projected as [geo] says); fixes s->proj.
 * Grid "line" numbers are feature numbers (1-based). */
int scn__geojson_grids(struct scn *s, const char *path, struct perr *e);
/* After every table: stream tables, cross-checks and the replay pass. */
int scn__streams_finish(struct scn *s, struct perr *e);

#endif
