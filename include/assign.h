/* assign.h - bottleneck assignment: one unit per point, minimising the
 * longest time.
 *
 * Domain-free.  Input is an n_units x n_points matrix of times (row-major:
 * t[u * n_points + p], the time unit u needs to reach point p), every entry
 * >= 0 or +INFINITY for "cannot reach".  The result gives every point its own
 * unit (n_points <= n_units; spare units stay unassigned) such that the
 * largest time used, the bottleneck, is as small as possible.
 *
 * Method: bisection over the sorted distinct finite times; at each candidate
 * threshold a Hopcroft-Karp maximum matching on the edges with time <= the
 * threshold says whether every point can be served.  Cost O(E sqrt(V) log E)
 * for E = n_units * n_points entries: for 80 units and 13 points, microseconds.
 *
 * With ASSIGN_MIN_SUM, among all assignments that achieve the bottleneck the
 * one with the smallest total time is returned (the Hungarian method on the
 * entries <= the bottleneck, O(n_points^2 n_units)): the same sealing time,
 * and no unit drives further than it must.  Without it, the matching found at
 * the bottleneck is returned as it is (a valid optimum, but some unit may take
 * a needlessly long route below the bottleneck).
 *
 * Determinism: the result depends on the matrix alone (units and points are
 * scanned in index order, no randomness), so the same input gives the same
 * assignment on every run and platform with IEEE doubles.
 */
#ifndef PATROLSIM_ASSIGN_H
#define PATROLSIM_ASSIGN_H

#include "err.h"

#define ASSIGN_MIN_SUM 1u   /* among bottleneck optima, minimise the sum of times */

struct assign_result {
    double bottleneck;      /* the longest time used (the matrix's unit) */
    double sum;             /* the sum of the assigned times */
    int unserved;           /* on failure: a point that cannot get its own unit, else -1 */
};

/* Fills unit_of[0..n_points) with the unit serving each point.  0, or -1
 * with e set when n_points > n_units, an entry is negative or NaN, or no
 * assignment of finite times exists (the message names a point that cannot
 * be served).  n_points == 0 is valid: bottleneck and sum are 0. */
int assign_bottleneck(const double *t, int n_units, int n_points, unsigned flags,
                      int *unit_of, struct assign_result *res, struct perr *e);

#endif
