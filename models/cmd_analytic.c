/* cmd_analytic.c - `patrolsim analytic`: the hypercube queueing model of a
 * scenario, and with --check the simulation beside it.
 *
 * Model built from the scenario (docs: the command's --help):
 *   servers  - units whose role every incident type accepts (case teams and
 *              other specialists are left out and named);
 *   periods  - with rosters, the on-duty set for every hour of the roster
 *              cycle; hours with the same set form one staffing period, each
 *              solved as a steady state and weighted by its share of time;
 *   atoms    - each grid sampled on a 16 x 16 lattice of points inside it
 *              (a point equally far from two bases is resampled at eight
 *              points around it, so a bisector splits its cell), or with
 *              location = points at its demand points, by weight, where
 *              the simulation places every call;
 *              points whose preference lists agree (over the first
 *              ATOM_DEPTH units when the approximation is used, in full
 *              otherwise) form one atom, with the grid's rate split by weight;
 *   lists    - the dispatch policy as models/disp.c applies it to idle units
 *              at their bases: run cards (card, home units, the rest by time
 *              from the centroid) or nearest_idle (home units by post and
 *              time, zone units, then everyone by time); tiered is treated
 *              as nearest_idle;
 *   service  - mean on-scene time (type shares) + mean travel out and back,
 *              iterated with the model's own mean travel to a fixed point.
 * --check  - the simulation with the model's conditions set where an INI key
 *              or the type table can set them (one exponential on-scene
 *              mean, no re-dispatch, pre-emption or absences, tiered as
 *              nearest_idle); what cannot be set is stated, with the travel
 *              share of service, and the verdict is family-wise (Bonferroni).
 * Cost: O(periods x grids x 256 x N log N) to build, then one hypercube
 * solve per period; well under a second for the bundled scenarios.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include "analytic.h"
#include "trv.h"
#include "police.h"
#include "erlang.h"
#include "exp.h"
#include "hcq.h"
#include "ops.h"
#include "outf.h"
#include "res.h"
#include "stats.h"

#define LATTICE 16          /* sample points per grid side */
#define ATOM_DEPTH 6       /* list prefix that separates atoms (approximation) */
#define MAX_CYCLE_DAYS 84  /* longest roster cycle scanned hour by hour */

static const char help[] =
"usage: patrolsim analytic SCENARIO [options]\n"
"\n"
"Solves the hypercube queueing model (Larson 1974) of the scenario: unit\n"
"workloads, first contact by grid, cross-grid dispatches, P(wait), mean wait\n"
"and travel, in milliseconds, exactly for up to 15 units on duty and by the\n"
"A-hypercube approximation (Larson 1975) beyond.  The model assumes\n"
"exponential service, dispatch by fixed preferences from units idle at their\n"
"bases, no patrol movement, one unit per call and constant call rates; the\n"
"printout names where the scenario departs from that.\n"
"\n"
"options:\n"
"  --set S.K=V         override key K of section [S] of scenario.ini (repeatable)\n"
"  --method M          auto (default), exact or approximate\n"
"  --pwait-target P    staffing target for the zone pools (default 0.2)\n"
"  --out DIR           write analytic_units.csv, analytic_grids.csv and\n"
"                      analytic_summary.csv to DIR\n"
"  --check             also simulate under the model's conditions and print\n"
"                      each figure beside the simulated one (95% CI, z-score),\n"
"                      with a family-wise verdict (Bonferroni, 5%) and a\n"
"                      'check-summary:' line\n"
"  --reps R            replications for --check (default: the scenario's)\n"
"  --seed N            base seed for --check\n"
"  --jobs J            worker threads for --check (default: CPUs)\n"
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad scenario.\n";

/* ---- the scenario as hypercube input ------------------------------------ */

struct period {
    double share;          /* of time */
    char *on;              /* [n_units] 1 if on duty (servers only) */
    int n_on;
};

/* One solved period, kept in scenario indices. */
struct psol {
    int N, J;
    int *unit;             /* [N] scenario unit of server n */
    int *atom_grid;        /* [J] */
    double *lam;           /* [J] calls per minute */
    struct hcq_result r;
    double mu;             /* per minute */
    double *svc;           /* [N] mean service of server n's calls under the model:
                              on scene + out and back by its own f[n][j] */
    double tie_rate;       /* calls per minute where two bases are equally far over
                              an area (street grid), decided by unit order */
};

struct agg {
    double p_wait, wait, wait_q, travel, resp, first, cross, mean_svc;
    double *unit_w, *unit_duty, *unit_calls, *unit_svc;  /* [n_units] time-weighted */
    double *grid_first, *grid_resp, *grid_travel, *grid_w; /* [n_grids] */
    int approx, exact, n_periods, max_on, min_on;
    int approx_shared;     /* approximate periods with servers sharing a base */
    double tie_share;      /* share of calls in ties of positive area */
    double build_s, solve_s;
};

static double unit_min_per_km(const struct scn *s, int u)
{
    return 60.0 / s->modes[s->units[u].mode].speed_kmh;
}

static double ttime(const struct scn *s, int u, double x, double y)
{
    const struct scn_facility *b = &s->facilities[s->units[u].base];
    /* The stationary model reads free-flow times (no congestion band). */
    return trv_time(s->trv, s->units[u].mode, b->x, b->y, x, y, NAN);
}

static int home_post(const struct scn *s, int u, int g)
{
    const struct scn_unit *un = &s->units[u];
    for (int k = 0; k < un->n_home; k++)
        if (un->home[k] == g)
            return un->post[k];
    return -1;
}

struct key {
    double a, b;           /* group rank, travel time */
    int u;
};

static int key_cmp(const void *x, const void *y)
{
    const struct key *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return (p->u > q->u) - (p->u < q->u);
}

/* Relative gap under which two travel times count as equal: the lattice
 * puts points exactly (up to rounding) on bisectors between bases. */
#define TIE_REL 1e-9
#define TIE_NOTE_DEPTH 3   /* ties of area among the first 3 on a list are noted */

/* Units sharing a base position tie everywhere: the lower index wins in
 * the simulation too, over the whole area, so that tie is kept. */
static bool same_base(const struct scn *s, int u, int v)
{
    const struct scn_facility *a = &s->facilities[s->units[u].base];
    const struct scn_facility *b = &s->facilities[s->units[v].base];
    return a->x == b->x && a->y == b->y;
}

/* Preference list over the on-duty servers srv[0..N) for a call at (x, y)
 * in grid g, as server indices into out[0..N).  Returns the first list
 * position n >= 1 whose unit is as far from (x, y) as the one before it, of
 * the same group but at another base (ties go to the lower index, as in
 * disp.c), or N if there is none.  Run cards rank by time from the centroid, the same for
 * the whole grid, so their ties are the simulation's and are not reported. */
