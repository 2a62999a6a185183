/* cmd_coverage.c - `patrolsim coverage`: which demand points no base reaches
 * within a target time, and how demand splits over the bases.
 *
 * Demand points are the scenario's [incidents] points (road junctions with
 * their incident rates), else the grid centroids weighted as incidents are
 * placed (grid weight, or area with location = area).  Bases are the
 * facilities at least one unit is based at; a base travels in the fastest
 * mode among its units.  Times come from the scenario's travel model
 * (s->trv: metric, matrix or road) at free flow, i.e. without congestion
 * bands: the question is the layout's reach, not a time of day.
 *
 * For each point: its nearest base by time (ties to the facility listed
 * first) and that time; covered when time <= target (with a relative
 * tolerance of 1e-9, so a path of exactly 3.0 km at 60 km/h summed from
 * rounded segment lengths is not lost to rounding).  A base's load is the
 * demand weight of the points for which it is nearest (its responsibility
 * area, the CUMCM 2011-B first question); min, max, mean and the population
 * standard deviation are over all bases, zero loads included.
 *
 * With --charts the output set also holds a map and a load chart, each a
 * self-contained gnuplot script and the SVG gnuplot made from it.
 *
 * Cost: O(points x bases) travel queries; 582 x 80 road lookups for the
 * CUMCM city take milliseconds.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "charts.h"
#include "csvr.h"
#include "outf.h"
#include "police.h"
#include "trv.h"

/* A demand point: a scenario point or a grid centroid (strings borrowed). */
struct cov_pt {
    const char *id;
    double x, y;           /* km */
    double weight;         /* demand, e.g. incidents per day */
};

/* Coverage of n points by the bases; arrays owned, cov_release frees them. */
struct cov {
    int n, n_bases;
    double target;         /* minutes */
    int *fac;              /* per base: facility index */
    int *nearest;          /* per point: base index, -1 none */
    double *time;          /* per point: minutes to the nearest base, INFINITY unreachable */
    double *load;          /* per base: demand for which it is nearest */
    int *npts;             /* per base: points for which it is nearest */
    double *maxt;          /* per base: longest time among its points, minutes */
    int covered, n_reached;
    double w_total, w_covered;
};

/* Within target, with a relative tolerance of 1e-9 against rounded paths. */
static inline int cov_is_covered(double t, double target)
{
    return t <= target * (1 + 1e-9);
}

static const char help[] =
"usage: patrolsim coverage SCENARIO [--target MIN] [--out DIR [--charts]]\n"
"                          [--set S.K=V ...]\n"
"\n"
"For every demand point of SCENARIO ([incidents] points, else the grid\n"
"centroids): the base nearest by travel time (free flow, the scenario's\n"
"travel model) and that time, whether it is within the target, and each\n"
"base's load (the demand for which it is nearest).  Prints\n"
"  covered: K of N points (P% of demand) within T min\n"
"then the points beyond the target and the load of every base.\n"
"\n"
"  --target MIN  the response target in minutes (default: the smallest\n"
"                target_min of the incident types)\n"
"  --out DIR     also write DIR/coverage.csv (point,x,y,weight,nearest,\n"
"                time_min,covered) and DIR/coverage_by_base.csv (base,load,\n"
"                load_share,points,max_time_min), replaced as one set\n"
"  --charts      with --out: also coverage_map.svg (roads, bases, the points\n"
"                beyond the target in red) and coverage_load.svg (load per\n"
"                base), each with its self-contained gnuplot script (.gp);\n"
"                needs gnuplot\n"
"  --set S.K=V   override a scenario key or cell, as for run\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad input.\n";

/* The demand points of s: its points, else its grid centroids. */
static int demand_points(const struct scn *s, struct cov_pt **out)
{
    int n = s->n_points ? s->n_points : s->n_grids;
    struct cov_pt *p = xcalloc((size_t)n, sizeof *p);
    for (int i = 0; i < n; i++) {
        if (s->n_points) {
            const struct scn_point *q = &s->points[i];
            p[i] = (struct cov_pt){ q->id, q->x, q->y, q->weight };
        } else {
            const struct scn_grid *g = &s->grids[i];
            p[i] = (struct cov_pt){ g->id, g->poly.centroid.x, g->poly.centroid.y,
                                    s->location == LOC_AREA ? g->poly.area : g->weight };
        }
    }
    *out = p;
    return n;
}

