/* cmd_blockade.c - `patrolsim blockade`: seal a set of points (exits of a
 * district, roads out of a city) as fast as possible, one unit per point.
 *
 * Every unit of the scenario counts as available and starts from its base
 * in its own mode (rosters and shifts are ignored: a blockade is an order
 * to everyone).  Times are free-flow travel times of the scenario's travel
 * model.  The assignment minimises the time at which the last point is
 * sealed (a bottleneck assignment, sim/assign.c), and among the
 * assignments with that sealing time the one with the smallest total
 * travel, so no unit drives further than the sealing time forces it to.
 *
 * The points file is a CSV with a header.  A point is a road node, by a
 * column named `node` or `node_id` (the road model's node ids), or a place
 * by columns `x` and `y` (km).  A column `id` names it (default: its node
 * id, else its row number).  Other columns are ignored, and --where
 * COLUMN=VALUE keeps only rows whose COLUMN equals VALUE, so the CUMCM
 * exits.csv serves as it is (--where scope=A).
 *
 * Cost: O(units x points) travel queries and the assignment's
 * O(E sqrt(V) log E).
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "assign.h"
#include "csvr.h"
#include "outf.h"
#include "police.h"
#include "trv.h"

static const char help[] =
"usage: patrolsim blockade SCENARIO --points FILE [--where COL=VALUE] [--out DIR]\n"
"                          [--set S.K=V ...]\n"
"\n"
"Seals the points of FILE with SCENARIO's units, one unit per point, so that\n"
"the last point is sealed as early as possible (a bottleneck assignment on\n"
"free-flow travel times from each unit's base; among the optimal ones, the\n"
"smallest total travel).  Prints the assignment and the sealing time.\n"
"\n"
"  --points FILE      CSV with a header: node or node_id (road node ids), or\n"
"                     x and y (km); optional id; other columns are ignored\n"
"  --where COL=VALUE  use only the rows whose column COL is VALUE\n"
"  --out DIR          also write DIR/blockade.csv (point,x,y,unit,base,time_min)\n"
"  --set S.K=V        override a scenario key or cell, as for run\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad input.\n";

struct bpt {
    char *id;
    double x, y;           /* km */
};

static int find_col(const struct csvr *r, const char *name)
{
    for (size_t i = 0; i < csvr_nfields(r); i++)
        if (strcmp(csvr_field(r, i), name) == 0)
            return (int)i;
    return -1;
}

/* The road node with id, or -1. */
static int road_node(const struct trv *t, const char *id)
{
    int n = trv_road_nodes(t);
    for (int i = 0; i < n; i++)
        if (strcmp(trv_road_node_id(t, i), id) == 0)
            return i;
    return -1;
}

static int read_points(const struct scn *s, const char *path, const char *where,
                       struct bpt **out, int *n_out, struct perr *e)
{
    struct csvr *r = csvr_open(path, e);
    if (!r)
        return -1;
    int rc = -1, n = 0, cap = 0;
    struct bpt *p = NULL;
    if (csvr_next(r, e) <= 0) {
        if (!e->msg[0] || csvr_nfields(r) == 0)
            err_set(e, "%s: empty file; expected a header row", path);
        goto out;
    }
    int c_node = find_col(r, "node");
    if (c_node < 0)
        c_node = find_col(r, "node_id");
    int c_x = find_col(r, "x"), c_y = find_col(r, "y"), c_id = find_col(r, "id");
    const char *node_col = c_node >= 0 && find_col(r, "node") == c_node ? "node" : "node_id";
    int c_w = -1;
    const char *wval = NULL;
    char wcol[256] = "";
    if (where) {
        const char *eq = strchr(where, '=');
        size_t len = (size_t)(eq - where);
        memcpy(wcol, where, len);
        wcol[len] = '\0';
        wval = eq + 1;
        c_w = find_col(r, wcol);
        if (c_w < 0) {
            err_set(e, "%s:%ld: --where %s: no column '%s' in the header", path,
                    csvr_line(r), where, wcol);
            goto out;
        }
    }
    if (c_node < 0 && (c_x < 0 || c_y < 0)) {
        err_set(e, "%s:%ld: expected a column node or node_id (road node ids), or columns "
                "x and y (km)", path, csvr_line(r));
        goto out;
    }
    if (c_node >= 0 && s->trv->kind != TRV_KIND_ROAD) {
        err_set(e, "%s:%ld: column '%s' names road nodes, but %s has no road network "
                "([travel] model = road)", path, csvr_line(r), node_col, s->ini_path);
        goto out;
    }
    int row = 0, got;
    while ((got = csvr_next(r, e)) == 1) {
        row++;
        if (c_w >= 0 && strcmp(csvr_get(r, c_w), wval) != 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            p = xrealloc(p, (size_t)cap * sizeof *p);
        }
        struct bpt *q = &p[n];
        if (c_node >= 0) {
            const char *nid = csvr_get(r, c_node);
            int k = road_node(s->trv, nid);
            if (k < 0) {
                csvr_error(r, c_node, node_col, e, "unknown road node "
                           "'%s' (not in the scenario's road network)", nid);
                goto out;
            }
            trv_road_node_xy(s->trv, k, &q->x, &q->y);
            q->id = xstrdup(c_id >= 0 && *csvr_get(r, c_id) ? csvr_get(r, c_id) : nid);
        } else {
            if (csvr_double(r, c_x, "x", -HUGE_VAL, HUGE_VAL, &q->x, e) < 0 ||
                csvr_double(r, c_y, "y", -HUGE_VAL, HUGE_VAL, &q->y, e) < 0)
                goto out;
            char buf[32];
            snprintf(buf, sizeof buf, "row%d", row);
            q->id = xstrdup(c_id >= 0 && *csvr_get(r, c_id) ? csvr_get(r, c_id) : buf);
        }
        n++;
    }
    if (got < 0)
        goto out;
    if (n == 0) {
        err_set(e, "%s: no points%s%s", path, where ? " with " : "", where ? where : "");
        goto out;
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(p[i].id, p[j].id) == 0) {
                err_set(e, "%s: point '%s' is listed twice; each point needs its own unit",
                        path, p[i].id);
                goto out;
            }
    rc = 0;
out:
    csvr_close(r);
    if (rc < 0) {
        for (int i = 0; i < n; i++)
            free(p[i].id);
        free(p);
        n = 0;
        p = NULL;
    }
    *out = p;
    *n_out = n;
    return rc;
}

