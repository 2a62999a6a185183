/* report.c - the printed summary and the result files of `patrolsim run`.
 *
 * Files (all written through outf, so they appear whole or not at all):
 *   summary.csv  - one row per overall and per-priority metric: mean and the
 *                  95% interval across replications, plus run metadata rows;
 *   by_unit.csv  - one row per unit, one mean + half-width pair per metric;
 *   by_grid.csv  - likewise per grid;
 *   summary.json - the content of summary.csv, for programs.
 * Nothing time- or machine-dependent goes into them: the same scenario and
 * seed give byte-identical files whatever the number of threads.
 */
#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "inc.h"
#include "ops.h"
#include "outf.h"
#include "report.h"

/* Writes s left-aligned in `width` terminal columns: printf pads by bytes,
 * which misaligns "±" and Chinese labels. CJK ideographs take two columns. */
static void pad(FILE *fp, const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;                        /* continuation byte */
        cols += (*p >= 0xE3 && *p <= 0xE9) ? 2 : 1;   /* U+3000..U+9FFF */
    }
    fputs(s, fp);
    for (; cols < width; cols++)
        fputc(' ', fp);
}

/* "12.3 ± 0.4" (or "12.3" without an interval), value scaled by k. */
static const char *ci(char *buf, size_t n, double mean, double half, double k, int dec,
                      const char *unit)
{
    if (isnan(mean))
        snprintf(buf, n, "-");
    else if (isnan(half))
        snprintf(buf, n, "%.*f%s", dec, mean * k, unit);
    else
        snprintf(buf, n, "%.*f%s ± %.*f", dec, mean * k, unit, dec, half * k);
    return buf;
}

void report_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                  const struct res_summary *S, const struct report_meta *m)
{
    (void)L;
    char a[64], b[64], c[64], d[64], f[64], g[64];
    const double *M = S->mean, *H = S->half;
    fprintf(fp, "patrolsim %s  scenario: %s (%s)\n", PATROLSIM_VERSION, s->name, s->dir);
    fprintf(fp, "seed %llu, %d replication%s, %g days (first %g not counted)",
            (unsigned long long)m->seed, m->reps, m->reps == 1 ? "" : "s",
            m->horizon_days, m->warmup_days);
    fprintf(fp, m->reps > 1 ? ", ± = 95%% confidence half-width across replications\n\n" : "\n\n");

    fprintf(fp, "incidents counted per replication: %s\n\n",
            ci(a, sizeof a, M[G_INCIDENTS], H[G_INCIDENTS], 1, 0, ""));
    const char *head[6] = { "response time (min)", "mean", "median", "p90", "p95", "within target" };
    pad(fp, head[0], 23);
    for (int k = 1; k < 6; k++)
        pad(fp, head[k], k < 5 ? 17 : 0);
    fputc('\n', fp);
    for (int p = -1; p < s->n_priorities; p++) {
        size_t mean_i = p < 0 ? G_RESP_MEAN : ops_slot_prio(p, P_RESP_MEAN);
        size_t p50_i = p < 0 ? G_RESP_P50 : ops_slot_prio(p, P_RESP_P50);
        size_t p90_i = p < 0 ? G_RESP_P90 : ops_slot_prio(p, P_RESP_P90);
        size_t p95_i = p < 0 ? G_RESP_P95 : ops_slot_prio(p, P_RESP_P95);
        size_t w_i = p < 0 ? G_WITHIN : ops_slot_prio(p, P_WITHIN);
        size_t n_i = p < 0 ? G_INCIDENTS : ops_slot_prio(p, P_INCIDENTS);
        char label[40];
        if (p < 0)
            snprintf(label, sizeof label, "all");
        else
            snprintf(label, sizeof label, "priority %d (%.0f)", s->priorities[p], M[n_i]);
        fputs("  ", fp);
        pad(fp, label, 21);
        pad(fp, ci(a, sizeof a, M[mean_i], H[mean_i], 1, 2, ""), 17);
        pad(fp, ci(b, sizeof b, M[p50_i], H[p50_i], 1, 2, ""), 17);
        pad(fp, ci(c, sizeof c, M[p90_i], H[p90_i], 1, 2, ""), 17);
        pad(fp, ci(d, sizeof d, M[p95_i], H[p95_i], 1, 2, ""), 17);
        fprintf(fp, "%s\n", ci(f, sizeof f, M[w_i], H[w_i], 100, 1, "%"));
    }
    fputc('\n', fp);
    pad(fp, "first-contact rate (首接率)", 29);
    fprintf(fp, "%s\n", ci(a, sizeof a, M[G_FIRST_CONTACT], H[G_FIRST_CONTACT], 100, 1, "%"));
    fprintf(fp, "%-28s %s\n", "cross-grid support share",
            ci(a, sizeof a, M[G_CROSS_GRID], H[G_CROSS_GRID], 100, 1, "%"));
    fprintf(fp, "%-28s %s\n", "travel time of first unit",
            ci(a, sizeof a, M[G_TRAVEL_MEAN], H[G_TRAVEL_MEAN], 1, 2, " min"));
    fprintf(fp, "%-28s %s of incidents; wait %s mean, %s p90, %s for those queued; longest queue %s\n",
            "queued",
            ci(a, sizeof a, M[G_QUEUED], H[G_QUEUED], 100, 1, "%"),
            ci(b, sizeof b, M[G_WAIT_MEAN], H[G_WAIT_MEAN], 1, 2, " min"),
            ci(c, sizeof c, M[G_WAIT_P90], H[G_WAIT_P90], 1, 2, " min"),
            ci(d, sizeof d, M[G_WAIT_QUEUED], H[G_WAIT_QUEUED], 1, 2, " min"),
            ci(f, sizeof f, M[G_MAX_QUEUE], H[G_MAX_QUEUE], 1, 1, ""));
    if (ops_has_observed(s)) {
        static const struct { const char *what; int sim[3], obs[3]; } rows[] = {
            { "received -> arrived", { G_RESP_MEAN, G_RESP_P50, G_RESP_P90 }, { O_RESP_MEAN, O_RESP_P50, O_RESP_P90 } },
            { "received -> dispatched", { G_WAIT_MEAN, G_WAIT_P50, G_WAIT_P90 }, { O_WAIT_MEAN, O_WAIT_P50, O_WAIT_P90 } },
            { "dispatched -> arrived", { G_TRAVEL_MEAN, G_TRAVEL_P50, G_TRAVEL_P90 }, { O_TRAVEL_MEAN, O_TRAVEL_P50, O_TRAVEL_P90 } },
        };
        size_t o0 = ops_slot_obs(s, 0);
        fprintf(fp, "\nobserved in the data vs simulated (min; %.0f observed incidents per replication)\n",
                M[o0 + O_N_RESP]);
        const char *h2[7] = { "", "obs mean", "sim mean", "obs median", "sim median", "obs p90", "sim p90" };
        pad(fp, h2[0], 25);
        for (int k = 1; k < 7; k++)
            pad(fp, h2[k], k < 6 ? 17 : 0);
        fputc('\n', fp);
        for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
            fputs("  ", fp);
            pad(fp, rows[r].what, 23);
            for (int k = 0; k < 3; k++) {
                size_t oi = o0 + (size_t)rows[r].obs[k], si = (size_t)rows[r].sim[k];
                pad(fp, ci(a, sizeof a, M[oi], H[oi], 1, 2, ""), 17);
                pad(fp, ci(b, sizeof b, M[si], H[si], 1, 2, ""), k < 2 ? 17 : 0);
            }
            fputc('\n', fp);
        }
    }
    fprintf(fp, "%-28s mean %s, min %s, max %s, CV %s\n", "unit utilisation",
            ci(a, sizeof a, M[G_UTIL_MEAN], H[G_UTIL_MEAN], 100, 1, "%"),
            ci(b, sizeof b, M[G_UTIL_MIN], H[G_UTIL_MIN], 100, 1, "%"),
            ci(c, sizeof c, M[G_UTIL_MAX], H[G_UTIL_MAX], 100, 1, "%"),
            ci(g, sizeof g, M[G_UTIL_CV], H[G_UTIL_CV], 1, 3, ""));
}

