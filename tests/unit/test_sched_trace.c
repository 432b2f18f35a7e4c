/* --stats and --trace support: rt_stats_print prints one row per worker and the achieved heartbeat
 * rate; with options.trace_path set, rt_close writes a Chrome trace JSON holding task events of the
 * run (balanced brackets, one "thread_name" per worker, "task" complete events with durations). */
#include <string.h>
#include <unistd.h>

#include "test_sched_util.h"

typedef struct { int64_t n, out; } fib_arg;
static void fib_main(pf_ctx *ctx, void *arg) {
    fib_arg *a = arg;
    a->out = tfib(ctx, a->n);
}

int main(void) {
    char path[64];
    snprintf(path, sizeof path, "/tmp/pf_trace_test_%d.json", (int)getpid());
    rt_options o;
    rt_options_init(&o);
    o.threads = 2;
    o.workspan = 0;
    o.trace_path = path;
    rt_runtime *rt = rt_open(&o);
    CHECK(rt != NULL);
    for (int i = 0; i < 5; i++) {
        fib_arg a = {27, 0};
        CHECK_INT(rt_run(rt, fib_main, &a, NULL), RT_OK);
        CHECK_INT(a.out, 196418);
    }
    char buf[8192];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    rt_stats_print(rt, f);
    fclose(f);
    fputs(buf, stdout);
    CHECK(strstr(buf, "promotions") && strstr(buf, "heartbeat:") && strstr(buf, "Hz achieved"));
    CHECK(strstr(buf, "\n0 ") && strstr(buf, "\n1 ") && strstr(buf, "\ntotal"));
    rt_stats s;
    rt_stats_get(rt, &s, NULL);
    CHECK(s.total.tasks >= 5);
    rt_close(rt); /* writes the trace */

    f = fopen(path, "r");
    CHECK(f != NULL);
    static char json[1 << 22];
    size_t n = fread(json, 1, sizeof json - 1, f);
    fclose(f);
    unlink(path);
    json[n] = 0;
    CHECK(strncmp(json, "{\"traceEvents\":[", 16) == 0);
    int depth = 0, tasks = 0, names = 0;
    for (const char *p = json; *p; p++) {
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        CHECK(depth >= 0);
    }
    CHECK_INT(depth, 0);
    for (const char *p = json; (p = strstr(p, "\"name\":\"task\",\"ph\":\"X\"")); p++)
        tasks++;
    for (const char *p = json; (p = strstr(p, "\"thread_name\"")); p++)
        names++;
    CHECK_INT(names, 2);
    CHECK(tasks >= 5 && (uint64_t)tasks <= s.total.tasks);
    printf("trace: %zu bytes, %d task events\n", n, tasks);
    return 0;
}
