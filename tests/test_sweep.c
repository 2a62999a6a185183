/* test_sweep.c - sweep specifications: values, ranges, lock-step axes,
 * constraints, sweep files, and the messages for bad specifications. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sweep.h"
#include "tcheck.h"
#include "testutil.h"

/* Expands a spec given as flags: each arg is "vary ...", "where ..." or
 * "set ...".  Returns the points' values joined as "a|b;a|b;..." or the
 * error message prefixed with "ERR ". */
static char *expand(const char *const *args, int n)
{
    struct sweep_spec s;
    struct sweep_points P;
    struct perr e = { "" };
    sweep_init(&s);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const char *a = args[i];
        if (!strncmp(a, "vary ", 5))
            rc = sweep_add_vary(&s, a + 5, "--vary", &e);
        else if (!strncmp(a, "where ", 6))
            rc = sweep_add_where(&s, a + 6, "--where", &e);
        else
            rc = sweep_add_set(&s, a + 4, "--set", &e);
    }
    if (rc == 0)
        rc = sweep_finish(&s, &e);
    if (rc == 0)
        rc = sweep_expand(&s, &P, &e);
    char *out;
    if (rc < 0) {
        out = malloc(strlen(e.msg) + 5);
        sprintf(out, "ERR %s", e.msg);
    } else {
        size_t len = 1;
        for (int i = 0; i < P.n * P.n_params; i++)
            len += strlen(P.value[i]) + 1;
        out = malloc(len);
        out[0] = 0;
        for (int i = 0; i < P.n; i++)
            for (int k = 0; k < P.n_params; k++) {
                if (i || k)
                    strcat(out, k ? "|" : ";");
                strcat(out, P.value[i * P.n_params + k]);
            }
        sweep_points_release(&P);
    }
    sweep_release(&s);
    return out;
}

#define EXPECT(want, ...) do { \
    const char *args_[] = { __VA_ARGS__ }; \
    char *got_ = expand(args_, (int)(sizeof args_ / sizeof args_[0])); \
    CHECK_STR(got_, want); \
    free(got_); } while (0)

#define EXPECT_ERR(needle, ...) do { \
    const char *args_[] = { __VA_ARGS__ }; \
    char *got_ = expand(args_, (int)(sizeof args_ / sizeof args_[0])); \
    CHECK(!strncmp(got_, "ERR ", 4), "error expected, got '%s'", got_); \
    CHECK_HAS(got_, needle); \
    free(got_); } while (0)

static void test_values(void)
{
    EXPECT("a;b;c", "vary s.k=a,b,c");
    EXPECT("S2;*1.2;../u 10.csv", "vary s.k= S2 , *1.2, ../u 10.csv");
    EXPECT("1;2;3;4;5;6", "vary units.C3.count=1..6");
    EXPECT("1;3;5", "vary s.k=1..6 step 2");
    EXPECT("10;7;4;1", "vary s.k=10..1 step -3");
    EXPECT("7", "vary s.k=7..7");
    /* 0.3/0.1 < 3 in binary: the count is fixed with a tolerance and each
     * value computed as lo + i*s, so the last one is 0.3, not 0.30000000000000004. */
    EXPECT("0;0.1;0.2;0.3", "vary s.k=0..0.3 step 0.1");
    EXPECT("0.7;0.8;0.9;1;1.1", "vary s.k=0.7..1.1 step 0.1");
    EXPECT("-1;-0.5;0;0.5;1", "vary s.k=-1..1 step 0.5");
    EXPECT("1;2;3", "vary s.k=1.0..3.0");
    EXPECT("1;2;5;7;9;x", "vary s.k=1,2,5..9 step 2,x");
    EXPECT("a,b;c:d", "vary s.k=a\\,b,c:d");
    EXPECT("2021-10-01T08:00", "vary replay.from=2021-10-01T08:00");

    /* 1000 values by lo + i*s: the last is exactly 99.9 after formatting. */
    struct sweep_spec s;
    struct sweep_points P;
    struct perr e;
    sweep_init(&s);
    CHECK(sweep_add_vary(&s, "s.k=0..99.9 step 0.1", "--vary", &e) == 0, "long range");
    CHECK(sweep_finish(&s, &e) == 0 && sweep_expand(&s, &P, &e) == 0, "expand");
    CHECK_INT(P.n, 1000);
    CHECK_STR(P.value[999], "99.9");
    CHECK_STR(P.value[123], "12.3");
    sweep_points_release(&P);
    sweep_release(&s);
}

