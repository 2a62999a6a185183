/* pcharts.c - the police model's part of report.html: response-time ECDFs
 * by priority with targets, response and units on duty by hour of day,
 * officer load per unit and per grid, and maps of the layout (grids
 * coloured by a metric, facilities by tier, unit bases).  Every chart is
 * drawn from the result slots across replications, so each carries its
 * 95% CI. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ops.h"
#include "pcharts.h"
#include "police.h"

static const struct { const char *metric, *zh; } zh_labels[] = {
    { "incidents", "警情数" },
    { "response_mean_min", "平均响应时间" },
    { "response_p50_min", "响应时间中位数" },
    { "response_p90_min", "响应时间90分位" },
    { "response_p95_min", "响应时间95分位" },
    { "within_target_share", "按时到达率" },
    { "travel_mean_min", "平均行驶时间" },
    { "first_contact_rate", "首接率" },
    { "resolution_rate", "处结率" },
    { "handover_share", "移交比例" },
    { "cross_grid_share", "跨网格支援比例" },
    { "queued_share", "排队比例" },
    { "wait_mean_min", "平均等待时间" },
    { "station_load_per_day", "派出所日负荷" },
    { "utilisation_mean", "平均利用率" },
    { "utilisation_cv", "利用率变异系数" },
    { "officer_overtime_hours", "加班警力工时" },
};

static const char *p_zh(const char *section, const char *metric)
{
    if (strcmp(section, "all") && strcmp(section, "priority"))
        return NULL;
    for (size_t i = 0; i < sizeof zh_labels / sizeof *zh_labels; i++)
        if (!strcmp(zh_labels[i].metric, metric))
            return zh_labels[i].zh;
    return NULL;
}

static const char *const tier_zh[FAC_N_TIERS] = { "派出所", "警务站", "警务室", "驻巡站" };
static const char *const tier_en[FAC_N_TIERS] = { "station", "workstation", "office", "post" };

static const struct scn *scn_of(const struct rpt_variant *v)
{
    return police_scn(v->m);
}

/* What a chart of every variant is about, for its title: the scenario's
 * name for one, else the variants' names ("before vs after"), not the
 * first variant's scenario, which a compare page's title would misname. */
static const char *subject(const struct rpt *r, char *buf, size_t n)
{
    if (r->k == 1)
        return scn_of(&r->v[0])->name;
    size_t at = 0;
    for (int v = 0; v < r->k && v < 4 && at < n; v++)
        at += (size_t)snprintf(buf + at, n - at, "%s%s", v ? " vs " : "", r->v[v].name);
    if (r->k > 4 && at < n)
        snprintf(buf + at, n - at, " and %d more", r->k - 4);
    return buf;
}

/* Mean and interval of slot (section, metric, key) of variant v; NAN when absent. */
static void slot3(const struct rpt_variant *v, const char *sec, const char *met,
                  const char *key, double *m, double *lo, double *hi)
{
    long j = res_find(v->L, sec, met, key);
    *m = j < 0 ? NAN : v->S.mean[j];
    *lo = j < 0 ? NAN : v->S.lo[j];
    *hi = j < 0 ? NAN : v->S.hi[j];
    if (j >= 0 && isnan(*lo))
        *lo = *hi = *m;   /* one replication: no interval, draw the point */
}

static void num(FILE *fp, double v)
{
    if (isnan(v))
        fputs(" NaN", fp);
    else
        fprintf(fp, " %.8g", v);
}

static int close_data(FILE *fp, struct charts *C, const char *name, struct perr *e)
{
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: cannot write", C->dir, name);
    return 0;
}

/* ---- ECDF by priority ---------------------------------------------------- */

