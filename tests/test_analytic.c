/* test_analytic.c - `patrolsim analytic` on the bundled hypercube demo:
 * the result files exist with the promised columns and metrics, bad usage
 * exits 2, and --check agrees with the model where the model's conditions
 * hold and detects the departure where they do not.
 *
 * Agreement is judged family-wise: the largest |z| over the figures the
 * check prints (25 for the demo) must stay under the Bonferroni threshold
 * for a 5% family-wise error, t^-1(1 - 0.05 / (2 x 25), R - 1) = 3.11 at
 * R = 400, which the check prints and the test reads back.  400
 * replications give standard errors of about 0.0004 on the workloads and
 * 0.0003 on P(wait), so the biases this check once showed (workloads off by
 * 0.2-0.3 points from lattice points on bisectors, P(wait) by 0.003 from
 * travel) would stand at |z| 4.5-7 and fail it; the same check with
 * realistic speeds must report the disagreement, and calls placed at
 * demand points (location = points) must agree too.  The seed is fixed, so
 * the outcome is deterministic; the whole test takes about 1.5 s on two
 * threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gsl/gsl_errno.h>
#include "analytic.h"
#include "tcheck.h"
#include "testutil.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int run(int argc, const char **argv)
{
    char *v[16];
    for (int i = 0; i < argc; i++)
        v[i] = (char *)argv[i];
    v[argc] = NULL;
    fflush(stdout);
    return cmd_analytic(argc, v);
}

/* Runs cmd_analytic with stdout sent to path. */
static int run_to(const char *path, int argc, const char **argv)
{
    fflush(stdout);
    int saved = dup(1);
    FILE *fp = fopen(path, "w");
    if (saved < 0 || !fp || dup2(fileno(fp), 1) < 0) {
        perror(path);
        exit(1);
    }
    int rc = run(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    fclose(fp);
    return rc;
}

struct summary {
    int reps, figures, outside;
    double max_z, bonf_z;
    char verdict[16];
};

static int parse_summary(const char *text, struct summary *sm)
{
    const char *p = text ? strstr(text, "check-summary: ") : NULL;
    return p && sscanf(p, "check-summary: reps=%d figures=%d outside=%d max_abs_z=%lf "
                          "bonferroni_z=%lf verdict=%15s", &sm->reps, &sm->figures,
                       &sm->outside, &sm->max_z, &sm->bonf_z, sm->verdict) == 6;
}

static void check_mode(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/check.txt", dir);
    struct summary sm;

    const char *a1[] = { "analytic", "scenarios/hypercube-demo", "--check", "--reps", "400",
                         "--jobs", "2" };
    CHECK_INT(run_to(path, 7, a1), 0);
    const char *t = slurp(path);
    CHECK_HAS(t, "400 replications, 25 figures: ");
    CHECK_HAS(t, "expected by chance if the model is exact: 1.2");
    CHECK_HAS(t, "travel: out and back is 0.3% of the mean service");
    CHECK(parse_summary(t, &sm), "check-summary line present");
    CHECK_INT(sm.reps, 400);
    CHECK_INT(sm.figures, 25);
    CHECK_NEAR(sm.bonf_z, 3.1108, 0.001);      /* t^-1(1 - 0.05/50, 399) */
    CHECK(sm.max_z <= sm.bonf_z, "hypercube demo: largest |z| %.2f within the family-wise "
          "threshold %.2f", sm.max_z, sm.bonf_z);
    CHECK_STR(sm.verdict, "agree");

    /* Realistic speed: trips now differ by unit (2.6% of the service), which
     * the model's single rate cannot represent; the check must see it. */
    const char *a2[] = { "analytic", "scenarios/hypercube-demo", "--set", "modes.car=40",
                         "--check", "--reps", "400", "--jobs", "2" };
    CHECK_INT(run_to(path, 9, a2), 0);
    t = slurp(path);
    CHECK(parse_summary(t, &sm), "check-summary line present");
    CHECK(sm.max_z > sm.bonf_z, "40 km/h: largest |z| %.2f beyond the threshold %.2f",
          sm.max_z, sm.bonf_z);
    CHECK_STR(sm.verdict, "disagree");
}

/* location = points: incidents happen at the demand points only, so the
 * model must sample those, not the grids' areas.  The demo's layout with
 * each grid's calls at one point off its centre (off every bisector):
 * sampling the areas instead gave |z| = 193 (20 of 25 figures outside). */
static void points_check(const char *tmp)
{
    char sdir[1024], path[1024];
    snprintf(sdir, sizeof sdir, "%s/points", tmp);
    CHECK(mkdir(sdir, 0777) == 0, "mkdir %s", sdir);
    static const char *const files[] = { "grids.csv", "units.csv", "facilities.csv",
                                         "incident_types.csv" };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "scenarios/hypercube-demo/%s", files[i]);
        const char *t = slurp(path);
        CHECK(t != NULL, "read %s", path);
        tu_write(sdir, files[i], t ? t : "");
    }
    const char *ini = slurp("scenarios/hypercube-demo/scenario.ini");
    const char *loc = ini ? strstr(ini, "location = grid_weight") : NULL;
    CHECK(loc != NULL, "the demo places calls by grid weight");
    if (!loc)
        return;
    char buf[8192];
    snprintf(buf, sizeof buf, "%.*slocation = points\npoints = points.csv%s", (int)(loc - ini),
             ini, loc + strlen("location = grid_weight"));
    tu_write(sdir, "scenario.ini", buf);
    tu_write(sdir, "points.csv", "id,x,y,weight\n"
             "PA1,0.27,0.31,1.6\nPA2,0.59,0.45,1.0\nPA3,0.61,0.59,0.7\n"
             "PB1,0.02,0.05,1.2\nPB2,0.33,0.20,0.9\nPB3,0.88,0.04,0.6\n");
    snprintf(path, sizeof path, "%s/check_points.txt", tmp);
    const char *a[] = { "analytic", sdir, "--check", "--reps", "400", "--jobs", "2" };
    CHECK_INT(run_to(path, 7, a), 0);
    struct summary sm;
    CHECK(parse_summary(slurp(path), &sm), "check-summary line present (points)");
    CHECK(sm.max_z <= sm.bonf_z, "demand points: largest |z| %.2f within the family-wise "
          "threshold %.2f", sm.max_z, sm.bonf_z);
    CHECK_STR(sm.verdict, "agree");
}

