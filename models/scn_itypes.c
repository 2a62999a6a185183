/* scn_itypes.c - incident_types.csv (priority, share, on-scene time,
 * target, class, crews, roles, resolution, follow-up) and the optional
 * service_times.csv, whose bins become a GSL histogram PDF for the types
 * with service = empirical.  The distinct priorities are collected here.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"

enum { I_ID, I_NAME, I_PRIORITY, I_SHARE, I_SERVICE, I_MEAN, I_SD, I_TARGET, I_CLASS,
       I_UNITS, I_ROLES, I_RESOLVE, I_FU, I_FU_MEAN, I_FU_SD, I_NEEDS_OFFICER, I_MIN_CREW,
       I_PER_MEMBER, I_ESC_DELAY, I_GRID_FACTOR };
static const char *const itype_cols[] = {
    "id", "name", "priority", "share", "service", "mean_min", "sd_min", "target_min",
    "class", "units_required", "roles", "resolve_prob", "followup", "followup_mean_min",
    "followup_sd_min", "needs_officer", "min_crew", "mean_min_per_extra_member",
    "escalate_delay_min", "grid_service_factor", NULL
};
static const char *const itype_req[] = {
    "id", "priority", "share", "service", "mean_min", "target_min", NULL
};

const struct tabdef scn__tab_itypes = { "incident_types", TB_ITYPES, "incident_types.csv",
                                        itype_cols, itype_req, "id" };

/* Crew constraints and the grid tier of an incident_types.csv row
 * (docs/policing-model.md, "Crews" and "The civilian grid tier"). */
static int itype_crew_grid(struct tab *t, struct scn_itype *it)
{
    static const long one = 1;
    static const double zero = 0, unit = 1;
    const char *v = scn__tab_str(t, I_NEEDS_OFFICER);
    it->needs_officer = NEED_NONE;
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1"))
        it->needs_officer = NEED_OFFICER;
    else if (!strcmp(v, "first_response"))
        it->needs_officer = NEED_FIRST;
    else if (*v && strcmp(v, "false") && strcmp(v, "no") && strcmp(v, "0"))
        return scn__tab_err(t, I_NEEDS_OFFICER, "expected true, false or first_response, "
                            "got '%s'", v);
    if (scn__tab_int(t, I_MIN_CREW, 1, 8, &one, &it->min_crew) < 0 ||
        scn__tab_num(t, I_PER_MEMBER, R_ANY, &zero, &it->min_per_extra) < 0 ||
        scn__tab_num(t, I_ESC_DELAY, R_NONNEG, &zero, &it->escalate_delay_min) < 0 ||
        scn__tab_num(t, I_GRID_FACTOR, R_POS, &unit, &it->grid_service_factor) < 0)
        return -1;
    bool grid = it->roles & ROLE_GRID_BIT;
    if (grid && inc_class_is_case(it->cls))
        return scn__tab_err(t, I_ROLES, "%s incidents are cases for the police: roles must not "
                            "list grid_worker, got '%s'", scn__class_words[it->cls],
                            scn__tab_str(t, I_ROLES));
    if (grid && !(it->roles & ROLE_POLICE))
        return scn__tab_err(t, I_ROLES, "grid workers only respond first and escalate to the "
                            "police: roles must list a police role besides grid_worker, got "
                            "'%s'", scn__tab_str(t, I_ROLES));
    if (grid && it->needs_officer == NEED_OFFICER)
        return scn__tab_err(t, I_NEEDS_OFFICER, "type '%s' lists grid_worker in roles, but "
                            "needs_officer = true keeps every crew without a sworn officer "
                            "away; use first_response or drop grid_worker", it->id);
    if (!grid) {
        int k = *scn__tab_str(t, I_ESC_DELAY) ? I_ESC_DELAY
              : *scn__tab_str(t, I_GRID_FACTOR) ? I_GRID_FACTOR : -1;
        if (k >= 0)
            return scn__tab_err(t, k, "applies to types that grid workers take first (roles "
                                "listing grid_worker); type '%s' has none, got '%s'", it->id,
                                scn__tab_str(t, k));
    }
    return 0;
}

