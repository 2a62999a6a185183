/* scn_keys.c - the key table: every scenario.ini key, declared once.
 *
 * One row per key, in the manner of Redis's `standardConfig configs[]`: its
 * section and name, type, bounds or vocabulary, default (as the file would
 * write it), unit and a one-line description, plus where the loader stores
 * it.  Generic code (scn_ini.c) parses, validates and stores a value from the
 * row alone, applies the defaults, and lists a section's keys in messages;
 * scn_keydoc.c prints the reference from it.  Checks that need several keys
 * (warmup < horizon, a lognormal delay needs its sd, replay column sets) stay
 * in code, after the file and the overrides.
 *
 * Rows are grouped by section; the sections' order here is the order
 * messages and the reference list them in.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "inc_priv.h"
#include "scn_priv.h"
#include "ts.h"

static const char *const w_metric[] = { "euclidean", "manhattan", NULL };
/* In enum trv_kind order. */
static const char *const w_trvmodel[] = { "metric", "matrix", "road", NULL };
static const char *const w_policy[] = { "nearest_idle", "run_card", "tiered", NULL };
/* In enum svc_dist order. */
static const char *const w_dist[] = { "exponential", "lognormal", "gamma", "fixed", NULL };
static const char *const w_source[] = { "poisson", "nhpp", "replay", NULL };
static const char *const w_location[] = { "grid_weight", "area", "points", NULL };
static const char *const w_tfmt[] = { "iso8601", "epoch", "mdy_hm", NULL };
static const char *const w_service[] = { "sample", "data", NULL };
static const char *const w_rploc[] = { "xy_km", "xy_ft", "latlon", "grid", NULL };
static const char *const w_place[] = { "uniform", "centroid", NULL };
static const char *const w_outside[] = { "error", "skip", "nearest", "keep", NULL };
static const char *const w_unmapped[] = { "default", "skip", "error", NULL };

/* Storage: a field of the target struct (scn_priv.h enum key_target). */
#define AT(tg, type, field) (&(const struct scn_keyimpl){ tg, offsetof(type, field), KH_NONE })
#define S_(f) AT(KT_SCN, struct scn, f)
#define RAW(f) AT(KT_RAW, struct scn_raw, f)
#define ST(f) AT(KT_STREAMS, struct inc_streams, f)
#define RP(f) AT(KT_RP, struct rp_cfg, f)
#define NH(f) AT(KT_NH, struct nhpp_cfg, f)
#define HOOK(h) (&(const struct scn_keyimpl){ KT_SCN, 0, h })
#define RPCOL(c) (&(const struct scn_keyimpl){ KT_RP, offsetof(struct rp_cfg, col) + \
                                               (size_t)(c) * sizeof(const char *), KH_NONE })

#define INF INFINITY
/* Rows by type: section, name, [bounds | words,] default, unit, doc, storage. */
#define TEXT(sec, nm, dflt, ddoc, noun, doc, fl, at) \
    { sec, nm, SCN_KT_TEXT, 0, 0, 0, 0, NULL, dflt, ddoc, NULL, noun, doc, fl, at }
#define FILE_(sec, nm, dflt, ddoc, doc, fl, at) \
    { sec, nm, SCN_KT_FILE, 0, 0, 0, 0, NULL, dflt, ddoc, NULL, NULL, doc, fl, at }
#define COLUMN(sec, nm, doc, at) \
    { sec, nm, SCN_KT_COLUMN, 0, 0, 0, 0, NULL, NULL, "none", NULL, NULL, doc, 0, at }
#define INT(sec, nm, lo, hi, dflt, unit, doc, at) \
    { sec, nm, SCN_KT_INT, lo, hi, 0, 0, NULL, dflt, NULL, unit, NULL, doc, 0, at }
#define DBL(sec, nm, lo, lo_open, hi, hi_open, dflt, ddoc, unit, noun, doc, fl, at) \
    { sec, nm, SCN_KT_DOUBLE, lo, hi, lo_open, hi_open, NULL, dflt, ddoc, unit, noun, doc, \
      fl, at }
#define BOOL(sec, nm, dflt, doc, at) \
    { sec, nm, SCN_KT_BOOL, 0, 0, 0, 0, NULL, dflt, NULL, NULL, NULL, doc, 0, at }