static int chart_ecdf(struct rpt *r, struct perr *e)
{
    const struct scn *s = scn_of(&r->v[0]);
    int P = s->n_priorities, nb = 0;
    FILE *fp = charts_data(r->charts, "ecdf.dat", e);
    if (!fp)
        return -1;
    struct chart_var vars[200];
    char names[200][24], labs[200][160];
    int nv = 0;
    fputs("# one block per (variant, priority): minutes, share within (mean, 95% CI low, high)\n",
          fp);
    for (int v = 0; v < r->k && nb < 60; v++)
        for (int p = 0; p < P && nb < 60; p++) {
            char key[48];
            fprintf(fp, "# %s priority %d\n", r->v[v].name, s->priorities[p]);
            for (int i = 0; i < OPS_N_ECDF; i++) {
                double m, lo, hi;
                snprintf(key, sizeof key, "%d/%g", s->priorities[p], ops_ecdf_min[i]);
                slot3(&r->v[v], "ecdf", "within_share", key, &m, &lo, &hi);
                fprintf(fp, "%g", ops_ecdf_min[i]);
                num(fp, m * 100), num(fp, lo * 100), num(fp, hi * 100);
                fputc('\n', fp);
            }
            fputs("\n\n", fp);
            nb++;
            snprintf(names[nv], sizeof names[nv], "lab_%d", nb);
            if (r->k > 1)
                snprintf(labs[nv], sizeof labs[nv], "%s · P%d", r->v[v].name, s->priorities[p]);
            else
                snprintf(labs[nv], sizeof labs[nv], "优先级 priority %d", s->priorities[p]);
            vars[nv] = (struct chart_var){ names[nv], labs[nv], 0 };
            nv++;
            snprintf(names[nv], sizeof names[nv], "lc_%d", nb);
            vars[nv] = (struct chart_var){ names[nv], NULL, p + 1 };
            nv++;
            snprintf(names[nv], sizeof names[nv], "dt_%d", nb);
            vars[nv] = (struct chart_var){ names[nv], NULL, v + 1 };
            nv++;
        }
    if (close_data(fp, r->charts, "ecdf.dat", e) < 0)
        return -1;
    /* Targets: each distinct (priority, target) of the incident types. */
    if (!(fp = charts_data(r->charts, "ecdf_targets.dat", e)))
        return -1;
    fputs("# minutes colour label\n", fp);
    double tmax = 0;
    int nt = 0;
    for (int t = 0; t < s->n_itypes; t++) {
        int dup = 0;
        for (int u = 0; u < t; u++)
            dup |= s->itypes[u].priority == s->itypes[t].priority &&
                   s->itypes[u].target_min == s->itypes[t].target_min;
        if (dup)
            continue;
        fprintf(fp, "%g %d \"P%d target %g min\"\n", s->itypes[t].target_min,
                s->itypes[t].prio_idx + 1, s->itypes[t].priority, s->itypes[t].target_min);
        if (s->itypes[t].target_min > tmax)
            tmax = s->itypes[t].target_min;
        nt++;
    }
    if (close_data(fp, r->charts, "ecdf_targets.dat", e) < 0)
        return -1;
    vars[nv++] = (struct chart_var){ "n_blocks", NULL, nb };
    vars[nv++] = (struct chart_var){ "n_targets", NULL, nt };
    vars[nv++] = (struct chart_var){ "xmax", NULL, tmax * 3 > 60 ? ceil(tmax * 3 / 10) * 10 : 60 };
    char title[512], cap[1024], sub[256];
    snprintf(title, sizeof title, "%s: 响应时间分布 response-time ECDF by priority (%d "
             "replications)", subject(r, sub, sizeof sub), r->reps);
    snprintf(cap, sizeof cap, " Share of incidents (%%) whose first unit was on scene within x "
             "minutes of the call, by priority%s; the band is the 95%% CI across %d "
             "replications, the dashed verticals mark each priority's response target (where a "
             "curve crosses its target is the share on time). 曲线为各优先级在x分钟内到达的比例，"
             "竖虚线为目标时间。", r->k > 1 ? " and variant (line style)" : "", r->reps);
    const char *files[] = { "ecdf.dat", "ecdf_targets.dat" };
    return charts_plot(r->charts, "ecdf", "ecdf", title, cap, files, 2, vars, nv, e);
}

/* ---- observed vs simulated (replays of a CAD log) --------------------------- */

