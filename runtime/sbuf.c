/* The growable byte buffer (value_impl.h) behind every string the runtime builds: repr, str,
 * format, join. Allocation failure is sticky and reported once, as MemoryError, at finish. */
#include <stdlib.h>

#include "runtime/value_impl.h"

static int reserve(rt_sbuf *sb, size_t more) {
    if (sb->failed) return 0;
    if (sb->len + more + 1 <= sb->cap) return 1;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + more + 1) cap *= 2;
    char *p = realloc(sb->p, cap);
    if (!p) {
        sb->failed = 1;
        return 0;
    }
    sb->p = p;
    sb->cap = cap;
    return 1;
}

void rt_sb_put(rt_sbuf *sb, const char *bytes, size_t n) {
    if (!reserve(sb, n)) return;
    memcpy(sb->p + sb->len, bytes, n);
    sb->len += n;
}

void rt_sb_puts(rt_sbuf *sb, const char *s) { rt_sb_put(sb, s, strlen(s)); }

void rt_sb_putc(rt_sbuf *sb, char c) {
    if (!reserve(sb, 1)) return;
    sb->p[sb->len++] = c;
}

void rt_sb_fill(rt_sbuf *sb, const char *fill, size_t fill_len, int64_t count) {
    for (int64_t i = 0; i < count; i++) rt_sb_put(sb, fill, fill_len);
}

void rt_sb_free(rt_sbuf *sb) {
    free(sb->p);
    sb->p = NULL;
    sb->len = sb->cap = 0;
}

pf_str *rt_sb_finish(pf_ctx *ctx, rt_sbuf *sb) {
    if (sb->failed) {
        rt_sb_free(sb);
        rt_raise_nomem(ctx);
        return NULL;
    }
    pf_str *s = rt_str_new(ctx, sb->p ? sb->p : "", (int64_t)sb->len);
    rt_sb_free(sb);
    return s;
}
