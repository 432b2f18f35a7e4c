/* Strings: construction, concatenation, indexing and slicing by code point (O(1) for ASCII),
 * comparison, hashing, repr with Python's quote choice and escapes. Strings are immutable UTF-8;
 * a consumed unique string may be extended in place (rt_str_concat). */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>

#include "runtime/value.h"

static int64_t count_cps(const char *s, int64_t len, int *ascii) {
    int64_t n = 0;
    int asc = 1;
    for (int64_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) asc = 0;
        if ((c & 0xC0) != 0x80) n++;
    }
    *ascii = asc;
    return n;
}

/* A fresh string of len bytes (content to be filled by the caller, then finish()). */
static pf_str *str_alloc(pf_ctx *ctx, int64_t len) {
    pf_str *s = (pf_str *)rt_alloc(ctx, sizeof(pf_str) + (size_t)len + 1, PF_K_STR);
    if (!s) return NULL;
    s->len = len;
    s->data[len] = 0;
    return s;
}

static pf_str *finish(pf_str *s) {
    int ascii;
    s->ncp = count_cps(s->data, s->len, &ascii);
    s->h.flags = ascii ? PF_F_ASCII : 0;
    return s;
}

/* Immortal one-character ASCII strings (and ""), shared by indexing and iteration so `for c in s`
 * allocates nothing. Same layout as pf_str with room for the character and the NUL. */
typedef struct str_small {
    pf_obj h;
    int64_t len, ncp;
    char data[8];
} str_small;

#define C1(c) {{0, PF_K_STR, PF_F_ASCII, 0}, 1, 1, {(char)(c), 0}}
#define C8(c) C1(c), C1(c + 1), C1(c + 2), C1(c + 3), C1(c + 4), C1(c + 5), C1(c + 6), C1(c + 7)
static const str_small ascii_chars[128] = {C8(0),  C8(8),  C8(16), C8(24), C8(32),  C8(40),  C8(48),  C8(56),
                                           C8(64), C8(72), C8(80), C8(88), C8(96), C8(104), C8(112), C8(120)};
static const str_small empty_str = {{0, PF_K_STR, PF_F_ASCII, 0}, 0, 0, {0}};

/* A string equal to bytes[0..len) that may be a shared immortal constant: never write into it. */
pf_str *rt_str_const_or_new(pf_ctx *ctx, const char *bytes, int64_t len) {
    if (len == 1 && (unsigned char)bytes[0] < 0x80) return (pf_str *)(uintptr_t)&ascii_chars[(unsigned char)bytes[0]];
    if (len == 0) return (pf_str *)(uintptr_t)&empty_str;
    return rt_str_new(ctx, bytes, len);
}

pf_str *rt_str_new(pf_ctx *ctx, const char *bytes, int64_t len) {
    pf_str *s = str_alloc(ctx, len);
    if (!s) return NULL;
    memcpy(s->data, bytes, (size_t)len);
    return finish(s);
}

pf_str *rt_str_from_cstr(pf_ctx *ctx, const char *c) { return rt_str_new(ctx, c, (int64_t)strlen(c)); }

pf_str *rt_str_concat(pf_ctx *ctx, pf_str *a, const pf_str *b) {
    if (b->len == 0) return a;
    int64_t len = a->len + b->len;
    if (a->h.rc == 1 && a != b) {
        /* unique: extend in place (realloc is amortised by the allocator's own size classes) */
        pf_str *r = realloc(a, sizeof(pf_str) + (size_t)len + 1);
        if (!r) {
            rt_decref(&a->h);
            rt_raise_nomem(ctx);
            return NULL;
        }
        r->h.aux = 0; /* a block of its own size now: back to libc when freed */
        memcpy(r->data + r->len, b->data, (size_t)b->len + 1);
        r->len = len;
        r->ncp += b->ncp;
        r->h.flags &= b->h.flags & PF_F_ASCII ? 0xff : (uint8_t)~PF_F_ASCII;
        return r;
    }
    pf_str *r = str_alloc(ctx, len);
    if (r) {
        memcpy(r->data, a->data, (size_t)a->len);
        memcpy(r->data + a->len, b->data, (size_t)b->len);
        r->ncp = a->ncp + b->ncp;
        r->h.flags = a->h.flags & b->h.flags & PF_F_ASCII;
    }
    rt_decref(&a->h);
    return r;
}

