/* cmd_calibrate.c - `patrolsim calibrate`: the availability and delay tables
 * of a replay scenario, estimated from its own CAD log on a training window.
 *
 * The log is read through the scenario's replay source (models/replay.c:
 * same columns, filters, type and grid mapping, time zone and midnight
 * rollover as a replay), restricted to the window by overriding [replay]
 * from/to, so nothing outside the window can reach a fitted value.  What is
 * estimated, and from which rows, is written beside the tables in
 * calibration.md; in short:
 *
 *   call_processing.csv  received -> dispatched on calls received when the
 *                        log shows at most --quiet-calls other calls in the
 *                        hour before (units observably free, so the delay
 *                        is processing, not queueing, which the model adds
 *                        itself); lognormal matched to the median and p90
 *                        per incident type with >= CAL_MIN_N such calls,
 *                        else the `*` row from all of them;
 *   strength.csv         on-duty units by hour of week: the distinct unit
 *                        ids seen in each shift block of the scenario's
 *                        shifts (a unit seen once in a block is on duty for
 *                        all of it, the correction for units on duty that
 *                        took no call in a given hour; holdovers from the
 *                        block before left out), mean over the window's
 *                        weeks;
 *   shifts.csv           the scenario's shifts with briefing_min: the change
 *                        point after a shift start from which calls go to
 *                        units of the new shift;
 *   turnout.csv          dispatched -> arrived minus the modelled travel
 *                        (the log has no en-route stamp), by whether one of
 *                        the call's units was seen on a call in the hour
 *                        before (just_cleared, returning) or not (at_base,
 *                        patrol, community);
 *   units_per_call.csv   distribution of the count of unit ids per call,
 *                        per type;
 *   workload.csv         not observable in a log of calls: a stated
 *                        assumption, written so that it can be switched
 *                        off or replaced.
 *
 * Memory is O(rows in the window + units x shift blocks); one pass over
 * the file, then one over the rows kept.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "police.h"
#include "geo.h"
#include "inc.h"
#include "inc_priv.h"
#include "outf.h"
#include "rng.h"
#include "ts.h"
#include "trv.h"

#define CAL_MIN_N 40            /* calls per fitted cell, else the pooled row */
#define CAL_MAX_UNITS_N 4       /* units_per_call: this row holds n and more */
#define CAL_RECENT_MIN 60.0     /* turnout: a unit seen on a call this recently */
#define CAL_NEW_UNIT_H 8        /* briefing: a unit unseen this long before is new */
#define CAL_BRIEF_LOOK_H 3      /* briefing: look this far past a shift start */
#define CAL_MAX_IDS 4096

/* The assumed non-call workload (workload.csv): no log of calls shows it. */
#define WL_RATE_PER_H 0.25
#define WL_MEAN_MIN 25.0
#define WL_SD_MIN 15.0
#define WL_INTERRUPT_PRIO 1

static const char help[] =
"usage: patrolsim calibrate SCENARIO --train FROM..TO --out DIR [options]\n"
"\n"
"Estimates the delay and availability tables of a replay scenario from its\n"
"own CAD log ([replay] file), using only the calls received from FROM to TO\n"
"(dates YYYY-MM-DD, both included; local time of [replay] time_zone), and\n"
"writes to DIR: call_processing.csv, strength.csv, shifts.csv (with\n"
"briefing_min), turnout.csv, units_per_call.csv, workload.csv (an assumption:\n"
"not observable in a call log) and calibration.md (what was fitted from\n"
"which rows, with sample sizes).  The scenario needs [replay]\n"
"dispatched_column, arrived_column and units_column.\n"
"\n"
"  --train FROM..TO      the training window (required)\n"
"  --out DIR             where the tables go (required; created)\n"
"  --exclude-units P     unit ids starting with P are not patrol units (e.g.\n"
"                        COM for dispatch-centre positions); repeatable\n"
"  --quiet-calls K       a call is 'quiet' when at most K other calls were\n"
"                        received in the hour before it (default 1)\n"
"  --set S.K=V           scenario override, as for run\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad input.\n";

struct crow {
    int64_t ms;                 /* received, local clock */
    int type, grid;
    double x, y;
    double wait, travel, response;   /* minutes, NAN where not observed */
    int has_d, has_a;
    int *uid, nu;               /* unit id indices, excluded ids left out */
};

struct cal {
    const struct scn *s;
    struct crow *row;
    size_t n, cap;
    char *id[CAL_MAX_IDS];
    int nid;
    const char *excl[16];
    int nexcl;
    int quiet_k;
    int64_t from_ms, to_ms;     /* [from, to) */
    uint64_t units_cut;
};

static int unit_index(struct cal *C, const char *id, struct perr *e)
{
    for (int i = 0; i < C->nid; i++)
        if (strcmp(C->id[i], id) == 0)
            return i;
    if (C->nid == CAL_MAX_IDS)
        return err_set(e, "more than %d distinct unit ids in the units column", CAL_MAX_IDS);
    C->id[C->nid] = xmalloc(strlen(id) + 1);
    strcpy(C->id[C->nid], id);
    return C->nid++;
}

