/* scn_priv.h - scenario-loader internals shared by the models/scn_*.c files
 * and the incident-stream files (streams.c, geojson.c).  Prefix scn__; not a
 * public surface.
 *
 * The loader is split by job:
 *   scn_arena.c    the arena every byte of a struct scn lives in, paths
 *   scn_num.c      the one number parser (INI keys and every CSV loader)
 *   scn_keys.c     the key table: every scenario.ini key, typed
 *   scn_ini.c      scenario.ini through inih, INI overrides, cross-key checks
 *   scn_keydoc.c   the generated key reference and `patrolsim keys`
 *   scn_ov.c       overrides of table cells and their scaling form
 *   scn_tab.c      the CSV table reader the loaders share, id indices
 *   scn_vocab.c    policing vocabulary: tiers, roles, classes
 *   scn_grids.c    grids.csv and polygons, overlaps, coverage
 *   scn_fac.c      facilities.csv
 *   scn_staff.c    shifts.csv and rosters.csv
 *   scn_units.c    units.csv (with its count expansion)
 *   scn_itypes.c   incident_types.csv and service_times.csv
 *   scn_runcards.c run_cards.csv
 *   scn_cad.c      call_processing, strength, workload, turnout, units_per_call
 *   scn_resolve.c  station and zone resolution across tables
 *   scn_check.c    semantic validation: errors, warnings, offered load
 *   scn_load.c     scn_load / scn_free, the inputs list
 */
#ifndef PATROLSIM_SCN_PRIV_H
#define PATROLSIM_SCN_PRIV_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "csvr.h"
#include "err.h"
#include "scn.h"

/* ---- arena (scn_arena.c) ------------------------------------------------- */

struct scn__blk;
struct arena {
    struct scn__blk *head;
};

void *scn__a_alloc(struct arena *a, size_t n);
void *scn__a_zalloc(struct arena *a, size_t n);
char *scn__a_strdup(struct arena *a, const char *s);
/* Makes room for element n (0-based) of an arena array of capacity *cap;
 * the abandoned copy stays in the arena until scn_free. */
void *scn__a_grow(struct arena *a, void *old, size_t elem, int n, int *cap);
void scn__a_release(struct arena *a);
/* dir/file unless file is absolute or dir empty, in the arena. */
char *scn__join_path(struct arena *a, const char *dir, const char *file);

/* Zeroed memory / a copy of str in the scenario's arena, freed by scn_free. */
void *scn__alloc(struct scn *s, size_t n);
char *scn__strdup(struct scn *s, const char *str);
/* file, relative to the scenario folder unless absolute, in the arena. */
char *scn__path(struct scn *s, const char *file);
/* Records a file the loader opened (scn_inputs); path is copied. */
void scn__input_add(struct scn *s, const char *path);

/* ---- numbers (scn_num.c) ------------------------------------------------- */

/* Plain decimal notation only ("inf", "nan", hex floats, "1,5" and units
 * are refused): 0, or -1 leaving *out alone. */
int scn__parse_double(const char *s, double *out);
int scn__parse_long(const char *s, long *out);

/* lo (exclusive if lo_open) .. hi (exclusive if hi_open); +-INFINITY for no
 * bound. */
struct range {
    double lo, hi;
    int lo_open, hi_open;
};
#define R_ANY ((struct range){ -INFINITY, INFINITY, 0, 0 })
#define R_POS ((struct range){ 0, INFINITY, 1, 0 })
#define R_NONNEG ((struct range){ 0, INFINITY, 0, 0 })

int scn__in_range(double v, struct range r);
/* "what > 0", "what in [0.5, 5]", ... */
void scn__range_desc(char *buf, size_t n, const char *what, struct range r);
/* -1 if str is valid UTF-8 without NUL bytes, else the offending byte. */
int scn__utf8_bad(const char *str);
/* A CSV field of a stream table as a number in [lo, hi]; the csvr_double
 * message on failure, with this parser. */
int scn__csv_double(const struct csvr *r, int col, const char *name, double lo,
                    double hi, double *out, struct perr *e);
int scn__csv_int(const struct csvr *r, int col, const char *name, long lo, long hi,
                 long *out, struct perr *e);

/* ---- the key table (scn_keys.c) ------------------------------------------ */

/* Where a key's value is stored. */
enum key_target { KT_SCN, KT_RAW, KT_STREAMS, KT_RP, KT_NH };
/* Keys whose storing needs more than the generic code. */
enum key_hook { KH_NONE, KH_MODE, KH_FILTER };

struct scn_keyimpl {
    enum key_target target;
    size_t off;             /* offsetof the field in the target */
    enum key_hook hook;
};

/* Values of scenario.ini kept as text for parsing after the file: table
 * file names and the tiered levels, which may come in any order. */
enum scn_table_id {
    TB_GRIDS, TB_FACILITIES, TB_UNITS, TB_ITYPES, TB_RUNCARDS, TB_SHIFTS, TB_ROSTERS,
    TB_SERVICE_TIMES, TB_CALL_PROCESSING, TB_STRENGTH, TB_WORKLOAD, TB_TURNOUT,
    TB_UNITS_PER_CALL, TB_CONSEQUENCES, TB_N
};
struct scn_raw {
    const char *table[TB_N];    /* [tables] values (defaults included) */
    const char *levels, *escalate;
};