/* The facilities that are the base of a unit, in facility order, into
 * fac[], and for each the index of its units' fastest mode (ties: the unit
 * listed first); returns their number.  fac and mode hold n_facilities. */
static int cov_bases(const struct scn *s, int *fac, int *mode)
{
    int nb = 0;
    for (int f = 0; f < s->n_facilities; f++) {
        int best = -1;
        for (int u = 0; u < s->n_units; u++) {
            const struct scn_unit *un = &s->units[u];
            if (un->base == f &&
                (best < 0 || s->modes[un->mode].speed_kmh > s->modes[best].speed_kmh))
                best = un->mode;
        }
        if (best >= 0) {
            fac[nb] = f;
            mode[nb++] = best;
        }
    }
    return nb;
}

/* Nearest base of every point by free-flow travel time (s->trv). */
static void cov_compute(const struct scn *s, const struct cov_pt *pt, int n, double target,
                        struct cov *c)
{
    c->n = n;
    c->target = target;
    c->fac = xmalloc((size_t)(s->n_facilities ? s->n_facilities : 1) * sizeof *c->fac);
    int *mode = xmalloc((size_t)(s->n_facilities ? s->n_facilities : 1) * sizeof *mode);
    c->n_bases = cov_bases(s, c->fac, mode);
    c->nearest = xmalloc((size_t)(n ? n : 1) * sizeof *c->nearest);
    c->time = xmalloc((size_t)(n ? n : 1) * sizeof *c->time);
    c->load = xcalloc((size_t)(c->n_bases ? c->n_bases : 1), sizeof *c->load);
    c->npts = xcalloc((size_t)(c->n_bases ? c->n_bases : 1), sizeof *c->npts);
    c->maxt = xcalloc((size_t)(c->n_bases ? c->n_bases : 1), sizeof *c->maxt);
    c->covered = c->n_reached = 0;
    c->w_total = c->w_covered = 0;
    for (int i = 0; i < n; i++) {
        double best = INFINITY;
        int bi = -1;
        for (int b = 0; b < c->n_bases; b++) {
            const struct scn_facility *f = &s->facilities[c->fac[b]];
            double t = trv_time(s->trv, mode[b], f->x, f->y, pt[i].x, pt[i].y, NAN);
            if (t < best) {
                best = t;
                bi = b;
            }
        }
        c->nearest[i] = bi;
        c->time[i] = best;
        c->w_total += pt[i].weight;
        if (bi >= 0 && isfinite(best)) {
            c->n_reached++;
            c->load[bi] += pt[i].weight;
            c->npts[bi]++;
            c->maxt[bi] = fmax(c->maxt[bi], best);
        }
        if (cov_is_covered(best, target)) {
            c->covered++;
            c->w_covered += pt[i].weight;
        }
    }
    free(mode);
}

static void cov_release(struct cov *c)
{
    free(c->fac);
    free(c->nearest);
    free(c->time);
    free(c->load);
    free(c->npts);
    free(c->maxt);
}

/* ---- charts ------------------------------------------------------------------
 * Each chart is a gnuplot script with its data inline (datablocks), so the
 * .gp file in the output set reruns anywhere; gnuplot writes the SVG to its
 * standard output, which goes into the set like every other file, so the
 * folder is still exchanged whole. */

/* The road segments of a road_edges CSV as "x y\nx y\n\n" line pieces;
 * nothing for other travel models (or GeoJSON roads). */
