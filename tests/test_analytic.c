/* test_analytic.c - `patrolsim analytic` on the bundled hypercube demo:
 * the result files exist with the promised columns and metrics, bad usage
 * exits 2, and --check runs the simulation beside the model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    tu_rmrf(dir);
    free(dir);
    return tc_done();
}
