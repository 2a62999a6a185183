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
#include "prov.h"
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

/* One "label   value" line; label padded to the value column. */
static void line(FILE *fp, const char *label, const char *value)
{
    pad(fp, label, 34);
    fprintf(fp, "%s\n", value);
}

/* Metric names by their enum, from the same X-macro lists as the layout;
 * report_print finds every value through the layout by (section, metric,
 * key), never by offset. */
#define NAME_OF(e, name, desc) name,
static const char *const g_name[] = { OPS_GLOBAL_METRICS(NAME_OF) };
static const char *const p_name[] = { OPS_PRIO_METRICS(NAME_OF) };
static const char *const k_name[] = { OPS_TIER_METRICS(NAME_OF) };
static const char *const s_name[] = { OPS_STATION_METRICS(NAME_OF) };
static const char *const o_name[] = { INC_OBS_METRICS(NAME_OF) };
#undef NAME_OF

static size_t at(const struct res_layout *L, const char *section, const char *metric,
                 const char *key)
{
    long i = res_find(L, section, metric, key);
    PS_ASSERT(i >= 0);     /* the layout and these lists come from one source */
    return (size_t)i;
}

/* The conditional blocks of ops.h (grid tier, endogenous demand): printed
 * only when the layout has them. */
static void print_grid_demand(FILE *fp, const struct scn *s, const struct res_layout *L,
                              const struct res_summary *S)
{
    const double *M = S->mean, *H = S->half;
    char a[64], b[64], c[64], buf[512];
#define X(name) res_find(L, "all", name, "")
#define V(i, k, dec, unit) ci(a, sizeof a, M[i], H[i], k, dec, unit)
    long i = X("grid_first_share");
    if (i >= 0) {
        fprintf(fp, "\ngrid tier (civilian grid workers first)\n");
        snprintf(buf, sizeof buf, "%s of calls; resolved there %s of calls (%s of theirs)",
                 V(i, 100, 1, "%"), ci(b, sizeof b, M[X("grid_resolved_share")],
                 H[X("grid_resolved_share")], 100, 1, "%"),
                 ci(c, sizeof c, M[X("grid_resolution_rate")], H[X("grid_resolution_rate")],
                    100, 1, "%"));
        line(fp, "  first handled at grid level", buf);
        i = X("police_calls_avoided_per_day");
        snprintf(buf, sizeof buf, "%s calls/day avoided; %s police hours/day saved",
                 V(i, 1, 1, ""), ci(b, sizeof b, M[X("police_hours_saved_per_day")],
                                    H[X("police_hours_saved_per_day")], 1, 1, ""));
        line(fp, "  police work avoided", buf);
        i = X("grid_escalations");
        snprintf(buf, sizeof buf, "%s calls, after %s (mean delay)", V(i, 1, 0, ""),
                 ci(b, sizeof b, M[X("escalation_delay_mean_min")],
                    H[X("escalation_delay_mean_min")], 1, 1, " min"));
        line(fp, "  escalated to the police", buf);
        i = X("grid_response_mean_min");
        snprintf(buf, sizeof buf, "grid %s, police %s (escalated calls %s)",
                 V(i, 1, 2, " min"), ci(b, sizeof b, M[X("police_response_mean_min")],
                                        H[X("police_response_mean_min")], 1, 2, " min"),
                 ci(c, sizeof c, M[X("escalated_police_response_mean_min")],
                    H[X("escalated_police_response_mean_min")], 1, 2, " min"));
        line(fp, "  response from received", buf);
        i = X("grid_worker_utilisation");
        line(fp, "  grid worker utilisation", V(i, 100, 1, "%"));
        for (int t = 0; t < s->n_itypes; t++) {
            if (!(s->itypes[t].roles & ROLE_GRID_BIT))
                continue;
            long f = res_find(L, "grid_type", "grid_first_share", s->itypes[t].id);
            long r = res_find(L, "grid_type", "grid_resolved_share", s->itypes[t].id);
            char lab[128];
            snprintf(lab, sizeof lab, "    %s", s->itypes[t].id);
            snprintf(buf, sizeof buf, "%s first at grid level, %s resolved there",
                     ci(a, sizeof a, M[f], H[f], 100, 1, "%"),
                     ci(b, sizeof b, M[r], H[r], 100, 1, "%"));
            line(fp, lab, buf);
        }
    }
    i = X("incidents_spawned");
    if (i >= 0) {
        fprintf(fp, "\nendogenous demand (consequences.csv)\n");
        snprintf(buf, sizeof buf, "%s exogenous, %s spawned (%s of all)",
                 ci(a, sizeof a, M[X("incidents_exogenous")], H[X("incidents_exogenous")], 1,
                    0, ""), ci(b, sizeof b, M[i], H[i], 1, 0, ""),
                 ci(c, sizeof c, M[X("spawned_share")], H[X("spawned_share")], 100, 1, "%"));
        line(fp, "  incidents counted", buf);
        snprintf(buf, sizeof buf, "%s repeats, %s escalations (民转刑)",
                 ci(a, sizeof a, M[X("spawned_repeats")], H[X("spawned_repeats")], 1, 0, ""),
                 ci(b, sizeof b, M[X("spawned_escalations")], H[X("spawned_escalations")], 1,
                    0, ""));
        line(fp, "  spawned", buf);
    }
#undef V
#undef X
}

