/* store.c - the SQLite result store (see store.h for the durability argument).
 *
 * Schema (user_version 1, application_id 'PSIM'):
 *
 *   sweep(id = 1, spec, model, version, reps, created, updated)
 *   point(idx, assign UNIQUE, hash)                  the current sweep's points
 *   param(point, pos, name, value)                   their assignments
 *   layout(point, pos, slot)                         their result slots, in order
 *   slot(id, section, metric, key, flags)            every slot name ever stored
 *   provenance(scenario, key, value)                 per resolved scenario
 *   task(id, key UNIQUE, scenario, point, rep, seed)
 *   value(task, slot, value)  WITHOUT ROWID          per-replication results
 *
 * A task is identified by its hex key (UNIQUE, what the caller looks up);
 * value rows refer to it by the integer id, because a model has hundreds of
 * slots (the police model about 640) and repeating a 64-byte key in each
 * row would make the store about five times larger.  The id is the rowid
 * alias, so VACUUM never renumbers it.
 *
 * Tasks and provenance hang off the scenario hash, not the point index, so
 * they stay valid when a new specification renumbers the points.  A NAN
 * value is stored as NULL.  Seeds are stored as the int64 with the same bits.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "outf.h"
#include "res.h"
#include "stats.h"
#include "store.h"

#define STORE_APP_ID 0x5053494d     /* "PSIM" */
#define STORE_SCHEMA 1

static const char schema[] =
    "CREATE TABLE sweep(id INTEGER PRIMARY KEY CHECK (id = 1), spec TEXT NOT NULL,"
    " model TEXT NOT NULL, version TEXT NOT NULL, reps INTEGER NOT NULL,"
    " created TEXT NOT NULL, updated TEXT NOT NULL);"
    "CREATE TABLE point(idx INTEGER PRIMARY KEY, assign TEXT NOT NULL UNIQUE,"
    " hash TEXT NOT NULL);"
    "CREATE TABLE param(point INTEGER NOT NULL REFERENCES point(idx) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (point, pos)) WITHOUT ROWID;"
    "CREATE TABLE slot(id INTEGER PRIMARY KEY, section TEXT NOT NULL, metric TEXT NOT NULL,"
    " key TEXT NOT NULL, flags INTEGER NOT NULL, UNIQUE (section, metric, key));"
    "CREATE TABLE layout(point INTEGER NOT NULL REFERENCES point(idx) ON DELETE CASCADE,"
    " pos INTEGER NOT NULL, slot INTEGER NOT NULL REFERENCES slot(id),"
    " PRIMARY KEY (point, pos)) WITHOUT ROWID;"
    "CREATE TABLE provenance(scenario TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
    " PRIMARY KEY (scenario, key)) WITHOUT ROWID;"
    "CREATE TABLE task(id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    " scenario TEXT NOT NULL, point INTEGER NOT NULL, rep INTEGER NOT NULL,"
    " seed INTEGER NOT NULL);"
    "CREATE INDEX task_scenario ON task(scenario, rep);"
    "CREATE TABLE value(task INTEGER NOT NULL REFERENCES task(id) ON DELETE CASCADE,"
    " slot INTEGER NOT NULL REFERENCES slot(id), value REAL,"
    " PRIMARY KEY (task, slot)) WITHOUT ROWID;";

struct pt {
    char *hash;
    size_t n;
    sqlite3_int64 *slot;   /* slot ids, in layout order */
};

struct store {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *st_has, *st_task, *st_value;
    int n_pts;
    struct pt *pts;        /* the sweep given to store_begin */
};

static int sq_fail(struct store *s, struct perr *e, const char *what)
{
    return err_set(e, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec(struct store *s, const char *sql, struct perr *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        err_set(e, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct perr *e)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
        return sq_fail(s, e, "prepare");
    return 0;
}

/* The single integer a pragma query returns. */
static int pragma_int(struct store *s, const char *sql, long *out, struct perr *e)
{
    sqlite3_stmt *st;
    if (prepare(s, sql, &st, e) < 0)
        return -1;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, e, "read header");
}

static void now_iso(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void free_pts(struct store *s)
{
    for (int i = 0; i < s->n_pts; i++) {
        free(s->pts[i].hash);
        free(s->pts[i].slot);
    }
    free(s->pts);
    s->pts = NULL;
    s->n_pts = 0;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->st_has);
    sqlite3_finalize(s->st_task);
    sqlite3_finalize(s->st_value);
    sqlite3_close(s->db);
    free_pts(s);
    free(s->path);
    free(s);
}

struct store *store_open(const char *path, int flags, struct perr *e)
{
    struct stat sb;
    if (!(flags & STORE_CREATE) && stat(path, &sb) != 0) {
        err_sys(e, "%s: cannot open result store", path);
        return NULL;
    }
    struct store *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    int oflags = SQLITE_OPEN_READWRITE | (flags & STORE_CREATE ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        if (s->db)
            sq_fail(s, e, "cannot open result store");
        else
            err_set(e, "%s: cannot open result store: out of memory", path);
        store_close(s);
        return NULL;
    }
    sqlite3_extended_result_codes(s->db, 1);
    /* Another process (a concurrent export, a second sweep on the same
     * store) may hold the write lock for one task's transaction. */
    sqlite3_busy_timeout(s->db, 10000);
    long app, ver, n_obj;
    if (pragma_int(s, "PRAGMA application_id", &app, e) < 0)
        goto fail;
    if (pragma_int(s, "SELECT count(*) FROM sqlite_schema", &n_obj, e) < 0)
        goto fail;
    if (pragma_int(s, "PRAGMA user_version", &ver, e) < 0)
        goto fail;
    if (app == 0 && n_obj == 0) {
        if (!(flags & STORE_CREATE)) {
            err_set(e, "%s: empty database, not a patrolsim result store", path);
            goto fail;
        }
        /* journal_mode must be set outside a transaction. */
        if (exec(s, "PRAGMA journal_mode=WAL", e) < 0 ||
            exec(s, "BEGIN IMMEDIATE", e) < 0 || exec(s, schema, e) < 0 ||
            exec(s, "PRAGMA application_id=1347635533; PRAGMA user_version=1; COMMIT", e) < 0)
            goto fail;
    } else if (app != STORE_APP_ID) {
        err_set(e, "%s: not a patrolsim result store (an SQLite database of another "
                "program)", path);
        goto fail;
    } else if (ver != STORE_SCHEMA) {
        err_set(e, "%s: result store schema %ld, this program reads schema %d", path, ver,
                STORE_SCHEMA);
        goto fail;
    }
    /* WAL + NORMAL: see store.h.  The journal mode is persistent, but a store
     * copied in from elsewhere may not be in WAL mode yet. */
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
             e) < 0)
        goto fail;
    if (prepare(s, "SELECT 1 FROM task WHERE key = ?1", &s->st_has, e) < 0 ||
        prepare(s, "INSERT OR IGNORE INTO task(key, scenario, point, rep, seed) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)", &s->st_task, e) < 0 ||
        prepare(s, "INSERT INTO value(task, slot, value) VALUES (?1, ?2, ?3)", &s->st_value,
                e) < 0)
        goto fail;
    return s;