static int pref_list(const struct scn *s, const int *srv, int N, int g, double x, double y,
                     struct key *k, int *out)
{
    bool card = strcmp(s->policy, "run_card") == 0;
    double cx = s->grids[g].poly.centroid.x, cy = s->grids[g].poly.centroid.y;
    for (int n = 0; n < N; n++) {
        int u = srv[n], post = home_post(s, u, g);
        k[n].u = n;
        if (card) {
            /* Card position first, then home units by post, then by time
             * from the centroid (disp.c cards_init). */
            int pos = -1;
            for (int i = 0; i < s->n_runcard[g]; i++)
                if (s->runcard[g][i] == u) {
                    pos = i;
                    break;
                }
            k[n].a = pos >= 0 ? pos : post >= 0 ? 1e6 + post : 2e6;
            k[n].b = pos >= 0 ? 0 : ttime(s, u, cx, cy);
        } else {
            int zone = s->facilities[s->units[u].base].zone;
            k[n].a = s->home_first && post >= 0 ? post
                   : s->zone_first && zone >= 0 && zone == s->grids[g].zone ? 10 : 20;
            /* Rounded to float so that times equal but for rounding (the two
             * sums of a street-grid tie) compare equal and go by unit order,
             * the documented rule. */
            k[n].b = (float)ttime(s, u, x, y);
        }
    }
    qsort(k, (size_t)N, sizeof *k, key_cmp);
    int tied = N;
    for (int n = 0; n < N; n++) {
        out[n] = k[n].u;
        if (!card && tied == N && n > 0 && k[n].a == k[n - 1].a &&
            k[n].b - k[n - 1].b <= TIE_REL * k[n].b &&
            !same_base(s, srv[k[n].u], srv[k[n - 1].u]))
            tied = n;
    }
    return tied;
}

/* Lattice points inside grid g (at least the centroid). */
static int grid_points(const struct scn *s, int g, double *px, double *py)
{
    const struct geo_poly *p = &s->grids[g].poly;
    int n = 0;
    for (int i = 0; i < LATTICE; i++)
        for (int j = 0; j < LATTICE; j++) {
            double x = p->xmin + (i + 0.5) * (p->xmax - p->xmin) / LATTICE;
            double y = p->ymin + (j + 0.5) * (p->ymax - p->ymin) / LATTICE;
            if (geo_poly_contains(p, x, y))
                px[n] = x, py[n++] = y;
        }
    if (n == 0)
        px[0] = p->centroid.x, py[0] = p->centroid.y, n = 1;
    return n;
}

/* Calls per minute of each grid, from the incident source's grid weights
 * (or areas when incidents fall uniformly over the study area). */
static void grid_rates(const struct scn *s, double *rate)
{
    double tot = 0;
    for (int g = 0; g < s->n_grids; g++)
        tot += rate[g] = s->location == LOC_AREA ? s->grids[g].poly.area : s->grids[g].weight;
    for (int g = 0; g < s->n_grids; g++)
        rate[g] = tot > 0 ? rate[g] / tot * s->rate_per_day / 1440.0 : 0;
}

static double mean_on_scene(const struct scn *s)
{
    double sh = 0, m = 0;
    for (int i = 0; i < s->n_itypes; i++) {
        sh += s->itypes[i].share;
        m += s->itypes[i].share * s->itypes[i].mean_min;
    }
    return m / sh;
}

/* ---- staffing periods ----------------------------------------------------- */

