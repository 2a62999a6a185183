/* charts.c - gnuplot charts for --report: data files, scripts, SVG. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "charts.h"
#include "outf.h"
#include "stats.h"

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return 0;
    char buf[4096];
    for (const char *p = path; *p;) {
        const char *c = strchr(p, ':');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", prog);
        if (access(buf, X_OK) == 0)
            return 1;
        p += n + (c != NULL);
    }
    return 0;
}

int charts_gnuplot_check(struct perr *e)
{
    return on_path("gnuplot") ? 0 : err_set(e, "%s", CHARTS_NO_GNUPLOT);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* plots/: $PATROLSIM_PLOTS, bin/../plots beside the executable, ./plots. */
static char *find_plots(void)
{
    const char *env = getenv("PATROLSIM_PLOTS");
    if (env && *env)
        return is_dir(env) ? xstrdup(env) : NULL;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 16);
    if (n > 0) {
        exe[n] = '\0';
        char *s = strrchr(exe, '/');
        if (s) {
            *s = '\0';
            s = strrchr(exe, '/');
            if (s) {
                strcpy(s, "/plots");
                if (is_dir(exe))
                    return xstrdup(exe);
            }
        }
    }
    return is_dir("plots") ? xstrdup("plots") : NULL;
}

int charts_init(struct charts *C, const char *out_dir, struct perr *e)
{
    memset(C, 0, sizeof *C);
    if (charts_gnuplot_check(e) < 0)
        return -1;
    if (!(C->plots = find_plots()))
        return err_set(e, "--report: cannot find the chart scripts (plots/ beside bin/, or "
                          "$PATROLSIM_PLOTS)");
    size_t n = strlen(out_dir) + 8;
    C->dir = xmalloc(n);
    snprintf(C->dir, n, "%s/charts", out_dir);
    if (outf_mkdir(C->dir, e) < 0) {
        charts_release(C);
        return -1;
    }
    return 0;
}

void charts_release(struct charts *C)
{
    for (int i = 0; i < C->n; i++) {
        free(C->c[i].id);
        free(C->c[i].title);
        free(C->c[i].caption);
        free(C->c[i].svg);
        free(C->c[i].data);
    }
    free(C->c);
    free(C->dir);
    free(C->plots);
    memset(C, 0, sizeof *C);
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

FILE *charts_data(struct charts *C, const char *name, struct perr *e)
{
    char *p = path_in(C->dir, name);
    FILE *fp = fopen(p, "w");
    if (!fp)
        err_sys(e, "%s: cannot write", p);
    free(p);
    return fp;
}

/* Whole file into a NUL-terminated buffer; NULL on error (errno set). */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n - 1, fp)) > 0) {
        n += r;
        if (cap - n < 2)
            buf = xrealloc(buf, cap *= 2);
    }
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

/* A gnuplot double-quoted string literal. */
static void gp_str(FILE *fp, const char *s)
{
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', fp);
        if (*s == '\n')
            fputs("\\n", fp);
        else
            fputc(*s, fp);
    }
    fputc('"', fp);
}

