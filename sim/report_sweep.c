/* report_sweep.c - report.html of a sweep, read from its sweep.csv.
 *
 * The export names its columns: the swept parameters, then
 * "replications", then NAME.mean / NAME.ci95_low / NAME.ci95_high per
 * metric.  For each headline metric of the model the page draws the metric
 * against the first parameter with 95% CI error bars, one line per value of
 * the second; with two or more parameters, a heat map of the first headline
 * metric over the first two.  Points whose further parameters are not at
 * their first value are left out of those charts (the caption says so); the
 * table lists every point.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "charts.h"
#include "cli.h"
#include "cmp.h"
#include "csvr.h"
#include "outf.h"
#include "report_html.h"

#define MAXP 8

struct sw {
    int n_par, n_met, n_pts;
    char *par[MAXP];
    char **met;                /* metric names */
    int *met_col;              /* column of NAME.mean */
    char ***val;               /* [point][param] text */
    double **x;                /* [point][column] numbers (NAN if not) */
    int n_cols;
};

static void sw_release(struct sw *w)
{
    for (int i = 0; i < w->n_par; i++)
        free(w->par[i]);
    for (int i = 0; i < w->n_met; i++)
        free(w->met[i]);
    for (int p = 0; p < w->n_pts; p++) {
        for (int i = 0; i < w->n_par; i++)
            free(w->val[p][i]);
        free(w->val[p]);
        free(w->x[p]);
    }
    free(w->met);
    free(w->met_col);
    free(w->val);
    free(w->x);
}

static int ends(const char *s, const char *suf)
{
    size_t n = strlen(s), k = strlen(suf);
    return n > k && !strcmp(s + n - k, suf);
}

static int sw_read(struct sw *w, const char *path, struct perr *e)
{
    memset(w, 0, sizeof *w);
    struct csvr *r = csvr_open(path, e);
    if (!r)
        return -1;
    int rc = csvr_next(r, e);
    if (rc <= 0) {
        csvr_close(r);
        return rc < 0 ? -1 : err_set(e, "%s: empty", path);
    }
    w->n_cols = (int)csvr_nfields(r);
    int rep_col = -1;
    for (int c = 0; c < w->n_cols && rep_col < 0; c++)
        if (!strcmp(csvr_field(r, (size_t)c), "replications"))
            rep_col = c;
    if (rep_col < 0 || rep_col > MAXP) {
        csvr_close(r);
        return err_set(e, "%s:1: not a sweep export (no 'replications' column after at most %d "
                       "parameters)", path, MAXP);
    }
    w->n_par = rep_col;
    for (int c = 0; c < rep_col; c++)
        w->par[c] = xstrdup(csvr_field(r, (size_t)c));
    w->met = xmalloc((size_t)w->n_cols * sizeof *w->met);
    w->met_col = xmalloc((size_t)w->n_cols * sizeof *w->met_col);
    for (int c = rep_col + 1; c + 2 < w->n_cols; c += 3) {
        const char *f = csvr_field(r, (size_t)c);
        if (!ends(f, ".mean"))
            break;
        w->met[w->n_met] = xstrdup(f);
        w->met[w->n_met][strlen(f) - 5] = '\0';
        w->met_col[w->n_met++] = c;
    }
    int cap = 0;
    while ((rc = csvr_next(r, e)) == 1) {
        if (w->n_pts == cap) {
            cap = cap ? 2 * cap : 64;
            w->val = xrealloc(w->val, (size_t)cap * sizeof *w->val);
            w->x = xrealloc(w->x, (size_t)cap * sizeof *w->x);
        }
        char **v = xmalloc(MAXP * sizeof *v);
        double *x = xmalloc((size_t)w->n_cols * sizeof *x);
        for (int c = 0; c < w->n_par; c++)
            v[c] = xstrdup(csvr_field(r, (size_t)c));
        for (int c = 0; c < w->n_cols; c++) {
            char *end;
            const char *f = csvr_field(r, (size_t)c);
            x[c] = *f ? strtod(f, &end) : NAN;
            if (*f && *end)
                x[c] = NAN;
        }
        w->val[w->n_pts] = v;
        w->x[w->n_pts++] = x;
    }
    csvr_close(r);
    if (rc < 0)
        return -1;
    return w->n_pts ? 0 : err_set(e, "%s: no points", path);
}