/* Only the first variant's: the log is the same in every variant. */
static int chart_observed(struct rpt *r, struct perr *e)
{
    const struct rpt_variant *v = &r->v[0];
    if (res_find(v->L, "observed_ecdf", "within_share", "response/0") < 0)
        return 0;
    FILE *fp = charts_data(r->charts, "observed.dat", e);
    if (!fp)
        return -1;
    /* dispatched_arrived: first dispatch to first arrival, as the log's
     * stamps (turnout and crews included), not the first unit's travel. */
    static const char *const sim_key[3] = { "all", "wait", "dispatched_arrived" };
    static const char *const obs_key[3] = { "response", "wait", "travel" };
    fputs("# per interval: simulated block (minutes mean lo hi, %), observed block "
          "(minutes share, %)\n", fp);
    for (int i = 0; i < 3; i++) {
        char key[48];
        for (int b = 0; b < 2; b++) {
            fprintf(fp, "# %s %s\n", obs_key[i], b ? "observed" : "simulated");
            for (int k = 0; k < OPS_N_ECDF; k++) {
                double m, lo, hi;
                snprintf(key, sizeof key, "%s/%g", b ? obs_key[i] : sim_key[i], ops_ecdf_min[k]);
                slot3(v, b ? "observed_ecdf" : "ecdf", "within_share", key, &m, &lo, &hi);
                fprintf(fp, "%g", ops_ecdf_min[k]);
                num(fp, m * 100);
                if (!b)
                    num(fp, lo * 100), num(fp, hi * 100);
                fputc('\n', fp);
            }
            fputs("\n\n", fp);
        }
    }
    if (close_data(fp, r->charts, "observed.dat", e) < 0)
        return -1;
    double n_obs, lo, hi;
    slot3(v, "observed", "observed_incidents", "", &n_obs, &lo, &hi);
    struct chart_var vars[] = {
        { "ptitle_1", "接警到到场 received → arrived", 0 },
        { "ptitle_2", "接警到派警 received → dispatched", 0 },
        { "ptitle_3", "派警到到场 dispatched → arrived", 0 },
        { "xmax", NULL, 90 },
        { "sim_label", "仿真 simulated (95% CI)", 0 },
        { "obs_label", "记录 observed (the log)", 0 },
    };
    char title[512], cap[1024];
    snprintf(title, sizeof title, "%s: 记录与仿真 observed vs simulated timings (%d "
             "replications)", scn_of(v)->name, r->reps);
    snprintf(cap, sizeof cap, " Share of incidents (%%) within x minutes, for the three "
             "intervals the log records: received to first arrival, received to dispatch "
             "(simulated: the queue wait, including any call-processing delay) and dispatch to "
             "arrival (simulated: first dispatch to first arrival, turnout and travel). Solid: "
             "the simulation, with its 95%% CI band across %d replications; dashed: the log "
             "itself (%.0f incidents with both stamps after the warm-up). Where the dashed "
             "curve lies right of the solid one, the real department was slower than the model. 实线为仿真(带95%%置信带), 虚线为原始记录.",
             r->reps, n_obs);
    const char *files[] = { "observed.dat" };
    return charts_plot(r->charts, "observed", "observed", title, cap, files, 1, vars,
                       (int)(sizeof vars / sizeof *vars), e);
}

/* Call by call (obsvsim.h), by hour band: received -> arrived median and
 * p90, the log's against the simulation's.  First variant only, as above. */
