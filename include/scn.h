/* scn.h - a scenario: scenario.ini plus CSV tables, loaded and validated.
 *
 * A scenario is immutable once loaded and shared read-only by every
 * replication (and, later, by worker threads).  All of its memory is owned by
 * the struct scn and released by scn_free.  Every table row keeps the line
 * it came from so later cross-checks can still name file:line.
 *
 * Loading validates everything a run relies on: unknown sections and keys,
 * missing or unknown columns, bad numbers, negative durations, duplicate ids,
 * references to unknown ids, overlapping grids and holes where incidents
 * fall.  The first error is reported as "path:line: ..." and nothing else
 * happens.  The file format is documented in docs/scenario-format.md; every
 * scenario.ini key is a row of one key table (scn_keys below), which the
 * loader, the overrides and the generated key reference all read.
 *
 * Indices: rows are referred to by their 0-based position in their CSV file;
 * "lowest id" in tie-breaks means "listed first".
 */
#ifndef PATROLSIM_SCN_H
#define PATROLSIM_SCN_H

#include <stdbool.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include <gsl/gsl_histogram.h>
#include "geo.h"

enum fac_tier { FAC_STATION, FAC_WORKSTATION, FAC_OFFICE, FAC_POST, FAC_N_TIERS };
enum trv_metric { TRV_EUCLIDEAN, TRV_MANHATTAN };
/* On-scene time distributions; EMPIRICAL samples binned observations
 * (service_times.csv) through a GSL histogram PDF. */
enum svc_dist { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA, SVC_FIXED, SVC_EMPIRICAL };
/* Where synthetic incidents fall: pick a grid by weight then a uniform point
 * in it, or a uniform point over the study area (the grids' bounding box,
 * which the grids must then cover without holes). */
enum loc_mode { LOC_GRID_WEIGHT, LOC_AREA };

const char *fac_tier_name(enum fac_tier t);

/* What a unit is (docs/policing-model.md).  Bit i of a role mask = role i. */
enum unit_role {
    ROLE_GRID_CAR, ROLE_POST_CAR, ROLE_STATION_DUTY, ROLE_COMMUNITY, ROLE_CASE_TEAM,
    ROLE_SPECIAL, ROLE_N
};
#define ROLE_ALL_BUT_CASE (((1u << ROLE_N) - 1) & ~(1u << ROLE_CASE_TEAM))
const char *unit_role_name(enum unit_role r);

/* What an idle unit on duty does between calls. */
enum idle_mode { IDLE_BASE, IDLE_PATROL, IDLE_COMMUNITY };

enum inc_class {
    CLS_CRIMINAL, CLS_PUBLIC_ORDER, CLS_DISPUTE, CLS_HELP, CLS_TRAFFIC, CLS_OTHER, CLS_N
};
const char *inc_class_name(enum inc_class c);
/* Criminal and public-order incidents are cases: always handed over. */
static inline bool inc_class_is_case(enum inc_class c)
{
    return c == CLS_CRIMINAL || c == CLS_PUBLIC_ORDER;
}

struct scn_grid {
    char *id;
    char *name;            /* may be "" */
    double weight;         /* relative share of incidents (grid_weight mode) */
    int station;           /* responsible station (facility index), -1 if none */
    int zone;              /* its station's zone, -1 if none */
    struct geo_poly poly;
    int line;              /* grids.csv line */
};

struct scn_facility {
    char *id;
    char *name;
    enum fac_tier tier;
    double x, y;           /* km */
    int parent;            /* facility index, -1 for none */
    int station;           /* the station above it (itself for a station), -1 */
    int zone;              /* zone index (own, else inherited), -1 for none */
    int line;
};

struct scn_mode {
    char *name;            /* e.g. car, motorcycle, ebike, foot */
    double speed_kmh;      /* > 0 */
};

struct scn_unit {
    char *id;              /* units.csv id, or ID#n for crew n of a row with count > 1 */
    char *name;            /* may be "" */
    int base;              /* facility index */
    int *home;             /* grid indices this unit is responsible for */
    int *post;             /* per home grid: 0 = A, 1 = B, 2 = C post */
    int n_home;
    int officers, auxiliaries;
    int mode;              /* index into modes */
    enum unit_role role;
    int roster;            /* index into rosters, -1: always on duty */
    int squad;             /* offset into the roster cycle, days */
    enum idle_mode idle;
    int line;
    int crew;              /* 1..count of its units.csv row; 0 when count = 1 */
};

