/* cli.c - the generic command line: the command table, `--model`, and the
 * option helpers shared by every command. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "charts.h"
#include "cli.h"
#include "exp.h"
#include "outf.h"
#include "prog.h"

void cli_ov_add(struct cli_ov *c, const char *section, const char *key, const char *value)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->ov = xrealloc(c->ov, (size_t)c->cap * sizeof *c->ov);
        c->owned = xrealloc(c->owned, (size_t)c->cap * sizeof *c->owned);
    }
    size_t ls = strlen(section), lk = strlen(key), lv = strlen(value);
    char *buf = xmalloc(ls + lk + lv + 3);
    memcpy(buf, section, ls + 1);
    memcpy(buf + ls + 1, key, lk + 1);
    memcpy(buf + ls + lk + 2, value, lv + 1);
    c->owned[c->n] = buf;
    c->ov[c->n++] = (struct model_override){ buf, buf + ls + 1, buf + ls + lk + 2 };
}

int cli_ov_set(struct cli_ov *c, const char *spec)
{
    const char *dot = strchr(spec, '.'), *eq = strchr(spec, '=');
    if (!dot || !eq || dot > eq || dot == spec || eq == dot + 1) {
        fprintf(stderr, "patrolsim: --set: expected section.key=value, got '%s'\n", spec);
        return -1;
    }
    char *sec = xstrdup(spec);
    sec[dot - spec] = '\0';
    char *key = sec + (dot - spec) + 1;
    key[eq - dot - 1] = '\0';
    cli_ov_add(c, sec, key, eq + 1);
    free(sec);
    return 0;
}

void cli_ov_release(struct cli_ov *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->owned[i]);
    free(c->owned);
    free(c->ov);
    *c = (struct cli_ov){ 0 };
}

struct model *cli_load(const struct model_type *mt, const char *dir, const struct cli_ov *c)
{
    struct perr e;
    struct model *m = mt->load(dir, c->ov, c->n, &e);
    if (!m)
        fprintf(stderr, "patrolsim: %s\n", e.msg);
    else if (mt->notes)
        mt->notes(m, stderr);
    return m;
}

int cli_int(const char *cmd, const char *opt, const char *val, long lo, long hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(val, &end, 10);
    if (errno || end == val || *end || v < lo || v > hi) {
        fprintf(stderr, "patrolsim %s: %s: expected an integer %ld..%ld, got '%s'\n", cmd, opt,
                lo, hi, val);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* The nearest existing ancestor of dir must be a writable folder, and dir
 * itself, if it exists, a writable folder. */
int cli_check_out(const char *cmd, const char *dir)
{
    char *p = xstrdup(dir);
    struct stat st;
    for (;;) {
        if (stat(p, &st) == 0) {
            int ok = S_ISDIR(st.st_mode) && access(p, W_OK | X_OK) == 0;
            if (!ok)
                fprintf(stderr, "patrolsim %s: --out %s: %s\n", cmd, dir,
                        !S_ISDIR(st.st_mode) ? (strcmp(p, dir) ? "a parent of it is not a folder"
                                                               : "exists and is not a folder")
                                             : "cannot write there (permission denied)");
            free(p);
            return ok ? 0 : -1;
        }
        if (errno == ENOTDIR) {
            fprintf(stderr, "patrolsim %s: --out %s: a parent of it is not a folder\n", cmd, dir);
            free(p);
            return -1;
        }
        if (errno != ENOENT) {
            fprintf(stderr, "patrolsim %s: --out %s: %s\n", cmd, dir, strerror(errno));
            free(p);
            return -1;
        }
        char *slash = strrchr(p, '/');
        while (slash && slash > p && slash[1] == '\0') {   /* trailing slashes */
            *slash = '\0';
            slash = strrchr(p, '/');
        }
        if (!slash) {
            strcpy(p, ".");
        } else if (slash == p) {
            p[1] = '\0';
        } else {
            *slash = '\0';
        }
    }
}