static int chart_obsvsim_hours(struct rpt *r, struct perr *e)
{
    const struct rpt_variant *v = &r->v[0];
    static const int band[8] = { 0, 6, 8, 12, 16, 18, 20, 24 };
    if (res_find(v->L, "obsvsim", "received_arrived_observed_median_min", "hour:00-06") < 0)
        return 0;
    FILE *fp = charts_data(r->charts, "obsvsim_hours.dat", e);
    if (!fp)
        return -1;
    fputs("# mid_hour from to observed_median simulated_median lo hi observed_p90 "
          "simulated_p90 lo hi (received -> arrived, minutes)\n", fp);
    for (int b = 0; b < 7; b++) {
        char key[32];
        double om, sm, slo, shi, op, sp, plo, phi, lo, hi;
        snprintf(key, sizeof key, "hour:%02d-%02d", band[b], band[b + 1]);
        slot3(v, "obsvsim", "received_arrived_observed_median_min", key, &om, &lo, &hi);
        slot3(v, "obsvsim", "received_arrived_simulated_median_min", key, &sm, &slo, &shi);
        slot3(v, "obsvsim", "received_arrived_observed_p90_min", key, &op, &lo, &hi);
        slot3(v, "obsvsim", "received_arrived_simulated_p90_min", key, &sp, &plo, &phi);
        fprintf(fp, "%g %d %d", (band[b] + band[b + 1]) / 2.0, band[b], band[b + 1]);
        num(fp, om), num(fp, sm), num(fp, slo), num(fp, shi);
        num(fp, op), num(fp, sp), num(fp, plo), num(fp, phi);
        fputc('\n', fp);
    }
    if (close_data(fp, r->charts, "obsvsim_hours.dat", e) < 0)
        return -1;
    struct chart_var vars[] = {
        { "med_label", "median 中位数", 0 },
        { "p90_label", "p90 第90百分位", 0 },
    };
    char title[512], cap[1024];
    snprintf(title, sizeof title, "%s: 分时段记录与仿真 observed vs simulated by hour band",
             scn_of(v)->name);
    snprintf(cap, sizeof cap, " Received to first arrival by hour band of the call, the "
             "same calls on both sides (the simulated stamps cut to the minute like the "
             "log's): open markers the log, filled markers and lines the simulation with "
             "its 95%% CI band across %d replications. Where the open marker lies above, "
             "the real department was slower in that band. 空心为原始记录, 实心为仿真.",
             r->reps);
    const char *files[] = { "obsvsim_hours.dat" };
    return charts_plot(r->charts, "obsvsim_hours", "obsvsim_hours", title, cap, files, 1,
                       vars, (int)(sizeof vars / sizeof *vars), e);
}

/* ---- by hour of day ------------------------------------------------------- */

static int chart_hours(struct rpt *r, struct perr *e)
{
    FILE *fp = charts_data(r->charts, "hours.dat", e);
    if (!fp)
        return -1;
    struct chart_var vars[64];
    char names[64][24];
    int nv = 0;
    fputs("# one block per variant: hour, response mean (min) mean/lo/hi, units on duty "
          "mean/lo/hi\n", fp);
    for (int v = 0; v < r->k && v < 26; v++) {
        fprintf(fp, "# %s\n", r->v[v].name);
        for (int h = 0; h < 24; h++) {
            char key[8];
            double m, lo, hi, d, dlo, dhi;
            snprintf(key, sizeof key, "%02d", h);
            slot3(&r->v[v], "hour", "response_mean_min", key, &m, &lo, &hi);
            slot3(&r->v[v], "duty", "units_on_duty", key, &d, &dlo, &dhi);
            fprintf(fp, "%g", h + 0.5);
            num(fp, m), num(fp, lo), num(fp, hi), num(fp, d), num(fp, dlo), num(fp, dhi);
            fputc('\n', fp);
        }
        fputs("\n\n", fp);
        snprintf(names[nv], sizeof names[nv], "var_%d", v + 1);
        vars[nv] = (struct chart_var){ names[nv], r->v[v].name, 0 };
        nv++;
    }
    if (close_data(fp, r->charts, "hours.dat", e) < 0)
        return -1;
    vars[nv++] = (struct chart_var){ "n_var", NULL, r->k < 26 ? r->k : 26 };
    char title[512], cap[1024], sub[256];
    snprintf(title, sizeof title, "%s: 分时段响应与在岗警力 response time and units on duty by "
             "hour of day", subject(r, sub, sizeof sub));
    snprintf(cap, sizeof cap, " Solid line (left axis): mean response time of the calls "
             "received in each hour; dashed line (right axis): units on duty and present at "
             "half past the hour, mean over the measured days. Bands are 95%% CIs across %d "
             "replications. 实线为各小时平均响应时间（左轴），虚线为在岗单位数（右轴）。",
             r->reps);
    const char *files[] = { "hours.dat" };
    return charts_plot(r->charts, "hours", "hours", title, cap, files, 1, vars, nv, e);
}

/* ---- officer load ----------------------------------------------------------- */

struct bar {
    const char *id;
    double m, lo, hi;
};

static int by_mean_desc(const void *a, const void *b)
{
    const struct bar *x = a, *y = b;
    if (isnan(x->m) || isnan(y->m))
        return isnan(x->m) - isnan(y->m);
    return (x->m < y->m) - (x->m > y->m);
}

