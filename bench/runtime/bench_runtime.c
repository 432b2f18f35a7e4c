/* Runtime overhead benchmarks of issue 5 (not a test): latent marks on fib(35) vs plain recursive
 * C at 1 thread; the parallel sum of 10^8 doubles (rt_reduce) at 1 thread vs a plain loop and at
 * 2 threads; the cost of a fork mark push+pop and of a promoted task (spawn + join); the achieved
 * heartbeat rate. Median of R runs each. Usage: bench_runtime [runs] (default 5). */
#include <string.h>
#include <sys/resource.h>

#include "test_sched_util.h" /* tests/unit: clocks, CHECK, tfib (the codegen protocol) */

/* CPU time of the whole process (all workers, spinning included): the work a 2-thread run spends */
static double proc_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return v[n / 2];
}

/* ---- fib */
__attribute__((noinline)) static int64_t fib_plain(int64_t n) {
    return n < 2 ? n : fib_plain(n - 1) + fib_plain(n - 2);
}

typedef struct { int64_t n; } fib_env;

/* the same two functions with pf's calling convention around them (docs/internals.md): the entry
 * check (stack limit doubling as the poll, RT_ENTER) and an exception test after every call;
 * without and with marks */
static int64_t fib_conv(pf_ctx *ctx, int64_t n) {
    if (RT_ENTER(ctx))
        return 0;
    int64_t r = n;
    if (n >= 2) {
        int64_t a = fib_conv(ctx, n - 1);
        if (ctx->exc)
            goto out;
        int64_t b = fib_conv(ctx, n - 2);
        if (ctx->exc)
            goto out;
        r = a + b;
    }
out:
    return r;
}
static int64_t fib_conv_marks(pf_ctx *ctx, int64_t n);
static void fib_conv_thunk(pf_ctx *ctx, void *env, void *result) {
    *(int64_t *)result = fib_conv_marks(ctx, ((fib_env *)env)->n);
}
static int64_t fib_conv_marks(pf_ctx *ctx, int64_t n) {
    if (RT_ENTER(ctx))
        return 0;
    int64_t r = n;
    if (n >= 2) {
        int64_t a, b = 0;
        fib_env e = {n - 2};
        rt_fork m;
        int pushed = rt_fork_push(ctx, &m);
        if (pushed) {
            m.fn = fib_conv_thunk;
            m.env = &e;
            m.result = &b;
            m.share = NULL;
        }
        a = fib_conv_marks(ctx, n - 1);
        if (!pushed || rt_mark_pop(ctx, &m.m)) {
            if (!ctx->exc)
                b = fib_conv_marks(ctx, n - 2);
        } else {
            rt_fork_join(ctx, &m);
        }
        if (ctx->exc)
            goto out;
        r = a + b;
    }
out:
    return r;
}

typedef struct { int64_t n, out; double secs, cpu; int conv; } fib_arg;
static int64_t fib_kernel(pf_ctx *ctx, int64_t n, int conv) {
    return conv == 1 ? fib_conv(ctx, n) : conv == 2 ? fib_conv_marks(ctx, n) : tfib(ctx, n);
}
static void fib_main(pf_ctx *ctx, void *arg) {
    fib_arg *a = arg;
    double t0 = now_s(), c0 = cpu_s();
    a->out = fib_kernel(ctx, a->n, a->conv);
    a->secs = now_s() - t0;
    a->cpu = cpu_s() - c0;
}
/* The same kernel on a standalone ctx whose mark window is forced open: every fork is recorded
 * (the protocol's cost before the window, or when every fork is near the oldest promotable one). */
static double fib_open(int64_t n, int conv, int64_t expect) {
    static rt_mark *slots[4096];
    pf_ctx c;
    rt_ctx_init(&c);
    c.marks = slots;
    c.mcap = c.mlimit = 4096;
    double c0 = cpu_s();
    int64_t r = fib_kernel(&c, n, conv);
    double t = cpu_s() - c0;
    CHECK(r == expect && c.mtop == 0);
    return t;
}