static int write_out(const struct scn *s, const struct bpt *p, int n, const int *unit_of,
                     const double *t, const char *dir, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    if (outf_set_dir(&o, dir, 0, e) < 0)
        return -1;
    FILE *fp = outf_open(&o, dir, "blockade.csv", e);
    if (!fp) {
        outf_abort(&o);
        return -1;
    }
    fputs("point,x,y,unit,base,time_min\n", fp);
    for (int i = 0; i < n; i++) {
        const struct scn_unit *u = &s->units[unit_of[i]];
        fprintf(fp, "%s,%.6g,%.6g,%s,%s,%.6f\n", p[i].id, p[i].x, p[i].y, u->id,
                s->facilities[u->base].id, t[(size_t)unit_of[i] * (size_t)n + (size_t)i]);
    }
    return outf_commit(&o, e);
}

int cmd_blockade(int argc, char **argv)
{
    static const struct option opts[] = {
        { "points", required_argument, 0, 'p' },
        { "where", required_argument, 0, 'w' },
        { "out", required_argument, 0, 'o' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out = NULL, *points = NULL, *where = NULL;
    int ch, rc = EXIT_USAGE;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p': points = optarg; break;
        case 'w': where = optarg; break;
        case 'o': out = optarg; break;
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim blockade --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1 || !points) {
        fputs("patrolsim blockade: expected SCENARIO and --points FILE; see 'patrolsim "
              "blockade --help'\n", stderr);
        goto done;
    }
    if (where && (!strchr(where, '=') || strchr(where, '=') == where ||
                  strchr(where, '=') - where >= 255)) {
        fprintf(stderr, "patrolsim blockade: --where: expected COLUMN=VALUE, got '%s'\n", where);
        goto done;
    }
    if (out && cli_check_out("blockade", out) < 0)
        goto done;
    struct scn *s = police_load(argv[optind], &ov);
    if (!s)
        goto done;
    struct perr e = { "" };
    struct bpt *p = NULL;
    int n = 0;
    double *t = NULL;
    int *unit_of = NULL;
    if (read_points(s, points, where, &p, &n, &e) < 0) {
        fprintf(stderr, "patrolsim blockade: %s\n", e.msg);
        goto out;
    }
    int m = s->n_units;
    t = xmalloc((size_t)m * (size_t)n * sizeof *t);
    for (int u = 0; u < m; u++) {
        const struct scn_unit *un = &s->units[u];
        const struct scn_facility *f = &s->facilities[un->base];
        for (int i = 0; i < n; i++)
            t[(size_t)u * (size_t)n + (size_t)i] =
                trv_time(s->trv, un->mode, f->x, f->y, p[i].x, p[i].y, NAN);
    }
    for (int i = 0; i < n; i++) {
        int any = 0;
        for (int u = 0; u < m && !any; u++)
            any = isfinite(t[(size_t)u * (size_t)n + (size_t)i]);
        if (!any && m > 0) {
            fprintf(stderr, "patrolsim blockade: %s: point '%s' cannot be reached by any unit "
                    "(no road path from any base)\n", points, p[i].id);
            goto out;
        }
    }
    unit_of = xmalloc((size_t)n * sizeof *unit_of);
    struct assign_result res;
    if (assign_bottleneck(t, m, n, ASSIGN_MIN_SUM, unit_of, &res, &e) < 0) {
        /* The assignment names points by index; say which. */
        if (res.unserved >= 0)
            fprintf(stderr, "patrolsim blockade: %s: %d points, %d units: point '%s' cannot get "
                    "a unit of its own (%s)\n", points, n, m, p[res.unserved].id, e.msg);
        else
            fprintf(stderr, "patrolsim blockade: %s: %d points, %s: %d units: %s\n", points, n,
                    s->dir, m, e.msg);
        goto out;
    }
    printf("blockade of %d point%s with %d units of %s\n", n, n == 1 ? "" : "s", m, s->name);
    printf("  %-10s %-14s %-10s %9s\n", "point", "unit", "base", "time_min");
    int last = -1;
    for (int i = 0; i < n; i++) {
        double ti = t[(size_t)unit_of[i] * (size_t)n + (size_t)i];
        const struct scn_unit *u = &s->units[unit_of[i]];
        printf("  %-10s %-14s %-10s %9.3f%s\n", p[i].id, u->id, s->facilities[u->base].id, ti,
               ti == res.bottleneck ? "  <- last" : "");
        if (ti == res.bottleneck && last < 0)
            last = i;
    }
    printf("sealing time: %.3f min (the last point sealed: %s); total travel %.3f min\n",
           res.bottleneck, p[last].id, res.sum);
    rc = EXIT_OK;
    if (out) {
        if (write_out(s, p, n, unit_of, t, out, &e) < 0) {
            fprintf(stderr, "patrolsim blockade: %s\n", e.msg);
            rc = EXIT_FAIL;
        } else {
            printf("wrote %s/blockade.csv\n", out);
        }
    }
out:
    for (int i = 0; i < n; i++)
        free(p[i].id);
    free(p);
    free(t);
    free(unit_of);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