void report_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                  const struct res_summary *S, const struct prov *m)
{
    char a[64], b[64], c[64], d[64], f[64], g[64], buf[512];
    const double *M = S->mean, *H = S->half;
    struct ops_blocks B;
    ops_blocks(s, &B);
    char key[64];
#define G(e) at(L, "all", g_name[e], "")
#define CI(i, k, dec, unit) ci(a, sizeof a, M[i], H[i], k, dec, unit)
    fprintf(fp, "patrolsim %s  scenario: %s (%s)\n", PATROLSIM_VERSION, s->name, s->dir);
    fprintf(fp, "seed %llu, %d replication%s, %g days (first %g not counted)",
            (unsigned long long)m->seed, m->reps, m->reps == 1 ? "" : "s",
            m->horizon_days, m->warmup_days);
    fprintf(fp, m->reps > 1 ? ", ± = 95%% confidence half-width across replications\n\n" : "\n\n");

    if (M[G(G_COLLAPSED)] > 0)
        fprintf(fp, "WARNING: the system did not keep up in %.0f of %d replication%s: the queue "
                    "grew from day %.1f (mean) and held %.0f calls when the last calls came in; "
                    "the response times below measure that backlog\n\n",
                M[G(G_COLLAPSED)] * m->reps, m->reps, m->reps == 1 ? "" : "s",
                M[G(G_COLLAPSE_DAY)], M[G(G_QUEUE_HORIZON)]);
    fprintf(fp, "incidents counted per replication: %s\n\n", CI(G(G_INCIDENTS), 1, 0, ""));
    const char *head[6] = { "response time (min)", "mean", "median", "p90", "p95", "within target" };
    pad(fp, head[0], 23);
    for (int k = 1; k < 6; k++)
        pad(fp, head[k], k < 5 ? 17 : 0);
    fputc('\n', fp);
    for (int p = -1; p < s->n_priorities; p++) {
        snprintf(key, sizeof key, "%d", p < 0 ? 0 : s->priorities[p]);
#define PR(pe, ge) (p < 0 ? G(ge) : at(L, "priority", p_name[pe], key))
        size_t mean_i = PR(P_RESP_MEAN, G_RESP_MEAN), p50_i = PR(P_RESP_P50, G_RESP_P50);
        size_t p90_i = PR(P_RESP_P90, G_RESP_P90), p95_i = PR(P_RESP_P95, G_RESP_P95);
        size_t w_i = PR(P_WITHIN, G_WITHIN);
        char label[40];
        if (p < 0)
            snprintf(label, sizeof label, "all");
        else
            snprintf(label, sizeof label, "priority %d (%.0f)", s->priorities[p],
                     M[PR(P_INCIDENTS, G_INCIDENTS)]);
#undef PR
        fputs("  ", fp);
        pad(fp, label, 21);
        pad(fp, ci(a, sizeof a, M[mean_i], H[mean_i], 1, 2, ""), 17);
        pad(fp, ci(b, sizeof b, M[p50_i], H[p50_i], 1, 2, ""), 17);
        pad(fp, ci(c, sizeof c, M[p90_i], H[p90_i], 1, 2, ""), 17);
        pad(fp, ci(d, sizeof d, M[p95_i], H[p95_i], 1, 2, ""), 17);
        fprintf(fp, "%s\n", ci(f, sizeof f, M[w_i], H[w_i], 100, 1, "%"));
    }
    fputc('\n', fp);
    line(fp, "first-contact rate (首接率)", CI(G(G_FIRST_CONTACT), 100, 1, "%"));
    line(fp, "resolution rate (处结率)", CI(G(G_RESOLVED), 100, 1, "%"));
    line(fp, "handover share (移交)", CI(G(G_HANDOVER), 100, 1, "%"));
    snprintf(buf, sizeof buf, "%s grid, %s zone", CI(G(G_CROSS_GRID), 100, 1, "%"),
             ci(b, sizeof b, M[G(G_CROSS_ZONE)], H[G(G_CROSS_ZONE)], 100, 1, "%"));
    line(fp, "cross-grid / cross-zone support", buf);
    line(fp, "travel time of first unit", CI(G(G_TRAVEL_MEAN), 1, 2, " min"));
    snprintf(buf, sizeof buf, "%s of incidents; wait %s mean, %s p90, %s for those queued; "
             "longest queue %s", CI(G(G_QUEUED), 100, 1, "%"),
             ci(b, sizeof b, M[G(G_WAIT_MEAN)], H[G(G_WAIT_MEAN)], 1, 2, " min"),
             ci(c, sizeof c, M[G(G_WAIT_P90)], H[G(G_WAIT_P90)], 1, 2, " min"),
             ci(d, sizeof d, M[G(G_WAIT_QUEUED)], H[G(G_WAIT_QUEUED)], 1, 2, " min"),
             ci(f, sizeof f, M[G(G_MAX_QUEUE)], H[G(G_MAX_QUEUE)], 1, 1, ""));
    line(fp, "queued", buf);
    if (s->preempt)
        line(fp, "pre-emptions", CI(G(G_PREEMPTIONS), 1, 1, ""));
    if (B.n_stations) {
        snprintf(buf, sizeof buf, "%s calls/day (handovers + calls first served by "
                 "station units); follow-up wait %s", CI(G(G_STATION_LOAD), 1, 1, ""),
                 ci(b, sizeof b, M[G(G_FOLLOWUP_WAIT)], H[G(G_FOLLOWUP_WAIT)], 1, 1, " min"));
        line(fp, "station load", buf);
        for (int i = 0; i < B.n_stations; i++) {
            const char *sid = s->facilities[B.station_fac[i]].id;
#define ST(e) at(L, "station", s_name[e], sid)
            snprintf(buf, sizeof buf, "  %s", sid);
            snprintf(f, sizeof f, "%s", ci(b, sizeof b, M[ST(S_HANDOVER_DAY)], H[ST(S_HANDOVER_DAY)], 1, 1, ""));
            char v[256];
            snprintf(v, sizeof v, "%s /day: %s handed over, %s served by its units",
                     ci(a, sizeof a, M[ST(S_LOAD_DAY)], H[ST(S_LOAD_DAY)], 1, 1, ""), f,
                     ci(c, sizeof c, M[ST(S_SERVED_DAY)], H[ST(S_SERVED_DAY)], 1, 1, ""));
#undef ST
            line(fp, buf, v);
        }
    }
    if (M[G(G_UNSTAFFED)] > 0)
        line(fp, "handovers with no case team", CI(G(G_UNSTAFFED), 1, 1, ""));
    if (s->absence_p > 0) {
        snprintf(buf, sizeof buf, "%s unit-shifts not run; A post absent %s times, covered "
                 "by B/C %s", CI(G(G_ABSENT_SHIFTS), 1, 1, ""),
                 ci(b, sizeof b, M[G(G_AB_NEEDED)], H[G(G_AB_NEEDED)], 1, 1, ""),
                 ci(c, sizeof c, M[G(G_AB_FOUND)], H[G(G_AB_FOUND)], 100, 1, "%"));
        line(fp, "absences and AB cover (AB角)", buf);
    }
    /* A replay without timing columns observes nothing: no table then. */
#define OB(e) at(L, "observed", o_name[e], "")
    if (ops_has_observed(s) && M[OB(O_N_RESP)] > 0) {
        static const struct { const char *what; int sim[3], obs[3]; } rows[] = {
            { "received -> arrived", { G_RESP_MEAN, G_RESP_P50, G_RESP_P90 }, { O_RESP_MEAN, O_RESP_P50, O_RESP_P90 } },
            { "received -> dispatched", { G_WAIT_MEAN, G_WAIT_P50, G_WAIT_P90 }, { O_WAIT_MEAN, O_WAIT_P50, O_WAIT_P90 } },
            { "dispatched -> arrived", { G_TRAVEL_MEAN, G_TRAVEL_P50, G_TRAVEL_P90 }, { O_TRAVEL_MEAN, O_TRAVEL_P50, O_TRAVEL_P90 } },
        };
        fprintf(fp, "\nobserved in the data vs simulated (min; %.0f observed incidents per replication)\n",
                M[OB(O_N_RESP)]);
        const char *h2[7] = { "", "obs mean", "sim mean", "obs median", "sim median", "obs p90", "sim p90" };
        pad(fp, h2[0], 25);
        for (int k = 1; k < 7; k++)
            pad(fp, h2[k], k < 6 ? 17 : 0);
        fputc('\n', fp);
        for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
            fputs("  ", fp);
            pad(fp, rows[r].what, 23);
            for (int k = 0; k < 3; k++) {
                size_t oi = OB(rows[r].obs[k]), si = G(rows[r].sim[k]);
                pad(fp, ci(a, sizeof a, M[oi], H[oi], 1, 2, ""), 17);
                pad(fp, ci(b, sizeof b, M[si], H[si], 1, 2, ""), k < 2 ? 17 : 0);
            }
            fputc('\n', fp);
        }
    }
    fprintf(fp, "\nofficer load\n");
    snprintf(buf, sizeof buf, "mean %s, min %s, max %s; CV %s, max/min %s",
             CI(G(G_UTIL_MEAN), 100, 1, "%"), ci(b, sizeof b, M[G(G_UTIL_MIN)], H[G(G_UTIL_MIN)], 100, 1, "%"),
             ci(c, sizeof c, M[G(G_UTIL_MAX)], H[G(G_UTIL_MAX)], 100, 1, "%"),
             ci(d, sizeof d, M[G(G_UTIL_CV)], H[G(G_UTIL_CV)], 1, 3, ""),
             ci(g, sizeof g, M[G(G_UTIL_MAXMIN)], H[G(G_UTIL_MAXMIN)], 1, 2, ""));
    line(fp, "  utilisation (of on-duty time)", buf);
    snprintf(buf, sizeof buf, "%s (CV across units %s)", CI(G(G_JOBS_SHIFT), 1, 2, ""),
             ci(b, sizeof b, M[G(G_JOBS_SHIFT_CV)], H[G(G_JOBS_SHIFT_CV)], 1, 3, ""));
    line(fp, "  incidents per unit shift", buf);
    snprintf(buf, sizeof buf, "%s on duty, %s overtime", CI(G(G_DUTY_OFFICER_H), 1, 0, ""),
             ci(b, sizeof b, M[G(G_OVERTIME_H)], H[G(G_OVERTIME_H)], 1, 1, ""));
    line(fp, "  officer-hours", buf);
    if (!isnan(M[G(G_COMMUNITY_SHARE)]))
        line(fp, "  community units in community", CI(G(G_COMMUNITY_SHARE), 100, 1, "% of on-duty time"));
    long ci_idle = res_find(L, "all", "community_idle_share", "");
    if (ci_idle >= 0 && !isnan(M[ci_idle]))
        line(fp, "    (what community_share sets)", ci(a, sizeof a, M[ci_idle], H[ci_idle], 100, 1,
                                                   "% of idle time"));
    for (int k = 0; k < FAC_N_TIERS; k++) {
        const char *tn = fac_tier_name((enum fac_tier)k);
#define TI(e) at(L, "tier", k_name[e], tn)
        if (!(M[TI(K_UNITS)] > 0))
            continue;
        snprintf(buf, sizeof buf, "  units based at %s %s", k == FAC_OFFICE ? "an" : "a",
                 fac_tier_name((enum fac_tier)k));
        char v[256];
        snprintf(v, sizeof v, "%.0f units, utilisation %s; first to %s incidents, response %s",
                 M[TI(K_UNITS)], CI(TI(K_UTIL), 100, 1, "%"),
                 ci(b, sizeof b, M[TI(K_INCIDENTS)], H[TI(K_INCIDENTS)], 1, 0, ""),
                 ci(c, sizeof c, M[TI(K_RESP_MEAN)], H[TI(K_RESP_MEAN)], 1, 2, " min"));
#undef TI
        line(fp, buf, v);
    }
