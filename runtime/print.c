/* Program output: print() with sep= and end=, str() of each argument as Python does. Every byte
 * goes through rt_out_write, the one place the scheduler will hook to keep the output of
 * parallel code in sequential program order; today it is libc's buffered stdout. */
#include "runtime/value_impl.h"

void rt_out_write(pf_ctx *ctx, const char *bytes, size_t len) {
    (void)ctx;
    fwrite(bytes, 1, len, stdout);
}

void rt_out_flush(pf_ctx *ctx) {
    (void)ctx;
    fflush(stdout);
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
