/* test_keys.c - the key table, row by row: every key's default is what a
 * loaded scenario reports, an override of every key round-trips, a value
 * out of range (or outside the vocabulary) fails naming the key and what
 * was expected, and the reference in docs/scenario-format.md is the one
 * scn_keys_markdown prints.
 *
 * Run from the repository root.  `bin/test_keys --update-docs` rewrites the
 * marked block of docs/scenario-format.md from the table; when the block is
 * stale the test also writes the expected block next to the binary
 * (keys-reference.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"

#define DOC "docs/scenario-format.md"
#define BEGIN "<!-- keys:begin -->\n"
#define END "<!-- keys:end -->"

/* A small scenario every key can be tried on: one rectangle grid (so
 * location = area is covered), the tables a few file keys point at. */
static char *make_scenario(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini", "[scenario]\nname = keys\n[modes]\ncar = 30\n"
                                "[incidents]\nrate_per_day = 12.5\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\ng1,0,0,2.5,1.5\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nst1,station,1,1\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nu1,st1,g1,car\n");
    tu_write(d, "incident_types.csv", "id,priority,share,service,mean_min,target_min\n"
                                      "theft,1,1,exponential,30,15\n");
    tu_write(d, "gw.csv", "grid,weight\ng1,2\n");
    tu_write(d, "tm.csv", "type,share\ntheft,3\n");
    tu_write(d, "pts.csv", "id,x,y,weight\np1,1.25,0.75,2.5\n");
    tu_write(d, "mx.csv", "from,to,minutes\nst1,g1,3.385\ng1,st1,3.5\ng1,g1,1.25\n");
    tu_write(d, "sb.csv", "hour_from,hour_to,factor\n7,9.5,0.6\n");
    tu_write(d, "rn.csv", "id,x,y\na,1,1\nb,2,1.25\n");
    tu_write(d, "re.csv", "from,to,class\na,b,main\n");
    tu_write(d, "rc.csv", "class,speed_factor\nmain,1.2\n");
    tu_write(d, "rg.geojson", "{\"type\": \"FeatureCollection\", \"features\": [{\"type\": "
             "\"Feature\", \"properties\": {}, \"geometry\": {\"type\": \"LineString\", "
             "\"coordinates\": [[120.0104, 30.009], [120.0155, 30.0095], [120.0207, 30.009]]}}]}");
    char prof[2048] = "hour,factor\n";
    for (int h = 0; h < 24; h++)
        snprintf(prof + strlen(prof), sizeof prof - strlen(prof), "%d,1\n", h);
    tu_write(d, "profile.csv", prof);
    return d;
}

static int is_number_type(enum scn_ktype t)
{
    return t == SCN_KT_INT || t == SCN_KT_DOUBLE;
}

/* Same value as text a file could say: numbers compared as numbers. */
static int same_value(const struct scn_keydef *k, const char *got, const char *want)
{
    if (is_number_type(k->type) && *got && *want)
        return fabs(strtod(got, NULL) - strtod(want, NULL)) <= 1e-12 * fabs(strtod(want, NULL));
    if (k->type == SCN_KT_BOOL) {
        int g = !strcmp(got, "true"), w = !strcmp(want, "true") || !strcmp(want, "yes") ||
                                            !strcmp(want, "on") || !strcmp(want, "1");
        return g == w;
    }
    return strcmp(got, want) == 0;
}

static void test_table(void)
{
    CHECK(scn_n_keys >= 78, "the table has every key (%d)", scn_n_keys);
    for (int i = 0; i < scn_n_keys; i++) {
        const struct scn_keydef *k = &scn_keys[i];
        CHECK(k->section && k->name && k->doc && *k->doc, "key %d has section, name, doc", i);
        CHECK(k->type != SCN_KT_WORD || (k->words && k->words[0] && k->words[1]),
              "[%s] %s: a word key has a vocabulary", k->section, k->name);
        CHECK(!(k->flags & SCN_KF_REQUIRED) || !k->dflt, "[%s] %s: required keys have no "
              "default", k->section, k->name);
        for (int j = 0; j < i; j++)
            if (!strcmp(scn_keys[j].section, k->section) && !strcmp(scn_keys[j].name, k->name))
                CHECK(0, "[%s] %s is declared twice", k->section, k->name);
    }
}

