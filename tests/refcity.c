/* refcity.c - bench-city (../shared/bench/SPEC.md) written for that model
 * alone, as tight as plain C allows: the reference that `make bench` puts
 * patrolsim's speed beside, on the same machine in the same run, and an
 * independent implementation that tests/test_refcity.sh checks patrolsim's
 * figures against (same model, other random numbers: within their CIs).
 *
 * Nothing here is general.  The units sit on the S x S lattice of grid
 * centres, so a grid is two multiplies, the idle units are one bitmap row
 * per lattice row, and the nearest idle unit is found row by row outward
 * from the call's row: in each row the nearest idle column on either side
 * of the call by one bit scan, a row passed over once its distance in y
 * alone is beyond the best found (exact; ties to the lowest unit id).  The
 * only events are units arriving back at base, at most one per unit, in a
 * timing wheel of one bucket per mean gap between calls (each bucket a
 * list sorted by time, threaded through the units); the next call is a
 * variable.  Random numbers are patrolsim's xoshiro256** and ziggurat
 * (include/rng.h), three streams: gaps, locations, on-scene times.
 *
 * Usage: refcity S DAYS [SEED [D]]: calls at S*S/D per minute (the SPEC's
 * D = 90 by default) over DAYS days, then the run drains.  Prints the
 * figures of `patrolsim bench` under the same names (`name: value`). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rng.h"

#define GRID_KM 2.5
#define MIN_PER_KM 2.0          /* 30 km/h */
#define ONSCENE_MEAN 30.0
/* Response histogram for the percentiles: 0.01 min bins to 400 min. */
#define HBIN 0.01
#define HN 40000

struct call {
    double t, x, y;
    int g;
};

struct ref {
    int S, W;                   /* lattice side; 64-bit words per bitmap row */
    uint64_t *idle;             /* row r, column c: bit c of idle[r*W + c/64] */
    /* the wheel: unit u is back at base at tev[u], in bucket kev[u] (its
     * time over the bucket width), listed from head[kev[u] & mask] by nxt */
    int *head, *nxt;
    double *tev, inv_w;
    uint64_t *kev, cur;         /* cur: the bucket the next event is sought in */
    int mask, pending;
    struct call *q;             /* FIFO ring of waiting calls */
    size_t qcap, qhead, qn;
    gsl_rng *gap, *loc, *svc;
    double mean_gap;
    /* figures */
    uint64_t n, home, queued;
    double resp_sum, wait_sum, busy_sum, t_last;
    uint32_t *hist;             /* HN bins + overflow */
};

/* Unit u's word in the idle bitmap, and its bit there in *bit. */
static inline uint64_t *idle_word(const struct ref *R, int u, uint64_t *bit)
{
    int r = u / R->S, c = u % R->S;
    *bit = (uint64_t)1 << (c & 63);
    return &R->idle[(size_t)r * R->W + (c >> 6)];
}