fail:
    store_close(s);
    return NULL;
}

/* ---- beginning a sweep ----------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Describes how the provenance stored for scenario `old` differs from the
 * point's current one, into buf (at most three entries). */
static int prov_diff(struct store *s, const char *old, const struct store_point *p, char *buf,
                     size_t n, struct perr *e)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT key, value FROM provenance WHERE scenario = ?1", &st, e) < 0)
        return -1;
    sqlite3_bind_text(st, 1, old, -1, SQLITE_STATIC);
    int n_old = 0, rc;
    char **ok = NULL, **ov = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        ok = xrealloc(ok, (size_t)(n_old + 1) * sizeof *ok);
        ov = xrealloc(ov, (size_t)(n_old + 1) * sizeof *ov);
        ok[n_old] = xstrdup((const char *)sqlite3_column_text(st, 0));
        ov[n_old++] = xstrdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    size_t used = 0;
    int shown = 0;
    buf[0] = 0;
#define ADD(...) do { if (used < n) used += (size_t)snprintf(buf + used, n - used, __VA_ARGS__); } while (0)
    for (int i = 0; i < p->n_prov && shown < 3; i++) {
        int j = 0;
        while (j < n_old && strcmp(ok[j], p->prov_key[i]))
            j++;
        if (j == n_old) {
            ADD("%s'%s' is new", shown++ ? "; " : "", p->prov_key[i]);
        } else if (strcmp(ov[j], p->prov_value[i])) {
            ADD("%s'%s' was '%.70s', now '%.70s'", shown++ ? "; " : "", p->prov_key[i], ov[j],
                p->prov_value[i]);
        }
    }
    for (int j = 0; j < n_old && shown < 3; j++) {
        int i = 0;
        while (i < p->n_prov && strcmp(ok[j], p->prov_key[i]))
            i++;
        if (i == p->n_prov)
            ADD("%s'%s' is gone (was '%.70s')", shown++ ? "; " : "", ok[j], ov[j]);
    }
    if (!shown)
        ADD("no recorded provenance entry differs");
#undef ADD
    for (int j = 0; j < n_old; j++) {
        free(ok[j]);
        free(ov[j]);
    }
    free(ok);
    free(ov);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, e, "read provenance");
}

