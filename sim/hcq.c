/* hcq.c - the hypercube queueing model, exact and A-hypercube (hcq.h).
 *
 * Both methods reduce the model to "dispatch probabilities" d[j][n]: the
 * probability that a call from atom j is answered at once by unit n.  Every
 * output (workloads, f, first shares, travel) is then computed by the same
 * code from d and P(all busy), so the two methods differ only in how d is
 * obtained.
 *
 * Atoms with identical preference lists are merged into groups first: the
 * chain depends only on the rate per distinct list, and scenario-built
 * models often have many atoms per list.
 *
 * Exact: states are bit masks (bit n set = unit n busy).  up[B * N + n] is
 * the rate at which calls arriving in state B go to free unit n.  The
 * balance equation of state B is
 *   P(B) (|B| mu + [B not all busy] lambda)
 *     = sum_{n in B} P(B - n) up[(B - n) N + n] + mu sum_{n not in B} P(B + n),
 * identical for the queue and the loss system (all-busy arrivals either
 * leave and come back to the same state through the queue tail, or are
 * lost).  Gauss-Seidel sweeps visit states by increasing number of busy
 * units so that the upward flow, the larger part at heavy load, uses values
 * already updated in the sweep.  Memory: 2^N (N + 1) doubles (N = 15: 4 MB).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sf_gamma.h>
#include "erlang.h"
#include "hcq.h"

const char *hcq_method_name(enum hcq_method m)
{
    return m == HCQ_EXACT ? "exact" : m == HCQ_APPROX ? "approximate" : "auto";
}

/* ---- validation and grouping ------------------------------------------- */

struct groups {
    int n;                 /* distinct lists */
    double *lambda;        /* [n] summed rates */
    const int **pref;      /* [n] the list (points into the model) */
    int *of_atom;          /* [J] group of each atom */
};

static const struct hcq_model *sort_model;   /* qsort has no context argument */

static int cmp_atoms(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b, N = sort_model->n_units;
    int c = memcmp(sort_model->pref + (size_t)i * N, sort_model->pref + (size_t)j * N,
                   (size_t)N * sizeof(int));
    return c ? c : (i > j) - (i < j);
}

static void groups_build(const struct hcq_model *m, struct groups *g)
{
    int J = m->n_atoms, N = m->n_units;
    int *idx = xmalloc((size_t)J * sizeof *idx);
    for (int j = 0; j < J; j++)
        idx[j] = j;
    sort_model = m;
    qsort(idx, (size_t)J, sizeof *idx, cmp_atoms);
    g->lambda = xmalloc((size_t)J * sizeof *g->lambda);
    g->pref = xmalloc((size_t)J * sizeof *g->pref);
    g->of_atom = xmalloc((size_t)J * sizeof *g->of_atom);
    g->n = 0;
    for (int k = 0; k < J; k++) {
        int j = idx[k];
        const int *p = m->pref + (size_t)j * N;
        if (g->n == 0 || memcmp(g->pref[g->n - 1], p, (size_t)N * sizeof(int)) != 0) {
            g->pref[g->n] = p;
            g->lambda[g->n++] = 0;
        }
        g->lambda[g->n - 1] += m->lambda[j];
        g->of_atom[j] = g->n - 1;
    }
    free(idx);
}

static void groups_release(struct groups *g)
{
    free(g->lambda);
    free(g->pref);
    free(g->of_atom);
}