static void test_defaults(const char *dir)
{
    struct perr e = { "" };
    struct scn *s = scn_load(dir, NULL, 0, &e);
    CHECK(s != NULL, "the key scenario loads (%s)", e.msg);
    if (!s)
        return;
    char buf[256];
    for (int i = 0; i < scn_n_keys; i++) {
        const struct scn_keydef *k = &scn_keys[i];
        if (k->flags & (SCN_KF_ANY_NAME | SCN_KF_REQUIRED))
            continue;
        if (!strcmp(k->section, "incidents") && !strcmp(k->name, "rate_per_day"))
            continue;           /* required for this source; set by the file */
        int rc = scn_key_value(s, k->section, k->name, buf, sizeof buf);
        CHECK(rc == 0, "[%s] %s has a value", k->section, k->name);
        const char *want = k->dflt ? k->dflt : "";
        CHECK(same_value(k, buf, want), "[%s] %s defaults to '%s' (got '%s')", k->section,
              k->name, want, buf);
    }
    CHECK(scn_key_value(s, "run", "nope", buf, sizeof buf) == -1, "unknown key: -1");
    CHECK(scn_key_value(s, "modes", "car", buf, sizeof buf) == 0 && !strcmp(buf, "30"),
          "[modes] car reads back 30 (%s)", buf);
    scn_free(s);
}

/* A valid value for key k other than its default, and the overrides it
 * needs to load. */
static const char *good_value(const struct scn_keydef *k, char *buf, size_t n,
                              struct scn_override *extra, int *n_extra)
{
    *n_extra = 0;
    const char *sec = k->section, *nm = k->name;
    if (!strcmp(sec, "geo") && (!strcmp(nm, "origin_lat") || !strcmp(nm, "origin_lon")))
        extra[(*n_extra)++] = (struct scn_override){ "geo", nm[8] == 'a' ? "origin_lon"
                                                                         : "origin_lat", "12.5" };
    if (!strcmp(sec, "dispatch") && !strcmp(nm, "escalate_min")) {
        extra[(*n_extra)++] = (struct scn_override){ "dispatch", "levels",
                                                     "grid_car | special" };
        return "7.25";
    }
    if (!strcmp(sec, "dispatch") && !strcmp(nm, "levels"))
        return "grid_car post_car | special";
    if (!strcmp(sec, "replay") && !strcmp(nm, "filter_values"))
        return "field; patrol";
    if (!strcmp(sec, "incidents") && !strcmp(nm, "source")) {
        extra[(*n_extra)++] = (struct scn_override){ "nhpp", "profile", "profile.csv" };
        return "nhpp";
    }
    if (!strcmp(sec, "incidents") && !strcmp(nm, "grid_weights"))
        return "gw.csv";
    /* [travel]: a file of the model that reads it, and that model. */
    static const struct { const char *key, *file, *model; } tk[] = {
        { "model", "road", NULL }, { "matrix", "mx.csv", "matrix" },
        { "road_nodes", "rn.csv", "road" }, { "road_edges", "re.csv", "road" },
        { "road_classes", "rc.csv", "road" }, { "speed_bands", "sb.csv", NULL },
    };
    for (size_t i = 0; !strcmp(sec, "travel") && i < sizeof tk / sizeof *tk; i++) {
        if (strcmp(nm, tk[i].key))
            continue;
        if (tk[i].model)
            extra[(*n_extra)++] = (struct scn_override){ "travel", "model", tk[i].model };
        if (!strcmp(tk[i].key, "model") || !strcmp(tk[i].key, "road_classes") ||
            !strcmp(tk[i].key, "road_edges"))
            extra[(*n_extra)++] = (struct scn_override){ "travel", "road_nodes", "rn.csv" };
        if (!strcmp(tk[i].key, "model") || !strcmp(tk[i].key, "road_classes") ||
            !strcmp(tk[i].key, "road_nodes"))
            extra[(*n_extra)++] = (struct scn_override){ "travel", "road_edges", "re.csv" };
        return tk[i].file;
    }
    if (!strcmp(sec, "travel") && !strcmp(nm, "road_geojson")) {
        extra[(*n_extra)++] = (struct scn_override){ "travel", "model", "road" };
        extra[(*n_extra)++] = (struct scn_override){ "geo", "origin_lat", "30" };
        extra[(*n_extra)++] = (struct scn_override){ "geo", "origin_lon", "120" };
        return "rg.geojson";
    }
    if (!strcmp(sec, "incidents") && !strcmp(nm, "type_mix"))
        return "tm.csv";
    if (!strcmp(sec, "incidents") && !strcmp(nm, "points"))
        return "pts.csv";
    switch (k->type) {
    case SCN_KT_TEXT:
    case SCN_KT_COLUMN:
        return "Köln_2";
    case SCN_KT_FILE:
        if (k->flags & SCN_KF_EMPTY_OK)
            return "";
        if (!strcmp(sec, "tables")) {
            snprintf(buf, n, "./%s", k->dflt);
            return buf;
        }
        return "other.csv";     /* stored only: not read by a poisson source */
    case SCN_KT_U64:
        return "18446744073709551615";
    case SCN_KT_INT:
        snprintf(buf, n, "%.15g", k->dflt && atof(k->dflt) == k->hi ? k->lo : k->hi);
        return buf;
    case SCN_KT_DOUBLE: {
        double v;
        if (isfinite(k->lo) && isfinite(k->hi))
            v = k->lo + 0.385 * (k->hi - k->lo);
        else if (isfinite(k->lo))
            v = k->lo + 2.385;
        else
            v = k->hi - 2.385;
        snprintf(buf, n, "%.15g", v);
        return buf;
    }
    case SCN_KT_BOOL:
        return k->dflt && !strcmp(k->dflt, "true") ? "false" : "true";
    case SCN_KT_WORD:
        return k->dflt && !strcmp(k->dflt, k->words[0]) ? k->words[1] : k->words[0];
    case SCN_KT_TIME:
        return "2023-05-06T07:08:09";
    case SCN_KT_OFFSET:
        return "+08:00";
    }
    return "";
}