/* Splits a units field ("4267, 4265,COM1") into distinct kept id indices. */
static int split_units(struct cal *C, const char *field, struct crow *r, struct perr *e)
{
    char buf[INC_UNITS_MAX];
    snprintf(buf, sizeof buf, "%s", field);
    int ids[INC_UNITS_MAX / 2], n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len > 0 && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len)
            continue;
        int skip = 0;
        for (int k = 0; k < C->nexcl && !skip; k++)
            skip = strncmp(tok, C->excl[k], strlen(C->excl[k])) == 0;
        if (skip)
            continue;
        int u = unit_index(C, tok, e);
        if (u < 0)
            return -1;
        int dup = 0;
        for (int k = 0; k < n; k++)
            dup |= ids[k] == u;
        if (!dup)
            ids[n++] = u;
    }
    r->nu = n;
    r->uid = n ? xmalloc((size_t)n * sizeof *r->uid) : NULL;
    memcpy(r->uid, ids, (size_t)n * sizeof *ids);
    return 0;
}

static int read_rows(struct cal *C, struct perr *e)
{
    struct inc_replay *R = inc_replay_open(C->s, C->s->seed, 0, e);
    if (!R)
        return -1;
    struct inc_row row;
    int rc;
    while ((rc = inc_replay_next(R, &row, e)) == 1) {
        if (C->n == C->cap) {
            C->cap = C->cap ? 2 * C->cap : 1024;
            C->row = xrealloc(C->row, C->cap * sizeof *C->row);
        }
        struct crow *r = &C->row[C->n];
        *r = (struct crow){ row.received_ms, row.inc.type, row.inc.grid, row.inc.x, row.inc.y,
                            row.wait, row.travel, row.response, row.has_dispatched,
                            row.has_arrived, NULL, 0 };
        C->units_cut += (uint64_t)row.units_cut;
        if (split_units(C, row.units, r, e) < 0) {
            rc = -1;
            break;
        }
        C->n++;
    }
    inc_replay_close(R);
    return rc;
}

/* ---- small statistics -------------------------------------------------------- */

struct sample {
    double *v;
    size_t n, cap;
};

static void smp_add(struct sample *S, double x)
{
    if (S->n == S->cap) {
        S->cap = S->cap ? 2 * S->cap : 256;
        S->v = xrealloc(S->v, S->cap * sizeof *S->v);
    }
    S->v[S->n++] = x;
}

static double smp_q(struct sample *S, double p)
{
    gsl_sort(S->v, 1, S->n);
    return gsl_stats_quantile_from_sorted_data(S->v, 1, S->n, p);
}

/* Quantile p of a delay measured in whole clock minutes (the difference of
 * two HH:MM stamps, floor(U + D) for a true delay D and U the received
 * second within its minute): each value k is spread evenly over
 * [k - 0.5, k + 0.5), the grouped-data quantile, which removes the
 * half-minute bias and the steps of the plain quantile of integers. */
static double smp_qmin(struct sample *S, double p)
{
    gsl_sort(S->v, 1, S->n);
    size_t n = S->n, i = 0;
    if (!n)
        return NAN;
    double target = p * (double)n;
    while (i < n) {
        size_t j = i;
        while (j < n && S->v[j] == S->v[i])
            j++;
        if ((double)j >= target)
            return S->v[i] - 0.5 + (target - (double)i) / (double)(j - i);
        i = j;
    }
    return S->v[n - 1] + 0.5;
}

/* A lognormal matched to a median and a 90th percentile (both > 0): robust
 * to the few multi-hour holds that dominate the sample moments of CAD
 * delays, and it reproduces the two statistics the comparison is judged
 * on.  Writes its mean and sd (the tables' parameters). */
static void lognormal_q(double med, double p90, double *mean, double *sd)
{
    double z90 = gsl_cdf_ugaussian_Pinv(0.9);
    double sig = p90 > med ? (log(p90) - log(med)) / z90 : 0.05;
    *mean = med * exp(sig * sig / 2);
    *sd = *mean * sqrt(expm1(sig * sig));
}

/* ---- the fits ----------------------------------------------------------------- */

/* Field calls received in the hour before row i (not counting i). */
static int load_before(const struct cal *C, size_t i)
{
    int n = 0;
    for (size_t k = i; k-- > 0;) {
        if (C->row[i].ms - C->row[k].ms >= 60 * TS_MS_MIN)
            break;
        n++;
    }
    return n;
}

static int hour_of(int64_t ms)
{
    struct ts_civil c;
    ts_to_civil(ms, &c);
    return c.h;
}

struct cp_fit {
    struct sample all, quiet, busy;
    struct sample *type;        /* quiet, per type */
    struct sample band_quiet[4], band_all[4];
};

static void cp_fit_free(struct cp_fit *F, int n_types)
{
    for (int t = 0; t < n_types; t++)
        free(F->type[t].v);
    free(F->type);
    for (int bd = 0; bd < 4; bd++) {
        free(F->band_quiet[bd].v);
        free(F->band_all[bd].v);
    }
    free(F->all.v);
    free(F->quiet.v);
    free(F->busy.v);
}

static const int band_h[5] = { 0, 6, 12, 18, 24 };

static int band_of(int h)
{
    int b = 0;
    while (h >= band_h[b + 1])
        b++;
    return b;
}

