/* Program output: print() with sep= and end= (str() of each argument as Python does), in sequential
 * order also inside parallel code (DESIGN.md §2). Every byte of output goes through rt_out_write.
 * The run's main task (and a standalone ctx) writes to stdout at once: it always runs the
 * sequentially first part of every construct, and joins what it promoted before going on. A promoted or spawned task writes into its own buffer
 * (rt_task.out); its join appends the buffer to the joiner's output (stdout or the joiner's own
 * buffer) in sequential order: a fork's pending call after the first call, a loop's promoted block
 * ranges in block order after the owner's. Up to the first failure in sequential order: a task
 * joined while the joiner already holds an exception is later in program order than the failure,
 * so its output is dropped, exactly what sequential Python prints.
 *
 * Memory: a task's output is held until its join (the join cannot happen earlier: the output
 * must follow all output before it). So at most the output of the work in flight is buffered,
 * bounded by the output of the parallel construct itself; a loop printing a line per iteration
 * holds, in the worst case, the lines of the iterations that other workers ran ahead. flush=True
 * in a task is remembered and done when the buffer reaches stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/sched_int.h"

static rt_obuf *sink(pf_ctx *ctx) {
    rt_worker *w = ctx->worker;
    return w && w->frame ? w->frame->out : NULL;
}

void rt_out_write(pf_ctx *ctx, const char *bytes, size_t len) {
    rt_obuf *b = sink(ctx);
    if (!b) {
        fwrite(bytes, 1, len, stdout);
        return;
    }
    rt_sb_put(&b->sb, bytes, len);
    if (b->sb.failed)
        rt_raise_nomem(ctx);
}

void rt_out_flush(pf_ctx *ctx) {
    rt_obuf *b = sink(ctx);
    if (!b)
        fflush(stdout);
    else
        b->flush = 1;
}

/* At a join on w, after the task's latch: append its output b to w's current output when keep
 * (nothing earlier in program order failed), else drop it; free it either way. */
void rt_out_join(rt_worker *w, rt_obuf *b, bool keep) {
    rt_obuf *to = w->frame ? w->frame->out : NULL;
    if (keep && (b->sb.len || b->flush)) {
        if (!to) {
            fwrite(b->sb.p, 1, b->sb.len, stdout);
            if (b->flush)
                fflush(stdout);
        } else if (!to->sb.p && !to->sb.failed) { /* the joiner wrote nothing yet: take the buffer */
            int f = to->flush;
            *to = *b;
            to->flush |= f;
            b->sb.p = NULL;
        } else {
            rt_sb_put(&to->sb, b->sb.p, b->sb.len); /* on failure the rest is lost (sb.failed) */
            to->flush |= b->flush;
        }
    }
    rt_sb_free(&b->sb);
    memset(b, 0, sizeof *b);
}

void rt_print_str(pf_ctx *ctx, const pf_str *s) { rt_out_write(ctx, s->data, (size_t)s->len); }

void rt_print(pf_ctx *ctx, int64_t n, const pf_slot *vals, const pf_type *const *types, const pf_str *sep,
              const pf_str *end) {
    rt_sbuf sb = {0};
    for (int64_t i = 0; i < n; i++) {
        if (i) {
            if (sep) rt_sb_put(&sb, sep->data, (size_t)sep->len);
            else rt_sb_putc(&sb, ' ');
        }
        if (rt_str_into(ctx, &sb, vals[i], types[i]) < 0) {
            rt_sb_free(&sb); /* a __str__ raised: print nothing, as CPython */
            return;
        }
    }
    if (end) rt_sb_put(&sb, end->data, (size_t)end->len);
    else rt_sb_putc(&sb, '\n');
    if (sb.failed) {
        rt_sb_free(&sb);
        rt_raise_nomem(ctx);
        return;
    }
    rt_out_write(ctx, sb.p, sb.len);
    rt_sb_free(&sb);
}