static void road_lines(const struct scn *s, FILE *fp)
{
    if (s->trv->kind != TRV_KIND_ROAD || !s->road_edges)
        return;
    struct perr e;
    /* [travel] road_edges is kept as written, relative to the folder. */
    char path[4096];
    if (s->road_edges[0] == '/' || !s->dir[0])
        snprintf(path, sizeof path, "%s", s->road_edges);
    else
        snprintf(path, sizeof path, "%s/%s", s->dir, s->road_edges);
    struct csvr *r = csvr_open(path, &e);
    if (!r)
        return;
    static const char *const known[] = { "from", "to", "length_km", "oneway", "class",
                                         "speed_factor", NULL };
    static const char *const req[] = { "from", "to", NULL };
    int col[8];
    int nn = trv_road_nodes(s->trv);
    if (csvr_header(r, known, req, col, &e) == 0)
        while (csvr_next(r, &e) == 1) {
            const char *a = csvr_get(r, col[0]), *b = csvr_get(r, col[1]);
            int ia = -1, ib = -1;
            for (int i = 0; i < nn && (ia < 0 || ib < 0); i++) {
                const char *id = trv_road_node_id(s->trv, i);
                if (ia < 0 && strcmp(id, a) == 0)
                    ia = i;
                if (ib < 0 && strcmp(id, b) == 0)
                    ib = i;
            }
            if (ia < 0 || ib < 0)
                continue;
            double x0, y0, x1, y1;
            trv_road_node_xy(s->trv, ia, &x0, &y0);
            trv_road_node_xy(s->trv, ib, &x1, &y1);
            fprintf(fp, "%.6g %.6g\n%.6g %.6g\n\n", x0, y0, x1, y1);
        }
    csvr_close(r);
}

/* gnuplot string literal content: labels are ids, which may hold quotes. */
static void gp_str(FILE *fp, const char *t)
{
    fputc('"', fp);
    for (; *t; t++) {
        if (*t == '"' || *t == '\\')
            fputc('\\', fp);
        fputc(*t, fp);
    }
    fputc('"', fp);
}

static void map_script(const struct scn *s, const struct cov_pt *pt, const struct cov *c,
                       FILE *fp)
{
    fputs("# coverage_map.gp - written by patrolsim coverage; rerun: gnuplot coverage_map.gp "
          "> coverage_map.svg\n$roads << EOD\nNaN NaN\n\n", fp);
    road_lines(s, fp);
    fputs("EOD\n$pts << EOD\n", fp);
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (int i = 0; i < c->n; i++) {
        fprintf(fp, "%.6g %.6g %d ", pt[i].x, pt[i].y, cov_is_covered(c->time[i], c->target));
        gp_str(fp, pt[i].id);
        fputc('\n', fp);
        xmin = fmin(xmin, pt[i].x), xmax = fmax(xmax, pt[i].x);
        ymin = fmin(ymin, pt[i].y), ymax = fmax(ymax, pt[i].y);
    }
    fputs("EOD\n$bases << EOD\n", fp);
    for (int b = 0; b < c->n_bases; b++) {
        const struct scn_facility *f = &s->facilities[c->fac[b]];
        fprintf(fp, "%.6g %.6g ", f->x, f->y);
        gp_str(fp, f->id);
        fputc('\n', fp);
        xmin = fmin(xmin, f->x), xmax = fmax(xmax, f->x);
        ymin = fmin(ymin, f->y), ymax = fmax(ymax, f->y);
    }
    double dx = xmax - xmin, dy = ymax - ymin, pad = 0.05 * fmax(fmax(dx, dy), 1e-3);
    int w = 900, h = (int)(w * (dy + 2 * pad) / (dx + 2 * pad)) + 80;
    if (h > 1600)
        h = 1600;
    if (h < 300)
        h = 300;
    fprintf(fp, "EOD\nset encoding utf8\nset terminal svg size %d,%d font 'sans-serif,11' "
                "noenhanced background '#ffffff'\n", w, h);
    fprintf(fp, "set title \"覆盖 coverage within %g min: %d of %d points (%.1f%% of demand)"
                "\" font ',13'\n", c->target, c->covered, c->n,
            c->w_total > 0 ? 100 * c->w_covered / c->w_total : 0.0);
    fprintf(fp, "set size ratio -1\nset xrange [%.6g:%.6g]\nset yrange [%.6g:%.6g]\n"
                "set xlabel 'km'\nset ylabel 'km'\nset border 3 lc rgb '#444444'\n"
                "set tics nomirror\nset key outside bottom center horizontal\n",
            xmin - pad, xmax + pad, ymin - pad, ymax + pad);
    fprintf(fp, "plot $roads with lines lc rgb '#bbbbbb' lw 1 title '道路 roads', \\\n"
                "  $pts using 1:($3 == 1 ? $2 : NaN) with points pt 7 ps 0.45 lc rgb '#4d4d4d' "
                "title '覆盖 covered', \\\n"
                "  $pts using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 1.1 lc rgb '#d62728' "
                "title '未覆盖 beyond %g min', \\\n"
                "  $pts using 1:($3 == 0 ? $2 : NaN):4 with labels offset 0,0.9 font ',8' "
                "tc rgb '#d62728' notitle, \\\n"
                "  $bases using 1:2 with points pt 5 ps 0.9 lc rgb '#0072B2' title '驻地 bases', "
                "\\\n  $bases using 1:2:3 with labels offset 0,-0.9 font ',7' tc rgb '#0072B2' "
                "notitle\n", c->target);
}