static int validate(const struct hcq_model *m, double *lambda_total, struct perr *e)
{
    int N = m->n_units, J = m->n_atoms;
    if (N < 1 || J < 1)
        return err_set(e, "hypercube: need at least one unit and one atom, got %d units, %d atoms",
                       N, J);
    if (!(m->mu > 0) || isinf(m->mu))
        return err_set(e, "hypercube: service rate mu must be > 0 and finite, got %g", m->mu);
    double lt = 0;
    for (int j = 0; j < J; j++) {
        if (!(m->lambda[j] >= 0) || isinf(m->lambda[j]))
            return err_set(e, "hypercube: atom %d: call rate must be >= 0 and finite, got %g",
                           j, m->lambda[j]);
        lt += m->lambda[j];
    }
    if (!(lt > 0))
        return err_set(e, "hypercube: the atoms' call rates sum to 0; nothing to serve");
    char *seen = xmalloc((size_t)N);
    for (int j = 0; j < J; j++) {
        memset(seen, 0, (size_t)N);
        for (int k = 0; k < N; k++) {
            int u = m->pref[(size_t)j * N + k];
            if (u < 0 || u >= N || seen[u]) {
                free(seen);
                return err_set(e, "hypercube: atom %d: preference list entry %d is %d; expected "
                               "a permutation of the units 0..%d", j, k + 1, u, N - 1);
            }
            seen[u] = 1;
        }
    }
    free(seen);
    if (m->capacity == HCQ_QUEUE && lt >= N * m->mu)
        return err_set(e, "hypercube: offered load %.4g erlangs >= %d units: the queue grows "
                       "without bound", lt / m->mu, N);
    if (m->travel)
        for (size_t i = 0; i < (size_t)N * J; i++)
            if (!(m->travel[i] >= 0) || isinf(m->travel[i]))
                return err_set(e, "hypercube: travel time of unit %zu to atom %zu must be >= 0, "
                               "got %g", i / (size_t)J, i % (size_t)J, m->travel[i]);
    if (m->atom_travel)
        for (size_t i = 0; i < (size_t)J * J; i++)
            if (!(m->atom_travel[i] >= 0) || isinf(m->atom_travel[i]))
                return err_set(e, "hypercube: travel time from atom %zu to atom %zu must be >= 0, "
                               "got %g", i / (size_t)J, i % (size_t)J, m->atom_travel[i]);
    *lambda_total = lt;
    return 0;
}

/* ---- M/M/N state probabilities and the correction factors -------------- */

/* p[k] = P(k units busy), k = 0..N-1, and *p_full = P(all N busy) (with a
 * queue: all busy, any number waiting).  Computed in logs: a^k / k! alone
 * overflows past N ~ 170. */
static void mmn_probs(int N, enum hcq_capacity cap, double a, double *p, double *p_full)
{
    double *lg = xmalloc((size_t)(N + 1) * sizeof *lg), mx = -INFINITY;
    for (int k = 0; k <= N; k++) {
        lg[k] = k * log(a) - lgamma(k + 1.0);
        if (k == N && cap == HCQ_QUEUE)
            lg[k] -= log1p(-a / N);        /* the geometric queue tail */
        if (lg[k] > mx)
            mx = lg[k];
    }
    double s = 0;
    for (int k = 0; k <= N; k++)
        s += exp(lg[k] - mx);
    for (int k = 0; k < N; k++)
        p[k] = exp(lg[k] - mx) / s;
    *p_full = exp(lg[N] - mx) / s;
    free(lg);
}

/* Q[k] = sum_{i=k}^{N-1} p_i C(N-k-1, i-k) / C(N, i), divided by rho^k (1 - rho):
 * given i busy units forming a uniformly random set, C(N-k-1, i-k)/C(N, i)
 * is the chance that k named units are busy and one other named unit free. */
static void q_from_probs(int N, const double *p, double rho, double *q)
{
    for (int k = 0; k < N; k++) {
        double s = 0;
        for (int i = k; i < N; i++) {
            if (p[i] <= 0)
                continue;
            s += exp(log(p[i]) + gsl_sf_lnchoose((unsigned)(N - k - 1), (unsigned)(i - k))
                     - gsl_sf_lnchoose((unsigned)N, (unsigned)i) - k * log(rho) - log1p(-rho));
        }
        q[k] = s;
    }
}

int hcq_q_factors(int n, enum hcq_capacity cap, double load, double *q)
{
    if (n < 1 || !(load > 0) || isinf(load) || (cap == HCQ_QUEUE && load >= 1))
        return -1;
    double *p = xmalloc((size_t)n * sizeof *p), pf, a = cap == HCQ_QUEUE ? load * n : load;
    mmn_probs(n, cap, a, p, &pf);
    double rho = cap == HCQ_QUEUE ? load : a * (1 - pf) / n;
    q_from_probs(n, p, rho, q);
    free(p);
    return 0;
}

/* ---- exact ---------------------------------------------------------------- */