static long gcd_l(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static bool on_duty(const struct scn *s, int u, double t_h)
{
    const struct scn_unit *un = &s->units[u];
    if (un->roster < 0)
        return true;
    const struct scn_roster *ro = &s->rosters[un->roster];
    long d = (long)floor(t_h / 24);
    for (long dd = d - 1; dd <= d; dd++) {
        long n = ro->n_days, k = ((dd + un->squad) % n + n) % n;
        int sh = ro->day_shift[k];
        if (sh < 0)
            continue;
        double st = dd * 24.0 + s->shifts[sh].start_h;
        if (t_h >= st && t_h < st + s->shifts[sh].hours)
            return true;
    }
    return false;
}

/* Distinct on-duty sets over the roster cycle, hour by hour. */
/* Days after which the rosters of the units (those with is_srv[u], or all
 * when is_srv is NULL) repeat, capped at MAX_CYCLE_DAYS (*capped set). */
static long roster_cycle(const struct scn *s, const char *is_srv, bool *capped)
{
    long days = 1;
    *capped = false;
    for (int u = 0; u < s->n_units; u++)
        if ((!is_srv || is_srv[u]) && s->units[u].roster >= 0) {
            long n = s->rosters[s->units[u].roster].n_days;
            days = days / gcd_l(days, n) * n;
            if (days > MAX_CYCLE_DAYS) {
                days = MAX_CYCLE_DAYS;
                *capped = true;
            }
        }
    return days;
}

static int build_periods(const struct scn *s, const char *is_srv, struct period **out,
                         long *cycle_days)
{
    bool capped;
    long days = roster_cycle(s, is_srv, &capped);
    *cycle_days = days;
    int U = s->n_units, np = 0, cap = 8;
    struct period *p = xmalloc((size_t)cap * sizeof *p);
    char *on = xmalloc((size_t)(U ? U : 1));
    long hours = days * 24;
    for (long h = 0; h < hours; h++) {
        int n_on = 0;
        for (int u = 0; u < U; u++)
            n_on += on[u] = is_srv[u] && on_duty(s, u, h + 0.5);
        int k = 0;
        while (k < np && memcmp(p[k].on, on, (size_t)U))
            k++;
        if (k == np) {
            if (np == cap)
                p = xrealloc(p, (size_t)(cap *= 2) * sizeof *p);
            p[np].on = xmalloc((size_t)(U ? U : 1));
            memcpy(p[np].on, on, (size_t)U);
            p[np].n_on = n_on;
            p[np++].share = 0;
        }
        p[k].share += 1.0 / hours;
    }
    free(on);
    *out = p;
    return np;
}

/* ---- one period ---------------------------------------------------------- */

static void psol_release(struct psol *p)
{
    free(p->unit);
    free(p->atom_grid);
    free(p->lam);
    free(p->svc);
    hcq_result_release(&p->r);
}

/* Atoms under construction: sample points with the same list (over the
 * first `depth` units) in one grid form an atom. */
struct atoms {
    int N, depth, n;
    size_t cap;
    int *pref;             /* [cap * N] */
    int *grid;             /* [cap] */
    double *w;             /* [cap] summed sample weight (later calls per minute) */
    double *x, *y;         /* [cap] weighted sums of the points (later means) */
    double *t;             /* [cap * N] weighted sums of unit travel times (later means) */
};

/* Adds the sample (x, y) of weight w with list lst to grid g's atoms, which
 * start at index `first`. */
static void atoms_add(struct atoms *A, const struct scn *s, const int *srv, int first, int g,
                      const int *lst, double x, double y, double w)
{
    int N = A->N, a = first;
    while (a < A->n && memcmp(A->pref + (size_t)a * N, lst, (size_t)A->depth * sizeof *lst))
        a++;
    if (a == A->n) {
        if ((size_t)A->n == A->cap) {
            A->cap *= 2;
            A->pref = xrealloc(A->pref, A->cap * N * sizeof *A->pref);
            A->grid = xrealloc(A->grid, A->cap * sizeof *A->grid);
            A->w = xrealloc(A->w, A->cap * sizeof *A->w);
            A->x = xrealloc(A->x, A->cap * sizeof *A->x);
            A->y = xrealloc(A->y, A->cap * sizeof *A->y);
            A->t = xrealloc(A->t, A->cap * N * sizeof *A->t);
        }
        memcpy(A->pref + (size_t)a * N, lst, (size_t)N * sizeof *lst);
        A->grid[a] = g;
        A->w[a] = A->x[a] = A->y[a] = 0;
        memset(A->t + (size_t)a * N, 0, (size_t)N * sizeof *A->t);
        A->n++;
    }
    for (int n = 0; n < N; n++)
        A->t[(size_t)a * N + n] += w * ttime(s, srv[n], x, y);
    A->w[a] += w;
    A->x[a] += w * x;
    A->y[a] += w * y;
}

/* Builds and solves the model of one on-duty set.  0, or -1 with e. */
static int solve_period(const struct scn *s, const struct period *pd, const double *grate,
                        enum hcq_method meth, struct psol *ps, struct perr *e)
{
    memset(ps, 0, sizeof *ps);
    int N = pd->n_on, G = s->n_grids;
    if (N == 0)
        return err_set(e, "no dispatchable unit on duty in a staffing period (%.1f%% of the time)",
                       100 * pd->share);
    ps->N = N;
    ps->unit = xmalloc((size_t)N * sizeof *ps->unit);
    for (int u = 0, n = 0; u < s->n_units; u++)
        if (pd->on[u])
            ps->unit[n++] = u;
    bool approx = meth == HCQ_APPROX || (meth == HCQ_AUTO && N > HCQ_AUTO_EXACT_MAX);
    int depth = approx && N > ATOM_DEPTH ? ATOM_DEPTH : N;
    struct atoms A = { .N = N, .depth = depth, .cap = (size_t)G * 4 + 4 };
    A.pref = xmalloc(A.cap * N * sizeof *A.pref);
    A.grid = xmalloc(A.cap * sizeof *A.grid);
    A.w = xmalloc(A.cap * sizeof *A.w);
    A.x = xmalloc(A.cap * sizeof *A.x);
    A.y = xmalloc(A.cap * sizeof *A.y);
    A.t = xmalloc(A.cap * N * sizeof *A.t);
    double px[LATTICE * LATTICE], py[LATTICE * LATTICE];
    struct key *k = xmalloc((size_t)N * sizeof *k);
    int *lst = xmalloc((size_t)N * sizeof *lst);
    /* With location = points, incidents happen at the demand points only
     * (inc.c place), so those, by weight, are the samples: the points of
     * each grid in order[pt_at[g] .. pt_at[g + 1]). */
    int *order = NULL, *pt_at = NULL;
    if (s->location == LOC_POINTS) {
        order = xmalloc((size_t)(s->n_points ? s->n_points : 1) * sizeof *order);
        pt_at = xcalloc((size_t)G + 1, sizeof *pt_at);
        for (int i = 0; i < s->n_points; i++)
            pt_at[s->points[i].grid + 1]++;
        for (int g = 0; g < G; g++)
            pt_at[g + 1] += pt_at[g];
        int *fill = xmalloc(((size_t)G + 1) * sizeof *fill);
        memcpy(fill, pt_at, ((size_t)G + 1) * sizeof *fill);
        for (int i = 0; i < s->n_points; i++)
            order[fill[s->points[i].grid]++] = i;
        free(fill);
    }
    for (int g = 0; g < G; g++) {
        if (!(grate[g] > 0))
            continue;
        int first = A.n;
        double wtot = 0;        /* the grid's summed sample weight */
        if (order) {
            for (int q = pt_at[g]; q < pt_at[g + 1]; q++) {
                const struct scn_point *pt = &s->points[order[q]];
                if (!(pt->weight > 0))
                    continue;
                /* A point on a tie has all its calls go by the lower-index
                 * rule (disp.c), as its list orders them. */
                if (pref_list(s, ps->unit, N, g, pt->x, pt->y, k, lst) < TIE_NOTE_DEPTH)
                    ps->tie_rate += grate[g] * pt->weight / s->grids[g].weight;
                atoms_add(&A, s, ps->unit, first, g, lst, pt->x, pt->y, pt->weight);
                wtot += pt->weight;
            }
        }
        const struct geo_poly *poly = &s->grids[g].poly;
        double cw = (poly->xmax - poly->xmin) / LATTICE, ch = (poly->ymax - poly->ymin) / LATTICE;
        int np = order ? 0 : grid_points(s, g, px, py);
        if (!order)
            wtot = np;          /* each lattice point weighs 1, split among its sub-points */
        for (int i = 0; i < np; i++) {
            /* Ties past the prefix that defines atoms change no atom. */
            if (pref_list(s, ps->unit, N, g, px[i], py[i], k, lst) >= depth) {
                atoms_add(&A, s, ps->unit, first, g, lst, px[i], py[i], 1);
                continue;
            }
            /* A point on a bisector would give the whole cell to the unit
             * listed first, though the boundary splits it: a lattice aligned
             * with the bases puts a whole row of points on such lines (in
             * the hypercube demo 1/16 of every grid, which moved up to 0.25
             * points of workload from the B row's units to the A row's).  Such a cell is
             * sampled instead at eight points (+-1/8, +-3/8) and (+-3/8,
             * +-1/8) of a cell: symmetric under both mirrors and the
             * diagonal swaps, off the axes and diagonals, so a line through
             * the centre splits them four and four and crossing lines split
             * them alike on mirrored layouts.  A sub-point still tied lies
             * in a tie of positive area (Manhattan metric), where disp.c's
             * lower-index rule is the right one. */
            static const double off[8][2] = {
                { 0.125, 0.375 }, { 0.375, 0.125 }, { -0.125, 0.375 }, { -0.375, 0.125 },
                { 0.125, -0.375 }, { 0.375, -0.125 }, { -0.125, -0.375 }, { -0.375, -0.125 },
            };
            double sx[8], sy[8];
            int ns = 0;
            for (int q = 0; q < 8; q++) {
                sx[ns] = px[i] + off[q][0] * cw;
                sy[ns] = py[i] + off[q][1] * ch;
                ns += geo_poly_contains(poly, sx[ns], sy[ns]);
            }
            if (ns == 0) {
                atoms_add(&A, s, ps->unit, first, g, lst, px[i], py[i], 1);
                continue;
            }
            for (int q = 0; q < ns; q++) {
                if (pref_list(s, ps->unit, N, g, sx[q], sy[q], k, lst) < TIE_NOTE_DEPTH)
                    ps->tie_rate += grate[g] / np / ns;
                atoms_add(&A, s, ps->unit, first, g, lst, sx[q], sy[q], 1.0 / ns);
            }
        }
        for (int a = first; a < A.n; a++) {
            A.x[a] /= A.w[a];
            A.y[a] /= A.w[a];
            for (int n = 0; n < N; n++)
                A.t[(size_t)a * N + n] /= A.w[a];
            A.w[a] *= grate[g] / wtot;      /* sample weight -> calls per minute */
        }
    }
    free(order);
    free(pt_at);
    int J = A.n, *pref = A.pref;
    double *ax = A.x, *ay = A.y, *tsum = A.t;
    ps->atom_grid = A.grid;
    ps->lam = A.w;
    ps->J = J;
    double *tr = xmalloc((size_t)N * J * sizeof *tr), *at = NULL;
    for (int n = 0; n < N; n++)
        for (int j = 0; j < J; j++)
            tr[(size_t)n * J + j] = tsum[(size_t)j * N + n];   /* mean over the atom's points */
    if (s->redispatch_returning) {
        /* A queued call is taken by a unit leaving a scene elsewhere. */
        double mpk = 0;
        for (int n = 0; n < N; n++)
            mpk += unit_min_per_km(s, ps->unit[n]) / N;
        at = xmalloc((size_t)J * J * sizeof *at);
        const struct trv *tv = s->trv;
        for (int i = 0; i < J; i++)
            for (int j = 0; j < J; j++) {
                double a = 0;
                if (tv->kind == TRV_KIND_METRIC) {  /* the mean speed, as always */
                    a = trv_metric_km(tv, ax[i], ay[i], ax[j], ay[j]) * mpk;
                } else {                            /* the mean over the units' modes */
                    for (int n = 0; n < N; n++)
                        a += trv_time(tv, s->units[ps->unit[n]].mode, ax[i], ay[i], ax[j],
                                      ay[j], NAN) / N;
                }
                at[(size_t)i * J + j] = a;
            }
    }
    /* Service = on scene + out and back; the mean travel depends on the
     * solution, so iterate (it changes by well under 1% after 3 rounds). */
    double scene = mean_on_scene(s), trav = 0;
    for (int j = 0; j < J; j++)
        trav += ps->lam[j] * tr[(size_t)pref[(size_t)j * N] * J + j];
    double lt = 0;
    for (int j = 0; j < J; j++)
        lt += ps->lam[j];
    trav /= lt;
    int rc = 0;
    struct hcq_opts o = { meth, 0, 0 };
    for (int it = 0; it < 8; it++) {
        ps->mu = 1 / (scene + 2 * trav);
        struct hcq_model m = { N, J, ps->lam, pref, ps->mu, HCQ_QUEUE, tr, at };
        hcq_result_release(&ps->r);
        if (hcq_solve(&m, &o, &ps->r, e) < 0) {
            rc = -1;
            break;
        }
        double nt = ps->r.travel_mean;
        if (fabs(nt - trav) <= 1e-6 * (scene + 2 * trav)) {
            trav = nt;
            break;
        }
        trav = nt;
    }
    if (rc == 0) {
        /* What one rate hides: a unit answering mostly its own grid has
         * shorter trips than one sent across the area as a backup. */
        ps->svc = xmalloc((size_t)N * sizeof *ps->svc);
        for (int n = 0; n < N; n++) {
            double fs = 0, ft = 0;
            for (int j = 0; j < J; j++) {
                double f = ps->r.f[(size_t)n * J + j];
                fs += f;
                ft += f * tr[(size_t)n * J + j];
            }
            ps->svc[n] = scene + 2 * (fs > 0 ? ft / fs : trav);
        }
    }
    free(pref);
    free(ax);
    free(ay);
    free(tsum);
    free(k);
    free(lst);
    free(tr);
    free(at);
    if (rc < 0)
        psol_release(ps);
    return rc;
}

/* ---- aggregation over periods --------------------------------------------- */

static bool is_home(const struct scn *s, int u, int g)
{
    return home_post(s, u, g) >= 0;
}

static void agg_add(const struct scn *s, const struct period *pd, const struct psol *ps,
                    double cp, struct agg *A)
{
    const struct hcq_result *r = &ps->r;
    double w = pd->share, lt = 0;
    for (int j = 0; j < ps->J; j++)
        lt += ps->lam[j];
    A->p_wait += w * r->p_all_busy;
    A->tie_share += w * ps->tie_rate / lt;
    A->wait += w * r->mean_wait;
    A->wait_q += w * r->mean_wait_queued;
    A->travel += w * r->travel_mean;
    A->resp += w * (cp + r->mean_wait + r->travel_mean);
    A->mean_svc += w / ps->mu;
    for (int n = 0; n < ps->N; n++) {
        int u = ps->unit[n];
        double calls = 0;
        for (int j = 0; j < ps->J; j++)
            calls += r->f[(size_t)n * ps->J + j];
        A->unit_w[u] += w * r->workload[n];
        A->unit_svc[u] += w * ps->svc[n];
        A->unit_duty[u] += w;
        A->unit_calls[u] += w * calls * lt * 1440;
    }
    for (int j = 0; j < ps->J; j++) {
        int g = ps->atom_grid[j];
        double pj = ps->lam[j] / lt, home = 0, cross = 0;
        for (int n = 0; n < ps->N; n++) {
            int u = ps->unit[n];
            double f = r->f[(size_t)n * ps->J + j];
            if (is_home(s, u, g))
                home += f;
            else if (s->units[u].n_home > 0)
                cross += f;
        }
        A->first += w * home;
        A->cross += w * cross;
        A->grid_first[g] += w * home / pj * ps->lam[j];
        A->grid_resp[g] += w * (cp + r->mean_wait + r->travel_atom[j]) * ps->lam[j];
        A->grid_travel[g] += w * r->travel_atom[j] * ps->lam[j];
        A->grid_w[g] += w * ps->lam[j];
    }
    if (r->method == HCQ_EXACT) {
        A->exact++;
    } else {
        A->approx++;
        bool shared = false;
        for (int n = 0; n < ps->N && !shared; n++)
            for (int m = n + 1; m < ps->N && !shared; m++)
                shared = same_base(s, ps->unit[n], ps->unit[m]);
        A->approx_shared += shared;
    }
}

static void agg_finish(const struct scn *s, struct agg *A)
{
    for (int u = 0; u < s->n_units; u++)
        if (A->unit_duty[u] > 0) {
            A->unit_w[u] /= A->unit_duty[u];
            A->unit_svc[u] /= A->unit_duty[u];
        }
    for (int g = 0; g < s->n_grids; g++)
        if (A->grid_w[g] > 0) {
            A->grid_first[g] /= A->grid_w[g];
            A->grid_resp[g] /= A->grid_w[g];
            A->grid_travel[g] /= A->grid_w[g];
        }
}

/* ---- the whole analysis ---------------------------------------------------- */

struct analysis {
    const struct scn *s;
    char *is_srv;
    struct period *per;
    int n_per;
    long cycle_days;
    struct agg A;
    double cp;             /* mean call processing, minutes */
    char notes[2048];
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Appends a formatted line to an->notes. */
#define NOTE(an, ...) do { \
    size_t n_ = strlen((an)->notes); \
    snprintf((an)->notes + n_, sizeof (an)->notes - n_, __VA_ARGS__); \
} while (0)

static void analysis_release(struct analysis *an)
{
    for (int p = 0; p < an->n_per; p++)
        free(an->per[p].on);
    free(an->per);
    free(an->is_srv);
    free(an->A.unit_w);
    free(an->A.unit_duty);
    free(an->A.unit_calls);
    free(an->A.unit_svc);
    free(an->A.grid_first);
    free(an->A.grid_resp);
    free(an->A.grid_travel);
    free(an->A.grid_w);
}

static int analyse(const struct scn *s, enum hcq_method meth, struct analysis *an, struct perr *e)
{
    memset(an, 0, sizeof *an);
    an->s = s;
    double t0 = now_s();
    int U = s->n_units, G = s->n_grids;
    unsigned roles = ~0u;
    for (int i = 0; i < s->n_itypes; i++)
        roles &= s->itypes[i].roles;
    an->is_srv = xcalloc((size_t)(U ? U : 1), 1);
    int excluded = 0;
    for (int u = 0; u < U; u++) {
        an->is_srv[u] = (roles >> s->units[u].role & 1) != 0;
        excluded += !an->is_srv[u];
    }
    if (excluded) {
        char buf[64];
        snprintf(buf, sizeof buf, "%d", excluded);
        NOTE(an, "- %s units whose role not every incident type accepts (e.g. case teams) are "
                 "left out of the pool\n", buf);
    }
    an->n_per = build_periods(s, an->is_srv, &an->per, &an->cycle_days);
    an->cp = s->cp_mean_min;
    struct agg *A = &an->A;
    A->unit_w = xcalloc((size_t)(U ? U : 1), sizeof(double));
    A->unit_duty = xcalloc((size_t)(U ? U : 1), sizeof(double));
    A->unit_calls = xcalloc((size_t)(U ? U : 1), sizeof(double));
    A->unit_svc = xcalloc((size_t)(U ? U : 1), sizeof(double));
    A->grid_first = xcalloc((size_t)(G ? G : 1), sizeof(double));
    A->grid_resp = xcalloc((size_t)(G ? G : 1), sizeof(double));
    A->grid_travel = xcalloc((size_t)(G ? G : 1), sizeof(double));
    A->grid_w = xcalloc((size_t)(G ? G : 1), sizeof(double));
    A->n_periods = an->n_per;
    A->min_on = U + 1;
    double *grate = xmalloc((size_t)(G ? G : 1) * sizeof *grate);
    grid_rates(s, grate);
    double solve = 0;
    for (int p = 0; p < an->n_per; p++) {
        struct psol ps;
        double t1 = now_s();
        if (solve_period(s, &an->per[p], grate, meth, &ps, e) < 0) {
            free(grate);
            if (an->n_per > 1) {
                struct perr e2 = *e;
                err_set(e, "staffing period with %d units on duty (%.1f%% of the time): %s",
                        an->per[p].n_on, 100 * an->per[p].share, e2.msg);
            }
            return -1;
        }
        solve += now_s() - t1;
        agg_add(s, &an->per[p], &ps, an->cp, A);
        if (an->per[p].n_on > A->max_on)
            A->max_on = an->per[p].n_on;
        if (an->per[p].n_on < A->min_on)
            A->min_on = an->per[p].n_on;
        psol_release(&ps);
    }
    free(grate);
    agg_finish(s, A);
    A->solve_s = solve;
    A->build_s = now_s() - t0 - solve;
    for (int i = 0; i < s->n_itypes; i++)
        if (s->itypes[i].dist != SVC_EXPONENTIAL) {
            NOTE(an, "- on-scene times are %s; the model takes them as exponential with the "
                     "same mean\n", "not all exponential");
            break;
        }
    for (int i = 0; i < s->n_itypes; i++)
        if (s->itypes[i].units_required > 1) {
            NOTE(an, "- %s: the model sends one unit per call\n", "some types need several units");
            break;
        }
    if (A->tie_share > 1e-4)
        NOTE(an, "- %.1f%% of the calls arise where two of the first %d units on their list are "
                 "equally far over an\n  area (street-grid metric); the model orders those units as "
                 "disp.c documents (the one listed first\n  in units.csv), but the simulation "
                 "compares the two travel times in floating point, where the\n  two sums differ "
                 "by rounding and a share of the calls goes the other way (hypercube demo:\n  "
                 "about a third)\n", 100 * A->tie_share, TIE_NOTE_DEPTH);
    if (A->approx_shared)
        NOTE(an, "- A-hypercube with units sharing a base: it takes units' busy states as "
                 "independent, but a second car\n  at a base is busy mostly when the first is, so "
                 "first contact and the second cars' workloads come out\n  too high (12 paired "
                 "cars: first contact 63.2%% against 61.3%% exact and simulated); --method exact\n"
                 "  solves up to %d units on duty\n", HCQ_EXACT_MAX);
    if (strcmp(s->policy, "tiered") == 0)
        NOTE(an, "- dispatch policy '%s' is modelled as nearest_idle over all levels\n", s->policy);
    if (s->redispatch_returning)
        NOTE(an, "- %s: returning units count as busy until back at base, and a queued call "
                 "is reached from the scene just left\n", "redispatch_returning = true");
    if (s->preempt)
        NOTE(an, "- %s is not modelled (one FCFS queue; priorities do not change the mean wait "
                 "without it)\n", "pre-emption");
    for (int u = 0; u < U; u++)
        if (an->is_srv[u] && s->units[u].idle != IDLE_BASE) {
            NOTE(an, "- %s: the model places idle units at their bases\n",
                 "some units patrol or do community work between calls");
            break;
        }
    if (s->absence_p > 0)
        NOTE(an, "- absences (%s) are not modelled: every rostered unit is on duty\n",
             "staffing.absence_probability > 0");
    if (strcmp(s->source, "poisson") != 0)
        NOTE(an, "- incident source '%s': the model uses its mean rate and the grid weights\n",
             s->source);
    return 0;
}

/* ---- printing and files ---------------------------------------------------- */

static double util_stat(const struct analysis *an, int which)
{
    const struct scn *s = an->s;
    double mn = INFINITY, mx = -INFINITY, sum = 0;
    int n = 0;
    for (int u = 0; u < s->n_units; u++)
        if (an->A.unit_duty[u] > 0) {
            double w = an->A.unit_w[u];
            mn = w < mn ? w : mn;
            mx = w > mx ? w : mx;
            sum += w;
            n++;
        }
    return which == 0 ? sum / n : which == 1 ? mn : mx;
}

static void print_analysis(FILE *fp, const struct analysis *an, double pw_target)
{
    const struct scn *s = an->s;
    const struct agg *A = &an->A;
    fprintf(fp, "%s - analytic (hypercube queueing model)\n", s->name);
    fprintf(fp, "method: %s; %d staffing period%s over a %ld-day cycle, %d-%d units on duty; "
                "set-up %.1f ms, model building and solving %.1f ms\n",
            A->approx ? (A->exact ? "exact and approximate (A-hypercube)" : "approximate (A-hypercube)")
                      : "exact", A->n_periods, A->n_periods > 1 ? "s" : "", an->cycle_days,
            A->min_on, A->max_on, 1e3 * A->build_s, 1e3 * A->solve_s);
    fprintf(fp, "calls %.1f per day, mean service %.1f min (on scene + out and back)\n",
            s->rate_per_day, A->mean_svc);
    if (an->notes[0])
        fprintf(fp, "assumptions that differ from the simulation:\n%s", an->notes);
    fprintf(fp, "\n%-28s %10s\n", "metric (analytic)", "value");
    fprintf(fp, "%-28s %10.2f\n", "response_mean_min", A->resp);
    fprintf(fp, "%-28s %10.2f\n", "travel_mean_min", A->travel);
    fprintf(fp, "%-28s %9.1f%%\n", "first_contact_rate", 100 * A->first);
    fprintf(fp, "%-28s %9.1f%%\n", "cross_grid_share", 100 * A->cross);
    fprintf(fp, "%-28s %9.1f%%\n", "queued_share (P(wait))", 100 * A->p_wait);
    fprintf(fp, "%-28s %10.2f\n", "wait_mean_min", A->wait);
    fprintf(fp, "%-28s %10.2f\n", "wait_queued_mean_min", A->wait_q);
    fprintf(fp, "%-28s %9.1f%%\n", "utilisation_mean", 100 * util_stat(an, 0));
    fprintf(fp, "%-28s %9.1f%%\n", "utilisation_min", 100 * util_stat(an, 1));
    fprintf(fp, "%-28s %9.1f%%\n", "utilisation_max", 100 * util_stat(an, 2));

    fprintf(fp, "\n%-12s %10s %12s\n", "unit", "workload", "calls/day");
    for (int u = 0; u < s->n_units; u++)
        if (A->unit_duty[u] > 0)
            fprintf(fp, "%-12s %9.1f%% %12.2f\n", s->units[u].id, 100 * A->unit_w[u],
                    A->unit_calls[u]);
    fprintf(fp, "\n%-12s %14s %12s %12s\n", "grid", "first_contact", "travel_min", "response_min");
    for (int g = 0; g < s->n_grids; g++)
        if (A->grid_w[g] > 0)
            fprintf(fp, "%-12s %13.1f%% %12.2f %12.2f\n", s->grids[g].id, 100 * A->grid_first[g],
                    A->grid_travel[g], A->grid_resp[g]);

    /* Pools: every zone as one M/M/c queue of the servers based in it. */
    if (s->n_zones > 0) {
        double *lz = xcalloc((size_t)s->n_zones, sizeof *lz), *cz = xcalloc((size_t)s->n_zones, sizeof *cz);
        double grate[4096];
        double *gr = s->n_grids <= 4096 ? grate : xmalloc((size_t)s->n_grids * sizeof *gr);
        grid_rates(s, gr);
        for (int g = 0; g < s->n_grids; g++)
            if (s->grids[g].zone >= 0)
                lz[s->grids[g].zone] += gr[g];
        for (int u = 0; u < s->n_units; u++) {
            int z = s->facilities[s->units[u].base].zone;
            if (z >= 0 && A->unit_duty[u] > 0)
                cz[z] += A->unit_duty[u];       /* mean number on duty */
        }
        fprintf(fp, "\nzones as pools (Erlang C, units based in the zone, mean on duty; "
                    "service %.1f min):\n%-12s %8s %8s %10s %12s\n", A->mean_svc, "zone", "erlangs",
                "units", "P(wait)", "units for P(wait)<=");
        fprintf(fp, "%-12s %8s %8s %10s %12.0f%%\n", "", "", "", "", 100 * pw_target);
        for (int z = 0; z < s->n_zones; z++) {
            double a = lz[z] * A->mean_svc;
            int c = (int)floor(cz[z] + 0.5);
            fprintf(fp, "%-12s %8.2f %8d %9.1f%% %12d\n", s->zones[z], a, c,
                    c > 0 ? 100 * erlang_c(c, a) : 100.0, erlang_staff_pwait(a, pw_target));
        }
        if (gr != grate)
            free(gr);
        free(lz);
        free(cz);
    }
}

static int write_files(const char *dir, const struct analysis *an, struct perr *e)
{
    const struct scn *s = an->s;
    const struct agg *A = &an->A;
    struct outf o;
    outf_init(&o);
    if (outf_set_dir(&o, dir, 0, e) < 0)   /* the three files appear together */
        return -1;
    FILE *fu = outf_open(&o, dir, "analytic_units.csv", e);
    FILE *fg = fu ? outf_open(&o, dir, "analytic_grids.csv", e) : NULL;
    FILE *fs = fg ? outf_open(&o, dir, "analytic_summary.csv", e) : NULL;
    if (!fs) {
        outf_abort(&o);
        return -1;
    }
    fputs("unit,workload,calls_per_day,on_duty_share\n", fu);
    for (int u = 0; u < s->n_units; u++)
        if (A->unit_duty[u] > 0)
            fprintf(fu, "%s,%.6f,%.4f,%.6f\n", s->units[u].id, A->unit_w[u], A->unit_calls[u],
                    A->unit_duty[u]);
    fputs("grid,first_contact,travel_mean_min,response_mean_min,calls_per_day\n", fg);
    for (int g = 0; g < s->n_grids; g++)
        if (A->grid_w[g] > 0)
            fprintf(fg, "%s,%.6f,%.4f,%.4f,%.4f\n", s->grids[g].id, A->grid_first[g],
                    A->grid_travel[g], A->grid_resp[g], A->grid_w[g] * 1440);
    fputs("metric,value\n", fs);
    fprintf(fs, "method,%s\n", A->approx ? "approximate" : "exact");
    fprintf(fs, "p_wait,%.6f\nmean_wait_min,%.4f\nwait_queued_mean_min,%.4f\n", A->p_wait,
            A->wait, A->wait_q);
    fprintf(fs, "inter_area_share,%.6f\nfirst_contact_rate,%.6f\n", A->cross, A->first);
    fprintf(fs, "travel_mean_min,%.4f\nresponse_mean_min,%.4f\nmean_service_min,%.4f\n",
            A->travel, A->resp, A->mean_svc);
    fprintf(fs, "utilisation_mean,%.6f\nutilisation_min,%.6f\nutilisation_max,%.6f\n",
            util_stat(an, 0), util_stat(an, 1), util_stat(an, 2));
    fprintf(fs, "staffing_periods,%d\n", A->n_periods);
    return outf_commit(&o, e);
}

/* ---- --check ------------------------------------------------------------------ */

struct check_ctx {
    const struct scn *s;
    uint64_t seed;
};

static int check_task(void *ctx, int rep, double *row, struct perr *e)
{
    const struct check_ctx *c = ctx;
    struct ops_params p = { c->seed, rep, NULL };
    return ops_run(c->s, &p, row, NULL, e);
}

/* Writes incident_types.csv with every type exponential at one common mean
 * (the share-weighted mean on-scene time), one unit and any role but the
 * case team; returns the path (owned) or NULL.  One mean, not each type's:
 * with several, service is a mixture of exponentials, and as the queue
 * serves priorities in order, shorter urgent calls first would lower the
 * mean wait below the model's FCFS one (1.5% in the hypercube demo). */
static char *write_exp_types(const struct scn *s, const char *dir, struct perr *e)
{
    size_t n = strlen(dir) + 32;
    char *path = xmalloc(n);
    snprintf(path, n, "%s/incident_types.csv", dir);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        err_sys(e, "%s", path);
        free(path);
        return NULL;
    }
    double mean = mean_on_scene(s);
    fputs("id,priority,share,service,mean_min,target_min,class\n", fp);
    for (int i = 0; i < s->n_itypes; i++) {
        const struct scn_itype *it = &s->itypes[i];
        fprintf(fp, "%s,%d,%.17g,exponential,%.17g,%.17g,%s\n", it->id, it->priority, it->share,
                mean, it->target_min, inc_class_is_case(it->cls) ? "other" : inc_class_name(it->cls));
    }
    if (fclose(fp) != 0) {
        err_sys(e, "%s", path);
        free(path);
        return NULL;
    }
    return path;
}