static void load_script(const struct scn *s, const struct cov *c, FILE *fp)
{
    fputs("# coverage_load.gp - written by patrolsim coverage; rerun: gnuplot "
          "coverage_load.gp > coverage_load.svg\n$load << EOD\n", fp);
    double sum = 0;
    for (int b = 0; b < c->n_bases; b++) {
        gp_str(fp, s->facilities[c->fac[b]].id);
        fprintf(fp, " %.6g\n", c->load[b]);
        sum += c->load[b];
    }
    int w = 160 + 14 * c->n_bases;
    fprintf(fp, "EOD\nset encoding utf8\nset terminal svg size %d,420 font 'sans-serif,11' "
                "noenhanced background '#ffffff'\n", w < 600 ? 600 : w);
    fprintf(fp, "set title \"负荷 load per base (mean %.4g)\" font ',13'\n"
                "set key outside bottom center horizontal\nset style data histogram\nset style histogram clustered gap 1\n"
                "set style fill solid 0.85 noborder\nset boxwidth 0.8\nset xtics rotate by 90 "
                "right font ',8'\nset ylabel 'demand for which the base is nearest'\nset yrange [0:*]\nset border 3\n"
                "set tics nomirror\nset grid ytics lc rgb '#dddddd'\n"
                "plot $load using 2:xtic(1) lc rgb '#0072B2' title 'load', %.9g with lines "
                "dt 2 lc rgb '#D55E00' title 'mean'\n",
            c->n_bases ? sum / c->n_bases : 0.0, c->n_bases ? sum / c->n_bases : 0.0);
}

/* Writes the script into the set as NAME.gp and gnuplot's SVG as NAME.svg. */
static int render(struct outf *o, const char *dir, const char *name, const char *script,
                  size_t len, struct perr *e)
{
    char fn[64];
    snprintf(fn, sizeof fn, "%s.gp", name);
    FILE *gp = outf_open(o, dir, fn, e);
    if (!gp)
        return -1;
    fwrite(script, 1, len, gp);
    char tmp[] = "/tmp/patrolsim-cov-XXXXXX", err[] = "/tmp/patrolsim-cov-err-XXXXXX";
    int fd = mkstemp(tmp), fe = fd >= 0 ? mkstemp(err) : -1;
    if (fd < 0 || fe < 0) {
        if (fd >= 0)
            close(fd), unlink(tmp);
        return err_sys(e, "%s: cannot create a temporary file for gnuplot", name);
    }
    close(fe);
    int bad = write(fd, script, len) != (ssize_t)len;
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "gnuplot %s 2>%s", tmp, err);
    snprintf(fn, sizeof fn, "%s.svg", name);
    FILE *svg = bad ? NULL : outf_open(o, dir, fn, e);
    FILE *p = svg ? popen(cmd, "r") : NULL;
    int rc = -1;
    if (p) {
        char buf[8192];
        size_t n, total = 0;
        while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
            fwrite(buf, 1, n, svg);
            total += n;
        }
        int st = pclose(p);
        if (st == 0 && total > 0) {
            rc = 0;
        } else {
            char msg[300] = "";
            FILE *ef = fopen(err, "r");
            if (ef) {
                if (!fgets(msg, sizeof msg, ef))
                    msg[0] = '\0';
                fclose(ef);
            }
            msg[strcspn(msg, "\n")] = '\0';
            err_set(e, "%s: gnuplot failed: %s", fn, msg[0] ? msg : "no output");
        }
    } else if (svg) {
        err_sys(e, "%s: cannot run gnuplot", fn);
    } else if (bad) {
        err_sys(e, "%s: cannot write the gnuplot script", name);
    }
    unlink(tmp);
    unlink(err);
    return rc;
}