void cli_common_init(struct cli_common *c)
{
    *c = (struct cli_common){ .jobs = exp_ncpu(), .progress = PROG_AUTO };
}

void cli_common_release(struct cli_common *c)
{
    cli_ov_release(&c->ov);
}

/* argv[*i] is "--name" or "--name=value"; sets *val (from '=' or the next
 * word).  1 matched, 0 not this option, -1 value missing. */
static int opt_val(const char *cmd, const char *name, int argc, char **argv, int *i,
                   const char **val)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, "--", 2) || strncmp(a + 2, name, n) || (a[2 + n] && a[2 + n] != '='))
        return 0;
    if (a[2 + n] == '=') {
        *val = a + 3 + n;
        return 1;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "patrolsim %s: --%s needs a value\n", cmd, name);
        return -1;
    }
    *val = argv[++*i];
    return 1;
}

int cli_common_opt(struct cli_common *c, const struct model_type *mt, const char *cmd,
                   int argc, char **argv, int *i)
{
    static const struct { const char *opt, *key; } run_keys[] = {
        { "seed", "seed" }, { "reps", "replications" },
        { "horizon-days", "horizon_days" }, { "warmup-days", "warmup_days" },
    };
    const char *v;
    int r;
    for (size_t k = 0; k < sizeof run_keys / sizeof *run_keys; k++)
        if ((r = opt_val(cmd, run_keys[k].opt, argc, argv, i, &v)) != 0) {
            if (r > 0)
                cli_ov_add(&c->ov, "run", run_keys[k].key, v);
            return r;
        }
    for (int k = 0; k < mt->n_aliases; k++)
        if ((r = opt_val(cmd, mt->aliases[k].option, argc, argv, i, &v)) != 0) {
            if (r > 0)
                cli_ov_add(&c->ov, mt->aliases[k].section, mt->aliases[k].key, v);
            return r;
        }
    if ((r = opt_val(cmd, "set", argc, argv, i, &v)) != 0)
        return r < 0 || cli_ov_set(&c->ov, v) < 0 ? -1 : 1;
    if ((r = opt_val(cmd, "jobs", argc, argv, i, &v)) != 0)
        return r < 0 || cli_int(cmd, "--jobs", v, 1, 1024, &c->jobs) < 0 ? -1 : 1;
    if ((r = opt_val(cmd, "out", argc, argv, i, &v)) != 0) {
        c->out = v;
        return r;
    }
    if ((r = opt_val(cmd, "progress", argc, argv, i, &v)) != 0) {
        enum prog_mode m;
        if (r < 0)
            return -1;
        if (prog_mode_parse(v, &m) < 0) {
            fprintf(stderr, "patrolsim %s: --progress: expected auto, plain or none, got '%s'\n",
                    cmd, v);
            return -1;
        }
        c->progress = (int)m;
        return 1;
    }
    if (!strcmp(argv[*i], "--quiet") || !strcmp(argv[*i], "-q")) {
        c->quiet = 1;
        return 1;
    }
    /* sweep's own --force (recompute changed points) is another option. */
    if (!strcmp(argv[*i], "--force") && strcmp(cmd, "sweep")) {
        c->force = 1;
        outf_set_default_flags(OUTF_FORCE);   /* every output folder set of this process */
        return 1;
    }
    return 0;
}

