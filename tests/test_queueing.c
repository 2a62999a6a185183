/* test_queueing.c - the engine against queueing theory.
 *
 * One tiny grid with c units co-located at its centre, travel negligible
 * (a 10 m grid at 500 km/h: under 0.01% of the 10-minute mean service),
 * exponential on-scene times and Poisson calls: an M/M/c queue.  For c = 1
 * (M/M/1), 2, 5 at loads 0.5 and 0.9 the simulated utilisation, P(wait) and
 * mean wait must contain the Erlang C values within their confidence
 * intervals across replications.  18 checks are made, so each interval is
 * taken at the Bonferroni level 1 - 0.05/18 (family-wise 95%); the table
 * prints the plain 95% intervals as well.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "erlang.h"
#include "ops.h"
#include "scn.h"
#include "stats.h"
#include "tcheck.h"
#include "testutil.h"

#define REPS 30
#define MEAN_SERVICE 10.0

static void scenario(const char *dir, int c, double rho, double horizon_days, double warmup_days)
{
    char buf[2048];
    double lambda_per_min = rho * c / MEAN_SERVICE;
    snprintf(buf, sizeof buf,
             "[scenario]\nname = M/M/%d at rho %.2f\n"
             "[run]\nseed = 4242\nreplications = %d\nhorizon_days = %g\nwarmup_days = %g\n"
             "[travel]\nmetric = euclidean\ncircuity = 1\n"
             "[modes]\ncar = 500\n"
             "[dispatch]\npolicy = nearest_idle\nhome_first = false\nredispatch_returning = true\n"
             "[incidents]\nrate_per_day = %.10g\nlocation = grid_weight\n",
             c, rho, REPS, horizon_days, warmup_days, lambda_per_min * 1440);
    tu_write(dir, "scenario.ini", buf);
    tu_write(dir, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,0.01,0.01\n");
    tu_write(dir, "facilities.csv", "id,tier,x,y\nP,post,0.005,0.005\n");
    int n = snprintf(buf, sizeof buf, "id,base,home_grids,mode\n");
    for (int u = 0; u < c; u++)
        n += snprintf(buf + n, sizeof buf - (size_t)n, "U%d,P,G,car\n", u);
    tu_write(dir, "units.csv", buf);
    snprintf(buf, sizeof buf, "id,priority,share,service,mean_min,target_min\n"
                              "call,1,1,exponential,%g,15\n", MEAN_SERVICE);
    tu_write(dir, "incident_types.csv", buf);
}

static void check_in(const char *what, int c, double rho, const double *x, double theory,
                     double level_check)
{
    double m95, h95, m, h;
    stat_ci(x, REPS, 0.95, &m95, &h95);
    stat_ci(x, REPS, level_check, &m, &h);
    CHECK(fabs(m - theory) <= h,
          "M/M/%d rho=%.1f %-14s sim %.4f ± %.4f (95%%), ± %.4f (Bonferroni)  theory %.4f",
          c, rho, what, m95, h95, h, theory);
}

int main(void)
{
    gsl_set_error_handler_off();
    const int cs[3] = { 1, 2, 5 };
    const double rhos[2] = { 0.5, 0.9 };
    const double level = 1 - 0.05 / 18;
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 2; k++) {
            int c = cs[i];
            double rho = rhos[k], a = rho * c, mu = 1 / MEAN_SERVICE;
            double pw = erlang_c(c, a), wq = pw / (c * mu - a * mu);
            char *dir = tu_tmpdir();
            /* Heavy load relaxes slowly: longer warm-up and horizon. */
            scenario(dir, c, rho, rho > 0.8 ? 40 : 15, rho > 0.8 ? 5 : 1);
            struct perr e;
            struct scn *s = scn_load(dir, NULL, 0, &e);
            CHECK(s != NULL, "load %s: %s", dir, s ? "ok" : e.msg);
            if (!s) {
                tu_rmrf(dir);
                free(dir);
                continue;
            }
            struct res_layout L;
            ops_layout(s, &L);
            double *row = malloc(L.n * sizeof *row);
            double util[REPS], pwait[REPS], wait[REPS];
            int ok = 1;
            for (int r = 0; r < REPS && ok; r++) {
                struct ops_params p = { s->seed, r, NULL };
                struct ops_totals t;
                ok = ops_run(s, &p, row, &t, &e) == 0 && t.in_system == 0 && t.created == t.completed;
                util[r] = row[G_UTIL_MEAN];
                pwait[r] = row[G_QUEUED];
                wait[r] = row[G_WAIT_MEAN];
            }
            CHECK(ok, "M/M/%d rho=%.1f: %d replications ran and conserved incidents", c, rho, REPS);
            check_in("utilisation", c, rho, util, rho, level);
            check_in("P(wait)", c, rho, pwait, pw, level);
            check_in("mean wait min", c, rho, wait, wq, level);
            free(row);
            res_layout_release(&L);
            scn_free(s);
            tu_rmrf(dir);
            free(dir);
        }
    }
    return tc_done();
}