static void write_cp(FILE *fp, FILE *md, struct cal *C, struct cp_fit *F)
{
    const struct scn *s = C->s;
    fputs("type,hour_from,hour_to,dist,mean_min,sd_min\n", fp);
    fprintf(md, "| type | quiet calls | median | p90 | lognormal mean | sd |\n|---|---|---|---|---|---|\n");
    for (int t = 0; t < s->n_itypes; t++) {
        struct sample *S = &F->type[t];
        if (S->n < CAL_MIN_N) {
            fprintf(md, "| %s | %zu | | | (pooled `*`) | |\n", s->itypes[t].id, S->n);
            continue;
        }
        double med = smp_qmin(S, 0.5), p90 = smp_qmin(S, 0.9), m, sd;
        if (med < 0.25)
            med = 0.25;   /* a quarter minute: below the stamps' resolution */
        lognormal_q(med, p90, &m, &sd);
        fprintf(fp, "%s,0,24,lognormal,%.3f,%.3f\n", s->itypes[t].id, m, sd);
        fprintf(md, "| %s | %zu | %.1f | %.1f | %.2f | %.2f |\n", s->itypes[t].id, S->n, med,
                p90, m, sd);
    }
    double med = smp_qmin(&F->quiet, 0.5), p90 = smp_qmin(&F->quiet, 0.9), m, sd;
    if (med < 0.25)
        med = 0.25;
    lognormal_q(med, p90, &m, &sd);
    fprintf(fp, "*,0,24,lognormal,%.3f,%.3f\n", m, sd);
    fprintf(md, "| `*` (all types) | %zu | %.1f | %.1f | %.2f | %.2f |\n\n", F->quiet.n, med,
            p90, m, sd);
    fprintf(md, "For comparison (not fitted; the model's queueing must produce the "
            "difference): all stamped calls %zu, median %.1f, p90 %.1f; calls with %d or more "
            "calls in the hour before %zu, median %.1f, p90 %.1f.\n\n", F->all.n,
            smp_q(&F->all, 0.5), smp_q(&F->all, 0.9), C->quiet_k + 4, F->busy.n,
            F->busy.n ? smp_q(&F->busy, 0.5) : NAN, F->busy.n ? smp_q(&F->busy, 0.9) : NAN);
    fprintf(md, "| hour band | quiet calls | quiet median / p90 | all calls | all median / p90 |\n"
            "|---|---|---|---|---|\n");
    for (int b = 0; b < 4; b++) {
        struct sample *q = &F->band_quiet[b], *a = &F->band_all[b];
        fprintf(md, "| %02d-%02d | %zu | %.1f / %.1f | %zu | %.1f / %.1f |\n", band_h[b],
                band_h[b + 1], q->n, q->n ? smp_q(q, 0.5) : NAN, q->n ? smp_q(q, 0.9) : NAN,
                a->n, a->n ? smp_q(a, 0.5) : NAN, a->n ? smp_q(a, 0.9) : NAN);
    }
    fputc('\n', md);
}

/* The shift blocks laid on the window: block (d, k) is shift k starting on
 * day d - 1 of the window (so that a night shift begun the day before the
 * window is there too); without shifts, each clock hour is its own block. */
struct blocks {
    int K;
    long days;
    size_t n;
};

static void blocks_init(struct blocks *B, const struct cal *C)
{
    B->K = C->s->n_shifts > 0 ? C->s->n_shifts : 24;
    B->days = (long)((C->to_ms - C->from_ms) / TS_MS_DAY) + 2;
    B->n = (size_t)B->days * (size_t)B->K;
}

/* Start and length of block b, minutes from the window's start. */
static void block_span(const struct cal *C, const struct blocks *B, size_t b, double *a,
                       double *len)
{
    long d = (long)(b / (size_t)B->K) - 1;
    int k = (int)(b % (size_t)B->K);
    const struct scn *s = C->s;
    *a = d * 1440.0 + (s->n_shifts ? s->shifts[k].start_h * 60 : k * 60.0);
    *len = s->n_shifts ? s->shifts[k].hours * 60 : 60.0;
}

/* Runs the statement after it with b each block containing minute t. */
#define FOR_BLOCKS(C, B, t, b)                                                            \
    for (size_t b = blk_first(C, B, t); b < (B)->n; b = blk_next(C, B, t, b))

static int blk_has(const struct cal *C, const struct blocks *B, size_t b, double t)
{
    double a, len;
    block_span(C, B, b, &a, &len);
    return t >= a && t < a + len;
}

static size_t blk_next(const struct cal *C, const struct blocks *B, double t, size_t b)
{
    long d = (long)floor(t / 1440.0);
    size_t hi = (size_t)(d + 2) * (size_t)B->K;     /* blocks of days d - 1 and d */
    for (b++; b < hi && b < B->n; b++)
        if (blk_has(C, B, b, t))
            return b;
    return B->n;
}

static size_t blk_first(const struct cal *C, const struct blocks *B, double t)
{
    long d = (long)floor(t / 1440.0);
    size_t lo = d >= 0 ? (size_t)d * (size_t)B->K : 0;
    if (lo < B->n && blk_has(C, B, lo, t))
        return lo;
    return blk_next(C, B, t, lo);
}

/* Strength by hour of week.  A unit counts in a block if it is seen there
 * after the block's first CAL_HOLDOVER_MIN, or in those minutes without
 * having been seen in a block that ended around this one's start: a unit
 * finishing its calls past the end of its shift (a holdover) is not a unit
 * of the next shift. */
#define CAL_HOLDOVER_MIN 60.0

