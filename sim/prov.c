/* prov.c - provenance of a result set: version, scenario, seed, overrides
 * and the SHA-256 of every input (nettle, so digests match `sha256sum`).
 *
 * The resolved-scenario hash digests, in a fixed textual form: the model
 * name, the program version, each input's path relative to the scenario
 * folder and digest, the seed, horizon and warm-up, and the overrides in
 * the order given (order matters: a later override wins).  The number of
 * replications is left out on purpose, so that a stored sweep can be
 * extended by more replications.
 */
#include <jansson.h>
#include <nettle/sha2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "outf.h"
#include "prov.h"

static void to_hex(const uint8_t *d, char out[PROV_HEX])
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[64] = '\0';
}

void prov_sha256(const void *data, size_t n, char out[PROV_HEX])
{
    struct sha256_ctx c;
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_init(&c);
    sha256_update(&c, n, data);
    sha256_digest(&c, SHA256_DIGEST_SIZE, d);
    to_hex(d, out);
}

int prov_sha256_file(const char *path, char out[PROV_HEX], struct perr *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_sys(e, "%s: cannot read for its checksum", path);
    struct sha256_ctx c;
    uint8_t buf[1 << 16], d[SHA256_DIGEST_SIZE];
    size_t n;
    sha256_init(&c);
    while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
        sha256_update(&c, n, buf);
    int bad = ferror(fp);
    fclose(fp);
    if (bad)
        return err_sys(e, "%s: read error", path);
    sha256_digest(&c, SHA256_DIGEST_SIZE, d);
    to_hex(d, out);
    return 0;
}

/* Path of an input relative to the scenario folder when it lies inside it,
 * so that the hash does not depend on where the folder is checked out. */
static const char *rel_path(const char *dir, const char *path)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (!strncmp(path, dir, n) && path[n] == '/')
        return path + n + 1;
    return path;
}

struct sbuf {
    char *p;
    size_t n, cap;
};

static void sb_add(struct sbuf *b, const char *fmt, ...) ERR_PRINTF(2, 3);
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        PS_ASSERT(k >= 0);
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = 2 * b->cap + (size_t)k + 64;
        b->p = xrealloc(b->p, b->cap);
    }
}

int prov_init(struct prov *pv, const struct model_type *mt, const struct model *m,
              const char *dir, const struct model_override *ov, int n_ov, struct perr *e)
{
    memset(pv, 0, sizeof *pv);
    struct model_info info;
    mt->info(m, &info);
    pv->version = PATROLSIM_VERSION;
    pv->model = mt->name;
    pv->scenario_dir = xstrdup(dir);
    pv->scenario_name = xstrdup(info.name);
    pv->seed = info.seed;
    pv->reps = info.reps;
    pv->horizon_days = info.horizon_days;
    pv->warmup_days = info.warmup_days;
    pv->n_ov = n_ov;
    pv->ov = xcalloc((size_t)(n_ov ? n_ov : 1), sizeof(char *));
    for (int i = 0; i < n_ov; i++) {
        size_t k = strlen(ov[i].section) + strlen(ov[i].key) + strlen(ov[i].value) + 3;
        pv->ov[i] = xmalloc(k);
        snprintf(pv->ov[i], k, "%s.%s=%s", ov[i].section, ov[i].key, ov[i].value);
    }
    const char *const *paths = NULL;
    pv->n_inputs = mt->inputs(m, &paths);
    pv->input = xcalloc((size_t)(pv->n_inputs ? pv->n_inputs : 1), sizeof(char *));
    pv->sha256 = xcalloc((size_t)(pv->n_inputs ? pv->n_inputs : 1), sizeof *pv->sha256);
    struct sbuf b = { xmalloc(256), 0, 256 };
    sb_add(&b, "model %s\nversion %s\n", pv->model, pv->version);
    for (int i = 0; i < pv->n_inputs; i++) {
        pv->input[i] = xstrdup(paths[i]);
        if (prov_sha256_file(paths[i], pv->sha256[i], e) < 0) {
            free(b.p);
            prov_release(pv);
            return -1;
        }
        sb_add(&b, "input %s %s\n", rel_path(dir, paths[i]), pv->sha256[i]);
    }
    /* %.17g: every double that differs gives a different hash. */
    sb_add(&b, "seed %llu\nhorizon_days %.17g\nwarmup_days %.17g\n",
           (unsigned long long)pv->seed, pv->horizon_days, pv->warmup_days);
    for (int i = 0; i < n_ov; i++)
        if (strcmp(ov[i].section, "run") || strcmp(ov[i].key, "replications"))
            sb_add(&b, "override %s\n", pv->ov[i]);
    prov_sha256(b.p, b.n, pv->hash);
    free(b.p);
    return 0;
}

void prov_release(struct prov *pv)
{
    for (int i = 0; i < pv->n_ov; i++)
        free(pv->ov[i]);
    for (int i = 0; i < pv->n_inputs; i++)
        free(pv->input[i]);
    free(pv->ov);
    free(pv->input);
    free(pv->sha256);
    free(pv->scenario_dir);
    free(pv->scenario_name);
    memset(pv, 0, sizeof *pv);
}

void *prov_json(const struct prov *pv)
{
    json_t *o = json_object(), *ov = json_array(), *in = json_array();
    json_object_set_new(o, "program", json_string("patrolsim"));
    json_object_set_new(o, "version", json_string(pv->version));
    json_object_set_new(o, "model", json_string(pv->model));
    json_object_set_new(o, "scenario", json_string(pv->scenario_name));
    json_object_set_new(o, "scenario_dir", json_string(pv->scenario_dir));
    json_object_set_new(o, "seed", json_integer((json_int_t)pv->seed));
    json_object_set_new(o, "replications", json_integer(pv->reps));
    json_object_set_new(o, "horizon_days", json_real(pv->horizon_days));
    json_object_set_new(o, "warmup_days", json_real(pv->warmup_days));
    for (int i = 0; i < pv->n_ov; i++)
        json_array_append_new(ov, json_string(pv->ov[i]));
    json_object_set_new(o, "overrides", ov);
    for (int i = 0; i < pv->n_inputs; i++) {
        json_t *f = json_object();
        json_object_set_new(f, "path", json_string(pv->input[i]));
        json_object_set_new(f, "sha256", json_string(pv->sha256[i]));
        json_array_append_new(in, f);
    }
    json_object_set_new(o, "inputs", in);
    json_object_set_new(o, "scenario_hash", json_string(pv->hash));
    return o;
}

int prov_write(const struct prov *pv, struct outf *o, const char *dir, struct perr *e)
{
    FILE *fp = outf_open(o, dir, "provenance.json", e);
    if (!fp)
        return -1;
    json_t *j = prov_json(pv);
    int rc = json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(j);
    fputc('\n', fp);
    if (rc < 0)
        return err_set(e, "%s/provenance.json: cannot write", dir);
    return 0;
}
