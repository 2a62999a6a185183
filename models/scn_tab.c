/* scn_tab.c - the CSV table reader the scenario loaders share, and the id
 * indices.
 *
 * A struct tab wraps a csvr reader with the table's known columns, turns
 * every problem into "path:line: column N 'name': ..." and applies the cell
 * overrides (scn_ov.c) as the rows stream past: when a row's id matches an
 * override, the override's value replaces the field (even if the file has
 * no such column), and a scaling override multiplies the file's number in
 * tab_num / tab_int, so every check of the loaders sees the value as if the
 * file had said it.  An error about an overridden cell names the override.
 *
 * Id indices are arrays of (id, row) sorted once, O(n log n); lookups are
 * binary searches, O(log n).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scn_priv.h"

static int cmp_idref(const void *pa, const void *pb)
{
    const struct idref *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

int scn__ix_find(const struct idref *ix, int n, const char *id)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(ix[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(ix[lo].id, id) == 0 ? ix[lo].idx : -1;
}

int scn_grid_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->grid_ix ? scn__ix_find(pv->grid_ix, s->n_grids, id) : -1;
}

int scn_unit_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->unit_ix ? scn__ix_find(pv->unit_ix, s->n_units, id) : -1;
}

int scn_facility_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->fac_ix ? scn__ix_find(pv->fac_ix, s->n_facilities, id) : -1;
}

const char *scn__table_path(struct ld *L, enum scn_table_id tb)
{
    return scn__join_path(L->a, L->s->dir, L->pv->raw.table[tb]);
}

const char *scn__optional_table(struct ld *L, enum scn_table_id tb)
{
    const char *v = L->pv->raw.table[tb];
    if (scn__key_line(L->s, "tables", scn__tabdefs[tb]->name))
        return *v ? scn__join_path(L->a, L->s->dir, v) : NULL;
    const char *path = scn__join_path(L->a, L->s->dir, v);
    return access(path, F_OK) == 0 ? path : NULL;
}

int scn__tab_open(struct ld *L, struct tab *t, const struct tabdef *def, const char *path)
{
    memset(t, 0, sizeof *t);
    t->L = L;
    t->def = def;
    t->path = path;
    t->names = def->cols;
    t->idk = -1;
    for (int k = 0; def->id_col && def->cols[k]; k++)
        if (strcmp(def->cols[k], def->id_col) == 0)
            t->idk = k;
    L->pv->tab_read[def->id] = 1;
    t->r = csvr_open(path, L->e);
    if (!t->r)
        return -1;
    scn__input_add(L->s, path);
    if (csvr_header(t->r, def->cols, def->required, t->col, L->e) < 0)
        return -1;
    t->header_line = (int)csvr_line(t->r);
    return 0;
}

void scn__tab_close(struct tab *t)
{
    csvr_close(t->r);
    t->r = NULL;
}

/* The cell overrides of table t that matched no row, or scaled a column no
 * number was read from. */
static int check_cells(struct tab *t)
{
    struct priv *pv = t->L->pv;
    for (int i = 0; i < pv->n_cells; i++) {
        struct cellov *c = &pv->cells[i];
        if (c->tab != t->def)
            continue;
        char name[512];
        scn__ov_name(c, name, sizeof name);
        if (!c->matched) {
            char ids[512];
            size_t used = 0;
            ids[0] = '\0';
            for (int k = 0; k < t->n_ids; k++) {
                int m = snprintf(ids + used, sizeof ids - used, "%s%s", k ? ", " : "",
                                 t->ids[k]);
                if (m > 0 && (size_t)m < sizeof ids - used)
                    used += (size_t)m;
            }
            if (t->nrows > t->n_ids)
                snprintf(ids + used, sizeof ids - used, ", ... (%d rows)", t->nrows);
            return err_set(t->L->e, "%s: no row '%s' in %s (ids: %s)", name, c->row, t->path,
                           ids);
        }
        if (c->scaled && !c->consumed)
            return err_set(t->L->e, "%s: '*' scales a number, but no number was read from "
                           "column '%s' of row '%s' in %s (not a numeric column, or unused "
                           "in that row)", name, t->names[c->col], c->row, t->path);
    }
    return 0;
}

