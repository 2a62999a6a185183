/* scn_keydoc.c - the key reference, generated from the key table: the
 * markdown block of docs/scenario-format.md (tests/test_keys.c keeps the two
 * equal) and `patrolsim keys [--markdown]`.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

static const char *type_name(const struct scn_keydef *k)
{
    switch (k->type) {
    case SCN_KT_TEXT: return "text";
    case SCN_KT_FILE: return "file";
    case SCN_KT_COLUMN: return "column name";
    case SCN_KT_U64: return "unsigned 64-bit integer";
    case SCN_KT_INT: return "integer";
    case SCN_KT_DOUBLE: return "number";
    case SCN_KT_BOOL: return "boolean";
    case SCN_KT_WORD: return "word";
    case SCN_KT_TIME: return "date-time";
    case SCN_KT_OFFSET: return "UTC offset";
    }
    return "?";
}

static void allowed(const struct scn_keydef *k, char *buf, size_t n)
{
    buf[0] = '\0';
    switch (k->type) {
    case SCN_KT_INT:
        snprintf(buf, n, "%.15g .. %.15g", k->lo, k->hi);
        return;
    case SCN_KT_DOUBLE: {
        int has_lo = k->lo != -INFINITY, has_hi = k->hi != INFINITY;
        if (has_lo && has_hi && !k->lo_open && !k->hi_open)
            snprintf(buf, n, "%.15g .. %.15g", k->lo, k->hi);
        else if (has_lo && has_hi)
            snprintf(buf, n, "%s %.15g and %s %.15g", k->lo_open ? ">" : ">=", k->lo,
                     k->hi_open ? "<" : "<=", k->hi);
        else if (has_lo)
            snprintf(buf, n, "%s %.15g", k->lo_open ? ">" : ">=", k->lo);
        else if (has_hi)
            snprintf(buf, n, "%s %.15g", k->hi_open ? "<" : "<=", k->hi);
        return;
    }
    case SCN_KT_U64:
        snprintf(buf, n, "0 .. 18446744073709551615");
        return;
    case SCN_KT_BOOL:
        snprintf(buf, n, "true/false, yes/no, on/off, 1/0");
        return;
    case SCN_KT_WORD: {
        size_t used = 0;
        for (int i = 0; k->words[i]; i++) {
            int m = snprintf(buf + used, n - used, "%s`%s`", i ? ", " : "", k->words[i]);
            if (m < 0 || (size_t)m >= n - used)
                return;
            used += (size_t)m;
        }
        return;
    }
    case SCN_KT_TIME:
        snprintf(buf, n, "YYYY-MM-DD[THH:MM[:SS]], no offset");
        return;
    case SCN_KT_OFFSET:
        snprintf(buf, n, "`Z`, `+HH:MM`, `-HHMM`, `UTC+HH`");
        return;
    case SCN_KT_TEXT:
    case SCN_KT_FILE:
    case SCN_KT_COLUMN:
        if (k->noun)
            snprintf(buf, n, "%s", k->noun);
        if (k->flags & SCN_KF_EMPTY_OK) {
            size_t m = strlen(buf);
            snprintf(buf + m, n - m, "%sempty allowed", m ? "; " : "");
        }
        return;
    }
}

static void dflt_text(const struct scn_keydef *k, char *buf, size_t n)
{
    if (k->flags & SCN_KF_REQUIRED)
        snprintf(buf, n, "required");
    else if (k->dflt_doc)
        snprintf(buf, n, "%s", k->dflt_doc);
    else if (k->dflt && !*k->dflt)
        snprintf(buf, n, "empty");
    else if (k->dflt)
        snprintf(buf, n, "`%s`", k->dflt);
    else
        snprintf(buf, n, "none");
}

/* A table cell: '|' escaped. */
static void cell(FILE *fp, const char *s)
{
    fputc(' ', fp);
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', fp);
        fputc(*s, fp);
    }
    fputs(" |", fp);
}

void scn_keys_markdown(FILE *fp)
{
    fprintf(fp, "Generated from the key table (models/scn_keys.c) by `patrolsim keys "
                "--markdown`; do not edit by hand.\n");
    for (const char *const *sec = scn__sections(); *sec; sec++) {
        fprintf(fp, "\n#### [%s]\n\n", *sec);
        fprintf(fp, "| Key | Type | Default | Allowed | Unit | Meaning |\n");
        fprintf(fp, "|-----|------|---------|---------|------|---------|\n");
        for (int i = 0; i < scn_n_keys; i++) {
            const struct scn_keydef *k = &scn_keys[i];
            if (strcmp(k->section, *sec) != 0)
                continue;
            char name[96], buf[512];
            snprintf(name, sizeof name, "`%s`", k->name);
            fputc('|', fp);
            cell(fp, name);
            cell(fp, type_name(k));
            dflt_text(k, buf, sizeof buf);
            cell(fp, buf);
            allowed(k, buf, sizeof buf);
            cell(fp, buf);
            cell(fp, k->unit ? k->unit : "");
            cell(fp, k->doc);
            fputc('\n', fp);
        }
    }
}

static void keys_text(FILE *fp)
{
    const char *prev = "";
    for (int i = 0; i < scn_n_keys; i++) {
        const struct scn_keydef *k = &scn_keys[i];
        char d[256], a[512];
        if (strcmp(prev, k->section) != 0)
            fprintf(fp, "%s[%s]\n", i ? "\n" : "", k->section);
        prev = k->section;
        dflt_text(k, d, sizeof d);
        allowed(k, a, sizeof a);
        fprintf(fp, "  %-24s %s%s%s%s, default %s%s%s\n      %s\n", k->name, type_name(k),
                k->unit ? " (" : "", k->unit ? k->unit : "", k->unit ? ")" : "", d,
                *a ? "; " : "", a, k->doc);
    }
}

int scn_cmd_keys(int argc, char **argv)
{
    int md = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: patrolsim keys [--markdown]\n\n"
                   "Lists every scenario.ini key: section, name, type, default, allowed\n"
                   "values, unit and meaning.  --markdown prints the reference block of\n"
                   "docs/scenario-format.md.\n");
            return EXIT_OK;
        }
        if (strcmp(argv[i], "--markdown") == 0) {
            md = 1;
            continue;
        }
        fprintf(stderr, "patrolsim keys: unknown option '%s'\nusage: patrolsim keys "
                "[--markdown]\n", argv[i]);
        return EXIT_USAGE;
    }
    if (md)
        scn_keys_markdown(stdout);
    else
        keys_text(stdout);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