static void test_overrides(const char *dir)
{
    for (int i = 0; i < scn_n_keys; i++) {
        const struct scn_keydef *k = &scn_keys[i];
        if (k->flags & SCN_KF_ANY_NAME)
            continue;
        char buf[64], got[256];
        struct scn_override ov[4];
        int n_extra;
        const char *v = good_value(k, buf, sizeof buf, ov + 1, &n_extra);
        ov[0] = (struct scn_override){ k->section, k->name, v };
        struct perr e = { "" };
        struct scn *s = scn_load(dir, ov, 1 + n_extra, &e);
        CHECK(s != NULL, "override [%s] %s=%s loads (%s)", k->section, k->name, v, e.msg);
        if (!s)
            continue;
        scn_key_value(s, k->section, k->name, got, sizeof got);
        CHECK(same_value(k, got, v), "[%s] %s: override '%s' reads back (got '%s')",
              k->section, k->name, v, got);
        scn_free(s);
    }
    struct scn_override m = { "modes", "ebike", "17.385" };
    struct perr e = { "" };
    struct scn *s = scn_load(dir, &m, 1, &e);
    char got[64] = "";
    if (s)
        scn_key_value(s, "modes", "ebike", got, sizeof got);
    CHECK(s && !strcmp(got, "17.385"), "a [modes] override adds a mode (%s)", got);
    scn_free(s);
}

/* A value outside what key k accepts, and text the message must hold. */
static const char *bad_value(const struct scn_keydef *k, char *buf, size_t n, char *want,
                             size_t nw)
{
    switch (k->type) {
    case SCN_KT_INT:
        snprintf(buf, n, "%.15g", k->hi + 1);
        snprintf(want, nw, "expected an integer in [%.15g, %.15g], got '%s'", k->lo, k->hi,
                 buf);
        return buf;
    case SCN_KT_DOUBLE:
        if (isfinite(k->hi))
            snprintf(buf, n, "%.15g", k->hi + (k->hi_open ? 0 : 1));
        else
            snprintf(buf, n, "%.15g", k->lo - (k->lo_open ? 0 : 1));
        /* The message names the violated bound. */
        snprintf(want, nw, "%.15g", isfinite(k->hi) ? k->hi : k->lo);
        return buf;
    case SCN_KT_WORD: {
        size_t used = 0;
        for (int i = 0; k->words[i]; i++)
            used += (size_t)snprintf(want + used, nw - used, "%s%s", i == 0 ? "expected " :
                                     k->words[i + 1] ? ", " : " or ", k->words[i]);
        snprintf(want + used, nw - used, ", got 'nonsense'");
        return "nonsense";
    }
    case SCN_KT_BOOL:
        snprintf(want, nw, "expected true, false, yes, no, on, off, 1 or 0, got 'maybe'");
        return "maybe";
    case SCN_KT_U64:
        snprintf(want, nw, "expected an unsigned 64-bit integer, got '18446744073709551616'");
        return "18446744073709551616";
    case SCN_KT_TIME:
        snprintf(want, nw, "without offset, got '2023-02-29T07:00'");
        return "2023-02-29T07:00";
    case SCN_KT_OFFSET:
        snprintf(want, nw, "expected a fixed UTC offset");
        return "+25:00";
    case SCN_KT_TEXT:
    case SCN_KT_FILE:
    case SCN_KT_COLUMN:
        if (k->flags & SCN_KF_EMPTY_OK)
            return NULL;
        snprintf(want, nw, ", got ''");
        return "";
    }
    return NULL;
}