/* Class, crews, roles, resolution and follow-up of an incident_types.csv row. */
static int itype_police(struct ld *L, struct tab *t, struct scn_itype *it)
{
    (void)L;
    static const long one = 1;
    const char *v = scn__tab_str(t, I_CLASS);
    it->cls = CLS_OTHER;
    if (*v) {
        int k = 0;
        while (k < CLS_N && strcmp(scn__class_words[k], v))
            k++;
        if (k == CLS_N)
            return scn__tab_err(t, I_CLASS, "expected criminal, public_order, dispute, help, "
                                "traffic "
                                "or other, got '%s'", v);
        it->cls = (enum inc_class)k;
    }
    bool is_case = inc_class_is_case(it->cls);
    if (scn__tab_int(t, I_UNITS, 1, 50, &one, &it->units_required) < 0)
        return -1;
    v = scn__tab_str(t, I_ROLES);
    it->roles = ROLE_ALL_BUT_CASE;
    if (*v) {
        char bad[64];
        if (scn__parse_roles(v, &it->roles, bad, sizeof bad) < 0)
            return scn__tab_err(t, I_ROLES, "unknown role '%s'; expected " ROLE_LIST, bad);
        if (!it->roles)
            return scn__tab_err(t, I_ROLES, "expected at least one role, got '%s'", v);
    }
    for (int r = 0; r < ROLE_N; r++)
        it->resolve[r] = is_case ? 0 : 1;
    v = scn__tab_str(t, I_RESOLVE);
    if (*v) {
        double p;
        if (scn__parse_double(v, &p) == 0) {
            if (!(p >= 0 && p <= 1))
                return scn__tab_err(t, I_RESOLVE, "expected a probability in [0, 1], got '%s'", v);
            for (int r = 0; r < ROLE_N; r++)
                it->resolve[r] = p;
        } else {
            for (int r = 0; r < ROLE_N; r++)
                it->resolve[r] = 0;
            for (const char *p0 = v;;) {
                while (scn__is_sep(*p0))
                    p0++;
                if (!*p0)
                    break;
                const char *q = p0;
                while (*q && !scn__is_sep(*q))
                    q++;
                const char *colon = memchr(p0, ':', (size_t)(q - p0));
                int r = colon ? scn__role_find(p0, (size_t)(colon - p0)) : -1;
                char *end = NULL;
                double pr = colon ? strtod(colon + 1, &end) : NAN;
                if (r < 0 || end != q || !(pr >= 0 && pr <= 1))
                    return scn__tab_err(t, I_RESOLVE, "expected a probability or role:probability "
                                        "pairs (e.g. grid_car:0.9;station_duty:0.8), got '%.*s'",
                                        (int)(q - p0), p0);
                it->resolve[r] = pr;
                p0 = q;
            }
        }
        if (is_case)
            for (int r = 0; r < ROLE_N; r++)
                if (it->resolve[r] > 0)
                    return scn__tab_err(t, I_RESOLVE, "%s incidents are cases, always handed over "
                                        "(移交): resolve_prob must be empty or 0, got '%s'",
                                        scn__class_words[it->cls], v);
    }
    if (itype_crew_grid(t, it) < 0)
        return -1;
    /* A grid worker that does not resolve escalates to the police: only a
     * police role's non-resolution hands over. */
    bool handover = false;
    for (int r = 0; r < ROLE_N; r++)
        handover |= (it->roles & ROLE_POLICE) >> r & 1 && it->resolve[r] < 1;
    v = scn__tab_str(t, I_FU);
    if (*v) {
        static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed" };
        static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                                 SVC_FIXED };
        int d = 0;
        while (d < 4 && strcmp(dists[d], v))
            d++;
        if (d == 4)
            return scn__tab_err(t, I_FU, "expected exponential, lognormal, gamma or fixed, "
                                "got '%s'",
                                v);
        it->has_followup = true;
        it->fu_dist = dist_of[d];
        if (scn__tab_num(t, I_FU_MEAN, R_POS, NULL, &it->fu_mean_min) < 0)
            return -1;
        if (it->fu_dist == SVC_LOGNORMAL || it->fu_dist == SVC_GAMMA) {
            if (scn__tab_num(t, I_FU_SD, R_POS, NULL, &it->fu_sd_min) < 0)
                return -1;
        } else if (*scn__tab_str(t, I_FU_SD)) {
            return scn__tab_err(t, I_FU_SD, "must be empty for %s follow-up, got '%s'", dists[d],
                                scn__tab_str(t, I_FU_SD));
        }
    } else if (handover) {
        return scn__tab_err(t, I_FU, "incidents of type '%s' can be handed over (%s), so their "
                            "follow-up work for the case team is required: followup, "
                            "followup_mean_min (and followup_sd_min)", it->id,
                            is_case ? "a case class" : "resolve_prob < 1");
    }
    return 0;
}

