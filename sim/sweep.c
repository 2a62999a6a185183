/* sweep.c - sweep specifications: parsing, constraints and expansion.
 *
 * Values are text: the model parses them (a count, a station id, a table
 * file, a scale "*1.2").  Only ranges and constraints read them as numbers.
 * Escapes: in a value, '\' makes the next character literal, so "\," and
 * "\:" put a separator into a value.
 *
 * Constraints are compiled once by a recursive-descent parser into a small
 * tree and evaluated for every point of the factorial.  Grammar:
 *
 *   or   := and ('||' and)*          cmp  := sum (CMPOP sum)?
 *   and  := not ('&&' not)*          sum  := prod (('+'|'-') prod)*
 *   not  := '!' not | cmp            prod := unary (('*'|'/'|'%') unary)*
 *   unary := '-' unary | NUMBER | STRING | KEY | '(' or ')'
 *
 * KEY is a varied or set key, matched longest-first (keys may contain '-',
 * so "a.b-c" is the key a.b-c when such a key exists; write "a.b - c" to
 * subtract).  A key's value is a number when its whole text is one.
 */
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "prov.h"
#include "sweep.h"

#define PATH_MAX_ORIGIN 512   /* "path:line: word" */

/* ---- small helpers ------------------------------------------------------- */

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static void push_str(char ***v, int *n, char *s)
{
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

static void free_strs(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Trims white space at both ends of [*b, *e). */
static void trim(const char **b, const char **e)
{
    while (*b < *e && isspace((unsigned char)**b))
        (*b)++;
    while (*e > *b && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

/* Scans an unsigned decimal number at p (digits, optional fraction with at
 * least one digit after the point, optional exponent): "1..6" yields "1",
 * not "1." as strtod would.  Returns its length, 0 if none. */
static size_t scan_unsigned(const char *p, int *is_int)
{
    const char *q = p;
    *is_int = 1;
    while (isdigit((unsigned char)*q))
        q++;
    if (q == p)
        return 0;
    if (q[0] == '.' && isdigit((unsigned char)q[1])) {
        *is_int = 0;
        for (q++; isdigit((unsigned char)*q); q++)
            ;
    }
    if ((*q == 'e' || *q == 'E') &&
        (isdigit((unsigned char)q[1]) ||
         ((q[1] == '+' || q[1] == '-') && isdigit((unsigned char)q[2])))) {
        *is_int = 0;
        for (q += 2; isdigit((unsigned char)*q); q++)
            ;
    }
    return (size_t)(q - p);
}

/* A signed number at p; its length, 0 if none. */
static size_t scan_num(const char *p, int *is_int)
{
    size_t sign = (*p == '-' || *p == '+');
    size_t n = scan_unsigned(p + sign, is_int);
    return n ? n + sign : 0;
}

/* 1 when all of s is one number (surrounding white space allowed). */
static int text_number(const char *s, double *v)
{
    while (isspace((unsigned char)*s))
        s++;
    int is_int;
    size_t n = scan_num(s, &is_int);
    if (!n)
        return 0;
    const char *r = s + n;
    while (isspace((unsigned char)*r))
        r++;
    if (*r)
        return 0;
    *v = strtod(s, NULL);
    return 1;
}

/* Removes escapes from [b, e): "\x" becomes "x". */
static char *unescape(const char *b, const char *e)
{
    char *out = xmalloc((size_t)(e - b) + 1), *o = out;
    for (const char *p = b; p < e; p++) {
        if (*p == '\\' && p + 1 < e)
            p++;
        *o++ = *p;
    }
    *o = 0;
    return out;
}

/* Splits [b, e) at unescaped `sep` into trimmed, still-escaped pieces. */
static int split(const char *b, const char *e, char sep, const char ***piece_b,
                 const char ***piece_e)
{
    int n = 0;
    const char *start = b;
    *piece_b = NULL;
    *piece_e = NULL;
    for (const char *p = b;; p++) {
        if (p < e && *p == '\\' && p + 1 < e) {
            p++;
            continue;
        }
        if (p == e || *p == sep) {
            const char *pb = start, *pe = p;
            trim(&pb, &pe);
            *piece_b = xrealloc(*piece_b, (size_t)(n + 1) * sizeof **piece_b);
            *piece_e = xrealloc(*piece_e, (size_t)(n + 1) * sizeof **piece_e);
            (*piece_b)[n] = pb;
            (*piece_e)[n] = pe;
            n++;
            if (p == e)
                break;
            start = p + 1;
        }
    }
    return n;
}

/* "section.key": a non-empty section, a '.', a non-empty rest; no white
 * space, '=' or separators. */
static int check_key(const char *k, const char *origin, const char *arg, struct perr *e)
{
    const char *dot = strchr(k, '.');
    if (!*k)
        return err_set(e, "%s '%s': empty key", origin, arg);
    for (const char *p = k; *p; p++)
        if (isspace((unsigned char)*p) || *p == '=' || *p == ',' || *p == ':' || *p == '\\' ||
            *p == '"' || *p == '\'' || iscntrl((unsigned char)*p))
            return err_set(e, "%s '%s': bad key '%s': expected section.key without white "
                           "space, quotes or any of '=,:\\'", origin, arg, k);
    if (!dot || dot == k || !dot[1])
        return err_set(e, "%s '%s': bad key '%s': expected section.key, e.g. "
                       "incidents.rate_per_day or units.C3.count", origin, arg, k);
    if (!strcmp(k, "run.replications"))
        return err_set(e, "%s '%s': the number of replications is not a sweep parameter; "
                       "use --reps", origin, arg);
    return 0;
}

static int check_value(const char *v, const char *origin, const char *arg, struct perr *e)
{
    if (!*v)
        return err_set(e, "%s '%s': empty value", origin, arg);
    for (const char *p = v; *p; p++)
        if (iscntrl((unsigned char)*p))
            return err_set(e, "%s '%s': control character in value", origin, arg);
    return 0;
}

/* ---- ranges --------------------------------------------------------------- */

static void fmt_double(char *buf, size_t n, double v)
{
    if (v == 0)
        v = 0;                  /* no "-0" */
    snprintf(buf, n, "%.15g", v);
}

/* If item [b, e) starts with "NUMBER..", expands the range into *vals and
 * returns 1; 0 if it is a plain value; -1 on a malformed range. */
static int expand_range(const char *b, const char *e, char ***vals, int *nv, const char *origin,
                        const char *arg, struct perr *err)
{
    char *item = xstrndup(b, (size_t)(e - b));
    int lo_int, hi_int, st_int = 1, rc = -1;
    size_t n_lo = scan_num(item, &lo_int);
    if (!n_lo || strncmp(item + n_lo, "..", 2)) {
        free(item);
        return 0;
    }
    const char *p = item + n_lo + 2;
    while (isspace((unsigned char)*p))
        p++;
    size_t n_hi = scan_num(p, &hi_int);
    const char *hi_s = p, *st_s = NULL;
    size_t n_st = 0;
    if (!n_hi)
        goto bad;
    p += n_hi;
    while (isspace((unsigned char)*p))
        p++;
    if (*p) {
        if (strncmp(p, "step", 4) || !isspace((unsigned char)p[4]))
            goto bad;
        for (p += 4; isspace((unsigned char)*p); p++)
            ;
        st_s = p;
        n_st = scan_num(p, &st_int);
        if (!n_st)
            goto bad;
        for (p += n_st; isspace((unsigned char)*p); p++)
            ;
        if (*p)
            goto bad;
    }
    char buf[64];
    if (lo_int && hi_int && st_int) {
        errno = 0;
        long long lo = strtoll(item, NULL, 10), hi = strtoll(hi_s, NULL, 10);
        long long st = st_s ? strtoll(st_s, NULL, 10) : 1;
        if (errno == ERANGE) {
            err_set(err, "%s '%s': range '%s': number out of range", origin, arg, item);
            goto done;
        }
        if (st == 0) {
            err_set(err, "%s '%s': range '%s': step must not be 0", origin, arg, item);
            goto done;
        }
        if ((hi - lo) / st < 0 || (hi != lo && (hi > lo) != (st > 0))) {
            err_set(err, "%s '%s': range '%s' is empty: the step goes away from %lld", origin,
                    arg, item, hi);
            goto done;
        }
        long long count = (hi - lo) / st + 1;
        if (count > SWEEP_MAX_POINTS) {
            err_set(err, "%s '%s': range '%s' has %lld values, more than %ld", origin, arg,
                    item, count, SWEEP_MAX_POINTS);
            goto done;
        }
        for (long long i = 0; i < count; i++) {
            snprintf(buf, sizeof buf, "%lld", lo + i * st);
            push_str(vals, nv, xstrdup(buf));
        }
    } else {
        double lo = strtod(item, NULL), hi = strtod(hi_s, NULL);
        double st = st_s ? strtod(st_s, NULL) : 1;
        if (!isfinite(lo) || !isfinite(hi) || !isfinite(st)) {
            err_set(err, "%s '%s': range '%s': number out of range", origin, arg, item);
            goto done;
        }
        if (st == 0) {
            err_set(err, "%s '%s': range '%s': step must not be 0", origin, arg, item);
            goto done;
        }
        /* The count is fixed first, with a relative tolerance, so that
         * 0..0.3 step 0.1 includes 0.3 although 0.3/0.1 < 3 in binary. */
        double q = (hi - lo) / st;
        if (q < -1e-9) {
            err_set(err, "%s '%s': range '%s' is empty: the step goes away from %.15g",
                    origin, arg, item, hi);
            goto done;
        }
        double count = floor(q + 1e-9 * fmax(1, fabs(q))) + 1;
        if (count > (double)SWEEP_MAX_POINTS) {
            err_set(err, "%s '%s': range '%s' has %.0f values, more than %ld", origin, arg, item,
                    count, SWEEP_MAX_POINTS);
            goto done;
        }
        for (long i = 0; i < (long)count; i++) {
            fmt_double(buf, sizeof buf, lo + (double)i * st);
            push_str(vals, nv, xstrdup(buf));
        }
    }
    rc = 1;
    goto done;
bad:
    err_set(err, "%s '%s': bad range '%s': expected lo..hi or 'lo..hi step s' with numbers",
            origin, arg, item);
done:
    free(item);
    return rc;
}

/* ---- specification ---------------------------------------------------------- */

void sweep_init(struct sweep_spec *s)
{
    *s = (struct sweep_spec){ 0 };
}

static void where_free(struct sweep_where *w);

void sweep_release(struct sweep_spec *s)
{
    for (int a = 0; a < s->n_axes; a++) {
        struct sweep_axis *x = &s->axis[a];
        free_strs(x->key, x->n_keys);
        free_strs(x->value, x->n_rows * x->n_keys);
        free(x->origin);
    }
    free(s->axis);
    for (int i = 0; i < s->n_where; i++)
        where_free(s->where[i]);
    free(s->where);
    free_strs(s->set_key, s->n_set);
    free_strs(s->set_value, s->n_set);
    free_strs(s->set_origin, s->n_set);
    *s = (struct sweep_spec){ 0 };
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Joins row r of an axis with '\x1f' (not allowed in values) for comparison. */
static char *row_text(const struct sweep_axis *x, int r)
{
    size_t n = 1;
    for (int k = 0; k < x->n_keys; k++)
        n += strlen(x->value[r * x->n_keys + k]) + 1;
    char *t = xmalloc(n), *o = t;
    for (int k = 0; k < x->n_keys; k++)
        o += sprintf(o, "%s%s", k ? "\x1f" : "", x->value[r * x->n_keys + k]);
    return t;
}

int sweep_add_vary(struct sweep_spec *s, const char *arg, const char *origin, struct perr *e)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return err_set(e, "%s '%s': expected KEY=VALUES (e.g. units.C3.count=1..6) or "
                       "K1,K2=a:b,c:d", origin, arg);
    struct sweep_axis x = { 0 };
    const char **kb, **ke, **ib = NULL, **ie = NULL;
    int nk = split(arg, eq, ',', &kb, &ke), ni, nv = 0, rc = -1;
    for (int k = 0; k < nk; k++) {
        push_str(&x.key, &x.n_keys, xstrndup(kb[k], (size_t)(ke[k] - kb[k])));
        if (check_key(x.key[k], origin, arg, e) < 0)
            goto done;
        for (int j = 0; j < k; j++)
            if (!strcmp(x.key[j], x.key[k])) {
                err_set(e, "%s '%s': key '%s' appears twice", origin, arg, x.key[k]);
                goto done;
            }
    }
    const char *vb = eq + 1, *ve = eq + strlen(eq);
    trim(&vb, &ve);
    if (vb == ve) {
        err_set(e, "%s '%s': no values after '='", origin, arg);
        goto done;
    }
    ni = split(vb, ve, ',', &ib, &ie);
    for (int i = 0; i < ni; i++) {
        if (x.n_keys == 1) {
            int r = expand_range(ib[i], ie[i], &x.value, &nv, origin, arg, e);
            if (r < 0)
                goto done;
            if (r == 0) {
                push_str(&x.value, &nv, unescape(ib[i], ie[i]));
                if (check_value(x.value[nv - 1], origin, arg, e) < 0)
                    goto done;
            }
            if (nv > SWEEP_MAX_POINTS) {
                err_set(e, "%s '%s': more than %ld values", origin, arg, SWEEP_MAX_POINTS);
                goto done;
            }
            continue;
        }
        const char **cb, **ce;
        int nc = split(ib[i], ie[i], ':', &cb, &ce);
        if (nc != x.n_keys) {
            err_set(e, "%s '%s': row %d '%.*s' has %d value%s, expected %d (one per key, "
                    "separated by ':')", origin, arg, i + 1, (int)(ie[i] - ib[i]), ib[i], nc,
                    nc == 1 ? "" : "s", x.n_keys);
            free(cb);
            free(ce);
            goto done;
        }
        for (int c = 0; c < nc; c++)
            push_str(&x.value, &nv, unescape(cb[c], ce[c]));
        free(cb);
        free(ce);
        for (int c = 0; c < nc; c++)
            if (check_value(x.value[nv - nc + c], origin, arg, e) < 0)
                goto done;
    }
    x.n_rows = nv / x.n_keys;
    /* A repeated value would make two identical points. */
    char **rows = xmalloc((size_t)x.n_rows * sizeof *rows);
    for (int r = 0; r < x.n_rows; r++)
        rows[r] = row_text(&x, r);
    qsort(rows, (size_t)x.n_rows, sizeof *rows, cmp_str);
    int dup = 0;
    for (int r = 1; r < x.n_rows && !dup; r++)
        if (!strcmp(rows[r - 1], rows[r])) {
            for (char *p = rows[r]; *p; p++)
                if (*p == '\x1f')
                    *p = ':';
            err_set(e, "%s '%s': value '%s' appears twice", origin, arg, rows[r]);
            dup = 1;
        }
    free_strs(rows, x.n_rows);
    if (dup)
        goto done;
    x.origin = xstrdup(origin);
    s->axis = xrealloc(s->axis, (size_t)(s->n_axes + 1) * sizeof *s->axis);
    s->axis[s->n_axes++] = x;
    s->finished = 0;
    rc = 0;
done:
    if (rc < 0) {
        free_strs(x.key, x.n_keys);
        free_strs(x.value, nv);
    }
    free(kb);
    free(ke);
    free(ib);
    free(ie);
    return rc;
}

int sweep_add_set(struct sweep_spec *s, const char *arg, const char *origin, struct perr *e)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return err_set(e, "%s '%s': expected KEY=VALUE (e.g. incidents.rate_per_day=40)",
                       origin, arg);
    const char *kb = arg, *ke = eq, *vb = eq + 1, *ve = eq + strlen(eq);
    trim(&kb, &ke);
    trim(&vb, &ve);
    char *k = xstrndup(kb, (size_t)(ke - kb)), *v = xstrndup(vb, (size_t)(ve - vb));
    if (check_key(k, origin, arg, e) < 0 || check_value(v, origin, arg, e) < 0) {
        free(k);
        free(v);
        return -1;
    }
    size_t n = (size_t)s->n_set + 1;
    s->set_key = xrealloc(s->set_key, n * sizeof *s->set_key);
    s->set_value = xrealloc(s->set_value, n * sizeof *s->set_value);
    s->set_origin = xrealloc(s->set_origin, n * sizeof *s->set_origin);
    s->set_key[s->n_set] = k;
    s->set_value[s->n_set] = v;
    s->set_origin[s->n_set++] = xstrdup(origin);
    s->finished = 0;
    return 0;
}

/* ---- constraints ------------------------------------------------------------ */

enum op {
    OP_NUM, OP_STR, OP_VAR, OP_NEG, OP_NOT,
    OP_OR, OP_AND, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
};

struct node {
    enum op op;
    int a, b;              /* operand nodes */
    double num;
    char *text;            /* OP_NUM / OP_STR literal text */
    int var;               /* OP_VAR: index into the name table */
};

struct sweep_where {
    char *text, *origin;
    struct node *node;
    int n_nodes, root;
};

static void where_free(struct sweep_where *w)
{
    if (!w)
        return;
    for (int i = 0; i < w->n_nodes; i++)
        free(w->node[i].text);
    free(w->node);
    free(w->text);
    free(w->origin);
    free(w);
}

int sweep_add_where(struct sweep_spec *s, const char *expr, const char *origin,
                    struct perr *e)
{
    const char *b = expr, *en = expr + strlen(expr);
    trim(&b, &en);
    if (b == en)
        return err_set(e, "%s: empty constraint", origin);
    struct sweep_where *w = xcalloc(1, sizeof *w);
    w->text = xstrndup(b, (size_t)(en - b));
    w->origin = xstrdup(origin);
    w->root = -1;
    s->where = xrealloc(s->where, (size_t)(s->n_where + 1) * sizeof *s->where);
    s->where[s->n_where++] = w;
    s->finished = 0;
    return 0;
}

struct parser {
    struct sweep_where *w;
    const char *p;
    const char *const *names;
    int n_names;
    struct perr *e;
};

static int perr_at(struct parser *ps, const char *what)
{
    return err_set(ps->e, "%s '%s': %s at column %d", ps->w->origin, ps->w->text, what,
                   (int)(ps->p - ps->w->text) + 1);
}

static void skip_ws(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static int new_node(struct parser *ps, enum op op, int a, int b)
{
    struct sweep_where *w = ps->w;
    w->node = xrealloc(w->node, (size_t)(w->n_nodes + 1) * sizeof *w->node);
    w->node[w->n_nodes] = (struct node){ .op = op, .a = a, .b = b, .var = -1 };
    return w->n_nodes++;
}

static int accept(struct parser *ps, const char *tok)
{
    skip_ws(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->p, tok, n))
        return 0;
    /* "<" must not match the start of "<=", "=" never stands alone. */
    if (n == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!') && ps->p[1] == '=')
        return 0;
    ps->p += n;
    return 1;
}

static int is_ident(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

static int p_or(struct parser *ps);

static int p_primary(struct parser *ps)
{
    skip_ws(ps);
    const char *p = ps->p;
    int is_int;
    if (*p == '(') {
        ps->p++;
        int n = p_or(ps);
        if (n < 0)
            return -1;
        if (!accept(ps, ")"))
            return perr_at(ps, "expected ')'");
        return n;
    }
    size_t len = scan_unsigned(p, &is_int);
    if (len) {
        int n = new_node(ps, OP_NUM, -1, -1);
        ps->w->node[n].text = xstrndup(p, len);
        ps->w->node[n].num = strtod(ps->w->node[n].text, NULL);
        ps->p += len;
        return n;
    }
    if (*p == '"' || *p == '\'') {
        char q = *p, *buf = xmalloc(strlen(p) + 1), *o = buf;
        for (p++; *p && *p != q; p++) {
            if (*p == '\\' && p[1])
                p++;
            *o++ = *p;
        }
        *o = 0;
        if (*p != q) {
            free(buf);
            return perr_at(ps, "unterminated string");
        }
        int n = new_node(ps, OP_STR, -1, -1);
        ps->w->node[n].text = buf;
        ps->p = p + 1;
        return n;
    }
    if (isalpha((unsigned char)*p) || *p == '_') {
        int best = -1;
        size_t best_len = 0;
        for (int i = 0; i < ps->n_names; i++) {
            size_t k = strlen(ps->names[i]);
            if (k > best_len && !strncmp(p, ps->names[i], k) &&
                !(isalnum((unsigned char)p[k]) || p[k] == '_' || p[k] == '.')) {
                best = i;
                best_len = k;
            }
        }
        if (best < 0) {
            size_t k = 0;
            while (is_ident((unsigned char)p[k]))
                k++;
            char list[600];
            size_t used = 0;
            list[0] = 0;
            for (int i = 0; i < ps->n_names && used < sizeof list - 1; i++)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                         ps->names[i]);
            return err_set(ps->e, "%s '%s': unknown parameter '%.*s'; a constraint can name "
                           "the varied and set keys: %s", ps->w->origin, ps->w->text, (int)k, p,
                           list);
        }
        int n = new_node(ps, OP_VAR, -1, -1);
        ps->w->node[n].var = best;
        ps->p += best_len;
        return n;
    }
    return perr_at(ps, *p ? "expected a number, a string, a key or '('" :
                            "unexpected end of constraint");
}

static int p_unary(struct parser *ps)
{
    if (accept(ps, "-")) {
        int a = p_unary(ps);
        return a < 0 ? -1 : new_node(ps, OP_NEG, a, -1);
    }
    return p_primary(ps);
}

static int p_prod(struct parser *ps)
{
    int a = p_unary(ps);
    while (a >= 0) {
        enum op op;
        if (accept(ps, "*"))
            op = OP_MUL;
        else if (accept(ps, "/"))
            op = OP_DIV;
        else if (accept(ps, "%"))
            op = OP_MOD;
        else
            break;
        int b = p_unary(ps);
        a = b < 0 ? -1 : new_node(ps, op, a, b);
    }
    return a;
}

static int p_sum(struct parser *ps)
{
    int a = p_prod(ps);
    while (a >= 0) {
        enum op op;
        if (accept(ps, "+"))
            op = OP_ADD;
        else if (accept(ps, "-"))
            op = OP_SUB;
        else
            break;
        int b = p_prod(ps);
        a = b < 0 ? -1 : new_node(ps, op, a, b);
    }
    return a;
}

static int p_cmp(struct parser *ps)
{
    int a = p_sum(ps);
    if (a < 0)
        return -1;
    static const struct { const char *tok; enum op op; } ops[] = {
        { "==", OP_EQ }, { "!=", OP_NE }, { "<=", OP_LE }, { ">=", OP_GE },
        { "<", OP_LT }, { ">", OP_GT },
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (accept(ps, ops[i].tok)) {
            int b = p_sum(ps);
            return b < 0 ? -1 : new_node(ps, ops[i].op, a, b);
        }
    skip_ws(ps);
    if (*ps->p == '=' && ps->p[1] != '=')
        return perr_at(ps, "'=' is not an operator (use '==')");
    return a;
}

static int p_not(struct parser *ps)
{
    if (accept(ps, "!")) {
        int a = p_not(ps);
        return a < 0 ? -1 : new_node(ps, OP_NOT, a, -1);
    }
    return p_cmp(ps);
}

static int p_and(struct parser *ps)
{
    int a = p_not(ps);
    while (a >= 0 && accept(ps, "&&")) {
        int b = p_not(ps);
        a = b < 0 ? -1 : new_node(ps, OP_AND, a, b);
    }
    return a;
}

static int p_or(struct parser *ps)
{
    int a = p_and(ps);
    while (a >= 0 && accept(ps, "||")) {
        int b = p_and(ps);
        a = b < 0 ? -1 : new_node(ps, OP_OR, a, b);
    }
    return a;
}

static int where_compile(struct sweep_where *w, const char *const *names, int n_names,
                         struct perr *e)
{
    for (int i = 0; i < w->n_nodes; i++)
        free(w->node[i].text);
    free(w->node);
    w->node = NULL;
    w->n_nodes = 0;
    struct parser ps = { w, w->text, names, n_names, e };
    int root = p_or(&ps);
    if (root < 0)
        return -1;
    skip_ws(&ps);
    if (*ps.p)
        return perr_at(&ps, *ps.p == '=' ? "'=' is not an operator (use '==')"
                                         : "unexpected text");
    w->root = root;
    return 0;
}

/* A value during evaluation: a number, a text, or both (a key's value or a
 * literal keeps its text so that == can compare texts). */
struct val {
    int is_num;
    double num;
    const char *text;      /* NULL for computed numbers */
};

struct eval {
    const struct sweep_where *w;
    const char *const *names, *const *vals;
    struct perr *e;
};

static int eval_fail(struct eval *ev, const char *fmt, ...) ERR_PRINTF(2, 3);
static int eval_fail(struct eval *ev, const char *fmt, ...)
{
    char what[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(ev->e, "%s '%s': %s", ev->w->origin, ev->w->text, what);
}

static int need_num(struct eval *ev, const struct node *n, const struct val *v)
{
    if (v->is_num)
        return 0;
    if (n->op == OP_VAR)
        return eval_fail(ev, "'%s' is '%s', not a number", ev->names[n->var], v->text);
    return eval_fail(ev, "'%s' is not a number", v->text ? v->text : "?");
}

static int eval_node(struct eval *ev, int i, struct val *out)
{
    const struct node *n = &ev->w->node[i];
    struct val a, b;
    switch (n->op) {
    case OP_NUM:
        *out = (struct val){ 1, n->num, n->text };
        return 0;
    case OP_STR:
        *out = (struct val){ 0, 0, n->text };
        return 0;
    case OP_VAR: {
        const char *t = ev->vals[n->var];
        double x;
        *out = text_number(t, &x) ? (struct val){ 1, x, t } : (struct val){ 0, 0, t };
        return 0;
    }
    case OP_NEG:
    case OP_NOT:
        if (eval_node(ev, n->a, &a) < 0 || need_num(ev, &ev->w->node[n->a], &a) < 0)
            return -1;
        *out = (struct val){ 1, n->op == OP_NEG ? -a.num : (double)(a.num == 0), NULL };
        return 0;
    case OP_OR:
    case OP_AND:
        /* Short-circuit, so "a != 0 && b / a > 2" is safe. */
        if (eval_node(ev, n->a, &a) < 0 || need_num(ev, &ev->w->node[n->a], &a) < 0)
            return -1;
        if ((n->op == OP_OR) == (a.num != 0)) {
            *out = (struct val){ 1, n->op == OP_OR, NULL };
            return 0;
        }
        if (eval_node(ev, n->b, &b) < 0 || need_num(ev, &ev->w->node[n->b], &b) < 0)
            return -1;
        *out = (struct val){ 1, b.num != 0, NULL };
        return 0;
    default:
        break;
    }
    if (eval_node(ev, n->a, &a) < 0 || eval_node(ev, n->b, &b) < 0)
        return -1;
    if ((n->op == OP_EQ || n->op == OP_NE) && !(a.is_num && b.is_num)) {
        if (!a.text || !b.text)
            return eval_fail(ev, "%s", "compares a computed number with a text");
        int eq = !strcmp(a.text, b.text);
        *out = (struct val){ 1, n->op == OP_EQ ? eq : !eq, NULL };
        return 0;
    }
    if (need_num(ev, &ev->w->node[n->a], &a) < 0 || need_num(ev, &ev->w->node[n->b], &b) < 0)
        return -1;
    double r;
    switch (n->op) {
    case OP_EQ: r = a.num == b.num; break;
    case OP_NE: r = a.num != b.num; break;
    case OP_LT: r = a.num < b.num; break;
    case OP_LE: r = a.num <= b.num; break;
    case OP_GT: r = a.num > b.num; break;
    case OP_GE: r = a.num >= b.num; break;
    case OP_ADD: r = a.num + b.num; break;
    case OP_SUB: r = a.num - b.num; break;
    case OP_MUL: r = a.num * b.num; break;
    case OP_DIV:
    case OP_MOD:
        if (b.num == 0)
            return eval_fail(ev, "%s", "division by zero");
        r = n->op == OP_DIV ? a.num / b.num : fmod(a.num, b.num);
        break;
    default:
        PS_ASSERT(0);
    }
    *out = (struct val){ 1, r, NULL };
    return 0;
}

/* 1 if the point passes, 0 if not, -1 on an evaluation error. */
static int where_eval(const struct sweep_where *w, const char *const *names,
                      const char *const *vals, struct perr *e)
{
    struct eval ev = { w, names, vals, e };
    struct val v;
    if (eval_node(&ev, w->root, &v) < 0)
        return -1;
    if (!v.is_num)
        return eval_fail(&ev, "the result '%s' is a text, not a condition", v.text);
    return v.num != 0;
}

/* ---- whole specification ------------------------------------------------------ */

/* The name table: every axis key in axis order, then every set key. */
static int names_of(const struct sweep_spec *s, const char ***names)
{
    int n = 0;
    for (int a = 0; a < s->n_axes; a++)
        n += s->axis[a].n_keys;
    *names = xmalloc((size_t)(n + s->n_set + 1) * sizeof **names);
    int k = 0;
    for (int a = 0; a < s->n_axes; a++)
        for (int j = 0; j < s->axis[a].n_keys; j++)
            (*names)[k++] = s->axis[a].key[j];
    for (int i = 0; i < s->n_set; i++)
        (*names)[k++] = s->set_key[i];
    return n;
}

int sweep_finish(struct sweep_spec *s, struct perr *e)
{
    if (s->n_axes == 0)
        return err_set(e, "a sweep needs at least one --vary KEY=VALUES (or a 'vary' line "
                       "in the sweep file)");
    const char **names;
    int n_par = names_of(s, &names), n_all = n_par + s->n_set, rc = -1;
    /* Origins, parallel to names, for the "given twice" message. */
    const char **orig = xmalloc((size_t)(n_all + 1) * sizeof *orig);
    int k = 0;
    for (int a = 0; a < s->n_axes; a++)
        for (int j = 0; j < s->axis[a].n_keys; j++)
            orig[k++] = s->axis[a].origin;
    for (int i = 0; i < s->n_set; i++)
        orig[k++] = s->set_origin[i];
    for (int i = 0; i < n_all; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) {
                err_set(e, "%s: key '%s' is already %s by %s", orig[i], names[i],
                        j < n_par ? "varied" : "set", orig[j]);
                goto done;
            }
    for (int i = 0; i < s->n_where; i++)
        if (where_compile(s->where[i], names, n_all, e) < 0)
            goto done;
    long total = 1;
    for (int a = 0; a < s->n_axes; a++) {
        if (total > SWEEP_MAX_POINTS / s->axis[a].n_rows) {
            err_set(e, "the sweep has more than %ld points before constraints",
                    SWEEP_MAX_POINTS);
            goto done;
        }
        total *= s->axis[a].n_rows;
    }
    s->finished = 1;
    rc = 0;
done:
    free(names);
    free(orig);
    return rc;
}

/* Appends v to buf (size *cap, length *len), escaping `specials`. */
static void put_escaped(char **buf, size_t *len, size_t *cap, const char *v, const char *specials)
{
    size_t need = *len + 2 * strlen(v) + 2;
    if (need > *cap) {
        *cap = 2 * need;
        *buf = xrealloc(*buf, *cap);
    }
    for (const char *p = v; *p; p++) {
        if (strchr(specials, *p))
            (*buf)[(*len)++] = '\\';
        (*buf)[(*len)++] = *p;
    }
    (*buf)[*len] = 0;
}

static void put_raw(char **buf, size_t *len, size_t *cap, const char *v)
{
    put_escaped(buf, len, cap, v, "");
}

char *sweep_text(const struct sweep_spec *s)
{
    PS_ASSERT(s->finished);
    size_t len = 0, cap = 256;
    char *buf = xmalloc(cap);
    buf[0] = 0;
    for (int a = 0; a < s->n_axes; a++) {
        const struct sweep_axis *x = &s->axis[a];
        put_raw(&buf, &len, &cap, "vary ");
        for (int k = 0; k < x->n_keys; k++) {
            put_raw(&buf, &len, &cap, k ? "," : "");
            put_raw(&buf, &len, &cap, x->key[k]);
        }
        put_raw(&buf, &len, &cap, "=");
        for (int r = 0; r < x->n_rows; r++)
            for (int k = 0; k < x->n_keys; k++) {
                put_raw(&buf, &len, &cap, k ? ":" : r ? "," : "");
                put_escaped(&buf, &len, &cap, x->value[r * x->n_keys + k], "\\,:");
            }
        put_raw(&buf, &len, &cap, "\n");
    }
    for (int i = 0; i < s->n_where; i++) {
        put_raw(&buf, &len, &cap, "where ");
        put_raw(&buf, &len, &cap, s->where[i]->text);
        put_raw(&buf, &len, &cap, "\n");
    }
    for (int i = 0; i < s->n_set; i++) {
        put_raw(&buf, &len, &cap, "set ");
        put_raw(&buf, &len, &cap, s->set_key[i]);
        put_raw(&buf, &len, &cap, "=");
        put_raw(&buf, &len, &cap, s->set_value[i]);
        put_raw(&buf, &len, &cap, "\n");
    }
    return buf;
}

int sweep_expand(const struct sweep_spec *s, struct sweep_points *P, struct perr *e)
{
    PS_ASSERT(s->finished);
    *P = (struct sweep_points){ 0 };
    const char **names;
    int n_par = names_of(s, &names), n_all = n_par + s->n_set;
    const char **vals = xmalloc((size_t)(n_all + 1) * sizeof *vals);
    for (int i = 0; i < s->n_set; i++)
        vals[n_par + i] = s->set_value[i];
    int *row = xcalloc((size_t)s->n_axes, sizeof *row);
    size_t cap = 0;
    int rc = 0;
    /* An odometer over the axes, the last axis turning fastest. */
    for (;;) {
        int k = 0;
        for (int a = 0; a < s->n_axes; a++)
            for (int j = 0; j < s->axis[a].n_keys; j++)
                vals[k++] = s->axis[a].value[row[a] * s->axis[a].n_keys + j];
        int keep = 1;
        for (int w = 0; w < s->n_where && keep; w++) {
            keep = where_eval(s->where[w], names, vals, e);
            if (keep < 0) {
                /* Name the point: the same error can hold for only some. */
                char at[ERR_MSG_MAX / 2];
                size_t used = 0;
                at[0] = 0;
                for (int i = 0; i < n_par && used < sizeof at; i++)
                    used += (size_t)snprintf(at + used, sizeof at - used, " %s=%s", names[i],
                                             vals[i]);
                size_t m = strlen(e->msg);
                snprintf(e->msg + m, sizeof e->msg - m, " (at%s)", at);
                rc = -1;
                goto done;
            }
        }
        if (keep) {
            if ((size_t)(P->n + 1) * (size_t)n_par > cap) {
                cap = cap ? 2 * cap : (size_t)n_par * 64;
                P->value = xrealloc(P->value, cap * sizeof *P->value);
            }
            memcpy(P->value + (size_t)P->n * (size_t)n_par, vals, (size_t)n_par * sizeof *vals);
            P->n++;
        }
        int a = s->n_axes - 1;
        while (a >= 0 && ++row[a] == s->axis[a].n_rows)
            row[a--] = 0;
        if (a < 0)
            break;
    }
    if (P->n == 0) {
        err_set(e, "no point of the sweep satisfies the constraints");
        rc = -1;
    }
done:
    free(row);
    free(vals);
    if (rc < 0) {
        free(names);
        free(P->value);
        *P = (struct sweep_points){ 0 };
        return -1;
    }
    P->n_params = n_par;
    P->name = names;           /* the set keys beyond n_params are ignored */
    return 0;
}

void sweep_points_release(struct sweep_points *P)
{
    free(P->name);
    free(P->value);
    *P = (struct sweep_points){ 0 };
}

char *sweep_assignment(const struct sweep_points *P, int i)
{
    size_t len = 0, cap = 128;
    char *buf = xmalloc(cap);
    buf[0] = 0;
    for (int k = 0; k < P->n_params; k++) {
        const char *v = P->value[(size_t)i * (size_t)P->n_params + (size_t)k];
        put_raw(&buf, &len, &cap, k ? " " : "");
        put_raw(&buf, &len, &cap, P->name[k]);
        put_raw(&buf, &len, &cap, "=");
        int quote = !*v;
        for (const char *p = v; *p; p++)
            quote |= isspace((unsigned char)*p) || *p == '"' || *p == '\\';
        if (quote) {
            put_raw(&buf, &len, &cap, "\"");
            put_escaped(&buf, &len, &cap, v, "\"\\");
            put_raw(&buf, &len, &cap, "\"");
        } else {
            put_raw(&buf, &len, &cap, v);
        }
    }
    return buf;
}

/* ---- sweep files --------------------------------------------------------------- */

int sweep_read_file(struct sweep_spec *s, const char *path, struct perr *e)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return err_sys(e, "%s: cannot open sweep file", path);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = 0;
    ssize_t got;
    while (rc == 0 && (got = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (memchr(line, 0, (size_t)got)) {
            rc = err_set(e, "%s:%d: NUL byte (not a text file?)", path, lineno);
            break;
        }
        /* A comment starts at a '#' at the line's start or after white space. */
        for (char *p = line; *p; p++)
            if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
                *p = 0;
                break;
            }
        const char *b = line, *en = line + strlen(line);
        trim(&b, &en);
        if (b == en)
            continue;
        const char *w = b;
        while (w < en && !isspace((unsigned char)*w))
            w++;
        char word[16], origin[PATH_MAX_ORIGIN];
        snprintf(word, sizeof word, "%.*s", (int)(w - b), b);
        const char *word_end = w;
        while (w < en && isspace((unsigned char)*w))
            w++;
        char *rest = xstrndup(w, (size_t)(en - w));
        snprintf(origin, sizeof origin, "%s:%d: %s", path, lineno, word);
        if (!strcmp(word, "vary"))
            rc = sweep_add_vary(s, rest, origin, e);
        else if (!strcmp(word, "where"))
            rc = sweep_add_where(s, rest, origin, e);
        else if (!strcmp(word, "set"))
            rc = sweep_add_set(s, rest, origin, e);
        else
            rc = err_set(e, "%s:%d: expected a 'vary', 'where' or 'set' line, got '%.*s'", path,
                         lineno, (int)(word_end - b), b);
        free(rest);
    }
    if (rc == 0 && ferror(fp))
        rc = err_sys(e, "%s: read error", path);
    free(line);
    fclose(fp);
    if (rc == 0 && lineno == 0)
        return err_set(e, "%s: empty sweep file", path);
    return rc;
}

void sweep_task_key(const char *scenario_hash, int rep, const char *version,
                    char key[SWEEP_KEY_HEX])
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, "%s\n%d\n%s\n", scenario_hash, rep, version);
    PS_ASSERT(n > 0 && (size_t)n < sizeof buf);
    prov_sha256(buf, (size_t)n, key);
}