static void test_bad_values(const char *dir)
{
    for (int i = 0; i < scn_n_keys; i++) {
        const struct scn_keydef *k = &scn_keys[i];
        char buf[64], want[512], head[160];
        const char *v = bad_value(k, buf, sizeof buf, want, sizeof want);
        if (!v)
            continue;
        const char *key = (k->flags & SCN_KF_ANY_NAME) ? "car" : k->name;
        struct scn_override ov = { k->section, key, v };
        struct perr e = { "" };
        struct scn *s = scn_load(dir, &ov, 1, &e);
        CHECK(s == NULL, "[%s] %s = '%s' is refused", k->section, key, v);
        scn_free(s);
        snprintf(head, sizeof head, "override [%s] %s: ", k->section, key);
        CHECK_HAS(e.msg, head);
        CHECK_HAS(e.msg, want);
    }
}

static void test_scaling(const char *dir)
{
    const struct scn_override ov[] = {
        { "incidents", "rate_per_day", "*1.2" },
        { "modes", "car", "*0.5" },
        { "run", "replications", "*1.05" },     /* 10 x 1.05 = 10.5: rounds to 11 */
        { "run", "replications", "*1.05" },     /* of the value so far: 11.55 -> 12 */
    };
    struct perr e = { "" };
    struct scn *s = scn_load(dir, ov, 4, &e);
    CHECK(s != NULL, "scaling overrides load (%s)", e.msg);
    if (s) {
        CHECK_NEAR(s->rate_per_day, 12.5 * 1.2, 1e-12);
        CHECK_NEAR(s->modes[0].speed_kmh, 15, 0);
        CHECK_INT(s->reps, 12);
        scn_free(s);
    }
    static const struct {
        struct scn_override ov;
        const char *msg;
    } bad[] = {
        { { "run", "replications", "*0.01" },
          "override [run] replications: expected an integer in [1, 100000], got '0' (from "
          "'*0.01')" },
        { { "run", "seed", "*2" }, "override [run] seed: '*2': only numeric keys can be scaled" },
        { { "travel", "circuity", "*x" },
          "override [travel] circuity: expected '*' and a number (a factor), got '*x'" },
        { { "dispatch", "call_processing_sd_min", "*2" },
          "override [dispatch] call_processing_sd_min: '*2' scales the scenario's value, but "
          "it sets none and the key has no default" },
        { { "modes", "bike", "*2" }, "override [modes] bike: '*2' scales a mode, but the "
          "scenario has no mode 'bike'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct perr e2 = { "" };
        s = scn_load(dir, &bad[i].ov, 1, &e2);
        CHECK(s == NULL, "bad scaling %zu fails", i);
        scn_free(s);
        CHECK_HAS(e2.msg, bad[i].msg);
    }
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = 0, cap = 65536;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap)
            buf = xrealloc(buf, cap *= 2);
    }
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static char *generated(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    scn_keys_markdown(m);
    fclose(m);
    return text;
}

/* The docs file's marked block: [*b, *e) of doc, or -1. */
static int block(const char *doc, const char **b, const char **e)
{
    const char *p = strstr(doc, BEGIN), *q = p ? strstr(p, END) : NULL;
    if (!p || !q)
        return -1;
    *b = p + strlen(BEGIN);
    *e = q;
    return 0;
}