#define WORD(sec, nm, words, dflt, doc, at) \
    { sec, nm, SCN_KT_WORD, 0, 0, 0, 0, words, dflt, NULL, NULL, NULL, doc, 0, at }
#define TIME(sec, nm, ddoc, doc, at) \
    { sec, nm, SCN_KT_TIME, 0, 0, 0, 0, NULL, NULL, ddoc, NULL, NULL, doc, 0, at }

/* The [replay] columns, in enum rp_col order: the key table rows and
 * inc__col_key (replay.c's messages) both come from this list. */
#define RP_COLUMNS(X) \
    X(RC_DATE, "date_column", "`mdy_hm` only: the MM/DD/YY date of the row.") \
    X(RC_RECEIVED, "received_column", \
      "When the call was received: the incident's creation time (required).") \
    X(RC_DISPATCHED, "dispatched_column", "First unit dispatched (observed timings).") \
    X(RC_ARRIVED, "arrived_column", "First unit on scene (observed timings, on-scene times).") \
    X(RC_CLEARED, "cleared_column", "Call cleared (on-scene times).") \
    X(RC_SERVICE, "service_column", "On-scene minutes (`service = data`).") \
    X(RC_X, "x_column", "`xy_km`, `xy_ft`: the x coordinate.") \
    X(RC_Y, "y_column", "`xy_km`, `xy_ft`: the y coordinate.") \
    X(RC_LAT, "lat_column", "`latlon`: latitude, decimal degrees.") \
    X(RC_LON, "lon_column", "`latlon`: longitude, decimal degrees.") \
    X(RC_GRID, "grid_column", "`grid`: a code naming the grid.") \
    X(RC_TYPE, "type_column", "The call type; without it every incident gets `default_type`.") \
    X(RC_PRIORITY, "priority_column", \
      "A priority level 1..9 of incident_types.csv; empty: the type's.") \
    X(RC_FILTER, "filter_column", "Keep only rows whose value here is in `filter_values`.") \
    X(RC_DEDUP, "dedup_column", "Skip a row whose value here repeats the previous row's.") \
    X(RC_UNITS, "units_column", \
      "Comma-separated ids of the responding units (`patrolsim calibrate`: strength, " \
      "units per call).")

#define COL_NAME(e, nm, doc) [e] = nm,
const char *const inc__col_key[RC_N] = { RP_COLUMNS(COL_NAME) };
#define COL_ROW(e, nm, doc) COLUMN("replay", nm, doc, RPCOL(e)),