/* Distinct values of parameter i in first-appearance order. */
static int distinct(const struct sw *w, int i, const char **out, int max)
{
    int n = 0;
    for (int p = 0; p < w->n_pts; p++) {
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = !strcmp(out[k], w->val[p][i]);
        if (!seen && n < max)
            out[n++] = w->val[p][i];
    }
    return n;
}

/* Whether point p has every parameter from `from` on at its first value. */
static int at_first(const struct sw *w, int p, int from)
{
    for (int i = from; i < w->n_par; i++)
        if (strcmp(w->val[p][i], w->val[0][i]))
            return 0;
    return 1;
}

static const char *label(const struct model_type *mt, const char *name, char *buf, size_t n)
{
    const char *dot = strchr(name, '.');
    const char *l = !dot && mt->metric_label ? mt->metric_label("all", name) : NULL;
    snprintf(buf, n, "%s", l && *l ? l : name);
    return buf;
}

static int chart_lines(struct charts *C, const struct model_type *mt, const struct sw *w,
                       int m, const char *scen, struct perr *e)
{
    const char *xs[256], *ss[64];
    int nx = distinct(w, 0, xs, 256);
    int ns = w->n_par > 1 ? distinct(w, 1, ss, 64) : 1;
    int categorical = 0;
    for (int k = 0; k < nx; k++) {
        char *end;
        strtod(xs[k], &end);
        categorical |= *end != '\0' || !*xs[k];
    }
    char id[64], file[80], lab[256], ylab[300], title[512], caption[1024];
    snprintf(id, sizeof id, "sweep-%d", m);
    snprintf(file, sizeof file, "%s.dat", id);
    FILE *fp = charts_data(C, file, e);
    if (!fp)
        return -1;
    int mc = w->met_col[m];
    double k = ends(w->met[m], "_share") || ends(w->met[m], "_rate") ? 100 : 1;
    for (int s = 0; s < ns; s++) {
        fprintf(fp, "# %s = %s\n", w->n_par > 1 ? w->par[1] : "", w->n_par > 1 ? ss[s] : "");
        for (int p = 0; p < w->n_pts; p++) {
            if ((w->n_par > 1 && strcmp(w->val[p][1], ss[s])) || !at_first(w, p, 2))
                continue;
            int xi = 0;
            while (strcmp(xs[xi], w->val[p][0]))
                xi++;
            double x = categorical ? xi : strtod(w->val[p][0], NULL);
            fprintf(fp, "%.10g %.10g %.10g %.10g \"%s\"\n", x, w->x[p][mc] * k,
                    isnan(w->x[p][mc + 1]) ? w->x[p][mc] * k : w->x[p][mc + 1] * k,
                    isnan(w->x[p][mc + 2]) ? w->x[p][mc] * k : w->x[p][mc + 2] * k,
                    w->val[p][0]);
        }
        fputs("\n\n", fp);
    }
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: write failed", C->dir, file);
    label(mt, w->met[m], lab, sizeof lab);
    const char *unit = cmp_unit(w->met[m], k == 100 ? RES_PROPORTION : 0);
    snprintf(ylab, sizeof ylab, "%s%s%s%s", lab, *unit ? " (" : "",
             k == 100 ? "%" : unit, *unit ? ")" : "");
    snprintf(title, sizeof title, "%s: %s vs %s (95%% CI) · 参数扫描", scen, lab, w->par[0]);
    snprintf(caption, sizeof caption,
             " Each point is the mean over the point's replications with its 95%% Student-t "
             "interval as an error bar%s%s%s. 每点为各次重复的均值, 误差线为95%%置信区间.",
             w->n_par > 1 ? "; one line per value of " : "", w->n_par > 1 ? w->par[1] : "",
             w->n_par > 2 ? " (further parameters at their first value)" : "");
    const char *data[1] = { file };
    struct chart_var vars[4 + 64];
    char names[64][16], sname[64][300];
    int nv = 0;
    vars[nv++] = (struct chart_var){ "n_ser", NULL, ns };
    vars[nv++] = (struct chart_var){ "xlab", w->par[0], 0 };
    vars[nv++] = (struct chart_var){ "ylab", ylab, 0 };
    vars[nv++] = (struct chart_var){ "categorical", NULL, categorical };
    for (int s = 0; s < ns; s++) {
        snprintf(names[s], sizeof names[s], "ser_%d", s + 1);
        if (w->n_par > 1)
            snprintf(sname[s], sizeof sname[s], "%s = %s", w->par[1], ss[s]);
        else
            snprintf(sname[s], sizeof sname[s], "%s", lab);
        vars[nv++] = (struct chart_var){ names[s], sname[s], 0 };
    }
    return charts_plot(C, id, "sweep_lines", title, caption, data, 1, vars, nv, e);
}

