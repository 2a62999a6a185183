/* cmd_sweep.c - `patrolsim sweep`: a resumable parameter sweep of any model
 * into a SQLite result store, and `sweep --export` of a store.
 *
 * Every point's model is loaded once (base overrides, then the point's),
 * which also yields its resolved-scenario hash and layout.  The work is the
 * plain task array of sweep.h in (point, rep) order minus the tasks already
 * stored; each finished task is stored by the pool's done callback in its
 * own transaction, so an interruption at any moment loses at most the
 * tasks still running.  The export reads only the store, so its bytes do
 * not depend on --jobs, on completion order or on how often the sweep was
 * interrupted.
 */
#define _DEFAULT_SOURCE
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"
#include "exp.h"
#include "outf.h"
#include "prog.h"
#include "prov.h"
#include "store.h"
#include "sweep.h"

static void help(const struct model_type *mt)
{
    fputs("usage: patrolsim sweep SCENARIO [SWEEPFILE] [--vary KEY=VALUES ...] [options]\n"
          "       patrolsim sweep --export STORE [--export-reps] [--metrics A,B] [--out FILE]\n"
          "\n"
          "Runs the scenario folder SCENARIO at every point of a parameter sweep, R\n"
          "replications each, storing every finished replication in DIR/sweep.sqlite;\n"
          "rerunning the same command skips what is stored, so an interrupted sweep\n"
          "resumes.  When every task is stored, DIR/sweep.csv gets one row per point\n"
          "(the parameters, replications, and each metric's mean, ci95_low, ci95_high)\n"
          "and DIR/replications.csv one row per point and replication.\n"
          "\n"
          "sweep specification (docs/sweeps.md), as flags or lines of SWEEPFILE:\n"
          "  --vary KEY=VALUES   an axis: a list a,b,c whose items may be ranges lo..hi\n"
          "                      or 'lo..hi step s'; e.g. units.C3.count=1..6,\n"
          "                      incidents.rate_per_day=*1,*1.2 (repeatable: the full\n"
          "                      factorial, the first axis varying slowest)\n"
          "  --vary K1,K2=a:b,c:d  a lock-step axis: K1 and K2 take a,b then c,d\n"
          "  --where EXPR        keep the points where EXPR holds: + - * / % == != < <=\n"
          "                      > >= && || ! ( ) over the varied keys, numbers and\n"
          "                      'strings' (repeatable; all must hold)\n"
          "\n"
          "options (defaults come from the scenario's [run] section):\n", stdout);
    cli_common_help(stdout, mt);
    fputs("  --out DIR           the sweep's folder (required): sweep.sqlite, sweep.csv,\n"
          "                      replications.csv\n"
          "  --force             when the inputs changed since results were stored,\n"
          "                      discard those results instead of refusing\n"
          "  --metrics A,B       export only these metrics (metric, section.metric or\n"
          "                      section.metric.key)\n"
          "  --export STORE      write the CSV of a stored sweep (STORE: the .sqlite file\n"
          "                      or its folder) to --out FILE or stdout; nothing is run\n"
          "  --export-reps       with --export: one row per replication\n"
          "  -h, --help          show this help\n"
          "\n"
          "Exit status: 0 success, 1 system failure or interrupted, 2 bad usage, bad\n"
          "scenario or a store whose inputs changed.\n", stdout);
}

/* ---- signals: stop handing out tasks, keep what is stored ------------------ */

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
    if (stop_flag) {
        /* A second signal: the store is safe against an abrupt end too. */
        signal(sig, SIG_DFL);
        raise(sig);
    }
    stop_flag = 1;
}