const struct scn_keydef scn_keys[] = {
    TEXT("scenario", "name", NULL, NULL, "a non-empty name",
         "Name of the scenario, used in reports.", SCN_KF_REQUIRED, S_(name)),
    TEXT("scenario", "description", "", NULL, NULL,
         "Free text; indented lines below it continue it.", SCN_KF_EMPTY_OK | SCN_KF_CONT,
         S_(description)),

    { "run", "seed", SCN_KT_U64, 0, 0, 0, 0, NULL, "1", NULL, NULL,
      "an unsigned 64-bit integer", "Random seed; the same seed gives the same results.", 0,
      S_(seed) },
    INT("run", "replications", 1, 100000, "10", NULL,
        "Independent runs that are averaged.", S_(reps)),
    DBL("run", "horizon_days", 0, 1, INF, 0, "30", NULL, "days", NULL,
        "Incidents are created in [0, horizon_days).", 0, S_(horizon_days)),
    DBL("run", "warmup_days", 0, 0, INF, 0, "0", NULL, "days", NULL,
        "Incidents before this are simulated but not counted; must be < horizon_days.", 0,
        S_(warmup_days)),

    FILE_("tables", "grids", "grids.csv", NULL,
          "The grid table (CSV, or GeoJSON by its extension).", 0, RAW(table[TB_GRIDS])),
    FILE_("tables", "facilities", "facilities.csv", NULL, "The facility table.", 0,
          RAW(table[TB_FACILITIES])),
    FILE_("tables", "units", "units.csv", NULL, "The unit table.", 0, RAW(table[TB_UNITS])),
    FILE_("tables", "incident_types", "incident_types.csv", NULL, "The incident type table.",
          0, RAW(table[TB_ITYPES])),
    FILE_("tables", "run_cards", "run_cards.csv", "`run_cards.csv` if it exists",
          "Run cards (optional); empty: none.", SCN_KF_EMPTY_OK, RAW(table[TB_RUNCARDS])),
    FILE_("tables", "shifts", "shifts.csv", "`shifts.csv` if it exists",
          "Shift codes (optional); empty: none.", SCN_KF_EMPTY_OK, RAW(table[TB_SHIFTS])),
    FILE_("tables", "rosters", "rosters.csv", "`rosters.csv` if it exists",
          "Roster cycles (optional); empty: none.", SCN_KF_EMPTY_OK, RAW(table[TB_ROSTERS])),
    FILE_("tables", "service_times", "service_times.csv", "`service_times.csv` if it exists",
          "Binned on-scene times of `empirical` types (optional).", SCN_KF_EMPTY_OK,
          RAW(table[TB_SERVICE_TIMES])),
    FILE_("tables", "call_processing", "call_processing.csv",
          "`call_processing.csv` if it exists",
          "Call-processing delay by type and hour band (optional); replaces [dispatch] "
          "call_processing*.", SCN_KF_EMPTY_OK, RAW(table[TB_CALL_PROCESSING])),
    FILE_("tables", "strength", "strength.csv", "`strength.csv` if it exists",
          "Units available by hour of the week, a cap on those on duty (optional).",
          SCN_KF_EMPTY_OK, RAW(table[TB_STRENGTH])),
    FILE_("tables", "workload", "workload.csv", "`workload.csv` if it exists",
          "Non-call busy periods of idle units by role (optional).", SCN_KF_EMPTY_OK,
          RAW(table[TB_WORKLOAD])),
    FILE_("tables", "turnout", "turnout.csv", "`turnout.csv` if it exists",
          "Delay from dispatch to departure by what the unit was doing (optional).",
          SCN_KF_EMPTY_OK, RAW(table[TB_TURNOUT])),
    FILE_("tables", "units_per_call", "units_per_call.csv", "`units_per_call.csv` if it exists",
          "How many units a call gets, a distribution by type (optional).", SCN_KF_EMPTY_OK,
          RAW(table[TB_UNITS_PER_CALL])),
    FILE_("tables", "consequences", "consequences.csv", "`consequences.csv` if it exists",
          "Repeat and escalation of incidents by outcome (optional; endogenous demand).",
          SCN_KF_EMPTY_OK, RAW(table[TB_CONSEQUENCES])),

    WORD("travel", "model", w_trvmodel, "metric",
         "Travel model: distance x circuity, a CSV time matrix, or a road graph "
         "(docs/travel.md).", S_(travel_model)),
    WORD("travel", "metric", w_metric, "euclidean",
         "`metric` model: straight-line distance, or |dx| + |dy| for a street grid.",
         S_(metric)),
    DBL("travel", "circuity", 0.5, 0, 5, 0, "1", NULL, NULL, NULL,
        "`metric` model: map distance to road distance multiplier (urban: 1.2 to 1.4).", 0,
        S_(circuity)),
    FILE_("travel", "matrix", NULL, "required with `model = matrix`",
          "CSV from,to,minutes[,mode]: minutes between facility and grid ids.", 0,
          S_(trv_matrix)),
    FILE_("travel", "road_nodes", NULL, "required with `model = road` (or `road_geojson`)",
          "CSV id,x,y (km): road junctions; other columns are ignored.", 0, S_(road_nodes)),
    FILE_("travel", "road_edges", NULL, "required with `road_nodes`",
          "CSV from,to[,length_km][,oneway][,class][,speed_factor]: road segments.", 0,
          S_(road_edges)),
    FILE_("travel", "road_geojson", NULL, "none",
          "GeoJSON LineString/MultiLineString centre lines instead of the two CSVs; "
          "junctions where lines share end points.", 0, S_(road_geojson)),
    FILE_("travel", "road_classes", NULL, "none (every class at factor 1)",
          "CSV class,speed_factor: the speed multiplier of each road class.", 0,
          S_(road_classes)),
    DBL("travel", "offroad_kmh", 0, 1, 500, 0, NULL, "the mode's speed", "km/h", NULL,
        "`road` model: speed to and from the nearest node (capped at the mode's speed).", 0,
        S_(offroad_kmh)),
    DBL("travel", "offroad_max_km", 0, 0, INF, 0, "1", NULL, "km", NULL,
        "`road` model: a facility or grid centroid farther than this from every node is an "
        "error.", 0, S_(offroad_max_km)),
    FILE_("travel", "speed_bands", NULL, "none (factor 1 all day)",
          "CSV hour_from,hour_to,factor[,mode]: congestion speed factors by hour of "
          "departure, every model.", 0, S_(speed_bands)),

    DBL("modes", "<name>", 0, 1, 500, 0, NULL, "at least one mode", "km/h", "a speed in km/h",
        "A travel mode and its speed, e.g. `car = 38.5`; units name it in units.csv.",
        SCN_KF_ANY_NAME, HOOK(KH_MODE)),

    WORD("dispatch", "policy", w_policy, "nearest_idle",
         "How a unit is chosen (docs/policing-model.md).", S_(policy)),
    BOOL("dispatch", "home_first", "true",
         "Try the grid's idle home units before the nearest unit.", S_(home_first)),
    BOOL("dispatch", "redispatch_returning", "true",
         "A unit driving back to base may take a new incident.", S_(redispatch_returning)),
    INT("dispatch", "run_card_depth", 1, 100000, "64", NULL,
        "`run_card`: candidates per grid; after the card, the nearest by time.",
        S_(run_card_depth)),
    BOOL("dispatch", "zone_first", "true",
         "After the grid's own units, prefer units of its zone.", S_(zone_first)),
    TEXT("dispatch", "levels", NULL, "one level of all roles",
         "roles separated by spaces, levels by `|`",
         "`tiered`: ordered levels of roles or organisational scopes, e.g. `grid_car | post_car` "
         "or `group, team, station, any`.", 0,
         RAW(levels)),
    TEXT("dispatch", "escalate_min", NULL, "none", "minutes, one per level but the last",
         "`tiered`: a level is used when a unit of it can arrive within this time.", 0,
         RAW(escalate)),
    DBL("dispatch", "grid_first_max_min", 0, 0, INF, 0, "30", NULL, "minutes", NULL,
        "Types listing `grid_worker`: a grid worker goes first when one can arrive within "
        "this; else police.", 0, S_(grid_first_max_min)),
    BOOL("dispatch", "preempt", "false",
         "A call finding no unit may take one serving a less urgent call.", S_(preempt)),
    INT("dispatch", "preempt_priority_gap", 1, 8, "1", NULL,
        "Priority levels between the pre-empting and the pre-empted call.", S_(preempt_gap)),
    WORD("dispatch", "call_processing", w_dist, "fixed",
         "Distribution of the time from the call to the dispatch decision.", S_(cp_dist)),
    DBL("dispatch", "call_processing_min", 0, 0, INF, 0, "0", NULL, "minutes", NULL,
        "Its mean; 0 dispatches at once.", 0, S_(cp_mean_min)),
    DBL("dispatch", "call_processing_sd_min", 0, 1, INF, 0, NULL, "none", "minutes", NULL,
        "Its standard deviation (`lognormal`, `gamma`: required).", 0, S_(cp_sd_min)),

    DBL("turnout", "cleared_window_min", 0, 0, INF, 0, "15", NULL, "minutes", NULL,
        "turnout.csv: a unit dispatched within this time of clearing a call is `just_cleared`.",
        0, S_(cleared_window_min)),

    DBL("staffing", "absence_probability", 0, 0, 1, 0, "0", NULL, NULL, NULL,
        "Probability that an officer is absent for a shift.", 0, S_(absence_p)),
    DBL("staffing", "patrol_speed_factor", 0, 1, 1, 0, "0.5", NULL, NULL, NULL,
        "Patrol speed as a share of the mode's speed.", 0, S_(patrol_speed_factor)),
    DBL("staffing", "visit_min", 0, 1, INF, 0, "30", NULL, "minutes", NULL,
        "Mean length of a community visit (exponential).", 0, S_(visit_min)),
    DBL("staffing", "community_share", 0, 0, 1, 0, "0.8", NULL, NULL, NULL,
        "Share of a `community` unit's idle time spent in the community.", 0,
        S_(community_share)),

    WORD("incidents", "source", w_source, "poisson",
         "Where incidents come from (docs/incident-streams.md).", S_(source)),
    DBL("incidents", "rate_per_day", 0, 1, INF, 0, NULL, "required, except for `replay`",
        "per day", NULL,
        "Mean incidents per day in the whole area (`nhpp`: the base rate; `replay`: used "
        "rows per day of data).", 0, S_(rate_per_day)),
    INT("incidents", "max_spawn_depth", 0, 1000, "5", "generations",
        "consequences.csv: spawned incidents spawn again up to this generation.",
        S_(max_spawn_depth)),
    WORD("incidents", "location", w_location, "grid_weight",
         "A grid by `weight` then a point in it, a point over the grids' bounding box, or a "
         "demand point of `points` by weight.", S_(location)),
    FILE_("incidents", "points", NULL, "none",
          "CSV id,x,y,weight[,grid] of demand points (km): where `location = points` puts "
          "incidents, and what `patrolsim coverage` measures.", 0, S_(points_file)),
    TIME("incidents", "start", "replay: midnight of its first row's day; else 2024-01-01T00:00",
         "Local calendar time of t = 0; a replay skips rows before it.", S_(start_ms)),
    FILE_("incidents", "grid_weights", NULL, "none",
          "CSV grid,weight replacing the grids' weights.", 0, ST(grid_weights_file)),
    FILE_("incidents", "type_mix", NULL, "none",
          "CSV type,share[,service,mean_min,sd_min] replacing the types' shares.", 0,
          ST(type_mix_file)),

    FILE_("replay", "file", NULL, "required with `source = replay`",
          "The CAD export to replay.", 0, RP(file)),
    WORD("replay", "time_format", w_tfmt, "iso8601", "How the time columns are written.",
         RP(tfmt)),
    { "replay", "utc_offset", SCN_KT_OFFSET, 0, 0, 0, 0, NULL, "Z", NULL, NULL,
      "a fixed UTC offset such as +08:00, -0500 or Z",
      "The fixed offset of local time (without `time_zone`).", 0, RP(utc_offset_min) },
    TEXT("replay", "time_zone", NULL, "none (the fixed `utc_offset`)",
         "a tz database name such as America/Los_Angeles",
         "Local time with daylight saving, from the system tz database "
         "(docs/incident-streams.md, Time zones).", 0, RP(time_zone)),
    WORD("replay", "service", w_service, "sample",
         "`data`: on-scene times from the file where it has them.", RP(service_data)),
    DBL("replay", "rollover_hours", 0, 0, 23.99, 0, "6", NULL, "hours", "hours",
        "`mdy_hm`: a time this much before received is on the next day.", 0,
        RP(rollover_h)),
    TIME("replay", "from", "open", "Replay only rows received at or after this.", RP(from_ms)),
    TIME("replay", "to", "open", "Replay only rows received before this.", RP(to_ms)),
    INT("replay", "reorder_window", 0, 1000000, "1000", "rows",
        "Rows held back to restore time order.", RP(reorder_window)),
    WORD("replay", "location", w_rploc, "grid", "How a row says where.", RP(loc)),
    FILE_("replay", "grid_map", NULL, "none (codes are grid ids)",
          "CSV code,grid mapping the file's codes to grids.", 0, RP(grid_map_file)),
    WORD("replay", "grid_place", w_place, "uniform",
         "`grid`: a uniform point in the grid, or its centroid.", RP(place)),
    WORD("replay", "outside", w_outside, "error", "A point in no grid.", RP(outside)),
    FILE_("replay", "type_map", NULL, "none (codes are type ids)",
          "CSV code,type mapping the file's call types to types.", 0, RP(type_map_file)),
    WORD("replay", "unmapped_type", w_unmapped, "error", "A type code not in the map.",
         RP(unmapped)),
    TEXT("replay", "default_type", NULL, "none", "an incident type id",
         "The type of rows without one (or unmapped, with `unmapped_type = default`).", 0,
         RP(default_type_id)),
    TEXT("replay", "filter_values", NULL, "none", "values separated by ';'",
         "With `filter_column`: the values kept, separated by `;`.", 0, HOOK(KH_FILTER)),
    RP_COLUMNS(COL_ROW)

    FILE_("nhpp", "profile", NULL, "required with `source = nhpp`",
          "CSV of hour-of-day x weekday factors.", 0, NH(profile_file)),
    FILE_("nhpp", "seasonal", NULL, "none", "CSV month,factor.", 0, NH(seasonal_file)),
    FILE_("nhpp", "hotspots", NULL, "none", "CSV of places incidents cluster around.", 0,
          NH(hotspots_file)),

    DBL("geo", "origin_lat", -89, 0, 89, 0, NULL, "none", "degrees", "degrees",
        "Latitude of the projection's origin (with `origin_lon`).", 0, ST(origin_lat)),
    DBL("geo", "origin_lon", -180, 0, 180, 0, NULL, "none", "degrees", "degrees",
        "Longitude of the projection's origin.", 0, ST(origin_lon)),
    TEXT("geo", "id_property", "id", NULL, "a GeoJSON property name",
         "GeoJSON property holding the grid id.", 0, ST(id_property)),
    TEXT("geo", "name_property", NULL, "none", "a GeoJSON property name",
         "GeoJSON property holding the grid name.", 0, ST(name_property)),
    TEXT("geo", "weight_property", NULL, "none", "a GeoJSON property name",
         "GeoJSON property holding the grid weight.", 0, ST(weight_property)),
};