int scn__load_itypes(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed",
                                         "empirical" };
    static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                             SVC_FIXED, SVC_EMPIRICAL };
    if (scn__tab_open(L, &t, &scn__tab_itypes, scn__table_path(L, TB_ITYPES)) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->itypes = scn__a_grow(L->a, s->itypes, sizeof *s->itypes, s->n_itypes, &cap);
        struct scn_itype *it = &s->itypes[s->n_itypes];
        memset(it, 0, sizeof *it);
        it->line = (int)csvr_line(t.r);
        if (scn__tab_id(&t, I_ID, &it->id) < 0)
            goto out;
        it->name = scn__a_strdup(L->a, scn__tab_str(&t, I_NAME));
        if (scn__tab_int(&t, I_PRIORITY, 1, 9, NULL, &it->priority) < 0 ||
            scn__tab_num(&t, I_SHARE, R_NONNEG, NULL, &it->share) < 0)
            goto out;
        const char *svc = scn__tab_str(&t, I_SERVICE);
        int d = 0;
        while (d < 5 && strcmp(dists[d], svc) != 0)
            d++;
        if (d == 5) {
            scn__tab_err(&t, I_SERVICE, "expected exponential, lognormal, gamma, fixed or "
                         "empirical, "
                         "got '%s'", svc);
            goto out;
        }
        it->dist = dist_of[d];
        const char *sd = scn__tab_str(&t, I_SD);
        if (it->dist == SVC_EMPIRICAL) {
            /* The bins of service_times.csv give the distribution and its mean. */
            if (*scn__tab_str(&t, I_MEAN) || *sd) {
                scn__tab_err(&t, *sd ? I_SD : I_MEAN, "must be empty for empirical service (the "
                             "distribution comes from service_times.csv), got '%s'",
                             *sd ? sd : scn__tab_str(&t, I_MEAN));
                goto out;
            }
        } else if (scn__tab_num(&t, I_MEAN, R_POS, NULL, &it->mean_min) < 0) {
            goto out;
        }
        const struct cellov *sd_ov = scn__tab_ov(&t, I_SD);
        if ((it->dist == SVC_LOGNORMAL || it->dist == SVC_GAMMA) && sd_ov && sd_ov->scaled) {
            if (scn__tab_num(&t, I_SD, R_POS, NULL, &it->sd_min) < 0)
                goto out;
        } else if (it->dist == SVC_LOGNORMAL || it->dist == SVC_GAMMA) {
            double v;
            if (scn__parse_double(sd, &v) < 0 || !(v > 0)) {
                scn__tab_err(&t, I_SD, "expected a number > 0 (%s service needs a standard "
                             "deviation), got '%s'", dists[d], sd);
                goto out;
            }
            it->sd_min = v;
        } else if (*sd) {
            double v;
            if (scn__parse_double(sd, &v) < 0 || v != 0) {
                scn__tab_err(&t, I_SD, "must be empty or 0 for %s service, got '%s'", dists[d],
                             sd);
                goto out;
            }
        }
        if (scn__tab_num(&t, I_TARGET, R_POS, NULL, &it->target_min) < 0)
            goto out;
        if (itype_police(L, &t, it) < 0)
            goto out;
        s->n_itypes++;
    }
    if (!scn__index_ids(&t, I_ID, s->itypes, s->n_itypes, sizeof *s->itypes,
                        offsetof(struct scn_itype, line)))
        goto out;
    double total = 0;
    for (int i = 0; i < s->n_itypes; i++)
        total += s->itypes[i].share;
    if (!(total > 0)) {
        err_set(L->e, "%s: the shares sum to 0; at least one incident type needs share > 0",
                t.path);
        goto out;
    }
    int used[10] = { 0 };
    for (int i = 0; i < s->n_itypes; i++)
        used[s->itypes[i].priority] = 1;
    int np = 0, pidx[10];
    for (int p = 1; p <= 9; p++)
        if (used[p])
            pidx[p] = np++;
    s->priorities = scn__a_alloc(L->a, (size_t)np * sizeof *s->priorities);
    s->n_priorities = np;
    for (int p = 1; p <= 9; p++)
        if (used[p])
            s->priorities[pidx[p]] = p;
    for (int i = 0; i < s->n_itypes; i++)
        s->itypes[i].prio_idx = pidx[s->itypes[i].priority];
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- service_times.csv (optional): binned on-scene times ------------------- */

enum { SV_TYPE, SV_FROM, SV_TO, SV_WEIGHT };
static const char *const svc_cols[] = { "type", "from_min", "to_min", "weight", NULL };

const struct tabdef scn__tab_service_times = { "service_times", TB_SERVICE_TIMES,
                                              "service_times.csv", svc_cols, svc_cols, NULL };

struct sv_bin {
    double lo, hi, w;
    int line;
};