/* ---- sum */
static double *xs;
#define N 100000000LL
static void sum_body(pf_ctx *ctx, void *env, int64_t lo, int64_t hi, void *acc) {
    (void)ctx;
    (void)env;
    double s = *(double *)acc;
    for (int64_t i = lo; i < hi; i++)
        s += xs[i];
    *(double *)acc = s;
}
static void sum_init(void *env, void *acc) { (void)env; *(double *)acc = 0.0; }
static void sum_comb(pf_ctx *ctx, void *env, void *acc, void *rhs) {
    (void)ctx;
    (void)env;
    *(double *)acc += *(double *)rhs;
}
static const rt_loop_desc sum_desc = {sum_body, NULL, sizeof(double), sum_init, sum_comb, NULL, 0, NULL, 0};
typedef struct { double out, secs, cpu; } sum_arg;
static void sum_main(pf_ctx *ctx, void *arg) {
    sum_arg *a = arg;
    double t0 = now_s(), c0 = cpu_s();
    rt_reduce(ctx, &sum_desc, 0, N, &a->out);
    a->secs = now_s() - t0;
    a->cpu = cpu_s() - c0;
}
__attribute__((noinline)) static double sum_plain(const double *v, int64_t n) {
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += v[i];
    return s;
}

/* ---- spawn + join of a promoted (real) task */
static void empty(pf_ctx *ctx, void *env, void *result) {
    (void)ctx;
    (void)env;
    *(int *)result = 1;
}
typedef struct { int n; double secs; } spawn_arg;
static void spawn_main(pf_ctx *ctx, void *arg) {
    spawn_arg *a = arg;
    int r;
    double t0 = cpu_s();
    for (int i = 0; i < a->n; i++) {
        rt_task *t = rt_spawn(ctx, empty, NULL, &r);
        rt_join(ctx, t);
    }
    a->secs = cpu_s() - t0;
}

static rt_runtime *open_n(int threads) {
    rt_options o;
    rt_options_init(&o);
    o.threads = threads;
    o.workspan = 0;
    o.trace_path = NULL;
    return rt_open(&o);
}