static int chart_load(struct rpt *r, int v, struct perr *e)
{
    const struct rpt_variant *V = &r->v[v];
    const struct scn *s = scn_of(V);
    char f1[64], f2[64], id[32];
    snprintf(f1, sizeof f1, "load%d_unit.dat", v + 1);
    snprintf(f2, sizeof f2, "load%d_grid.dat", v + 1);
    snprintf(id, sizeof id, "load%d", v + 1);
    int n = s->n_units > s->n_grids ? s->n_units : s->n_grids;
    struct bar *b = xcalloc((size_t)(n ? n : 1), sizeof *b);
    FILE *fp = charts_data(r->charts, f1, e);
    if (!fp) {
        free(b);
        return -1;
    }
    for (int u = 0; u < s->n_units; u++) {
        b[u].id = s->units[u].id;
        slot3(V, "unit", "utilisation", s->units[u].id, &b[u].m, &b[u].lo, &b[u].hi);
    }
    qsort(b, (size_t)s->n_units, sizeof *b, by_mean_desc);
    fputs("# unit utilisation_% ci95_low ci95_high (sorted)\n", fp);
    for (int u = 0; u < s->n_units; u++) {
        fprintf(fp, "\"%s\"", b[u].id);
        num(fp, b[u].m * 100), num(fp, b[u].lo * 100), num(fp, b[u].hi * 100);
        fputc('\n', fp);
    }
    if (close_data(fp, r->charts, f1, e) < 0 || !(fp = charts_data(r->charts, f2, e))) {
        free(b);
        return -1;
    }
    double hours, hl, hh;
    slot3(V, "all", "measured_hours", NULL, &hours, &hl, &hh);
    double days = hours / 24;
    for (int g = 0; g < s->n_grids; g++) {
        b[g].id = s->grids[g].id;
        slot3(V, "grid", "incidents", s->grids[g].id, &b[g].m, &b[g].lo, &b[g].hi);
        b[g].m /= days, b[g].lo /= days, b[g].hi /= days;
    }
    qsort(b, (size_t)s->n_grids, sizeof *b, by_mean_desc);
    fputs("# grid incidents_per_day ci95_low ci95_high (sorted)\n", fp);
    for (int g = 0; g < s->n_grids; g++) {
        fprintf(fp, "\"%s\"", b[g].id);
        num(fp, b[g].m), num(fp, b[g].lo), num(fp, b[g].hi);
        fputc('\n', fp);
    }
    free(b);
    if (close_data(fp, r->charts, f2, e) < 0)
        return -1;
    double cv, cvl, cvh, mm, mml, mmh;
    slot3(V, "all", "utilisation_cv", NULL, &cv, &cvl, &cvh);
    slot3(V, "all", "utilisation_max_min_ratio", NULL, &mm, &mml, &mmh);
    char bal[256];
    snprintf(bal, sizeof bal, "balance 均衡: CV %.2f [%.2f, %.2f], max/min %.2f [%.2f, %.2f]",
             cv, cvl, cvh, mm, mml, mmh);
    struct chart_var vars[] = {
        { "balance", bal, 0 },
        { "n_units", NULL, s->n_units },
        { "n_grids", NULL, s->n_grids },
    };
    char title[512], cap[1024];
    snprintf(title, sizeof title, "%s%s%s: 警力负荷 officer load per unit and per grid",
             s->name, r->k > 1 ? " — " : "", r->k > 1 ? V->name : "");
    snprintf(cap, sizeof cap, " Left: utilisation of each unit (busy time / time on duty, %%), "
             "sorted; right: incidents per day in each grid, sorted. Error bars are 95%% CIs "
             "across %d replications; the balance line gives the coefficient of variation of "
             "unit utilisation and the highest/lowest ratio (smaller is more even). "
             "左：各单位利用率；右：各网格日均警情。", r->reps);
    const char *files[] = { f1, f2 };
    return charts_plot(r->charts, id, "load", title, cap, files, 2, vars, 3, e);
}

/* ---- maps ------------------------------------------------------------------ */