int scn__tab_next(struct tab *t)
{
    struct priv *pv = t->L->pv;
    int rc = csvr_next(t->r, t->L->e);
    if (rc == 0) {
        if (t->nrows == 0)
            return err_set(t->L->e, "%s:%d: no data rows after the header; the table needs "
                           "at least one row", t->path, t->header_line);
        return check_cells(t) < 0 ? -1 : 0;
    }
    if (rc < 0)
        return rc;
    t->nrows++;
    memset(t->cur, 0, sizeof t->cur);
    if (t->idk >= 0) {
        const char *id = csvr_get(t->r, t->col[t->idk]);
        if (t->n_ids < TAB_SHOW_IDS)
            snprintf(t->ids[t->n_ids++], sizeof t->ids[0], "%s", id);
        for (int i = 0; i < pv->n_cells; i++) {
            struct cellov *c = &pv->cells[i];
            if (c->tab == t->def && strcmp(c->row, id) == 0) {
                t->cur[c->col] = c;
                c->matched = 1;
            }
        }
    }
    return 1;
}

struct cellov *scn__tab_ov(const struct tab *t, int k)
{
    return k >= 0 ? t->cur[k] : NULL;
}

const char *scn__tab_str(const struct tab *t, int k)
{
    const struct cellov *c = t->cur[k];
    if (c && !c->scaled)
        return c->val;
    return csvr_get(t->r, t->col[k]);
}

static int tab_verr(const struct tab *t, long line, int k, int ov, const char *fmt,
                    va_list ap) ERR_PRINTF(5, 0);
static int tab_verr(const struct tab *t, long line, int k, int ov, const char *fmt,
                    va_list ap)
{
    char msg[ERR_MSG_MAX], pre[600] = "";
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (ov) {
        /* The override behind the value, or any override of the row. */
        const struct cellov *c = k >= 0 ? t->cur[k] : NULL;
        for (int j = 0; !c && k < 0 && t->names[j]; j++)
            c = t->cur[j];
        if (c) {
            scn__ov_name(c, pre, sizeof pre - 2);
            strcat(pre, ": ");
        }
    }
    if (k < 0)
        return err_set(t->L->e, "%s%s:%ld: %s", pre, t->path, line, msg);
    if (t->col[k] < 0)
        return err_set(t->L->e, "%s%s:%ld: column '%s': %s", pre, t->path, line, t->names[k],
                       msg);
    return err_set(t->L->e, "%s%s:%ld: column %d '%s': %s", pre, t->path, line, t->col[k] + 1,
                   t->names[k], msg);
}

int scn__tab_err(const struct tab *t, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tab_verr(t, csvr_line(t->r), k, 1, fmt, ap);
    va_end(ap);
    return -1;
}