static void write_strength(FILE *fp, FILE *md, const struct cal *C)
{
    struct blocks B;
    blocks_init(&B, C);
    size_t nu = (size_t)(C->nid ? C->nid : 1);
    unsigned char *seen = xcalloc(B.n * nu, 1);     /* 1 early, 2 later */
    double *cnt = xcalloc(B.n, sizeof *cnt);
    double raw_sum[7][24] = { { 0 } }, raw_n[7][24] = { { 0 } };
    double on_sum[7][24] = { { 0 } }, on_n[7][24] = { { 0 } };
    long nh = (B.days - 1) * 24;
    double *raw = xcalloc((size_t)nh, sizeof *raw);
    unsigned char *rseen = xcalloc((size_t)nh * nu, 1);
    for (size_t i = 0; i < C->n; i++) {
        const struct crow *r = &C->row[i];
        double t = (double)(r->ms - C->from_ms) / (double)TS_MS_MIN;
        FOR_BLOCKS(C, &B, t, b) {
            double a, len;
            block_span(C, &B, b, &a, &len);
            for (int j = 0; j < r->nu; j++)
                seen[b * nu + (size_t)r->uid[j]] |= t < a + CAL_HOLDOVER_MIN ? 1 : 2;
        }
        long hh = (long)floor(t / 60.0);
        if (hh >= 0 && hh < nh)
            for (int j = 0; j < r->nu; j++) {
                unsigned char *f = &rseen[(size_t)hh * nu + (size_t)r->uid[j]];
                raw[hh] += !*f;
                *f = 1;
            }
    }
    /* Blocks that can end near block b's start are within two days of it;
     * hourly blocks (no shifts) are too short for a holdover. */
    size_t span = 2 * (size_t)B.K;
    for (size_t b = 0; b < B.n; b++) {
        double a, len;
        block_span(C, &B, b, &a, &len);
        int can_hold = len > 2 * CAL_HOLDOVER_MIN;
        for (size_t u = 0; u < nu; u++) {
            unsigned char f = seen[b * nu + u];
            int held = 0;
            /* Seen early only: a holdover if also in a block just ended. */
            for (size_t p = b > span ? b - span : 0; can_hold && f == 1 && p < b + span &&
                 p < B.n && !held; p++) {
                double pa, pl;
                block_span(C, &B, p, &pa, &pl);
                held = p != b && seen[p * nu + u] && fabs(pa + pl - a) <= CAL_HOLDOVER_MIN;
            }
            cnt[b] += f && !held;
        }
    }
    for (long hh = 0; hh < nh; hh++) {
        int64_t ms = C->from_ms + hh * TS_MS_HOUR;
        if (ms >= C->to_ms)
            break;
        struct ts_civil c;
        ts_to_civil(ms, &c);
        raw_sum[c.wday][c.h] += raw[hh];
        raw_n[c.wday][c.h] += 1;
        double on = 0;
        FOR_BLOCKS(C, &B, hh * 60.0 + 30.0, b)
            on += cnt[b];
        on_sum[c.wday][c.h] += on;
        on_n[c.wday][c.h] += 1;
    }
    fputs("dow,hour,units\n", fp);
    double tot_raw[24] = { 0 }, tot_on[24] = { 0 };
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++) {
            double on = on_n[d][h] ? on_sum[d][h] / on_n[d][h] : 0;
            double rw = raw_n[d][h] ? raw_sum[d][h] / raw_n[d][h] : 0;
            /* Never fewer than were seen in the hour itself. */
            if (on < rw)
                on = rw;
            fprintf(fp, "%d,%d,%d\n", d, h, (int)lround(on));
            tot_on[h] += on / 7;
            tot_raw[h] += rw / 7;
        }
    fprintf(md, "| hour | distinct ids seen (mean) | on duty, block-corrected (mean) |\n"
            "|---|---|---|\n");
    for (int h = 0; h < 24; h++)
        fprintf(md, "| %02d | %.2f | %.2f |\n", h, tot_raw[h], tot_on[h]);
    fputc('\n', md);
    free(seen);
    free(cnt);
    free(raw);
    free(rseen);
}

/* Briefing of shift k: pooled over the window's days, every call received
 * in the CAL_BRIEF_LOOK_H hours after the shift start, at its offset m,
 * marked "new" when one of its units was not seen in the CAL_NEW_UNIT_H
 * hours before the start (a unit of the new shift).  The briefing is the
 * change point b minimising the calls on the wrong side (new before b, old
 * only at or after b): until b the old shift takes the calls.  Uses every
 * call near the boundary rather than one per day. */
static void fit_briefing(const struct cal *C, int k, double *brief, size_t *n_calls,
                         double *miss)
{
    const struct scn *s = C->s;
    double st = s->shifts[k].start_h * 60;
    long days = (long)((C->to_ms - C->from_ms) / TS_MS_DAY) + 1;
    int64_t *last = xmalloc((size_t)(C->nid ? C->nid : 1) * sizeof *last);
    int look = CAL_BRIEF_LOOK_H * 60;
    double *n_new = xcalloc((size_t)look, sizeof *n_new), *n_old = xcalloc((size_t)look,
                                                                            sizeof *n_old);
    size_t i0 = 0, n = 0;
    for (long d = 0; d < days; d++) {
        int64_t H = C->from_ms + d * TS_MS_DAY + (int64_t)(st * TS_MS_MIN);
        int64_t lo = H - CAL_NEW_UNIT_H * TS_MS_HOUR, hi = H + CAL_BRIEF_LOOK_H * TS_MS_HOUR;
        if (lo < C->from_ms || hi > C->to_ms)
            continue;
        for (int u = 0; u < C->nid; u++)
            last[u] = INT64_MIN;
        while (i0 < C->n && C->row[i0].ms < lo)
            i0++;
        for (size_t i = i0; i < C->n && C->row[i].ms < hi; i++) {
            const struct crow *r = &C->row[i];
            if (r->ms < H) {
                for (int j = 0; j < r->nu; j++)
                    last[r->uid[j]] = r->ms;
                continue;
            }
            if (!r->nu)
                continue;
            int fresh = 0;
            for (int j = 0; j < r->nu; j++)
                fresh |= last[r->uid[j]] == INT64_MIN;
            int m = (int)((r->ms - H) / TS_MS_MIN);
            (fresh ? n_new : n_old)[m] += 1;
            n++;
        }
    }
    /* wrong(b) = new calls before b + old calls at or after b. */
    double wrong = 0, best = INFINITY;
    for (int m = 0; m < look; m++)
        wrong += n_old[m];
    int bb = 0;
    for (int b = 0; b < look; b++) {
        if (wrong < best) {
            best = wrong;
            bb = b;
        }
        wrong += n_new[b] - n_old[b];
    }
    *n_calls = n;
    *brief = n ? bb : NAN;
    *miss = n ? best / (double)n : NAN;
    free(n_new);
    free(n_old);
    free(last);
}