static int write_charts(struct outf *o, const struct scn *s, const struct cov_pt *pt,
                        const struct cov *c, const char *dir, struct perr *e)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    map_script(s, pt, c, m);
    fclose(m);
    int rc = render(o, dir, "coverage_map", buf, len, e);
    free(buf);
    if (rc < 0)
        return -1;
    buf = NULL;
    m = open_memstream(&buf, &len);
    load_script(s, c, m);
    fclose(m);
    rc = render(o, dir, "coverage_load", buf, len, e);
    free(buf);
    return rc;
}

static int write_out(const struct scn *s, const struct cov_pt *pt, const struct cov *c,
                     const char *dir, int charts, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    if (outf_set_dir(&o, dir, 0, e) < 0)
        return -1;
    FILE *fp = outf_open(&o, dir, "coverage.csv", e);
    FILE *fb = fp ? outf_open(&o, dir, "coverage_by_base.csv", e) : NULL;
    if (!fb) {
        outf_abort(&o);
        return -1;
    }
    fputs("point,x,y,weight,nearest,time_min,covered\n", fp);
    for (int i = 0; i < c->n; i++) {
        const char *nb = c->nearest[i] >= 0 && isfinite(c->time[i])
                             ? s->facilities[c->fac[c->nearest[i]]].id : "";
        fprintf(fp, "%s,%.6g,%.6g,%.6g,%s,", pt[i].id, pt[i].x, pt[i].y, pt[i].weight, nb);
        if (isfinite(c->time[i]))
            fprintf(fp, "%.6f", c->time[i]);
        fprintf(fp, ",%d\n", cov_is_covered(c->time[i], c->target));
    }
    fputs("base,load,load_share,points,max_time_min\n", fb);
    for (int b = 0; b < c->n_bases; b++)
        fprintf(fb, "%s,%.6g,%.6f,%d,%.6f\n", s->facilities[c->fac[b]].id, c->load[b],
                c->w_total > 0 ? c->load[b] / c->w_total : 0.0, c->npts[b], c->maxt[b]);
    if (charts && write_charts(&o, s, pt, c, dir, e) < 0) {
        outf_abort(&o);
        return -1;
    }
    return outf_commit(&o, e);
}

