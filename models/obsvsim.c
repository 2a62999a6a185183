/* obsvsim.c - observed vs simulated intervals, call by call (obsvsim.h).
 *
 * The slots of one replication are laid out group by group, then interval
 * by interval, then statistic: OV_N_STAT slots per (group, interval).  The
 * group list is fixed by the scenario (hour bands, its grids, its incident
 * types), so the layout and the order of the rows of
 * observed_vs_simulated.csv depend on nothing but the scenario.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "obsvsim.h"
#include "ops.h"

enum { IV_RD, IV_DA, IV_RA, OV_N_IV };
static const char *const iv_name[OV_N_IV] = {
    "received_dispatched", "dispatched_arrived", "received_arrived",
};

/* Per (group, interval): the slots, in order. */
enum { S_N, S_OBS_MED, S_OBS_MEAN, S_OBS_P90, S_SIM_MED, S_SIM_MEAN, S_SIM_P90, S_KS,
       OV_N_STAT };
#define MET(iv, st) iv "_" st
#define MROW(iv) { MET(iv, "incidents"), MET(iv, "observed_median_min"), \
                   MET(iv, "observed_mean_min"), MET(iv, "observed_p90_min"), \
                   MET(iv, "simulated_median_min"), MET(iv, "simulated_mean_min"), \
                   MET(iv, "simulated_p90_min"), MET(iv, "ks_distance") }
static const char *const met_name[OV_N_IV][OV_N_STAT] = {
    MROW("received_dispatched"), MROW("dispatched_arrived"), MROW("received_arrived"),
};

/* Hour bands of the received time: the night trough, the two shift
 * changes of a 06/18 roster and the day in between, as the SLO profile
 * shows them; any department's comparison uses the same bands. */
#define OV_N_BAND 7
static const int band_from[OV_N_BAND + 1] = { 0, 6, 8, 12, 16, 18, 20, 24 };

enum { GK_ALL, GK_BAND, GK_ZONE, GK_TYPE, GK_STAMP, GK_N };

struct obsvsim {
    const struct scn *s;
    size_t n, cap;
    double (*obs)[OV_N_IV], (*sim)[OV_N_IV];
    int (*grp)[GK_N];           /* group index of each call per kind */
    double *a, *b;              /* sort buffers */
};

static int n_groups(const struct scn *s)
{
    return 1 + OV_N_BAND + s->n_grids + s->n_itypes + 2;
}

size_t obsvsim_n_slots(const struct scn *s)
{
    return ops_has_observed(s) ? (size_t)n_groups(s) * OV_N_IV * OV_N_STAT : 0;
}

/* Group g's key ("all", "hour:06-08", "zone:PN5", "type:violent",
 * "dispatch_stamp:no"). */
static const char *group_key(const struct scn *s, int g, char *buf, size_t n)
{
    if (g == 0)
        return "all";
    g--;
    if (g < OV_N_BAND) {
        snprintf(buf, n, "hour:%02d-%02d", band_from[g], band_from[g + 1]);
        return buf;
    }
    g -= OV_N_BAND;
    if (g < s->n_grids) {
        snprintf(buf, n, "zone:%s", s->grids[g].id);
        return buf;
    }
    g -= s->n_grids;
    if (g < s->n_itypes) {
        snprintf(buf, n, "type:%s", s->itypes[g].id);
        return buf;
    }
    g -= s->n_itypes;
    return g == 0 ? "dispatch_stamp:yes" : "dispatch_stamp:no";
}

void obsvsim_layout(const struct scn *s, struct res_layout *L)
{
    if (!ops_has_observed(s))
        return;
    char key[96];
    for (int g = 0; g < n_groups(s); g++) {
        const char *k = group_key(s, g, key, sizeof key);
        for (int i = 0; i < OV_N_IV; i++)
            for (int st = 0; st < OV_N_STAT; st++) {
                size_t at = res_add(L, "obsvsim", met_name[i][st], k);
                if (st == S_KS)
                    res_set_flags(L, at, RES_PROPORTION);
            }
    }
}

struct obsvsim *obsvsim_new(const struct scn *s)
{
    if (!ops_has_observed(s))
        return NULL;
    struct obsvsim *v = xcalloc(1, sizeof *v);
    v->s = s;
    return v;
}

void obsvsim_free(struct obsvsim *v)
{
    if (!v)
        return;
    free(v->obs);
    free(v->sim);
    free(v->grp);
    free(v->a);
    free(v->b);
    free(v);
}