#undef OB
#undef CI
#undef G
    print_grid_demand(fp, s, L, S);
    const char *const *w;
    int nw = scn_warnings(s, &w);
    if (nw)
        fprintf(fp, "\nwarnings about the scenario (%d)\n", nw);
    for (int i = 0; i < nw; i++)
        fprintf(fp, "  %s\n", w[i]);
    ops_blocks_release(&B);
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

/* mean, ci95_low, ci95_high (clipped to the slot's range), half_width. */
static void put_mean_ci(FILE *fp, const struct res_summary *S, size_t j)
{
    put_num(fp, S->mean[j]);
    fputc(',', fp);
    put_num(fp, S->lo[j]);
    fputc(',', fp);
    put_num(fp, S->hi[j]);
    fputc(',', fp);
    put_num(fp, S->half[j]);
}

static void write_summary_csv(FILE *fp, const struct scn *s, const struct res_layout *L,
                              const struct res_summary *S, const struct prov *m)
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
            strcmp(sl->section, "observed") && strcmp(sl->section, "grid_type"))
            continue;
        fprintf(fp, "%s,%s,", sl->section, sl->metric);
        put_str(fp, sl->key);
        fputc(',', fp);
        put_mean_ci(fp, S, j);
        fprintf(fp, ",%d,", S->reps);
        put_str(fp, ops_metric_desc(sl->section, sl->metric));
        fputc('\n', fp);
    }
}

