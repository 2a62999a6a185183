/* scn_travel.c - the [travel] inputs: which files the chosen model reads,
 * checked against each other, recorded as inputs, and the travel model
 * built from them (trv_build) once grids, facilities and units are known.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"
#include "trv.h"

struct tkey {
    const char *key;
    size_t off;            /* offsetof the char * in struct scn */
    unsigned models;       /* bit per enum trv_kind that reads it */
};

#define BIT(k) (1u << (k))
static const struct tkey tkeys[] = {
    { "matrix", offsetof(struct scn, trv_matrix), BIT(TRV_KIND_MATRIX) },
    { "road_nodes", offsetof(struct scn, road_nodes), BIT(TRV_KIND_ROAD) },
    { "road_edges", offsetof(struct scn, road_edges), BIT(TRV_KIND_ROAD) },
    { "road_geojson", offsetof(struct scn, road_geojson), BIT(TRV_KIND_ROAD) },
    { "road_classes", offsetof(struct scn, road_classes), BIT(TRV_KIND_ROAD) },
    { "speed_bands", offsetof(struct scn, speed_bands),
      BIT(TRV_KIND_METRIC) | BIT(TRV_KIND_MATRIX) | BIT(TRV_KIND_ROAD) },
};

static char **field(struct scn *s, const struct tkey *k)
{
    return (char **)((char *)s + k->off);
}

static int key_err(struct ld *L, const char *key, const char *fmt, ...) ERR_PRINTF(3, 4);
/* "path:LINE: [travel] ..." at the line that set key. */
static int key_err(struct ld *L, const char *key, const char *fmt, ...)
{
    char w[512], m[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    scn__where(L->s, scn__key_line(L->s, "travel", key), w, sizeof w);
    return err_set(L->e, "%s[travel] %s", w, m);
}

void scn__travel_warnings(struct ld *L, void (*warn)(struct ld *, const char *))
{
    const struct scn *s = L->s;
    static const char *const names[] = { "metric", "matrix", "road" };
    char w[512], m[ERR_MSG_MAX];
    for (size_t i = 0; i < sizeof tkeys / sizeof *tkeys; i++) {
        int line = scn__key_line(s, "travel", tkeys[i].key);
        if (line && !(tkeys[i].models >> s->travel_model & 1)) {
            scn__where(s, line, w, sizeof w);
            snprintf(m, sizeof m, "%s[travel] %s: not read by model = %s (ignored)", w,
                     tkeys[i].key, names[s->travel_model]);
            warn(L, m);
        }
    }
    static const char *const metric_keys[] = { "metric", "circuity" };
    for (int i = 0; i < 2 && s->travel_model != TRV_KIND_METRIC; i++) {
        int line = scn__key_line(s, "travel", metric_keys[i]);
        if (line) {
            scn__where(s, line, w, sizeof w);
            snprintf(m, sizeof m, "%s[travel] %s: only the metric model reads it; model = %s "
                     "ignores it", w, metric_keys[i], names[s->travel_model]);
            warn(L, m);
        }
    }
    static const char *const road_keys[] = { "offroad_kmh", "offroad_max_km" };
    for (int i = 0; i < 2 && s->travel_model != TRV_KIND_ROAD; i++) {
        int line = scn__key_line(s, "travel", road_keys[i]);
        if (line) {
            scn__where(s, line, w, sizeof w);
            snprintf(m, sizeof m, "%s[travel] %s: only the road model reads it; model = %s "
                     "ignores it", w, road_keys[i], names[s->travel_model]);
            warn(L, m);
        }
    }
}

int scn__load_travel(struct ld *L)
{
    struct scn *s = L->s;
    if (s->travel_model == TRV_KIND_MATRIX && !s->trv_matrix)
        return key_err(L, "model", "model = matrix: expected a `matrix` file");
    if (s->travel_model == TRV_KIND_ROAD) {
        bool csv = s->road_nodes || s->road_edges;
        if (csv && s->road_geojson)
            return key_err(L, "road_geojson", "road_geojson: expected either `road_geojson` "
                                              "or `road_nodes` + `road_edges`, not both");
        if (!s->road_geojson && (!s->road_nodes || !s->road_edges))
            return key_err(L, "model", "model = road: expected %s",
                           s->road_nodes ? "a `road_edges` file"
                           : s->road_edges ? "a `road_nodes` file"
                                           : "`road_nodes` + `road_edges` or `road_geojson`");
    }
    /* Files of another model are not read (scn_check.c warns), so that
     * `--set travel.model=metric` compares a road scenario as it is. */
    for (size_t i = 0; i < sizeof tkeys / sizeof *tkeys; i++) {
        char **f = field(s, &tkeys[i]);
        if (*f && tkeys[i].models >> s->travel_model & 1)
            scn__input_add(s, scn__path(s, *f));
    }
    s->trv = trv_build(s, L->e);
    return s->trv ? 0 : -1;
}
