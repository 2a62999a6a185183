/* report_html.c - report.html: one offline page per run or compare. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli.h"
#include "cmp.h"
#include "outf.h"
#include "report_html.h"

void rh_esc(FILE *fp, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case '\'': fputs("&#39;", fp); break;
        default: fputc(*s, fp);
        }
}

void rh_num(FILE *fp, double v, int sig)
{
    if (isnan(v))
        fputs("–", fp);
    else
        fprintf(fp, "%.*g", sig, v);
}

static const char css[] =
    "body{font-family:'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei',sans-serif;"
    "margin:0 auto;max-width:1060px;padding:0 24px 48px;color:#222;line-height:1.45}"
    "h1{font-size:1.6em;margin:24px 0 4px}h2{font-size:1.25em;margin-top:36px;"
    "border-bottom:2px solid #0072B2;padding-bottom:3px}.sub{color:#555;margin:0 0 12px}"
    "table{border-collapse:collapse;margin:8px 0;font-size:.92em}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eef3f8}tr:nth-child(even) td{background:#fafafa}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "figure{margin:18px 0;padding:10px;border:1px solid #ddd;border-radius:4px;background:#fff}"
    "figure svg{width:100%;height:auto;display:block}"
    "figcaption{font-size:.9em;color:#333;margin-top:6px}figcaption b{display:block;margin-bottom:2px}"
    "nav a{margin-right:14px}code{font-size:.9em;word-break:break-all}"
    ".note{font-size:.85em;color:#555}";

void rh_begin(FILE *fp, const char *title, const char *subtitle)
{
    fputs("<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; img-src data:\">\n<title>", fp);
    rh_esc(fp, title);
    fprintf(fp, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
    rh_esc(fp, title);
    fputs("</h1>\n", fp);
    if (subtitle && *subtitle) {
        fputs("<p class=\"sub\">", fp);
        rh_esc(fp, subtitle);
        fputs("</p>\n", fp);
    }
}

void rh_h2(FILE *fp, const char *id, const char *zh, const char *en)
{
    fprintf(fp, "<h2 id=\"%s\">", id);
    rh_esc(fp, zh);
    fputc(' ', fp);
    rh_esc(fp, en);
    fputs("</h2>\n", fp);
}

/* Copies the SVG from its <svg element on, prefixing id="X", href="#X"
 * and url(#X) with "ID-" so that several charts can share one page.  Each
 * pattern's next occurrence is kept and sought again only once the copy
 * has passed it: searching all five afresh at every match was quadratic,
 * 46 s of strstr for the grid map of bench-city S = 64 (4,096 grids). */
static void svg_inline(FILE *fp, const char *id, const char *svg)
{
    const char *p = strstr(svg, "<svg");
    if (!p)
        return;
    static const char *const pat[] = { "id=\"", "id='", "href=\"#", "href='#", "url(#" };
    const char *next[5];
    for (int i = 0; i < 5; i++)
        next[i] = strstr(p, pat[i]);
    while (*p) {
        size_t best = (size_t)-1;
        int which = -1;
        for (int i = 0; i < 5; i++) {
            if (next[i] && next[i] < p)     /* passed: the first one from p on */
                next[i] = strstr(p, pat[i]);
            const char *q = next[i];
            if (q && (size_t)(q - p) < best) {
                best = (size_t)(q - p);
                which = i;
            }
        }
        if (which < 0) {
            fputs(p, fp);
            break;
        }
        /* "id=" must start an attribute, not end e.g. "gridid=". */
        size_t pl = strlen(pat[which]);
        fwrite(p, 1, best + pl, fp);
        if (which > 1 || best == 0 || p[best - 1] == ' ' || p[best - 1] == '\t' ||
            p[best - 1] == '\n')
            fprintf(fp, "%s-", id);
        p += best + pl;
    }
}