/* ---- files --------------------------------------------------------------- */

static void put_str(FILE *fp, const char *v)
{
    csv_fwrite(fp, v, strlen(v));
}

static void put_num(FILE *fp, double v)
{
    if (!isnan(v))
        fprintf(fp, "%.10g", v);
}

static void put_mean_ci(FILE *fp, double mean, double half)
{
    put_num(fp, mean);
    fputc(',', fp);
    if (!isnan(half)) {
        put_num(fp, mean - half);
        fputc(',', fp);
        put_num(fp, mean + half);
    } else {
        fputc(',', fp);
    }
    fputc(',', fp);
    put_num(fp, half);
}

static void write_summary_csv(FILE *fp, const struct scn *s, const struct res_layout *L,
                              const struct res_summary *S, const struct report_meta *m)
{
    fputs("section,metric,key,mean,ci95_low,ci95_high,half_width,replications,description\n", fp);
    fputs("run,scenario,,", fp);
    put_str(fp, s->name);
    fprintf(fp, ",,,,%d,scenario name\n", m->reps);
    fprintf(fp, "run,seed,,%llu,,,,%d,base random seed\n", (unsigned long long)m->seed, m->reps);
    fprintf(fp, "run,replications,,%d,,,,%d,replications\n", m->reps, m->reps);
    fprintf(fp, "run,horizon_days,,%.10g,,,,%d,days over which incidents are created\n",
            m->horizon_days, m->reps);
    fprintf(fp, "run,warmup_days,,%.10g,,,,%d,days simulated but not counted\n",
            m->warmup_days, m->reps);
    for (size_t j = 0; j < L->n; j++) {
        const struct res_slot *sl = &L->slot[j];
        if (strcmp(sl->section, "all") && strcmp(sl->section, "priority") &&
            strcmp(sl->section, "observed"))
            continue;
        fprintf(fp, "%s,%s,", sl->section, sl->metric);
        put_str(fp, sl->key);
        fputc(',', fp);
        put_mean_ci(fp, S->mean[j], S->half[j]);
        fprintf(fp, ",%d,", S->reps);
        put_str(fp, ops_metric_desc(sl->section, sl->metric));
        fputc('\n', fp);
    }
}