/* Family-wise level of the verdict: Bonferroni over the figures shown. */
#define CHECK_ALPHA 0.05

struct check_tally {
    int rows, out;         /* figures tested, and those outside their 95% CI */
    int flat;              /* figures the same in every replication: no z */
    double max_z;
    const char *max_name;
    char max_buf[96];
};

/* One figure: analytic a against the replications x[0..reps).  The CI is
 * Student's t; z = (mean - a) / standard error. */
static void row_print(const char *name, double a, const double *x, int reps,
                      struct check_tally *tl)
{
    double m, h;
    stat_ci(x, (size_t)reps, 0.95, &m, &h);
    double t = gsl_cdf_tdist_Pinv(0.975, reps - 1), se = h / t;
    if (!(se > 0)) {
        /* E.g. P(wait) 3e-7 and no call queued in any replication: the
         * replications carry no spread to judge the gap by. */
        tl->flat++;
        printf("%-36s %10.4f %10.4f   (same in every replication: not tested)\n", name, a, m);
        return;
    }
    double z = (m - a) / se;
    bool out = fabs(z) > t;
    tl->rows++;
    tl->out += out;
    if (fabs(z) > tl->max_z || !tl->max_name) {
        tl->max_z = fabs(z);
        snprintf(tl->max_buf, sizeof tl->max_buf, "%s", name);
        tl->max_name = tl->max_buf;
    }
    printf("%-36s %10.4f %10.4f ± %-8.4f %7.2f%s\n", name, a, m, h, z, out ? "  *" : "");
}