/* The stored value of key k in s, for the generic code. */
void *scn__key_field(struct scn *s, const struct scn_keydef *k);
int scn__key_index(const char *section, const char *name);
/* A NULL-terminated list of the distinct sections, in table order. */
const char *const *scn__sections(void);
/* "a, b or c" of a word list into buf. */
void scn__join_words(char *buf, size_t n, const char *const *words, const char *last_sep);
/* How a word key is stored: 0 its index into an enum in word order, 1 the
 * word (char *), 2 a bool (index != 0). */
int scn__word_store(const struct scn_keydef *k);
/* What key k expects, for messages ("a number > 0", "euclidean or manhattan"). */
void scn__key_expect(const struct scn_keydef *k, char *buf, size_t n);

/* ---- private part of struct scn ------------------------------------------ */

struct idref {
    const char *id;
    int idx;
};

/* One units.csv row: its id, its crews s->units[first .. first + n). */
struct scn_urow {
    char *id;                                   /* first member: index_ids */
    int first, n;
    int line;
};

struct cellov;

struct priv {
    struct arena a;
    struct idref *grid_ix, *fac_ix, *unit_ix;   /* sorted by id */
    struct idref *urow_ix;                      /* units.csv rows by file id */
    struct scn_urow *urows;
    int n_urows;
    struct geo_poly *polys;                     /* grid polygons, contiguous */
    char **grid_station;                        /* grids.csv station ids as written */
    char **fac_zone;                            /* facilities.csv zone ids as written */
    struct scn_raw raw;
    int *kline;             /* per key: 0 unset, > 0 scenario.ini line, -1 override */
    char **inputs;          /* files read, in order */
    int n_inputs, inputs_cap;
    struct cellov *cells;   /* cell overrides */
    int n_cells, cells_cap;
    unsigned char tab_read[TB_N];               /* tables opened */
    int groups_cap, teams_cap, pgrid_cap;       /* units.csv groups, teams; police grids */
    char **warn, **note;    /* scn_check.c: warnings, notes (offered load) */
    int n_warn, warn_cap, n_note, note_cap;
};

/* The message prefix for a key set at line: "path:LINE: ", "override " or
 * "path: ". */
void scn__where(const struct scn *s, int line, char *buf, size_t n);
/* The line key (section, name) was set at (0: not set, -1: an override). */
int scn__key_line(const struct scn *s, const char *section, const char *name);

/* ---- loader state -------------------------------------------------------- */

struct ld {
    struct scn *s;
    struct priv *pv;
    struct arena *a;
    struct perr *e;
    const char *ini_path;
    int modes_cap;
    int gs_cap;
    int failed;             /* the INI handler stored an error */
    int fail_line;
};

/* ---- scenario.ini (scn_ini.c) -------------------------------------------- */

/* Applies the defaults, reads scenario.ini, applies the INI overrides and
 * classifies the others (scn_ov.c), then checks what needs several keys. */
int scn__load_ini(struct ld *L, const struct scn_override *ov, int n_ov);
/* Sets one key from the file (line > 0) or an override (line < 0). */
int scn__set_key(struct ld *L, const char *sec, const char *key, const char *val, int line);

/* ---- tables (scn_tab.c, scn_ov.c) ---------------------------------------- */

#define TAB_MAXCOL 24

/* A table the loaders read: its name (the section of its cell overrides and
 * its [tables] key), its default file, its columns and the column that
 * names a row (NULL: rows have no id and no cell overrides). */
struct tabdef {
    const char *name;
    enum scn_table_id id;
    const char *file;
    const char *const *cols;
    const char *const *required;
    const char *id_col;
};
extern const struct tabdef scn__tab_grids, scn__tab_facilities, scn__tab_units,
    scn__tab_itypes, scn__tab_runcards, scn__tab_shifts, scn__tab_rosters,
    scn__tab_service_times, scn__tab_call_processing, scn__tab_strength, scn__tab_workload,
    scn__tab_turnout, scn__tab_units_per_call, scn__tab_consequences;
extern const struct tabdef *const scn__tabdefs[TB_N];

/* One cell override: table.ROW.COLUMN=value (scale: value "*f"). */
struct cellov {
    const char *sec, *key, *val;    /* as given */
    const struct tabdef *tab;
    const char *row;
    int col;                        /* index into tab->cols */
    int scaled;
    double factor;                  /* when scaled */
    int matched, consumed;
};

#define TAB_SHOW_IDS 8

struct tab {
    struct ld *L;
    struct csvr *r;
    const struct tabdef *def;
    const char *path;
    const char *const *names;   /* known columns, NULL-terminated */
    int col[TAB_MAXCOL];
    int header_line;
    int idk;                    /* index of the id column in names, -1 none */
    int nrows;
    struct cellov *cur[TAB_MAXCOL]; /* overrides of the current row's cells */
    char ids[TAB_SHOW_IDS][48];     /* the first row ids, for messages */
    int n_ids;
};