/* One row per key of `section`: id columns then mean,half-width per metric. */
static void write_pivot(FILE *fp, const struct scn *s, const struct res_layout *L,
                        const struct res_summary *S, const char *section)
{
    int is_unit = !strcmp(section, "unit");
    size_t first = is_unit ? ops_slot_unit(s, 0, 0) : ops_slot_grid(s, 0, 0);
    int nm = is_unit ? OPS_N_UNIT : OPS_N_GRID, nk = is_unit ? s->n_units : s->n_grids;
    fputs(is_unit ? "unit,base,mode,officers,auxiliaries,home_grids" : "grid,name,area_km2,weight", fp);
    for (int k = 0; k < nm; k++)
        fprintf(fp, ",%s,%s_ci95", L->slot[first + (size_t)k].metric, L->slot[first + (size_t)k].metric);
    fputc('\n', fp);
    for (int i = 0; i < nk; i++) {
        if (is_unit) {
            const struct scn_unit *u = &s->units[i];
            put_str(fp, u->id); fputc(',', fp);
            put_str(fp, s->facilities[u->base].id); fputc(',', fp);
            put_str(fp, s->modes[u->mode].name);
            fprintf(fp, ",%d,%d,", u->officers, u->auxiliaries);
            char homes[1024] = "";
            size_t len = 0;
            for (int h = 0; h < u->n_home && len < sizeof homes; h++)
                len += (size_t)snprintf(homes + len, sizeof homes - len, "%s%s", h ? ";" : "",
                                        s->grids[u->home[h]].id);
            put_str(fp, homes);
        } else {
            const struct scn_grid *g = &s->grids[i];
            put_str(fp, g->id); fputc(',', fp);
            put_str(fp, g->name);
            fprintf(fp, ",%.6g,%.6g", g->poly.area, g->weight);
        }
        for (int k = 0; k < nm; k++) {
            size_t j = first + (size_t)i * (size_t)nm + (size_t)k;
            fputc(',', fp);
            put_num(fp, S->mean[j]);
            fputc(',', fp);
            put_num(fp, S->half[j]);
        }
        fputc('\n', fp);
    }
}

static json_t *jnum(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static int write_json(FILE *fp, const struct scn *s, const struct res_layout *L,
                      const struct res_summary *S, const struct report_meta *m)
{
    json_t *root = json_object(), *all = json_object(), *prio = json_object();
    json_object_set_new(root, "patrolsim", json_string(PATROLSIM_VERSION));
    json_object_set_new(root, "scenario", json_string(s->name));
    json_object_set_new(root, "scenario_dir", json_string(s->dir));
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)m->seed);
    json_object_set_new(root, "seed", json_string(seed));   /* exact for any uint64 */
    json_object_set_new(root, "replications", json_integer(m->reps));
    json_object_set_new(root, "horizon_days", json_real(m->horizon_days));
    json_object_set_new(root, "warmup_days", json_real(m->warmup_days));
    json_object_set_new(root, "confidence_level", json_real(S->level));
    for (size_t j = 0; j < L->n; j++) {
        const struct res_slot *sl = &L->slot[j];
        json_t *parent;
        if (!strcmp(sl->section, "all") || !strcmp(sl->section, "observed"))
            parent = all;
        else if (!strcmp(sl->section, "priority")) {
            parent = json_object_get(prio, sl->key);
            if (!parent) {
                parent = json_object();
                json_object_set_new(prio, sl->key, parent);
            }
        } else
            continue;
        json_t *v = json_object();
        json_object_set_new(v, "mean", jnum(S->mean[j]));
        json_object_set_new(v, "half_width", jnum(S->half[j]));
        json_object_set_new(parent, sl->metric, v);
    }
    json_object_set_new(root, "all", all);
    json_object_set_new(root, "by_priority", prio);
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', fp);
    json_decref(root);
    return rc;
}

int report_write(const char *dir, const struct scn *s, const struct res_layout *L,
                 const struct res_summary *S, const struct report_meta *m, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    if (outf_mkdir(dir, e) < 0)
        return -1;
    FILE *f1 = outf_open(&o, dir, "summary.csv", e);
    FILE *f2 = f1 ? outf_open(&o, dir, "by_unit.csv", e) : NULL;
    FILE *f3 = f2 ? outf_open(&o, dir, "by_grid.csv", e) : NULL;
    FILE *f4 = f3 ? outf_open(&o, dir, "summary.json", e) : NULL;
    if (!f4) {
        outf_abort(&o);
        return -1;
    }
    write_summary_csv(f1, s, L, S, m);
    write_pivot(f2, s, L, S, "unit");
    write_pivot(f3, s, L, S, "grid");
    if (write_json(f4, s, L, S, m) != 0) {
        outf_abort(&o);
        return err_set(e, "%s/summary.json: cannot encode JSON", dir);
    }
    return outf_commit(&o, e);
}
