/* scn_ov.c - overrides of table cells: TABLE.ROW.COLUMN=value.
 *
 * An override whose section is not a scenario.ini section names a table
 * (units, facilities, grids, incident_types, shifts, rosters); its key is the
 * row's id, a dot and a column (the key splits at its last dot, so ids may
 * hold dots, column names never do).  The override is checked against the
 * table's columns here, recorded, and applied by the table reader as the
 * row streams past (scn_tab.c), so the loaders' checks see it as if the
 * file had said it.  A value "*f" scales the file's number.  Whole tables
 * are swapped through [tables] (tables.units=units-10.csv), an INI key.
 */
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

const struct tabdef *const scn__tabdefs[TB_N] = {
    [TB_GRIDS] = &scn__tab_grids,
    [TB_FACILITIES] = &scn__tab_facilities,
    [TB_UNITS] = &scn__tab_units,
    [TB_ITYPES] = &scn__tab_itypes,
    [TB_RUNCARDS] = &scn__tab_runcards,
    [TB_SHIFTS] = &scn__tab_shifts,
    [TB_ROSTERS] = &scn__tab_rosters,
    [TB_SERVICE_TIMES] = &scn__tab_service_times,
    [TB_CALL_PROCESSING] = &scn__tab_call_processing,
    [TB_STRENGTH] = &scn__tab_strength,
    [TB_WORKLOAD] = &scn__tab_workload,
    [TB_TURNOUT] = &scn__tab_turnout,
    [TB_UNITS_PER_CALL] = &scn__tab_units_per_call,
    [TB_CONSEQUENCES] = &scn__tab_consequences,
};

void scn__ov_name(const struct cellov *c, char *buf, size_t n)
{
    snprintf(buf, n, "override %s.%s=%s", c->sec, c->key, c->val);
}

static void list_cols(const struct tabdef *d, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; d->cols[k]; k++) {
        if (d->id_col && strcmp(d->cols[k], d->id_col) == 0)
            continue;
        int m = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", d->cols[k]);
        if (m > 0 && (size_t)m < n - used)
            used += (size_t)m;
    }
}

int scn__ov_cell(struct ld *L, const struct scn_override *ov)
{
    struct priv *pv = L->pv;
    const struct tabdef *d = NULL;
    for (int i = 0; i < TB_N; i++)
        if (strcmp(scn__tabdefs[i]->name, ov->section) == 0)
            d = scn__tabdefs[i];
    char name[600];
    snprintf(name, sizeof name, "override %s.%s=%s", ov->section, ov->key, ov->value);
    if (!d) {
        char secs[512], tabs[256];
        const char *tnames[TB_N + 1];
        int nt = 0;
        for (int i = 0; i < TB_N; i++)
            if (scn__tabdefs[i]->id_col)
                tnames[nt++] = scn__tabdefs[i]->name;
        tnames[nt] = NULL;
        scn__join_words(secs, sizeof secs, scn__sections(), ", ");
        scn__join_words(tabs, sizeof tabs, tnames, ", ");
        return err_set(L->e, "override unknown section [%s]; expected one of %s, or a table "
                       "(for TABLE.ROW.COLUMN=value): %s", ov->section, secs, tabs);
    }
    if (!d->id_col)
        return err_set(L->e, "%s: the rows of %s have no id, so their cells cannot be "
                       "overridden; swap the whole table with tables.%s=FILE", name, d->name,
                       d->name);
    const char *dot = strrchr(ov->key, '.');
    if (!dot || dot == ov->key || !dot[1])
        return err_set(L->e, "%s: expected %s.ROW.COLUMN=value (the row by its %s, then a "
                       "column name)", name, d->name, d->id_col);
    int col = -1;
    for (int k = 0; d->cols[k]; k++)
        if (strcmp(d->cols[k], dot + 1) == 0)
            col = k;
    if (col < 0) {
        char cols[512];
        list_cols(d, cols, sizeof cols);
        return err_set(L->e, "%s: %s has no column '%s'; columns: %s", name, d->file, dot + 1,
                       cols);
    }
    if (strcmp(d->cols[col], d->id_col) == 0)
        return err_set(L->e, "%s: the id column '%s' names the row and cannot be overridden; "
                       "swap the whole table with tables.%s=FILE", name, d->id_col, d->name);
    struct cellov c = { 0 };
    c.sec = scn__a_strdup(L->a, ov->section);
    c.key = scn__a_strdup(L->a, ov->key);
    c.val = scn__a_strdup(L->a, ov->value);
    c.tab = d;
    char *row = scn__a_strdup(L->a, ov->key);
    row[dot - ov->key] = '\0';
    c.row = row;
    c.col = col;
    if (ov->value[0] == '*') {
        c.scaled = 1;
        if (scn__parse_double(ov->value + 1, &c.factor) < 0)
            return err_set(L->e, "%s: expected '*' and a number (a factor), got '%s'", name,
                           ov->value);
    }
    /* A later override of the same cell replaces the earlier one. */
    for (int i = 0; i < pv->n_cells; i++)
        if (pv->cells[i].tab == d && pv->cells[i].col == col &&
            strcmp(pv->cells[i].row, c.row) == 0) {
            pv->cells[i] = c;
            return 0;
        }
    pv->cells = scn__a_grow(L->a, pv->cells, sizeof *pv->cells, pv->n_cells, &pv->cells_cap);
    pv->cells[pv->n_cells++] = c;
    return 0;
}

int scn__ov_check_unused(struct ld *L)
{
    struct priv *pv = L->pv;
    for (int i = 0; i < pv->n_cells; i++) {
        const struct cellov *c = &pv->cells[i];
        if (pv->tab_read[c->tab->id])
            continue;
        char name[600];
        scn__ov_name(c, name, sizeof name);
        return err_set(L->e, "%s: the scenario has no %s table (%s is absent or [tables] %s "
                       "is empty)", name, c->tab->name, pv->raw.table[c->tab->id],
                       c->tab->name);
    }
    return 0;
}
