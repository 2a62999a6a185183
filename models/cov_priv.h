/* cov_priv.h - the coverage computation shared by `patrolsim coverage`
 * (cmd_coverage.c) and `patrolsim blockade` (cmd_blockade.c), and read by
 * the tests.  Prefix cov_; not a public surface.
 */
#ifndef PATROLSIM_COV_PRIV_H
#define PATROLSIM_COV_PRIV_H

#include <math.h>
#include "scn.h"

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

/* The facilities that are the base of a unit, in facility order, into
 * fac[], and for each the index of its units' fastest mode (ties: the unit
 * listed first); returns their number.  fac and mode hold n_facilities. */
int cov_bases(const struct scn *s, int *fac, int *mode);
/* Nearest base of every point by free-flow travel time (s->trv). */
int cov_compute(const struct scn *s, const struct cov_pt *pt, int n, double target,
                struct cov *c);
void cov_release(struct cov *c);

#endif