/* The travel mode of grid g's beat units (the first unit's otherwise). */
static int grid_mode(const struct scn *s, int g)
{
    for (int u = 0; u < s->n_units; u++)
        for (int k = 0; k < s->units[u].n_home; k++)
            if (s->units[u].home[k] == g)
                return s->units[u].mode;
    return s->units[0].mode;
}

static int write_all(struct cal *C, const char *dir, struct perr *e)
{
    const struct scn *s = C->s;
    struct outf o;
    outf_init(&o);
    if (outf_mkdir(dir, e) < 0)
        return -1;
    FILE *md = outf_open(&o, dir, "calibration.md", e), *fp;
    if (!md)
        goto fail;
    char a[TS_ISO_MAX], b[TS_ISO_MAX];
    ts_format(C->from_ms, 0, a);
    ts_format(C->to_ms, 0, b);
    size_t n_stamped = 0, n_nod = 0, n_noa = 0, n_back = 0, n_nod_arr = 0;
    struct sample nod_resp = { 0 }, st_resp = { 0 };
    for (size_t i = 0; i < C->n; i++) {
        const struct crow *r = &C->row[i];
        if (!isnan(r->wait))
            n_stamped++;
        else if (!r->has_d)
            n_nod++, n_nod_arr += r->has_a;
        else if (!r->has_a)
            n_noa++;
        else
            n_back++;
        if (!isnan(r->response))
            smp_add(r->has_d ? &st_resp : &nod_resp, r->response);
    }
    fprintf(md, "# Calibration of %s\n\n"
            "Written by `patrolsim calibrate` from `%s`, calls received in [%s, %s) local "
            "time (the training window); nothing outside it was read into any value.\n\n"
            "## Rows\n\n"
            "| rows | count |\n|---|---|\n"
            "| replayed calls in the window (after the scenario's filters) | %zu |\n"
            "| with dispatch and arrival stamps in order: used for the delay fits | %zu |\n"
            "| without a dispatch stamp | %zu (%zu of them with an arrival) |\n"
            "| with a dispatch stamp but no arrival | %zu |\n"
            "| with stamps out of order (left out of the delay fits) | %zu |\n"
            "| units fields cut at %d characters | %llu |\n\n",
            s->name, s->streams->rp.path, a, b, C->n, n_stamped, n_nod,
            n_nod_arr, n_noa, n_back, INC_UNITS_MAX - 1, (unsigned long long)C->units_cut);
    fprintf(md, "Rule for calls without a dispatch stamp: they are replayed (they are calls "
            "the department answered) and count in received -> arrived, but they are left "
            "out of every delay fit and of the received -> dispatched and dispatched -> "
            "arrived comparisons, because their delay is unknown. They are not like the "
            "stamped calls: received -> arrived median %.1f min over %zu of them against "
            "%.1f over %zu stamped calls, so many were taken by a unit already on its way "
            "(on-view work, radio assignment without a stamp). The model gives them a "
            "processing delay like any call, so its received -> arrived for them is too "
            "long; `observed_vs_simulated.csv` shows it in the `dispatch_stamp` group.\n\n",
            nod_resp.n ? smp_q(&nod_resp, 0.5) : NAN, nod_resp.n,
            st_resp.n ? smp_q(&st_resp, 0.5) : NAN, st_resp.n);
    free(nod_resp.v);
    free(st_resp.v);

    /* Call processing. */
    struct cp_fit F = { 0 };
    F.type = xcalloc((size_t)s->n_itypes, sizeof *F.type);
    for (size_t i = 0; i < C->n; i++) {
        const struct crow *r = &C->row[i];
        if (isnan(r->wait))
            continue;
        int ld = load_before(C, i), bd = band_of(hour_of(r->ms));
        smp_add(&F.all, r->wait);
        smp_add(&F.band_all[bd], r->wait);
        if (ld <= C->quiet_k) {
            smp_add(&F.quiet, r->wait);
            smp_add(&F.type[r->type], r->wait);
            smp_add(&F.band_quiet[bd], r->wait);
        } else if (ld >= C->quiet_k + 4) {
            smp_add(&F.busy, r->wait);
        }
    }
    if (F.quiet.n < CAL_MIN_N) {
        err_set(e, "only %zu calls in [%s, %s) have both stamps and at most %d calls in the "
                "hour before; call processing needs at least %d (widen --train or raise "
                "--quiet-calls)", F.quiet.n, a, b, C->quiet_k, CAL_MIN_N);
        goto fail_cp;
    }
    fprintf(md, "## Call processing (call_processing.csv)\n\n"
            "From received -> dispatched of the stamped calls received when at most %d other "
            "calls had come in during the hour before (%zu calls): units were observably "
            "free then, so the delay is call taking and triage, not the wait for a unit, "
            "which the model produces itself when no eligible unit is free. Fitting all "
            "stamped calls would count that queueing twice. Lognormal matched to each "
            "type's median and p90 (robust to the few multi-hour holds that dominate the "
            "sample moments; quantiles of whole minutes are taken with each value spread "
            "over its minute, the grouped-data quantile); types with fewer than %d quiet "
            "calls use the pooled `*` row. "
            "One band 0-24: the quiet calls are mostly night and early-morning calls, and a "
            "fit by hour band would take shift-change and daytime availability (briefing, "
            "strength) into the delay.\n\n", C->quiet_k, F.quiet.n, CAL_MIN_N);
    if (!(fp = outf_open(&o, dir, "call_processing.csv", e)))
        goto fail_cp;
    write_cp(fp, md, C, &F);

    /* Strength. */
    fprintf(md, "## Strength (strength.csv)\n\n"
            "Distinct unit ids in the units column (ids starting with");
    for (int k = 0; k < C->nexcl; k++)
        fprintf(md, " `%s`", C->excl[k]);
    fprintf(md, "%s excluded: not patrol units), %d ids in all. A unit seen on any call "
            "in a shift block of the scenario's shifts.csv is taken to be on duty for the "
            "whole block, except a unit seen only in the block's first hour that was also "
            "seen in the block just ended (a holdover finishing its calls): units on duty that took no call in a given hour are not seen in "
            "it, so the raw count per hour (left column) is a lower bound. Each hour of "
            "the week is the mean over the window's weeks, rounded, and never below the "
            "raw count.\n\n", C->nexcl ? "" : " none", C->nid);
    if (s->n_shifts == 0)
        fputs("The scenario has no shifts: each clock hour is its own block, so the "
              "counts are the raw lower bound, uncorrected.\n\n", md);
    if (!(fp = outf_open(&o, dir, "strength.csv", e)))
        goto fail_cp;
    write_strength(fp, md, C);

    /* Briefing. */
    fprintf(md, "## Briefing (shifts.csv, briefing_min)\n\n"
            "Per shift start, pooled over the window's days: the calls received in the %d h "
            "after it, each marked new when one of its units was not seen in the %d h before "
            "the start (a unit of the new shift). briefing_min is the change point that puts "
            "the fewest calls on the wrong side (new before it, only old units after it): "
            "until then the old shift takes the calls. A rough estimate: the log shows when "
            "units take calls, not when they are free.\n\n"
            "| shift | start | calls | briefing_min | calls on the wrong side |\n"
            "|---|---|---|---|---|\n", CAL_BRIEF_LOOK_H, CAL_NEW_UNIT_H);
    if (s->n_shifts == 0)
        fputs("The scenario has no shifts: no briefing is fitted and no shifts.csv is "
              "written.\n\n", md);
    else if (!(fp = outf_open(&o, dir, "shifts.csv", e)))
        goto fail_cp;
    else
        fputs("code,start_h,hours,briefing_min\n", fp);
    for (int k = 0; k < s->n_shifts; k++) {
        double br, miss;
        size_t nd;
        fit_briefing(C, k, &br, &nd, &miss);
        fprintf(fp, "%s,%g,%g,%.0f\n", s->shifts[k].code, s->shifts[k].start_h,
                s->shifts[k].hours, isnan(br) ? 0.0 : br);
        fprintf(md, "| %s | %02g:00 | %zu | %.0f | %.1f%% |\n", s->shifts[k].code,
                s->shifts[k].start_h, nd, isnan(br) ? 0.0 : br, 100 * miss);
    }
    fputc('\n', md);

    /* Turnout: observed dispatched -> arrived minus modelled travel. */
    {
        gsl_rng *rng = rng_stream_new(s->seed, 0, RNG_CALIBRATE);
        struct sample obs[2] = { { 0 } };
        double trv[2] = { 0 };
        int64_t *last = xmalloc((size_t)(C->nid ? C->nid : 1) * sizeof *last);
        for (int u = 0; u < C->nid; u++)
            last[u] = INT64_MIN;
        for (size_t i = 0; i < C->n; i++) {
            const struct crow *r = &C->row[i];
            double gap = INFINITY;
            for (int j = 0; j < r->nu; j++)
                if (last[r->uid[j]] != INT64_MIN) {
                    double g = (double)(r->ms - last[r->uid[j]]) / (double)TS_MS_MIN;
                    if (g < gap)
                        gap = g;
                }
            for (int j = 0; j < r->nu; j++)
                last[r->uid[j]] = r->ms + (isnan(r->response) ? 0
                                  : (int64_t)(r->response * TS_MS_MIN));
            if (isnan(r->travel) || r->grid < 0)
                continue;
            int grp = gap <= CAL_RECENT_MIN;
            double ux, uy;
            geo_poly_sample(&s->grids[r->grid].poly, rng, &ux, &uy);
            smp_add(&obs[grp], r->travel);
            trv[grp] += trv_time(s->trv, grid_mode(s, r->grid), ux, uy, r->x, r->y,
                                 (double)(r->ms - s->start_ms) / (double)TS_MS_MIN);
        }
        gsl_rng_free(rng);
        free(last);
        fprintf(md, "## Turnout (turnout.csv)\n\n"
                "The log has no en-route stamp, so turnout and travel cannot be told apart: "
                "what is fitted is the residual of dispatched -> arrived over the modelled "
                "travel (road distance from a point drawn uniformly in the call's zone, a "
                "beat car patrolling it, at its units' speed), stamped calls only. Quantiles "
                "of the residual are taken as the observed quantiles minus the mean modelled "
                "travel (travel varies little beside the residual), and a lognormal matched "
                "to the median and p90. The unit's state is not in the log; the proxy is "
                "whether one of the call's units was seen on a call (received to arrived) "
                "within %.0f min before: then just_cleared and returning, else at_base, "
                "patrol and community; workload (a unit called out of a non-call busy "
                "period, which no log shows) gets the latter.\n\n"
                "| group | calls | observed median / p90 | mean modelled travel | residual "
                "median / p90 | lognormal mean / sd |\n|---|---|---|---|---|---|\n",
                CAL_RECENT_MIN);
        if (!(fp = outf_open(&o, dir, "turnout.csv", e))) {
            free(obs[0].v);
            free(obs[1].v);
            goto fail_cp;
        }
        fputs("state,dist,mean_min,sd_min\n", fp);
        static const char *const gname[2] = { "not seen in the hour before", "seen on a call "
                                              "in the hour before" };
        /* A unit called out of a non-call busy period (workload) is not
         * in the log at all: it gets the rested group's turnout. */
        static const char *const states[2][4] = {
            { "at_base", "patrol", "community", "workload" },
            { "just_cleared", "returning", NULL, NULL } };
        /* A group with too few calls takes the pooled fit (the call
         * processing check above guarantees CAL_MIN_N stamped calls). */
        struct sample pool = { 0 };
        for (int g = 0; g < 2; g++)
            for (size_t i = 0; i < obs[g].n; i++)
                smp_add(&pool, obs[g].v[i]);
        for (int g = 0; g < 2; g++) {
            struct sample *S = obs[g].n >= CAL_MIN_N ? &obs[g] : &pool;
            double mt = S == &obs[g] ? trv[g] / (double)obs[g].n
                                     : (trv[0] + trv[1]) / (double)pool.n;
            double med = smp_qmin(S, 0.5) - mt, p90 = smp_qmin(S, 0.9) - mt, m, sd;
            if (med < 0.25)
                med = 0.25;
            if (p90 < med)
                p90 = med;
            lognormal_q(med, p90, &m, &sd);
            for (int k = 0; k < 4 && states[g][k]; k++)
                fprintf(fp, "%s,lognormal,%.3f,%.3f\n", states[g][k], m, sd);
            fprintf(md, "| %s%s | %zu | %.1f / %.1f | %.2f | %.1f / %.1f | %.2f / %.2f |\n",
                    gname[g], S == &obs[g] ? "" : " (too few: the pooled fit)",
                    obs[g].n, smp_qmin(S, 0.5), smp_qmin(S, 0.9), mt, med, p90, m, sd);
        }
        fputc('\n', md);
        free(obs[0].v);
        free(obs[1].v);
        free(pool.v);
    }

    /* Units per call. */
    fprintf(md, "## Units per call (units_per_call.csv)\n\n"
            "Share of calls by the count of distinct kept unit ids, per type; the row n = %d "
            "holds %d and more. Calls with no kept id are not counted.\n\n"
            "| type | calls | mean units |\n|---|---|---|\n", CAL_MAX_UNITS_N, CAL_MAX_UNITS_N);
    if (!(fp = outf_open(&o, dir, "units_per_call.csv", e)))
        goto fail_cp;
    fputs("type,n,share\n", fp);
    for (int t = 0; t < s->n_itypes; t++) {
        double c[CAL_MAX_UNITS_N + 1] = { 0 }, tot = 0, sum = 0;
        for (size_t i = 0; i < C->n; i++)
            if (C->row[i].type == t && C->row[i].nu > 0) {
                int k = C->row[i].nu > CAL_MAX_UNITS_N ? CAL_MAX_UNITS_N : C->row[i].nu;
                c[k]++;
                tot++;
                sum += C->row[i].nu;
            }
        for (int k = 1; k <= CAL_MAX_UNITS_N && tot > 0; k++)
            fprintf(fp, "%s,%d,%.4f\n", s->itypes[t].id, k, c[k] / tot);
        fprintf(md, "| %s | %.0f | %.2f |\n", s->itypes[t].id, tot, tot ? sum / tot : NAN);
    }
    fputc('\n', md);

    /* Workload: an assumption. */
    if (!(fp = outf_open(&o, dir, "workload.csv", e)))
        goto fail_cp;
    fputs("role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n", fp);
    unsigned done = 0;
    for (int u = 0; u < s->n_units; u++) {
        unsigned bit = 1u << s->units[u].role;
        if (done & bit)
            continue;
        done |= bit;
        fprintf(fp, "%s,%g,lognormal,%g,%g,%d\n", unit_role_name(s->units[u].role),
                WL_RATE_PER_H, WL_MEAN_MIN, WL_SD_MIN, WL_INTERRUPT_PRIO);
    }
    fprintf(md, "## Workload (workload.csv): assumed, not fitted\n\n"
            "Busy time outside the logged calls (report writing, self-initiated work, "
            "breaks) is not observable in a log of calls, and this one has no cleared "
            "times either. workload.csv is an assumption stated before any comparison: "
            "every role %g busy periods an hour of idle time, lognormal mean %g min, sd %g "
            "(busy about %.0f%% of otherwise idle time), interrupted by priority %d calls. It is the first table to "
            "replace with a department's activity or time-sheet data.\n\n",
            WL_RATE_PER_H, WL_MEAN_MIN, WL_SD_MIN, 100 * WL_RATE_PER_H * WL_MEAN_MIN / 60,
            WL_INTERRUPT_PRIO);

    cp_fit_free(&F, s->n_itypes);
    return outf_commit(&o, e);
fail_cp:
    cp_fit_free(&F, s->n_itypes);
fail:
    outf_abort(&o);
    return -1;
}

