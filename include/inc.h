/* inc.h - incidents and the sources that stream them.
 *
 * A source yields incidents one at a time in non-decreasing creation time;
 * nothing holds the whole stream.  Sources are a const table of function
 * pointers chosen by name from the scenario ([incidents] source), so CSV
 * replay and non-homogeneous generators plug in beside `poisson`.
 *
 * Everything random about an incident (time, place, type, on-scene time) is
 * drawn by the source from streams keyed by (seed, replication, purpose) and
 * never by the operations model, so two layouts or rosters compared on the
 * same seed and replication face exactly the same incidents.
 */
#ifndef PATROLSIM_INC_H
#define PATROLSIM_INC_H

#include <stdint.h>
#include "err.h"
#include "scn.h"

/* Random-stream purposes.  Never renumber: the numbers seed the streams. */
enum rng_purpose {
    RNG_ARRIVALS = 1,
    RNG_LOCATIONS = 2,
    RNG_TYPES = 3,
    RNG_SERVICE = 4,
    RNG_OUTCOME = 5,
    RNG_ABSENCE = 6,
    RNG_PATROL = 7,
};

struct inc {
    uint64_t seq;          /* 0-based position in the stream */
    double t;              /* creation time, minutes from the start */
    double x, y;           /* km */
    int grid;              /* grid index, -1 if in no grid */
    int type;              /* incident-type index */
    double service_min;    /* on-scene time, drawn with the incident */
};

struct inc_source_type {
    const char *name;
    /* Opens a stream for (seed, rep); NULL with e set on failure. */
    void *(*open)(const struct scn *s, uint64_t seed, int rep, struct perr *e);
    /* 1 with *out filled, 0 at the end, -1 with e set. */
    int (*next)(void *state, struct inc *out, struct perr *e);
    void (*close)(void *state);
};

/* The source type named by the scenario, or NULL. */
const struct inc_source_type *inc_source_find(const char *name);

/* On-scene time for incident type it, drawn from r. */
double inc_draw_service(const struct scn_itype *it, gsl_rng *r);

#endif