static void catch_stop(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* ---- provenance as key/values ----------------------------------------------- */

struct kv {
    int n, cap;
    char **key, **val;
};

static void kv_add(struct kv *k, const char *key, const char *val)
{
    if (k->n == k->cap) {
        k->cap = k->cap ? 2 * k->cap : 32;
        k->key = xrealloc(k->key, (size_t)k->cap * sizeof *k->key);
        k->val = xrealloc(k->val, (size_t)k->cap * sizeof *k->val);
    }
    k->key[k->n] = xstrdup(key);
    k->val[k->n++] = xstrdup(val);
}

/* Sets key to val, replacing an earlier value of the same key. */
static void kv_set(struct kv *k, const char *key, const char *val)
{
    for (int i = 0; i < k->n; i++)
        if (!strcmp(k->key[i], key)) {
            free(k->val[i]);
            k->val[i] = xstrdup(val);
            return;
        }
    kv_add(k, key, val);
}

static void kv_release(struct kv *k)
{
    for (int i = 0; i < k->n; i++) {
        free(k->key[i]);
        free(k->val[i]);
    }
    free(k->key);
    free(k->val);
    *k = (struct kv){ 0 };
}

/* Flattens JSON into dotted keys; array elements that are objects with a
 * "path" are named by it (inputs[dir/units.csv].sha256), so that a refusal
 * names the file whose checksum changed, and overrides by their key
 * (overrides[incidents.rate_per_day] = 40). */
static void flatten(struct kv *k, const char *prefix, json_t *j)
{
    char key[1024], num[64];
    if (json_is_object(j)) {
        const char *name;
        json_t *v;
        json_object_foreach(j, name, v) {
            snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", name);
            flatten(k, key, v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            json_t *path = json_is_object(v) ? json_object_get(v, "path") : NULL;
            const char *sv = json_is_string(v) ? json_string_value(v) : NULL;
            const char *eq = sv ? strchr(sv, '=') : NULL;
            if (!strcmp(prefix, "overrides") && eq) {
                /* By key, so that one more override does not shift the
                 * others; a repeated key keeps the last value, the one
                 * that takes effect. */
                snprintf(key, sizeof key, "%s[%.*s]", prefix, (int)(eq - sv), sv);
                kv_set(k, key, eq + 1);
                continue;
            }
            if (json_is_string(path))
                snprintf(key, sizeof key, "%s[%s]", prefix, json_string_value(path));
            else
                snprintf(key, sizeof key, "%s[%zu]", prefix, i);
            flatten(k, key, v);
        }
    } else if (json_is_string(j)) {
        kv_add(k, prefix, json_string_value(j));
    } else if (json_is_integer(j)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(j));
        kv_add(k, prefix, num);
    } else if (json_is_real(j)) {
        snprintf(num, sizeof num, "%.17g", json_real_value(j));
        kv_add(k, prefix, num);
    } else {
        kv_add(k, prefix, json_is_true(j) ? "true" : json_is_false(j) ? "false" : "null");
    }
}

/* ---- the sweep -------------------------------------------------------------- */

struct point {
    struct model *m;
    struct prov pv;
    int have_pv;
    struct res_layout L;
    char *assign;
    struct kv prov;
    struct model_override *ov;
    int n_ov;
};

struct ctx {
    const struct model_type *mt;
    struct point *pt;
    const struct sweep_task *task;     /* the tasks to run */
    struct store *st;
};

static int task_run(void *vc, int t, double *row, struct perr *e)
{
    const struct ctx *c = vc;
    const struct sweep_task *k = &c->task[t];
    const struct point *p = &c->pt[k->point];
    if (c->mt->run(p->m, p->pv.seed, k->rep, NULL, row, e) == 0)
        return 0;
    char msg[ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", e->msg);
    return err_set(e, "point %d (%s), replication %d: %s", k->point, p->assign, k->rep, msg);
}

static int task_done(void *vc, int t, const double *row, struct perr *e)
{
    const struct ctx *c = vc;
    const struct sweep_task *k = &c->task[t];
    return store_put(c->st, k->key, k->point, k->rep, c->pt[k->point].pv.seed, row, e);
}

/* "section.key" split at the first '.', as model.h's overrides are. */
static void split_ov(const char *name, char **sec, const char **key)
{
    const char *dot = strchr(name, '.');
    *sec = xmalloc((size_t)(dot - name) + 1);
    memcpy(*sec, name, (size_t)(dot - name));
    (*sec)[dot - name] = 0;
    *key = dot + 1;
}

static char *store_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/sweep.sqlite";
    char *p = xmalloc(n);
    snprintf(p, n, "%s/sweep.sqlite", dir);
    return p;
}

/* Writes DIR/sweep.csv and DIR/replications.csv from the store, whole or
 * not at all. */
static int export_dir(struct store *st, const char *dir, const char *metrics, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    FILE *a = outf_open(&o, dir, "sweep.csv", e);
    if (!a || store_export(st, a, 0, metrics, e) < 0)
        goto fail;
    FILE *b = outf_open(&o, dir, "replications.csv", e);
    if (!b || store_export(st, b, 1, metrics, e) < 0)
        goto fail;
    return outf_commit(&o, e);
fail:
    outf_abort(&o);
    return -1;
}

static int do_export(const char *path, const char *out, int per_rep, const char *metrics)
{
    struct perr e;
    struct stat sb;
    char *p = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? store_path(path) : xstrdup(path);
    struct store *st = store_open(p, 0, &e);
    int rc = EXIT_USAGE;
    if (!st)
        goto fail;
    if (!out) {
        if (store_export(st, stdout, per_rep, metrics, &e) < 0 || fflush(stdout) != 0)
            goto fail;
        rc = EXIT_OK;
        goto done;
    }
    char *dir = xstrdup(out), *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : out;
    if (slash)
        *slash = 0;
    struct outf o;
    outf_init(&o);
    outf_catch_signals();
    FILE *fp = outf_open(&o, slash ? (*dir ? dir : "/") : ".", name, &e);
    int ok = fp && store_export(st, fp, per_rep, metrics, &e) == 0;
    if (ok)
        ok = outf_commit(&o, &e) == 0;
    else
        outf_abort(&o);
    free(dir);
    if (!ok)
        goto fail;
    rc = EXIT_OK;
    goto done;
fail:
    fprintf(stderr, "patrolsim sweep: %s\n", e.msg);
done:
    store_close(st);
    free(p);
    return rc;
}

/* argv[*i] is --name VALUE or --name=VALUE: 1 and *val, 0 not it, -1 no value. */
static int opt_val(const char *name, int argc, char **argv, int *i, const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) || (a[n] && a[n] != '='))
        return 0;
    if (a[n] == '=') {
        *val = a + n + 1;
        return 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "patrolsim sweep: %s needs a value\n", name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cmd_sweep(int argc, char **argv, const struct model_type *mt)
{
    struct cli_common c;
    struct sweep_spec spec;
    struct sweep_points P = { 0 };
    struct perr e;
    cli_common_init(&c);
    sweep_init(&spec);
    const char *dir = NULL, *file = NULL, *export = NULL, *metrics = NULL;
    int force = 0, per_rep = 0, rc = EXIT_USAGE, n_pt = 0;
    struct point *pt = NULL;
    struct store *st = NULL;
    struct sweep_task *all = NULL, *todo = NULL;
    char *spath = NULL, *text = NULL;
    struct store_point *sp = NULL;
    /* Flags are added in the order given, after the sweep file's lines. */
    const char **flag_kind = xmalloc((size_t)argc * sizeof *flag_kind);
    const char **flag_val = xmalloc((size_t)argc * sizeof *flag_val);
    int n_flags = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_common_opt(&c, mt, "sweep", argc, argv, &i);
        if (r < 0)
            goto done;
        if (r > 0)
            continue;
        int is_vary = (r = opt_val("--vary", argc, argv, &i, &v)) != 0;
        if (is_vary || (r = opt_val("--where", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                goto done;
            flag_kind[n_flags] = is_vary ? "--vary" : "--where";
            flag_val[n_flags++] = v;
        } else if ((r = opt_val("--export", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                goto done;
            export = v;
        } else if ((r = opt_val("--metrics", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                goto done;
            metrics = v;
        } else if (!strcmp(argv[i], "--force")) {
            force = 1;
        } else if (!strcmp(argv[i], "--export-reps")) {
            per_rep = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help(mt);
            rc = EXIT_OK;
            goto done;
        } else if (argv[i][0] == '-' || (dir && file)) {
            fprintf(stderr, "patrolsim sweep: unexpected argument '%s'; see 'patrolsim sweep "
                            "--help'\n", argv[i]);
            goto done;
        } else if (!dir) {
            dir = argv[i];
        } else {
            file = argv[i];
        }
    }
    if (export) {
        if (dir || n_flags || force) {
            fputs("patrolsim sweep: --export reads a stored sweep; it takes no SCENARIO, "
                  "--vary, --where or --force\n", stderr);
            goto done;
        }
        rc = do_export(export, c.out, per_rep, metrics);
        goto done;
    }
    if (per_rep) {
        fputs("patrolsim sweep: --export-reps goes with --export STORE (a sweep writes "
              "replications.csv anyway)\n", stderr);
        goto done;
    }
    if (!dir) {
        fputs("patrolsim sweep: expected a SCENARIO folder; see 'patrolsim sweep --help'\n",
              stderr);
        goto done;
    }
    if (!c.out) {
        fputs("patrolsim sweep: --out DIR is required: the results are stored in "
              "DIR/sweep.sqlite, so that rerunning the command resumes\n", stderr);
        goto done;
    }
    if (file && sweep_read_file(&spec, file, &e) < 0)
        goto bad;
    for (int f = 0; f < n_flags; f++) {
        int r = !strcmp(flag_kind[f], "--vary") ? sweep_add_vary(&spec, flag_val[f], "--vary", &e)
                                               : sweep_add_where(&spec, flag_val[f], "--where", &e);
        if (r < 0)
            goto bad;
    }
    if (sweep_finish(&spec, &e) < 0 || sweep_expand(&spec, &P, &e) < 0)
        goto bad;
    /* A command-line override of a varied key would be silently overridden
     * by the point (or override it): refuse. */
    for (int i = 0; i < c.ov.n; i++)
        for (int k = 0; k < P.n_params; k++) {
            const char *nm = P.name[k], *dot = strchr(nm, '.');
            if ((size_t)(dot - nm) == strlen(c.ov.ov[i].section) &&
                !strncmp(nm, c.ov.ov[i].section, (size_t)(dot - nm)) &&
                !strcmp(dot + 1, c.ov.ov[i].key)) {
                fprintf(stderr, "patrolsim sweep: '%s' is set on the command line (--set, "
                                "--seed, --reps, ...) and also varied\n", nm);
                goto done;
            }
        }
    if (cli_check_out("sweep", c.out) < 0)
        goto done;

    /* Load every point: base overrides (the file's set lines, then the
     * command line's), then the point's parameters. */
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    n_pt = P.n;
    pt = xcalloc((size_t)n_pt, sizeof *pt);
    rc = EXIT_USAGE;
    size_t row_len = 1;
    for (int i = 0; i < n_pt; i++) {
        struct point *p = &pt[i];
        int n_ov = spec.n_set + c.ov.n + P.n_params, k = 0;
        p->ov = xmalloc((size_t)n_ov * sizeof *p->ov);
        for (int j = 0; j < spec.n_set; j++, k++) {
            char *sec;
            split_ov(spec.set_key[j], &sec, &p->ov[k].key);
            p->ov[k].section = sec;
            p->ov[k].value = spec.set_value[j];
        }
        for (int j = 0; j < c.ov.n; j++, k++) {
            p->ov[k] = c.ov.ov[j];
            p->ov[k].section = xstrdup(c.ov.ov[j].section);
        }
        for (int j = 0; j < P.n_params; j++, k++) {
            char *sec;
            split_ov(P.name[j], &sec, &p->ov[k].key);
            p->ov[k].section = sec;
            p->ov[k].value = P.value[(size_t)i * (size_t)P.n_params + (size_t)j];
        }
        p->n_ov = n_ov;
        p->assign = sweep_assignment(&P, i);
        p->m = mt->load(dir, p->ov, p->n_ov, &e);
        if (!p->m) {
            fprintf(stderr, "patrolsim sweep: point %d (%s): %s\n", i, p->assign, e.msg);
            goto done;
        }
        if (i == 0 && mt->notes)
            mt->notes(p->m, stderr);
        if (prov_init(&p->pv, mt, p->m, dir, p->ov, p->n_ov, &e) < 0) {
            fprintf(stderr, "patrolsim sweep: point %d (%s): %s\n", i, p->assign, e.msg);
            rc = EXIT_FAIL;
            goto done;
        }
        p->have_pv = 1;
        json_t *j = prov_json(&p->pv);
        flatten(&p->prov, "", j);
        json_decref(j);
        mt->layout(p->m, &p->L);
        if (p->L.n > row_len)
            row_len = p->L.n;
        if (p->pv.reps != pt[0].pv.reps) {
            fprintf(stderr, "patrolsim sweep: point %d (%s) has %d replications, point 0 has "
                            "%d; give --reps\n", i, p->assign, p->pv.reps, pt[0].pv.reps);
            goto done;
        }
    }
    int reps = pt[0].pv.reps;
    /* A misspelt --metrics name would otherwise surface only after the
     * whole sweep has run (the export checks it against every point). */
    if (metrics) {
        char *list = xstrdup(metrics);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
            if (res_lookup(&pt[0].L, tok) < 0) {
                fprintf(stderr, "patrolsim sweep: --metrics: no metric '%s' in point 0 (%s); "
                                "names are metric, section.metric or section.metric.key\n",
                        tok, pt[0].assign);
                free(list);
                goto done;
            }
        free(list);
    }

    /* The store, and the tasks it does not hold yet. */
    if (outf_mkdir(c.out, &e) < 0)
        goto fail;
    spath = store_path(c.out);
    st = store_open(spath, STORE_CREATE, &e);
    if (!st)
        goto fail;
    sp = xcalloc((size_t)n_pt, sizeof *sp);
    for (int i = 0; i < n_pt; i++) {
        struct point *p = &pt[i];
        sp[i] = (struct store_point){
            p->assign, p->pv.hash, P.n_params, P.name,
            P.value + (size_t)i * (size_t)P.n_params, p->prov.n,
            (const char *const *)p->prov.key, (const char *const *)p->prov.val, &p->L };
    }
    text = sweep_text(&spec);
    struct store_sweep sw = { text, mt->name, PATROLSIM_VERSION, reps, n_pt, sp };
    if (store_begin(st, &sw, force, &e) < 0) {
        fprintf(stderr, "patrolsim sweep: %s\n", e.msg);
        rc = EXIT_USAGE;
        goto done;
    }
    long n_all = (long)n_pt * reps, n_todo = 0;
    all = xmalloc((size_t)(n_all ? n_all : 1) * sizeof *all);
    todo = xmalloc((size_t)(n_all ? n_all : 1) * sizeof *todo);
    for (int i = 0; i < n_pt; i++)
        for (int r = 0; r < reps; r++) {
            struct sweep_task *k = &all[(long)i * reps + r];
            k->point = i;
            k->rep = r;
            sweep_task_key(pt[i].pv.hash, r, PATROLSIM_VERSION, k->key);
            int h = store_has(st, k->key, &e);
            if (h < 0)
                goto fail;
            if (!h)
                todo[n_todo++] = *k;
        }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!c.quiet)
        fprintf(stderr, "patrolsim sweep: %d point%s x %d replication%s = %ld tasks; %ld "
                        "stored, %ld to run on %d thread%s\n", n_pt, n_pt == 1 ? "" : "s", reps,
                reps == 1 ? "" : "s", n_all, n_all - n_todo, n_todo, c.jobs,
                c.jobs == 1 ? "" : "s");

    struct ctx ctx = { mt, pt, todo, st };
    stop_flag = 0;
    catch_stop();
    struct prog *pg = prog_new((enum prog_mode)c.progress, "sweep", n_todo);
    struct exp_opts eo = { .jobs = c.jobs, .done = task_done, .done_ctx = &ctx,
                           .progress = pg, .stop = &stop_flag };
    int erc = n_todo ? exp_run_opts((int)n_todo, row_len, task_run, &ctx, NULL, &eo, &e) : 0;
    prog_free(pg);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (erc < 0) {
        long stored, expected;
        struct perr e2;
        if (store_progress(st, &stored, &expected, &e2) < 0)
            stored = expected = -1;
        fprintf(stderr, "patrolsim sweep: %s; %ld of %ld tasks are stored in %s; rerun the "
                        "same command to resume\n", e.msg, stored, expected, spath);
        rc = EXIT_FAIL;
        goto done;
    }
    outf_catch_signals();
    if (export_dir(st, c.out, metrics, &e) < 0)
        goto fail;
    double load_s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    double run_s = (double)(t2.tv_sec - t1.tv_sec) + 1e-9 * (double)(t2.tv_nsec - t1.tv_nsec);
    if (!c.quiet)
        fprintf(stderr, "patrolsim sweep: %ld tasks in %.2f s (%.1f tasks/s), points loaded "
                        "in %.2f s; results in %s/ (sweep.csv, replications.csv, "
                        "sweep.sqlite)\n", n_todo, run_s, run_s > 0 ? (double)n_todo / run_s : 0,
                load_s, c.out);
    rc = EXIT_OK;
    goto done;
bad:
    fprintf(stderr, "patrolsim sweep: %s\n", e.msg);
    rc = EXIT_USAGE;
    goto done;
fail:
    fprintf(stderr, "patrolsim sweep: %s\n", e.msg);
    rc = EXIT_FAIL;
done:
    store_close(st);
    for (int i = 0; i < n_pt; i++) {
        struct point *p = &pt[i];
        if (p->have_pv)
            prov_release(&p->pv);
        if (p->m)
            mt->free(p->m);
        res_layout_release(&p->L);
        kv_release(&p->prov);
        for (int k = 0; k < p->n_ov && p->ov; k++)
            free((char *)p->ov[k].section);
        free(p->ov);
        free(p->assign);
    }
    free(pt);
    free(sp);
    free(all);
    free(todo);
    free(spath);
    free(text);
    free(flag_kind);
    free(flag_val);
    sweep_points_release(&P);
    sweep_release(&spec);
    cli_common_release(&c);
    return rc;
}