static void print(const struct scn *s, const struct cov_pt *pt, const struct cov *c)
{
    printf("covered: %d of %d points (%.1f%% of demand) within %g min\n", c->covered, c->n,
           c->w_total > 0 ? 100 * c->w_covered / c->w_total : 0.0, c->target);
    int nu = c->n - c->covered;
    printf("beyond %g min: %d point%s", c->target, nu, nu == 1 ? "" : "s");
    if (nu) {
        printf(" (%.4g of %.4g demand):\n", c->w_total - c->w_covered, c->w_total);
        for (int i = 0; i < c->n; i++) {
            if (cov_is_covered(c->time[i], c->target))
                continue;
            if (c->nearest[i] >= 0 && isfinite(c->time[i]))
                printf("  %-12s %7.3f min from %s (demand %.4g)\n", pt[i].id, c->time[i],
                       s->facilities[c->fac[c->nearest[i]]].id, pt[i].weight);
            else
                printf("  %-12s unreachable from every base (demand %.4g)\n", pt[i].id,
                       pt[i].weight);
        }
    } else {
        printf("\n");
    }
    if (c->n_reached < c->n)
        printf("unreachable: %d point%s (no road path from any base)\n", c->n - c->n_reached,
               c->n - c->n_reached == 1 ? "" : "s");
    double mn = INFINITY, mx = -INFINITY, sum = 0, ss = 0;
    for (int b = 0; b < c->n_bases; b++) {
        mn = fmin(mn, c->load[b]);
        mx = fmax(mx, c->load[b]);
        sum += c->load[b];
    }
    double mean = c->n_bases ? sum / c->n_bases : NAN;
    for (int b = 0; b < c->n_bases; b++)
        ss += (c->load[b] - mean) * (c->load[b] - mean);
    double sd = c->n_bases ? sqrt(ss / c->n_bases) : NAN;
    printf("base load (demand for which the base is nearest): %d base%s, min %.4g, max %.4g, "
           "mean %.4g, sd %.4g\n", c->n_bases, c->n_bases == 1 ? "" : "s", mn, mx, mean, sd);
    printf("  %-12s %10s %7s %7s %12s\n", "base", "load", "share", "points", "max_time_min");
    for (int b = 0; b < c->n_bases; b++)
        printf("  %-12s %10.2f %6.1f%% %7d %12.3f\n", s->facilities[c->fac[b]].id, c->load[b],
               c->w_total > 0 ? 100 * c->load[b] / c->w_total : 0.0, c->npts[b], c->maxt[b]);
}

int cmd_coverage(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, 0, 't' },
        { "out", required_argument, 0, 'o' },
        { "charts", no_argument, 0, 'c' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out = NULL, *target_s = NULL;
    int ch, rc = EXIT_USAGE, charts = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': target_s = optarg; break;
        case 'o': out = optarg; break;
        case 'c': charts = 1; break;
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim coverage --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1) {
        fputs("patrolsim coverage: expected one SCENARIO folder; see 'patrolsim coverage "
              "--help'\n", stderr);
        goto done;
    }
    double target = NAN;
    if (target_s) {
        char *end;
        target = strtod(target_s, &end);
        if (end == target_s || *end || !(target > 0) || !isfinite(target)) {
            fprintf(stderr, "patrolsim coverage: --target: expected minutes > 0, got '%s'\n",
                    target_s);
            goto done;
        }
    }
    if (charts && !out) {
        fputs("patrolsim coverage: --charts needs --out DIR\n", stderr);
        goto done;
    }
    struct perr ge;
    if (charts && charts_gnuplot_check(&ge) < 0) {
        fprintf(stderr, "%s\n", ge.msg);
        goto done;
    }
    if (out && cli_check_out("coverage", out) < 0)
        goto done;
    struct scn *s = police_load(argv[optind], &ov);
    if (!s)
        goto done;
    if (!target_s) {
        target = INFINITY;
        for (int k = 0; k < s->n_itypes; k++)
            target = fmin(target, s->itypes[k].target_min);
    }
    struct cov_pt *pt;
    int n = demand_points(s, &pt);
    struct cov c;
    cov_compute(s, pt, n, target, &c);
    if (c.n_bases == 0) {
        fprintf(stderr, "patrolsim coverage: %s: no facility is the base of a unit; coverage "
                "needs at least one base\n", s->dir);
    } else {
        print(s, pt, &c);
        struct perr e;
        rc = EXIT_OK;
        if (out && write_out(s, pt, &c, out, charts, &e) < 0) {
            fprintf(stderr, "patrolsim coverage: %s\n", e.msg);
            rc = EXIT_FAIL;
        } else if (out) {
            printf("wrote %s/coverage.csv, %s/coverage_by_base.csv%s\n", out, out,
                   charts ? ", coverage_map.svg, coverage_load.svg" : "");
        }
    }
    cov_release(&c);
    free(pt);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