static void test_factorial(void)
{
    /* The first axis varies slowest. */
    EXPECT("1|x;1|y;2|x;2|y;3|x;3|y", "vary a.n=1..3", "vary b.s=x,y");
    EXPECT("x|1;x|2;x|3;y|1;y|2;y|3", "vary b.s=x,y", "vary a.n=1..3");
    /* Lock-step: the two keys move together; crossed with a third axis. */
    EXPECT("1|5|r;1|5|s;2|4|r;2|4|s;3|3|r;3|3|s",
           "vary units.A.count,units.B.count=1:5,2:4,3:3", "vary c.m=r,s");

    struct sweep_spec s;
    struct sweep_points P;
    struct perr e;
    sweep_init(&s);
    CHECK(sweep_add_vary(&s, "a.x=1..4", "--vary", &e) == 0, "axis 1");
    CHECK(sweep_add_vary(&s, "b.y,b.z=1:2,3:4,5:6", "--vary", &e) == 0, "axis 2");
    CHECK(sweep_add_vary(&s, "c.w=0..1 step 0.25", "--vary", &e) == 0, "axis 3");
    CHECK(sweep_add_set(&s, "d.v = 9", "--set", &e) == 0, "set");
    CHECK(sweep_finish(&s, &e) == 0 && sweep_expand(&s, &P, &e) == 0, "expand");
    CHECK_INT(P.n, 4 * 3 * 5);
    CHECK_INT(P.n_params, 4);
    CHECK_STR(P.name[0], "a.x");
    CHECK_STR(P.name[2], "b.z");
    CHECK_STR(P.name[3], "c.w");
    /* Point 37 = (x index 2, row 1, w index 2). */
    CHECK_STR(P.value[37 * 4 + 0], "3");
    CHECK_STR(P.value[37 * 4 + 2], "4");
    CHECK_STR(P.value[37 * 4 + 3], "0.5");
    char *t = sweep_text(&s);
    CHECK_STR(t, "vary a.x=1,2,3,4\nvary b.y,b.z=1:2,3:4,5:6\n"
                 "vary c.w=0,0.25,0.5,0.75,1\nset d.v=9\n");
    free(t);
    char *as = sweep_assignment(&P, 37);
    CHECK_STR(as, "a.x=3 b.y=3 b.z=4 c.w=0.5");
    free(as);
    sweep_points_release(&P);
    sweep_release(&s);
}

static void test_where(void)
{
    EXPECT("1|3;1|4;2|3", "vary a.n=1..3", "vary b.n=3..4", "where a.n + b.n <= 5");
    EXPECT("2|3;3|4", "vary a.n=1..3", "vary b.n=3..4",
           "where (a.n * 2 - b.n == 1) || a.n % 3 == 0 && b.n > 3");
    EXPECT("1|3;2|4", "vary a.n=1..3", "vary b.n=3..4",
           "where !(a.n - b.n != -2)");
    /* Keys with '-': longest match; subtraction needs spaces. */
    EXPECT("2|1;3|1;3|2", "vary units.URB-comm1.count=1..3", "vary u.k=1..2",
           "where units.URB-comm1.count - u.k > 0");
    /* Text comparison, and a set key in a constraint. */
    EXPECT("S1|2;S2|1;S3|2", "vary u.base=S1,S2,S3", "vary u.n=1..2", "set r.max=3",
           "where (u.base == 'S2' && u.n == 1) || (u.base != \"S2\" && u.n + 1 == r.max)");
    /* Short-circuit: no division by zero when the left side decides. */
    EXPECT("1", "vary a.n=0..1", "where a.n != 0 && 6 / a.n == 6");
    EXPECT("1|1;3|1", "vary a.n=1..3", "vary b.n=1", "where a.n != 2", "where b.n == 1");
    EXPECT("0.5", "vary a.x=0.25,0.5,0.75", "where a.x == 0.5");
    EXPECT("0.5", "vary a.x=0.25,0.5,0.75", "where a.x == 1/2");
}

