/* Internal helpers shared by the value files of runtime/ (not part of the ABI): a growable byte
 * buffer that builds pf_str results, and the formatting primitives used by repr, str and format. */
#ifndef PF_RUNTIME_VALUE_IMPL_H
#define PF_RUNTIME_VALUE_IMPL_H

#include "runtime/value.h"

typedef struct rt_sbuf {
    char *p;
    size_t len, cap;
    int failed; /* an allocation failed: the result will be MemoryError */
} rt_sbuf;

void rt_sb_put(rt_sbuf *sb, const char *bytes, size_t n);
void rt_sb_puts(rt_sbuf *sb, const char *s);
void rt_sb_putc(rt_sbuf *sb, char c);
void rt_sb_fill(rt_sbuf *sb, const char *fill, size_t fill_len, int64_t count);
/* Turn the buffer into an owned pf_str (frees the buffer); NULL + MemoryError on failure. */
pf_str *rt_sb_finish(pf_ctx *ctx, rt_sbuf *sb);
void rt_sb_free(rt_sbuf *sb);

/* Give back the memory of an object whose children are released (rt_free's last step). */
void rt_obj_free_block(pf_obj *o);

/* Like rt_str_new, but "" and one-character ASCII strings are shared immortal constants: use it
 * only for results nobody writes into (never for a buffer to fill). */
pf_str *rt_str_const_or_new(pf_ctx *ctx, const char *bytes, int64_t len);

/* Append repr(v) / str(v) of static type t. Returns 0, or -1 when an exception was raised. */
int rt_repr_into(pf_ctx *ctx, rt_sbuf *sb, pf_slot v, const pf_type *t);
int rt_str_into(pf_ctx *ctx, rt_sbuf *sb, pf_slot v, const pf_type *t);

/* Python's repr(float) into buf (at least 32 bytes); returns the length. */
int rt_float_repr_buf(double x, char *buf);
/* Shortest round-trip digits of a finite nonzero |x|: digits into d (NUL-terminated, no
 * trailing zeros), returns the decimal exponent decpt with x = 0.d1d2... * 10^decpt. */
int rt_float_shortest(double x, char *d);

#endif
