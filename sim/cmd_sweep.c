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
 *
 * Under mpirun with --mpi, rank 0 does all of the above but hands the tasks
 * to the farm of mpifarm.h instead of the thread pool; every other rank
 * parses the same command line, expands the same points and runs the tasks
 * it is sent, loading a point's scenario when it first needs it and checking
 * its scenario hash against rank 0's.  --shard I/N keeps the tasks whose
 * number is I-1 modulo N; cmd_merge.c combines the shard stores.
 */
#define _DEFAULT_SOURCE
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"
#include "exp.h"
#include "mpifarm.h"
#include "outf.h"
#include "prog.h"
#include "prov.h"
#include "report_html.h"
#include "store.h"
#include "sweep.h"

static void help(const struct model_type *mt)
{
    fputs("usage: patrolsim sweep SCENARIO [SWEEPFILE] [--vary KEY=VALUES ...] [options]\n"
          "       mpirun -n N patrolsim sweep SCENARIO ... --mpi\n"
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
          "  --mpi               run under mpirun/srun (docs/cluster.md): rank 0 hands out\n"
          "                      the tasks and alone writes the store, every rank runs\n"
          "                      one task at a time (--jobs is not used); the results\n"
          "                      are those of a local sweep, for any number of ranks\n"
          "  --shard I/N         run only the I-th of N equal shards of the tasks into\n"
          "                      DIR/sweep.sqlite (no CSV); 'patrolsim merge' combines\n"
          "                      the N shard stores\n"
          "  --force             when the inputs changed since results were stored,\n"
          "                      discard those results instead of refusing\n"
          "  --report DIR        also write DIR/report.html: every point's table, each\n"
          "                      headline metric against the first parameter with 95%\n"
          "                      CI bars and a heat map over the first two (needs gnuplot)\n"
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

/* The parsed command line; rank 0 and the MPI workers build it alike. */
struct args {
    struct cli_common c;
    struct sweep_spec spec;
    struct sweep_points P;
    const char *dir, *file, *export, *metrics, *report;
    int force, per_rep, mpi, shard_i, shard_n;
    const char **flag_kind, **flag_val;
    int n_flags;
};

struct ctx {
    const struct model_type *mt;
    struct point *pt;
    const struct sweep_task *task;     /* the tasks to run */
    struct store *st;
    struct sched *sc;                  /* --mpi: who runs what */
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

/* Point i's overrides: the sweep file's set lines, the command line's, then
 * the point's parameters; and its assignment. */
static void point_init(struct point *p, const struct args *a, int i)
{
    const struct sweep_points *P = &a->P;
    int n_ov = a->spec.n_set + a->c.ov.n + P->n_params, k = 0;
    memset(p, 0, sizeof *p);
    p->ov = xmalloc((size_t)(n_ov ? n_ov : 1) * sizeof *p->ov);
    for (int j = 0; j < a->spec.n_set; j++, k++) {
        char *sec;
        split_ov(a->spec.set_key[j], &sec, &p->ov[k].key);
        p->ov[k].section = sec;
        p->ov[k].value = a->spec.set_value[j];
    }
    for (int j = 0; j < a->c.ov.n; j++, k++) {
        p->ov[k] = a->c.ov.ov[j];
        p->ov[k].section = xstrdup(a->c.ov.ov[j].section);
    }
    for (int j = 0; j < P->n_params; j++, k++) {
        char *sec;
        split_ov(P->name[j], &sec, &p->ov[k].key);
        p->ov[k].section = sec;
        p->ov[k].value = P->value[(size_t)i * (size_t)P->n_params + (size_t)j];
    }
    p->n_ov = n_ov;
    p->assign = sweep_assignment(P, i);
}

static void point_release(struct point *p, const struct model_type *mt)
{
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
    memset(p, 0, sizeof *p);
}

static char *store_path(const char *dir)
{
    size_t n = strlen(dir) + sizeof "/sweep.sqlite";
    char *p = xmalloc(n);
    snprintf(p, n, "%s/sweep.sqlite", dir);
    return p;
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

/* --shard I/N with 1 <= I <= N. */
static int parse_shard(const char *v, int *i, int *n)
{
    char *end;
    long a = strtol(v, &end, 10), b = 0;
    int ok = end != v && *end == '/';
    if (ok) {
        const char *q = end + 1;
        b = strtol(q, &end, 10);
        ok = end != q && !*end && a >= 1 && b >= 1 && a <= b && b <= 1000000;
    }
    if (!ok) {
        fprintf(stderr, "patrolsim sweep: --shard: expected I/N with 1 <= I <= N (the I-th of "
                        "N shards, e.g. 3/8), got '%s'\n", v);
        return -1;
    }
    *i = (int)a;
    *n = (int)b;
    return 0;
}

static void args_init(struct args *a, int argc)
{
    memset(a, 0, sizeof *a);
    cli_common_init(&a->c);
    sweep_init(&a->spec);
    a->flag_kind = xmalloc((size_t)argc * sizeof *a->flag_kind);
    a->flag_val = xmalloc((size_t)argc * sizeof *a->flag_val);
}

static void args_release(struct args *a)
{
    free(a->flag_kind);
    free(a->flag_val);
    sweep_points_release(&a->P);
    sweep_release(&a->spec);
    cli_common_release(&a->c);
}

/* The options; flags are added in the order given, after the sweep file's
 * lines.  0, 1 when --help was shown, -1 on a usage error (printed). */
static int parse_args(struct args *a, int argc, char **argv, const struct model_type *mt)
{
    for (int i = 1; i < argc; i++) {
        const char *v;
        int r = cli_common_opt(&a->c, mt, "sweep", argc, argv, &i);
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        int is_vary = (r = opt_val("--vary", argc, argv, &i, &v)) != 0;
        if (is_vary || (r = opt_val("--where", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                return -1;
            a->flag_kind[a->n_flags] = is_vary ? "--vary" : "--where";
            a->flag_val[a->n_flags++] = v;
        } else if ((r = opt_val("--export", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                return -1;
            a->export = v;
        } else if ((r = opt_val("--report", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                return -1;
            a->report = v;
        } else if ((r = opt_val("--metrics", argc, argv, &i, &v)) != 0) {
            if (r < 0)
                return -1;
            a->metrics = v;
        } else if ((r = opt_val("--shard", argc, argv, &i, &v)) != 0) {
            if (r < 0 || parse_shard(v, &a->shard_i, &a->shard_n) < 0)
                return -1;
        } else if (!strcmp(argv[i], "--force")) {
            a->force = 1;
        } else if (!strcmp(argv[i], "--mpi")) {
            a->mpi = 1;
        } else if (!strcmp(argv[i], "--export-reps")) {
            a->per_rep = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help(mt);
            return 1;
        } else if (argv[i][0] == '-' || (a->dir && a->file)) {
            fprintf(stderr, "patrolsim sweep: unexpected argument '%s'; see 'patrolsim sweep "
                            "--help'\n", argv[i]);
            return -1;
        } else if (!a->dir) {
            a->dir = argv[i];
        } else {
            a->file = argv[i];
        }
    }
    return 0;
}

/* The specification and its points; a command-line override of a varied key
 * would be silently overridden by the point (or override it): refused.
 * 0, or -1 with e set. */
static int build_points(struct args *a, struct perr *e)
{
    if (a->file && sweep_read_file(&a->spec, a->file, e) < 0)
        return -1;
    for (int f = 0; f < a->n_flags; f++) {
        int r = !strcmp(a->flag_kind[f], "--vary")
                    ? sweep_add_vary(&a->spec, a->flag_val[f], "--vary", e)
                    : sweep_add_where(&a->spec, a->flag_val[f], "--where", e);
        if (r < 0)
            return -1;
    }
    if (sweep_finish(&a->spec, e) < 0 || sweep_expand(&a->spec, &a->P, e) < 0)
        return -1;
    const struct cli_ov *ov = &a->c.ov;
    for (int i = 0; i < ov->n; i++)
        for (int k = 0; k < a->P.n_params; k++) {
            const char *nm = a->P.name[k], *dot = strchr(nm, '.');
            if ((size_t)(dot - nm) == strlen(ov->ov[i].section) &&
                !strncmp(nm, ov->ov[i].section, (size_t)(dot - nm)) &&
                !strcmp(dot + 1, ov->ov[i].key))
                return err_set(e, "'%s' is set on the command line (--set, --seed, --reps, "
                               "...) and also varied", nm);
        }
    return 0;
}

/* ---- --mpi: who runs what ---------------------------------------------------- */

/* The tasks to run are runs of one point each (the task array is in (point,
 * rep) order).  A rank keeps taking tasks of the point it has, so that each
 * worker loads few scenario variants; when its point is used up it takes a
 * point nobody has started, and at the end it helps with the point that has
 * the most tasks left.  Which rank runs a task never changes its result. */
struct sched {
    int n_groups;
    int *first, *end, *next;   /* per group: its tasks, and the next to give out */
    int *last;                 /* per rank: its current group, or -1 */
    int fresh;                 /* groups below it have been started */
};

static struct sched *sched_new(const struct sweep_task *task, int n, int n_ranks)
{
    struct sched *s = xcalloc(1, sizeof *s);
    s->first = xmalloc((size_t)(n ? n : 1) * sizeof *s->first);
    s->end = xmalloc((size_t)(n ? n : 1) * sizeof *s->end);
    s->next = xmalloc((size_t)(n ? n : 1) * sizeof *s->next);
    for (int t = 0; t < n; t++) {
        if (t == 0 || task[t].point != task[t - 1].point) {
            s->first[s->n_groups] = s->next[s->n_groups] = t;
            s->n_groups++;
        }
        s->end[s->n_groups - 1] = t + 1;
    }
    s->last = xmalloc((size_t)n_ranks * sizeof *s->last);
    for (int r = 0; r < n_ranks; r++)
        s->last[r] = -1;
    return s;
}

static void sched_free(struct sched *s)
{
    if (!s)
        return;
    free(s->first);
    free(s->end);
    free(s->next);
    free(s->last);
    free(s);
}

static int sched_pick(void *vc, int rank)
{
    struct sched *s = ((struct ctx *)vc)->sc;
    int g = s->last[rank];
    if (g < 0 || s->next[g] == s->end[g]) {
        while (s->fresh < s->n_groups && s->next[s->fresh] > s->first[s->fresh])
            s->fresh++;
        if (s->fresh < s->n_groups) {
            g = s->fresh++;
        } else {
            int most = 0;
            g = -1;
            for (int k = 0; k < s->n_groups; k++)
                if (s->end[k] - s->next[k] > most) {
                    most = s->end[k] - s->next[k];
                    g = k;
                }
            if (g < 0)
                return -1;
        }
        s->last[rank] = g;
    }
    return s->next[g]++;
}

/* A task as it travels to a worker: the task and the scenario hash rank 0
 * computed for its point, which the worker checks against its own. */
struct wire {
    struct sweep_task task;
    char hash[PROV_HEX];
};

static void wire_pack(void *vc, int t, void *buf)
{
    const struct ctx *c = vc;
    struct wire w;
    memset(&w, 0, sizeof w);
    w.task = c->task[t];
    memcpy(w.hash, c->pt[w.task.point].pv.hash, PROV_HEX);
    memcpy(buf, &w, sizeof w);
}

/* A worker rank: the points it has loaded, least recently used first out.
 * With the scheduling above a worker rarely returns to a point, so a few
 * entries suffice and memory stays bounded however large the sweep. */
#define WORKER_CACHE 8
struct worker {
    const struct model_type *mt;
    struct args *a;
    int argc;
    char **argv;
    struct point ent[WORKER_CACHE];
    int point[WORKER_CACHE];   /* -1: empty */
    long used[WORKER_CACHE], tick;
};

static int worker_ready(void *vw, struct perr *e)
{
    struct worker *w = vw;
    if (parse_args(w->a, w->argc, w->argv, w->mt) != 0) {
        err_set(e, "the command line does not parse here (see this rank's stderr)");
        return EXIT_USAGE;
    }
    return build_points(w->a, e) < 0 ? EXIT_USAGE : 0;
}

static int worker_run(void *vw, const void *msg, double *row, struct perr *e)
{
    struct worker *w = vw;
    struct wire m;
    memcpy(&m, msg, sizeof m);
    int pi = m.task.point, k = 0;
    if (pi < 0 || pi >= w->a->P.n) {
        err_set(e, "point %d is not in this rank's sweep of %d points: is the command line "
                "the same on every rank?", pi, w->a->P.n);
        return EXIT_USAGE;
    }
    while (k < WORKER_CACHE && w->point[k] != pi)
        k++;
    if (k == WORKER_CACHE) {
        k = 0;
        for (int j = 1; j < WORKER_CACHE; j++)
            if (w->used[j] < w->used[k])
                k = j;
        struct point *p = &w->ent[k];
        point_release(p, w->mt);
        w->point[k] = -1;
        point_init(p, w->a, pi);
        char msgbuf[ERR_MSG_MAX];
        p->m = w->mt->load(w->a->dir, p->ov, p->n_ov, e);
        if (!p->m || prov_init(&p->pv, w->mt, p->m, w->a->dir, p->ov, p->n_ov, e) < 0) {
            snprintf(msgbuf, sizeof msgbuf, "%s", e->msg);
            err_set(e, "point %d (%s): %s", pi, p->assign, msgbuf);
            point_release(p, w->mt);
            return EXIT_USAGE;
        }
        p->have_pv = 1;
        if (strcmp(p->pv.hash, m.hash)) {
            err_set(e, "point %d (%s): the scenario differs from rank 0's (scenario %.12s "
                    "here, %.12s on rank 0): are the scenario files and the command line "
                    "the same on every node?", pi, p->assign, p->pv.hash, m.hash);
            point_release(p, w->mt);
            return EXIT_USAGE;
        }
        w->point[k] = pi;
    }
    w->used[k] = ++w->tick;
    struct point *p = &w->ent[k];
    if (w->mt->run(p->m, p->pv.seed, m.task.rep, NULL, row, e) == 0)
        return 0;
    char msgbuf[ERR_MSG_MAX];
    snprintf(msgbuf, sizeof msgbuf, "%s", e->msg);
    err_set(e, "point %d (%s), replication %d: %s", pi, p->assign, m.task.rep, msgbuf);
    return EXIT_FAIL;
}

static int sweep_worker(int argc, char **argv, const struct model_type *mt)
{
    struct args a;
    struct worker w = { .mt = mt, .a = &a, .argc = argc, .argv = argv };
    args_init(&a, argc);
    for (int k = 0; k < WORKER_CACHE; k++)
        w.point[k] = -1;
    int rc = farm_worker(sizeof(struct wire), worker_ready, worker_run, &w);
    for (int k = 0; k < WORKER_CACHE; k++)
        point_release(&w.ent[k], mt);
    args_release(&a);
    farm_finalize();
    return rc;
}

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + 1e-9 * (double)(b->tv_nsec - a->tv_nsec);
}

int cmd_sweep(int argc, char **argv, const struct model_type *mt)
{
    struct args a;
    struct perr e;
    int rc = EXIT_USAGE, n_pt = 0, mpi = 0, rank = 0, n_ranks = 1, started = 0;
    struct point *pt = NULL;
    struct store *st = NULL;
    struct sweep_task *all = NULL, *todo = NULL;
    char *spath = NULL, *text = NULL;
    struct store_point *sp = NULL;
    struct sched *sc = NULL;
    struct farm_stats fs = { 0 };
    size_t row_len = 1;
    /* Under mpirun every rank runs this; MPI starts before anything is
     * parsed, so that only rank 0 speaks. */
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--mpi"))
            mpi = 1;
    if (mpi) {
        if (!farm_available()) {
            fputs("patrolsim sweep: --mpi: patrolsim was built without MPI; install openmpi "
                  "(apt-get install libopenmpi-dev openmpi-bin) and rebuild\n", stderr);
            return EXIT_USAGE;
        }
        if (farm_init(&argc, &argv, &rank, &n_ranks, &e) < 0) {
            fprintf(stderr, "patrolsim sweep: --mpi: %s\n", e.msg);
            farm_finalize();
            return EXIT_FAIL;
        }
        if (rank != 0)
            return sweep_worker(argc, argv, mt);
    }
    args_init(&a, argc);
    int pr = parse_args(&a, argc, argv, mt);
    if (pr != 0) {
        rc = pr > 0 ? EXIT_OK : EXIT_USAGE;
        goto done;
    }
    if (a.export) {
        if (a.dir || a.n_flags || a.force || a.mpi || a.shard_n) {
            fputs("patrolsim sweep: --export reads a stored sweep; it takes no SCENARIO, "
                  "--vary, --where, --force, --mpi or --shard\n", stderr);
            goto done;
        }
        rc = do_export(a.export, a.c.out, a.per_rep, a.metrics);
        goto done;
    }
    if (a.per_rep) {
        fputs("patrolsim sweep: --export-reps goes with --export STORE (a sweep writes "
              "replications.csv anyway)\n", stderr);
        goto done;
    }
    if (!a.dir) {
        fputs("patrolsim sweep: expected a SCENARIO folder; see 'patrolsim sweep --help'\n",
              stderr);
        goto done;
    }
    if (!a.c.out) {
        fputs("patrolsim sweep: --out DIR is required: the results are stored in "
              "DIR/sweep.sqlite, so that rerunning the command resumes\n", stderr);
        goto done;
    }
    if (build_points(&a, &e) < 0)
        goto bad;
    if (cli_check_out("sweep", a.c.out) < 0)
        goto done;
    if (a.report && (a.shard_n || cli_check_report("sweep", a.report) < 0)) {
        if (a.shard_n)
            fputs("patrolsim sweep: --report needs the whole sweep: report on the merged "
                  "store's folder instead\n", stderr);
        rc = a.shard_n ? EXIT_USAGE : EXIT_FAIL;
        goto done;
    }

    /* Load every point (rank 0 needs every scenario hash for the task keys). */
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const struct sweep_points *P = &a.P;
    n_pt = P->n;
    pt = xcalloc((size_t)n_pt, sizeof *pt);
    rc = EXIT_USAGE;
    for (int i = 0; i < n_pt; i++) {
        struct point *p = &pt[i];
        point_init(p, &a, i);
        p->m = mt->load(a.dir, p->ov, p->n_ov, &e);
        if (!p->m) {
            fprintf(stderr, "patrolsim sweep: point %d (%s): %s\n", i, p->assign, e.msg);
            goto done;
        }
        if (i == 0 && mt->notes)
            mt->notes(p->m, stderr);
        if (prov_init(&p->pv, mt, p->m, a.dir, p->ov, p->n_ov, &e) < 0) {
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
    if (a.metrics) {
        char *list = xstrdup(a.metrics);
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

    /* The store, and the tasks it does not hold yet (of this shard). */
    if (outf_mkdir(a.c.out, &e) < 0)
        goto fail;
    spath = store_path(a.c.out);
    st = store_open(spath, STORE_CREATE, &e);
    if (!st)
        goto fail;
    sp = xcalloc((size_t)n_pt, sizeof *sp);
    for (int i = 0; i < n_pt; i++) {
        struct point *p = &pt[i];
        sp[i] = (struct store_point){
            p->assign, p->pv.hash, P->n_params, P->name,
            P->value + (size_t)i * (size_t)P->n_params, p->prov.n,
            (const char *const *)p->prov.key, (const char *const *)p->prov.val, &p->L };
    }
    text = sweep_text(&a.spec);
    struct store_sweep sw = { text, mt->name, PATROLSIM_VERSION, reps, n_pt, sp };
    if (store_begin(st, &sw, a.force, &e) < 0) {
        fprintf(stderr, "patrolsim sweep: %s\n", e.msg);
        rc = EXIT_USAGE;
        goto done;
    }
    long n_all = (long)n_pt * reps, n_todo = 0, n_mine = 0;
    all = xmalloc((size_t)(n_all ? n_all : 1) * sizeof *all);
    todo = xmalloc((size_t)(n_all ? n_all : 1) * sizeof *todo);
    for (int i = 0; i < n_pt; i++)
        for (int r = 0; r < reps; r++) {
            long t = (long)i * reps + r;
            struct sweep_task *k = &all[t];
            k->point = i;
            k->rep = r;
            /* Shards are the task numbers modulo N: equal in size, and each
             * gets every point's share of slow and fast replications. */
            if (a.shard_n && t % a.shard_n != a.shard_i - 1)
                continue;
            n_mine++;
            sweep_task_key(pt[i].pv.hash, r, PATROLSIM_VERSION, k->key);
            int h = store_has(st, k->key, &e);
            if (h < 0)
                goto fail;
            if (!h)
                todo[n_todo++] = *k;
        }
    if (n_todo > INT_MAX) {
        err_set(&e, "%ld tasks to run; at most %d per run (use --shard)", n_todo, INT_MAX);
        goto bad;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!a.c.quiet) {
        char shard[64] = "";
        if (a.shard_n)
            snprintf(shard, sizeof shard, "; shard %d/%d has %ld", a.shard_i, a.shard_n,
                     n_mine);
        char where[64];
        if (mpi)
            snprintf(where, sizeof where, "%d MPI rank%s", n_ranks, n_ranks == 1 ? "" : "s");
        else
            snprintf(where, sizeof where, "%d thread%s", a.c.jobs, a.c.jobs == 1 ? "" : "s");
        fprintf(stderr, "patrolsim sweep: %d point%s x %d replication%s = %ld tasks%s; %ld "
                        "stored, %ld to run on %s\n", n_pt, n_pt == 1 ? "" : "s", reps,
                reps == 1 ? "" : "s", n_all, shard, n_mine - n_todo, n_todo, where);
    }

    struct ctx ctx = { mt, pt, todo, st, NULL };
    stop_flag = 0;
    catch_stop();
    enum prog_mode pm = (enum prog_mode)a.c.progress;
    /* mpirun passes rank 0's stderr through a pipe: lines, not a bar. */
    if (mpi && pm == PROG_AUTO)
        pm = PROG_PLAIN;
    struct prog *pg = prog_new(pm, "sweep", n_todo);
    int erc = 0, fcode = EXIT_FAIL;
    if (mpi) {
        sc = ctx.sc = sched_new(todo, (int)n_todo, n_ranks);
        struct farm_master fo = { .n_tasks = (int)n_todo, .row_len = row_len,
                                  .task_size = sizeof(struct wire), .pick = sched_pick,
                                  .pack = wire_pack, .run = task_run, .done = task_done,
                                  .ctx = &ctx, .progress = pg, .stop = &stop_flag };
        farm_start(1, row_len);
        started = 1;
        erc = farm_master(&fo, &fs, &fcode, &e);
    } else if (n_todo) {
        struct exp_opts eo = { .jobs = a.c.jobs, .done = task_done, .done_ctx = &ctx,
                               .progress = pg, .stop = &stop_flag };
        erc = exp_run_opts((int)n_todo, row_len, task_run, &ctx, NULL, &eo, &e);
    }
    prog_free(pg);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    if (erc < 0) {
        long stored, expected;
        struct perr e2;
        if (store_progress(st, &stored, &expected, &e2) < 0)
            stored = expected = -1;
        fprintf(stderr, "patrolsim sweep: %s; %ld of %ld tasks are stored in %s; %s\n", e.msg,
                stored, expected, spath,
                fcode == EXIT_USAGE ? "correct the scenario, then rerun the same command"
                                    : "rerun the same command to resume");
        rc = mpi ? fcode : EXIT_FAIL;
        goto done;
    }
    double load_s = secs(&t0, &t1), run_s = secs(&t1, &t2);
    char per_rank[256] = "";
    if (mpi && fs.done) {
        size_t used = (size_t)snprintf(per_rank, sizeof per_rank, " (tasks per rank:");
        for (int r = 0; r < fs.n_ranks && used < sizeof per_rank; r++)
            used += (size_t)snprintf(per_rank + used, sizeof per_rank - used, " %ld",
                                     fs.done[r]);
        if (used < sizeof per_rank)
            snprintf(per_rank + used, sizeof per_rank - used, ")");
    }
    if (a.shard_n) {
        if (!a.c.quiet)
            fprintf(stderr, "patrolsim sweep: shard %d/%d: %ld tasks in %.2f s (%.1f tasks/s)%s; "
                            "all %ld of the shard's tasks are in %s; when every shard is "
                            "done, combine them with 'patrolsim merge SHARD-STORE... --out "
                            "DIR'\n", a.shard_i, a.shard_n, n_todo, run_s,
                    run_s > 0 ? (double)n_todo / run_s : 0, per_rank, n_mine, spath);
        rc = EXIT_OK;
        goto done;
    }
    outf_catch_signals();
    if (store_export_dir(st, a.c.out, a.metrics, &e) < 0)
        goto fail;
    if (a.report) {
        struct model_info info;
        mt->info(pt[0].m, &info);
        size_t n = strlen(a.c.out) + 16;
        char *csv = xmalloc(n);
        snprintf(csv, n, "%s/sweep.csv", a.c.out);
        int rrc = rpt_sweep(mt, csv, a.report, info.name, text, &e);
        free(csv);
        if (rrc < 0)
            goto fail;
        if (!a.c.quiet)
            fprintf(stderr, "patrolsim sweep: report written to %s/report.html\n", a.report);
    }
    if (!a.c.quiet)
        fprintf(stderr, "patrolsim sweep: %ld tasks in %.2f s (%.1f tasks/s)%s, points loaded "
                        "in %.2f s; results in %s/ (sweep.csv, replications.csv, "
                        "sweep.sqlite)\n", n_todo, run_s, run_s > 0 ? (double)n_todo / run_s : 0,
                per_rank, load_s, a.c.out);
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
    if (mpi && !started)
        farm_start(0, 0);
    store_close(st);
    for (int i = 0; i < n_pt; i++)
        point_release(&pt[i], mt);
    free(pt);
    free(sp);
    free(all);
    free(todo);
    free(spath);
    free(text);
    free(fs.done);
    sched_free(sc);
    args_release(&a);
    if (mpi)
        farm_finalize();
    return rc;
}