pf_str *rt_str_concat_n(pf_ctx *ctx, int64_t n, pf_str **parts) {
    int64_t len = 0, ncp = 0;
    uint8_t flags = PF_F_ASCII;
    int failed = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!parts[i]) {
            failed = 1;
            continue;
        }
        len += parts[i]->len;
        ncp += parts[i]->ncp;
        flags &= parts[i]->h.flags;
    }
    pf_str *r = failed ? NULL : str_alloc(ctx, len);
    if (r) {
        int64_t off = 0;
        for (int64_t i = 0; i < n; i++) {
            memcpy(r->data + off, parts[i]->data, (size_t)parts[i]->len);
            off += parts[i]->len;
        }
        r->ncp = ncp;
        r->h.flags = flags & PF_F_ASCII;
    }
    for (int64_t i = 0; i < n; i++)
        if (parts[i]) rt_decref(&parts[i]->h);
    return r;
}

pf_str *rt_str_repeat(pf_ctx *ctx, const pf_str *s, int64_t n) {
    if (n <= 0 || s->len == 0) return rt_str_new(ctx, "", 0);
    if (s->len > INT64_MAX / 2 / n) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    pf_str *r = str_alloc(ctx, s->len * n);
    if (!r) return NULL;
    for (int64_t i = 0; i < n; i++) memcpy(r->data + i * s->len, s->data, (size_t)s->len);
    r->ncp = s->ncp * n;
    r->h.flags = s->h.flags & PF_F_ASCII;
    return r;
}

/* Byte offset of code point i (0 <= i <= ncp). */
static int64_t cp_offset(const pf_str *s, int64_t i) {
    if (s->h.flags & PF_F_ASCII) return i;
    int64_t off = 0;
    while (i > 0 && off < s->len) {
        off++;
        while (off < s->len && ((unsigned char)s->data[off] & 0xC0) == 0x80) off++;
        i--;
    }
    return off;
}

static int64_t cp_len_at(const pf_str *s, int64_t off) {
    int64_t e = off + 1;
    while (e < s->len && ((unsigned char)s->data[e] & 0xC0) == 0x80) e++;
    return e - off;
}

pf_str *rt_str_index(pf_ctx *ctx, const pf_str *s, int64_t i) {
    if (i < 0) i += s->ncp;
    if (i < 0 || i >= s->ncp) {
        rt_raise(ctx, PF_EXC_INDEX, "string index out of range");
        return NULL;
    }
    int64_t off = cp_offset(s, i);
    return rt_str_const_or_new(ctx, s->data + off, cp_len_at(s, off));
}

pf_str *rt_str_next_char(pf_ctx *ctx, const pf_str *s, int64_t *pos) {
    int64_t off = *pos;
    int64_t n = cp_len_at(s, off);
    *pos = off + n;
    return rt_str_const_or_new(ctx, s->data + off, n);
}

pf_str *rt_str_slice(pf_ctx *ctx, const pf_str *s, int64_t start, int64_t stop, int64_t step) {
    if (step == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "slice step cannot be zero");
        return NULL;
    }
    int64_t n = rt_slice_indices(s->ncp, &start, &stop, step);
    if (n <= 0) return rt_str_const_or_new(ctx, "", 0);
    if (step == 1) {
        int64_t a = cp_offset(s, start), b = cp_offset(s, stop);
        return rt_str_const_or_new(ctx, s->data + a, b - a);
    }
    if (s->h.flags & PF_F_ASCII) {
        pf_str *r = str_alloc(ctx, n);
        if (!r) return NULL;
        for (int64_t k = 0; k < n; k++) r->data[k] = s->data[start + k * step];
        r->ncp = n;
        r->h.flags = PF_F_ASCII;
        return r;
    }
    /* non-ASCII with a step: gather code point offsets first */
    int64_t *offs = malloc(sizeof(int64_t) * (size_t)(s->ncp + 1));
    if (!offs) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    for (int64_t i = 0, off = 0; i <= s->ncp; i++) {
        offs[i] = off;
        if (off < s->len) off += cp_len_at(s, off);
    }
    int64_t bytes = 0;
    for (int64_t k = 0; k < n; k++) {
        int64_t i = start + k * step;
        bytes += offs[i + 1] - offs[i];
    }
    pf_str *r = str_alloc(ctx, bytes);
    if (r) {
        int64_t o = 0;
        for (int64_t k = 0; k < n; k++) {
            int64_t i = start + k * step;
            memcpy(r->data + o, s->data + offs[i], (size_t)(offs[i + 1] - offs[i]));
            o += offs[i + 1] - offs[i];
        }
        finish(r);
    }
    free(offs);
    return r;
}

