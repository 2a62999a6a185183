/* toy_mmc.c - an M/M/c queue as a model on the seam, linked against the
 * engine archive alone (bin/toysim).  It proves that sim/ is domain-free
 * and gives run/compare/sweep a model with exact answers (Erlang C).
 *
 * Scenario folder: model.ini with
 *   [run]  seed, replications, horizon_days, warmup_days
 *   [mmc]  arrival_per_min (lambda), service_mean_min (1/mu), servers (c)
 * Customers arrive over [0, horizon), those arriving after the warm-up are
 * counted; the run drains.  Arrivals and service times come from two
 * streams keyed by (seed, rep, purpose), and a customer's service time is
 * drawn at arrival, so variants with other c see the same customers.
 */
#include <errno.h>
/* The 5-argument handler, as models/scn.c uses it (Debian's inih). */
#define INI_HANDLER_LINENO 1
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "cli.h"
#include "outf.h"
#include "prov.h"
#include "rng.h"
#include "sim.h"
#include "stats.h"

struct model {
    char *dir, *ini;
    char name[64];
    uint64_t seed;
    int reps, servers;
    double horizon_days, warmup_days, lambda, svc_mean;
};

struct ld {
    struct model *m;
    struct perr *e;
    int failed;
};

static int set_key(struct model *m, const char *sec, const char *key, const char *val,
                   const char *where, struct perr *e)
{
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    int num = !errno && end != val && !*end && isfinite(v);
    if (!strcmp(sec, "run") && !strcmp(key, "name")) {
        snprintf(m->name, sizeof m->name, "%s", val);
        return 0;
    }
    struct { const char *sec, *key; double lo, hi; } keys[] = {
        { "run", "seed", 0, 1.8e19 }, { "run", "replications", 1, 1e6 },
        { "run", "horizon_days", 1e-6, 1e6 }, { "run", "warmup_days", 0, 1e6 },
        { "mmc", "arrival_per_min", 1e-9, 1e6 }, { "mmc", "service_mean_min", 1e-9, 1e6 },
        { "mmc", "servers", 1, 1000 },
    };
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        if (strcmp(sec, keys[k].sec) || strcmp(key, keys[k].key))
            continue;
        if (!num || v < keys[k].lo || v > keys[k].hi)
            return err_set(e, "%s[%s] %s: expected a number in [%g, %g], got '%s'", where, sec,
                           key, keys[k].lo, keys[k].hi, val);
        switch (k) {
        case 0: m->seed = (uint64_t)v; break;
        case 1: m->reps = (int)v; break;
        case 2: m->horizon_days = v; break;
        case 3: m->warmup_days = v; break;
        case 4: m->lambda = v; break;
        case 5: m->svc_mean = v; break;
        default: m->servers = (int)v; break;
        }
        return 0;
    }
    return err_set(e, "%sunknown key [%s] %s; keys: run.seed, run.replications, "
                   "run.horizon_days, run.warmup_days, run.name, mmc.arrival_per_min, "
                   "mmc.service_mean_min, mmc.servers", where, sec, key);
}

static int on_ini(void *user, const char *sec, const char *key, const char *val, int line)
{
    struct ld *L = user;
    char where[600];
    snprintf(where, sizeof where, "%s:%d: ", L->m->ini, line);
    if (!L->failed && set_key(L->m, sec, key, val, where, L->e) < 0)
        L->failed = 1;
    return !L->failed;
}

static void t_free(struct model *m)
{
    if (m) {
        free(m->dir);
        free(m->ini);
        free(m);
    }
}

