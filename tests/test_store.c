/* test_store.c - the SQLite result store: schema round trip, skipping stored
 * tasks, refusing changed inputs, order-independent exports, metric
 * selection, merging shard stores, and tasks surviving SIGKILL whole. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "res.h"
#include "store.h"
#include "tcheck.h"
#include "testutil.h"

#define T975_1 12.706204736174707   /* Student t, 0.975 quantile, 1 d.f. */

static char *dir;

static char *path_in(const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* A sweep of three points over (a.n, b.s); point 2's layout lacks
 * "queue_share" and lists its slots in another order, so exports keep only
 * the common slots, in point 0's order. */
struct fixture {
    struct res_layout L[3];
    const char *name[2];
    const char *val[3][2];
    const char *hash[3];
    const char *assign[3];
    const char *pk[2];
    const char *pv[3][2];
    struct store_point pt[3];
    struct store_sweep sw;
};

static void fixture_init(struct fixture *f, int reps)
{
    static const char *const hashes[3] = { "aaaa0000", "bbbb1111", "cccc2222" };
    *f = (struct fixture){ .name = { "a.n", "b.s" } };
    for (int i = 0; i < 3; i++) {
        res_layout_init(&f->L[i]);
        if (i < 2) {
            res_add(&f->L[i], "all", "response_mean_min", NULL);
            res_add(&f->L[i], "all", "queue_share", NULL);
            res_add(&f->L[i], "unit", "utilisation", "U,07");
            res_add(&f->L[i], "all", "balance", NULL);
        } else {
            res_add(&f->L[i], "all", "balance", NULL);
            res_add(&f->L[i], "unit", "utilisation", "U,07");
            res_add(&f->L[i], "all", "response_mean_min", NULL);
            res_add(&f->L[i], "unit", "utilisation", "U08");
        }
        f->val[i][0] = i == 0 ? "1" : i == 1 ? "2" : "3";
        f->val[i][1] = i == 1 ? "two words" : "x";
        f->hash[i] = hashes[i];
        f->assign[i] = i == 0 ? "a.n=1 b.s=x" : i == 1 ? "a.n=2 b.s=\"two words\"" : "a.n=3 b.s=x";
        f->pv[i][0] = "0.1.0";
        f->pv[i][1] = i == 1 ? "d41d8cd9" : "0cc175b9";
        f->pt[i] = (struct store_point){ f->assign[i], f->hash[i], 2, f->name, f->val[i], 2,
                                         f->pk, f->pv[i], &f->L[i] };
    }
    f->pk[0] = "version";
    f->pk[1] = "inputs[0].sha256";
    f->sw = (struct store_sweep){ "vary a.n=1,2,3\n", "toy", "0.1.0", reps, 3, f->pt };
}

static void fixture_release(struct fixture *f)
{
    for (int i = 0; i < 3; i++)
        res_layout_release(&f->L[i]);
}

/* High-entropy values, a pure function of (point, rep, slot); slot 1 of
 * point 0 rep 1 is undefined (NAN). */
static void task_row(int point, int rep, double *row)
{
    for (int j = 0; j < 4; j++)
        row[j] = 2.385 * (point + 1) + 0.731 * rep * rep + 1.17 * j - 0.0421 * point * rep;
    if (point == 0 && rep == 1)
        row[1] = NAN;
}

static void task_key(int point, int rep, char *key)
{
    sprintf(key, "key-%d-%d", point, rep);
}

static int put(struct store *s, int point, int rep)
{
    double row[4];
    char key[32];
    struct perr e;
    task_row(point, rep, row);
    task_key(point, rep, key);
    int rc = store_put(s, key, point, rep, 20200101u + (uint64_t)rep, row, &e);
    if (rc < 0)
        fprintf(stderr, "store_put: %s\n", e.msg);
    return rc;
}

static char *export_text(struct store *s, int per_rep, const char *metrics, struct perr *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    int rc = store_export(s, fp, per_rep, metrics, e);
    fclose(fp);
    if (rc < 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

static long query_long(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    long v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static char *query_text(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            v = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return v;
}

static void test_round_trip(void)
{
    char *path = path_in("rt.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 2);
    struct store *s = store_open(path, STORE_CREATE, &e);
    CHECK(s != NULL, "create store");
    CHECK(store_begin(s, &f.sw, 0, &e) == 0, "begin");
    for (int i = 0; i < 3; i++)
        for (int r = 0; r < 2; r++)
            CHECK(put(s, i, r) == 0, "put %d/%d", i, r);
    CHECK(put(s, 1, 1) == 0, "put again is a no-op");
    long stored, expected;
    CHECK(store_progress(s, &stored, &expected, &e) == 0, "progress");
    CHECK_INT(stored, 6);
    CHECK_INT(expected, 6);
    store_close(s);

    CHECK_INT(query_long(path, "PRAGMA application_id"), 0x5053494d);
    char *jm = query_text(path, "PRAGMA journal_mode");
    CHECK_STR(jm, "wal");
    free(jm);
    CHECK_INT(query_long(path, "SELECT count(*) FROM task"), 6);
    CHECK_INT(query_long(path, "SELECT count(*) FROM value"), 6 * 4);
    CHECK_INT(query_long(path, "SELECT count(*) FROM value WHERE value IS NULL"), 1);
    CHECK_INT(query_long(path, "SELECT count(*) FROM slot"), 5);
    CHECK_INT(query_long(path, "SELECT flags FROM slot WHERE metric = 'queue_share'"),
              RES_PROPORTION | RES_NONNEG);
    CHECK_INT(query_long(path, "SELECT seed FROM task WHERE key = 'key-2-1'"), 20200102);
    CHECK_INT(query_long(path, "SELECT count(*) FROM provenance"), 6);
    CHECK_INT(query_long(path, "SELECT reps FROM sweep"), 2);
    char *pa = query_text(path, "SELECT value FROM param WHERE point = 1 AND pos = 1");
    CHECK_STR(pa, "two words");
    free(pa);
    char *sp = query_text(path, "SELECT spec FROM sweep");
    CHECK_STR(sp, "vary a.n=1,2,3\n");
    free(sp);
    CHECK_INT(query_long(path, "SELECT count(*) FROM layout WHERE point = 2"), 4);

    /* The export, checked against values computed here. */
    s = store_open(path, 0, &e);
    CHECK(s != NULL, "reopen");
    char *csv = export_text(s, 0, NULL, &e);
    CHECK(csv != NULL, "export: %s", csv ? "" : e.msg);
    char want[4096];
    size_t used = 0;
    used += (size_t)snprintf(want + used, sizeof want - used,
                             "a.n,b.s,replications,response_mean_min.mean,"
                             "response_mean_min.ci95_low,response_mean_min.ci95_high,"
                             "\"unit.utilisation.U,07.mean\",\"unit.utilisation.U,07.ci95_low\","
                             "\"unit.utilisation.U,07.ci95_high\",balance.mean,"
                             "balance.ci95_low,balance.ci95_high\n");
    /* Row positions of the exported columns: point 2 orders its slots
     * differently, and the columns follow point 0. */
    static const int slot_of_col[3][3] = { { 0, 2, 3 }, { 0, 2, 3 }, { 2, 1, 0 } };
    static const unsigned flags[3] = { RES_NONNEG, RES_NONNEG, 0 };
    for (int i = 0; i < 3; i++) {
        used += (size_t)snprintf(want + used, sizeof want - used, "%s,%s,2", f.val[i][0],
                                 i == 1 ? "two words" : "x");
        for (int c = 0; c < 3; c++) {
            double r0[4], r1[4];
            task_row(i, 0, r0);
            task_row(i, 1, r1);
            int j = slot_of_col[i][c];
            double mean = (r0[j] + r1[j]) / 2, half = T975_1 * fabs(r1[j] - r0[j]) / 2;
            double lo = mean - half, hi = mean + half;
            if ((flags[c] & RES_NONNEG) && lo < 0)
                lo = 0;
            used += (size_t)snprintf(want + used, sizeof want - used, ",%.10g,%.10g,%.10g",
                                     mean, lo, hi);
        }
        used += (size_t)snprintf(want + used, sizeof want - used, "\n");
    }
    CHECK_STR(csv, want);
    free(csv);

    /* Per-replication rows; a NAN value is an empty field. */
    csv = export_text(s, 1, "queue_share,unit.utilisation.U\\,07", &e);
    CHECK(csv == NULL, "queue_share is not in every point");
    CHECK_HAS(e.msg, "--metrics: 'queue_share' is not a metric of every point");
    CHECK_HAS(e.msg, "response_mean_min, unit.utilisation.U,07, balance");
    csv = export_text(s, 1, "balance,all.response_mean_min", &e);
    CHECK(csv != NULL, "export reps: %s", csv ? "" : e.msg);
    double r[4];
    task_row(1, 1, r);
    char line[256];
    snprintf(line, sizeof line, "\n2,two words,1,%.10g,%.10g\n", r[3], r[0]);
    CHECK_HAS(csv, "a.n,b.s,rep,balance,response_mean_min\n");
    CHECK_HAS(csv, line);
    free(csv);
    csv = export_text(s, 1, "response_mean_min,unit.utilisation.U,07", &e);
    CHECK(csv == NULL, "a key with a comma cannot be named in a list");
    store_close(s);
    fixture_release(&f);
    free(path);
}

static void test_skip_and_extend(void)
{
    char *path = path_in("skip.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 2);
    struct store *s = store_open(path, STORE_CREATE, &e);
    CHECK(s && store_begin(s, &f.sw, 0, &e) == 0, "begin");
    put(s, 0, 0);
    put(s, 2, 1);
    store_close(s);

    s = store_open(path, 0, &e);
    CHECK(s && store_begin(s, &f.sw, 0, &e) == 0, "rerun with the same sweep");
    char key[32];
    int n_have = 0;
    for (int i = 0; i < 3; i++)
        for (int r = 0; r < 2; r++) {
            task_key(i, r, key);
            int h = store_has(s, key, &e);
            CHECK(h == ((i == 0 && r == 0) || (i == 2 && r == 1)), "has %s = %d", key, h);
            n_have += h;
        }
    CHECK_INT(n_have, 2);
    /* An incomplete store exports what it has; a point without tasks has
     * empty metric fields. */
    char *csv = export_text(s, 0, "balance", &e);
    CHECK_HAS(csv, "2,two words,0,,,\n");
    CHECK_HAS(csv, "\n1,x,1,");
    free(csv);

    /* More replications extend the stored ones; replications past the
     * sweep's count are not exported. */
    put(s, 0, 1);
    put(s, 0, 2);
    csv = export_text(s, 0, "balance", &e);
    CHECK_HAS(csv, "\n1,x,2,");
    free(csv);
    f.sw.reps = 3;
    CHECK(store_begin(s, &f.sw, 0, &e) == 0, "begin with 3 reps");
    csv = export_text(s, 0, "balance", &e);
    CHECK_HAS(csv, "\n1,x,3,");
    free(csv);
    long stored, expected;
    store_progress(s, &stored, &expected, &e);
    CHECK_INT(stored, 4);
    CHECK_INT(expected, 9);

    /* A new specification renumbers points: results follow the scenario
     * hash, not the index. */
    struct store_point two[2] = { f.pt[2], f.pt[0] };
    struct store_sweep sw2 = { "vary a.n=3,1\n", "toy", "0.1.0", 3, 2, two };
    CHECK(store_begin(s, &sw2, 0, &e) == 0, "begin a reordered sweep");
    csv = export_text(s, 1, "balance", &e);
    double r0[4], r1[4], r2[4], q1[4];
    task_row(0, 0, r0);
    task_row(0, 1, r1);
    task_row(0, 2, r2);
    task_row(2, 1, q1);
    char want[512];
    snprintf(want, sizeof want, "a.n,b.s,rep,balance\n3,x,1,%.10g\n1,x,0,%.10g\n1,x,1,%.10g\n"
             "1,x,2,%.10g\n", q1[0], r0[3], r1[3], r2[3]);
    CHECK_STR(csv, want);
    free(csv);
    store_close(s);
    fixture_release(&f);
    free(path);
}

static void test_changed_inputs(void)
{
    char *path = path_in("changed.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 2);
    struct store *s = store_open(path, STORE_CREATE, &e);
    CHECK(s && store_begin(s, &f.sw, 0, &e) == 0, "begin");
    for (int i = 0; i < 3; i++)
        for (int r = 0; r < 2; r++)
            put(s, i, r);

    /* Point 1's input file changed: same assignment, new scenario hash. */
    f.hash[1] = "dddd3333";
    f.pt[1].hash = f.hash[1];
    f.pv[1][1] = "feedbeef";
    CHECK(store_begin(s, &f.sw, 0, &e) < 0, "changed inputs refused");
    CHECK_HAS(e.msg, "changed.sqlite: the scenario changed (input files, overrides, seed or "
                     "horizon) since its results were computed: "
                     "point 1 (a.n=2 b.s=\"two words\") has 2 stored replications of scenario "
                     "bbbb1111, the same parameters now give scenario dddd3333 "
                     "('inputs[0].sha256' was 'd41d8cd9', now 'feedbeef'); 1 point with 2 "
                     "tasks in all. Use --force");
    /* The refusal changed nothing. */
    char key[32];
    task_key(1, 0, key);
    CHECK_INT(store_has(s, key, &e), 1);
    char *h = query_text(path, "SELECT hash FROM point WHERE idx = 1");
    CHECK_STR(h, "bbbb1111");
    free(h);

    CHECK(store_begin(s, &f.sw, 1, &e) == 0, "--force accepted");
    CHECK_INT(store_has(s, key, &e), 0);
    task_key(0, 1, key);
    CHECK_INT(store_has(s, key, &e), 1);
    store_close(s);
    CHECK_INT(query_long(path, "SELECT count(*) FROM task"), 4);
    CHECK_INT(query_long(path, "SELECT count(*) FROM value"), 16);
    CHECK_INT(query_long(path, "SELECT count(*) FROM provenance WHERE scenario = 'bbbb1111'"),
              0);
    fixture_release(&f);
    free(path);
}

static void test_order_independent(void)
{
    char *p1 = path_in("order1.sqlite"), *p2 = path_in("order2.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 5);
    struct store *a = store_open(p1, STORE_CREATE, &e), *b = store_open(p2, STORE_CREATE, &e);
    CHECK(a && b && store_begin(a, &f.sw, 0, &e) == 0 && store_begin(b, &f.sw, 0, &e) == 0,
          "two stores");
    int order[15];
    for (int t = 0; t < 15; t++)
        order[t] = t;
    srand(2385);
    for (int t = 14; t > 0; t--) {
        int j = rand() % (t + 1), tmp = order[t];
        order[t] = order[j];
        order[j] = tmp;
    }
    for (int t = 0; t < 15; t++) {
        put(a, t / 5, t % 5);
        put(b, order[t] / 5, order[t] % 5);
    }
    for (int per_rep = 0; per_rep < 2; per_rep++) {
        char *x = export_text(a, per_rep, NULL, &e), *y = export_text(b, per_rep, NULL, &e);
        CHECK(x && y && !strcmp(x, y), "export %s byte-identical for two insertion orders",
              per_rep ? "--export-reps" : "summary");
        free(x);
        free(y);
    }
    store_close(a);
    store_close(b);
    fixture_release(&f);
    free(p1);
    free(p2);
}

/* Shards merged: equal to the store that ran every task, even when a shard
 * numbers the slots differently; stores of another version or another
 * number of replications are refused. */
static void test_merge(void)
{
    char *pa = path_in("shard1.sqlite"), *pb = path_in("shard2.sqlite"),
         *pf = path_in("full.sqlite"), *pm = path_in("merged.sqlite"),
         *pv = path_in("v2.sqlite"), *pr = path_in("reps.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 5);
    struct store *a = store_open(pa, STORE_CREATE, &e), *b = store_open(pb, STORE_CREATE, &e),
                 *full = store_open(pf, STORE_CREATE, &e);
    /* b saw another sweep first: its slot ids differ from a's. */
    struct res_layout L2;
    res_layout_init(&L2);
    res_add(&L2, "unit", "utilisation", "U99");
    res_add(&L2, "all", "balance", NULL);
    struct store_point p2 = f.pt[0];
    p2.layout = &L2;
    struct store_sweep other = { "vary z=1\n", "toy", "0.1.0", 1, 1, &p2 };
    CHECK(a && b && full && store_begin(b, &other, 0, &e) == 0, "three stores");
    CHECK(store_begin(a, &f.sw, 0, &e) == 0 && store_begin(b, &f.sw, 0, &e) == 0 &&
          store_begin(full, &f.sw, 0, &e) == 0, "begin the same sweep in each");
    for (int t = 0; t < 15; t++) {
        put(t % 2 ? b : a, t / 5, t % 5);
        put(full, t / 5, t % 5);
    }
    CHECK(store_same_sweep(a, b, &e) == 0, "shards hold the same sweep");
    struct store *m = store_open(pm, STORE_CREATE, &e);
    long added = -1, stored = -1, expected = -1;   /* set: a failed call leaves them as they were */
    CHECK(m && store_merge(m, a, &added, &e) == 0, "merge shard 1: %s", e.msg);
    CHECK_INT(added, 8);
    CHECK(store_progress(m, &stored, &expected, &e) == 0 && stored == 8 && expected == 15,
          "after one shard: 8 of 15 stored (%ld of %ld)", stored, expected);
    CHECK(store_merge(m, b, &added, &e) == 0, "merge shard 2: %s", e.msg);
    CHECK_INT(added, 7);
    CHECK(store_merge(m, a, &added, &e) == 0 && added == 0, "merging shard 1 again adds nothing");
    for (int per_rep = 0; per_rep < 2; per_rep++) {
        char *x = export_text(m, per_rep, NULL, &e), *y = export_text(full, per_rep, NULL, &e);
        CHECK(x && y && !strcmp(x, y), "merged %s export equals the unsharded one",
              per_rep ? "per-replication" : "summary");
        free(x);
        free(y);
    }

    struct fixture g;
    fixture_init(&g, 5);
    g.sw.version = "0.1.1";
    struct store *v = store_open(pv, STORE_CREATE, &e);
    CHECK(v && store_begin(v, &g.sw, 0, &e) == 0, "a store of another version");
    CHECK(store_same_sweep(a, v, &e) < 0, "another program version refused");
    CHECK_HAS(e.msg, "by patrolsim 0.1.1: results of different program versions are not merged");
    CHECK(store_merge(m, v, &added, &e) < 0 && added == 0, "merge of another version refused");
    g.sw.version = "0.1.0";
    g.sw.reps = 4;
    struct store *r = store_open(pr, STORE_CREATE, &e);
    CHECK(r && store_begin(r, &g.sw, 0, &e) == 0, "a store with 4 replications");
    CHECK(store_same_sweep(a, r, &e) < 0, "other replications refused");
    CHECK_HAS(e.msg, "has 5 replications per point");
    g.sw.reps = 5;
    g.pt[1].hash = "bbbb9999";
    CHECK(store_begin(r, &g.sw, 1, &e) == 0, "a store whose point 1 has other inputs");
    CHECK(store_same_sweep(a, r, &e) < 0, "other scenario hashes refused");
    CHECK_HAS(e.msg, "point 1 is (a.n=2 b.s=\"two words\") of scenario bbbb1111 in one");
    CHECK(store_progress(m, &stored, &expected, &e) == 0 && stored == 15,
          "refusals left the merged store as it was (%ld stored)", stored);
    store_close(a);
    store_close(b);
    store_close(full);
    store_close(m);
    store_close(v);
    store_close(r);
    res_layout_release(&L2);
    fixture_release(&f);
    fixture_release(&g);
    free(pa);
    free(pb);
    free(pf);
    free(pm);
    free(pv);
    free(pr);
}

static void test_open_errors(void)
{
    struct perr e;
    char *p = path_in("none.sqlite");
    CHECK(store_open(p, 0, &e) == NULL, "missing store");
    CHECK_HAS(e.msg, "none.sqlite: cannot open result store: No such file or directory");
    free(p);
    tu_write(dir, "text.sqlite", "this is not a database, just some text that is long enough "
                                 "to be read as a header by SQLite\n");
    p = path_in("text.sqlite");
    CHECK(store_open(p, STORE_CREATE, &e) == NULL, "text file");
    CHECK_HAS(e.msg, "text.sqlite:");
    CHECK_HAS(e.msg, "not a database");
    free(p);
    p = path_in("other.sqlite");
    sqlite3 *db;
    sqlite3_open(p, &db);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(store_open(p, STORE_CREATE, &e) == NULL, "foreign database");
    CHECK_HAS(e.msg, "other.sqlite: not a patrolsim result store");
    free(p);
    p = path_in("fresh.sqlite");
    struct store *s = store_open(p, STORE_CREATE, &e);
    CHECK(s != NULL, "fresh store");
    char *csv = export_text(s, 0, NULL, &e);
    CHECK(csv == NULL, "export of an empty store fails");
    CHECK_HAS(e.msg, "fresh.sqlite: no sweep has been stored yet");
    store_close(s);
    free(p);
}

/* A child stores tasks as fast as it can and is killed with SIGKILL at a
 * random moment; every stored task must be complete and the database sound.
 * Repeated, each child resuming where the last one was killed. */
static void test_sigkill(void)
{
    char *path = path_in("kill.sqlite");
    struct perr e;
    struct fixture f;
    fixture_init(&f, 4000);
    struct store *s = store_open(path, STORE_CREATE, &e);
    CHECK(s && store_begin(s, &f.sw, 0, &e) == 0, "begin");
    store_close(s);
    srand((unsigned)time(NULL));
    long last = 0;
    int grew = 0;
    for (int round = 0; round < 6; round++) {
        int fd[2];
        if (pipe(fd) != 0)
            abort();
        pid_t pid = fork();
        if (pid == 0) {
            close(fd[0]);
            struct store *c = store_open(path, 0, &e);
            if (!c || store_begin(c, &f.sw, 0, &e) < 0)
                _exit(3);
            char key[32];
            for (int i = 0; i < 3; i++)
                for (int r = 0; r < 4000; r++) {
                    task_key(i, r, key);
                    if (store_has(c, key, &e) == 0) {
                        if (put(c, i, r) < 0)
                            _exit(4);
                        /* Reported only after the commit returned. */
                        if (write(fd[1], "+", 1) != 1)
                            _exit(5);
                    }
                }
            _exit(0);
        }
        close(fd[1]);
        usleep((useconds_t)(20000 + rand() % 60000));
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        long reported = 0;
        char buf[4096];
        ssize_t got;
        while ((got = read(fd[0], buf, sizeof buf)) > 0)
            reported += got;
        close(fd[0]);
        CHECK(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0),
              "child %d ended by SIGKILL or finished (status %d)", round, status);
        char *ic = query_text(path, "PRAGMA integrity_check");
        CHECK_STR(ic, "ok");
        free(ic);
        long n = query_long(path, "SELECT count(*) FROM task");
        long bad = query_long(path, "SELECT count(*) FROM task t WHERE (SELECT count(*) FROM "
                                    "value v WHERE v.task = t.id) != 4");
        CHECK_INT(bad, 0);
        CHECK(n - last >= reported, "round %d: %ld tasks stored, %ld before, %ld reported "
              "committed by the killed child", round, n, last, reported);
        grew += n > last;
        last = n;
    }
    CHECK(grew >= 3, "the store grew in %d of 6 killed runs", grew);
    fixture_release(&f);
    free(path);
}

int main(void)
{
    dir = tu_tmpdir();
    test_round_trip();
    test_skip_and_extend();
    test_changed_inputs();
    test_order_independent();
    test_open_errors();
    test_merge();
    test_sigkill();
    tu_rmrf(dir);
    free(dir);
    return tc_done();
}
