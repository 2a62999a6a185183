/* hcq.h - the hypercube queueing model (Larson 1974) and its A-hypercube
 * approximation (Larson 1975), domain-free.
 *
 * N identical servers ("units") with exponential service of rate mu serve
 * Poisson calls from J atoms (rate lambda_j).  Every atom has a fixed
 * preference list, a permutation of all N units: a call goes to the first
 * free unit on its atom's list.  When every unit is busy the call either
 * joins one infinite FCFS queue (HCQ_QUEUE; a freed unit takes the head, so
 * each unit serves 1/N of the queued calls) or is lost (HCQ_LOSS).
 *
 * Exact method: the 2^N busy/free states form a Markov chain solved by
 * Gauss-Seidel sweeps in order of the number of busy units.  With a queue,
 * the states "all busy, k waiting" are a birth-death tail with rates lambda
 * and N mu whose mass is P(all busy, none waiting) rho/(1-rho), rho =
 * lambda/(N mu); the 2^N balance equations are the same as in the loss
 * system and only the normalisation differs, so the tail is added in closed
 * form.  Cost: O(2^N (N + G)) memory-light work per setup and O(2^N N) per
 * sweep, G the number of distinct preference lists; practical to N = 15-18.
 * Stopping rule: the largest residual of a balance equation, divided by
 * lambda + N mu (so it is a probability flow per unit of total event rate),
 * is at most tol (default 1e-12); it is reported in hcq_result.residual.
 *
 * Approximate method (A-hypercube): unit busy states are treated as
 * independent with workloads rho_n, corrected by Larson's factor
 * Q(N, rho, k) so that the probability that the first k units of a list
 * are busy and the next free is exact for the M/M/N (or M/M/N/N) system
 * when all workloads are equal.  N equations, solved by fixed-point
 * iteration to tol; Larson & Odoni report errors of 1-2% of the exact
 * workloads.  P(all busy) and the mean wait are exact in both methods: with
 * identical servers they do not depend on the preferences.
 *
 * Units of time are the caller's (lambda and mu in the same unit, travel
 * times in any unit; means are returned in those units).
 */
#ifndef PATROLSIM_HCQ_H
#define PATROLSIM_HCQ_H

#include "err.h"

enum hcq_capacity { HCQ_QUEUE, HCQ_LOSS };
enum hcq_method { HCQ_AUTO, HCQ_EXACT, HCQ_APPROX };

#define HCQ_AUTO_EXACT_MAX 15  /* HCQ_AUTO: exact up to this many units */
#define HCQ_EXACT_MAX 20       /* hard limit of the exact method (2^20 states) */

/* The model; the caller owns every array and keeps it alive during solve. */
struct hcq_model {
    int n_units;               /* N >= 1 */
    int n_atoms;               /* J >= 1 */
    const double *lambda;      /* [J] call rate per atom, >= 0, sum > 0 */
    const int *pref;           /* [J * N] row j: permutation of 0..N-1, most preferred first */
    double mu;                 /* service rate of every unit, > 0 */
    enum hcq_capacity capacity;
    const double *travel;      /* [N * J] travel time of unit n (idle) to atom j, or NULL */
    const double *atom_travel; /* [J * J] from atom i to atom j, or NULL: the travel of
                                  a queued call, served by a unit that has just
                                  finished a call elsewhere (see hcq_result) */
};

struct hcq_opts {
    enum hcq_method method;    /* HCQ_AUTO: exact when N <= HCQ_AUTO_EXACT_MAX */
    double tol;                /* convergence tolerance; <= 0: 1e-12 */
    int max_iter;              /* <= 0: 1000000 (exact) or 100000 (approximate) */
};

/* Results; arrays owned, released by hcq_result_release. */
struct hcq_result {
    int n_units, n_atoms;
    enum hcq_method method;    /* HCQ_EXACT or HCQ_APPROX: the one used */
    /* [N] share of time unit n is busy; approximate: Larson's fixed point. */
    double *workload;
    /* [N * J] f[n * J + j]: share of all calls that are atom j's and are served by
     * unit n.  Sums to 1 with a queue and to 1 - P(loss) in a loss system; in
     * the exact solution workload[n] = (lambda/mu) sum_j f[n][j].  Approximate:
     * each atom's immediate dispatch probabilities are rescaled to sum to the
     * exact 1 - P(all busy), so the identity holds only approximately. */
    double *f;
    double *first_share;       /* [J] share of atom j's served calls whose unit is first on its list */
    double inter_area;         /* share of served calls whose unit is not first on the atom's list */
    double p_all_busy;         /* queue: P(a call waits) (Erlang C); loss: P(lost) (Erlang B) */
    double mean_wait;          /* queue: mean wait over all calls; loss: 0 */
    double mean_wait_queued;   /* queue: mean wait of those that wait, 1/(N mu - lambda) */
    /* Travel (NAN without a travel matrix): a call answered at once is reached
     * from its unit's idle position, travel[n][j]; a queued call by the unit that
     * frees first, from the atom i of the call it finished (atom_travel[i][j]
     * with i drawn by lambda_i) or, without atom_travel, from its idle position
     * with each unit equally likely. */
    double *travel_atom;       /* [J] mean travel time to atom j's served calls */
    double travel_mean;        /* over all served calls */
    int iterations;
    double residual;           /* exact: max balance residual / (lambda + N mu);
                                  approximate: last change of a workload */
};

/* Solves model m.  Returns 0, or -1 with e set (invalid model, unstable
 * queue, N too large for the exact method, no convergence in max_iter). */
int hcq_solve(const struct hcq_model *m, const struct hcq_opts *o, struct hcq_result *r,
              struct perr *e);
void hcq_result_release(struct hcq_result *r);

/* Larson's correction factor Q(N, rho, k): P(k given units busy and a given
 * other unit free) / (rho^k (1 - rho)) in the M/M/N queue with utilisation
 * rho (HCQ_QUEUE), or in the M/M/N/N loss system with offered load
 * a = N rho_offered, where rho is then the carried utilisation (HCQ_LOSS).
 * Fills q[0..N-1].  For the queue pass rho = lambda/(N mu) < 1; for loss
 * pass a.  Returns 0, or -1 on invalid input. */
int hcq_q_factors(int n, enum hcq_capacity cap, double load, double *q);

const char *hcq_method_name(enum hcq_method m);

#endif