void cli_common_help(FILE *fp, const struct model_type *mt)
{
    fputs("  --seed N            base random seed (echoed in every output); replication r\n"
          "                      of every variant uses the streams of (N, r)\n"
          "  --reps R            number of replications\n"
          "  --horizon-days D    create incidents over D days, then drain\n"
          "  --warmup-days W     simulate but do not count the first W days\n"
          "  --set S.K=V         override: key K of section [S] of scenario.ini, a table\n"
          "                      cell (units.C3.base=S2), a table (tables.units=u.csv) or\n"
          "                      a scaling (incidents.rate_per_day=*1.2); repeatable, in\n"
          "                      order (docs/scenario-format.md)\n", fp);
    for (int k = 0; k < mt->n_aliases; k++) {
        char o[40];
        snprintf(o, sizeof o, "--%s T", mt->aliases[k].option);
        fprintf(fp, "  %-19s %s (%s.%s)\n", o, mt->aliases[k].help, mt->aliases[k].section,
                mt->aliases[k].key);
    }
    fputs("  --jobs J            worker threads (default: number of CPUs); results do\n"
          "                      not depend on J\n"
          "  --progress M        auto (a bar when stderr is a terminal), plain (a line\n"
          "                      every 10 s, for logs) or none\n"
          "  --quiet             do not print the summary\n", fp);
}

int cli_check_report(const char *cmd, const char *dir)
{
    struct perr e;
    if (charts_gnuplot_check(&e) < 0) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    return cli_check_out(cmd, dir);
}

static const struct gcmd {
    const char *name;
    int (*fn)(int, char **, const struct model_type *);
    const char *summary;
} generic[] = {
    { "run", cmd_run, "simulate a scenario: replications, summary with confidence intervals" },
    { "sweep", cmd_sweep, "run a parameter sweep into a resumable SQLite result store" },
    { "merge", cmd_merge, "combine the result stores of a sharded sweep (sweep --shard)" },
    { "compare", cmd_compare, "run variants on common random numbers; paired differences" },
    { "validate", cmd_validate, "check a scenario's files without running it" },
};
#define N_GENERIC ((int)(sizeof generic / sizeof *generic))

static void usage(FILE *fp, const struct model_type *mt)
{
    fprintf(fp, "usage: patrolsim <command> [options]\n\n"
                "Discrete-event simulation of police stations, grids and staffing.\n\n"
                "commands:\n");
    for (int i = 0; i < N_GENERIC; i++)
        fprintf(fp, "  %-10s %s\n", generic[i].name, generic[i].summary);
    for (int i = 0; i < mt->n_cmds; i++)
        fprintf(fp, "  %-10s %s\n", mt->cmds[i].name, mt->cmds[i].summary);
    fprintf(fp, "\n'patrolsim <command> --help' describes a command's options.\n"
                "Scenario format: docs/scenario-format.md\n");
}

int cli_main(int argc, char **argv, const struct model_type *const *models, int n_models)
{
    /* GSL must report errors as statuses we check, never abort the run. */
    gsl_set_error_handler_off();
    const struct model_type *mt = models[0];
    /* `--model NAME` before the command picks another registered model. */
    if (argc >= 3 && !strcmp(argv[1], "--model")) {
        mt = NULL;
        for (int i = 0; i < n_models; i++)
            if (!strcmp(models[i]->name, argv[2]))
                mt = models[i];
        if (!mt) {
            fprintf(stderr, "patrolsim: --model: no model '%s'; models:", argv[2]);
            for (int i = 0; i < n_models; i++)
                fprintf(stderr, " %s", models[i]->name);
            fputc('\n', stderr);
            return EXIT_USAGE;
        }
        argc -= 2;
        argv += 2;
    }
    if (argc < 2) {
        usage(stderr, mt);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout, mt);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("patrolsim %s (model %s)\n", PATROLSIM_VERSION, mt->name);
        return EXIT_OK;
    }
    for (int i = 0; i < N_GENERIC; i++)
        if (!strcmp(argv[1], generic[i].name))
            return generic[i].fn(argc - 1, argv + 1, mt);
    for (int i = 0; i < mt->n_cmds; i++)
        if (!strcmp(argv[1], mt->cmds[i].name))
            return mt->cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "patrolsim: '%s' is not a command; see 'patrolsim --help'\n", argv[1]);
    return EXIT_USAGE;
}