struct scn_shift {
    char *code;
    double start_h;        /* hour of day the shift starts, [0, 24) */
    double hours;          /* length, (0, 24] */
    double briefing_min;   /* start of shift on duty but not dispatchable, minutes (0: none) */
};

struct scn_roster {
    char *id;
    int n_days;            /* cycle length, days */
    int *day_shift;        /* per day of the cycle: shift index, -1 off */
    int line;
};

struct scn_itype {
    char *id;
    char *name;
    int priority;          /* 1 = most urgent */
    int prio_idx;          /* index into scn.priorities */
    double share;          /* relative share of incidents (> 0 in sum) */
    enum svc_dist dist;
    double mean_min;       /* on-scene time mean, minutes, > 0 (empirical: of the bins) */
    double sd_min;         /* lognormal/gamma: sd > 0; otherwise 0 */
    gsl_histogram_pdf *emp;/* empirical: the binned on-scene times (owned) */
    double target_min;     /* response-time target, minutes, > 0 */
    enum inc_class cls;
    int units_required;    /* >= 1 */
    unsigned roles;        /* mask of roles that may respond */
    double resolve[ROLE_N];/* P(first contact of this role closes it on scene) */
    bool has_followup;     /* follow-up work for the case team after handover */
    enum svc_dist fu_dist;
    double fu_mean_min, fu_sd_min;
    int line;
    /* units_per_call.csv: units sent = upc_n[k] with probability upc_cum[k] -
     * upc_cum[k - 1]; n_upc == 0: always units_required. */
    int *upc_n;
    double *upc_cum;       /* cumulative, last = 1 */
    int n_upc;
};

/* A delay distribution of the CAD tables (call processing, turnout,
 * workload periods): exponential, lognormal, gamma, fixed, or empirical:
 * equally spaced quantiles q[0] (minimum) .. q[n_q - 1] (maximum), the
 * inverse CDF linear between them. */
struct scn_delay {
    enum svc_dist dist;
    double mean_min;       /* minutes, >= 0 (0 only for fixed: no delay); empirical: computed */
    double sd_min;         /* lognormal/gamma: > 0; otherwise 0 */
    double *q;             /* empirical: n_q >= 2 non-decreasing quantiles, minutes */
    int n_q;
};

/* One call_processing.csv row: incidents of `type` (-1: any) received in
 * the local clock hours [hour_from, hour_to) (wrapping past midnight when
 * hour_from > hour_to) take `d` from receipt to the dispatch decision. */
struct scn_cp_row {
    int type;
    int hour_from, hour_to;    /* 0..23 and 1..24 */
    struct scn_delay d;
    int line;
};

/* What a unit is doing when dispatched, for its turnout (turnout.csv). */
enum turnout_state {
    TO_AT_BASE, TO_PATROL, TO_COMMUNITY, TO_RETURNING, TO_JUST_CLEARED, TO_WORKLOAD, TO_N
};
extern const char *const scn_turnout_state_names[TO_N];

/* One workload.csv row: on-duty idle units of `role` (-1: any other) start
 * busy periods d at rate_per_hour (Poisson while idle); calls of priority
 * <= interrupt_priority may interrupt them (0: never). */
struct scn_workload {
    int role;
    double rate_per_hour;  /* > 0 */
    struct scn_delay d;
    int interrupt_priority;/* 0..9 */
    int line;
};

struct scn {
    char *dir;             /* scenario folder as given */
    char *ini_path;
    char *name;
    char *description;

    /* [run] defaults, overridable on the command line */
    uint64_t seed;
    int reps;
    double horizon_days;   /* incidents are created in [warmup, horizon) */
    double warmup_days;    /* incidents before this are simulated, not counted */

    /* [travel] */
    enum trv_metric metric;
    double circuity;       /* >= 1 typically; distance multiplier */
    struct scn_mode *modes;
    int n_modes;

