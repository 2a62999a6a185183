/* scn_staff.c - the optional shifts.csv (shift codes: start hour, length)
 * and rosters.csv (cycles of shift codes per day, '-' off), which units
 * name in their roster column.  Both tables are small: duplicate checks are
 * linear scans.
 */
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

enum { SH_CODE, SH_START, SH_HOURS, SH_BRIEFING };
static const char *const shift_cols[] = { "code", "start_h", "hours", "briefing_min", NULL };
static const char *const shift_req[] = { "code", "start_h", "hours", NULL };

const struct tabdef scn__tab_shifts = { "shifts", TB_SHIFTS, "shifts.csv", shift_cols, shift_req,
                                       "code" };

int scn__load_shifts(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_SHIFTS);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_shifts, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->shifts = scn__a_grow(L->a, s->shifts, sizeof *s->shifts, s->n_shifts, &cap);
        struct scn_shift *sh = &s->shifts[s->n_shifts];
        if (scn__tab_id(&t, SH_CODE, &sh->code) < 0)
            goto out;
        if (!strcmp(sh->code, "-")) {
            scn__tab_err(&t, SH_CODE, "'-' means a day off in rosters and cannot be a shift code");
            goto out;
        }
        for (int i = 0; i < s->n_shifts; i++)
            if (!strcmp(s->shifts[i].code, sh->code)) {
                scn__tab_err(&t, SH_CODE, "duplicate shift code '%s'", sh->code);
                goto out;
            }
        if (scn__tab_num(&t, SH_START, (struct range){ 0, 24, 0, 1 }, NULL, &sh->start_h) < 0 ||
            scn__tab_num(&t, SH_HOURS, (struct range){ 0, 24, 1, 0 }, NULL, &sh->hours) < 0)
            goto out;
        /* Briefing: the first minutes of the shift on duty, not dispatchable. */
        static const double no_brief = 0;
        if (scn__tab_num(&t, SH_BRIEFING, R_NONNEG, &no_brief, &sh->briefing_min) < 0)
            goto out;
        if (sh->briefing_min >= sh->hours * 60.0) {
            scn__tab_err(&t, SH_BRIEFING, "expected minutes shorter than the shift (%g h), "
                         "got '%s'", sh->hours, scn__tab_str(&t, SH_BRIEFING));
            goto out;
        }
        s->has_briefing |= sh->briefing_min > 0;
        s->n_shifts++;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

enum { RO_ID, RO_PATTERN };
static const char *const roster_cols[] = { "id", "pattern", NULL };

const struct tabdef scn__tab_rosters = { "rosters", TB_ROSTERS, "rosters.csv", roster_cols,
                                        roster_cols, "id" };

int scn__load_rosters(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_ROSTERS);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_rosters, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->rosters = scn__a_grow(L->a, s->rosters, sizeof *s->rosters, s->n_rosters, &cap);
        struct scn_roster *ro = &s->rosters[s->n_rosters];
        memset(ro, 0, sizeof *ro);
        ro->line = (int)csvr_line(t.r);
        if (scn__tab_id(&t, RO_ID, &ro->id) < 0)
            goto out;
        for (int i = 0; i < s->n_rosters; i++)
            if (!strcmp(s->rosters[i].id, ro->id)) {
                scn__tab_err(&t, RO_ID, "duplicate id '%s' (first at line %d)", ro->id,
                             s->rosters[i].line);
                goto out;
            }
        int dcap = 0, on = 0;
        for (const char *p = scn__tab_str(&t, RO_PATTERN);;) {
            while (scn__is_sep(*p))
                p++;
            if (!*p)
                break;
            const char *q = p;
            while (*q && !scn__is_sep(*q))
                q++;
            int k = -1;
            if (!(q - p == 1 && *p == '-'))
                for (int i = 0; i < s->n_shifts && k < 0; i++)
                    if (strlen(s->shifts[i].code) == (size_t)(q - p) &&
                        !strncmp(s->shifts[i].code, p, (size_t)(q - p)))
                        k = i;
            if (k < 0 && !(q - p == 1 && *p == '-')) {
                scn__tab_err(&t, RO_PATTERN, "unknown shift code '%.*s'; expected a code from "
                             "shifts.csv or '-' for a day off", (int)(q - p), p);
                goto out;
            }
            ro->day_shift = scn__a_grow(L->a, ro->day_shift, sizeof(int), ro->n_days, &dcap);
            ro->day_shift[ro->n_days++] = k;
            on += k >= 0;
            p = q;
        }
        if (ro->n_days == 0 || on == 0) {
            scn__tab_err(&t, RO_PATTERN, "expected shift codes per day of the cycle separated by "
                         "spaces ('-' = off) with at least one shift, got '%s'",
                         scn__tab_str(&t, RO_PATTERN));
            goto out;
        }
        s->n_rosters++;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* Role, roster, squad and between-calls mode of a units.csv row. */