static const char *find_bytes(const char *h, int64_t hl, const char *n, int64_t nl) {
    if (nl == 0) return h;
    if (nl > hl) return NULL;
    if (nl == 1) return memchr(h, n[0], (size_t)hl);
    return memmem(h, (size_t)hl, n, (size_t)nl);
}

int64_t rt_str_contains(const pf_str *hay, const pf_str *needle) {
    return find_bytes(hay->data, hay->len, needle->data, needle->len) != NULL;
}

int64_t rt_str_eq(const pf_str *a, const pf_str *b) {
    return a == b || (a->len == b->len && memcmp(a->data, b->data, (size_t)a->len) == 0);
}

int64_t rt_str_cmp(const pf_str *a, const pf_str *b) {
    /* UTF-8 byte order equals code point order */
    int64_t m = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, (size_t)m);
    if (c) return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

uint64_t rt_str_hash(const pf_str *s) {
    /* FNV-1a, then a final avalanche so low bits are usable as a bucket index */
    uint64_t h = 1469598103934665603ull;
    for (int64_t i = 0; i < s->len; i++) h = (h ^ (unsigned char)s->data[i]) * 1099511628211ull;
    h ^= h >> 32;
    return h;
}

int64_t rt_str_find(const pf_str *s, const pf_str *sub) {
    const char *p = find_bytes(s->data, s->len, sub->data, sub->len);
    if (!p) return -1;
    int64_t off = p - s->data;
    if (s->h.flags & PF_F_ASCII) return off;
    int64_t cps = 0;
    for (int64_t i = 0; i < off; i++)
        if (((unsigned char)s->data[i] & 0xC0) != 0x80) cps++;
    return cps;
}

int64_t rt_str_startswith(const pf_str *s, const pf_str *p) {
    return p->len <= s->len && memcmp(s->data, p->data, (size_t)p->len) == 0;
}

int64_t rt_str_endswith(const pf_str *s, const pf_str *p) {
    return p->len <= s->len && memcmp(s->data + s->len - p->len, p->data, (size_t)p->len) == 0;
}

/* ---- repr -------------------------------------------------------------------------------- */

/* Decode one UTF-8 code point at s[*i] (input is valid UTF-8). */
static uint32_t decode(const unsigned char *s, int64_t *i) {
    uint32_t c = s[*i];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n) c &= 0x3F >> n;
    (*i)++;
    while (n--) c = (c << 6) | (s[(*i)++] & 0x3F);
    return c;
}

/* Is code point c printable per Python's str.isprintable() (approximation for non-ASCII: the
 * C1 controls, U+00AD, line/paragraph separators and surrogates are not; everything else is). */
