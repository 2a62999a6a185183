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
#include <stdio.h>
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
    RNG_THINNING = 8,      /* nhpp: acceptance of candidate arrivals */
    RNG_CALIBRATE = 9,     /* calibrate: modelled travel of the log's calls */
};

struct inc {
    uint64_t seq;          /* 0-based position in the stream */
    double t;              /* creation time, minutes from the start */
    double x, y;           /* km */
    int grid;              /* grid index, -1 if in no grid */
    int type;              /* incident-type index */
    int prio_idx;          /* index into scn.priorities: the type's, unless
                              the source (a replay) gives one */
    double service_min;    /* on-scene time, drawn with the incident */
    /* What a replayed log observed for this incident, minutes: received ->
     * dispatched, dispatched -> arrived, received -> arrived, NAN where a
     * stamp is missing or out of order.  Set only by sources with an
     * `observed` callback (the replay); others leave them unset, and
     * nothing reads them then. */
    double obs_wait, obs_travel, obs_response;
};

/* Timings a source observed in its data (a replay of a CAD export), for
 * comparison with the simulated ones; minutes, over the incidents it
 * yielded that were created after the warm-up and have both timestamps.
 * wait = received -> dispatched, travel = dispatched -> arrived,
 * response = received -> arrived.  NAN where the data has none. */
#define INC_OBS_METRICS(X) \
    X(O_N_RESP,      "observed_incidents",      "incidents with received and arrived times") \
    X(O_RESP_MEAN,   "observed_response_mean_min", "observed response time, mean") \
    X(O_RESP_P50,    "observed_response_p50_min",  "observed response time, median") \
    X(O_RESP_P90,    "observed_response_p90_min",  "observed response time, 90th percentile") \
    X(O_WAIT_MEAN,   "observed_wait_mean_min",     "observed received to dispatched, mean") \
    X(O_WAIT_P50,    "observed_wait_p50_min",      "observed received to dispatched, median") \
    X(O_WAIT_P90,    "observed_wait_p90_min",      "observed received to dispatched, 90th percentile") \
    X(O_TRAVEL_MEAN, "observed_travel_mean_min",   "observed dispatched to arrived, mean") \
    X(O_TRAVEL_P50,  "observed_travel_p50_min",    "observed dispatched to arrived, median") \
    X(O_TRAVEL_P90,  "observed_travel_p90_min",    "observed dispatched to arrived, 90th percentile")

#define INC_OBS_ENUM(e, name, desc) e,
enum { INC_OBS_METRICS(INC_OBS_ENUM) INC_N_OBS };
#undef INC_OBS_ENUM

struct inc_source_type {
    const char *name;
    /* Opens a stream for (seed, rep); NULL with e set on failure. */
    void *(*open)(const struct scn *s, uint64_t seed, int rep, struct perr *e);
    /* 1 with *out filled, 0 at the end, -1 with e set. */
    int (*next)(void *state, struct inc *out, struct perr *e);
    void (*close)(void *state);
    /* Optional (NULL when the source observes nothing): after the stream
     * ended, writes the INC_N_OBS observed metrics for this replication,
     * and into ecdf[3 * n_at] the shares of observed response, wait and
     * travel times <= each of at[0..n_at) minutes. */
    void (*observed)(void *state, double warmup_min, double *out, const double *at, int n_at,
                     double *ecdf);
};

/* The source type named by the scenario, or NULL.  Sources: "poisson"
 * (constant rate), "nhpp" (hour x weekday x month profile, by thinning),
 * "replay" (a CSV export); docs/incident-streams.md. */
const struct inc_source_type *inc_source_find(const char *name);

/* On-scene time for incident type it, drawn from r. */
double inc_draw_service(const struct scn_itype *it, gsl_rng *r);

/* Prints what loading the scenario's incident stream found, for a replay:
 * rows read, used, skipped by reason, unmapped codes, timing anomalies.
 * Nothing for other sources.  Called once per command, not per replication. */
void inc_source_report(const struct scn *s, FILE *fp);

/* Room for a row's units field; a longer one is cut at a comma. */
#define INC_UNITS_MAX 160

/* One replayed row with what the data says beyond the incident itself
 * (for `patrolsim fit`): times in minutes, NAN where the data has none. */
struct inc_row {
    struct inc inc;
    int64_t received_ms;   /* local calendar time, ts.h */
    double wait, travel, response;   /* received->dispatched->arrived */
    double onscene;        /* on-scene time in the data, or NAN */
    int has_dispatched;    /* the row has a dispatch stamp (in order or not) */
    int has_arrived;       /* the row has an arrival stamp */
    char units[INC_UNITS_MAX];   /* [replay] units_column as written, "" without */
    int units_cut;         /* the field was longer than units[] and was cut */
};

/* The replay reader behind the "replay" source, for the scenario's [replay]
 * mapping (whatever its [incidents] source says).  Rows come in time order;
 * (seed, rep) seed the draws a row may need (a point inside its grid, an
 * on-scene time the data lacks).  open returns NULL with e set. */
struct inc_replay;
struct inc_replay *inc_replay_open(const struct scn *s, uint64_t seed, int rep,
                                   struct perr *e);
int inc_replay_next(struct inc_replay *r, struct inc_row *out, struct perr *e);
void inc_replay_close(struct inc_replay *r);

#endif