int scn__tab_open(struct ld *L, struct tab *t, const struct tabdef *def, const char *path);
void scn__tab_close(struct tab *t);
/* Next data row: 1, 0 at the end (an error if there were no rows, or if a
 * cell override named no row of the table), -1. */
int scn__tab_next(struct tab *t);
/* Column k of the current row, a cell override included. */
const char *scn__tab_str(const struct tab *t, int k);
/* The override of column k of the current row, or NULL. */
struct cellov *scn__tab_ov(const struct tab *t, int k);
int scn__tab_err(const struct tab *t, int k, const char *fmt, ...) ERR_PRINTF(3, 4);
int scn__tab_err_at(const struct tab *t, int line, int k, const char *fmt, ...)
    ERR_PRINTF(4, 5);
int scn__tab_id(const struct tab *t, int k, char **out);
/* A number in r; an empty field gives *dflt, or is an error if dflt is NULL.
 * A scaling override multiplies the file's value (or the default). */
int scn__tab_num(const struct tab *t, int k, struct range r, const double *dflt,
                 double *out);
/* An integer in [lo, hi] (hi = INT32_MAX: no upper bound), as tab_num;
 * a scaled value is rounded to the nearest integer. */
int scn__tab_int(const struct tab *t, int k, long lo, long hi, const long *dflt, int *out);
/* Path of table tb: [tables] value (or its default), joined to the folder. */
const char *scn__table_path(struct ld *L, enum scn_table_id tb);
/* Path of an optional table: NULL when absent (or named empty). */
const char *scn__optional_table(struct ld *L, enum scn_table_id tb);

int scn__ix_find(const struct idref *ix, int n, const char *id);
/* Sorts ids of n rows (first member `char *id`, rows `stride` bytes apart,
 * `int line` at line_off) and rejects duplicates, naming the earliest row
 * that repeats an id. */
struct idref *scn__index_ids(const struct tab *t, int k_id, const void *rows, int n,
                             size_t stride, size_t line_off);

/* Classifies override ov (not an INI section): a cell override is recorded,
 * anything else is an error.  0, or -1 with e set. */
int scn__ov_cell(struct ld *L, const struct scn_override *ov);
/* After every table: cell overrides of tables never read are errors. */
int scn__ov_check_unused(struct ld *L);
/* "override SEC.KEY=VAL" of a cell override, for messages. */
void scn__ov_name(const struct cellov *c, char *buf, size_t n);

/* ---- vocabulary (scn_vocab.c) -------------------------------------------- */

#define ROLE_LIST "grid_car, post_car, station_duty, community, case_team, special or grid_worker"
extern const char *const scn__class_words[CLS_N];
int scn__role_find(const char *w, size_t len);
/* The tier a facilities.csv word names (English in any case, or Chinese),
 * or -1. */
int scn__tier_find(const char *w);
int scn__is_sep(char c);
/* Roles separated by spaces, ',' or ';' into a mask; on an unknown word
 * returns -1 with the word in bad. */
int scn__parse_roles(const char *s, unsigned *mask, char *bad, size_t nbad);

/* ---- the table loaders --------------------------------------------------- */

int scn__load_grids(struct ld *L);
int scn__load_facilities(struct ld *L);
int scn__load_shifts(struct ld *L);
int scn__load_rosters(struct ld *L);
int scn__load_units(struct ld *L);
int scn__load_itypes(struct ld *L);
int scn__load_service_times(struct ld *L);
int scn__load_runcards(struct ld *L);
/* The [travel] inputs and s->trv (scn_travel.c), after every table. */
int scn__load_travel(struct ld *L);
/* The optional CAD tables (scn_cad.c): call processing, strength, workload,
 * turnout, units per call. */
int scn__load_cad(struct ld *L);
/* consequences.csv (optional; models/spawn.c). */
int scn__load_consequences(struct ld *L);
/* Keys of another travel model than the chosen one (scn_check.c). */
void scn__travel_warnings(struct ld *L, void (*warn)(struct ld *, const char *));
int scn__resolve_police(struct ld *L);
/* Semantic validation after everything loaded (scn_check.c): the first
 * error, or 0 with the warnings and notes collected. */
int scn__check(struct ld *L);

/* ---- incident streams (streams.c, geojson.c) ----------------------------- */

/* The stream configuration, created with the defaults the key table does
 * not state (open from/to windows, no default type). */
struct inc_streams *scn__streams_new(struct scn *s);
/* Whether the grid table at path is GeoJSON (by its extension). */
int scn__is_geojson(const char *path);
/* Reads the grids from a GeoJSON FeatureCollection into s->grids and
 * s->n_grids (polygons in km, projected as [geo] says); fixes s->proj.
 * Grid "line" numbers are feature numbers (1-based). */
int scn__geojson_grids(struct scn *s, const char *path, struct perr *e);
/* After every table: stream tables, cross-checks and the replay pass. */
int scn__streams_finish(struct scn *s, struct perr *e);
/* [incidents] points (scn_points.c), called by scn__streams_finish. */
int scn__load_points(struct scn *s, struct perr *e);

#endif