/* Per replication, the mean utilisation of the model's servers (the run's
 * all.utilisation_mean also counts units the model leaves out). */
static void server_util(const struct analysis *an, const struct res_layout *L, const double *x,
                        int R, double *col)
{
    const struct scn *s = an->s;
    for (int r = 0; r < R; r++) {
        double sum = 0;
        int n = 0;
        for (int u = 0; u < s->n_units; u++) {
            if (an->A.unit_duty[u] <= 0)
                continue;
            long i = res_find(L, "unit", "utilisation", s->units[u].id);
            double v = i >= 0 ? x[(size_t)r * L->n + (size_t)i] : NAN;
            if (!isnan(v))
                sum += v, n++;
        }
        col[r] = n ? sum / n : NAN;
    }
}

/* The spread of the mean service by unit under the model's own dispatch,
 * and the workload shift it implies to first order, rho_n (S_n / S - 1). */
static void print_service_spread(const struct analysis *an)
{
    const struct scn *s = an->s;
    const struct agg *A = &an->A;
    double lo = INFINITY, hi = -INFINITY, shift = 0, scene = mean_on_scene(s);
    int ulo = -1, uhi = -1, ush = -1;
    for (int u = 0; u < s->n_units; u++) {
        if (A->unit_duty[u] <= 0)
            continue;
        double v = A->unit_svc[u], d = A->unit_w[u] * (v / A->mean_svc - 1);
        if (v < lo)
            lo = v, ulo = u;
        if (v > hi)
            hi = v, uhi = u;
        if (fabs(d) > fabs(shift))
            shift = d, ush = u;
    }
    if (ulo < 0)
        return;
    printf("travel: out and back is %.1f%% of the mean service of %.2f min; by unit, under the "
           "model's dispatch, %.2f (%s) to %.2f min (%s).\n",
           100 * (A->mean_svc - scene) / A->mean_svc, A->mean_svc, lo, s->units[ulo].id, hi,
           s->units[uhi].id);
    printf("  The model gives every unit one exponential rate; trips that differ by unit and are "
           "longer when\n  backups go far (when many units are busy) are a departure it cannot "
           "represent: to first order\n  it moves workloads by as much as %.2f points (%s) and "
           "raises P(wait).  Where that is larger than\n  the CIs below, disagreement there is expected, "
           "not a fault of the simulator.\n", 100 * fabs(shift), s->units[ush].id);
    /* Exponential on-scene time plus nearly fixed trips: less variable than
     * one exponential of the same mean, so the queue is shorter; the
     * Allen-Cunneen factor (1 + cv^2) / 2 sizes it. */
    double cv2 = (scene / A->mean_svc) * (scene / A->mean_svc);
    printf("  Service is exponential on scene plus travel, squared coefficient of variation "
           "about %.3f\n  (the model: 1), so waits run about %.1f%% below the model's "
           "(Allen-Cunneen).\n", cv2, 100 * (1 - (1 + cv2) / 2));
}