void obsvsim_add(struct obsvsim *v, const struct inc *in, double t_dispatch, double t_first)
{
    if (!v)
        return;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 4096;
        v->obs = xrealloc(v->obs, v->cap * sizeof *v->obs);
        v->sim = xrealloc(v->sim, v->cap * sizeof *v->sim);
        v->grp = xrealloc(v->grp, v->cap * sizeof *v->grp);
    }
    const struct scn *s = v->s;
    size_t k = v->n++;
    v->obs[k][IV_RD] = in->obs_wait;
    v->obs[k][IV_DA] = in->obs_travel;
    v->obs[k][IV_RA] = in->obs_response;
    /* The log's stamps are clock minutes: cut the simulated ones the same
     * way (received is a whole minute already for a replayed row). */
    double r = floor(in->t + 1e-9), d = floor(t_dispatch + 1e-9), a = floor(t_first + 1e-9);
    v->sim[k][IV_RD] = d - r;
    v->sim[k][IV_DA] = a - d;
    v->sim[k][IV_RA] = a - r;
    double tod = fmod(in->t, 1440.0);
    int h = (int)floor(tod / 60.0), b = 0;
    while (h >= band_from[b + 1])
        b++;
    int base = 1;
    v->grp[k][GK_ALL] = 0;
    v->grp[k][GK_BAND] = base + b;
    base += OV_N_BAND;
    v->grp[k][GK_ZONE] = in->grid >= 0 ? base + in->grid : -1;
    base += s->n_grids;
    v->grp[k][GK_TYPE] = base + in->type;
    base += s->n_itypes;
    /* No observed wait and no observed travel while the response exists:
     * the row had no dispatch stamp (or one out of order, which the load
     * report counts; the two cannot be told apart here). */
    v->grp[k][GK_STAMP] = base + (isnan(in->obs_wait) ? 1 : 0);
}

double obsvsim_ks(const double *a, size_t na, const double *b, size_t nb)
{
    if (!na || !nb)
        return NAN;
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < nb) {
        double x = a[i] < b[j] ? a[i] : b[j];
        while (i < na && a[i] <= x)
            i++;
        while (j < nb && b[j] <= x)
            j++;
        double f = fabs((double)i / (double)na - (double)j / (double)nb);
        if (f > d)
            d = f;
    }
    return d;
}

void obsvsim_finish(struct obsvsim *v, double *out)
{
    if (!v)
        return;
    const struct scn *s = v->s;
    v->a = xrealloc(v->a, (v->n ? v->n : 1) * sizeof *v->a);
    v->b = xrealloc(v->b, (v->n ? v->n : 1) * sizeof *v->b);
    int G = n_groups(s);
    for (int g = 0; g < G; g++)
        for (int i = 0; i < OV_N_IV; i++) {
            size_t m = 0;
            for (size_t k = 0; k < v->n; k++) {
                int in_g = 0;
                for (int kind = 0; kind < GK_N; kind++)
                    in_g |= v->grp[k][kind] == g;
                if (in_g && !isnan(v->obs[k][i])) {
                    v->a[m] = v->obs[k][i];
                    v->b[m++] = v->sim[k][i];
                }
            }
            double *o = &out[((size_t)g * OV_N_IV + (size_t)i) * OV_N_STAT];
            o[S_N] = (double)m;
            if (m == 0) {
                for (int st = 1; st < OV_N_STAT; st++)
                    o[st] = NAN;
                continue;
            }
            gsl_sort(v->a, 1, m);
            gsl_sort(v->b, 1, m);
            o[S_OBS_MED] = gsl_stats_quantile_from_sorted_data(v->a, 1, m, 0.5);
            o[S_OBS_MEAN] = gsl_stats_mean(v->a, 1, m);
            o[S_OBS_P90] = gsl_stats_quantile_from_sorted_data(v->a, 1, m, 0.9);
            o[S_SIM_MED] = gsl_stats_quantile_from_sorted_data(v->b, 1, m, 0.5);
            o[S_SIM_MEAN] = gsl_stats_mean(v->b, 1, m);
            o[S_SIM_P90] = gsl_stats_quantile_from_sorted_data(v->b, 1, m, 0.9);
            o[S_KS] = obsvsim_ks(v->a, m, v->b, m);
        }
}

/* ---- reports ------------------------------------------------------------------- */

static long slot_of(const struct res_layout *L, const char *key, int i, int st)
{
    return res_find(L, "obsvsim", met_name[i][st], key);
}

