/* fuzz_csvr.c - libFuzzer target: the streaming CSV reader (sim/csvr.c)
 * on its own, through its public API: every record and field, the typed
 * field parsers, then the header helper with a known column list. */
#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>
#include "csvr.h"

static const char *path;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_workdir();
    path = strdup(fz_path("in.csv"));
    return path ? 0 : 1;
}

/* A refused input must say why, naming the file. */
static void check_msg(const struct perr *e)
{
    if (!memchr(e->msg, '\0', sizeof e->msg) || !strstr(e->msg, "in.csv"))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_write("in.csv", data, size);
    (void)csvr_utf8_bad(data, size);

    struct perr e;
    struct csvr *r = csvr_open(path, &e);
    if (!r)
        abort();    /* the file was just written */
    int rc;
    long prev_line = 0;
    while ((rc = csvr_next(r, &e)) == 1) {
        size_t n = csvr_nfields(r);
        long line = csvr_line(r);
        if (line <= prev_line)
            abort();    /* records start on strictly later lines */
        prev_line = line;
        for (size_t i = 0; i <= n; i++) {
            const char *f = csvr_field(r, i);
            if (!f)
                abort();
            (void)csvr_utf8_bad((const unsigned char *)f, strlen(f));
        }
        for (int i = 0; i < (int)n && i < 8; i++) {
            double d;
            long l;
            struct perr fe;
            if (csvr_double(r, i, "x", -1e9, 1e9, &d, &fe) < 0)
                check_msg(&fe);
            if (csvr_int(r, i, "n", -1000000, 1000000, &l, &fe) < 0)
                check_msg(&fe);
        }
        (void)csvr_get(r, -1);
    }
    if (rc < 0)
        check_msg(&e);
    csvr_close(r);

    static const char *const known[] = { "id", "name", "x", "y", "weight", "polygon", NULL };
    static const char *const required[] = { "id", NULL };
    int col[7];
    r = csvr_open(path, &e);
    if (!r)
        abort();
    if (csvr_header(r, known, required, col, &e) == 0) {
        while ((rc = csvr_next(r, &e)) == 1)
            for (int k = 0; k < 6; k++)
                (void)csvr_get(r, col[k]);
        if (rc < 0)
            check_msg(&e);
    } else {
        check_msg(&e);
    }
    csvr_close(r);
    return 0;
}