static int printable(uint32_t c) {
    if (c < 0x20 || c == 0x7F) return 0;
    if (c < 0x7F) return 1;
    if (c >= 0x80 && c <= 0xA0) return 0;
    if (c == 0xAD || c == 0x2028 || c == 0x2029 || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    if (c >= 0x200B && c <= 0x200F) return 0;
    if (c >= 0x2060 && c <= 0x2064) return 0;
    if (c == 0xFEFF) return 0;
    return 1;
}

pf_str *rt_str_repr(pf_ctx *ctx, const pf_str *s) {
    int has_sq = memchr(s->data, '\'', (size_t)s->len) != NULL;
    int has_dq = memchr(s->data, '"', (size_t)s->len) != NULL;
    char q = has_sq && !has_dq ? '"' : '\'';
    /* worst case: every byte becomes \xNN (4) or a code point \UXXXXXXXX (10 per 4 bytes) */
    size_t cap = (size_t)s->len * 4 + 3;
    char *buf = malloc(cap);
    if (!buf) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    size_t o = 0;
    buf[o++] = q;
    const unsigned char *d = (const unsigned char *)s->data;
    for (int64_t i = 0; i < s->len;) {
        int64_t start = i;
        uint32_t c = decode(d, &i);
        if (c == (uint32_t)q || c == '\\') {
            buf[o++] = '\\';
            buf[o++] = (char)c;
        } else if (c == '\n') {
            buf[o++] = '\\';
            buf[o++] = 'n';
        } else if (c == '\r') {
            buf[o++] = '\\';
            buf[o++] = 'r';
        } else if (c == '\t') {
            buf[o++] = '\\';
            buf[o++] = 't';
        } else if (printable(c)) {
            memcpy(buf + o, d + start, (size_t)(i - start));
            o += (size_t)(i - start);
        } else if (c < 0x100) {
            o += (size_t)sprintf(buf + o, "\\x%02x", c);
        } else if (c < 0x10000) {
            o += (size_t)sprintf(buf + o, "\\u%04x", c);
        } else {
            o += (size_t)sprintf(buf + o, "\\U%08x", c);
        }
    }
    buf[o++] = q;
    pf_str *r = rt_str_new(ctx, buf, (int64_t)o);
    free(buf);
    return r;
}

/* ---- find/rfind/count over a code-point range ---------------------------------------------- */

/* Python's adjustment of (start, end) for str.find and friends. Returns 0 when start > len
 * (nothing can be found there, not even ""), else 1 with both clamped to [0, len]. */
static int cp_range(const pf_str *s, int64_t *start, int64_t *end) {
    int64_t len = s->ncp, a = *start, b = *end;
    if (a == PF_NONE_IDX) a = 0;
    else if (a < 0 && (a += len) < 0) a = 0;
    if (b == PF_NONE_IDX || b > len) b = len;
    else if (b < 0 && (b += len) < 0) b = 0;
    if (a > len) return 0;
    *start = a;
    *end = b;
    return 1;
}

static int64_t cp_index_of(const pf_str *s, int64_t byte_off) {
    if (s->h.flags & PF_F_ASCII) return byte_off;
    int64_t cps = 0;
    for (int64_t i = 0; i < byte_off; i++)
        if (((unsigned char)s->data[i] & 0xC0) != 0x80) cps++;
    return cps;
}

int64_t rt_str_find_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end) {
    if (!cp_range(s, &start, &end) || end - start < sub->ncp) return -1;
    int64_t a = cp_offset(s, start), b = cp_offset(s, end);
    const char *p = find_bytes(s->data + a, b - a, sub->data, sub->len);
    return p ? cp_index_of(s, p - s->data) : -1;
}

int64_t rt_str_rfind_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end) {
    if (!cp_range(s, &start, &end) || end - start < sub->ncp) return -1;
    int64_t a = cp_offset(s, start), b = cp_offset(s, end);
    for (int64_t i = b - sub->len; i >= a; i--)
        if (memcmp(s->data + i, sub->data, (size_t)sub->len) == 0) return cp_index_of(s, i);
    return -1;
}

int64_t rt_str_count_range(const pf_str *s, const pf_str *sub, int64_t start, int64_t end) {
    if (!cp_range(s, &start, &end)) return 0;
    if (end < start) return 0;
    if (sub->len == 0) return end - start + 1;
    int64_t a = cp_offset(s, start), b = cp_offset(s, end), n = 0;
    for (;;) {
        const char *p = find_bytes(s->data + a, b - a, sub->data, sub->len);
        if (!p) return n;
        n++;
        a = p - s->data + sub->len;
    }
}