static void put_sep_str(FILE *fp, const char *v)
{
    fputc(',', fp);
    put_str(fp, v);
}

/* One row per key of a keyed section: identifying columns, then the mean
 * and 95% half-width of each metric. */
static void write_pivot(FILE *fp, const struct scn *s, const struct res_layout *L,
                        const struct res_summary *S, const struct ops_blocks *B,
                        const char *section)
{
    static const struct { const char *name, *ids; } heads[] = {
        { "unit", "unit,name,base,tier,station,zone,role,mode,officers,auxiliaries,home_grids" },
        { "grid", "grid,name,station,zone,area_km2,weight" },
        { "hour", "hour" },
        { "type", "type,name,class,priority" },
        { "tier", "tier" },
        { "station", "station,name,zone" },
    };
    size_t first = 0;
    int nm = 0, nk = 0, h = 0;
    while (strcmp(heads[h].name, section))
        h++;
    switch (h) {
    case 0: first = B->unit; nm = OPS_N_UNIT; nk = s->n_units; break;
    case 1: first = B->grid; nm = OPS_N_GRID; nk = s->n_grids; break;
    case 2: first = B->hour; nm = OPS_N_HOUR; nk = 24; break;
    case 3: first = B->type; nm = OPS_N_TYPE; nk = s->n_itypes; break;
    case 4: first = B->tier; nm = OPS_N_TIER; nk = FAC_N_TIERS; break;
    default: first = B->station; nm = OPS_N_STATION; nk = B->n_stations; break;
    }
    fputs(heads[h].ids, fp);
    for (int k = 0; k < nm; k++)
        fprintf(fp, ",%s,%s_half_width", L->slot[first + (size_t)k].metric, L->slot[first + (size_t)k].metric);
    fputc('\n', fp);
    for (int i = 0; i < nk; i++) {
        size_t row = first + (size_t)i * (size_t)nm;
        put_str(fp, L->slot[row].key);
        if (h == 0) {
            const struct scn_unit *u = &s->units[i];
            const struct scn_facility *b = &s->facilities[u->base];
            put_sep_str(fp, u->name);
            put_sep_str(fp, b->id);
            put_sep_str(fp, fac_tier_name(b->tier));
            put_sep_str(fp, b->station >= 0 ? s->facilities[b->station].id : "");
            put_sep_str(fp, b->zone >= 0 ? s->zones[b->zone] : "");
            put_sep_str(fp, unit_role_name(u->role));
            put_sep_str(fp, s->modes[u->mode].name);
            fprintf(fp, ",%d,%d,", u->officers, u->auxiliaries);
            char homes[1024] = "";
            size_t len = 0;
            for (int k = 0; k < u->n_home && len < sizeof homes; k++)
                len += (size_t)snprintf(homes + len, sizeof homes - len, "%s%s:%c", k ? ";" : "",
                                        s->grids[u->home[k]].id, 'A' + u->post[k]);
            put_str(fp, homes);
        } else if (h == 1) {
            const struct scn_grid *g = &s->grids[i];
            put_sep_str(fp, g->name);
            put_sep_str(fp, g->station >= 0 ? s->facilities[g->station].id : "");
            put_sep_str(fp, g->zone >= 0 ? s->zones[g->zone] : "");
            fprintf(fp, ",%.6g,%.6g", g->poly.area, g->weight);
        } else if (h == 3) {
            const struct scn_itype *t = &s->itypes[i];
            put_sep_str(fp, t->name);
            put_sep_str(fp, inc_class_name(t->cls));
            fprintf(fp, ",%d", t->priority);
        } else if (h == 5) {
            const struct scn_facility *f = &s->facilities[B->station_fac[i]];
            put_sep_str(fp, f->name);
            put_sep_str(fp, f->zone >= 0 ? s->zones[f->zone] : "");
        }
        for (int k = 0; k < nm; k++) {
            fputc(',', fp);
            put_num(fp, S->mean[row + (size_t)k]);
            fputc(',', fp);
            put_num(fp, S->half[row + (size_t)k]);
        }
        fputc('\n', fp);
    }
}