/* FROM..TO, dates YYYY-MM-DD both included: [FROM 00:00, TO + 1 day 00:00). */
static int parse_window(const char *w, int64_t *from, int64_t *to)
{
    const char *dots = strstr(w, "..");
    if (!dots || dots == w || !dots[2])
        return -1;
    char a[32], b[32];
    size_t la = (size_t)(dots - w);
    if (la >= sizeof a || strlen(dots + 2) >= sizeof b)
        return -1;
    memcpy(a, w, la);
    a[la] = '\0';
    strcpy(b, dots + 2);
    int off;
    if (strlen(a) != 10 || strlen(b) != 10 || ts_parse_iso(a, from, &off) < 0 ||
        off != INT32_MIN || ts_parse_iso(b, to, &off) < 0 || off != INT32_MIN)
        return -1;
    *to += TS_MS_DAY;
    return *to > *from ? 0 : -1;
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "train", required_argument, 0, 't' },
        { "out", required_argument, 0, 'o' },
        { "exclude-units", required_argument, 0, 'x' },
        { "quiet-calls", required_argument, 0, 'q' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    struct cal C = { .quiet_k = 1 };
    const char *train = NULL, *out = NULL;
    int c, rc = EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': train = optarg; break;
        case 'o': out = optarg; break;
        case 'x':
            if (C.nexcl == (int)(sizeof C.excl / sizeof *C.excl)) {
                fputs("patrolsim calibrate: at most 16 --exclude-units\n", stderr);
                goto done;
            }
            C.excl[C.nexcl++] = optarg;
            break;
        case 'q': {
            char *end;
            long k = strtol(optarg, &end, 10);
            if (*end || end == optarg || k < 0 || k > 1000) {
                fprintf(stderr, "patrolsim calibrate: --quiet-calls: expected a count 0..1000, "
                        "got '%s'\n", optarg);
                goto done;
            }
            C.quiet_k = (int)k;
            break;
        }
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim calibrate --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1 || !train || !out) {
        fputs("patrolsim calibrate: expected SCENARIO, --train FROM..TO and --out DIR; see "
              "'patrolsim calibrate --help'\n", stderr);
        goto done;
    }
    if (parse_window(train, &C.from_ms, &C.to_ms) < 0) {
        fprintf(stderr, "patrolsim calibrate: --train: expected FROM..TO, two dates "
                "YYYY-MM-DD with FROM <= TO, got '%s'\n", train);
        goto done;
    }
    char a[TS_ISO_MAX], b[TS_ISO_MAX];
    ts_format(C.from_ms, 0, a);
    ts_format(C.to_ms, 0, b);
    cli_ov_add(&ov, "replay", "from", a);
    cli_ov_add(&ov, "replay", "to", b);
    /* t = 0 is midnight of the first replayed day, at or after FROM. */
    char hz[32];
    snprintf(hz, sizeof hz, "%lld", (long long)((C.to_ms - C.from_ms) / TS_MS_DAY + 1));
    cli_ov_add(&ov, "run", "horizon_days", hz);
    cli_ov_add(&ov, "run", "warmup_days", "0");
    struct scn *s = police_load(argv[optind], &ov);
    if (!s)
        goto done;
    C.s = s;
    static const struct { int col; const char *why; } need[] = {
        { RC_DISPATCHED, "received -> dispatched (call processing)" },
        { RC_ARRIVED, "dispatched -> arrived (turnout)" },
        { RC_UNITS, "on-duty strength and units per call" },
    };
    struct perr e;
    if (strcmp(s->source, "replay") != 0) {
        fprintf(stderr, "patrolsim calibrate: %s: [incidents] source is '%s'; calibrate "
                "needs a replay of a CAD log (source = replay)\n", s->ini_path, s->source);
        goto out;
    }
    for (size_t k = 0; k < sizeof need / sizeof *need; k++) {
        if (!s->streams->rp.col[need[k].col]) {
            fprintf(stderr, "patrolsim calibrate: %s: [replay] %s is not set; it is needed "
                    "for %s\n", s->ini_path, inc__col_key[need[k].col], need[k].why);
            goto out;
        }
    }
    if (read_rows(&C, &e) < 0) {
        fprintf(stderr, "patrolsim calibrate: %s\n", e.msg);
        goto out;
    }
    if (write_all(&C, out, &e) < 0) {
        fprintf(stderr, "patrolsim calibrate: %s\n", e.msg);
        goto out;
    }
    printf("calibrated on %zu calls received in [%s, %s); wrote %s/call_processing.csv, "
           "strength.csv, %sturnout.csv, units_per_call.csv, workload.csv, calibration.md\n",
           C.n, a, b, out, s->n_shifts ? "shifts.csv, " : "");
    rc = EXIT_OK;
out:
    for (size_t i = 0; i < C.n; i++)
        free(C.row[i].uid);
    free(C.row);
    for (int i = 0; i < C.nid; i++)
        free(C.id[i]);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