/* Slot id of (section, metric, key), inserting it if new. */
static int slot_id(struct store *s, sqlite3_stmt *get, sqlite3_stmt *add,
                   const struct res_slot *sl, sqlite3_int64 *id, struct perr *e)
{
    sqlite3_reset(get);
    sqlite3_bind_text(get, 1, sl->section, -1, SQLITE_STATIC);
    sqlite3_bind_text(get, 2, sl->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(get, 3, sl->key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(get);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(get, 0);
        return 0;
    }
    if (rc != SQLITE_DONE)
        return sq_fail(s, e, "read slots");
    sqlite3_reset(add);
    sqlite3_bind_text(add, 1, sl->section, -1, SQLITE_STATIC);
    sqlite3_bind_text(add, 2, sl->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(add, 3, sl->key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(add, 4, (sqlite3_int64)sl->flags);
    if (sqlite3_step(add) != SQLITE_DONE)
        return sq_fail(s, e, "store slots");
    *id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int step_done(struct store *s, sqlite3_stmt *st, const char *what, struct perr *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, e, what);
}

/* Finds stale points (same assignment, other hash, tasks still stored) and
 * either refuses or deletes their tasks. */
static int check_stale(struct store *s, const struct store_sweep *sw, int force, struct perr *e)
{
    sqlite3_stmt *old = NULL, *cnt = NULL, *del_t = NULL, *del_p = NULL;
    char **sorted = xmalloc((size_t)(sw->n_points ? sw->n_points : 1) * sizeof *sorted);
    for (int i = 0; i < sw->n_points; i++)
        sorted[i] = (char *)sw->point[i].hash;
    qsort(sorted, (size_t)sw->n_points, sizeof *sorted, cmp_str);
    int rc = -1, n_stale = 0, first = -1;
    long first_tasks = 0, all_tasks = 0;
    char *first_old = NULL;
    if (prepare(s, "SELECT hash FROM point WHERE assign = ?1", &old, e) < 0 ||
        prepare(s, "SELECT count(*) FROM task WHERE scenario = ?1", &cnt, e) < 0 ||
        prepare(s, "DELETE FROM task WHERE scenario = ?1", &del_t, e) < 0 ||
        prepare(s, "DELETE FROM provenance WHERE scenario = ?1", &del_p, e) < 0)
        goto done;
    for (int i = 0; i < sw->n_points; i++) {
        const struct store_point *p = &sw->point[i];
        sqlite3_reset(old);
        sqlite3_bind_text(old, 1, p->assign, -1, SQLITE_STATIC);
        int r = sqlite3_step(old);
        if (r == SQLITE_DONE)
            continue;
        if (r != SQLITE_ROW) {
            sq_fail(s, e, "read points");
            goto done;
        }
        const char *h = (const char *)sqlite3_column_text(old, 0);
        if (!strcmp(h, p->hash) || bsearch(&h, sorted, (size_t)sw->n_points, sizeof *sorted,
                                           cmp_str))
            continue;
        sqlite3_reset(cnt);
        sqlite3_bind_text(cnt, 1, h, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(cnt) != SQLITE_ROW) {
            sq_fail(s, e, "count tasks");
            goto done;
        }
        long n = (long)sqlite3_column_int64(cnt, 0);
        if (n == 0)
            continue;
        n_stale++;
        all_tasks += n;
        if (first < 0) {
            first = i;
            first_tasks = n;
            first_old = xstrdup(h);
        }
        if (force) {
            char *hc = xstrdup(h);
            sqlite3_bind_text(del_t, 1, hc, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(del_p, 1, hc, -1, SQLITE_TRANSIENT);
            free(hc);
            if (step_done(s, del_t, "delete stale tasks", e) < 0 ||
                step_done(s, del_p, "delete stale provenance", e) < 0)
                goto done;
        }
    }
    if (n_stale && !force) {
        const struct store_point *p = &sw->point[first];
        char diff[600];
        if (prov_diff(s, first_old, p, diff, sizeof diff, e) < 0)
            goto done;
        err_set(e, "%s: the scenario changed (input files, overrides, seed or horizon) since "
                "its results were computed: point %d (%s) has "
                "%ld stored replication%s of scenario %.12s, the same parameters now give "
                "scenario %.12s (%s); %d point%s with %ld task%s in all. Use --force to "
                "discard those results, or another output directory",
                s->path, first, p->assign, first_tasks, first_tasks == 1 ? "" : "s", first_old,
                p->hash, diff, n_stale, n_stale == 1 ? "" : "s", all_tasks,
                all_tasks == 1 ? "" : "s");
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(old);
    sqlite3_finalize(cnt);
    sqlite3_finalize(del_t);
    sqlite3_finalize(del_p);
    free(first_old);
    free(sorted);
    return rc;
}

int store_begin(struct store *s, const struct store_sweep *sw, int force, struct perr *e)
{
    sqlite3_stmt *sweep = NULL, *pt = NULL, *par = NULL, *prov_del = NULL, *prov = NULL,
                 *get = NULL, *add = NULL, *lay = NULL;
    char now[32];
    now_iso(now);
    free_pts(s);
    if (exec(s, "BEGIN IMMEDIATE", e) < 0)
        return -1;
    int rc = -1;
    if (check_stale(s, sw, force, e) < 0 || exec(s, "DELETE FROM point", e) < 0)
        goto done;
    if (prepare(s, "INSERT INTO sweep(id, spec, model, version, reps, created, updated) "
                   "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT(id) DO UPDATE SET "
                   "spec = ?1, model = ?2, version = ?3, reps = ?4, updated = ?5", &sweep, e) < 0 ||
        prepare(s, "INSERT INTO point(idx, assign, hash) VALUES (?1, ?2, ?3)", &pt, e) < 0 ||
        prepare(s, "INSERT INTO param(point, pos, name, value) VALUES (?1, ?2, ?3, ?4)", &par,
                e) < 0 ||
        prepare(s, "DELETE FROM provenance WHERE scenario = ?1", &prov_del, e) < 0 ||
        prepare(s, "INSERT OR REPLACE INTO provenance(scenario, key, value) VALUES (?1, ?2, ?3)",
                &prov, e) < 0 ||
        prepare(s, "SELECT id FROM slot WHERE section = ?1 AND metric = ?2 AND key = ?3", &get,
                e) < 0 ||
        prepare(s, "INSERT INTO slot(section, metric, key, flags) VALUES (?1, ?2, ?3, ?4)", &add,
                e) < 0 ||
        prepare(s, "INSERT INTO layout(point, pos, slot) VALUES (?1, ?2, ?3)", &lay, e) < 0)
        goto done;
    sqlite3_bind_text(sweep, 1, sw->spec, -1, SQLITE_STATIC);
    sqlite3_bind_text(sweep, 2, sw->model, -1, SQLITE_STATIC);
    sqlite3_bind_text(sweep, 3, sw->version, -1, SQLITE_STATIC);
    sqlite3_bind_int(sweep, 4, sw->reps);
    sqlite3_bind_text(sweep, 5, now, -1, SQLITE_STATIC);
    if (step_done(s, sweep, "store the sweep", e) < 0)
        goto done;
    s->pts = xcalloc((size_t)(sw->n_points ? sw->n_points : 1), sizeof *s->pts);
    s->n_pts = sw->n_points;
    for (int i = 0; i < sw->n_points; i++) {
        const struct store_point *p = &sw->point[i];
        struct pt *q = &s->pts[i];
        q->hash = xstrdup(p->hash);
        sqlite3_bind_int(pt, 1, i);
        sqlite3_bind_text(pt, 2, p->assign, -1, SQLITE_STATIC);
        sqlite3_bind_text(pt, 3, p->hash, -1, SQLITE_STATIC);
        if (step_done(s, pt, "store the points", e) < 0)
            goto done;
        for (int k = 0; k < p->n_params; k++) {
            sqlite3_bind_int(par, 1, i);
            sqlite3_bind_int(par, 2, k);
            sqlite3_bind_text(par, 3, p->name[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(par, 4, p->value[k], -1, SQLITE_STATIC);
            if (step_done(s, par, "store the parameters", e) < 0)
                goto done;
        }
        sqlite3_bind_text(prov_del, 1, p->hash, -1, SQLITE_STATIC);
        if (step_done(s, prov_del, "store provenance", e) < 0)
            goto done;
        for (int k = 0; k < p->n_prov; k++) {
            sqlite3_bind_text(prov, 1, p->hash, -1, SQLITE_STATIC);
            sqlite3_bind_text(prov, 2, p->prov_key[k], -1, SQLITE_STATIC);
            sqlite3_bind_text(prov, 3, p->prov_value[k], -1, SQLITE_STATIC);
            if (step_done(s, prov, "store provenance", e) < 0)
                goto done;
        }
        q->n = p->layout->n;
        q->slot = xmalloc((q->n ? q->n : 1) * sizeof *q->slot);
        for (size_t j = 0; j < q->n; j++) {
            if (slot_id(s, get, add, &p->layout->slot[j], &q->slot[j], e) < 0)
                goto done;
            sqlite3_bind_int(lay, 1, i);
            sqlite3_bind_int64(lay, 2, (sqlite3_int64)j);
            sqlite3_bind_int64(lay, 3, q->slot[j]);
            if (step_done(s, lay, "store the layout", e) < 0)
                goto done;
        }
    }
    rc = exec(s, "COMMIT", e);
done:
    sqlite3_finalize(sweep);
    sqlite3_finalize(pt);
    sqlite3_finalize(par);
    sqlite3_finalize(prov_del);
    sqlite3_finalize(prov);
    sqlite3_finalize(get);
    sqlite3_finalize(add);
    sqlite3_finalize(lay);
    if (rc < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        free_pts(s);
    }
    return rc;
}

/* ---- tasks ------------------------------------------------------------------ */

int store_has(struct store *s, const char *key, struct perr *e)
{
    sqlite3_reset(s->st_has);
    sqlite3_bind_text(s->st_has, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s->st_has);
    sqlite3_reset(s->st_has);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : sq_fail(s, e, "look up a task");
}

int store_put(struct store *s, const char *key, int point, int rep, uint64_t seed,
              const double *row, struct perr *e)
{
    PS_ASSERT(point >= 0 && point < s->n_pts);
    const struct pt *q = &s->pts[point];
    if (exec(s, "BEGIN IMMEDIATE", e) < 0)
        return -1;
    sqlite3_stmt *t = s->st_task, *v = s->st_value;
    sqlite3_reset(t);
    sqlite3_bind_text(t, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(t, 2, q->hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(t, 3, point);
    sqlite3_bind_int(t, 4, rep);
    sqlite3_bind_int64(t, 5, (sqlite3_int64)seed);
    if (step_done(s, t, "store a task", e) < 0)
        goto fail;
    /* Stored already (by an earlier run or another process): keep it. */
    if (sqlite3_changes(s->db) == 1) {
        sqlite3_bind_int64(v, 1, sqlite3_last_insert_rowid(s->db));
        for (size_t j = 0; j < q->n; j++) {
            sqlite3_bind_int64(v, 2, q->slot[j]);
            if (isnan(row[j]))
                sqlite3_bind_null(v, 3);
            else
                sqlite3_bind_double(v, 3, row[j]);
            if (step_done(s, v, "store a task's values", e) < 0)
                goto fail;
        }
    }
    if (exec(s, "COMMIT", e) < 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_progress(struct store *s, long *stored, long *expected, struct perr *e)
{
    sqlite3_stmt *st;
    if (prepare(s, "SELECT (SELECT count(*) FROM point p JOIN task t ON t.scenario = p.hash"
                   " AND t.rep >= 0 AND t.rep < w.reps), (SELECT count(*) FROM point) * w.reps"
                   " FROM sweep w", &st, e) < 0)
        return -1;
    int rc = sqlite3_step(st);
    *stored = *expected = 0;
    if (rc == SQLITE_ROW) {
        *stored = (long)sqlite3_column_int64(st, 0);
        *expected = (long)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(s, e, "count tasks");
}

/* ---- export ------------------------------------------------------------------- */

struct xslot {
    char *section, *metric, *key;
    unsigned flags;
};

struct xpoint {
    char *hash;
    int n_params;
    char **value;          /* parameter values, in position order */
    int n_slots;
    sqlite3_int64 *slot;
};

struct xport {
    int reps, n_points;
    struct xpoint *pt;
    int n_names;
    char **name;           /* parameter names (of point 0) */
    sqlite3_int64 max_slot;
    struct xslot *slot;    /* indexed by slot id */
};

static void xport_release(struct xport *x)
{
    for (int i = 0; i < x->n_points; i++) {
        struct xpoint *p = &x->pt[i];
        free(p->hash);
        for (int k = 0; k < p->n_params; k++)
            free(p->value[k]);
        free(p->value);
        free(p->slot);
    }
    free(x->pt);
    for (int k = 0; k < x->n_names; k++)
        free(x->name[k]);
    free(x->name);
    for (sqlite3_int64 i = 0; i <= x->max_slot && x->slot; i++) {
        free(x->slot[i].section);
        free(x->slot[i].metric);
        free(x->slot[i].key);
    }
    free(x->slot);
}

static char *col_dup(sqlite3_stmt *st, int c)
{
    const unsigned char *t = sqlite3_column_text(st, c);
    return xstrdup(t ? (const char *)t : "");
}

static int xport_load(struct store *s, struct xport *x, struct perr *e)
{
    sqlite3_stmt *st = NULL;
    int rc;
    *x = (struct xport){ 0 };
    if (prepare(s, "SELECT reps, (SELECT count(*) FROM point), (SELECT max(id) FROM slot) "
                   "FROM sweep", &st, e) < 0)
        return -1;
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? err_set(e, "%s: no sweep has been stored yet", s->path)
                                 : sq_fail(s, e, "read the sweep");
    }
    x->reps = sqlite3_column_int(st, 0);
    x->n_points = sqlite3_column_int(st, 1);
    x->max_slot = sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);
    if (x->n_points == 0)
        return err_set(e, "%s: the stored sweep has no points", s->path);
    x->pt = xcalloc((size_t)x->n_points, sizeof *x->pt);
    x->slot = xcalloc((size_t)x->max_slot + 1, sizeof *x->slot);

    if (prepare(s, "SELECT idx, hash FROM point ORDER BY idx", &st, e) < 0)
        return -1;
    int i = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && i < x->n_points) {
        /* Points are numbered 0..n-1 by store_begin. */
        if (sqlite3_column_int(st, 0) != i) {
            sqlite3_finalize(st);
            return err_set(e, "%s: point numbers are not 0..%d (damaged store?)", s->path,
                           x->n_points - 1);
        }
        x->pt[i++].hash = col_dup(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(s, e, "read points");

    if (prepare(s, "SELECT point, name, value FROM param ORDER BY point, pos", &st, e) < 0)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int p = sqlite3_column_int(st, 0);
        if (p < 0 || p >= x->n_points)
            continue;
        struct xpoint *q = &x->pt[p];
        q->value = xrealloc(q->value, (size_t)(q->n_params + 1) * sizeof *q->value);
        q->value[q->n_params++] = col_dup(st, 2);
        if (p == 0) {
            x->name = xrealloc(x->name, (size_t)(x->n_names + 1) * sizeof *x->name);
            x->name[x->n_names++] = col_dup(st, 1);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, e, "read parameters");
    for (i = 0; i < x->n_points; i++)
        if (x->pt[i].n_params != x->n_names)
            return err_set(e, "%s: point %d has %d parameters, point 0 has %d (damaged store?)",
                           s->path, i, x->pt[i].n_params, x->n_names);

    if (prepare(s, "SELECT id, section, metric, key, flags FROM slot", &st, e) < 0)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        struct xslot *sl = &x->slot[id];
        sl->section = col_dup(st, 1);
        sl->metric = col_dup(st, 2);
        sl->key = col_dup(st, 3);
        sl->flags = (unsigned)sqlite3_column_int(st, 4);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sq_fail(s, e, "read slots");

    if (prepare(s, "SELECT point, slot FROM layout ORDER BY point, pos", &st, e) < 0)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int p = sqlite3_column_int(st, 0);
        sqlite3_int64 id = sqlite3_column_int64(st, 1);
        if (p < 0 || p >= x->n_points || id < 1 || id > x->max_slot)
            continue;
        struct xpoint *q = &x->pt[p];
        q->slot = xrealloc(q->slot, (size_t)(q->n_slots + 1) * sizeof *q->slot);
        q->slot[q->n_slots++] = id;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sq_fail(s, e, "read layouts");
}

/* The name res_lookup parses back to the slot. */
static void slot_name(const struct xslot *sl, char *buf, size_t n)
{
    if (*sl->key)
        snprintf(buf, n, "%s.%s.%s", sl->section, sl->metric, sl->key);
    else if (!strcmp(sl->section, "all"))
        snprintf(buf, n, "%s", sl->metric);
    else
        snprintf(buf, n, "%s.%s", sl->section, sl->metric);
}

static void put_field(FILE *fp, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        fputs(v, fp);
        return;
    }
    fputc('"', fp);
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            fputc('"', fp);
        fputc(*p, fp);
    }
    fputc('"', fp);
}

static void put_num(FILE *fp, double v)
{
    if (!isnan(v))
        fprintf(fp, "%.10g", v);
}

/* The exported columns: slot ids of every point, in point 0's order, or the
 * selection.  Returns the count, -1 with e set. */
static int select_columns(struct store *s, const struct xport *x, const char *metrics,
                          sqlite3_int64 **cols, struct perr *e)
{
    int *count = xcalloc((size_t)x->max_slot + 1, sizeof *count);
    for (int i = 0; i < x->n_points; i++)
        for (int j = 0; j < x->pt[i].n_slots; j++)
            count[x->pt[i].slot[j]]++;
    const struct xpoint *p0 = &x->pt[0];
    sqlite3_int64 *common = xmalloc((size_t)(p0->n_slots + 1) * sizeof *common);
    int n = 0;
    for (int j = 0; j < p0->n_slots; j++)
        if (count[p0->slot[j]] == x->n_points)
            common[n++] = p0->slot[j];
    free(count);
    if (!metrics) {
        *cols = common;
        return n;
    }
    /* Resolve the names as every command does (res_lookup) against a layout
     * of the common slots. */
    struct res_layout L;
    res_layout_init(&L);
    for (int j = 0; j < n; j++) {
        const struct xslot *sl = &x->slot[common[j]];
        res_add(&L, sl->section, sl->metric, sl->key);
    }
    int m = 0, rc = 0;
    sqlite3_int64 *sel = NULL;
    char *list = xstrdup(metrics);
    for (char *tok = list, *next; tok && rc == 0; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = 0;
        while (*tok == ' ')
            tok++;
        long k = *tok ? res_lookup(&L, tok) : -1;
        if (k < 0) {
            char known[400];
            size_t used = 0;
            known[0] = 0;
            for (int j = 0; j < n && j < 12 && used < sizeof known; j++) {
                char nm[200];
                slot_name(&x->slot[common[j]], nm, sizeof nm);
                used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
                                         j ? ", " : "", nm);
            }
            rc = err_set(e, "%s: --metrics: '%s' is not a metric of every point (metrics are "
                         "named metric, section.metric or section.metric.key: %s%s)", s->path,
                         tok, known, n > 12 ? ", ..." : "");
            break;
        }
        sel = xrealloc(sel, (size_t)(m + 1) * sizeof *sel);
        sel[m++] = common[k];
    }
    free(list);
    res_layout_release(&L);
    free(common);
    if (rc < 0 || m == 0) {
        free(sel);
        return rc < 0 ? -1 : err_set(e, "%s: --metrics: no metric named", s->path);
    }
    *cols = sel;
    return m;
}

int store_export(struct store *s, FILE *fp, int per_rep, const char *metrics, struct perr *e)
{
    struct xport x;
    sqlite3_stmt *st = NULL;
    sqlite3_int64 *cols = NULL;
    int *col_of = NULL, *rep_no = NULL, rc = -1;
    double *val = NULL, *tmp = NULL;
    if (xport_load(s, &x, e) < 0)
        goto done;
    int nc = select_columns(s, &x, metrics, &cols, e);
    if (nc < 0)
        goto done;
    col_of = xmalloc(((size_t)x.max_slot + 1) * sizeof *col_of);
    for (sqlite3_int64 i = 0; i <= x.max_slot; i++)
        col_of[i] = -1;
    for (int j = 0; j < nc; j++)
        col_of[cols[j]] = j;
    if (prepare(s, "SELECT t.key, t.rep, v.slot, v.value FROM task t JOIN value v ON "
                   "v.task = t.id WHERE t.scenario = ?1 AND t.rep >= 0 AND t.rep < ?2 "
                   "ORDER BY t.rep, t.key", &st, e) < 0)
        goto done;

    for (int k = 0; k < x.n_names; k++) {
        put_field(fp, x.name[k]);
        fputc(',', fp);
    }
    fputs(per_rep ? "rep" : "replications", fp);
    for (int j = 0; j < nc; j++) {
        char nm[256];
        slot_name(&x.slot[cols[j]], nm, sizeof nm);
        if (per_rep) {
            fputc(',', fp);
            put_field(fp, nm);
            continue;
        }
        static const char *const suffix[] = { "mean", "ci95_low", "ci95_high" };
        for (int k = 0; k < 3; k++) {
            char h[300];
            snprintf(h, sizeof h, "%s.%s", nm, suffix[k]);
            fputc(',', fp);
            put_field(fp, h);
        }
    }
    fputc('\n', fp);

    size_t cap = (size_t)(x.reps > 0 ? x.reps : 1);
    val = xmalloc(cap * (size_t)(nc ? nc : 1) * sizeof *val);
    tmp = xmalloc(cap * sizeof *tmp);
    rep_no = xmalloc(cap * sizeof *rep_no);
    for (int i = 0; i < x.n_points; i++) {
        const struct xpoint *p = &x.pt[i];
        int n_reps = 0, r, skip = 0;
        char *cur_key = NULL;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, x.reps);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            int rep = sqlite3_column_int(st, 1);
            if (!cur_key || strcmp(cur_key, key)) {
                free(cur_key);
                cur_key = xstrdup(key);
                /* A second task for the same replication (another program
                 * version under the same scenario hash) is ignored: the
                 * first in key order is kept, whatever the storage order. */
                skip = n_reps && rep_no[n_reps - 1] == rep;
                if (skip)
                    continue;
                PS_ASSERT((size_t)n_reps < cap);
                rep_no[n_reps] = rep;
                for (int j = 0; j < nc; j++)
                    val[(size_t)n_reps * (size_t)nc + (size_t)j] = NAN;
                n_reps++;
            } else if (skip) {
                continue;
            }
            sqlite3_int64 id = sqlite3_column_int64(st, 2);
            int c = id >= 0 && id <= x.max_slot ? col_of[id] : -1;
            if (c >= 0 && sqlite3_column_type(st, 3) != SQLITE_NULL)
                val[(size_t)(n_reps - 1) * (size_t)nc + (size_t)c] = sqlite3_column_double(st, 3);
        }
        free(cur_key);
        if (r != SQLITE_DONE) {
            sq_fail(s, e, "read results");
            goto done;
        }
        for (int row = 0; row < (per_rep ? n_reps : 1); row++) {
            for (int k = 0; k < p->n_params; k++) {
                put_field(fp, p->value[k]);
                fputc(',', fp);
            }
            if (per_rep) {
                fprintf(fp, "%d", rep_no[row]);
                for (int j = 0; j < nc; j++) {
                    fputc(',', fp);
                    put_num(fp, val[(size_t)row * (size_t)nc + (size_t)j]);
                }
            } else {
                fprintf(fp, "%d", n_reps);
                for (int j = 0; j < nc; j++) {
                    double mean = NAN, half = NAN, lo, hi;
                    for (int q = 0; q < n_reps; q++)
                        tmp[q] = val[(size_t)q * (size_t)nc + (size_t)j];
                    if (n_reps)
                        stat_ci(tmp, (size_t)n_reps, 0.95, &mean, &half);
                    res_interval(x.slot[cols[j]].flags, mean, half, &lo, &hi);
                    fputc(',', fp);
                    put_num(fp, mean);
                    fputc(',', fp);
                    put_num(fp, lo);
                    fputc(',', fp);
                    put_num(fp, hi);
                }
            }
            fputc('\n', fp);
        }
    }
    rc = ferror(fp) ? err_sys(e, "write error") : 0;
done:
    sqlite3_finalize(st);
    xport_release(&x);
    free(cols);
    free(col_of);
    free(val);
    free(tmp);
    free(rep_no);
    return rc;
}

/* ---- the export folder --------------------------------------------------------- */

int store_export_dir(struct store *s, const char *dir, const char *metrics, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    FILE *a = outf_open(&o, dir, "sweep.csv", e);
    if (!a || store_export(s, a, 0, metrics, e) < 0)
        goto fail;
    FILE *b = outf_open(&o, dir, "replications.csv", e);
    if (!b || store_export(s, b, 1, metrics, e) < 0)
        goto fail;
    return outf_commit(&o, e);
fail:
    outf_abort(&o);
    return -1;
}

/* ---- merging shard stores -------------------------------------------------------- */

struct ident {
    char *spec, *model, *version;
    int reps, n;
    char **assign, **hash;
};

static void ident_release(struct ident *d)
{
    free(d->spec);
    free(d->model);
    free(d->version);
    for (int i = 0; i < d->n; i++) {
        free(d->assign[i]);
        free(d->hash[i]);
    }
    free(d->assign);
    free(d->hash);
    memset(d, 0, sizeof *d);
}

/* The sweep a store holds: 1, 0 when it holds none, -1 with e set. */
static int ident_load(struct store *s, struct ident *d, struct perr *e)
{
    sqlite3_stmt *st;
    memset(d, 0, sizeof *d);
    if (prepare(s, "SELECT spec, model, version, reps FROM sweep", &st, e) < 0)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        d->spec = col_dup(st, 0);
        d->model = col_dup(st, 1);
        d->version = col_dup(st, 2);
        d->reps = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW)
        return sq_fail(s, e, "read the sweep");
    if (prepare(s, "SELECT assign, hash FROM point ORDER BY idx", &st, e) < 0) {
        ident_release(d);
        return -1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        d->assign = xrealloc(d->assign, (size_t)(d->n + 1) * sizeof *d->assign);
        d->hash = xrealloc(d->hash, (size_t)(d->n + 1) * sizeof *d->hash);
        d->assign[d->n] = col_dup(st, 0);
        d->hash[d->n++] = col_dup(st, 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        ident_release(d);
        return sq_fail(s, e, "read points");
    }
    return 1;
}

/* The first line where two texts differ, for a message. */
static void first_diff(const char *a, const char *b, char *la, char *lb, size_t n)
{
    for (;;) {
        size_t ka = strcspn(a, "\n"), kb = strcspn(b, "\n");
        if (ka != kb || strncmp(a, b, ka) || (!a[ka] && !b[kb])) {
            snprintf(la, n, "%.*s", (int)ka, a);
            snprintf(lb, n, "%.*s", (int)kb, b);
            return;
        }
        a += ka + (a[ka] != 0);
        b += kb + (b[kb] != 0);
    }
}

int store_same_sweep(struct store *a, struct store *b, struct perr *e)
{
    struct ident x, y;
    int ra = ident_load(a, &x, e);
    if (ra < 0)
        return -1;
    int rb = ident_load(b, &y, e);
    if (rb < 0) {
        ident_release(&x);
        return -1;
    }
    int rc = -1;
    char la[200], lb[200];
    if (!ra || !rb) {
        err_set(e, "%s: no sweep has been stored yet", !ra ? a->path : b->path);
    } else if (strcmp(x.version, y.version)) {
        err_set(e, "%s was written by patrolsim %s, %s by patrolsim %s: results of different "
                "program versions are not merged (their task keys differ); rerun the shards "
                "with one version", a->path, x.version, b->path, y.version);
    } else if (strcmp(x.model, y.model)) {
        err_set(e, "%s holds a sweep of model '%s', %s of model '%s': not the same sweep",
                a->path, x.model, b->path, y.model);
    } else if (x.reps != y.reps) {
        err_set(e, "%s has %d replications per point, %s has %d: not the same sweep (give "
                "every shard the same --reps)", a->path, x.reps, b->path, y.reps);
    } else if (strcmp(x.spec, y.spec)) {
        first_diff(x.spec, y.spec, la, lb, sizeof la);
        err_set(e, "%s and %s hold different sweeps: the specification says '%s' in one and "
                "'%s' in the other", a->path, b->path, la, lb);
    } else if (x.n != y.n) {
        err_set(e, "%s has %d points, %s has %d: not the same sweep", a->path, x.n, b->path,
                y.n);
    } else {
        rc = 0;
        for (int i = 0; i < x.n && rc == 0; i++)
            if (strcmp(x.assign[i], y.assign[i]) || strcmp(x.hash[i], y.hash[i]))
                rc = err_set(e, "%s and %s: point %d is (%s) of scenario %.12s in one and "
                             "(%s) of scenario %.12s in the other: the shards ran on different "
                             "input files, overrides or seeds", a->path, b->path, i,
                             x.assign[i], x.hash[i], y.assign[i], y.hash[i]);
    }
    ident_release(&x);
    ident_release(&y);
    return rc;
}

/* The value rows of tasks copied from src are mapped to this store's slot
 * ids by name: two stores may number the same slot differently. */
static const char merge_meta[] =
    "INSERT INTO main.sweep SELECT * FROM src.sweep;"
    "INSERT INTO main.point SELECT * FROM src.point;"
    "INSERT INTO main.param SELECT * FROM src.param;";
static const char merge_slots[] =
    "INSERT OR IGNORE INTO main.slot(section, metric, key, flags)"
    " SELECT section, metric, key, flags FROM src.slot ORDER BY id;"
    "INSERT OR IGNORE INTO main.provenance SELECT * FROM src.provenance"
    " WHERE scenario IN (SELECT hash FROM main.point);";
static const char merge_layout[] =
    "INSERT INTO main.layout SELECT l.point, l.pos, m.id FROM src.layout l"
    " JOIN src.slot s ON s.id = l.slot"
    " JOIN main.slot m ON m.section = s.section AND m.metric = s.metric AND m.key = s.key;";
/* New tasks get this store's ids; the values follow them through integer
 * maps of task and slot ids (joining on text per value row would cost
 * several times more: a task has hundreds of values). */
static const char merge_tasks[] =
    "CREATE TEMP TABLE IF NOT EXISTS slotmap(src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
    "CREATE TEMP TABLE IF NOT EXISTS taskmap(src INTEGER PRIMARY KEY, dst INTEGER NOT NULL);"
    "DELETE FROM slotmap; DELETE FROM taskmap;"
    "INSERT INTO slotmap SELECT s.id, m.id FROM src.slot s JOIN main.slot m"
    " ON m.section = s.section AND m.metric = s.metric AND m.key = s.key;"
    "INSERT INTO main.task(key, scenario, point, rep, seed)"
    " SELECT key, scenario, point, rep, seed FROM src.task t"
    " WHERE t.scenario IN (SELECT hash FROM main.point)"
    " AND NOT EXISTS (SELECT 1 FROM main.task m WHERE m.key = t.key) ORDER BY t.id;";
static const char merge_values[] =
    "INSERT INTO taskmap SELECT st.id, mt.id FROM main.task mt JOIN src.task st"
    " ON st.key = mt.key WHERE mt.id > ?1;";
static const char merge_values2[] =
    "INSERT INTO main.value(task, slot, value) SELECT tm.dst, sm.dst, v.value"
    " FROM taskmap tm JOIN src.value v ON v.task = tm.src JOIN slotmap sm ON sm.src = v.slot;"
    "DELETE FROM slotmap; DELETE FROM taskmap;";

int store_merge(struct store *s, struct store *src, long *added, struct perr *e)
{
    struct ident d;
    *added = 0;
    int have = ident_load(s, &d, e);
    if (have < 0)
        return -1;
    ident_release(&d);
    if (have && store_same_sweep(s, src, e) < 0)
        return -1;
    sqlite3_stmt *st = NULL;
    if (prepare(s, "ATTACH ?1 AS src", &st, e) < 0)
        return -1;
    sqlite3_bind_text(st, 1, src->path, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        return sq_fail(s, e, "attach the store to merge");
    long before = 0;
    rc = -1;
    if (exec(s, "BEGIN IMMEDIATE", e) < 0)
        goto detach;
    if ((!have && exec(s, merge_meta, e) < 0) || exec(s, merge_slots, e) < 0 ||
        (!have && exec(s, merge_layout, e) < 0) ||
        pragma_int(s, "SELECT coalesce(max(id), 0) FROM main.task", &before, e) < 0 ||
        exec(s, merge_tasks, e) < 0)
        goto rollback;
    *added = (long)sqlite3_changes(s->db);
    if (prepare(s, merge_values, &st, e) < 0)
        goto rollback;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
    if (step_done(s, st, "copy the results", e) < 0 || exec(s, merge_values2, e) < 0 ||
        exec(s, "COMMIT", e) < 0)
        goto rollback;
    rc = 0;
    goto detach;
rollback:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    *added = 0;
detach:
    sqlite3_finalize(st);
    sqlite3_exec(s->db, "DETACH src", NULL, NULL, NULL);
    return rc;
}