static const struct {
    const char *metric, *zh, *en;
    double scale, per_day;
} map_metrics[] = {
    { "response_mean_min", "平均响应时间", "mean response (min)", 1, 0 },
    { "within_target_share", "按时到达率", "share within target (%)", 100, 0 },
    { "first_contact_rate", "首接率", "first-contact rate (%)", 100, 0 },
    { "incidents", "日均警情", "incidents per day", 1, 1 },
};

/* Grid polygons (one index block per grid, rings separated by a blank
 * line), facilities by tier, unit bases and grid labels of variant v. */
static int map_data(struct rpt *r, int v, struct perr *e)
{
    const struct rpt_variant *V = &r->v[v];
    const struct scn *s = scn_of(V);
    char f[64];
    double hours, hl, hh;
    slot3(V, "all", "measured_hours", NULL, &hours, &hl, &hh);
    snprintf(f, sizeof f, "map%d_grids.dat", v + 1);
    FILE *fp = charts_data(r->charts, f, e);
    if (!fp)
        return -1;
    fputs("# one block per grid: x_km y_km, then the grid's values: mean response (min), "
          "share within target (%), first-contact rate (%), incidents per day\n", fp);
    for (int g = 0; g < s->n_grids; g++) {
        const struct geo_poly *p = &s->grids[g].poly;
        double val[4];
        for (int k = 0; k < 4; k++) {
            double m, lo, hi;
            slot3(V, "grid", map_metrics[k].metric, s->grids[g].id, &m, &lo, &hi);
            val[k] = m * map_metrics[k].scale / (map_metrics[k].per_day ? hours / 24 : 1);
        }
        fprintf(fp, "# grid %s\n", s->grids[g].id);
        int nr = p->ring ? p->nring : 1;
        for (int k = 0; k < nr; k++) {
            int a = p->ring ? p->ring[k].start : 0, n = p->ring ? p->ring[k].n : p->n;
            for (int i = 0; i <= n; i++) {
                const struct geo_pt *q = &p->v[a + i % n];
                fprintf(fp, "%.6g %.6g", q->x, q->y);
                for (int m = 0; m < 4; m++)
                    num(fp, val[m]);
                fputc('\n', fp);
            }
            fputc('\n', fp);
        }
        fputc('\n', fp);
    }
    if (close_data(fp, r->charts, f, e) < 0)
        return -1;
    snprintf(f, sizeof f, "map%d_sites.dat", v + 1);
    if (!(fp = charts_data(r->charts, f, e)))
        return -1;
    fputs("# index 0-3: facilities by tier (station, workstation, office, post): x y \"id\"\n"
          "# index 4: unit bases: x y units \"n\"\n# index 5: grid labels: x y \"id\"\n", fp);
    for (int t = 0; t < FAC_N_TIERS; t++) {
        fprintf(fp, "# %s %s\n", tier_zh[t], tier_en[t]);
        int any = 0;
        for (int i = 0; i < s->n_facilities; i++)
            if (s->facilities[i].tier == (enum fac_tier)t) {
                fprintf(fp, "%.6g %.6g \"%s\"\n", s->facilities[i].x, s->facilities[i].y,
                        s->facilities[i].id);
                any = 1;
            }
        if (!any)
            fputs("NaN NaN \"\"\n", fp);
        fputs("\n\n", fp);
    }
    fputs("# unit bases\n", fp);
    for (int i = 0; i < s->n_facilities; i++) {
        int n = 0;
        for (int u = 0; u < s->n_units; u++)
            n += s->units[u].base == i;
        if (n)
            fprintf(fp, "%.6g %.6g %d \"%d\"\n", s->facilities[i].x, s->facilities[i].y, n, n);
    }
    fputs("\n\n# grid labels\n", fp);
    for (int g = 0; g < s->n_grids; g++)
        fprintf(fp, "%.6g %.6g \"%s\"\n", s->grids[g].poly.centroid.x,
                s->grids[g].poly.centroid.y, s->grids[g].id);
    return close_data(fp, r->charts, f, e);
}