int scn__tab_err_at(const struct tab *t, int line, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tab_verr(t, line, k, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int scn__tab_id(const struct tab *t, int k, char **out)
{
    const char *v = scn__tab_str(t, k);
    if (!*v)
        return scn__tab_err(t, k, "an id is required, got an empty value");
    for (const char *p = v; *p; p++)
        if (*p == ';' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            return scn__tab_err(t, k, "id '%s' must not contain ';' or spaces", v);
    *out = scn__a_strdup(t->L->a, v);
    return 0;
}

/* The scaled value of column k: the file's number (or *dflt when empty)
 * times the override's factor.  0, or -1 with the error set. */
static int scaled(const struct tab *t, int k, const double *dflt, const char *what,
                  double *out)
{
    struct cellov *c = t->cur[k];
    const char *raw = csvr_get(t->r, t->col[k]);
    double base;
    c->consumed = 1;
    if (!*raw) {
        if (!dflt)
            return scn__tab_err(t, k, "'%s' scales the file's value, but the cell is empty "
                                "and the column has no default", c->val);
        base = *dflt;
    } else if (scn__parse_double(raw, &base) < 0) {
        return scn__tab_err(t, k, "'%s' scales the file's value, but it is '%s', not %s",
                            c->val, raw, what);
    }
    *out = base * c->factor;
    return 0;
}

int scn__tab_num(const struct tab *t, int k, struct range r, const double *dflt, double *out)
{
    const char *v = scn__tab_str(t, k);
    char what[128];             /* the range in words, written for a message only */
    if (t->cur[k] && t->cur[k]->scaled) {
        double x;
        if (scaled(t, k, dflt, "a number", &x) < 0)
            return -1;
        if (!scn__in_range(x, r)) {
            scn__range_desc(what, sizeof what, "a number", r);
            return scn__tab_err(t, k, "expected %s, got %.15g ('%s' x %.15g)", what, x,
                                *v ? v : "default", t->cur[k]->factor);
        }
        *out = x;
        return 0;
    }
    if (!*v && dflt) {
        *out = *dflt;
        return 0;
    }
    double x;
    if (scn__parse_double(v, &x) == 0 && scn__in_range(x, r)) {
        *out = x;
        return 0;
    }
    scn__range_desc(what, sizeof what, "a number", r);
    if (!*v)
        return scn__tab_err(t, k, "expected %s, got an empty value", what);
    return scn__tab_err(t, k, "expected %s, got '%s'", what, v);
}

/* An integer range in words, for scn__tab_int's messages. */
static void int_what(char *buf, size_t n, long lo, long hi)
{
    if (hi == INT32_MAX)
        snprintf(buf, n, "an integer >= %ld", lo);
    else
        snprintf(buf, n, "an integer in [%ld, %ld]", lo, hi);
}

int scn__tab_int(const struct tab *t, int k, long lo, long hi, const long *dflt, int *out)
{
    const char *v = scn__tab_str(t, k);
    char what[128];             /* the range in words, written for a message only */
    if (t->cur[k] && t->cur[k]->scaled) {
        double d = dflt ? (double)*dflt : 0, x;
        if (scaled(t, k, dflt ? &d : NULL, "an integer", &x) < 0)
            return -1;
        /* Rounded to the nearest integer, halves away from zero. */
        x = round(x);
        if (!(x >= (double)lo && x <= (double)hi)) {
            int_what(what, sizeof what, lo, hi);
            return scn__tab_err(t, k, "expected %s, got %.15g ('%s' x %.15g, rounded)", what,
                                x, *v ? v : "default", t->cur[k]->factor);
        }
        *out = (int)x;
        return 0;
    }
    if (!*v && dflt) {
        *out = (int)*dflt;
        return 0;
    }
    long x;
    if (scn__parse_long(v, &x) == 0 && x >= lo && x <= hi) {
        *out = (int)x;
        return 0;
    }
    int_what(what, sizeof what, lo, hi);
    if (!*v)
        return scn__tab_err(t, k, "expected %s, got an empty value", what);
    return scn__tab_err(t, k, "expected %s, got '%s'", what, v);
}

struct idref *scn__index_ids(const struct tab *t, int k_id, const void *rows, int n,
                             size_t stride, size_t line_off)
{
    struct arena *a = t->L->a;
    struct idref *ix = scn__a_alloc(a, (size_t)(n > 0 ? n : 1) * sizeof *ix);
    for (int i = 0; i < n; i++) {
        ix[i].id = *(char *const *)((const char *)rows + (size_t)i * stride);
        ix[i].idx = i;
    }
    qsort(ix, (size_t)n, sizeof *ix, cmp_idref);
    int first = -1, dup = -1;
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(ix[i].id, ix[i + 1].id) == 0 && (dup < 0 || ix[i + 1].idx < dup)) {
            dup = ix[i + 1].idx;
            first = ix[i].idx;
        }
    if (dup >= 0) {
        const char *row = (const char *)rows + (size_t)dup * stride;
        const char *row0 = (const char *)rows + (size_t)first * stride;
        int line, line0;
        memcpy(&line, row + line_off, sizeof line);
        memcpy(&line0, row0 + line_off, sizeof line0);
        scn__tab_err_at(t, line, k_id, "duplicate id '%s' (first at line %d)",
                        *(char *const *)row, line0);
        return NULL;
    }
    return ix;
}