void rh_figure(FILE *fp, const struct chart *c)
{
    fprintf(fp, "<figure id=\"chart-%s\" class=\"chart\" data-series=\"%d\">\n", c->id, c->series);
    svg_inline(fp, c->id, c->svg);
    fputs("\n<figcaption><b>", fp);
    rh_esc(fp, c->title);
    fputs("</b>", fp);
    rh_esc(fp, c->caption);
    fprintf(fp, " <span class=\"note\">(data and script: charts/%s.*)</span></figcaption>\n"
                "</figure>\n", c->id);
}

void rh_json(FILE *fp, const char *id, void *json)
{
    char *s = json_dumps(json, JSON_INDENT(1) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fprintf(fp, "<script type=\"application/json\" id=\"%s\">\n", id);
    for (const char *p = s; p && *p; p++) {
        if (p[0] == '<' && p[1] == '/')
            fputs("<\\", fp);
        else
            fputc(*p, fp);
    }
    fputs("\n</script>\n", fp);
    free(s);
}

void rh_end(FILE *fp)
{
    fputs("</body>\n</html>\n", fp);
}

void rpt_assume(struct rpt *r, const char *label, const char *value)
{
    if (r->n_assume + 2 > r->cap_assume) {
        r->cap_assume = r->cap_assume ? 2 * r->cap_assume : 16;
        r->assume = xrealloc(r->assume, (size_t)r->cap_assume * sizeof *r->assume);
    }
    r->assume[r->n_assume++] = xstrdup(label);
    r->assume[r->n_assume++] = xstrdup(value);
}

static json_t *jnum(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static void row_kv(FILE *fp, const char *k, const char *v)
{
    fputs("<tr><th>", fp);
    rh_esc(fp, k);
    fputs("</th><td>", fp);
    rh_esc(fp, v);
    fputs("</td></tr>\n", fp);
}

/* Bilingual label of a slot: "中文 English" (English alone without one). */
static void label_of(const struct rpt *r, const struct res_slot *sl, char *buf, size_t n)
{
    const char *zh = r->label_zh ? r->label_zh(sl->section, sl->metric) : NULL;
    const char *en = r->mt->metric_label ? r->mt->metric_label(sl->section, sl->metric) : NULL;
    char name[256];
    if (!en || !*en)
        en = res_name(sl, name, sizeof name);
    size_t el = strlen(en);
    const char *par = strstr(en, " (");
    if (zh && *zh && par && (unsigned char)par[2] >= 0x80 && en[el - 1] == ')')
        el = (size_t)(par - en);   /* "first-contact rate (首接率)": the zh leads already */
    snprintf(buf, n, "%s%s%.*s", zh && *zh ? zh : "", zh && *zh ? " " : "", (int)el, en);
}

/* Key figures: the headline metrics, one column per variant. */
static void key_figures(FILE *fp, struct rpt *r, json_t *jvars)
{
    const struct model_type *mt = r->mt;
    fputs("<table id=\"key-figures\">\n<tr><th>指标 metric</th>", fp);
    for (int v = 0; v < r->k; v++) {
        fputs("<th>", fp);
        rh_esc(fp, r->v[v].name);
        fputs(" 均值 [95% 置信区间] mean [95% CI]</th>", fp);
    }
    fputs("<th>单位 unit</th></tr>\n", fp);
    for (const char *const *h = mt->headline; h && *h; h++) {
        long j0 = res_lookup(r->v[0].L, *h);
        if (j0 < 0)
            continue;
        const struct res_slot *sl = &r->v[0].L->slot[j0];
        char lab[512], name[256];
        label_of(r, sl, lab, sizeof lab);
        res_name(sl, name, sizeof name);
        int pct = (sl->flags & RES_PROPORTION) != 0;
        double k = pct ? 100 : 1;
        fputs("<tr><th>", fp);
        rh_esc(fp, lab);
        fputs("</th>", fp);
        for (int v = 0; v < r->k; v++) {
            long j = res_lookup(r->v[v].L, *h);
            const struct res_summary *S = &r->v[v].S;
            double m = j < 0 ? NAN : S->mean[j], lo = j < 0 ? NAN : S->lo[j],
                   hi = j < 0 ? NAN : S->hi[j];
            fprintf(fp, "<td class=\"num\" data-metric=\"%s\" data-variant=\"%d\" data-value=\"",
                    name, v);
            if (!isnan(m))
                fprintf(fp, "%.10g", m);
            fputs("\">", fp);
            rh_num(fp, m * k, 4);
            if (!isnan(lo)) {
                fputs(" [", fp);
                rh_num(fp, lo * k, 4);
                fputs(", ", fp);
                rh_num(fp, hi * k, 4);
                fputs("]", fp);
            }
            fputs("</td>", fp);
            json_t *o = json_object();
            json_object_set_new(o, "metric", json_string(name));
            json_object_set_new(o, "label", json_string(lab));
            json_object_set_new(o, "mean", jnum(m));
            json_object_set_new(o, "ci95_low", jnum(lo));
            json_object_set_new(o, "ci95_high", jnum(hi));
            json_object_set_new(o, "replications", json_integer(S->reps));
            json_array_append_new(json_object_get(json_array_get(jvars, (size_t)v),
                                                  "key_figures"), o);
        }
        const char *u = pct ? "%" : cmp_unit(sl->metric, sl->flags);
        fputs("<td>", fp);
        rh_esc(fp, u);
        fputs("</td></tr>\n", fp);
    }
    fprintf(fp, "</table>\n<p class=\"note\">Means over %d replications (重复次数), 95%% "
                "Student-t intervals across replications; shares in percent.</p>\n", r->reps);
}

/* Box plots of the headline metrics of variant 0 (the run). */
static int chart_spread(struct rpt *r, struct perr *e)
{
    const struct rpt_variant *v = &r->v[0];
    const char *lab[32];
    char buf[32][320];
    size_t col[32];
    double scale[32];
    int n = 0;
    for (const char *const *h = r->mt->headline; h && *h && n < 32; h++) {
        long j = res_lookup(v->L, *h);
        if (j < 0 || isnan(v->S.mean[j]))
            continue;
        const struct res_slot *sl = &v->L->slot[j];
        char l[256];
        label_of(r, sl, l, sizeof l);
        /* Chinese on the first line, English below: panels are narrow. */
        const char *zh = r->label_zh ? r->label_zh(sl->section, sl->metric) : NULL;
        if (zh && *zh && !strncmp(l, zh, strlen(zh)) && l[strlen(zh)] == ' ')
            l[strlen(zh)] = '\n';
        int pct = (sl->flags & RES_PROPORTION) != 0;
        const char *u = pct ? "%" : cmp_unit(sl->metric, sl->flags);
        snprintf(buf[n], sizeof buf[n], "%s%s%s%s", l, *u ? " (" : "", u, *u ? ")" : "");
        lab[n] = buf[n];
        col[n] = (size_t)j;
        scale[n] = pct ? 100 : 1;
        n++;
    }
    if (!n || r->reps < 2)
        return 0;
    char title[512], cap[512];
    snprintf(title, sizeof title, "%s: 各次重复的离散 spread across %d replications",
             v->name, r->reps);
    snprintf(cap, sizeof cap, " Each panel is one headline metric: the box spans the middle "
             "half of the %d replications (line: median; whiskers: 1.5 IQR), grey dots are the "
             "replications, the orange bar is the mean with its 95%% CI. 箱线图：每次重复一个点，"
             "橙色为均值及95%%置信区间。", r->reps);
    return charts_boxplots(r->charts, "spread", title, cap, n, lab, col, scale, v->x, v->L->n,
                           r->reps, e);
}

/* Forest plot of the headline metrics' paired differences to variant 0. */
static int chart_forest(struct rpt *r, struct perr *e)
{
    int k = r->k, cap = 64 * k, n = 0;
    char (*lab)[320] = xcalloc((size_t)cap, sizeof *lab);
    char (*txt)[160] = xcalloc((size_t)cap, sizeof *txt);
    const char **pl = xcalloc((size_t)cap, sizeof *pl), **pt = xcalloc((size_t)cap, sizeof *pt);
    int *var = xcalloc((size_t)cap, sizeof *var);
    double *pct = xcalloc((size_t)cap, sizeof *pct), *plo = xcalloc((size_t)cap, sizeof *plo),
           *phi = xcalloc((size_t)cap, sizeof *phi);
    double *col = xmalloc((size_t)r->reps * (size_t)k * sizeof *col);
    struct cmp_result *res = xcalloc((size_t)k, sizeof *res);
    const char **vn = xcalloc((size_t)k, sizeof *vn);
    for (int v = 0; v < k; v++)
        vn[v] = r->v[v].name;
    for (const char *const *h = r->mt->headline; h && *h && n + k <= cap; h++) {
        long j0 = res_lookup(r->v[0].L, *h);
        if (j0 < 0)
            continue;
        int all = 1;
        for (int v = 0; v < k && all; v++) {
            long j = res_lookup(r->v[v].L, *h);
            all = j >= 0;
            for (int rep = 0; all && rep < r->reps; rep++)
                col[(size_t)rep * (size_t)k + (size_t)v] = r->v[v].x[(size_t)rep * r->v[v].L->n + (size_t)j];
        }
        const struct res_slot *sl = &r->v[0].L->slot[j0];
        if (!all)
            continue;
        cmp_compute(col, r->reps, k, sl->flags, CMP_SMALLER_BETTER, 0.95, res);
        if (isnan(res[0].mean) || res[0].mean == 0)
            continue;
        char l[256];
        label_of(r, sl, l, sizeof l);
        int isp = (sl->flags & RES_PROPORTION) != 0;
        double s = isp ? 100 : 1;
        const char *u = isp ? "points" : cmp_unit(sl->metric, sl->flags);
        for (int v = 1; v < k; v++) {
            if (isnan(res[v].diff))
                continue;
            snprintf(lab[n], sizeof lab[n], k > 2 ? "%s: %s" : "%s", l, r->v[v].name);
            if (isnan(res[v].diff_lo))
                snprintf(txt[n], sizeof txt[n], "%+.3g %s", res[v].diff * s, u);
            else
                snprintf(txt[n], sizeof txt[n], "%+.3g %s [%+.3g, %+.3g]", res[v].diff * s, u,
                         res[v].diff_lo * s, res[v].diff_hi * s);
            double base = fabs(res[0].mean);
            pct[n] = 100 * res[v].diff / base;
            plo[n] = 100 * res[v].diff_lo / base;
            phi[n] = 100 * res[v].diff_hi / base;
            var[n] = v;
            pl[n] = lab[n];
            pt[n] = txt[n];
            n++;
        }
    }
    int rc = 0;
    if (n) {
        char title[512], capt[1024];
        snprintf(title, sizeof title, "差值森林图 paired differences to %s (%d replications, "
                 "common random numbers)", r->v[0].name, r->reps);
        snprintf(capt, sizeof capt, " Each row is one headline metric: the dot is the mean "
                 "paired difference (variant minus %s) as a percentage of %s's mean, the bar its "
                 "95%% paired-t interval over %d replications; a bar that does not cross the "
                 "dashed zero line is a significant difference. The text gives the difference "
                 "in the metric's own unit (shares in percentage points). 点为配对差值，横线为95%%"
                 "置信区间，不跨零线即差异显著。", r->v[0].name, r->v[0].name, r->reps);
        rc = charts_forest(r->charts, "forest", title, capt, n, pl, pt, var, vn, k, pct, plo,
                           phi, e);
    }
    free(lab), free(txt), free(pl), free(pt), free(var), free(pct), free(plo), free(phi);
    free(col), free(res), free(vn);
    return rc;
}

static void provenance(FILE *fp, const struct rpt_variant *v, int k)
{
    for (int i = 0; i < k; i++) {
        const struct prov *pv = v[i].pv;
        if (k > 1) {
            fputs("<h3>", fp);
            rh_esc(fp, v[i].name);
            fputs("</h3>\n", fp);
        }
        fputs("<table class=\"prov\">\n", fp);
        row_kv(fp, "程序版本 program version", pv->version);
        row_kv(fp, "模型 model", pv->model);
        row_kv(fp, "场景目录 scenario folder", pv->scenario_dir);
        row_kv(fp, "场景哈希 resolved-scenario hash (SHA-256)", pv->hash);
        char buf[64];
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)pv->seed);
        row_kv(fp, "随机种子 seed", buf);
        fputs("<tr><th>参数覆盖 overrides</th><td>", fp);
        if (!pv->n_ov)
            fputs("none 无", fp);
        for (int j = 0; j < pv->n_ov; j++) {
            fputs(j ? "<br><code>" : "<code>", fp);
            rh_esc(fp, pv->ov[j]);
            fputs("</code>", fp);
        }
        fputs("</td></tr>\n<tr><th>输入文件 input files (SHA-256)</th><td>", fp);
        for (int j = 0; j < pv->n_inputs; j++) {
            fputs(j ? "<br><code>" : "<code>", fp);
            rh_esc(fp, pv->sha256[j]);
            fputs("</code> ", fp);
            rh_esc(fp, pv->input[j]);
        }
        fputs("</td></tr>\n</table>\n", fp);
    }
}