static struct model *t_load(const char *dir, const struct model_override *ov, int n_ov,
                            struct perr *e)
{
    struct model *m = calloc(1, sizeof *m);
    m->dir = xstrdup(dir);
    m->ini = xmalloc(strlen(dir) + 16);
    sprintf(m->ini, "%s/model.ini", dir);
    *m = (struct model){ m->dir, m->ini, "mmc", 1, 10, 1, 30, 1, 1, 1 };
    struct ld L = { m, e, 0 };
    FILE *fp = fopen(m->ini, "r");
    if (!fp) {
        err_sys(e, "%s: cannot open", m->ini);
        t_free(m);
        return NULL;
    }
    int rc = ini_parse_file(fp, on_ini, &L);
    fclose(fp);
    if (rc != 0 && !L.failed)
        err_set(e, "%s:%d: not an INI line", m->ini, rc);
    for (int i = 0; !rc && !L.failed && i < n_ov; i++) {
        char where[256];
        snprintf(where, sizeof where, "--set %s.%s=%s: ", ov[i].section, ov[i].key, ov[i].value);
        L.failed = set_key(m, ov[i].section, ov[i].key, ov[i].value, where, e) < 0;
    }
    if (rc || L.failed) {
        t_free(m);
        return NULL;
    }
    return m;
}

static void t_info(const struct model *m, struct model_info *o)
{
    *o = (struct model_info){ m->name, "M/M/c queue", m->seed, m->reps, m->horizon_days,
                              m->warmup_days };
}

static int t_inputs(const struct model *m, const char *const **paths)
{
    *paths = (const char *const *)&m->ini;
    return 1;
}

enum { M_CUSTOMERS, M_WAIT_MEAN, M_WAIT_SHARE, M_UTIL, M_RESP_MEAN, M_N };
static const char *const names[M_N] = { "incidents", "wait_mean_min", "queued_share",
                                        "utilisation_mean", "response_mean_min" };

static void t_layout(const struct model *m, struct res_layout *L)
{
    (void)m;
    res_layout_init(L);
    for (int k = 0; k < M_N; k++)
        res_add(L, "all", names[k], "");
}

static const char *t_desc(const char *section, const char *metric)
{
    static const char *const d[M_N] = { "customers counted", "mean wait in queue",
                                        "share that waited", "server utilisation",
                                        "mean time in system" };
    for (int k = 0; k < M_N; k++)
        if (!strcmp(section, "all") && !strcmp(metric, names[k]))
            return d[k];
    return "";
}

/* The run: a FIFO queue of (arrival time, service time) in a ring. */
struct run {
    const struct model *m;
    gsl_rng *arr, *svc;
    double next_t, t_end, t_warm, busy_time;
    int busy;
    double *q_arr, *q_svc;
    size_t q_head, q_n, q_cap;
    struct stat_acc wait, resp;
    uint64_t waited;
};

static double next_arrival(void *p)
{
    struct run *r = p;
    return r->next_t < r->t_end ? r->next_t : INFINITY;
}

static void start(struct run *r, struct sim *s, double t_arr, double svc)
{
    double now = sim_now(s);
    r->busy++;
    if (t_arr >= r->t_warm) {
        stat_acc_add(&r->wait, now - t_arr);
        stat_acc_add(&r->resp, now - t_arr + svc);
        r->waited += now > t_arr;
        r->busy_time += svc;
    }
    sim_after(s, svc, 1, 0, 0);
}

static int arrive(void *p, struct sim *s, struct perr *e)
{
    (void)e;
    struct run *r = p;
    double now = sim_now(s), svc = gsl_ran_exponential(r->svc, r->m->svc_mean);
    r->next_t = now + gsl_ran_exponential(r->arr, 1.0 / r->m->lambda);
    if (r->busy < r->m->servers) {
        start(r, s, now, svc);
        return 0;
    }
    if (r->q_n == r->q_cap) {
        size_t nc = r->q_cap ? 2 * r->q_cap : 64;
        double *a = xmalloc(nc * sizeof *a), *b = xmalloc(nc * sizeof *b);
        for (size_t i = 0; i < r->q_n; i++) {
            a[i] = r->q_arr[(r->q_head + i) % r->q_cap];
            b[i] = r->q_svc[(r->q_head + i) % r->q_cap];
        }
        free(r->q_arr);
        free(r->q_svc);
        r->q_arr = a, r->q_svc = b, r->q_head = 0, r->q_cap = nc;
    }
    size_t k = (r->q_head + r->q_n++) % r->q_cap;
    r->q_arr[k] = now;
    r->q_svc[k] = svc;
    return 0;
}

