/* fuzz_common.c - the work folder of the fuzz targets (fuzz_common.h). */
#include "fuzz_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "scn.h"

/* Set by tools/fuzz.sh at compile time; $FUZZ_REPO overrides it. */
#ifndef FUZZ_REPO_DEFAULT
#define FUZZ_REPO_DEFAULT "."
#endif

static char work[4096];
static char scn_dir[4200];

static void die(const char *what, const char *path)
{
    fprintf(stderr, "fuzz setup: %s %s: %s\n", what, path, errno ? strerror(errno) : "");
    exit(1);
}

static const char *repo_path(const char *rel)
{
    static char buf[8192];
    const char *repo = getenv("FUZZ_REPO");
    snprintf(buf, sizeof buf, "%s/%s", repo && *repo ? repo : FUZZ_REPO_DEFAULT, rel);
    return buf;
}

const char *fz_path(const char *rel)
{
    static char buf[8192];
    snprintf(buf, sizeof buf, "%s/%s", work, rel);
    return buf;
}

static void cleanup(void)
{
    /* A normal exit removes the folder; after a crash it stays for a look. */
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", work);
}

const char *fz_workdir(void)
{
    if (*work)
        return work;
    const char *base = getenv("FUZZ_WORK");
    snprintf(work, sizeof work, "%s/scn.XXXXXX", base && *base ? base : ".");
    if (!mkdtemp(work))
        die("cannot create a folder like", work);
    atexit(cleanup);
    snprintf(scn_dir, sizeof scn_dir, "%s/s", work);
    return work;
}

void fz_write(const char *rel, const uint8_t *data, size_t size)
{
    char path[8192];
    snprintf(path, sizeof path, "%s", fz_path(rel));
    for (char *p = path + strlen(work) + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            die("cannot create", path);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        die("cannot write", path);
}

static void copy_in(const char *to, const char *from)
{
    static uint8_t buf[1 << 20];
    const char *src = repo_path(from);
    FILE *f = fopen(src, "rb");
    if (!f)
        die("cannot read", src);
    size_t n = fread(buf, 1, sizeof buf, f);
    if (ferror(f) || !feof(f))
        die("cannot read all of (over 1 MiB?)", src);
    fclose(f);
    fz_write(to, buf, n);
}

const char *fz_setup_target(const char *target)
{
    static char fuzzed[512];
    const char *mpath = repo_path("tests/fuzz/targets.txt");
    FILE *m = fopen(mpath, "r");
    if (!m)
        die("cannot read", mpath);
    fz_workdir();
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    while (!found && getline(&line, &cap, m) > 0) {
        char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
        if (!tok || *tok == '#' || strcmp(tok, target) != 0)
            continue;
        found = 1;
        tok = strtok_r(NULL, " \t\r\n", &save);
        if (!tok || strncmp(tok, "s/", 2) != 0)
            die("no fuzzed file s/... for this target in", mpath);
        snprintf(fuzzed, sizeof fuzzed, "%s", tok);
        while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
            char *eq = strchr(tok, '=');
            if (!eq)
                die("expected TO=FROM in", mpath);
            *eq = '\0';
            copy_in(tok, eq + 1);
        }
    }
    free(line);
    fclose(m);
    if (!found) {
        errno = 0;
        die("no line for this target in", mpath);
    }
    return fuzzed;
}

void fz_load_with(const char *rel, const uint8_t *data, size_t size)
{
    fz_write(rel, data, size);
    struct perr e;
    memset(&e, 0, sizeof e);
    struct scn *s = scn_load(scn_dir, NULL, 0, &e);
    if (!s && (e.msg[0] == '\0' || !memchr(e.msg, '\0', sizeof e.msg))) {
        fprintf(stderr, "fuzz: scenario refused without a message\n");
        abort();
    }
    /* FUZZ_VERBOSE=1 tells how each input fared (to check that the seeds
     * reach the fuzzed file: run the target on them as arguments). */
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s\n", s ? "loaded" : e.msg);
    scn_free(s);
}