static int run_check(const char *dir, struct cli_ov *ov, enum hcq_method meth, int jobs)
{
    struct perr e;
    char tmpl[] = "/tmp/patrolsim-analytic-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    if (!tmp) {
        perror("patrolsim analytic: mkdtemp");
        return EXIT_FAIL;
    }
    struct scn *s0 = police_load(dir, ov);
    if (!s0) {
        rmdir(tmp);
        return EXIT_USAGE;
    }
    char *types = write_exp_types(s0, tmp, &e);
    bool tiered = strcmp(s0->policy, "tiered") == 0, capped;
    /* The model weights each staffing period by its share of the roster
     * cycle; a measured span that is not whole cycles gives some squads
     * more days than others (30 days of a 4-day cycle: 8 against 7). */
    char *srv = xmalloc((size_t)(s0->n_units ? s0->n_units : 1));
    for (int u = 0; u < s0->n_units; u++)
        srv[u] = s0->units[u].role != ROLE_CASE_TEAM;     /* the check's types' roles */
    long cycle = roster_cycle(s0, srv, &capped);
    free(srv);
    double span = s0->horizon_days - s0->warmup_days, whole = ceil(span / cycle - 1e-9) * cycle;
    char horizon[64] = "";
    if (cycle > 1 && !capped && whole != span)
        snprintf(horizon, sizeof horizon, "%.17g", s0->warmup_days + whole);
    scn_free(s0);
    if (!types) {
        fprintf(stderr, "patrolsim analytic: %s\n", e.msg);
        rmdir(tmp);
        return EXIT_FAIL;
    }
    /* The model's conditions, as INI-key overrides after the user's.  The
     * model reads tiered as nearest_idle (it escalates by travel time from
     * the call, a state-dependent rule no fixed list holds), so the check
     * simulates what the model solves. */
    cli_ov_add(ov, "dispatch", "redispatch_returning", "false");
    cli_ov_add(ov, "dispatch", "preempt", "false");
    if (tiered)
        cli_ov_add(ov, "dispatch", "policy", "nearest_idle");
    cli_ov_add(ov, "staffing", "absence_probability", "0");
    cli_ov_add(ov, "tables", "incident_types", types);
    if (horizon[0])
        cli_ov_add(ov, "run", "horizon_days", horizon);
    struct scn *s = police_load(dir, ov);
    unlink(types);
    rmdir(tmp);
    free(types);
    if (!s)
        return EXIT_USAGE;
    struct analysis an;
    if (analyse(s, meth, &an, &e) < 0) {
        fprintf(stderr, "patrolsim analytic: %s\n", e.msg);
        analysis_release(&an);
        scn_free(s);
        return EXIT_USAGE;
    }
    struct res_layout L;
    ops_layout(s, &L);
    int R = s->reps < 2 ? 2 : s->reps;
    double *x = xmalloc((size_t)R * L.n * sizeof *x);
    struct check_ctx ctx = { s, s->seed };
    double t0 = now_s();
    int rc = exp_run(R, jobs, L.n, check_task, &ctx, x, &e);
    double t_sim = now_s() - t0;
    if (rc < 0) {
        fprintf(stderr, "patrolsim analytic: %s\n", e.msg);
        free(x);
        res_layout_release(&L);
        analysis_release(&an);
        scn_free(s);
        return EXIT_FAIL;
    }
    printf("\ncheck: simulation under the model's conditions (seed %llu, %d replications of "
           "%g days after %g warm-up, %.1f s)\n", (unsigned long long)s->seed, R,
           s->horizon_days - s->warmup_days, s->warmup_days, t_sim);
    printf("set for the check: on-scene times exponential with one mean (%.2f min, the types' "
           "share-weighted mean), one unit per call, no case handover, %sredispatch_returning = "
           "false, preempt = false, absence_probability = 0%s%s%s\n", mean_on_scene(s),
           tiered ? "policy = nearest_idle (was tiered), " : "",
           horizon[0] ? ", horizon_days = " : "", horizon,
           horizon[0] ? " (whole roster cycles measured)" : "");
    if (capped)
        printf("rosters repeat after more than %d days: staffing periods are taken from the "
               "first %d, and the measured span is not aligned to the cycle\n", MAX_CYCLE_DAYS,
               MAX_CYCLE_DAYS);
    if (an.notes[0])
        printf("still differing from the model:\n%s", an.notes);
    print_service_spread(&an);
    if (s->cp_mean_min > 0)
        printf("call processing (mean %.2f min) delays every dispatch; the delayed calls are "
               "still Poisson, and the\n  simulated wait includes it, so the analytic wait "
               "below is call processing + queue wait\n", s->cp_mean_min);
    printf("\n%-36s %10s %10s   %-8s %7s\n", "metric", "analytic", "simulated", "95% CI", "z");
    double *col = xmalloc((size_t)R * sizeof *col);
    struct check_tally tl = { 0 };
    server_util(&an, &L, x, R, col);
    row_print("servers.utilisation_mean", util_stat(&an, 0), col, R, &tl);
    struct { const char *slot; double a; } g[] = {
        { "all.queued_share", an.A.p_wait },
        { "all.wait_mean_min", an.cp + an.A.wait },
        { "all.travel_mean_min", an.A.travel },
        { "all.response_mean_min", an.A.resp },
        { "all.first_contact_rate", an.A.first },
        { "all.cross_grid_share", an.A.cross },
    };
    for (size_t k = 0; k < sizeof g / sizeof *g; k++) {
        long i = res_lookup(&L, g[k].slot);
        if (i < 0)
            continue;
        for (int r = 0; r < R; r++)
            col[r] = x[(size_t)r * L.n + (size_t)i];
        row_print(g[k].slot, g[k].a, col, R, &tl);
    }
    for (int u = 0; u < s->n_units; u++) {
        if (an.A.unit_duty[u] <= 0)
            continue;
        long i = res_find(&L, "unit", "utilisation", s->units[u].id);
        if (i < 0)
            continue;
        for (int r = 0; r < R; r++)
            col[r] = x[(size_t)r * L.n + (size_t)i];
        char name[96];
        snprintf(name, sizeof name, "unit.utilisation.%s", s->units[u].id);
        row_print(name, an.A.unit_w[u], col, R, &tl);
    }
    /* Each unit's share of the calls: the row sums of f, the dispatch
     * fractions, free of the spread in the number of calls. */
    double calls_tot = 0;
    for (int u = 0; u < s->n_units; u++)
        calls_tot += an.A.unit_calls[u];
    long i_all = res_lookup(&L, "all.incidents");
    for (int u = 0; u < s->n_units && i_all >= 0; u++) {
        if (an.A.unit_duty[u] <= 0)
            continue;
        long i = res_find(&L, "unit", "incidents", s->units[u].id);
        if (i < 0)
            continue;
        for (int r = 0; r < R; r++)
            col[r] = x[(size_t)r * L.n + (size_t)i] / x[(size_t)r * L.n + (size_t)i_all];
        char name[96];
        snprintf(name, sizeof name, "unit.call_share.%s", s->units[u].id);
        row_print(name, an.A.unit_calls[u] / calls_tot, col, R, &tl);
    }
    for (int gi = 0; gi < s->n_grids; gi++) {
        if (an.A.grid_w[gi] <= 0)
            continue;
        long i = res_find(&L, "grid", "first_contact_rate", s->grids[gi].id);
        if (i < 0)
            continue;
        for (int r = 0; r < R; r++)
            col[r] = x[(size_t)r * L.n + (size_t)i];
        char name[96];
        snprintf(name, sizeof name, "grid.first_contact_rate.%s", s->grids[gi].id);
        row_print(name, an.A.grid_first[gi], col, R, &tl);
    }
    double tcrit = gsl_cdf_tdist_Pinv(0.975, R - 1);
    double zfw = tl.rows ? gsl_cdf_tdist_Pinv(1 - CHECK_ALPHA / (2.0 * tl.rows), R - 1) : NAN;
    bool agree = tl.rows > 0 && tl.max_z <= zfw;
    printf("\n%d replications, %d figures: %d outside their 95%% CI (|z| > %.2f, Student t with %d "
           "degrees of freedom);\n  expected by chance if the model is exact: %.1f (5%% of %d; "
           "the figures are correlated, so the count varies more than binomially)\n",
           R, tl.rows, tl.out, tcrit, R - 1, 0.05 * tl.rows, tl.rows);
    if (tl.flat)
        printf("  (%d more figure%s the same in every replication, not tested)\n", tl.flat,
               tl.flat > 1 ? "s" : "");
    printf("largest |z| %.2f (%s); family-wise %.0f%% threshold over %d figures (Bonferroni) "
           "%.2f: %s\n", tl.max_z, tl.max_name ? tl.max_name : "-", 100 * CHECK_ALPHA, tl.rows,
           zfw, agree ? "the simulation agrees with the model"
                      : "the simulation and the model DISAGREE beyond chance");
    printf("check-summary: reps=%d figures=%d outside=%d max_abs_z=%.4f bonferroni_z=%.4f "
           "verdict=%s\n", R, tl.rows, tl.out, tl.max_z, zfw, agree ? "agree" : "disagree");
    free(col);
    free(x);
    res_layout_release(&L);
    analysis_release(&an);
    scn_free(s);
    return EXIT_OK;
}