static void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n, sz);
    if (!p) {
        fputs("refcity: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

static void wheel_insert(struct ref *R, int u, double t)
{
    uint64_t k = (uint64_t)(t * R->inv_w);
    if (k < R->cur)
        R->cur = k;
    int *p = &R->head[k & (uint64_t)R->mask];
    while (*p >= 0 && R->tev[*p] <= t)
        p = &R->nxt[*p];
    R->nxt[u] = *p;
    *p = u;
    R->tev[u] = t;
    R->kev[u] = k;
    R->pending++;
}

/* The unit of the earliest event, or -1 when none is pending; the cursor
 * moves to its bucket.  After a whole turn of empty buckets (a sparse
 * wheel, as when the run drains) it jumps to the earliest head. */
static int wheel_peek(struct ref *R)
{
    if (!R->pending)
        return -1;
    for (int turn = 0; turn <= R->mask; turn++, R->cur++) {
        int h = R->head[R->cur & (uint64_t)R->mask];
        if (h >= 0 && R->kev[h] == R->cur)
            return h;
    }
    uint64_t kmin = UINT64_MAX;
    for (int b = 0; b <= R->mask; b++)
        if (R->head[b] >= 0 && R->kev[R->head[b]] < kmin)
            kmin = R->kev[R->head[b]];
    R->cur = kmin;
    return R->head[kmin & (uint64_t)R->mask];
}

/* Nearest set column to column c in the bitmap row w[0..W): the first at
 * or right of c and the last left of it, -1 where there is none. */
static inline int right_of(const uint64_t *w, int W, int c)
{
    int k = c >> 6;
    uint64_t b = w[k] & (~(uint64_t)0 << (c & 63));
    while (!b) {
        if (++k == W)
            return -1;
        b = w[k];
    }
    return k * 64 + __builtin_ctzll(b);
}

static inline int left_of(const uint64_t *w, int c)
{
    int k = c >> 6;
    uint64_t b = (c & 63) ? w[k] & ((~(uint64_t)0) >> (64 - (c & 63))) : 0;
    while (!b) {
        if (--k < 0)
            return -1;
        b = w[k];
    }
    return k * 64 + 63 - __builtin_clzll(b);
}

/* Row r's best idle unit for (x, y) against *best, *bu: the nearest idle
 * column on either side of c0. */
static inline void scan_row(const struct ref *R, int r, int c0, double x, double dy,
                            double *best, int *bu)
{
    const uint64_t *w = R->idle + (size_t)r * R->W;
    int cand[2] = { left_of(w, c0), right_of(w, R->W, c0) };
    for (int k = 0; k < 2; k++) {
        if (cand[k] < 0)
            continue;
        double d = fabs(x - (cand[k] + 0.5) * GRID_KM) + dy;
        int u = r * R->S + cand[k];
        if (d < *best || (d == *best && u < *bu))
            *best = d, *bu = u;
    }
}

/* The idle unit nearest (x, y) in row r0's neighbourhood outward, or -1. */
static int nearest_idle(const struct ref *R, double x, double y, int r0, int c0, double *dist)
{
    double best = INFINITY;
    int bu = -1;
    scan_row(R, r0, c0, x, fabs(y - (r0 + 0.5) * GRID_KM), &best, &bu);
    for (int k = 1;; k++) {
        int lo = r0 - k, hi = r0 + k, any = 0;
        if (lo >= 0) {
            double dy = y - (lo + 0.5) * GRID_KM;
            if (dy <= best) {
                scan_row(R, lo, c0, x, dy, &best, &bu);
                any = 1;
            }
        }
        if (hi < R->S) {
            double dy = (hi + 0.5) * GRID_KM - y;
            if (dy <= best) {
                scan_row(R, hi, c0, x, dy, &best, &bu);
                any = 1;
            }
        }
        if (!any)
            break;
    }
    *dist = best;
    return bu;
}

static inline void count_response(struct ref *R, double resp)
{
    R->resp_sum += resp;
    double b = resp * (1.0 / HBIN);
    R->hist[b < HN ? (int)b : HN]++;
}

/* Unit u leaves its base at t for a call at (x, y) in grid g, created at tc. */
static inline double send(struct ref *R, int u, double t, double tc, int g, double km)
{
    double travel = km * MIN_PER_KM;
    double busy = 2 * travel + ONSCENE_MEAN * rng_exp1(R->svc);
    R->busy_sum += busy;
    R->home += u == g;
    count_response(R, t - tc + travel);
    return t + busy;
}

static double unit_km(const struct ref *R, int u, double x, double y)
{
    int r = u / R->S, c = u % R->S;
    return fabs(x - (c + 0.5) * GRID_KM) + fabs(y - (r + 0.5) * GRID_KM);
}

static void arrive(struct ref *R, double t)
{
    double L = GRID_KM * R->S;
    double x = L * rng_u01(R->loc), y = L * rng_u01(R->loc);
    int c = (int)(x * (1.0 / GRID_KM)), r = (int)(y * (1.0 / GRID_KM));
    c = c < R->S ? c : R->S - 1;
    r = r < R->S ? r : R->S - 1;
    int g = r * R->S + c;
    R->n++;
    uint64_t bit, *w = idle_word(R, g, &bit);
    int u;
    double km;
    if (*w & bit) {
        u = g;
        km = unit_km(R, u, x, y);
    } else {
        u = nearest_idle(R, x, y, r, c, &km);
        if (u < 0) {
            if (R->qn == R->qcap) {
                struct call *nq = xcalloc(2 * R->qcap, sizeof *nq);
                for (size_t i = 0; i < R->qn; i++)
                    nq[i] = R->q[(R->qhead + i) % R->qcap];
                free(R->q);
                R->q = nq;
                R->qhead = 0;
                R->qcap *= 2;
            }
            R->q[(R->qhead + R->qn++) % R->qcap] = (struct call){ t, x, y, g };
            return;
        }
    }
    w = idle_word(R, u, &bit);
    *w &= ~bit;
    wheel_insert(R, u, send(R, u, t, t, g, km));
}

/* Unit u, the wheel's earliest, is back at its base. */
static void back(struct ref *R, int u)
{
    double t = R->tev[u];
    R->head[R->cur & (uint64_t)R->mask] = R->nxt[u];
    R->pending--;
    R->t_last = t;
    if (R->qn) {
        struct call cl = R->q[R->qhead];
        R->qhead = (R->qhead + 1) % R->qcap;
        R->qn--;
        R->queued++;
        R->wait_sum += t - cl.t;
        wheel_insert(R, u, send(R, u, t, cl.t, cl.g, unit_km(R, u, cl.x, cl.y)));
        return;
    }
    uint64_t bit, *w = idle_word(R, u, &bit);
    *w |= bit;
}

static double percentile(const struct ref *R, double p)
{
    double want = p * (double)R->n, cum = 0;
    for (int b = 0; b < HN; b++) {
        if (cum + R->hist[b] >= want && R->hist[b])
            return (b + (want - cum) / R->hist[b]) * HBIN;
        cum += R->hist[b];
    }
    return NAN;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fputs("usage: refcity S DAYS [SEED [D]]  (calls at S*S/D a minute, D = 90 by default)\n",
              stderr);
        return 2;
    }
    char *end;
    long S = strtol(argv[1], &end, 10);
    if (*end || S < 1 || S > 4096) {
        fprintf(stderr, "refcity: S must be an integer in 1..4096, got '%s'\n", argv[1]);
        return 2;
    }
    double days = strtod(argv[2], &end);
    if (*end || !(days > 0)) {
        fprintf(stderr, "refcity: DAYS must be a positive number, got '%s'\n", argv[2]);
        return 2;
    }
    unsigned long long seed = argc > 3 ? strtoull(argv[3], &end, 10) : 1;
    if (argc > 3 && *end) {
        fprintf(stderr, "refcity: SEED must be a non-negative integer, got '%s'\n", argv[3]);
        return 2;
    }
    double D = argc > 4 ? strtod(argv[4], &end) : 90.0;
    if (argc > 4 && (*end || !(D > 0))) {
        fprintf(stderr, "refcity: D must be a positive number, got '%s'\n", argv[4]);
        return 2;
    }
    struct ref R;
    memset(&R, 0, sizeof R);
    R.S = (int)S;
    R.W = (R.S + 63) / 64;
    int n = R.S * R.S;
    R.idle = xcalloc((size_t)R.S * R.W, sizeof *R.idle);
    for (int u = 0; u < n; u++) {           /* every unit idle at its base */
        uint64_t bit, *w = idle_word(&R, u, &bit);
        *w |= bit;
    }
    /* Buckets of one mean gap between calls, a turn of at least 2n of them
     * (3 hours; a longer busy cycle waits a turn in its bucket). */
    int nb = 1;
    while (nb < 2 * n)
        nb *= 2;
    R.mask = nb - 1;
    R.head = xcalloc((size_t)nb, sizeof *R.head);
    memset(R.head, 0xff, (size_t)nb * sizeof *R.head);
    R.nxt = xcalloc((size_t)n, sizeof *R.nxt);
    R.tev = xcalloc((size_t)n, sizeof *R.tev);
    R.kev = xcalloc((size_t)n, sizeof *R.kev);
    R.qcap = 1024;
    R.q = xcalloc(R.qcap, sizeof *R.q);
    R.hist = xcalloc(HN + 1, sizeof *R.hist);
    R.gap = rng_stream_new(seed, 0, 1);
    R.loc = rng_stream_new(seed, 0, 2);
    R.svc = rng_stream_new(seed, 0, 3);
    R.mean_gap = D / (double)n;         /* lambda = S*S/D per minute */
    R.inv_w = 1.0 / R.mean_gap;
    double H = days * 1440.0;

    double t0 = now_s();
    double ta = R.mean_gap * rng_exp1(R.gap);
    for (;;) {
        int u = wheel_peek(&R);
        if (u >= 0 && !(ta < R.tev[u])) {
            back(&R, u);
        } else if (ta < H) {
            arrive(&R, ta);
            ta += R.mean_gap * rng_exp1(R.gap);
        } else if (u >= 0) {
            back(&R, u);
        } else {
            break;
        }
    }
    double t1 = now_s();

    printf("seed: %llu\n", seed);
    printf("incidents: %llu\n", (unsigned long long)R.n);
    printf("mean_response_min: %.4f\n", R.n ? R.resp_sum / (double)R.n : NAN);
    printf("p50_response_min: %.4f\n", percentile(&R, 0.5));
    printf("p90_response_min: %.4f\n", percentile(&R, 0.9));
    printf("first_contact_rate: %.6f\n", R.n ? (double)R.home / (double)R.n : NAN);
    printf("mean_utilization: %.6f\n", R.t_last > 0 ? R.busy_sum / ((double)n * R.t_last) : NAN);
    printf("queued_share: %.6f\n", R.n ? (double)R.queued / (double)R.n : NAN);
    printf("mean_queue_wait_min: %.4f\n", R.queued ? R.wait_sum / (double)R.queued : 0.0);
    printf("wall_s: %.3f\n", t1 - t0);
    printf("incidents_per_s: %.0f\n", (double)R.n / (t1 - t0));
    gsl_rng_free(R.gap);
    gsl_rng_free(R.loc);
    gsl_rng_free(R.svc);
    free(R.idle);
    free(R.head);
    free(R.nxt);
    free(R.tev);
    free(R.kev);
    free(R.q);
    free(R.hist);
    return 0;
}