static int copy_into(FILE *out, const char *path, struct perr *e)
{
    char *s = slurp(path, NULL);
    if (!s)
        return err_sys(e, "%s: cannot read", path);
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs `gnuplot NAME` in dir, stderr to LOG; 0 if it exited 0. */
static int run_gnuplot(const char *dir, const char *name, const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* The log first: its path may be relative to our directory. */
        if (!freopen(log, "w", stderr) || chdir(dir) != 0 || !freopen("/dev/null", "r", stdin))
            _exit(127);
        execlp("gnuplot", "gnuplot", name, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int charts_plot(struct charts *C, const char *id, const char *script, const char *title,
                const char *caption, const char *const *data, int n_data,
                const struct chart_var *vars, int n_vars, struct perr *e)
{
    char name[256];
    snprintf(name, sizeof name, "%s.gp", id);
    FILE *fp = charts_data(C, name, e);
    if (!fp)
        return -1;
    fprintf(fp, "# %s: written by patrolsim --report.  Rerun in this folder with\n"
                "#   gnuplot %s              (SVG)\n"
                "#   gnuplot -e \"fmt='png'\" %s   (PNG)\n", id, name, name);
    fputs("data = ", fp);
    size_t dl = 0;
    for (int i = 0; i < n_data; i++)
        dl += strlen(data[i]) + 1;
    char *dlist = xmalloc(dl + 1);
    dlist[0] = '\0';
    for (int i = 0; i < n_data; i++) {
        if (i)
            strcat(dlist, " ");
        strcat(dlist, data[i]);
    }
    gp_str(fp, dlist);
    free(dlist);
    fprintf(fp, "\nid = \"%s\"\nif (!exists(\"fmt\")) fmt = \"svg\"\nout = id . \".\" . fmt\n"
                "title = ", id);
    gp_str(fp, title);
    fputc('\n', fp);
    for (int i = 0; i < n_vars; i++) {
        fprintf(fp, "%s = ", vars[i].name);
        if (vars[i].str)
            gp_str(fp, vars[i].str);
        else
            fprintf(fp, "%.10g", vars[i].num);
        fputc('\n', fp);
    }
    char *common = path_in(C->plots, "common.gp");
    snprintf(name, sizeof name, "%s.gp", script);
    char *sp = path_in(C->plots, name);
    int rc = copy_into(fp, common, e) < 0 || copy_into(fp, sp, e) < 0 ? -1 : 0;
    free(common);
    free(sp);
    if (fclose(fp) != 0 && rc == 0)
        rc = err_sys(e, "%s/%s.gp: cannot write", C->dir, id);
    if (rc < 0)
        return -1;

    snprintf(name, sizeof name, "%s.log", id);
    char *log = path_in(C->dir, name);
    snprintf(name, sizeof name, "%s.gp", id);
    double t0 = now_s();
    int grc = run_gnuplot(C->dir, name, log);
    C->seconds += now_s() - t0;
    if (grc < 0) {
        char *msg = slurp(log, NULL);
        char first[300] = "no message";
        if (msg) {
            /* gnuplot's message: the last non-empty line names the error. */
            char *ln = NULL;
            for (char *t = strtok(msg, "\n"); t; t = strtok(NULL, "\n"))
                if (*t)
                    ln = t;
            if (ln)
                snprintf(first, sizeof first, "%s", ln);
        }
        free(msg);
        err_set(e, "chart '%s' (plots/%s.gp): gnuplot failed: %s (see %s)", id, script, first,
                log);
        free(log);
        return -1;
    }
    remove(log);
    free(log);
    snprintf(name, sizeof name, "%s.svg", id);
    char *svgp = path_in(C->dir, name);
    size_t len = 0;
    char *svg = slurp(svgp, &len);
    if (!svg || len == 0) {
        err_set(e, "chart '%s': gnuplot wrote no SVG to %s", id, svgp);
        free(svg);
        free(svgp);
        return -1;
    }
    free(svgp);
    if (C->n == C->cap) {
        C->cap = C->cap ? 2 * C->cap : 16;
        C->c = xrealloc(C->c, (size_t)C->cap * sizeof *C->c);
    }
    struct chart *c = &C->c[C->n++];
    memset(c, 0, sizeof *c);
    c->id = xstrdup(id);
    c->title = xstrdup(title);
    c->caption = xstrdup(caption);
    c->svg = svg;
    for (const char *p = svg; (p = strstr(p, "id=\"gnuplot_plot_")); p++)
        c->series++;
    /* The data behind it, for the page's JSON block (each file at most 256 KiB). */
    size_t cap = 1, n = 0;
    c->data = xmalloc(cap);
    for (int i = 0; i < n_data; i++) {
        char *dp = path_in(C->dir, data[i]);
        size_t l = 0;
        char *d = slurp(dp, &l);
        free(dp);
        if (!d)
            continue;
        if (l > 256 * 1024)
            l = 256 * 1024;
        c->data = xrealloc(c->data, cap += l + strlen(data[i]) + 8);
        n += (size_t)sprintf(c->data + n, "# %s\n", data[i]);
        memcpy(c->data + n, d, l);
        n += l;
        free(d);
    }
    c->data[n] = '\0';
    return 0;
}

static void dat_num(FILE *fp, double v)
{
    if (isnan(v))
        fputs(" NaN", fp);
    else
        fprintf(fp, " %.8g", v);
}

int charts_boxplots(struct charts *C, const char *id, const char *title, const char *caption,
                    int n, const char *const *label, const size_t *col, const double *scale,
                    const double *x, size_t stride, int reps, struct perr *e)
{
    char f1[256], f2[256];
    snprintf(f1, sizeof f1, "%s.dat", id);
    snprintf(f2, sizeof f2, "%s_ci.dat", id);
    FILE *fp = charts_data(C, f1, e);
    if (!fp)
        return -1;
    fprintf(fp, "# one row per replication, one column per metric\n");
    for (int r = 0; r < reps; r++) {
        for (int i = 0; i < n; i++)
            dat_num(fp, x[(size_t)r * stride + col[i]] * scale[i]);
        fputc('\n', fp);
    }
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: cannot write", C->dir, f1);
    if (!(fp = charts_data(C, f2, e)))
        return -1;
    fprintf(fp, "# metric mean ci95_low ci95_high n\n");
    double *v = xmalloc((size_t)(reps ? reps : 1) * sizeof *v);
    for (int i = 0; i < n; i++) {
        int m = 0;
        for (int r = 0; r < reps; r++) {
            double y = x[(size_t)r * stride + col[i]] * scale[i];
            if (!isnan(y))
                v[m++] = y;
        }
        double mean = NAN, half = NAN;
        if (m)
            stat_ci(v, (size_t)m, 0.95, &mean, &half);
        fprintf(fp, "%d", i + 1);
        dat_num(fp, mean);
        dat_num(fp, mean - half);
        dat_num(fp, mean + half);
        fprintf(fp, " %d\n", m);
    }
    free(v);
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: cannot write", C->dir, f2);
    struct chart_var *vars = xcalloc((size_t)n + 2, sizeof *vars);
    char (*names)[16] = xcalloc((size_t)n + 1, sizeof *names);
    vars[0] = (struct chart_var){ "n_metrics", NULL, n };
    vars[1] = (struct chart_var){ "reps", NULL, reps };
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "lab_%d", i + 1);
        vars[i + 2] = (struct chart_var){ names[i], label[i], 0 };
    }
    const char *files[] = { f1, f2 };
    int rc = charts_plot(C, id, "boxplots", title, caption, files, 2, vars, n + 2, e);
    free(vars);
    free(names);
    return rc;
}

int charts_forest(struct charts *C, const char *id, const char *title, const char *caption,
                  int n_rows, const char *const *row_label, const char *const *text,
                  const int *variant, const char *const *variant_name, int k,
                  const double *pct, const double *pct_lo, const double *pct_hi,
                  struct perr *e)
{
    char f1[256];
    snprintf(f1, sizeof f1, "%s.dat", id);
    FILE *fp = charts_data(C, f1, e);
    if (!fp)
        return -1;
    /* One block per variant (gnuplot index v-1); y counts rows from the top. */
    fprintf(fp, "# y diff_pct lo_pct hi_pct \"row label\" \"absolute difference [95%% CI]\"\n");
    for (int v = 1; v < k; v++) {
        fprintf(fp, "# variant %s\n", variant_name[v]);
        int any = 0;
        for (int r = 0; r < n_rows; r++) {
            if (variant[r] != v)
                continue;
            fprintf(fp, "%d", n_rows - r);
            dat_num(fp, pct[r]);
            dat_num(fp, pct_lo[r]);
            dat_num(fp, pct_hi[r]);
            fputc(' ', fp);
            gp_str(fp, row_label[r]);
            fputc(' ', fp);
            gp_str(fp, text[r]);
            fputc('\n', fp);
            any = 1;
        }
        if (!any)
            fputs("NaN NaN NaN NaN \"\" \"\"\n", fp);
        fputs("\n\n", fp);
    }
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: cannot write", C->dir, f1);
    struct chart_var *vars = xcalloc((size_t)k + 2, sizeof *vars);
    char (*names)[16] = xcalloc((size_t)k + 1, sizeof *names);
    vars[0] = (struct chart_var){ "n_rows", NULL, n_rows };
    vars[1] = (struct chart_var){ "n_var", NULL, k - 1 };
    for (int v = 1; v < k; v++) {
        snprintf(names[v], sizeof names[v], "var_%d", v);
        vars[v + 1] = (struct chart_var){ names[v], variant_name[v], 0 };
    }
    const char *files[] = { f1 };
    int rc = charts_plot(C, id, "forest", title, caption, files, 1, vars, k + 1, e);
    free(vars);
    free(names);
    return rc;
}
