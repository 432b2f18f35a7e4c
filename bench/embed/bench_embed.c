/* libpf costs, printed (never asserted): pf_open + pf_load_file of examples/embed/nearest.pf,
 * the first call of a signature (stub compiled), a cached call of a trivial function, a sum over a
 * 10M-element host array handed over without copying, and nearest_center on 200 000 points
 * through the API against the same loop in C.  usage: bench_embed [threads] */
#define _POSIX_C_SOURCE 200809L
#include <pf.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int die(const char *what, pf_error *e) {
    fprintf(stderr, "%s: %s\n%s%s", what, e->message ? e->message : "", e->diagnostics ? e->diagnostics : "",
            e->traceback ? e->traceback : "");
    return 1;
}

int main(int argc, char **argv) {
    pf_options o;
    pf_options_init(&o);
    if (argc > 1) o.threads = atoi(argv[1]);
    pf_error err = {0};
    double t0 = now();
    pf_runtime *rt = pf_open(&o, &err);
    if (!rt) return die("pf_open", &err);
    double t1 = now();
    pf_module *m = pf_load_file(rt, PF_SOURCE_DIR "/examples/embed/nearest.pf", &err);
    if (!m) return die("load", &err);
    double t2 = now();
    pf_module *k = pf_load_string(rt, "k.pf", "def add(a, b):\n    return a + b\ndef total(xs):\n    return sum(xs)\n", &err);
    if (!k) return die("load", &err);
    printf("threads %d\n", pf_threads(rt));
    printf("pf_open                         %8.2f ms\n", (t1 - t0) * 1e3);
    printf("pf_load_file nearest.pf         %8.2f ms\n", (t2 - t1) * 1e3);

    pf_value a[2] = {pf_val_int(1), pf_val_int(2)};
    pf_value r;
    t0 = now();
    if (pf_call(k, "add", a, 2, &r, &err) != PF_OK) return die("add", &err);
    t1 = now();
    enum { CALLS = 20000 };
    for (int i = 0; i < CALLS; i++) pf_call(k, "add", a, 2, &r, NULL);
    t2 = now();
    printf("first call add(int, int)        %8.2f ms (stub compiled)\n", (t1 - t0) * 1e3);
    printf("cached call add(int, int)       %8.2f us per call\n", (t2 - t1) / CALLS * 1e6);

    enum { BIG = 10 * 1000 * 1000 };
    double *xs = malloc(sizeof *xs * BIG);
    for (int i = 0; i < BIG; i++) xs[i] = (i % 1000) * 0.5;
    pf_value l = pf_val_floats(xs, BIG);
    pf_call(k, "total", &l, 1, &r, NULL); /* compile */
    t0 = now();
    for (int i = 0; i < 5; i++) pf_call(k, "total", &l, 1, &r, NULL);
    t1 = now();
    double s = 0;
    for (int i = 0; i < BIG; i++) s += xs[i];
    t2 = now();
    printf("sum of 10M host doubles (pf)    %8.2f ms per call (zero-copy in)\n", (t1 - t0) / 5 * 1e3);
    printf("sum of 10M doubles (C loop)     %8.2f ms  [%g %g]\n", (t2 - t1) * 1e3, r.u.f, s);
    free(xs);

    enum { N = 200000, K = 16, D = 3 };
    double *pts = malloc(sizeof *pts * N * D), cs[K * D];
    for (int i = 0; i < N * D; i++) pts[i] = (double)(((int64_t)i * 7919) % 100003) / 1000.0;
    for (int i = 0; i < K * D; i++) cs[i] = (double)(((int64_t)i * 104729) % 100003) / 1000.0;
    pf_value args[3] = {pf_val_floats(pts, N * D), pf_val_floats(cs, K * D), pf_val_int(D)};
    t0 = now();
    if (pf_call(m, "nearest_center", args, 3, &r, &err) != PF_OK) return die("nearest", &err);
    t1 = now();
    pf_value_free(&r);
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        double s0 = now();
        pf_call(m, "nearest_center", args, 3, &r, NULL);
        double s1 = now();
        if (s1 - s0 < best) best = s1 - s0;
        pf_value_free(&r);
    }
    t2 = now();
    int64_t *asg = malloc(sizeof *asg * N);
    for (int i = 0; i < N; i++) {
        int bj = 0;
        double bd = 0;
        for (int j = 0; j < K; j++) {
            double d = 0;
            for (int c = 0; c < D; c++) d += (pts[i * D + c] - cs[j * D + c]) * (pts[i * D + c] - cs[j * D + c]);
            if (j == 0 || d < bd) bd = d, bj = j;
        }
        asg[i] = bj;
    }
    double t3 = now();
    printf("nearest_center 200k x 16, first %8.2f ms (includes the stub compile)\n", (t1 - t0) * 1e3);
    printf("nearest_center 200k x 16, best  %8.2f ms\n", best * 1e3);
    printf("same loop in C (1 thread)       %8.2f ms  [%lld]\n", (t3 - t2) * 1e3, (long long)asg[N - 1]);
    free(asg);
    free(pts);
    pf_module_free(m);
    pf_module_free(k);
    pf_close(rt);
    return 0;
}