int main(int argc, char **argv) {
    int R = argc > 1 ? atoi(argv[1]) : 5;
    if (R < 1 || R > 99)
        R = 5;
    double tp[99], tm[99], to[99], tm2[99], sp[99], s1[99], s2[99], sj[99], tc[99], tcm[99], tco[99];
    double tmw[99], s1w[99]; /* wall times of the 1-thread runs, for the speedups */
    double pc1[99], pc2[99]; /* process CPU time of the 1- and 2-worker fib runs */
    const int64_t FN = 35;

    /* fib */
    rt_runtime *rt1 = open_n(1), *rt2 = open_n(2);
    if (!rt1 || !rt2)
        return 1;
    for (int r = 0; r < R; r++) {
        double t0 = cpu_s();
        volatile int64_t f = fib_plain(FN);
        tp[r] = cpu_s() - t0;
        fib_arg a = {FN, 0, 0, 0, 0};
        double p0 = proc_cpu();
        rt_run(rt1, fib_main, &a, NULL);
        pc1[r] = proc_cpu() - p0;
        tm[r] = a.cpu;
        tmw[r] = a.secs;
        fib_arg b = {FN, 0, 0, 0, 0};
        p0 = proc_cpu();
        rt_run(rt2, fib_main, &b, NULL);
        pc2[r] = proc_cpu() - p0;
        tm2[r] = b.secs;
        fib_arg c = {FN, 0, 0, 0, 1}, d = {FN, 0, 0, 0, 2};
        rt_run(rt1, fib_main, &c, NULL);
        tc[r] = c.cpu;
        rt_run(rt1, fib_main, &d, NULL);
        tcm[r] = d.cpu;
        to[r] = fib_open(FN, 0, f);
        tco[r] = fib_open(FN, 2, f);
        CHECK(a.out == f && b.out == f && c.out == f && d.out == f);
    }
    /* sum */
    xs = malloc((size_t)N * sizeof *xs);
    if (!xs)
        return 1;
    for (int64_t i = 0; i < N; i++)
        xs[i] = 1.0 / (double)(i + 1);
    for (int r = 0; r < R; r++) {
        double t0 = cpu_s();
        volatile double s = sum_plain(xs, N);
        sp[r] = cpu_s() - t0;
        (void)s;
        sum_arg a = {0, 0, 0}, b = {0, 0, 0};
        rt_run(rt1, sum_main, &a, NULL);
        s1[r] = a.cpu;
        s1w[r] = a.secs;
        rt_run(rt2, sum_main, &b, NULL);
        s2[r] = b.secs;
        if (memcmp(&a.out, &b.out, sizeof a.out) != 0)
            return 1;
    }
    /* spawn + join */
    for (int r = 0; r < R; r++) {
        spawn_arg a = {1000000, 0};
        rt_run(rt1, spawn_main, &a, NULL);
        sj[r] = a.secs / a.n * 1e9;
    }
    rt_stats st;
    rt_stats_get(rt2, &st, NULL);
    double calls = 2.0 * 14930352 - 1; /* fib(35) calls */
    double fp = median(tp, R), fm = median(tm, R), fo = median(to, R), fm2 = median(tm2, R);
    double sP = median(sp, R), sum1 = median(s1, R), sum2 = median(s2, R);
    double fmw = median(tmw, R), sum1w = median(s1w, R);
    double fc = median(tc, R), fcm = median(tcm, R), fco = median(tco, R);
    printf("pf runtime benchmarks (median of %d runs; 1-thread ratios in thread CPU time, speedups "
           "in wall time)\n", R);
    printf("%-48s %10s %10s %9s %8s\n", "benchmark", "baseline", "pf runtime", "ratio", "target");
#define ROW(name, base, val, target)                                                               \
    printf("%-48s %8.1fms %8.1fms %8.3fx %8s\n", name, (base) * 1e3, (val) * 1e3, (val) / (base), target)
    ROW("fib(35) marks, 1 worker vs plain C", fp, fm, "<=1.15x");
    ROW("fib(35) marks, every fork recorded vs plain C", fp, fo, "<=1.15x");
    ROW("fib(35) pf convention: marks vs none, 1 worker", fc, fcm, "");
    ROW("fib(35) pf convention: all recorded vs none", fc, fco, "");
    ROW("fib(35) 2 workers: process CPU vs 1 worker", median(pc1, R), median(pc2, R), "");
    printf("%-48s %8.1fms %8.1fms %8.3fx %8s\n", "fib(35) 2 workers: speedup (wall)", fmw * 1e3,
           fm2 * 1e3, fmw / fm2, ">=1.8x");
    ROW("sum 1e8 doubles, 1 thread vs plain loop", sP, sum1, "<=1.05x");
    printf("%-48s %8.1fms %8.1fms %8.3fx %8s\n", "sum 1e8 doubles, 2 threads (speedup vs 1 thr)",
           sum1w * 1e3, sum2 * 1e3, sum1w / sum2, ">=1.8x");
    printf("%-48s %20s %8.2fns\n", "recorded fork mark push+pop+poll (per call)", "",
           (fo - fp) / calls * 1e9);
    printf("%-48s %20s %8.1fns\n", "spawn+join of a promoted task, 1 thread", "", median(sj, R));
    printf("heartbeat (2 threads, 100 us target): %.0f Hz achieved over %.1f ms busy; "
           "%llu promotions (%llu polls on request), %llu steals\n",
           st.beat_rate_hz, st.beat_active_ns / 1e6, (unsigned long long)st.total.promotions,
           (unsigned long long)st.total.requests, (unsigned long long)st.total.steals);
    rt_close(rt1);
    rt_close(rt2);
    free(xs);
    return 0;
}