static int popcount(uint32_t x)
{
    int c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

/* Fills d[g * N + n] for every group and returns P(all busy), or -1 with e. */
static int solve_exact(const struct hcq_model *m, const struct groups *g, double lt,
                       const struct hcq_opts *o, double *d, double *wl, double *p_full,
                       int *iters, double *resid, struct perr *e)
{
    int N = m->n_units;
    uint32_t S = 1u << N, full = S - 1;
    double mu = m->mu, rho = lt / (N * mu);
    double tol = o->tol > 0 ? o->tol : 1e-12;
    int max_iter = o->max_iter > 0 ? o->max_iter : 1000000;
    double *up = xcalloc((size_t)S * N, sizeof *up);
    double *P = xmalloc((size_t)S * sizeof *P);
    uint32_t *order = xmalloc((size_t)S * sizeof *order);

    for (uint32_t B = 0; B < full; B++)
        for (int k = 0; k < g->n; k++) {
            const int *p = g->pref[k];
            int i = 0;
            while (B >> p[i] & 1)
                i++;
            up[(size_t)B * N + p[i]] += g->lambda[k];
        }
    /* Order by busy count; start from the M/M/N answer spread evenly over the
     * states of each count (exact when every list is the same up to symmetry). */
    {
        double *pk = xmalloc((size_t)N * sizeof *pk), pf;
        mmn_probs(N, m->capacity, lt / mu, pk, &pf);
        uint32_t pos = 0;
        for (int c = 0; c <= N; c++) {
            double share = (c < N ? pk[c] : pf * (m->capacity == HCQ_QUEUE ? 1 - rho : 1))
                           / exp(gsl_sf_lnchoose((unsigned)N, (unsigned)c));
            for (uint32_t B = 0; B < S; B++)
                if (popcount(B) == c) {
                    order[pos++] = B;
                    P[B] = share;
                }
        }
        free(pk);
    }
    int it;
    double change = INFINITY;
    for (it = 1; it <= max_iter; it++) {
        double sum = 0;
        for (uint32_t s = 0; s < S; s++) {
            uint32_t B = order[s];
            double in = 0;
            for (int n = 0; n < N; n++) {
                uint32_t bit = 1u << n;
                if (B & bit)
                    in += P[B ^ bit] * up[(size_t)(B ^ bit) * N + n];
                else
                    in += mu * P[B | bit];
            }
            int busy = popcount(B);
            double out = busy * mu + (B != full ? lt : 0);
            P[B] = in / out;
        }
        for (uint32_t B = 0; B < S; B++)
            sum += P[B];
        if (m->capacity == HCQ_QUEUE)
            sum += P[full] * rho / (1 - rho);
        for (uint32_t B = 0; B < S; B++)
            P[B] /= sum;
        /* The stopping rule is the balance residual itself (how far the
         * normalised vector is from solving the equations), checked every
         * 8 sweeps: a small change per sweep can hide slow convergence. */
        double rmax = 0;
        if (it % 8 == 0 || it == max_iter) {
            for (uint32_t B = 0; B < S; B++) {
                double in = 0;
                for (int n = 0; n < N; n++) {
                    uint32_t bit = 1u << n;
                    in += (B & bit) ? P[B ^ bit] * up[(size_t)(B ^ bit) * N + n] : mu * P[B | bit];
                }
                double out = popcount(B) * mu + (B != full ? lt : 0);
                double r = fabs(in - out * P[B]) / (lt + N * mu);
                if (r > rmax)
                    rmax = r;
            }
            change = rmax;
            if (rmax <= tol)
                break;
        }
    }
    *iters = it > max_iter ? max_iter : it;
    *resid = change;
    int rc = 0;
    if (!(change <= tol)) {
        rc = err_set(e, "hypercube: exact solution did not converge in %d sweeps (residual %.3g, "
                     "tolerance %.3g)", max_iter, change, tol);
    } else {
        /* d[g][n]: P(state in which group g's call goes to n), over all time
         * (PASTA: Poisson arrivals see time averages). */
        memset(d, 0, (size_t)g->n * N * sizeof *d);
        for (uint32_t B = 0; B < full; B++)
            for (int k = 0; k < g->n; k++) {
                const int *p = g->pref[k];
                int i = 0;
                while (B >> p[i] & 1)
                    i++;
                d[(size_t)k * N + p[i]] += P[B];
            }
        *p_full = m->capacity == HCQ_QUEUE ? P[full] / (1 - rho) : P[full];
        double tail = m->capacity == HCQ_QUEUE ? P[full] * rho / (1 - rho) : 0;
        for (int n = 0; n < N; n++) {
            double busy = tail;
            for (uint32_t B = 0; B < S; B++)
                if (B >> n & 1)
                    busy += P[B];
            wl[n] = busy;
        }
    }
    free(up);
    free(P);
    free(order);
    return rc;
}

/* ---- A-hypercube ---------------------------------------------------------- */

/* Larson (1975): with independent busy units corrected by Q, a call from a
 * list (m_1, m_2, ...) goes to m_k with probability
 *   Q(N, rho, k-1) rho_{m_1} ... rho_{m_{k-1}} (1 - rho_{m_k}).
 * The workload of n is its assignment rate over mu:
 *   rho_n = (1 - rho_n) V_n + D,  V_n = sum over lists of lambda Q prod / mu,
 *   D = lambda P(wait) / (N mu)  (queued calls, shared equally),
 * so rho_n = (V_n + D) / (1 + V_n), iterated from rho_n = rho with the
 * workloads rescaled each step to their known total (lambda/mu with a queue,
 * the carried load lambda (1 - P(loss)) / mu without), as in Larson &
 * Odoni's algorithm (their Figure 5.19). */
static int solve_approx(const struct hcq_model *m, const struct groups *g, double lt,
                        const struct hcq_opts *o, double *d, double *wl, double *p_full,
                        int *iters, double *resid, struct perr *e)
{
    int N = m->n_units;
    double mu = m->mu, a = lt / mu;
    double tol = o->tol > 0 ? o->tol : 1e-12;
    int max_iter = o->max_iter > 0 ? o->max_iter : 100000;
    double *p = xmalloc((size_t)N * sizeof *p), pf;
    mmn_probs(N, m->capacity, a, p, &pf);
    double rho_bar = m->capacity == HCQ_QUEUE ? a / N : a * (1 - pf) / N;
    double total = rho_bar * N, D = m->capacity == HCQ_QUEUE ? a * pf / N : 0;
    double *q = xmalloc((size_t)N * sizeof *q);
    q_from_probs(N, p, rho_bar, q);
    double *w = xmalloc((size_t)N * sizeof *w), *v = xmalloc((size_t)N * sizeof *v);
    for (int n = 0; n < N; n++)
        w[n] = rho_bar;
    int it;
    double change = INFINITY;
    for (it = 1; it <= max_iter; it++) {
        memset(v, 0, (size_t)N * sizeof *v);
        for (int k = 0; k < g->n; k++) {
            const int *pr = g->pref[k];
            double prod = 1;
            for (int i = 0; i < N && prod > 1e-300; i++) {
                v[pr[i]] += g->lambda[k] / mu * q[i] * prod;
                prod *= w[pr[i]];
            }
        }
        double s = 0;
        for (int n = 0; n < N; n++)
            s += v[n] = (v[n] + D) / (1 + v[n]);
        change = 0;
        for (int n = 0; n < N; n++) {
            double nw = v[n] * total / s;
            if (fabs(nw - w[n]) > change)
                change = fabs(nw - w[n]);
            w[n] = nw;
        }
        if (change <= tol)
            break;
    }
    *iters = it > max_iter ? max_iter : it;
    *resid = change;
    int rc = 0;
    if (!(change <= tol)) {
        rc = err_set(e, "hypercube: A-hypercube iteration did not converge in %d steps (last "
                     "change %.3g, tolerance %.3g)", max_iter, change, tol);
    } else {
        /* Dispatch probabilities, rescaled per list so each sums to the exact
         * P(answered at once) = 1 - P(all busy). */
        for (int k = 0; k < g->n; k++) {
            const int *pr = g->pref[k];
            double prod = 1, s = 0, *dk = d + (size_t)k * N;
            for (int i = 0; i < N; i++) {
                dk[pr[i]] = q[i] * prod * (1 - w[pr[i]]);
                s += dk[pr[i]];
                prod *= w[pr[i]];
            }
            for (int n = 0; n < N; n++)
                dk[n] *= s > 0 ? (1 - pf) / s : 0;
        }
        *p_full = pf;
        memcpy(wl, w, (size_t)N * sizeof *wl);
    }
    free(p);
    free(q);
    free(w);
    free(v);
    return rc;
}

/* ---- outputs ------------------------------------------------------------- */

void hcq_result_release(struct hcq_result *r)
{
    free(r->workload);
    free(r->f);
    free(r->first_share);
    free(r->travel_atom);
    memset(r, 0, sizeof *r);
}

int hcq_solve(const struct hcq_model *m, const struct hcq_opts *o, struct hcq_result *r,
              struct perr *e)
{
    static const struct hcq_opts defaults = { HCQ_AUTO, 0, 0 };
    memset(r, 0, sizeof *r);
    if (!o)
        o = &defaults;
    double lt = 0;
    if (validate(m, &lt, e) < 0)
        return -1;
    int N = m->n_units, J = m->n_atoms;
    enum hcq_method meth = o->method;
    if (meth == HCQ_AUTO)
        meth = N <= HCQ_AUTO_EXACT_MAX ? HCQ_EXACT : HCQ_APPROX;
    if (meth == HCQ_EXACT && N > HCQ_EXACT_MAX)
        return err_set(e, "hypercube: exact solution is limited to %d units (2^N states), got "
                       "%d; use the approximation", HCQ_EXACT_MAX, N);
    struct groups g;
    groups_build(m, &g);
    double *d = xmalloc((size_t)g.n * N * sizeof *d), pf = 0;
    r->workload = xcalloc((size_t)N, sizeof *r->workload);
    int rc = meth == HCQ_EXACT
           ? solve_exact(m, &g, lt, o, d, r->workload, &pf, &r->iterations, &r->residual, e)
           : solve_approx(m, &g, lt, o, d, r->workload, &pf, &r->iterations, &r->residual, e);
    if (rc < 0) {
        free(r->workload);
        r->workload = NULL;
        free(d);
        groups_release(&g);
        return -1;
    }
    int queue = m->capacity == HCQ_QUEUE;
    double served = queue ? 1 : 1 - pf, qshare = queue ? pf / N : 0;
    r->n_units = N;
    r->n_atoms = J;
    r->method = meth;
    r->f = xmalloc((size_t)N * J * sizeof *r->f);
    r->first_share = xmalloc((size_t)J * sizeof *r->first_share);
    r->p_all_busy = pf;
    r->mean_wait_queued = queue ? 1 / (N * m->mu - lt) : 0;
    r->mean_wait = queue ? pf * r->mean_wait_queued : 0;
    double first = 0;
    for (int j = 0; j < J; j++) {
        const double *dj = d + (size_t)g.of_atom[j] * N;
        int top = m->pref[(size_t)j * N];
        for (int n = 0; n < N; n++)
            r->f[(size_t)n * J + j] = m->lambda[j] / lt * (dj[n] + qshare);
        r->first_share[j] = (dj[top] + qshare) / served;
        first += m->lambda[j] / lt * (dj[top] + qshare);
    }
    r->inter_area = 1 - first / served;
    r->travel_mean = NAN;
    if (m->travel) {
        r->travel_atom = xmalloc((size_t)J * sizeof *r->travel_atom);
        double tot = 0;
        for (int j = 0; j < J; j++) {
            const double *dj = d + (size_t)g.of_atom[j] * N;
            double t = 0, tq = 0;
            for (int n = 0; n < N; n++)
                t += dj[n] * m->travel[(size_t)n * J + j];
            if (queue) {
                if (m->atom_travel)
                    for (int i = 0; i < J; i++)
                        tq += m->lambda[i] / lt * m->atom_travel[(size_t)i * J + j];
                else
                    for (int n = 0; n < N; n++)
                        tq += m->travel[(size_t)n * J + j] / N;
                t += pf * tq;
            }
            r->travel_atom[j] = t / served;
            tot += m->lambda[j] / lt * r->travel_atom[j];
        }
        r->travel_mean = tot;
    }
    free(d);
    groups_release(&g);
    return 0;
}
