/* A C host embedding pf (include/pf.h, linked with libpf.so): loads nearest.pf, hands it the
 * points and centres of examples/nearest.pf as flat host arrays (zero-copy), gets the assignment
 * back, checks it against the same computation in C and prints examples/nearest.out's summary;
 * then submits a call that would run for hours and cancels it.
 * usage: embed_host [path/to/nearest.pf] [threads] */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <pf.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { N_POINTS = 2000, N_CENTERS = 8, DIM = 3 };

static int64_t lcg(int64_t s) { return (s * 1103515245 + 12345) % 2147483648; }

/* examples/nearest.pf's gen_points, flattened: n points of dim coordinates */
static void gen_points(double *out, int n, int dim, int64_t seed) {
    int64_t s = seed;
    for (int i = 0; i < n * dim; i++) {
        s = lcg(s);
        out[i] = (double)(s % 100000) / 1000.0;
    }
}

static int nearest(const double *p, const double *cs, int k) {
    int best = 0;
    double bd = 0;
    for (int j = 0; j < k; j++) {
        double d = 0;
        for (int c = 0; c < DIM; c++) d += (p[c] - cs[j * DIM + c]) * (p[c] - cs[j * DIM + c]);
        if (j == 0 || d < bd) bd = d, best = j;
    }
    return best;
}

static int fail(const char *what, pf_error *e) {
    fprintf(stderr, "%s: %s: %s\n", what, pf_status_name(e->status), e->message ? e->message : "");
    if (e->diagnostics) fputs(e->diagnostics, stderr);
    if (e->traceback) fputs(e->traceback, stderr);
    pf_error_free(e);
    return 1;
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "nearest.pf";
    pf_options o;
    pf_options_init(&o);
    if (argc > 2) o.threads = atoi(argv[2]);
    pf_error err = {0};
    pf_runtime *rt = pf_open(&o, &err);
    if (!rt) return fail("pf_open", &err);
    pf_module *m = pf_load_file(rt, path, &err);
    if (!m) return fail("pf_load_file", &err);

    static double points[N_POINTS * DIM], centers[N_CENTERS * DIM];
    gen_points(points, N_POINTS, DIM, 42);
    gen_points(centers, N_CENTERS, DIM, 7);
    pf_value args[3] = {pf_val_floats(points, N_POINTS * DIM), pf_val_floats(centers, N_CENTERS * DIM),
                        pf_val_int(DIM)};
    pf_value res;
    if (pf_call(m, "nearest_center", args, 3, &res, &err) != PF_OK) return fail("nearest_center", &err);
    if (res.kind != PF_LIST_INT || res.u.ints.len != N_POINTS) {
        fprintf(stderr, "unexpected result kind %d, length %lld\n", (int)res.kind, (long long)res.u.ints.len);
        return 1;
    }
    const int64_t *a = res.u.ints.ptr; /* points into the pf list: no copy */
    int counts[N_CENTERS] = {0};
    int64_t checksum = 0;
    for (int i = 0; i < N_POINTS; i++) {
        if (a[i] != nearest(&points[i * DIM], centers, N_CENTERS)) {
            fprintf(stderr, "point %d: pf says %lld\n", i, (long long)a[i]);
            return 1;
        }
        counts[a[i]]++;
        checksum += (int64_t)(i + 1) * a[i];
    }
    for (int c = 0; c < N_CENTERS; c++) printf("center %d: %d points\n", c, counts[c]);
    printf("total %d, checksum %lld\n", N_POINTS, (long long)(checksum % 1000003));
    pf_value_free(&res);

    /* a call that would take hours: submit, let it run a little, cancel */
    pf_value big = pf_val_int(1000000000000000);
    pf_future *f = pf_submit(m, "spin", &big, 1, &err);
    if (!f) return fail("pf_submit", &err);
    struct timespec ms50 = {0, 50 * 1000 * 1000};
    nanosleep(&ms50, NULL);
    if (pf_poll(f)) {
        fprintf(stderr, "spin finished?\n");
        return 1;
    }
    pf_cancel(f);
    pf_status st = pf_wait(f, NULL, &err);
    printf("spin: %s\n", st == PF_ERR_INTERRUPTED ? "interrupted" : pf_status_name(st));
    pf_error_free(&err);

    pf_module_free(m);
    pf_close(rt);
    printf("ok\n");
    return st == PF_ERR_INTERRUPTED ? 0 : 1;
}