static double rel(double sim, double obs)
{
    return obs != 0 && !isnan(obs) && !isnan(sim) ? (sim - obs) / obs : NAN;
}

void obsvsim_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                   const struct res_summary *S)
{
    if (!ops_has_observed(s) || slot_of(L, "all", 0, S_N) < 0)
        return;
    static const char *const st_name[3] = { "median", "mean", "p90" };
    fprintf(fp, "\nobserved vs simulated, the same calls, minutes (observed_vs_simulated.csv "
            "has every group):\n");
    fprintf(fp, "  %-21s %-7s %9s %18s %9s %6s %8s\n", "interval", "stat", "observed",
            "simulated", "rel.err", "KS", "calls");
    for (int i = 0; i < OV_N_IV; i++) {
        long n = slot_of(L, "all", i, S_N), ks = slot_of(L, "all", i, S_KS);
        for (int k = 0; k < 3; k++) {
            long so = slot_of(L, "all", i, S_OBS_MED + k), ss = slot_of(L, "all", i,
                                                                          S_SIM_MED + k);
            char sim[64];
            snprintf(sim, sizeof sim, isnan(S->half[ss]) ? "%.2f" : "%.2f ± %.2f",
                     S->mean[ss], S->half[ss]);
            fprintf(fp, "  %-21s %-7s %9.2f %18s %+8.1f%%", k ? "" : iv_name[i], st_name[k],
                    S->mean[so], sim, 100 * rel(S->mean[ss], S->mean[so]));
            if (k == 0)
                fprintf(fp, " %6.3f %8.0f", S->mean[ks], S->mean[n]);
            fputc('\n', fp);
        }
    }
    fprintf(fp, "  received_arrived by hour band: median / p90, observed -> simulated\n");
    char key[96];
    for (int g = 1; g <= OV_N_BAND; g++) {
        const char *k = group_key(s, g, key, sizeof key);
        long om = slot_of(L, k, IV_RA, S_OBS_MED), sm = slot_of(L, k, IV_RA, S_SIM_MED);
        long op = slot_of(L, k, IV_RA, S_OBS_P90), sp = slot_of(L, k, IV_RA, S_SIM_P90);
        fprintf(fp, "    %-12s %5.1f / %5.1f -> %5.1f / %5.1f\n", k + 5, S->mean[om],
                S->mean[op], S->mean[sm], S->mean[sp]);
    }
}

static void num(FILE *fp, double x)
{
    if (isnan(x))
        fputc(',', fp);
    else
        fprintf(fp, ",%.4f", x);
}

int obsvsim_write(struct outf *o, const char *dir, const struct scn *s,
                  const struct res_layout *L, const struct res_summary *S, struct perr *e)
{
    if (!ops_has_observed(s) || slot_of(L, "all", 0, S_N) < 0)
        return 0;
    FILE *fp = outf_open(o, dir, "observed_vs_simulated.csv", e);
    if (!fp)
        return -1;
    fputs("interval,group,statistic,observed,simulated,ci95_low,ci95_high,rel_error\n", fp);
    static const char *const st_name[3] = { "median", "mean", "p90" };
    char key[96];
    for (int g = 0; g < n_groups(s); g++) {
        const char *k = group_key(s, g, key, sizeof key);
        for (int i = 0; i < OV_N_IV; i++) {
            long n = slot_of(L, k, i, S_N);
            if (!(S->mean[n] > 0))
                continue;       /* no call of this group has the interval */
            /* The calls compared: the same on both sides. */
            fprintf(fp, "%s,%s,n", iv_name[i], k);
            num(fp, S->mean[n]);
            num(fp, S->mean[n]);
            fputs(",,,\n", fp);
            for (int st = 0; st < 3; st++) {
                long so = slot_of(L, k, i, S_OBS_MED + st), ss = slot_of(L, k, i,
                                                                           S_SIM_MED + st);
                fprintf(fp, "%s,%s,%s", iv_name[i], k, st_name[st]);
                num(fp, S->mean[so]);
                num(fp, S->mean[ss]);
                num(fp, S->lo[ss]);
                num(fp, S->hi[ss]);
                num(fp, rel(S->mean[ss], S->mean[so]));
                fputc('\n', fp);
            }
            long ks = slot_of(L, k, i, S_KS);
            fprintf(fp, "%s,%s,ks,", iv_name[i], k);
            num(fp, S->mean[ks]);
            num(fp, S->lo[ks]);
            num(fp, S->hi[ks]);
            fputs(",\n", fp);
        }
    }
    return 0;
}