/* One map chart: n_panels panels side by side of (variant, metric) pairs. */
static int chart_map(struct rpt *r, const char *id, int n_panels, const int *pv, const int *pm,
                     const char *title, const char *cap, struct perr *e)
{
    char files[2 * 26][64];
    const char *fl[2 * 26];
    int nf = 0;
    struct chart_var vars[200];
    char names[200][24], labs[64][200];
    int nv = 0;
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    double cmin[4] = { INFINITY, INFINITY, INFINITY, INFINITY }, cmax[4] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    int ngrids = 0;
    for (int v = 0; v < r->k; v++) {
        const struct scn *s = scn_of(&r->v[v]);
        double hours, hl, hh;
        slot3(&r->v[v], "all", "measured_hours", NULL, &hours, &hl, &hh);
        for (int g = 0; g < s->n_grids; g++) {
            const struct geo_poly *p = &s->grids[g].poly;
            xmin = fmin(xmin, p->xmin), ymin = fmin(ymin, p->ymin);
            xmax = fmax(xmax, p->xmax), ymax = fmax(ymax, p->ymax);
            for (int k = 0; k < 4; k++) {
                double m, lo, hi;
                slot3(&r->v[v], "grid", map_metrics[k].metric, s->grids[g].id, &m, &lo, &hi);
                m = m * map_metrics[k].scale / (map_metrics[k].per_day ? hours / 24 : 1);
                if (!isnan(m))
                    cmin[k] = fmin(cmin[k], m), cmax[k] = fmax(cmax[k], m);
            }
        }
        for (int f = 0; f < s->n_facilities; f++) {
            xmin = fmin(xmin, s->facilities[f].x), xmax = fmax(xmax, s->facilities[f].x);
            ymin = fmin(ymin, s->facilities[f].y), ymax = fmax(ymax, s->facilities[f].y);
        }
    }
    for (int i = 0; i < n_panels; i++) {
        const struct scn *s = scn_of(&r->v[pv[i]]);
        int v = pv[i], k = pm[i];
        snprintf(files[nf], sizeof files[nf], "map%d_grids.dat", v + 1);
        fl[nf] = files[nf];
        nf++;
        snprintf(files[nf], sizeof files[nf], "map%d_sites.dat", v + 1);
        fl[nf] = files[nf];
        nf++;
        snprintf(names[nv], sizeof names[nv], "ng_%d", i + 1);
        vars[nv] = (struct chart_var){ names[nv], NULL, s->n_grids };
        nv++;
        snprintf(names[nv], sizeof names[nv], "col_%d", i + 1);
        vars[nv] = (struct chart_var){ names[nv], NULL, 3 + k };
        nv++;
        snprintf(names[nv], sizeof names[nv], "cbmin_%d", i + 1);
        vars[nv] = (struct chart_var){ names[nv], NULL, isfinite(cmin[k]) ? cmin[k] : 0 };
        nv++;
        snprintf(names[nv], sizeof names[nv], "cbmax_%d", i + 1);
        vars[nv] = (struct chart_var){ names[nv], NULL,
                                       isfinite(cmax[k]) && cmax[k] > cmin[k] ? cmax[k]
                                       : (isfinite(cmin[k]) ? cmin[k] + 1 : 1) };
        nv++;
        snprintf(names[nv], sizeof names[nv], "better_%d", i + 1);
        vars[nv] = (struct chart_var){ names[nv], NULL, k == 0 ? -1 : k == 3 ? 0 : 1 };
        nv++;
        snprintf(names[nv], sizeof names[nv], "ptitle_%d", i + 1);
        snprintf(labs[i], sizeof labs[i], "%s%s%s %s", r->k > 1 ? r->v[v].name : "",
                 r->k > 1 ? ": " : "", map_metrics[k].zh, map_metrics[k].en);
        vars[nv] = (struct chart_var){ names[nv], labs[i], 0 };
        nv++;
        ngrids += s->n_grids;
    }
    /* A scale bar of a round length near a fifth of the width. */
    double w = xmax - xmin, bar = pow(10, floor(log10(w / 5)));
    if (bar * 5 < w / 5)
        bar *= 5;
    else if (bar * 2 < w / 5)
        bar *= 2;
    vars[nv++] = (struct chart_var){ "n_panels", NULL, n_panels };
    vars[nv++] = (struct chart_var){ "xmin", NULL, xmin };
    vars[nv++] = (struct chart_var){ "xmax", NULL, xmax };
    vars[nv++] = (struct chart_var){ "ymin", NULL, ymin };
    vars[nv++] = (struct chart_var){ "ymax", NULL, ymax };
    vars[nv++] = (struct chart_var){ "scale_km", NULL, bar };
    for (int t = 0; t < FAC_N_TIERS; t++) {
        snprintf(names[nv], sizeof names[nv], "tier_%d", t + 1);
        snprintf(labs[40 + t], sizeof labs[40 + t], "%s %s", tier_zh[t], tier_en[t]);
        vars[nv] = (struct chart_var){ names[nv], labs[40 + t], 0 };
        nv++;
    }
    (void)ngrids;
    return charts_plot(r->charts, id, "map", title, cap, fl, nf, vars, nv, e);
}

