/* scn_units.c - units.csv: patrol units and their crews.
 *
 * A row with count = n > 1 stands for n identical crews with the derived
 * ids ID#1 .. ID#n, listed in that order where the row is; count = 1 keeps
 * the id; count = 0 removes the row's units (a scenario with no unit at all
 * is an error).  Derived ids depend only on the row's id and the crew's
 * number, so a sweep over count keeps every crew's id, and with it every
 * random stream keyed by the unit's id (absences), stable.  The rows are
 * kept too (priv->urows), so run cards can name a row by its id.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

enum { U_ID, U_NAME, U_BASE, U_HOME, U_OFFICERS, U_AUX, U_MODE, U_ROLE, U_ROSTER, U_SQUAD,
       U_IDLE, U_COUNT, U_MEMBERS, U_GROUP, U_TEAM };
static const char *const unit_cols[] = {
    "id", "name", "base", "home_grids", "officers", "auxiliaries", "mode", "role", "roster",
    "squad", "between_calls", "count", "members", "group", "team", NULL
};
static const char *const unit_req[] = { "id", "base", "mode", NULL };

const struct tabdef scn__tab_units = { "units", TB_UNITS, "units.csv", unit_cols, unit_req, "id" };

static int unit_police(struct ld *L, struct tab *t, struct scn_unit *u)
{
    struct scn *s = L->s;
    static const long zero = 0;
    const char *v = scn__tab_str(t, U_ROLE);
    u->role = ROLE_GRID_CAR;
    if (*v) {
        int r = scn__role_find(v, strlen(v));
        if (r < 0)
            return scn__tab_err(t, U_ROLE, "unknown role '%s'; expected " ROLE_LIST, v);
        u->role = (enum unit_role)r;
    }
    v = scn__tab_str(t, U_ROSTER);
    u->roster = -1;
    if (*v) {
        for (int i = 0; i < s->n_rosters; i++)
            if (!strcmp(s->rosters[i].id, v))
                u->roster = i;
        if (u->roster < 0)
            return scn__tab_err(t, U_ROSTER, "unknown roster '%s'%s", v,
                                s->n_rosters ? "; rosters.csv does not define it"
                                        : " (the scenario has no rosters.csv)");
    }
    if (scn__tab_int(t, U_SQUAD, 0, 100000, &zero, &u->squad) < 0)
        return -1;
    static const char *const idle_words[] = { "base", "patrol", "community" };
    v = scn__tab_str(t, U_IDLE);
    u->idle = IDLE_BASE;
    if (*v) {
        int k = 0;
        while (k < 3 && strcmp(idle_words[k], v))
            k++;
        if (k == 3)
            return scn__tab_err(t, U_IDLE, "expected base, patrol or community, got '%s'", v);
        u->idle = (enum idle_mode)k;
    }
    if (u->idle != IDLE_BASE && u->n_home == 0)
        return scn__tab_err(t, U_IDLE, "between_calls = %s needs home grids to work in, but unit "
                            "'%s' has none", idle_words[u->idle], u->id);
    return 0;
}

/* The crew: sworn officers and auxiliaries (辅警) for police roles; civilian
 * members for a grid worker, which has neither (docs/policing-model.md). */
static int unit_crew(struct tab *t, struct scn_unit *u)
{
    static const long one = 1, zero = 0;
    bool grid = u->role == ROLE_GRID_WORKER;
    if (scn__tab_int(t, U_OFFICERS, 0, INT32_MAX, grid ? &zero : &one, &u->officers) < 0 ||
        scn__tab_int(t, U_AUX, 0, INT32_MAX, &zero, &u->auxiliaries) < 0 ||
        scn__tab_int(t, U_MEMBERS, 0, INT32_MAX, grid ? &one : &zero, &u->members) < 0)
        return -1;
    if (grid && u->officers + (long)u->auxiliaries > 0)
        return scn__tab_err(t, u->officers ? U_OFFICERS : U_AUX, "grid worker '%s' is "
                            "civilian: officers and auxiliaries must be 0 (its crew goes in "
                            "members), got '%s'", u->id,
                            scn__tab_str(t, u->officers ? U_OFFICERS : U_AUX));
    if (grid && u->members < 1)
        return scn__tab_err(t, U_MEMBERS, "grid worker '%s' has no crew: members must be "
                            ">= 1, got '%s'", u->id, scn__tab_str(t, U_MEMBERS));
    if (!grid && u->members > 0)
        return scn__tab_err(t, U_MEMBERS, "members (civilian crew) is for role grid_worker; "
                            "unit '%s' has role %s: give its crew as officers and auxiliaries, "
                            "got '%s'", u->id, unit_role_name(u->role),
                            scn__tab_str(t, U_MEMBERS));
    if (!grid && (long)u->officers + u->auxiliaries < 1)
        return scn__tab_err(t, -1, "unit '%s' has no crew: officers + auxiliaries must be >= 1",
                            u->id);
    return 0;
}