static int chart_heat(struct charts *C, const struct model_type *mt, const struct sw *w, int m,
                      const char *scen, struct perr *e)
{
    const char *xs[256], *ys[256];
    int nx = distinct(w, 0, xs, 256), ny = distinct(w, 1, ys, 256);
    const char *file = "sweep-heat.dat";
    FILE *fp = charts_data(C, file, e);
    if (!fp)
        return -1;
    int mc = w->met_col[m];
    double k = ends(w->met[m], "_share") || ends(w->met[m], "_rate") ? 100 : 1;
    for (int p = 0; p < w->n_pts; p++) {
        if (!at_first(w, p, 2))
            continue;
        int i = 0, j = 0;
        while (strcmp(xs[i], w->val[p][0]))
            i++;
        while (strcmp(ys[j], w->val[p][1]))
            j++;
        fprintf(fp, "%d %d %.10g \"%.3g [%.3g, %.3g]\"\n", i, j, w->x[p][mc] * k,
                w->x[p][mc] * k, w->x[p][mc + 1] * k, w->x[p][mc + 2] * k);
    }
    if (fclose(fp) != 0)
        return err_sys(e, "%s/%s: write failed", C->dir, file);
    char xt[4096] = "set xtics (", yt[4096] = "set ytics (";
    for (int i = 0; i < nx; i++)
        snprintf(xt + strlen(xt), sizeof xt - strlen(xt), "%s\"%s\" %d", i ? ", " : "", xs[i], i);
    for (int j = 0; j < ny; j++)
        snprintf(yt + strlen(yt), sizeof yt - strlen(yt), "%s\"%s\" %d", j ? ", " : "", ys[j], j);
    strcat(xt, ")");
    strcat(yt, ")");
    char lab[256], title[512], caption[512];
    label(mt, w->met[m], lab, sizeof lab);
    snprintf(title, sizeof title, "%s: %s over %s x %s · 热力图", scen, lab, w->par[0],
             w->par[1]);
    snprintf(caption, sizeof caption, " Each cell is one point: its mean and 95%% CI across "
             "replications%s. 每格为一个参数组合的均值及95%%置信区间.",
             w->n_par > 2 ? " (further parameters at their first value)" : "");
    const char *data[1] = { file };
    struct chart_var vars[] = {
        { "n_x", NULL, nx }, { "n_y", NULL, ny }, { "xlab", w->par[0], 0 },
        { "ylab", w->par[1], 0 }, { "xtics_cmd", xt, 0 }, { "ytics_cmd", yt, 0 },
    };
    return charts_plot(C, "sweep-heat", "heatmap", title, caption, data, 1, vars, 6, e);
}

