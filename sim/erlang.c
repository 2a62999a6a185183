/* erlang.c - Erlang B/C and M/M/c measures (see erlang.h).
 *
 * Staffing searches start at the stability bound floor(a) + 1 and walk up:
 * Erlang C falls monotonically in c, and for the loads a patrol planner
 * sees (a < 10^4) the walk is a few hundred steps of an O(c) recurrence.
 * The recurrence is restarted per c rather than carried along, which keeps
 * each value independent and the code obviously right; O(c^2) overall is
 * still microseconds at these sizes.
 */
#include <math.h>
#include "erlang.h"

double erlang_b(int c, double a)
{
    if (c < 0 || !(a >= 0) || isinf(a))
        return NAN;
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

double erlang_c(int c, double a)
{
    if (c < 0 || !(a >= 0) || isinf(a))
        return NAN;
    if (a >= c)
        return 1.0;
    double b = erlang_b(c, a), rho = a / c;
    return b / (1 - rho + rho * b);
}

int erlang_mmc(int c, double lambda, double mu, struct erlang_mmc *m)
{
    m->c = c;
    m->lambda = lambda;
    m->mu = mu;
    m->a = lambda / mu;
    m->rho = c > 0 ? m->a / c : INFINITY;
    if (c < 1 || !(lambda >= 0) || !(mu > 0) || isinf(lambda) || isinf(mu)) {
        m->p_wait = m->wq = m->wq_waiting = m->lq = m->l = m->w = NAN;
        return -1;
    }
    if (m->a >= c) {
        m->p_wait = 1;
        m->wq = m->wq_waiting = m->lq = m->l = m->w = INFINITY;
        return -1;
    }
    m->p_wait = erlang_c(c, m->a);
    m->wq_waiting = 1 / (c * mu - lambda);
    m->wq = m->p_wait * m->wq_waiting;
    m->lq = lambda * m->wq;
    m->w = m->wq + 1 / mu;
    m->l = lambda * m->w;
    return 0;
}

double erlang_wait_tail(int c, double lambda, double mu, double t)
{
    if (!(t >= 0))
        return NAN;
    double a = lambda / mu;
    if (a >= c)
        return 1.0;
    return erlang_c(c, a) * exp(-(c * mu - lambda) * t);
}

/* Stability bound: the least c with c > a. */
static int first_stable(double a)
{
    return (int)floor(a) + 1;
}

int erlang_staff_pwait(double a, double p_target)
{
    if (!(a >= 0) || !(p_target > 0) || p_target > 1 || a > 1e6)
        return -1;
    for (int c = first_stable(a); ; c++)
        if (erlang_c(c, a) <= p_target)
            return c;
}

int erlang_staff_wait(double lambda, double mu, double t, double p_target)
{
    if (!(lambda >= 0) || !(mu > 0) || !(t >= 0) || !(p_target > 0) || p_target > 1 ||
        lambda / mu > 1e6)
        return -1;
    for (int c = first_stable(lambda / mu); ; c++)
        if (erlang_wait_tail(c, lambda, mu, t) <= p_target)
            return c;
}
