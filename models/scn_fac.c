/* scn_fac.c - facilities.csv: stations, workstations, offices, posts and
 * their parent links (a parent may be listed later in the file, so links are
 * resolved once the table is read).  Zones are kept as written and resolved
 * in scn_resolve.c.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

enum { F_ID, F_NAME, F_TIER, F_X, F_Y, F_PARENT, F_ZONE };
static const char *const fac_cols[] = { "id", "name", "tier", "x", "y", "parent", "zone", NULL };
static const char *const fac_req[] = { "id", "tier", "x", "y", NULL };

const struct tabdef scn__tab_facilities = { "facilities", TB_FACILITIES, "facilities.csv",
                                           fac_cols, fac_req, "id" };

static const char *tier_article(enum fac_tier t)
{
    return t == FAC_OFFICE ? "an" : "a";
}

static int check_parent(const struct tab *t, const struct scn_facility *f,
                        const struct scn_facility *p, const char *pname)
{
    switch (f->tier) {
    case FAC_STATION:
        return scn__tab_err_at(t, f->line, F_PARENT, "a station has no parent, got '%s'", pname);
    case FAC_WORKSTATION:
        if (p->tier != FAC_STATION)
            return scn__tab_err_at(t, f->line, F_PARENT, "a workstation's parent must be a "
                                   "station, but '%s' is %s %s", pname, tier_article(p->tier),
                                   fac_tier_name(p->tier));
        return 0;
    case FAC_OFFICE:
        if (p->tier != FAC_STATION && p->tier != FAC_WORKSTATION)
            return scn__tab_err_at(t, f->line, F_PARENT, "an office's parent must be a "
                                   "workstation or a station, but '%s' is %s %s", pname,
                                   tier_article(p->tier), fac_tier_name(p->tier));
        return 0;
    case FAC_POST:
        if (p->tier != FAC_STATION)
            return scn__tab_err_at(t, f->line, F_PARENT, "a post's parent must be a station "
                                   "(or none), but '%s' is %s %s", pname, tier_article(p->tier),
                                   fac_tier_name(p->tier));
        return 0;
    case FAC_N_TIERS:
        break;
    }
    return 0;
}

int scn__load_facilities(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, pcap = 0, zcap = 0, rc = -1;
    char **parent = NULL;       /* parent ids as written, resolved at the end */
    if (scn__tab_open(L, &t, &scn__tab_facilities, scn__table_path(L, TB_FACILITIES)) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->facilities = scn__a_grow(L->a, s->facilities, sizeof *s->facilities, s->n_facilities,
                                    &cap);
        parent = scn__a_grow(L->a, parent, sizeof *parent, s->n_facilities, &pcap);
        struct scn_facility *f = &s->facilities[s->n_facilities];
        memset(f, 0, sizeof *f);
        f->line = (int)csvr_line(t.r);
        f->parent = -1;
        if (scn__tab_id(&t, F_ID, &f->id) < 0)
            goto out;
        f->name = scn__a_strdup(L->a, scn__tab_str(&t, F_NAME));
        const char *tier = scn__tab_str(&t, F_TIER);
        int tier_k = scn__tier_find(tier);
        if (tier_k < 0) {
            scn__tab_err(&t, F_TIER, "unknown tier '%s'; expected station, workstation, "
                         "office or post (派出所, 工作站, 工作室, 驻巡站)", tier);
            goto out;
        }
        f->tier = (enum fac_tier)tier_k;
        if (scn__tab_num(&t, F_X, R_ANY, NULL, &f->x) < 0 ||
            scn__tab_num(&t, F_Y, R_ANY, NULL, &f->y) < 0)
            goto out;
        parent[s->n_facilities] = scn__a_strdup(L->a, scn__tab_str(&t, F_PARENT));
        L->pv->fac_zone = scn__a_grow(L->a, L->pv->fac_zone, sizeof(char *), s->n_facilities,
                                      &zcap);
        L->pv->fac_zone[s->n_facilities] = scn__a_strdup(L->a, scn__tab_str(&t, F_ZONE));
        s->n_facilities++;
    }
    L->pv->fac_ix = scn__index_ids(&t, F_ID, s->facilities, s->n_facilities,
                                   sizeof *s->facilities, offsetof(struct scn_facility, line));
    if (!L->pv->fac_ix)
        goto out;
    for (int i = 0; i < s->n_facilities; i++) {
        struct scn_facility *f = &s->facilities[i];
        if (!*parent[i]) {
            if (f->tier == FAC_WORKSTATION || f->tier == FAC_OFFICE) {
                scn__tab_err_at(&t, f->line, F_PARENT, "%s %s needs a parent %s, got an "
                                "empty value", tier_article(f->tier), fac_tier_name(f->tier),
                                f->tier == FAC_OFFICE ? "workstation or station" : "station");
                goto out;
            }
            continue;
        }
        int p = scn__ix_find(L->pv->fac_ix, s->n_facilities, parent[i]);
        if (p < 0) {
            scn__tab_err_at(&t, f->line, F_PARENT, "unknown facility '%s'", parent[i]);
            goto out;
        }
        if (check_parent(&t, f, &s->facilities[p], parent[i]) < 0)
            goto out;
        f->parent = p;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