int rpt_sweep(const struct model_type *mt, const char *csv_path, const char *out_dir,
              const char *scenario, const char *spec, struct perr *e)
{
    struct sw w;
    if (sw_read(&w, csv_path, e) < 0) {
        sw_release(&w);
        return -1;
    }
    struct charts C;
    if (charts_init(&C, out_dir, e) < 0) {
        sw_release(&w);
        return -1;
    }
    int rc = -1, first = -1, n_ch = 0;
    struct outf o;
    outf_init(&o);
    for (const char *const *h = mt->headline; h && *h && n_ch < 6; h++)
        for (int m = 0; m < w.n_met; m++)
            if (!strcmp(w.met[m], *h)) {
                if (chart_lines(&C, mt, &w, m, scenario, e) < 0)
                    goto out;
                if (first < 0)
                    first = m;
                n_ch++;
            }
    if (first < 0 && w.n_met > 0 && chart_lines(&C, mt, &w, first = 0, scenario, e) < 0)
        goto out;
    if (w.n_par >= 2 && first >= 0 && chart_heat(&C, mt, &w, first, scenario, e) < 0)
        goto out;

    FILE *fp = outf_open(&o, out_dir, "report.html", e);
    if (!fp)
        goto out;
    char title[512];
    snprintf(title, sizeof title, "%s — 参数扫描 sweep report", scenario);
    rh_begin(fp, title, spec);
    rh_h2(fp, "figures", "各参数组合", "points");
    fputs("<table id=\"points-table\">\n<tr>", fp);
    for (int i = 0; i < w.n_par; i++) {
        fputs("<th>", fp);
        rh_esc(fp, w.par[i]);
        fputs("</th>", fp);
    }
    int shown[16], n_sh = 0;
    for (const char *const *h = mt->headline; h && *h && n_sh < 6; h++)
        for (int m = 0; m < w.n_met; m++)
            if (!strcmp(w.met[m], *h))
                shown[n_sh++] = m;
    char lab[256];
    fputs("<th>replications</th>", fp);
    for (int s = 0; s < n_sh; s++) {
        fputs("<th>", fp);
        rh_esc(fp, label(mt, w.met[shown[s]], lab, sizeof lab));
        fputs(" [95% CI]</th>", fp);
    }
    fputs("</tr>\n", fp);
    for (int p = 0; p < w.n_pts; p++) {
        fputs("<tr>", fp);
        for (int i = 0; i < w.n_par; i++) {
            fputs("<td>", fp);
            rh_esc(fp, w.val[p][i]);
            fputs("</td>", fp);
        }
        fputs("<td>", fp);
        rh_num(fp, w.x[p][w.n_par], 6);
        fputs("</td>", fp);
        for (int s = 0; s < n_sh; s++) {
            int c = w.met_col[shown[s]];
            fputs("<td>", fp);
            rh_num(fp, w.x[p][c], 4);
            fputs(" [", fp);
            rh_num(fp, w.x[p][c + 1], 4);
            fputs(", ", fp);
            rh_num(fp, w.x[p][c + 2], 4);
            fputs("]</td>", fp);
        }
        fputs("</tr>\n", fp);
    }
    fputs("</table>\n<p class=\"note\">Every point's mean and 95% Student-t interval across its "
          "replications, from sweep.csv; shares as fractions.</p>\n", fp);
    rh_h2(fp, "charts", "图表", "charts");
    json_t *root = json_object(), *jch = json_array();
    json_object_set_new(root, "patrolsim", json_string(PATROLSIM_VERSION));
    json_object_set_new(root, "command", json_string("sweep"));
    json_object_set_new(root, "scenario", json_string(scenario));
    json_object_set_new(root, "points", json_integer(w.n_pts));
    for (int i = 0; i < C.n; i++) {
        rh_figure(fp, &C.c[i]);
        json_t *c = json_object();
        json_object_set_new(c, "id", json_string(C.c[i].id));
        json_object_set_new(c, "series", json_integer(C.c[i].series));
        json_object_set_new(c, "data", json_string(C.c[i].data));
        json_array_append_new(jch, c);
    }
    json_object_set_new(root, "charts", jch);
    rh_h2(fp, "provenance", "来源", "provenance");
    fputs("<p>Sweep specification 扫描设定: <code>", fp);
    rh_esc(fp, spec);
    fputs("</code>. Every point's provenance (version, input checksums, overrides) is in the "
          "result store <code>sweep.sqlite</code>, table <code>provenance</code>.</p>\n", fp);
    rh_json(fp, "report-data", root);
    json_decref(root);
    rh_end(fp);
    rc = outf_commit(&o, e);
    goto done;
out:
    outf_abort(&o);
done:
    charts_release(&C);
    sw_release(&w);
    return rc;
}