static int event(void *p, struct sim *s, const struct evq_event *ev, struct perr *e)
{
    (void)ev;
    (void)e;
    struct run *r = p;
    r->busy--;
    if (r->q_n) {
        double a = r->q_arr[r->q_head], v = r->q_svc[r->q_head];
        r->q_head = (r->q_head + 1) % r->q_cap;
        r->q_n--;
        start(r, s, a, v);
    }
    return 0;
}

static int t_run(const struct model *m, uint64_t seed, int rep, FILE *trace, double *row,
                 struct perr *e)
{
    (void)trace;
    struct run r = { .m = m, .t_end = m->horizon_days * 1440, .t_warm = m->warmup_days * 1440 };
    r.arr = rng_stream_new(seed, (uint64_t)rep, 1);
    r.svc = rng_stream_new(seed, (uint64_t)rep, 2);
    stat_acc_init(&r.wait);
    stat_acc_init(&r.resp);
    r.next_t = gsl_ran_exponential(r.arr, 1.0 / m->lambda);
    struct sim *s = sim_new((size_t)m->servers + 16);
    static const struct sim_model_ops ops = { next_arrival, arrive, event };
    int rc = sim_run(s, &ops, &r, e);
    double span = sim_now(s) - r.t_warm;
    row[M_CUSTOMERS] = (double)r.wait.n;
    row[M_WAIT_MEAN] = stat_acc_mean(&r.wait);
    row[M_WAIT_SHARE] = r.wait.n ? (double)r.waited / (double)r.wait.n : NAN;
    /* Service of customers counted, over the measured span: exact in the
     * limit, and what Erlang's rho = lambda / (c mu) predicts. */
    row[M_UTIL] = span > 0 ? r.busy_time / (span * m->servers) : NAN;
    row[M_RESP_MEAN] = stat_acc_mean(&r.resp);
    sim_free(s);
    gsl_rng_free(r.arr);
    gsl_rng_free(r.svc);
    free(r.q_arr);
    free(r.q_svc);
    return rc;
}

static int t_better(const char *section, const char *metric)
{
    (void)section;
    return strstr(metric, "_min") || strstr(metric, "share") ? -1 : 0;
}

static const char *const t_headline[] = { "wait_mean_min", "queued_share",
                                          "utilisation_mean", NULL };

static void t_describe(const struct model *m, FILE *fp)
{
    fprintf(fp, "M/M/%d, lambda %g/min, mean service %g min, rho %.4g", m->servers, m->lambda,
            m->svc_mean, m->lambda * m->svc_mean / m->servers);
}

static void t_print(const struct model *m, FILE *fp, const struct res_layout *L,
                    const struct res_summary *S, const struct prov *pv)
{
    fprintf(fp, "toysim M/M/%d  seed %llu, %d replications\n", m->servers,
            (unsigned long long)pv->seed, pv->reps);
    for (size_t j = 0; j < L->n; j++)
        fprintf(fp, "%-20s %.6g ± %.3g\n", L->slot[j].metric, S->mean[j], S->half[j]);
}

static int t_write(const struct model *m, struct outf *o, const char *dir,
                   const struct res_layout *L, const struct res_summary *S,
                   const struct prov *pv, struct perr *e)
{
    (void)m;
    (void)pv;
    FILE *fp = outf_open(o, dir, "summary.csv", e);
    if (!fp)
        return -1;
    fputs("metric,mean,ci95_low,ci95_high,half_width\n", fp);
    for (size_t j = 0; j < L->n; j++)
        fprintf(fp, "%s,%.10g,%.10g,%.10g,%.10g\n", L->slot[j].metric, S->mean[j], S->lo[j],
                S->hi[j], S->half[j]);
    return 0;
}

static const struct model_type mmc_model = {
    .name = "mmc",
    .summary = "an M/M/c queue (test model)",
    .load = t_load,
    .free = t_free,
    .info = t_info,
    .inputs = t_inputs,
    .layout = t_layout,
    .run = t_run,
    .trace_header = "",
    .metric_desc = t_desc,
    .metric_label = t_desc,
    .metric_better = t_better,
    .headline = t_headline,
    .describe = t_describe,
    .print = t_print,
    .write = t_write,
};

int main(int argc, char **argv)
{
    static const struct model_type *const models[] = { &mmc_model };
    return cli_main(argc, argv, models, 1);
}