/* Interns an organisational id (group or team) into *ids; returns its index. */
static int intern(struct arena *a, char ***ids, int *n, int *cap, const char *v)
{
    for (int i = 0; i < *n; i++)
        if (!strcmp((*ids)[i], v))
            return i;
    *ids = scn__a_grow(a, *ids, sizeof **ids, *n, cap);
    (*ids)[*n] = scn__a_strdup(a, v);
    return (*n)++;
}

/* 警组 and 警务队: free ids, for [dispatch] levels = group, team, ... */
static int unit_org(struct ld *L, struct tab *t, struct scn_unit *u)
{
    struct scn *s = L->s;
    const char *g = scn__tab_str(t, U_GROUP), *m = scn__tab_str(t, U_TEAM);
    u->group = *g ? intern(L->a, &s->groups, &s->n_groups, &L->pv->groups_cap, g) : -1;
    u->team = *m ? intern(L->a, &s->teams, &s->n_teams, &L->pv->teams_cap, m) : -1;
    return 0;
}

static int parse_home(struct tab *t, struct scn_unit *u)
{
    struct ld *L = t->L;
    const char *s = scn__tab_str(t, U_HOME);
    int n = 0, cap = 0, pcap = 0;
    int *home = NULL, *post = NULL;
    const char *p = s;
    for (;;) {
        while (*p == ';' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && *q != ';' && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            q++;
        char tok[256];
        size_t len = (size_t)(q - p);
        if (len >= sizeof tok)
            return scn__tab_err(t, U_HOME, "unknown grid '%.60s...'", p);
        memcpy(tok, p, len);
        tok[len] = '\0';
        /* "G1:B" holds the B post of G1 (AB角); no suffix means A. */
        int pst = 0;
        char *colon = strrchr(tok, ':');
        if (colon) {
            if (!(colon[1] >= 'A' && colon[1] <= 'C' && colon[2] == '\0'))
                return scn__tab_err(t, U_HOME, "post '%s' in '%s': expected A, B or C after ':'",
                                    colon + 1, tok);
            pst = colon[1] - 'A';
            *colon = '\0';
        }
        int g = scn__ix_find(L->pv->grid_ix, L->s->n_grids, tok), pg = -1;
        for (int i = 0; g < 0 && i < L->s->n_police_grids; i++)
            if (!strcmp(L->s->police_grids[i], tok))
                pg = i;
        if (g < 0 && pg < 0)
            return scn__tab_err(t, U_HOME, "unknown grid '%s'%s", tok, L->s->n_police_grids ?
                                " (neither a grid id nor a police_grid of grids.csv)" : "");
        /* A police grid stands for every grid it covers, in file order. */
        for (int k = pg < 0 ? g : 0; k < (pg < 0 ? g + 1 : L->s->n_grids); k++) {
            if (pg >= 0 && L->s->grids[k].police_grid != pg)
                continue;
            for (int i = 0; i < n; i++)
                if (home[i] == k)
                    return scn__tab_err(t, U_HOME, "grid '%s' is listed twice%s",
                                        L->s->grids[k].id,
                                        pg >= 0 ? " (through its police grid)" : "");
            home = scn__a_grow(L->a, home, sizeof *home, n, &cap);
            post = scn__a_grow(L->a, post, sizeof *post, n, &pcap);
            post[n] = pst;
            home[n++] = k;
        }
        p = q;
    }
    u->home = home;
    u->post = post;
    u->n_home = n;
    return 0;
}

#define MAX_COUNT 10000

/* Ids of the crews of a row with count > 1: ID#1 .. ID#n.  '#' is refused in
 * the file's ids, so a derived id never meets a written one. */
static char *crew_id(struct arena *a, const char *id, int i)
{
    size_t n = strlen(id) + 12;
    char *p = scn__a_alloc(a, n);
    snprintf(p, n, "%s#%d", id, i);
    return p;
}

int scn__load_units(struct ld *L)
{
    struct scn *s = L->s;
    struct priv *pv = L->pv;
    struct tab t = { 0 };
    int cap = 0, rcap = 0, rc = -1;
    static const long one = 1;
    if (scn__tab_open(L, &t, &scn__tab_units, scn__table_path(L, TB_UNITS)) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        struct scn_unit row = { 0 }, *u = &row;
        u->line = (int)csvr_line(t.r);
        if (scn__tab_id(&t, U_ID, &u->id) < 0)
            goto out;
        if (strchr(u->id, '#')) {
            scn__tab_err(&t, U_ID, "id '%s' must not contain '#' (ID#n names the crews of a "
                         "row with count > 1)", u->id);
            goto out;
        }
        u->name = scn__a_strdup(L->a, scn__tab_str(&t, U_NAME));
        const char *base = scn__tab_str(&t, U_BASE);
        u->base = scn__ix_find(pv->fac_ix, s->n_facilities, base);
        if (u->base < 0) {
            if (*base)
                scn__tab_err(&t, U_BASE, "unknown facility '%s'", base);
            else
                scn__tab_err(&t, U_BASE, "a base facility id is required, got an empty value");
            goto out;
        }
        if (parse_home(&t, u) < 0)
            goto out;
        const char *mode = scn__tab_str(&t, U_MODE);
        u->mode = -1;
        for (int i = 0; i < s->n_modes; i++)
            if (strcmp(s->modes[i].name, mode) == 0)
                u->mode = i;
        if (u->mode < 0) {
            char list[512];
            size_t used = 0;
            list[0] = '\0';
            for (int i = 0; i < s->n_modes; i++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 s->modes[i].name);
                if (n < 0 || (size_t)n >= sizeof list - used)
                    break;
                used += (size_t)n;
            }
            scn__tab_err(&t, U_MODE, "unknown mode '%s'; [modes] in scenario.ini defines %s",
                         mode, list);
            goto out;
        }
        if (unit_police(L, &t, u) < 0 || unit_crew(&t, u) < 0 || unit_org(L, &t, u) < 0)
            goto out;
        int count;
        if (scn__tab_int(&t, U_COUNT, 0, MAX_COUNT, &one, &count) < 0)
            goto out;

        pv->urows = scn__a_grow(L->a, pv->urows, sizeof *pv->urows, pv->n_urows, &rcap);
        pv->urows[pv->n_urows++] = (struct scn_urow){ u->id, s->n_units, count, u->line };
        for (int i = 1; i <= count; i++) {
            s->units = scn__a_grow(L->a, s->units, sizeof *s->units, s->n_units, &cap);
            struct scn_unit *c = &s->units[s->n_units++];
            *c = row;           /* crews share the row's read-only arrays */
            if (count > 1) {
                c->id = crew_id(L->a, row.id, i);
                c->crew = i;
            }
        }
    }
    pv->urow_ix = scn__index_ids(&t, U_ID, pv->urows, pv->n_urows, sizeof *pv->urows,
                                 offsetof(struct scn_urow, line));
    if (!pv->urow_ix)
        goto out;
    if (s->n_units == 0) {
        err_set(L->e, "%s: no units: every row has count = 0; the scenario needs at least "
                "one unit", t.path);
        goto out;
    }
    pv->unit_ix = scn__index_ids(&t, U_ID, s->units, s->n_units, sizeof *s->units,
                                 offsetof(struct scn_unit, line));
    rc = pv->unit_ix ? 0 : -1;
out:
    scn__tab_close(&t);
    return rc;
}
