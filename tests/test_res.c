/* test_res.c - result layouts: res_find's index gives what a scan of the
 * slots gives (the first slot of a name, -1 for an absent one) through
 * every growth of the layout, and res_lookup parses names back to slots. */
#include <stdio.h>
#include <string.h>
#include "res.h"
#include "tcheck.h"

/* The oracle: the first slot of the name, by a scan. */
static long scan(const struct res_layout *L, const char *section, const char *metric,
                 const char *key)
{
    for (size_t i = 0; i < L->n; i++)
        if (!strcmp(L->slot[i].section, section) && !strcmp(L->slot[i].metric, metric) &&
            !strcmp(L->slot[i].key, key ? key : ""))
            return (long)i;
    return -1;
}

static const char *const sections[] = { "all", "unit", "grid", "station", "hour" };
static const char *const metrics[] = { "utilisation", "incidents", "first_contact_rate", "a",
                                       "ab" };

/* n slots named from a small alphabet, so that names repeat (duplicates:
 * the first wins) and keys run through "", "b", "bc" as parts of others. */
static void fill(struct res_layout *L, int n, unsigned seed)
{
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        char key[32];
        unsigned r = seed >> 8;
        if (r % 7 == 0)
            key[0] = 0;
        else
            snprintf(key, sizeof key, "%s%u", r % 3 ? "U" : "bc", (r >> 4) % 4000);
        res_add(L, sections[(r >> 16) % 5], metrics[(r >> 20) % 5], *key ? key : NULL);
    }
}

static void test_against_scan(void)
{
    struct res_layout L;
    res_layout_init(&L);
    CHECK(res_find(&L, "all", "incidents", NULL) == -1, "an empty layout finds nothing");
    int bad = 0, found = 0, checked = 0;
    for (int step = 0; step < 6; step++) {
        fill(&L, 1500, 7u + (unsigned)step);   /* grows past 64, 128, ... 8192 slots */
        for (int s = 0; s < 5; s++)
            for (int m = 0; m < 5; m++)
                for (int k = -1; k < 4000; k += 7) {
                    char key[32] = "";
                    if (k >= 0)
                        snprintf(key, sizeof key, "%s%d", k % 2 ? "U" : "bc", k);
                    long a = res_find(&L, sections[s], metrics[m], key);
                    long b = scan(&L, sections[s], metrics[m], key);
                    bad += a != b;
                    found += b >= 0;
                    checked++;
                }
    }
    CHECK(bad == 0, "res_find equals the scan on %d names over 6 growths (%d present): %d differ",
          checked, found, bad);
    CHECK(found > 1000 && found < checked, "... some present, some absent (%d of %d)", found,
          checked);
    /* Every slot finds itself or an earlier one of the same name. */
    int self = 0;
    for (size_t i = 0; i < L.n; i++) {
        long j = res_find(&L, L.slot[i].section, L.slot[i].metric, L.slot[i].key);
        self += j == scan(&L, L.slot[i].section, L.slot[i].metric, L.slot[i].key) &&
                j <= (long)i;
    }
    CHECK(self == (int)L.n, "every one of %zu slots finds the first of its name (%d)", L.n, self);
    res_layout_release(&L);
}

/* The newest slots (res_add files them in the index a few slots late):
 * after every add, each of the last 12 slots' names and an absent one
 * give what the scan gives, with names repeating within a few slots. */
static void test_newest(void)
{
    struct res_layout L;
    res_layout_init(&L);
    int bad = 0, checked = 0, dup = 0;
    unsigned seed = 99;
    for (int i = 0; i < 3000; i++) {
        seed = seed * 1103515245u + 12345u;
        char key[16];
        snprintf(key, sizeof key, "k%u", (seed >> 8) % (i < 500 ? 6 : 600));
        res_add(&L, "grid", (seed >> 20) % 2 ? "a" : "ab", key);
        for (size_t j = L.n > 12 ? L.n - 12 : 0; j < L.n; j++) {
            long a = res_find(&L, L.slot[j].section, L.slot[j].metric, L.slot[j].key);
            long b = scan(&L, L.slot[j].section, L.slot[j].metric, L.slot[j].key);
            bad += a != b;
            dup += b < (long)j;
            checked++;
        }
        bad += res_find(&L, "grid", "a", "absent") != -1;
    }
    CHECK(bad == 0, "the newest slots: res_find equals the scan on %d lookups: %d differ",
          checked, bad);
    CHECK(dup > 1000 && dup < checked, "... names met before among them (%d of %d)", dup,
          checked);
    res_layout_release(&L);
}

static void test_parts_and_lookup(void)
{
    struct res_layout L;
    res_layout_init(&L);
    res_add(&L, "unit", "ab", "c");
    res_add(&L, "unit", "a", "bc");
    res_add(&L, "all", "incidents", NULL);
    res_add(&L, "all", "incidents", NULL);      /* a duplicate: the first is found */
    res_add(&L, "unit", "utilisation", "U,07");
    CHECK_INT(res_find(&L, "unit", "ab", "c"), 0);
    CHECK_INT(res_find(&L, "unit", "a", "bc"), 1);
    CHECK_INT(res_find(&L, "unit", "abc", ""), -1);
    CHECK_INT(res_find(&L, "all", "incidents", ""), 2);
    CHECK_INT(res_find(&L, "all", "incidents", NULL), 2);
    CHECK_INT(res_lookup(&L, "incidents"), 2);
    CHECK_INT(res_lookup(&L, "all.incidents"), 2);
    CHECK_INT(res_lookup(&L, "unit.utilisation.U,07"), 4);
    CHECK_INT(res_lookup(&L, "unit.utilisation.U07"), -1);
    CHECK_INT(res_lookup(&L, "unit.ab.c"), 0);
    res_layout_release(&L);
    CHECK(L.n == 0 && L.ht == NULL, "a released layout is empty");
    CHECK_INT(res_find(&L, "unit", "ab", "c"), -1);
}

int main(void)
{
    test_newest();
    test_against_scan();
    test_parts_and_lookup();
    return tc_done();
}
