/* erlang.h - Erlang B, Erlang C and M/M/c measures for pooled servers.
 *
 * Offered load a = lambda / mu in erlangs; c identical exponential servers.
 * Erlang B (M/M/c/c: the share of calls lost) uses the recurrence
 * B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), which stays in (0, 1] and
 * never forms a^c or c!, so it is exact to rounding for any c and a (cost
 * O(c)).  Erlang C (M/M/c with an infinite FCFS queue: the share of calls
 * that wait) follows from B as C = B / (1 - rho + rho B), rho = a / c.
 * No function here allocates or fails on valid input; invalid input (a < 0,
 * c < 0, NAN) returns NAN and an unstable queue (a >= c) returns C = 1 and
 * infinite waits, which is the true limit.
 */
#ifndef PATROLSIM_ERLANG_H
#define PATROLSIM_ERLANG_H

/* P(loss) in M/M/c/c with offered load a; 1 for c = 0. */
double erlang_b(int c, double a);
/* P(wait) in M/M/c; 1 when a >= c. */
double erlang_c(int c, double a);

/* Measures of one M/M/c queue; times in the unit of 1/lambda and 1/mu. */
struct erlang_mmc {
    int c;
    double lambda, mu;
    double a;              /* offered load lambda / mu, erlangs */
    double rho;            /* utilisation a / c */
    double p_wait;         /* Erlang C */
    double wq;             /* mean wait over all calls */
    double wq_waiting;     /* mean wait of those that wait: 1 / (c mu - lambda) */
    double lq, l;          /* mean queue length, mean number in system */
    double w;              /* mean time in system, wq + 1/mu */
};
/* Fills m.  Returns 0, or -1 when the queue is unstable (a >= c) or the
 * input is invalid (m is then filled with the limits: waits INFINITY). */
int erlang_mmc(int c, double lambda, double mu, struct erlang_mmc *m);

/* P(W > t) in M/M/c: C exp(-(c mu - lambda) t), t >= 0. */
double erlang_wait_tail(int c, double lambda, double mu, double t);

/* Smallest c with P(wait) <= p_target for offered load a (0 < p_target
 * <= 1).  Also guarantees stability (c > a).  -1 on invalid input. */
int erlang_staff_pwait(double a, double p_target);
/* Smallest c with P(W > t) <= p_target (the "share answered within t"
 * service level is 1 - p_target).  -1 on invalid input. */
int erlang_staff_wait(double lambda, double mu, double t, double p_target);

#endif