const int scn_n_keys = (int)(sizeof scn_keys / sizeof scn_keys[0]);

int scn__key_index(const char *section, const char *name)
{
    int any = -1;
    for (int k = 0; k < scn_n_keys; k++) {
        if (strcmp(scn_keys[k].section, section) != 0)
            continue;
        if (scn_keys[k].flags & SCN_KF_ANY_NAME)
            any = k;
        else if (strcmp(scn_keys[k].name, name) == 0)
            return k;
    }
    return any;
}

const char *const *scn__sections(void)
{
    static const char *list[32];
    if (!list[0]) {
        int n = 0;
        for (int k = 0; k < scn_n_keys; k++)
            if (!n || strcmp(list[n - 1], scn_keys[k].section) != 0) {
                PS_ASSERT(n < 31);
                list[n++] = scn_keys[k].section;
            }
    }
    return list;
}

void *scn__key_field(struct scn *s, const struct scn_keydef *k)
{
    struct priv *pv = s->priv_;
    char *base = NULL;
    switch (k->impl->target) {
    case KT_SCN: base = (char *)s; break;
    case KT_RAW: base = (char *)&pv->raw; break;
    case KT_STREAMS: base = (char *)s->streams; break;
    case KT_RP: base = (char *)&s->streams->rp; break;
    case KT_NH: base = (char *)&s->streams->nh; break;
    }
    return base + k->impl->off;
}

