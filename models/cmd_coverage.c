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
 * Cost: O(points x bases) travel queries; 582 x 80 road lookups for the
 * CUMCM city take milliseconds.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cov_priv.h"
#include "outf.h"
#include "police.h"
#include "trv.h"

static const char help[] =
"usage: patrolsim coverage SCENARIO [--target MIN] [--out DIR] [--set S.K=V ...]\n"
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

int cov_bases(const struct scn *s, int *fac, int *mode)
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

int cov_compute(const struct scn *s, const struct cov_pt *pt, int n, double target,
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
    return 0;
}

void cov_release(struct cov *c)
{
    free(c->fac);
    free(c->nearest);
    free(c->time);
    free(c->load);
    free(c->npts);
    free(c->maxt);
}

static int write_out(const struct scn *s, const struct cov_pt *pt, const struct cov *c,
                     const char *dir, struct perr *e)
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
    printf("base load (demand for which the base is nearest): %d bases, min %.4g, max %.4g, "
           "mean %.4g, sd %.4g\n", c->n_bases, mn, mx, mean, sd);
    printf("  %-12s %10s %7s %7s %12s\n", "base", "load", "share", "points", "max_time_min");
    for (int b = 0; b < c->n_bases; b++)
        printf("  %-12s %10.4g %6.1f%% %7d %12.3f\n", s->facilities[c->fac[b]].id, c->load[b],
               c->w_total > 0 ? 100 * c->load[b] / c->w_total : 0.0, c->npts[b], c->maxt[b]);
}

int cmd_coverage(int argc, char **argv)
{
    static const struct option opts[] = {
        { "target", required_argument, 0, 't' },
        { "out", required_argument, 0, 'o' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out = NULL, *target_s = NULL;
    int ch, rc = EXIT_USAGE;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 't': target_s = optarg; break;
        case 'o': out = optarg; break;
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
        if (out && write_out(s, pt, &c, out, &e) < 0) {
            fprintf(stderr, "patrolsim coverage: %s\n", e.msg);
            rc = EXIT_FAIL;
        } else if (out) {
            printf("wrote %s/coverage.csv, %s/coverage_by_base.csv\n", out, out);
        }
    }
    cov_release(&c);
    free(pt);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