int rpt_write(const struct model_type *mt, const char *command, struct rpt_variant *v,
                      int k, const char *out_dir, struct perr *e)
{
    struct charts C;
    if (charts_init(&C, out_dir, e) < 0)
        return -1;
    struct rpt r = { .mt = mt, .command = command, .v = v, .k = k, .reps = v[0].pv->reps,
                     .charts = &C };
    for (int i = 0; i < k; i++)
        res_summarise(v[i].L, v[i].x, v[i].pv->reps, 0.95, &v[i].S);
    int rc = -1;
    struct outf o;
    outf_init(&o);
    /* The model's hook first (it sets the Chinese labels the generic charts
     * use); the page shows the generic charts first all the same. */
    if (mt->report && mt->report(&r, e) < 0)
        goto out;
    int n_model = C.n;
    if (chart_spread(&r, e) < 0 || (k > 1 && chart_forest(&r, e) < 0))
        goto out;

    FILE *fp = outf_open(&o, out_dir, "report.html", e);
    if (!fp)
        goto out;
    struct model_info info;
    mt->info(v[0].m, &info);
    char title[512];
    if (k == 1)
        snprintf(title, sizeof title, "%s — 仿真报告 simulation report", info.name);
    else {
        int n = snprintf(title, sizeof title, "%s — 方案比较 comparison:", info.name);
        for (int i = 0; i < k && n < (int)sizeof title; i++)
            n += snprintf(title + n, sizeof title - (size_t)n, "%s %s", i ? " vs" : "", v[i].name);
    }
    rh_begin(fp, title, info.description);
    fputs("<nav><a href=\"#figures\">关键指标 key figures</a><a href=\"#charts\">图表 charts</a>"
          "<a href=\"#assumptions\">假设 assumptions</a><a href=\"#provenance\">来源 provenance"
          "</a></nav>\n", fp);

    json_t *root = json_object(), *jvars = json_array(), *jch = json_array();
    json_object_set_new(root, "patrolsim", json_string(PATROLSIM_VERSION));
    json_object_set_new(root, "command", json_string(command));
    json_object_set_new(root, "scenario", json_string(info.name));
    json_object_set_new(root, "replications", json_integer(r.reps));
    json_object_set_new(root, "confidence_level", json_real(0.95));
    for (int i = 0; i < k; i++) {
        json_t *o1 = json_object();
        json_object_set_new(o1, "name", json_string(v[i].name));
        json_object_set_new(o1, "provenance", prov_json(v[i].pv));
        json_object_set_new(o1, "key_figures", json_array());
        json_array_append_new(jvars, o1);
    }
    json_object_set_new(root, "variants", jvars);

    rh_h2(fp, "figures", "关键指标", "key figures");
    if (k > 1) {
        fputs("<ul id=\"variants\">\n", fp);
        for (int i = 0; i < k; i++) {
            fprintf(fp, "<li data-variant=\"%d\"><b>", i);
            rh_esc(fp, v[i].name);
            fputs("</b> — ", fp);
            rh_esc(fp, v[i].pv->scenario_dir);
            for (int j = 0; j < v[i].pv->n_ov; j++) {
                fputs(j ? ", " : " with ", fp);
                rh_esc(fp, v[i].pv->ov[j]);
            }
            fputs("</li>\n", fp);
        }
        fputs("</ul>\n", fp);
    }
    key_figures(fp, &r, jvars);

    rh_h2(fp, "charts", "图表", "charts");
    for (int n = 0; n < C.n; n++) {
        int i = n < C.n - n_model ? n_model + n : n - (C.n - n_model);
        rh_figure(fp, &C.c[i]);
        json_t *c = json_object();
        json_object_set_new(c, "id", json_string(C.c[i].id));
        json_object_set_new(c, "title", json_string(C.c[i].title));
        json_object_set_new(c, "series", json_integer(C.c[i].series));
        json_object_set_new(c, "data", json_string(C.c[i].data));
        json_array_append_new(jch, c);
    }
    json_object_set_new(root, "charts", jch);

    rh_h2(fp, "assumptions", "假设", "assumptions");
    fputs("<table id=\"assumptions-table\">\n", fp);
    char buf[128];
    snprintf(buf, sizeof buf, "%d", r.reps);
    row_kv(fp, "重复次数 replications", buf);
    snprintf(buf, sizeof buf, "%llu (replication r uses streams keyed by seed and r%s)",
             (unsigned long long)v[0].pv->seed, k > 1 ? "; every variant the same" : "");
    row_kv(fp, "随机种子 seed", buf);
    for (int i = 0; i < k; i++) {
        char lab[256];
        snprintf(buf, sizeof buf, "%g days 天, of which the first %g are warm-up 预热 (not counted)",
                 v[i].pv->horizon_days, v[i].pv->warmup_days);
        snprintf(lab, sizeof lab, "仿真时长 horizon%s%s", k > 1 ? " — " : "", k > 1 ? v[i].name : "");
        row_kv(fp, lab, buf);
    }
    for (int i = 0; i + 1 < r.n_assume; i += 2)
        row_kv(fp, r.assume[i], r.assume[i + 1]);
    fputs("</table>\n", fp);

    rh_h2(fp, "provenance", "来源", "provenance");
    provenance(fp, v, k);
    snprintf(buf, sizeof buf, "%.2f", C.seconds);
    fprintf(fp, "<p class=\"note\">Charts drawn by gnuplot in %s s; their data files and "
                "scripts are in <code>charts/</code> beside this page (rerun one with "
                "<code>gnuplot -e \"fmt='png'\" ID.gp</code> for a PNG). The numbers behind "
                "this page are in the JSON block <code>#report-data</code>.</p>\n", buf);
    rh_json(fp, "report-data", root);
    json_decref(root);
    rh_end(fp);
    rc = outf_commit(&o, e);   /* removes its temporaries itself on failure */
    goto done;
out:
    outf_abort(&o);
done:
    for (int i = 0; i < r.n_assume; i++)
        free(r.assume[i]);
    free(r.assume);
    for (int i = 0; i < k; i++)
        res_summary_release(&v[i].S);
    charts_release(&C);
    return rc;
}