static int update_docs(void)
{
    char *doc = read_file(DOC), *gen = generated();
    const char *b, *e;
    if (!doc || block(doc, &b, &e) < 0) {
        fprintf(stderr, "%s: no %s ... %s block\n", DOC, BEGIN, END);
        return 1;
    }
    FILE *f = fopen(DOC ".tmp", "wb");
    int ok = f && fwrite(doc, 1, (size_t)(b - doc), f) == (size_t)(b - doc) &&
             fputs(gen, f) >= 0 && fputs(e, f) >= 0;
    ok = f && fclose(f) == 0 && ok && rename(DOC ".tmp", DOC) == 0;
    fprintf(stderr, ok ? "%s: key reference rewritten\n" : "%s: cannot rewrite\n", DOC);
    free(doc);
    free(gen);
    return !ok;
}

static void test_docs(const char *argv0)
{
    char *doc = read_file(DOC), *gen = generated();
    const char *b, *e;
    CHECK(doc != NULL, "%s is readable", DOC);
    int found = doc && block(doc, &b, &e) == 0;
    CHECK(found, "%s has the %s ... %s block", DOC, "<!-- keys:begin -->", END);
    if (found) {
        int same = (size_t)(e - b) == strlen(gen) && memcmp(b, gen, strlen(gen)) == 0;
        CHECK(same, "the key reference in %s is the one the key table gives", DOC);
        if (!same) {
            char path[1024];
            const char *slash = strrchr(argv0, '/');
            snprintf(path, sizeof path, "%.*skeys-reference.md",
                     slash ? (int)(slash - argv0 + 1) : 0, argv0);
            FILE *f = fopen(path, "w");
            if (f) {
                fputs(gen, f);
                fclose(f);
            }
            fprintf(stderr, "expected block written to %s; run `%s --update-docs` to "
                    "rewrite %s\n", path, argv0, DOC);
        }
    }
    /* Every key appears in the reference, under its section. */
    for (int i = 0; i < scn_n_keys; i++) {
        char name[128];
        snprintf(name, sizeof name, "| `%s` |", scn_keys[i].name);
        CHECK(strstr(gen, name) != NULL, "the reference lists [%s] %s", scn_keys[i].section,
              scn_keys[i].name);
    }
    free(doc);
    free(gen);
}

/* scn_cmd_keys with stdout and stderr captured into a file; returns its
 * exit code. */
static int run_keys_cmd(int argc, char **argv, const char *out)
{
    fflush(stdout);
    fflush(stderr);
    int s1 = dup(1), s2 = dup(2), fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (s1 < 0 || s2 < 0 || fd < 0)
        return -100;
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
    int rc = scn_cmd_keys(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(s1, 1);
    dup2(s2, 2);
    close(s1);
    close(s2);
    return rc;
}

static void test_cmd(const char *dir)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/keys.out", dir);
    char *help[] = { "keys", "--help", NULL }, *md[] = { "keys", "--markdown", NULL },
         *plain[] = { "keys", NULL }, *bad[] = { "keys", "--bogus", NULL };
    CHECK_INT(run_keys_cmd(2, help, out), EXIT_OK);
    char *text = read_file(out);
    CHECK(text && strstr(text, "usage: patrolsim keys [--markdown]"), "keys --help prints usage");
    free(text);
    CHECK_INT(run_keys_cmd(2, md, out), EXIT_OK);
    char *gen = generated();
    text = read_file(out);
    CHECK(text && !strcmp(text, gen), "keys --markdown prints the reference");
    free(text);
    free(gen);
    CHECK_INT(run_keys_cmd(1, plain, out), EXIT_OK);
    text = read_file(out);
    CHECK(text && strstr(text, "[replay]\n") && strstr(text, "  received_column "),
          "keys lists every section and key");
    free(text);
    CHECK_INT(run_keys_cmd(2, bad, out), EXIT_USAGE);
    text = read_file(out);
    CHECK(text && strstr(text, "unknown option '--bogus'"), "a bad option is named");
    free(text);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "--update-docs"))
        return update_docs();
    char *dir = make_scenario();
    test_table();
    test_defaults(dir);
    test_overrides(dir);
    test_bad_values(dir);
    test_scaling(dir);
    test_docs(argv[0]);
    test_cmd(dir);
    tu_rmrf(dir);
    free(dir);
    return tc_done();
}
