/* Observability of the scheduler: per-worker statistics and the --stats table (with the achieved
 * heartbeat rate, and work/span/parallelism in workspan mode, Cilkscale-style), and the event log
 * written as Chrome trace JSON for --trace. Readers run between runs or after the workers stopped;
 * counters are relaxed atomics so a snapshot taken during a run is merely approximate. */
#include <stdio.h>
#include <string.h>

#include "runtime/sched_int.h"

/* The workspan clock: rt_options.ws_clock, else thread CPU time (ns). */
int64_t rt_ws_clock(rt_runtime *rt) { return rt->o.ws_clock ? rt->o.ws_clock(rt->o.ud) : rt_cpu_ns(); }

/* Span of the current strand of w so far (ns of the workspan clock). */
int64_t rt_ws_now(rt_worker *w) { return w->ws_base + (rt_ws_clock(w->rt) - w->ws_t0); }

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

void rt_stats_get(rt_runtime *rt, rt_stats *s, rt_worker_stats *out) {
    memset(s, 0, sizeof *s);
    s->threads = rt->n;
    for (int i = 0; i < rt->n; i++) {
        rt_wstat *st = &rt->w[i]->st;
        rt_worker_stats w = {LD(st->promotions), LD(st->steals),    LD(st->heartbeats),
                             LD(st->requests),   LD(st->tasks),     LD(st->parked_ns),
                             LD(st->wakes)};
        if (out)
            out[i] = w;
        s->total.promotions += w.promotions;
        s->total.steals += w.steals;
        s->total.heartbeats += w.heartbeats;
        s->total.requests += w.requests;
        s->total.tasks += w.tasks;
        s->total.parked_ns += w.parked_ns;
        s->total.wakes += w.wakes;
    }
    s->beats = LD(rt->beats);
    s->beat_active_ns = LD(rt->beat_active_ns);
    int64_t since = LD(rt->beat_since);
    if (since)
        s->beat_active_ns += (uint64_t)(rt_now_ns() - since);
    s->beat_rate_hz = s->beat_active_ns ? (double)s->beats * 1e9 / (double)s->beat_active_ns : 0.0;
    s->cancels = LD(rt->cancels);
    s->work_ns = (uint64_t)rt->ws_work;
    s->span_ns = (uint64_t)rt->ws_span;
}

void rt_stats_print(rt_runtime *rt, FILE *out) {
    rt_stats s;
    rt_worker_stats w[RT_MAX_THREADS];
    rt_stats_get(rt, &s, w);
    fprintf(out, "pf runtime: %d workers, heartbeat %d us\n", s.threads, rt->o.heartbeat_us);
    fprintf(out, "%-8s %12s %10s %12s %10s %10s %12s\n", "worker", "promotions", "steals",
            "heartbeats", "requests", "tasks", "parked_ms");
    for (int i = 0; i <= s.threads; i++) {
        const rt_worker_stats *x = i < s.threads ? &w[i] : &s.total;
        char name[16] = "total";
        if (i < s.threads)
            snprintf(name, sizeof name, "%d", i);
        fprintf(out, "%-8s %12llu %10llu %12llu %10llu %10llu %12.3f\n", name,
                (unsigned long long)x->promotions, (unsigned long long)x->steals,
                (unsigned long long)x->heartbeats, (unsigned long long)x->requests,
                (unsigned long long)x->tasks, (double)x->parked_ns / 1e6);
    }
    fprintf(out, "heartbeat: %llu beats in %.3f ms active: %.0f Hz achieved (target %.0f Hz)\n",
            (unsigned long long)s.beats, (double)s.beat_active_ns / 1e6, s.beat_rate_hz,
            1e6 / rt->o.heartbeat_us);
    if (s.cancels)
        fprintf(out, "cancelled groups: %llu\n", (unsigned long long)s.cancels);
    if (rt->o.workspan && s.span_ns) {
        double work = (double)s.work_ns, span = (double)s.span_ns, par = work / span;
        fprintf(out, "workspan: work %.3f ms, span %.3f ms, parallelism %.2f\n", work / 1e6,
                span / 1e6, par);
        static const int cores[] = {4, 16, 64};
        for (int i = 0; i < 3; i++) {
            double p = cores[i];
            double upper = par < p ? par : p;          /* speedup <= min(P, work/span) */
            double lower = work / (work / p + span);   /* Brent: T_P <= work/P + span */
            fprintf(out, "  %2d cores: speedup between %.2f and %.2f\n", cores[i], lower, upper);
        }
    }
}

int rt_trace_write(rt_runtime *rt, const char *path) {
    if (!rt->o.trace_path || !path)
        return -1;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    static const char *names[] = {"task", "parked", "promote", "steal"};
    fprintf(f, "{\"traceEvents\":[\n");
    int first = 1;
    for (int i = 0; i < rt->n; i++) {
        rt_worker *w = rt->w[i];
        fprintf(f, "%s{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,"
                   "\"args\":{\"name\":\"worker %d\"}}",
                first ? "" : ",\n", i, i);
        first = 0;
        for (size_t k = 0; k < w->nev; k++) {
            trace_ev *e = &w->ev[k];
            if (e->type == TR_TASK || e->type == TR_PARK)
                fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.3f,"
                           "\"dur\":%.3f}",
                        names[e->type], i, (double)e->ts / 1e3, (double)e->dur / 1e3);
            else
                fprintf(f, ",\n{\"name\":\"%s\",\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%d,"
                           "\"ts\":%.3f}",
                        names[e->type], i, (double)e->ts / 1e3);
        }
    }
    fprintf(f, "\n]}\n");
    return fclose(f) == 0 ? 0 : -1;
}