/* Workload of unit id in dir/analytic_units.csv, or NAN. */
static double unit_workload(const char *dir, const char *id)
{
    char path[1024], key[64];
    snprintf(path, sizeof path, "%s/analytic_units.csv", dir);
    snprintf(key, sizeof key, "\n%s,", id);
    const char *t = slurp(path), *p = t ? strstr(t, key) : NULL;
    return p ? strtod(p + strlen(key), NULL) : NAN;
}

/* The demo mirrored: rows A and B with equal weights, so CA_k and CB_k are
 * mirror images about y = 0.3 km.  A 16 x 16 lattice puts whole diagonals
 * of points on the bisectors between A and B bases; given whole to the
 * lower-index unit (CA_k), those ties once made CA2 0.12 points busier than
 * CB2.  Split, the mirror images must get the same workload (the CSV's six
 * decimals). */
static void mirror_symmetry(const char *dir)
{
    static const char *files[] = { "facilities.csv", "units.csv", "incident_types.csv",
                                   "scenario.ini" };
    char path[1024];
    char *sdir = tu_tmpdir();
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "scenarios/hypercube-demo/%s", files[i]);
        const char *t = slurp(path);
        CHECK(t != NULL, "read %s", path);
        if (t)
            tu_write(sdir, files[i], t);
    }
    tu_write(sdir, "grids.csv",
             "id,name,weight,xmin,ymin,xmax,ymax,polygon\n"
             "A1,a1,1.4,0,0.3,0.3,0.6,\nA2,a2,1.0,0.3,0.3,0.6,0.6,\nA3,a3,0.7,0.6,0.3,0.9,0.6,\n"
             "B1,b1,1.4,0,0,0.3,0.3,\nB2,b2,1.0,0.3,0,0.6,0.3,\nB3,b3,0.7,0.6,0,0.9,0.3,\n");
    const char *a[] = { "analytic", sdir, "--out", dir };
    CHECK_INT(run_to("/dev/null", 4, a), 0);
    static const char *pairs[3][2] = { { "CA1", "CB1" }, { "CA2", "CB2" }, { "CA3", "CB3" } };
    for (int k = 0; k < 3; k++) {
        double wa = unit_workload(dir, pairs[k][0]), wb = unit_workload(dir, pairs[k][1]);
        CHECK(fabs(wa - wb) < 1e-6, "mirror images %s %.6f and %s %.6f have equal workloads",
              pairs[k][0], wa, pairs[k][1], wb);
    }
    tu_rmrf(sdir);
    free(sdir);
}

int main(void)
{
    gsl_set_error_handler_off();
    char *dir = tu_tmpdir();
    const char *a1[] = { "analytic", "scenarios/hypercube-demo", "--out", dir };
    CHECK_INT(run(4, a1), 0);
    char path[1024];
    snprintf(path, sizeof path, "%s/analytic_summary.csv", dir);
    const char *t = slurp(path);
    CHECK_HAS(t, "metric,value\n");
    CHECK_HAS(t, "method,exact\n");
    CHECK_HAS(t, "p_wait,");
    CHECK_HAS(t, "mean_wait_min,");
    CHECK_HAS(t, "inter_area_share,");
    snprintf(path, sizeof path, "%s/analytic_units.csv", dir);
    t = slurp(path);
    CHECK_HAS(t, "unit,workload,");
    CHECK_HAS(t, "\nCA1,");
    snprintf(path, sizeof path, "%s/analytic_grids.csv", dir);
    t = slurp(path);
    CHECK_HAS(t, "grid,first_contact,");
    CHECK_HAS(t, "\nB3,");
    const char *a2[] = { "analytic", "scenarios/hypercube-demo", "--method", "approximate",
                         "--out", dir };
    CHECK_INT(run(6, a2), 0);
    snprintf(path, sizeof path, "%s/analytic_summary.csv", dir);
    CHECK_HAS(slurp(path), "method,approximate\n");
    const char *a3[] = { "analytic", "scenarios/hypercube-demo", "--method", "fast" };
    CHECK_INT(run(4, a3), 2);
    const char *a4[] = { "analytic", "scenarios/hypercube-demo", "--set",
                         "incidents.rate_per_day=2000" };
    CHECK_INT(run(4, a4), 2);       /* offered load above 6 units: unstable queue */
    const char *a5[] = { "analytic", "scenarios/hypercube-demo", "--check", "--reps", "3",
                         "--jobs", "2" };
    CHECK_INT(run(7, a5), 0);
    mirror_symmetry(dir);
    check_mode(dir);
    points_check(dir);
    tu_rmrf(dir);
    free(dir);
    return tc_done();
}