static int cmp_bin(const void *pa, const void *pb)
{
    const struct sv_bin *a = pa, *b = pb;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Builds type it's histogram PDF from its bins (sorted here); gaps between
 * bins become empty bins, overlaps are errors. */
static int build_empirical(struct tab *t, struct scn_itype *it, struct sv_bin *b, int n)
{
    qsort(b, (size_t)n, sizeof *b, cmp_bin);
    double *edge = xmalloc((size_t)(2 * n + 1) * sizeof *edge);
    double *w = xmalloc((size_t)(2 * n) * sizeof *w);
    int ne = 0, nb = 0, rc = -1;
    double sum = 0, mean = 0;
    edge[ne++] = b[0].lo;
    for (int i = 0; i < n; i++) {
        if (i > 0 && b[i].lo < b[i - 1].hi) {
            scn__tab_err_at(t, b[i].line, SV_FROM, "bin [%g, %g) of type '%s' overlaps [%g, %g) "
                       "(line %d)", b[i].lo, b[i].hi, it->id, b[i - 1].lo, b[i - 1].hi,
                       b[i - 1].line);
            goto out;
        }
        if (b[i].lo > edge[ne - 1]) {           /* a gap: an empty bin */
            w[nb++] = 0;
            edge[ne++] = b[i].lo;
        }
        w[nb++] = b[i].w;
        edge[ne++] = b[i].hi;
        sum += b[i].w;
        mean += b[i].w * (b[i].lo + b[i].hi) / 2;
    }
    if (!(sum > 0)) {
        scn__tab_err_at(t, b[0].line, SV_WEIGHT, "the weights of type '%s' sum to 0", it->id);
        goto out;
    }
    gsl_histogram *h = gsl_histogram_alloc((size_t)nb);
    it->emp = gsl_histogram_pdf_alloc((size_t)nb);
    PS_ASSERT(h && it->emp);
    PS_ASSERT(gsl_histogram_set_ranges(h, edge, (size_t)ne) == 0);
    for (int i = 0; i < nb; i++)
        h->bin[i] = w[i];
    PS_ASSERT(gsl_histogram_pdf_init(it->emp, h) == 0);
    gsl_histogram_free(h);
    it->mean_min = mean / sum;
    rc = 0;
out:
    free(edge);
    free(w);
    return rc;
}

int scn__load_service_times(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_SERVICE_TIMES);
    struct tab t = { 0 };
    struct sv_bin **bins = xcalloc((size_t)s->n_itypes, sizeof *bins);
    int *nb = xcalloc((size_t)s->n_itypes, sizeof *nb);
    int *cap = xcalloc((size_t)s->n_itypes, sizeof *cap);
    int rows = 0, rc = -1;
    if (path) {
        if (scn__tab_open(L, &t, &scn__tab_service_times, path) < 0)
            goto out;
        for (;;) {
            int r = scn__tab_next(&t);
            if (r < 0)
                goto out;
            if (r == 0)
                break;
            rows++;
            const char *id = scn__tab_str(&t, SV_TYPE);
            int k = 0;
            while (k < s->n_itypes && strcmp(s->itypes[k].id, id))
                k++;
            if (k == s->n_itypes) {
                scn__tab_err(&t, SV_TYPE, "unknown incident type '%s'", id);
                goto out;
            }
            if (s->itypes[k].dist != SVC_EMPIRICAL) {
                scn__tab_err(&t, SV_TYPE, "type '%s' does not have service = empirical", id);
                goto out;
            }
            struct sv_bin b = { 0, 0, 0, (int)csvr_line(t.r) };
            if (scn__tab_num(&t, SV_FROM, R_NONNEG, NULL, &b.lo) < 0 ||
                scn__tab_num(&t, SV_TO, R_POS, NULL, &b.hi) < 0 ||
                scn__tab_num(&t, SV_WEIGHT, R_NONNEG, NULL, &b.w) < 0)
                goto out;
            if (!(b.hi > b.lo)) {
                scn__tab_err(&t, SV_TO, "expected a number > from_min (%g), got '%s'", b.lo,
                             scn__tab_str(&t, SV_TO));
                goto out;
            }
            if (nb[k] == cap[k]) {
                cap[k] = cap[k] ? 2 * cap[k] : 16;
                bins[k] = xrealloc(bins[k], (size_t)cap[k] * sizeof **bins);
            }
            bins[k][nb[k]++] = b;
        }
    }
    for (int k = 0; k < s->n_itypes; k++) {
        struct scn_itype *it = &s->itypes[k];
        if (it->dist != SVC_EMPIRICAL)
            continue;
        if (nb[k] == 0) {
            const char *ipath = scn__table_path(L, TB_ITYPES);
            err_set(L->e, "%s:%d: column 'service': type '%s' is empirical but %s has no "
                    "bins for it (columns type, from_min, to_min, weight)", ipath, it->line,
                    it->id, path ? path : "service_times.csv (absent)");
            goto out;
        }
        if (build_empirical(&t, it, bins[k], nb[k]) < 0)
            goto out;
    }
    rc = 0;
out:
    for (int k = 0; k < s->n_itypes; k++)
        free(bins[k]);
    free(bins);
    free(nb);
    free(cap);
    if (path)
        scn__tab_close(&t);
    return rc;
}