static int maps(struct rpt *r, struct perr *e)
{
    for (int v = 0; v < r->k; v++)
        if (map_data(r, v, e) < 0)
            return -1;
    const struct scn *s = scn_of(&r->v[0]);
    char title[512], cap[1200], sub[256];
    static const char legend[] =
        " Symbols: ■ 派出所 station, ● 警务站 workstation, ▲ 警务室 office, ◆ 驻巡站 post; "
        "open circles mark unit bases, sized and labelled by the number of units based there. "
        "Axes and the scale bar are in km (planar, or projected from longitude/latitude). "
        "Grid values are means over %d replications.";
    int pv[26], pm[26];
    if (r->k == 1) {
        for (int k = 0; k < 4; k++)
            pv[k] = 0, pm[k] = k;
        snprintf(title, sizeof title, "%s: 布局图 layout map — grids coloured by four metrics",
                 s->name);
        int n = snprintf(cap, sizeof cap, " The district's grids (网格), coloured by mean "
                         "response time, share reached within target, first-contact rate and "
                         "incidents per day (darker is worse for the first three).");
        snprintf(cap + n, sizeof cap - (size_t)n, legend, r->reps);
        return chart_map(r, "map", 4, pv, pm, title, cap, e);
    }
    /* Side by side: every variant on one colour scale, for two metrics. */
    int n = r->k < 13 ? r->k : 13;
    for (int k = 0; k < 2; k++) {
        int metric = k == 0 ? 0 : 2;
        for (int v = 0; v < n; v++)
            pv[v] = v, pm[v] = metric;
        snprintf(title, sizeof title, "%s: 布局对比 layouts side by side — %s %s",
                 subject(r, sub, sizeof sub), map_metrics[metric].zh, map_metrics[metric].en);
        int c = snprintf(cap, sizeof cap, " Each variant's layout with its grids coloured by "
                         "%s on one common colour scale, so colours compare across panels.",
                         map_metrics[metric].en);
        snprintf(cap + c, sizeof cap - (size_t)c, legend, r->reps);
        if (chart_map(r, k == 0 ? "map_response" : "map_first_contact", n, pv, pm, title, cap,
                      e) < 0)
            return -1;
    }
    return 0;
}

int pcharts_report(struct rpt *r, struct perr *e)
{
    r->label_zh = p_zh;
    const struct scn *s = scn_of(&r->v[0]);
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s%s", s->policy, s->home_first ? ", home units first" : "",
             s->redispatch_returning ? ", returning units dispatchable" : "");
    rpt_assume(r, "派警策略 dispatch policy", buf);
    snprintf(buf, sizeof buf, "%.6g incidents/day, %d incident types, %d priority levels",
             s->rate_per_day, s->n_itypes, s->n_priorities);
    rpt_assume(r, "警情 incidents", buf);
    int stations = 0;
    for (int f = 0; f < s->n_facilities; f++)
        stations += s->facilities[f].tier == FAC_STATION;
    snprintf(buf, sizeof buf, "%d grids, %d facilities (%d stations), %d units", s->n_grids,
             s->n_facilities, stations, s->n_units);
    rpt_assume(r, "布局 layout", buf);
    if (chart_ecdf(r, e) < 0 || chart_observed(r, e) < 0 || chart_obsvsim_hours(r, e) < 0 ||
        chart_hours(r, e) < 0)
        return -1;
    for (int v = 0; v < r->k && v < 26; v++)
        if (chart_load(r, v, e) < 0)
            return -1;
    return maps(r, e);
}
