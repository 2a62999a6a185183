/* cmd_compare.c - `patrolsim compare`: variants on common random numbers.
 *
 * Every variant runs replications 0..R-1 on the same seed, so replication r
 * of each sees the same exogenous inputs (the model keys its streams by
 * (seed, r, purpose, entity)); differences are taken replication by
 * replication (paired).  All (variant, replication) runs are one task list
 * on the worker pool, each writing its own row, so the output does not
 * depend on --jobs.
 */
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "cmp.h"
#include "exp.h"
#include "outf.h"
#include "prog.h"
#include "prov.h"
#include "report_html.h"
#include "runout.h"

static void help(const struct model_type *mt)
{
    fputs("usage: patrolsim compare A B [C ...] [options]\n"
          "       patrolsim compare SCENARIO --variant NAME [--set S.K=V ...] --variant NAME ...\n"
          "\n"
          "Runs every variant for the same replications on the same seed (common random\n"
          "numbers: identical incidents and on-scene times), and reports for every metric\n"
          "each variant's mean with its 95% CI, the paired difference to the first\n"
          "variant with its paired-t 95% CI and p-value, the Welch interval beside it,\n"
          "the correlation between arms and the variance-reduction ratio\n"
          "Var(D)/(Var A + Var B), then the headline differences in plain words.  With\n"
          "three or more variants it adds Bonferroni-adjusted intervals over the\n"
          "comparisons with the first, and multiple comparisons with the best (MCB).\n"
          "A metric only some variants have (a station or unit of one layout) gets\n"
          "their own means and CIs, no difference; the summary names such metrics.\n"
          "\n"
          "Variants are scenario folders, or one folder and --variant groups: each\n"
          "--variant NAME starts a variant, and the --set options after it apply to it\n"
          "alone (--set before the first --variant applies to all).\n"
          "\n"
          "options (seed and replications default to the first variant's scenario):\n", stdout);
    cli_common_help(stdout, mt);
    fputs("  --variant NAME      start a variant of the single SCENARIO\n"
          "  --out DIR           write compare.csv (one row per metric and variant),\n"
          "                      compare.json and compare_replications.csv to DIR\n"
          "  --report DIR        write DIR/report.html: every variant's key figures, a\n"
          "                      forest plot of the paired differences, overlaid ECDFs and\n"
          "                      side-by-side maps (gnuplot), one page that works offline\n"
          "  -h, --help          show this help\n"
          "\n"
          "Exit status: 0 success, 1 system failure, 2 bad usage or bad scenario.\n", stdout);
}

struct variant {
    char *name;
    const char *dir;
    struct cli_ov ov;          /* common overrides, then the variant's own */
    int n_own;                 /* how many of them are the variant's own */
    struct model *m;
    struct prov pv;
    struct res_layout L;
    double *x;                 /* reps rows of L.n */
};

struct cmp_ctx {
    const struct model_type *mt;
    struct variant *v;
    int reps;
    uint64_t seed;
};

static int task(void *ctx, int t, double *row, struct perr *e)
{
    (void)row;
    const struct cmp_ctx *c = ctx;
    struct variant *v = &c->v[t / c->reps];
    int r = t % c->reps;
    return c->mt->run(v->m, c->seed, r, NULL, v->x + (size_t)r * v->L.n, e);
}

/* A slot compared: its index in every variant's layout. */
struct cslot {
    char name[256];
    const struct res_slot *sl;   /* the first variant's that has it */
    long *idx;                   /* per variant, -1 where it has none */
    bool partial;                /* some variant has none */
    struct cmp_result *res;      /* per variant */
};