void scn__join_words(char *buf, size_t n, const char *const *words, const char *last_sep)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; words[i]; i++) {
        const char *sep = i == 0 ? "" : words[i + 1] ? ", " : last_sep;
        int m = snprintf(buf + used, n - used, "%s%s", sep, words[i]);
        if (m < 0 || (size_t)m >= n - used)
            return;
        used += (size_t)m;
    }
}

static const char *const bool_words[] = { "true", "false", "yes", "no", "on", "off", "1", "0",
                                          NULL };

void scn__key_expect(const struct scn_keydef *k, char *buf, size_t n)
{
    struct range r = { k->lo, k->hi, k->lo_open, k->hi_open };
    switch (k->type) {
    case SCN_KT_INT:
        snprintf(buf, n, "%s in [%.15g, %.15g]", k->noun ? k->noun : "an integer", k->lo, k->hi);
        return;
    case SCN_KT_DOUBLE:
        scn__range_desc(buf, n, k->noun ? k->noun : "a number", r);
        return;
    case SCN_KT_BOOL:
        scn__join_words(buf, n, bool_words, " or ");
        return;
    case SCN_KT_WORD:
        scn__join_words(buf, n, k->words, " or ");
        return;
    case SCN_KT_TIME:
        snprintf(buf, n, "a local date and time YYYY-MM-DD[THH:MM[:SS]] without offset");
        return;
    case SCN_KT_FILE:
        snprintf(buf, n, "%s", k->noun ? k->noun : "a file name");
        return;
    case SCN_KT_COLUMN:
        snprintf(buf, n, "%s", k->noun ? k->noun : "a column name of the file");
        return;
    case SCN_KT_U64:
    case SCN_KT_OFFSET:
    case SCN_KT_TEXT:
        snprintf(buf, n, "%s", k->noun ? k->noun : "text");
        return;
    }
}

