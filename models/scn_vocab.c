/* scn_vocab.c - the policing vocabulary of the tables: facility tiers (with
 * their Chinese names), unit roles and incident classes, and the role
 * lists of incident_types.csv and [dispatch] levels.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "scn_priv.h"

const char *fac_tier_name(enum fac_tier t)
{
    static const char *const names[FAC_N_TIERS] = { "station", "workstation", "office", "post" };
    return (unsigned)t < FAC_N_TIERS ? names[t] : "?";
}

static const struct { const char *word; enum fac_tier tier; } tier_words[] = {
    { "station", FAC_STATION },       { "派出所", FAC_STATION },
    { "workstation", FAC_WORKSTATION }, { "工作站", FAC_WORKSTATION },
    { "社区警务工作站", FAC_WORKSTATION }, { "警务站", FAC_WORKSTATION },
    { "office", FAC_OFFICE },         { "工作室", FAC_OFFICE },
    { "社区警务工作室", FAC_OFFICE },   { "警务室", FAC_OFFICE },
    { "post", FAC_POST },             { "驻巡站", FAC_POST },
};

int scn__tier_find(const char *w)
{
    for (size_t k = 0; k < sizeof tier_words / sizeof tier_words[0]; k++)
        if (strcasecmp(tier_words[k].word, w) == 0)
            return (int)tier_words[k].tier;
    return -1;
}

static const char *const role_words[ROLE_N] = {
    "grid_car", "post_car", "station_duty", "community", "case_team", "special", "grid_worker"
};

const char *unit_role_name(enum unit_role r)
{
    return (unsigned)r < ROLE_N ? role_words[r] : "?";
}

const char *const scn__class_words[CLS_N] = {
    "criminal", "public_order", "dispute", "help", "traffic", "other"
};

const char *inc_class_name(enum inc_class c)
{
    return (unsigned)c < CLS_N ? scn__class_words[c] : "?";
}

int scn__role_find(const char *w, size_t len)
{
    for (int i = 0; i < ROLE_N; i++)
        if (strlen(role_words[i]) == len && strncmp(role_words[i], w, len) == 0)
            return i;
    return -1;
}

int scn__is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == ';';
}

int scn__parse_roles(const char *s, unsigned *mask, char *bad, size_t nbad)
{
    *mask = 0;
    for (const char *p = s;;) {
        while (scn__is_sep(*p))
            p++;
        if (!*p)
            return 0;
        const char *q = p;
        while (*q && !scn__is_sep(*q))
            q++;
        int r = scn__role_find(p, (size_t)(q - p));
        if (r < 0) {
            snprintf(bad, nbad, "%.*s", (int)(q - p), p);
            return -1;
        }
        *mask |= 1u << r;
        p = q;
    }
}
