/* inc_priv.h - the configuration of the incident streams, shared by the
 * scenario loader (streams.c), the replay reader (replay.c), the nhpp
 * generator (nhpp.c) and the source registry (inc.c).  Not a public
 * surface: commands use inc.h.
 *
 * Everything here is filled while the scenario loads and is read-only
 * afterwards, like the rest of struct scn; strings and arrays live in the
 * scenario's arena (scn__alloc), so nothing here is freed separately.
 */
#ifndef PATROLSIM_INC_PRIV_H
#define PATROLSIM_INC_PRIV_H

#include <stdint.h>
#include <gsl/gsl_randist.h>
#include "inc.h"
#include "scn.h"

/* Columns of a replayed CSV that [replay] can name. */
enum rp_col {
    RC_DATE, RC_RECEIVED, RC_DISPATCHED, RC_ARRIVED, RC_CLEARED, RC_SERVICE,
    RC_X, RC_Y, RC_LAT, RC_LON, RC_GRID, RC_TYPE, RC_PRIORITY, RC_FILTER, RC_DEDUP,
    RC_UNITS, RC_N
};
/* Their [replay] keys ("received_column", ...), in that order. */
extern const char *const inc__col_key[RC_N];

enum rp_tfmt { RP_ISO, RP_EPOCH, RP_MDY_HM };
enum rp_loc { RP_XY_KM, RP_XY_FT, RP_LATLON, RP_GRID };
enum rp_unmapped { RP_TO_DEFAULT, RP_SKIP, RP_ERROR };
enum rp_outside { RP_OUT_ERROR, RP_OUT_SKIP, RP_OUT_NEAREST, RP_OUT_KEEP };
enum rp_place { RP_UNIFORM, RP_CENTROID };

/* Why a row was not replayed. */
#define RP_SKIPS(X) \
    X(SK_FILTER,  "filtered out") \
    X(SK_DUP,     "repeat of the row before (dedup_column)") \
    X(SK_NO_TIME, "no received time") \
    X(SK_WINDOW,  "outside the from/to window") \
    X(SK_BEFORE,  "before [incidents] start") \
    X(SK_HORIZON, "at or after the horizon") \
    X(SK_TYPE,    "unmapped type (unmapped_type = skip)") \
    X(SK_NO_LOC,  "no location") \
    X(SK_OUTSIDE, "location in no grid (outside = skip)")
#define RP_SKIP_ENUM(e, d) e,
enum { RP_SKIPS(RP_SKIP_ENUM) SK_N };
#undef RP_SKIP_ENUM

/* Distinct codes remembered for the report; further ones are only counted. */
#define RP_MAX_CODES 12

struct rp_code_count {
    char code[48];
    uint64_t n;
};

/* What the load-time pass over the file found (inc_source_report). */
struct rp_counts {
    uint64_t read, used, skipped[SK_N];
    uint64_t to_default, nearest, kept_outside;
    double nearest_max_km;          /* furthest point snapped to a grid */
    struct rp_code_count type_codes[RP_MAX_CODES], grid_codes[RP_MAX_CODES];
    int n_type_codes, n_grid_codes;
    uint64_t other_type_codes, other_grid_codes;   /* rows with codes not listed */
    uint64_t arr_before_rec, arr_before_disp, disp_before_rec;
    uint64_t service_drawn;         /* service = data, but none in the row */
    int64_t first_ms, last_ms;      /* received times of the first and last used rows */
};

/* A sorted code -> index table ([replay] type_map, grid_map). */
struct inc_codemap {
    const char **code;
    int *idx;
    int n;
};

struct rp_cfg {
    const char *file;               /* as written in scenario.ini */
    const char *path;               /* resolved against the scenario folder */
    enum rp_tfmt tfmt;
    int utc_offset_min;             /* local time = UTC + this */
    const char *time_zone;          /* tz database name; NULL: the fixed utc_offset */
    const char *col[RC_N];          /* column names, NULL = not used */
    double rollover_h;              /* time-only stamps this long before received: next day */
    int64_t from_ms, to_ms;         /* [from, to); INT64_MIN / INT64_MAX when open */
    int reorder_window;             /* rows held back to restore time order */
    enum rp_loc loc;
    enum rp_place place;
    enum rp_outside outside;
    const char *grid_map_file, *type_map_file;
    struct inc_codemap grid_map, type_map;   /* empty: codes are ids */
    enum rp_unmapped unmapped;
    const char *default_type_id;
    int default_type;               /* itype index, -1 none */
    bool service_data;
    const char **filter_values;
    int n_filter;
    struct rp_counts counts;        /* from the load-time pass */
};

struct nhpp_hotspot {
    double x, y, sd_km, weight;
};

struct nhpp_cfg {
    const char *profile_file, *seasonal_file, *hotspots_file;
    double factor[7][24];           /* weekday (0 = Monday) x hour, mean 1 */
    double month[12];               /* day-weighted mean 1; all 1 without a table */
    double max_factor;              /* max of factor x month, for thinning */
    struct nhpp_hotspot *hot;
    int n_hot;
};

/* Room for the line of every stream key (streams.c numbers them). */
#define INC_STREAM_KEYS 48

struct inc_streams {
    int line[INC_STREAM_KEYS];      /* scenario.ini line of each key; < 0 an override */
    const char *grid_weights_file, *type_mix_file;
    bool start_set;
    struct rp_cfg rp;
    struct nhpp_cfg nh;
    /* [geo] */
    bool origin_lat_set, origin_lon_set;
    double origin_lat, origin_lon;
    const char *id_property, *name_property, *weight_property;
};

/* gsl_ran_discrete tables of the grid weights and type shares, for the
 * synthetic sources (NULL with e set). */
gsl_ran_discrete_t *inc__grid_table(const struct scn *s, struct perr *e);
gsl_ran_discrete_t *inc__type_table(const struct scn *s, struct perr *e);

/* Index of code in m, or -1. */
int inc__codemap_find(const struct inc_codemap *m, const char *code);

/* Runs the replay reader over the whole file once, counting (load time). */
int inc__replay_check(struct scn *s, struct perr *e);

extern const struct inc_source_type inc__replay_type, inc__nhpp_type;

#endif