int scn_key_value(const struct scn *cs, const char *section, const char *key, char *buf,
                  size_t n)
{
    struct scn *s = (struct scn *)cs;   /* read only: scn__key_field serves both */
    int ki = scn__key_index(section, key);
    if (ki < 0)
        return -1;
    const struct scn_keydef *k = &scn_keys[ki];
    buf[0] = '\0';
    if (k->impl->hook == KH_MODE) {
        for (int i = 0; i < s->n_modes; i++)
            if (strcmp(s->modes[i].name, key) == 0) {
                snprintf(buf, n, "%.15g", s->modes[i].speed_kmh);
                return 0;
            }
        return -1;
    }
    if (k->impl->hook == KH_FILTER) {
        const struct rp_cfg *rp = &s->streams->rp;
        size_t used = 0;
        for (int i = 0; i < rp->n_filter && used < n; i++) {
            int m = snprintf(buf + used, n - used, "%s%s", i ? "; " : "", rp->filter_values[i]);
            if (m < 0)
                break;
            used += (size_t)m;
        }
        return 0;
    }
    void *f = scn__key_field(s, k);
    switch (k->type) {
    case SCN_KT_TEXT:
    case SCN_KT_FILE:
    case SCN_KT_COLUMN: {
        const char *v = *(const char *const *)f;
        snprintf(buf, n, "%s", v ? v : "");
        return 0;
    }
    case SCN_KT_U64:
        snprintf(buf, n, "%" PRIu64, *(const uint64_t *)f);
        return 0;
    case SCN_KT_INT:
        snprintf(buf, n, "%d", *(const int *)f);
        return 0;
    case SCN_KT_DOUBLE:
        if (!scn__key_line(s, section, key) && !k->dflt)
            return 0;
        snprintf(buf, n, "%.17g", *(const double *)f);
        return 0;
    case SCN_KT_BOOL:
        snprintf(buf, n, "%s", *(const bool *)f ? "true" : "false");
        return 0;
    case SCN_KT_WORD:
        if (scn__word_store(k) == 1) {
            snprintf(buf, n, "%s", *(const char *const *)f);
        } else if (scn__word_store(k) == 2) {
            snprintf(buf, n, "%s", k->words[*(const bool *)f]);
        } else {
            int i = *(const int *)f;
            snprintf(buf, n, "%s", i >= 0 && k->words[i] ? k->words[i] : "?");
        }
        return 0;
    case SCN_KT_TIME: {
        int64_t t = *(const int64_t *)f;
        if (t != INT64_MIN && t != INT64_MAX && scn__key_line(s, section, key)) {
            char iso[TS_ISO_MAX];
            ts_format(t, 0, iso);
            snprintf(buf, n, "%s", iso);
        }
        return 0;
    }
    case SCN_KT_OFFSET: {
        int m = *(const int *)f, a = m < 0 ? -m : m;
        if (m == 0)
            snprintf(buf, n, "Z");
        else
            snprintf(buf, n, "%c%02d:%02d", m < 0 ? '-' : '+', a / 60, a % 60);
        return 0;
    }
    }
    return 0;
}

/* How words are stored: the word itself (policy, source), a bool
 * (service = data), or its index into an enum laid out in word order. */
int scn__word_store(const struct scn_keydef *k)
{
    if (k->words == w_policy || k->words == w_source)
        return 1;
    if (k->words == w_service)
        return 2;
    return 0;
}