int cmd_analytic(int argc, char **argv)
{
    static const struct option opts[] = {
        { "set", required_argument, 0, 'S' },
        { "method", required_argument, 0, 'm' },
        { "pwait-target", required_argument, 0, 'p' },
        { "out", required_argument, 0, 'o' },
        { "check", no_argument, 0, 'c' },
        { "reps", required_argument, 0, 'r' },
        { "seed", required_argument, 0, 's' },
        { "jobs", required_argument, 0, 'j' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out_dir = NULL;
    enum hcq_method meth = HCQ_AUTO;
    double pw_target = 0.2;
    int check = 0, jobs = exp_ncpu(), c, rc = EXIT_USAGE;
    char *end;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'm':
            if (!strcmp(optarg, "auto")) meth = HCQ_AUTO;
            else if (!strcmp(optarg, "exact")) meth = HCQ_EXACT;
            else if (!strcmp(optarg, "approximate")) meth = HCQ_APPROX;
            else {
                fprintf(stderr, "patrolsim analytic: --method: expected auto, exact or "
                                "approximate, got '%s'\n", optarg);
                goto done;
            }
            break;
        case 'p':
            pw_target = strtod(optarg, &end);
            if (*end || !(pw_target > 0) || pw_target > 1) {
                fprintf(stderr, "patrolsim analytic: --pwait-target: expected a probability in "
                                "(0, 1], got '%s'\n", optarg);
                goto done;
            }
            break;
        case 'o': out_dir = optarg; break;
        case 'c': check = 1; break;
        case 'r': cli_ov_add(&ov, "run", "replications", optarg); break;
        case 's': cli_ov_add(&ov, "run", "seed", optarg); break;
        case 'j': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024) {
                fprintf(stderr, "patrolsim analytic: --jobs: expected an integer 1..1024, got '%s'\n",
                        optarg);
                goto done;
            }
            jobs = (int)v;
            break;
        }
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim analytic --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1) {
        fputs("patrolsim analytic: expected one SCENARIO folder; see 'patrolsim analytic --help'\n",
              stderr);
        goto done;
    }
    struct scn *s = police_load(argv[optind], &ov);
    if (!s)
        goto done;
    struct analysis an;
    struct perr e;
    if (analyse(s, meth, &an, &e) < 0) {
        fprintf(stderr, "patrolsim analytic: %s\n", e.msg);
        analysis_release(&an);
        scn_free(s);
        goto done;
    }
    print_analysis(stdout, &an, pw_target);
    rc = EXIT_OK;
    if (out_dir) {
        if (write_files(out_dir, &an, &e) < 0) {
            fprintf(stderr, "patrolsim analytic: %s\n", e.msg);
            rc = EXIT_FAIL;
        } else {
            printf("\nresults written to %s/\n", out_dir);
        }
    }
    analysis_release(&an);
    scn_free(s);
    if (rc == EXIT_OK && check)
        rc = run_check(argv[optind], &ov, meth, jobs);
done:
    cli_ov_release(&ov);
    return rc;
}