static const char *label_of(const struct model_type *mt, const struct res_slot *sl,
                            char *buf, size_t n)
{
    const char *l = mt->metric_label ? mt->metric_label(sl->section, sl->metric) : NULL;
    if (l && *l && !*sl->key)
        return l;
    res_name(sl, buf, n);
    for (char *p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
    if (l && *l)
        snprintf(buf, n, "%s (%s %s)", l, sl->section, sl->key);
    return buf;
}

static void fmt_ci(char *buf, size_t n, double m, double lo, double hi, double k)
{
    if (isnan(m))
        snprintf(buf, n, "-");
    else if (isnan(lo))
        snprintf(buf, n, "%.4g", m * k);
    else
        snprintf(buf, n, "%.4g [%.4g, %.4g]", m * k, lo * k, hi * k);
}

/* The metrics some variant has and another has not (a station or unit of
 * one layout only): no difference for them, said rather than dropped. */
static void print_partial(int k, const struct cslot *cs, int n_cs)
{
    int n = 0;
    for (int i = 0; i < n_cs; i++)
        n += cs[i].partial;
    if (!n)
        return;
    printf("(%d metric%s not in every variant, so not compared:", n, n == 1 ? "" : "s");
    /* A few of what they belong to: "unit C9 (B only)", one per section
     * and key, or the metric's name where it has no key. */
    const struct cslot *shown[4];
    int n_shown = 0, more = 0;
    for (int i = 0; i < n_cs; i++) {
        const struct res_slot *sl = cs[i].sl;
        if (!cs[i].partial)
            continue;
        int dup = 0;
        for (int h = 0; h < n_shown && !dup; h++)
            dup = *sl->key && !strcmp(shown[h]->sl->section, sl->section) &&
                  !strcmp(shown[h]->sl->key, sl->key);
        if (dup)
            continue;
        if (n_shown == 4) {
            more = 1;
            break;
        }
        shown[n_shown] = &cs[i];
        if (*sl->key)
            printf("%s %s %s (", n_shown ? "," : "", sl->section, sl->key);
        else
            printf("%s %s (", n_shown ? "," : "", cs[i].name);
        n_shown++;
        for (int v = 0, any = 0; v < k; v++)
            if (cs[i].idx[v] >= 0) {
                printf("%s%c", any ? " " : "", 'A' + v);
                any = 1;
            }
        printf(" only)");
    }
    printf("%s; compare.csv has each variant's own figures, n = 0 where it has none)\n",
           more ? ", ..." : "");
}

static void print_table(const struct model_type *mt, struct variant *V, int k,
                        struct cslot *cs, int n_cs, int reps, uint64_t seed)
{
    printf("patrolsim %s compare: %d variants, %d replication%s each on common random numbers "
           "(seed %llu)\n", PATROLSIM_VERSION, k, reps, reps == 1 ? "" : "s",
           (unsigned long long)seed);
    for (int v = 0; v < k; v++)
    {
        printf("  %c = %s  (%s", 'A' + v, V[v].name, V[v].dir);
        for (int j = V[v].ov.n - V[v].n_own; j < V[v].ov.n; j++)
            printf("%s%s.%s=%s", j == V[v].ov.n - V[v].n_own ? "; " : ", ",
                   V[v].ov.ov[j].section, V[v].ov.ov[j].key, V[v].ov.ov[j].value);
        printf(")\n");
    }
    printf("intervals: 95%%; differences are %s minus A, %s", k > 2 ? "each variant" : "B",
           CMP_PAIRED_METHOD);
    if (k > 2)
        printf(";\n  simultaneous: %s; and %s", CMP_BONF_METHOD, CMP_MCB_METHOD);
    printf("\n  shares are in percentage points; Welch ignores the pairing (for contrast)\n\n");
    printf("%-30s %-30s", "metric", "A mean [95% CI]");
    for (int v = 1; v < k; v++) {
        char h1[40], h2[40];
        snprintf(h1, sizeof h1, "%c-A paired [95%% CI]", 'A' + v);
        snprintf(h2, sizeof h2, "%c-A Welch [95%% CI]", 'A' + v);
        printf(" %-32s %-30s %5s %-6s %-8s", h1, h2, "corr", "VR", "p");
    }
    putchar('\n');
    char lab[256], a[96], b[96], w[96];
    int n_zero = 0;
    for (int i = 0; i < n_cs; i++) {
        if (strcmp(cs[i].sl->section, "all"))
            continue;
        double s = (cs[i].sl->flags & RES_PROPORTION) ? 100 : 1;
        const struct cmp_result *r0 = &cs[i].res[0];
        if (isnan(r0->mean))
            continue;
        /* A mechanism no variant uses (e.g. turnout without a turnout
         * table) gives 0 in every replication: a row of zeros says nothing
         * here; compare.csv keeps it. */
        bool zero = true;
        for (int v = 0; v < k && zero; v++)
            zero = cs[i].res[v].mean == 0 && cs[i].res[v].half == 0;
        if (zero) {
            n_zero++;
            continue;
        }
        label_of(mt, cs[i].sl, lab, sizeof lab);
        fmt_ci(a, sizeof a, r0->mean, r0->lo, r0->hi, s);
        printf("%-30.30s %-30s", cs[i].name, a);
        for (int v = 1; v < k; v++) {
            const struct cmp_result *r = &cs[i].res[v];
            fmt_ci(b, sizeof b, r->diff, r->diff_lo, r->diff_hi, s);
            fmt_ci(w, sizeof w, r->diff, r->welch_lo, r->welch_hi, s);
            printf(" %-32s %-30s %5.2f %-6.3g %-8.2g", b, w, r->corr, r->vr_ratio, r->p_value);
        }
        putchar('\n');
    }
    if (n_zero)
        printf("(%d metric%s 0 in every replication of every variant not shown; compare.csv "
               "has them)\n", n_zero, n_zero == 1 ? "" : "s");
    print_partial(k, cs, n_cs);
    printf("\nin plain words:\n");
    for (int v = 1; v < k; v++) {
        int first = 1;
        for (const char *const *h = mt->headline; h && *h; h++)
            for (int i = 0; i < n_cs; i++) {
                if (strcmp(cs[i].name, *h))
                    continue;
                char sent[512];
                cmp_sentence(sent, sizeof sent, first ? V[v].name : NULL,
                             label_of(mt, cs[i].sl, lab, sizeof lab), cs[i].sl->flags,
                             cmp_unit(cs[i].sl->metric, cs[i].sl->flags), &cs[i].res[v]);
                printf("%s%s", first ? "  " : ";\n    ", sent);
                first = 0;
            }
        if (!first)
            printf(".\n");
    }
    if (k > 2) {
        printf("\nbest variant by %s (MCB):", CMP_MCB_METHOD);
        for (const char *const *h = mt->headline; h && *h; h++)
            for (int i = 0; i < n_cs; i++) {
                if (strcmp(cs[i].name, *h) || !mt->metric_better ||
                    !mt->metric_better(cs[i].sl->section, cs[i].sl->metric))
                    continue;
                printf("\n  %-34s", label_of(mt, cs[i].sl, lab, sizeof lab));
                int any = 0;
                for (int v = 0; v < k; v++)
                    if (!cs[i].res[v].mcb_excluded) {
                        printf("%s%s", any ? ", " : "", V[v].name);
                        any = 1;
                    }
                printf(any ? " (not excluded from best)" : "-");
            }
        putchar('\n');
    }
}

static void put_n(FILE *fp, double v)
{
    fputc(',', fp);
    runout_csv_num(fp, v);
}

static void write_csv(FILE *fp, struct variant *V, int k, struct cslot *cs, int n_cs)
{
    fputs("metric,variant,n,mean,ci95_low,ci95_high,half_width,diff,diff_ci95_low,"
          "diff_ci95_high,diff_half_width,p_value,welch_ci95_low,welch_ci95_high,correlation,"
          "variance_ratio,bonferroni_ci95_low,bonferroni_ci95_high,mcb_low,mcb_high\n", fp);
    for (int i = 0; i < n_cs; i++)
        for (int v = 0; v < k; v++) {
            const struct cmp_result *r = &cs[i].res[v];
            runout_csv_str(fp, cs[i].name);
            fputc(',', fp);
            runout_csv_str(fp, V[v].name);
            fprintf(fp, ",%d", r->n);
            put_n(fp, r->mean), put_n(fp, r->lo), put_n(fp, r->hi), put_n(fp, r->half);
            put_n(fp, r->diff), put_n(fp, r->diff_lo), put_n(fp, r->diff_hi);
            put_n(fp, r->diff_half), put_n(fp, r->p_value);
            put_n(fp, r->welch_lo), put_n(fp, r->welch_hi), put_n(fp, r->corr);
            put_n(fp, r->vr_ratio), put_n(fp, r->bonf_lo), put_n(fp, r->bonf_hi);
            put_n(fp, r->mcb_lo), put_n(fp, r->mcb_hi);
            fputc('\n', fp);
        }
}

static void write_reps(FILE *fp, struct variant *V, int k, struct cslot *cs, int n_cs, int reps,
                       uint64_t seed)
{
    fputs("variant,replication,seed", fp);
    for (int i = 0; i < n_cs; i++) {
        fputc(',', fp);
        runout_csv_str(fp, cs[i].name);
    }
    fputc('\n', fp);
    for (int v = 0; v < k; v++)
        for (int r = 0; r < reps; r++) {
            runout_csv_str(fp, V[v].name);
            fprintf(fp, ",%d,%llu", r + 1, (unsigned long long)seed);
            for (int i = 0; i < n_cs; i++)
                put_n(fp, cs[i].idx[v] < 0 ? NAN
                                           : V[v].x[(size_t)r * V[v].L.n + (size_t)cs[i].idx[v]]);
            fputc('\n', fp);
        }
}

static json_t *jnum(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static int write_json(FILE *fp, struct variant *V, int k, struct cslot *cs, int n_cs, int reps,
                      uint64_t seed)
{
    json_t *root = json_object(), *vars = json_array(), *mets = json_array();
    json_object_set_new(root, "patrolsim", json_string(PATROLSIM_VERSION));
    json_object_set_new(root, "seed", json_integer((json_int_t)seed));
    json_object_set_new(root, "replications", json_integer(reps));
    json_object_set_new(root, "confidence_level", json_real(0.95));
    json_object_set_new(root, "paired_method", json_string(CMP_PAIRED_METHOD));
    if (k > 2) {
        json_object_set_new(root, "bonferroni_method", json_string(CMP_BONF_METHOD));
        json_object_set_new(root, "mcb_method", json_string(CMP_MCB_METHOD));
    }
    for (int v = 0; v < k; v++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(V[v].name));
        json_object_set_new(o, "provenance", prov_json(&V[v].pv));
        json_array_append_new(vars, o);
    }
    json_object_set_new(root, "variants", vars);
    for (int i = 0; i < n_cs; i++) {
        json_t *m = json_object(), *per = json_array();
        json_object_set_new(m, "metric", json_string(cs[i].name));
        for (int v = 0; v < k; v++) {
            const struct cmp_result *r = &cs[i].res[v];
            json_t *o = json_object();
            json_object_set_new(o, "variant", json_string(V[v].name));
            json_object_set_new(o, "n", json_integer(r->n));
            json_object_set_new(o, "mean", jnum(r->mean));
            json_object_set_new(o, "ci95_low", jnum(r->lo));
            json_object_set_new(o, "ci95_high", jnum(r->hi));
            if (v > 0) {
                json_object_set_new(o, "diff", jnum(r->diff));
                json_object_set_new(o, "diff_ci95_low", jnum(r->diff_lo));
                json_object_set_new(o, "diff_ci95_high", jnum(r->diff_hi));
                json_object_set_new(o, "p_value", jnum(r->p_value));
                json_object_set_new(o, "welch_ci95_low", jnum(r->welch_lo));
                json_object_set_new(o, "welch_ci95_high", jnum(r->welch_hi));
                json_object_set_new(o, "correlation", jnum(r->corr));
                json_object_set_new(o, "variance_ratio", jnum(r->vr_ratio));
            }
            json_array_append_new(per, o);
        }
        json_object_set_new(m, "variants", per);
        json_array_append_new(mets, m);
    }
    json_object_set_new(root, "metrics", mets);
    int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', fp);
    json_decref(root);
    return rc;
}

/* A variant's name from its folder: the last path component, or the whole
 * path when two variants share it. */
static void name_variants(struct variant *V, int k)
{
    for (int v = 0; v < k; v++) {
        if (V[v].name)
            continue;
        const char *d = V[v].dir;
        size_t n = strlen(d);
        while (n > 1 && d[n - 1] == '/')
            n--;
        size_t b = n;
        while (b > 0 && d[b - 1] != '/')
            b--;
        V[v].name = xmalloc(n - b + 1);
        memcpy(V[v].name, d + b, n - b);
        V[v].name[n - b] = '\0';
    }
    for (int v = 0; v < k; v++)
        for (int w = v + 1; w < k; w++)
            if (!strcmp(V[v].name, V[w].name)) {
                free(V[w].name);
                V[w].name = xstrdup(V[w].dir);
            }
}

int cmd_compare(int argc, char **argv, const struct model_type *mt)
{
    struct cli_common c;
    cli_common_init(&c);
    struct variant *V = xcalloc((size_t)argc, sizeof *V);
    int k = 0, n_dirs = 0, rc = EXIT_USAGE, grouped = 0;
    const char *report = NULL;
    const char *dirs[256];
    for (int i = 1; i < argc; i++) {
        /* --set after a --variant belongs to that variant. */
        if (grouped && !strncmp(argv[i], "--set", 5) && (argv[i][5] == '\0' || argv[i][5] == '=')) {
            const char *val = argv[i][5] == '=' ? argv[i] + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!val) {
                fputs("patrolsim compare: --set needs a value\n", stderr);
                goto done;
            }
            if (cli_ov_set(&V[k - 1].ov, val) < 0)
                goto done;
            continue;
        }
        int r = cli_common_opt(&c, mt, "compare", argc, argv, &i);
        if (r < 0)
            goto done;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help(mt);
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
            report = argv[++i];
        } else if (!strcmp(argv[i], "--variant") && i + 1 < argc) {
            for (int v = 0; v < k; v++)
                if (!strcmp(V[v].name, argv[i + 1])) {
                    fprintf(stderr, "patrolsim compare: --variant '%s' given twice\n", argv[i + 1]);
                    goto done;
                }
            V[k++].name = xstrdup(argv[++i]);
            grouped = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "patrolsim compare: unexpected argument '%s'; see 'patrolsim "
                            "compare --help'\n", argv[i]);
            goto done;
        } else if (n_dirs < 256) {
            dirs[n_dirs++] = argv[i];
        }
    }
    if (grouped ? n_dirs != 1 : n_dirs < 2) {
        fputs(grouped ? "patrolsim compare: --variant groups take exactly one SCENARIO folder\n"
                      : "patrolsim compare: expected at least two SCENARIO folders (or one "
                        "with --variant groups); see 'patrolsim compare --help'\n", stderr);
        goto done;
    }
    if (grouped && k < 2) {
        fputs("patrolsim compare: expected at least two --variant groups\n", stderr);
        goto done;
    }
    if (!grouped)
        k = n_dirs;
    if (k > 26) {
        fputs("patrolsim compare: at most 26 variants\n", stderr);
        goto done;
    }
    struct perr oe;
    if (c.out && outf_check_dir(c.out, 0, &oe) < 0) {
        fprintf(stderr, "patrolsim compare: --out %s\n", oe.msg);
        goto done;
    }
    if (report && cli_check_report("compare", report) < 0) {
        rc = EXIT_FAIL;
        goto done;
    }
    /* Each variant: the common overrides first, its own after them. */
    for (int v = 0; v < k; v++) {
        V[v].dir = grouped ? dirs[0] : dirs[v];
        struct cli_ov own = V[v].ov;
        V[v].ov = (struct cli_ov){ 0 };
        for (int j = 0; j < c.ov.n; j++)
            cli_ov_add(&V[v].ov, c.ov.ov[j].section, c.ov.ov[j].key, c.ov.ov[j].value);
        for (int j = 0; j < own.n; j++)
            cli_ov_add(&V[v].ov, own.ov[j].section, own.ov[j].key, own.ov[j].value);
        V[v].n_own = own.n;
        cli_ov_release(&own);
    }
    name_variants(V, k);
    struct perr e;
    rc = EXIT_USAGE;
    for (int v = 0; v < k; v++) {
        if (!(V[v].m = cli_load(mt, V[v].dir, &V[v].ov)))
            goto done;
        if (prov_init(&V[v].pv, mt, V[v].m, V[v].dir, V[v].ov.ov, V[v].ov.n, &e) < 0) {
            fprintf(stderr, "patrolsim compare: %s\n", e.msg);
            rc = EXIT_FAIL;
            goto done;
        }
        mt->layout(V[v].m, &V[v].L);
    }
    /* Common random numbers need one seed and one replication count. */
    uint64_t seed = V[0].pv.seed;
    int reps = V[0].pv.reps;
    for (int v = 1; v < k; v++) {
        if (V[v].pv.seed != seed || V[v].pv.reps != reps)
            fprintf(stderr, "patrolsim compare: note: variant '%s' says seed %llu and %d "
                    "replications; all variants run with the first's (seed %llu, %d)\n",
                    V[v].name, (unsigned long long)V[v].pv.seed, V[v].pv.reps,
                    (unsigned long long)seed, reps);
        if (V[v].pv.horizon_days != V[0].pv.horizon_days ||
            V[v].pv.warmup_days != V[0].pv.warmup_days)
            fprintf(stderr, "patrolsim compare: warning: variant '%s' has another horizon or "
                    "warm-up than '%s'; differences include that\n", V[v].name, V[0].name);
        V[v].pv.seed = seed;
        V[v].pv.reps = reps;
    }
    for (int v = 0; v < k; v++)
        V[v].x = xmalloc((size_t)reps * (V[v].L.n ? V[v].L.n : 1) * sizeof(double));
    outf_catch_signals();
    struct cmp_ctx ctx = { mt, V, reps, seed };
    struct prog *pg = prog_new((enum prog_mode)c.progress, "compare", (long)k * reps);
    struct exp_opts eo = { .jobs = c.jobs, .progress = pg };
    int erc = exp_run_opts(k * reps, 0, task, &ctx, NULL, &eo, &e);
    prog_free(pg);
    rc = EXIT_FAIL;
    if (erc < 0) {
        fprintf(stderr, "patrolsim compare: %s\n", e.msg);
        goto done;
    }

    /* Every variant's slots: the first variant's in its order, then those
     * of each later one that no earlier has (a station or unit of its
     * own).  A variant without the slot reads NAN in every replication,
     * so that its n is 0 and no difference is computed with it. */
    size_t n_all = 0;
    for (int v = 0; v < k; v++)
        n_all += V[v].L.n;
    struct cslot *cs = xcalloc(n_all ? n_all : 1, sizeof *cs);
    int n_cs = 0;
    double *col = xmalloc((size_t)reps * (size_t)k * sizeof *col);
    for (int v0 = 0; v0 < k; v0++) {
        for (size_t j = 0; j < V[v0].L.n; j++) {
            const struct res_slot *sl = &V[v0].L.slot[j];
            long *idx = xmalloc((size_t)k * sizeof *idx);
            int seen = 0, all = 1;
            for (int v = 0; v < k; v++) {
                idx[v] = v == v0 ? (long)j : res_find(&V[v].L, sl->section, sl->metric, sl->key);
                seen |= v < v0 && idx[v] >= 0;
                all &= idx[v] >= 0;
            }
            /* an earlier variant's, or a repeat of one of this variant's */
            if (seen ||
                (v0 > 0 && res_find(&V[v0].L, sl->section, sl->metric, sl->key) != (long)j)) {
                free(idx);
                continue;
            }
            struct cslot *s = &cs[n_cs++];
            res_name(sl, s->name, sizeof s->name);
            s->sl = sl;
            s->idx = idx;
            s->partial = !all;
            s->res = xcalloc((size_t)k, sizeof *s->res);
            for (int r = 0; r < reps; r++)
                for (int v = 0; v < k; v++)
                    col[(size_t)r * (size_t)k + (size_t)v] =
                        idx[v] < 0 ? NAN : V[v].x[(size_t)r * V[v].L.n + (size_t)idx[v]];
            int better = mt->metric_better ? mt->metric_better(sl->section, sl->metric) : 0;
            cmp_compute(col, reps, k, sl->flags,
                        better > 0 ? CMP_LARGER_BETTER : CMP_SMALLER_BETTER, 0.95, s->res);
            if (!better)   /* MCB needs a direction; none for this metric */
                for (int v = 0; v < k; v++)
                    s->res[v].mcb_lo = s->res[v].mcb_hi = NAN;
        }
    }
    free(col);
    if (!c.quiet)
        print_table(mt, V, k, cs, n_cs, reps, seed);
    rc = EXIT_OK;
    if (c.out) {
        struct outf o;
        outf_init(&o);
        FILE *f1 = NULL, *f2 = NULL, *f3 = NULL;
        if (outf_set_dir(&o, c.out, 0, &e) < 0 || !(f1 = outf_open(&o, c.out, "compare.csv", &e)) ||
            !(f2 = outf_open(&o, c.out, "compare.json", &e)) ||
            !(f3 = outf_open(&o, c.out, "compare_replications.csv", &e))) {
            outf_abort(&o);
            rc = EXIT_FAIL;
        } else {
            write_csv(f1, V, k, cs, n_cs);
            write_reps(f3, V, k, cs, n_cs, reps, seed);
            if (write_json(f2, V, k, cs, n_cs, reps, seed) != 0) {
                err_set(&e, "%s/compare.json: cannot encode JSON", c.out);
                outf_abort(&o);
                rc = EXIT_FAIL;
            } else if (outf_commit(&o, &e) < 0) {
                rc = EXIT_FAIL;
            } else if (!c.quiet) {
                printf("\nresults written to %s/\n", c.out);
            }
        }
        if (rc != EXIT_OK)
            fprintf(stderr, "patrolsim compare: %s\n", e.msg);
    }
    if (rc == EXIT_OK && report) {
        struct rpt_variant *rv = xcalloc((size_t)k, sizeof *rv);
        for (int v = 0; v < k; v++)
            rv[v] = (struct rpt_variant){ .name = V[v].name, .m = V[v].m, .pv = &V[v].pv,
                                          .L = &V[v].L, .x = V[v].x };
        if (rpt_write(mt, "compare", rv, k, report, &e) < 0) {
            fprintf(stderr, "patrolsim compare: %s\n", e.msg);
            rc = EXIT_FAIL;
        } else if (!c.quiet) {
            printf("report written to %s/report.html\n", report);
        }
        free(rv);
    }
    for (int i = 0; i < n_cs; i++) {
        free(cs[i].idx);
        free(cs[i].res);
    }
    free(cs);
done:
    for (int v = 0; v < k; v++) {
        free(V[v].name);
        cli_ov_release(&V[v].ov);
        if (V[v].m) {
            prov_release(&V[v].pv);
            res_layout_release(&V[v].L);
            mt->free(V[v].m);
        }
        free(V[v].x);
    }
    free(V);
    cli_common_release(&c);
    return rc;
}