static json_t *jnum(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static int write_json(FILE *fp, const struct scn *s, const struct res_layout *L,
                      const struct res_summary *S, const struct prov *m)
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
        json_object_set_new(v, "ci95_low", jnum(S->lo[j]));
        json_object_set_new(v, "ci95_high", jnum(S->hi[j]));
        json_object_set_new(v, "half_width", jnum(S->half[j]));
        json_object_set_new(parent, sl->metric, v);
    }
    json_t *warn = json_array();
    const char *const *w;
    for (int i = 0, nw = scn_warnings(s, &w); i < nw; i++)
        json_array_append_new(warn, json_string(w[i]));
    json_object_set_new(root, "warnings", warn);
    /* Share of replications whose queue kept growing (the slot's mean). */
    json_object_set_new(root, "collapsed", json_boolean(S->mean[at(L, "all", "queue_collapsed",
                                                                       "")] > 0));
    json_object_set_new(root, "all", all);
    json_object_set_new(root, "by_priority", prio);
    json_object_set_new(root, "provenance", prov_json(m));
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', fp);
    json_decref(root);
    return rc;
}

int report_write(struct outf *o, const char *dir, const struct scn *s,
                 const struct res_layout *L, const struct res_summary *S,
                 const struct prov *m, struct perr *e)
{
    static const char *const pivots[] = { "unit", "grid", "hour", "type", "tier", "station" };
    struct ops_blocks B;
    ops_blocks(s, &B);
    int rc = -1;
    FILE *sum = outf_open(o, dir, "summary.csv", e);
    if (!sum)
        goto fail;
    write_summary_csv(sum, s, L, S, m);
    for (size_t k = 0; k < sizeof pivots / sizeof *pivots; k++) {
        char name[32];
        snprintf(name, sizeof name, "by_%s.csv", pivots[k]);
        FILE *fp = outf_open(o, dir, name, e);
        if (!fp)
            goto fail;
        write_pivot(fp, s, L, S, &B, pivots[k]);
    }
    FILE *js = outf_open(o, dir, "summary.json", e);
    if (!js)
        goto fail;
    if (write_json(js, s, L, S, m) != 0) {
        err_set(e, "%s/summary.json: cannot encode JSON", dir);
        goto fail;
    }
    rc = 0;
fail:
    ops_blocks_release(&B);
    return rc;
}
