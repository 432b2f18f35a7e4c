/* The embedding API with threads: futures (poll, wait), cancelling a running and a queued call,
 * several host threads submitting to one runtime while others wait, two runtimes used at once,
 * and 10 000 calls whose memory must not grow (the ASan build's LeakSanitizer checks the rest). */
#include "test_embed_check.h"

#include <malloc.h>
#include <pthread.h>
#include <time.h>

static const char *SRC =
    "OFFSET = [100, 200, 300]\n"
    "def spin(n):\n"
    "    total = 0\n"
    "    for i in range(n):\n"
    "        total = (total + i * i) % 1000003\n"
    "    return total\n"
    "def square_all(xs):\n"
    "    return [x * x for x in xs]\n"
    "def sum_sq(n, k):\n"
    "    return sum(i * i for i in range(n)) + OFFSET[k]\n";

static int64_t sum_sq(int64_t n) { return (n - 1) * n * (2 * n - 1) / 6; }

static void sleep_ms(int ms) {
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static void cancel(pf_module *m) {
    pf_error err = {0};
    pf_value r;
    pf_value big = pf_val_int(INT64_MAX / 4);
    /* a running call */
    pf_future *f = pf_submit(m, "spin", &big, 1, &err);
    CHECK(f != NULL);
    sleep_ms(20);
    CHECK(!pf_poll(f));
    pf_cancel(f);
    CHECK_STATUS(pf_wait(f, &r, &err), PF_ERR_INTERRUPTED, &err);
    /* a queued call never starts; the one before it is interrupted too */
    pf_future *a = pf_submit(m, "spin", &big, 1, &err);
    pf_future *b = pf_submit(m, "spin", &big, 1, &err);
    pf_cancel(b);
    pf_cancel(b); /* idempotent */
    pf_cancel(a);
    CHECK_STATUS(pf_wait(a, &r, &err), PF_ERR_INTERRUPTED, &err);
    CHECK_STATUS(pf_wait(b, &r, &err), PF_ERR_INTERRUPTED, &err);
    /* cancelled immediately, before it had a chance to start */
    f = pf_submit(m, "spin", &big, 1, &err);
    pf_cancel(f);
    CHECK_STATUS(pf_wait(f, &r, &err), PF_ERR_INTERRUPTED, &err);
    /* the runtime is fine afterwards; cancelling a finished call changes nothing */
    pf_value small = pf_val_int(1000);
    f = pf_submit(m, "spin", &small, 1, &err);
    while (!pf_poll(f)) sleep_ms(1);
    pf_cancel(f);
    CHECK_STATUS(pf_wait(f, &r, &err), PF_OK, &err);
    int64_t want = 0;
    for (int64_t i = 0; i < 1000; i++) want = (want + i * i) % 1000003;
    CHECK(r.kind == PF_INT && r.u.i == want);
    pf_error_free(&err);
}

typedef struct worker_arg {
    pf_module *m;
    int id;
    int bad; /* wrong results seen */
} worker_arg;

/* Submits 20 calls at once, then waits for them in reverse order. */
static void *host_thread(void *p) {
    worker_arg *w = p;
    enum { N = 20 };
    pf_value args[N][2];
    pf_future *fs[N];
    for (int i = 0; i < N; i++) {
        args[i][0] = pf_val_int(1000 + 100 * w->id + i);
        args[i][1] = pf_val_int(i % 3);
        fs[i] = pf_submit(w->m, "sum_sq", args[i], 2, NULL);
        if (!fs[i]) w->bad++;
    }
    for (int i = N - 1; i >= 0; i--) {
        if (!fs[i]) continue;
        pf_value r;
        pf_error err = {0};
        pf_status st = pf_wait(fs[i], &r, &err);
        if (st != PF_OK || r.kind != PF_INT || r.u.i != sum_sq(1000 + 100 * w->id + i) + 100 * (i % 3 + 1))
            w->bad++;
        pf_error_free(&err);
    }
    return NULL;
}

static void threads(pf_module *m1, pf_module *m2) {
    enum { T = 4 };
    pthread_t th[T];
    worker_arg wa[T];
    for (int i = 0; i < T; i++) {
        wa[i] = (worker_arg){i % 2 ? m2 : m1, i, 0}; /* two runtimes at once */
        pthread_create(&th[i], NULL, host_thread, &wa[i]);
    }
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(wa[i].bad, 0);
    }
}

static size_t heap_in_use(void) { return mallinfo2().uordblks; }

static void many_calls(pf_module *m) {
    double xs[16];
    for (int i = 0; i < 16; i++) xs[i] = i * 0.5;
    pf_value a = pf_val_floats(xs, 16);
    pf_error err = {0};
    size_t before = 0;
    int bad = 0;
    for (int i = 0; i < 10100; i++) {
        if (i == 100) before = heap_in_use(); /* after the stub is compiled and caches are warm */
        pf_value r;
        if (pf_call(m, "square_all", &a, 1, &r, &err) != PF_OK || r.kind != PF_LIST_FLOAT ||
            r.u.floats.len != 16 || r.u.floats.ptr[3] != 2.25)
            bad++;
        pf_value_free(&r);
    }
    CHECK_INT(bad, 0);
    size_t after = heap_in_use();
    /* a leak of one 16-element result per call would be > 1.6 MB */
    if (after > before + 512 * 1024) {
        fprintf(stderr, "heap grew by %zu bytes over 10000 calls\n", after - before);
        CHECK_FAILED();
    }
    pf_error_free(&err);
}

int main(void) {
    pf_error err = {0};
    pf_options o;
    pf_options_init(&o);
    o.threads = 2;
    pf_runtime *rt1 = pf_open(&o, &err);
    o.threads = 1;
    o.heartbeat_us = 200;
    pf_runtime *rt2 = pf_open(&o, &err);
    if (!rt1 || !rt2) {
        fprintf(stderr, "pf_open: %s\n", err.message);
        return 1;
    }
    pf_module *m1 = load_or_die(rt1, "threads.pf", SRC);
    pf_module *m2 = load_or_die(rt2, "threads.pf", SRC);
    cancel(m1);
    threads(m1, m2);
    many_calls(m2);
    pf_module_free(m1);
    pf_module_free(m2);
    pf_close(rt1);
    pf_close(rt2);
    return check_report("test_embed_threads");
}