static void test_errors(void)
{
    EXPECT_ERR("--vary 'units.C3.count': expected KEY=VALUES", "vary units.C3.count");
    EXPECT_ERR("bad key 'count': expected section.key", "vary count=1..3");
    EXPECT_ERR("bad key 'a b.c'", "vary a b.c=1");
    EXPECT_ERR("no values after '='", "vary a.b=");
    EXPECT_ERR("empty value", "vary a.b=1,,2");
    EXPECT_ERR("bad range '1..x'", "vary a.b=1..x");
    EXPECT_ERR("bad range '1..6 stp 2'", "vary a.b=1..6 stp 2");
    EXPECT_ERR("step must not be 0", "vary a.b=1..6 step 0");
    EXPECT_ERR("range '6..1' is empty", "vary a.b=6..1");
    EXPECT_ERR("range '0..1 step -0.5' is empty", "vary a.b=0..1 step -0.5");
    EXPECT_ERR("value '3' appears twice", "vary a.b=1..4,3");
    EXPECT_ERR("value '1:2' appears twice", "vary a.b,a.c=1:2,1:2");
    EXPECT_ERR("key 'a.b' appears twice", "vary a.b,a.b=1:2");
    EXPECT_ERR("row 2 '3' has 1 value, expected 2", "vary a.b,a.c=1:2,3");
    EXPECT_ERR("use --reps", "vary run.replications=5..10");
    EXPECT_ERR("--vary: key 'a.b' is already varied by --vary", "vary a.b=1", "vary a.b=2");
    EXPECT_ERR("--set: key 'a.b' is already varied by --vary", "vary a.b=1,2", "set a.b=3");
    EXPECT_ERR("at least one --vary", "set a.b=3");
    EXPECT_ERR("--where 'a.n + c.m > 1': unknown parameter 'c.m'; a constraint can name the "
               "varied and set keys: a.n", "vary a.n=1", "where a.n + c.m > 1");
    EXPECT_ERR("'=' is not an operator (use '==')", "vary a.n=1", "where a.n = 1");
    EXPECT_ERR("expected ')' at column 9", "vary a.n=1", "where (a.n > 1");
    EXPECT_ERR("unexpected text at column 5", "vary a.n=1", "where a.n 2");
    EXPECT_ERR("unterminated string", "vary a.n=1", "where a.n == 'x");
    EXPECT_ERR("unexpected end of constraint", "vary a.n=1", "where a.n >");
    EXPECT_ERR("'u.base' is 'S1', not a number (at u.base=S1)", "vary u.base=S1,S2",
               "where u.base > 1");
    EXPECT_ERR("division by zero (at a.n=0)", "vary a.n=0..1", "where 1 / a.n > 0");
    EXPECT_ERR("is a text, not a condition", "vary a.n=1", "where 'x'");
    EXPECT_ERR("no point of the sweep satisfies the constraints", "vary a.n=1..3",
               "where a.n > 5");
    EXPECT_ERR("more than 10000000 points", "vary a.n=1..10000", "vary b.n=1..10000");
}

static void test_file(void)
{
    char *dir = tu_tmpdir();
    tu_write(dir, "ok.sweep",
             "# Chongqing staffing\n"
             "vary units.URB-comm1.count = 1..3   # officers\n"
             "\n"
             "  vary incidents.rate_per_day=35,42\n"
             "where units.URB-comm1.count * incidents.rate_per_day < 100\n"
             "set run.horizon_days=16\n");
    struct sweep_spec s;
    struct sweep_points P;
    struct perr e;
    char path[512];
    snprintf(path, sizeof path, "%s/ok.sweep", dir);
    sweep_init(&s);
    CHECK(sweep_read_file(&s, path, &e) == 0, "read ok.sweep");
    CHECK(sweep_finish(&s, &e) == 0 && sweep_expand(&s, &P, &e) == 0, "expand ok.sweep");
    CHECK_INT(P.n, 4);      /* (1,35) (1,42) (2,35) (2,42) */
    CHECK_STR(P.value[5], "35");
    CHECK_INT(s.n_set, 1);
    CHECK_STR(s.set_value[0], "16");
    sweep_points_release(&P);
    sweep_release(&s);

    static const struct { const char *text, *msg; } bad[] = {
        { "vary a.b=1\nvery c.d=2\n", "bad.sweep:2: expected a 'vary', 'where' or 'set' line, got 'very'" },
        { "# only\nvary a.b=1..x\n", "bad.sweep:2: vary 'a.b=1..x': bad range '1..x'" },
        { "vary a.b=1\nset c.d\n", "bad.sweep:2: set 'c.d': expected KEY=VALUE" },
        { "vary a.b=1\n\nwhere a.b > z.z\n", "bad.sweep:3: where 'a.b > z.z': unknown parameter 'z.z'" },
        { "vary a.b=1\nvary c.d=1\nvary a.b=2\n", "bad.sweep:3: vary: key 'a.b' is already varied by /" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tu_write(dir, "bad.sweep", bad[i].text);
        snprintf(path, sizeof path, "%s/bad.sweep", dir);
        sweep_init(&s);
        int rc = sweep_read_file(&s, path, &e);
        if (rc == 0)
            rc = sweep_finish(&s, &e);
        CHECK(rc < 0, "bad file %zu rejected", i);
        CHECK_HAS(rc < 0 ? e.msg : "", bad[i].msg);
        sweep_release(&s);
    }
    snprintf(path, sizeof path, "%s/missing.sweep", dir);
    sweep_init(&s);
    CHECK(sweep_read_file(&s, path, &e) < 0, "missing file");
    CHECK_HAS(e.msg, "missing.sweep: cannot open sweep file: No such file");
    sweep_release(&s);
    tu_rmrf(dir);
    free(dir);
}

int main(void)
{
    test_values();
    test_factorial();
    test_where();
    test_errors();
    test_file();
    return tc_done();
}