    /* [dispatch] */
    char *policy;          /* "nearest_idle" or "run_card"; resolved by disp */
    bool home_first;       /* nearest_idle: idle home units of the grid first */
    bool redispatch_returning; /* units driving back to base are dispatchable */
    int run_card_depth;    /* entries kept per grid; beyond: nearest by time */
    bool zone_first;       /* after home units, units of the grid's zone first */
    unsigned *levels;      /* tiered: role mask per level */
    double *escalate_min;  /* tiered: per level but the last; INFINITY for it */
    int n_levels;
    bool preempt;
    int preempt_gap;       /* priority levels between pre-empting and pre-empted */
    enum svc_dist cp_dist; /* call processing: receipt to dispatch decision */
    double cp_mean_min;    /* 0: dispatch at once */
    double cp_sd_min;      /* lognormal/gamma only */

    /* [staffing] */
    double absence_p;      /* per officer and shift */
    double patrol_speed_factor;
    double visit_min;
    double community_share;

    /* [incidents] */
    char *source;          /* "poisson", "nhpp" or "replay" (models/inc.c) */
    double rate_per_day;   /* > 0; for replay: used rows per day of data */
    enum loc_mode location;

    /* Incident streams (docs/incident-streams.md): the calendar time of
     * t = 0 (ts.h milliseconds, local time), the lat/lon projection ([geo],
     * or centred on GeoJSON grids), and the replay/nhpp configuration,
     * private to models/ (inc_priv.h). */
    int64_t start_ms;      /* [incidents] start; a replay's first row; else 2024-01-01 */
    bool has_proj;
    struct geo_proj proj;
    struct inc_streams *streams;

    struct scn_grid *grids;           int n_grids;
    struct scn_facility *facilities;  int n_facilities;
    struct scn_unit *units;           int n_units;
    struct scn_itype *itypes;         int n_itypes;
    int *priorities;                  int n_priorities;  /* distinct, ascending */
    struct scn_shift *shifts;         int n_shifts;
    struct scn_roster *rosters;       int n_rosters;
    char **zones;                     int n_zones;       /* zone ids */

    /* Explicit run cards: for grid g, runcard[g][0..n_runcard[g]) are unit
     * indices in preference order (n_runcard[g] == 0: none given). */
    int **runcard;
    int *n_runcard;

    /* CAD mechanisms (docs/scenario-format.md, "Call processing, availability,
     * turnout and crews"); every one optional, absent = the behaviour without.
     * cp_pick[type * 24 + hour] is the call_processing row for a call of that
     * type received in that local clock hour (NULL: no table, [dispatch]
     * cp_* apply).  strength[dow * 24 + hour] caps the units available in
     * that local hour of the week (0 = Monday; NULL: no cap).  workload_of
     * [role] is the workload row of a role, -1 none. */
    struct scn_cp_row *cp_rows;       int n_cp_rows;
    int *cp_pick;
    bool has_turnout;
    struct scn_delay turnout[TO_N];   /* fixed 0 for states the table omits */
    double cleared_window_min;        /* [turnout]: "just cleared" up to this, minutes */
    int *strength;
    struct scn_workload *workload;    int n_workload;
    int workload_of[ROLE_N];
    bool has_upc;                     /* units_per_call.csv given */
    bool has_briefing;                /* some shift has briefing_min > 0 */

    double xmin, ymin, xmax, ymax;    /* bounding box of all grids, km */
    struct geo_index *grid_index;     /* point -> grid */

    /* Internal: the loader's private storage. */
    void *priv_;
};

/* One "section.key=value" override, applied as if the scenario's files had
 * said so, before any validation that needs several values (used by --set
 * and by sweeps).  Forms (docs/scenario-format.md, "Overrides"):
 *   dispatch / policy / run_card       an INI key
 *   units / C3.base / S2               a table cell: row by its id, then column
 *   tables / units / units-10.csv      a whole table, relative to the folder
 *   incidents / rate_per_day / *1.2    scaling a numeric key or cell
 * The strings are only read during scn_load. */
struct scn_override {
    const char *section, *key, *value;
};

/* Loads and validates the scenario in folder dir.  Returns the scenario, or
 * NULL with e set to the first problem ("path:line: ..."). */
struct scn *scn_load(const char *dir, const struct scn_override *ov, int n_ov,
                     struct perr *e);
void scn_free(struct scn *s);
/* What scn_load's semantic checks (docs/scenario-format.md, "Validation")
 * found that is suspicious but not an error, one complete message each
 * ("path:line: ..."), and its notes (the offered load).  Return the count;
 * *msgs stays valid until scn_free. */
int scn_warnings(const struct scn *s, const char *const **msgs);
int scn_notes(const struct scn *s, const char *const **msgs);
/* The files scn_load read, in the order it opened them (scenario.ini, each
 * CSV, GeoJSON, the replayed data, swapped tables), as opened (joined to the
 * folder).  Returns their number; *paths stays valid until scn_free. */
int scn_inputs(const struct scn *s, const char *const **paths);

/* ---- the key table ------------------------------------------------------------
 * Every scenario.ini key, declared once in models/scn_keys.c: loading,
 * overrides and the key reference (scn_keys_markdown) all read it. */
enum scn_ktype {
    SCN_KT_TEXT,        /* UTF-8 text */
    SCN_KT_FILE,        /* a file name, relative to the scenario folder */
    SCN_KT_COLUMN,      /* a column name of a data file */
    SCN_KT_U64,         /* unsigned 64-bit integer */
    SCN_KT_INT,         /* integer in [lo, hi] */
    SCN_KT_DOUBLE,      /* number in lo .. hi (open ends as flagged) */
    SCN_KT_BOOL,        /* true/false, yes/no, on/off, 1/0 */
    SCN_KT_WORD,        /* one of words[] */
    SCN_KT_TIME,        /* local date-time YYYY-MM-DD[THH:MM[:SS]] */
    SCN_KT_OFFSET,      /* fixed UTC offset */
};

#define SCN_KF_REQUIRED 1u  /* no default: the file must set it */
#define SCN_KF_EMPTY_OK 2u  /* text: the empty value is allowed (and means something) */
#define SCN_KF_CONT     4u  /* text: indented lines continue it */
#define SCN_KF_ANY_NAME 8u  /* the section's keys are names chosen by the scenario ([modes]) */

struct scn_keyimpl;

struct scn_keydef {
    const char *section, *name;    /* name "<name>" with SCN_KF_ANY_NAME */
    enum scn_ktype type;
    double lo, hi;                 /* SCN_KT_INT / SCN_KT_DOUBLE bounds, +-INFINITY: none */
    int lo_open, hi_open;
    const char *const *words;      /* SCN_KT_WORD, NULL-terminated */
    const char *dflt;              /* the default as the file would write it; NULL: none */
    const char *dflt_doc;          /* the default in words when dflt cannot say it */
    const char *unit;              /* "days", "km/h", ... or NULL */
    const char *noun;              /* what a value is, in messages; NULL: from the type */
    const char *doc;               /* one line */
    unsigned flags;                /* SCN_KF_* */
    const struct scn_keyimpl *impl;/* where the loader stores it (private) */
};

extern const struct scn_keydef scn_keys[];
extern const int scn_n_keys;

/* The effective value of a key after loading and overrides, as text a file
 * could say ("" when unset and without default; a [modes] key names the
 * mode).  0, or -1 if the key does not exist. */
int scn_key_value(const struct scn *s, const char *section, const char *key, char *buf,
                  size_t n);

/* The key reference as markdown: one table per section (docs/scenario-format.md
 * holds this text between <!-- keys:begin --> and <!-- keys:end -->). */
void scn_keys_markdown(FILE *fp);
/* `patrolsim keys [--markdown]`: the key reference on stdout.  Returns the
 * exit code (0, or EXIT_USAGE on a bad option). */
int scn_cmd_keys(int argc, char **argv);

/* Lookups by id; -1 if absent.  O(log n). */
int scn_grid_find(const struct scn *s, const char *id);
int scn_unit_find(const struct scn *s, const char *id);
int scn_facility_find(const struct scn *s, const char *id);

/* Road distance in km from (x0,y0) to (x1,y1): metric distance x circuity. */
static inline double scn_distance(const struct scn *s, double x0, double y0,
                                  double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    double d;
    if (s->metric == TRV_MANHATTAN)
        d = (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
    else
        d = hypot(dx, dy);
    return d * s->circuity;
}

#endif
