/* String methods: split, join, strip/lstrip/rstrip, replace, upper, lower, with CPython's
 * semantics (whitespace split drops empty fields, split(sep) keeps them, replace('' , x) inserts
 * between characters). Case mapping covers ASCII, Latin-1, Greek and Cyrillic. */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>

#include "runtime/value_impl.h"

static int is_ws(unsigned char c) { return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f); }

static pf_list *new_str_list(pf_ctx *ctx) { return rt_list_new(ctx, &pf_type_list_str, 4); }

static int push_piece(pf_ctx *ctx, pf_list *xs, const char *p, int64_t n) {
    pf_str *s = rt_str_new(ctx, p, n);
    if (!s) return -1;
    return rt_list_push(ctx, xs, PF_SLOT_OBJ(s));
}

pf_list *rt_str_split(pf_ctx *ctx, const pf_str *s, const pf_str *sep, int64_t maxsplit) {
    if (sep && sep->len == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "empty separator");
        return NULL;
    }
    pf_list *r = new_str_list(ctx);
    if (!r) return NULL;
    const char *d = s->data;
    int64_t n = s->len, i = 0, splits = 0;
    if (!sep) {
        for (;;) {
            while (i < n && is_ws((unsigned char)d[i])) i++;
            if (i >= n) break;
            if (maxsplit >= 0 && splits >= maxsplit) {
                if (push_piece(ctx, r, d + i, n - i) < 0) goto fail;
                break;
            }
            int64_t j = i;
            while (j < n && !is_ws((unsigned char)d[j])) j++;
            if (push_piece(ctx, r, d + i, j - i) < 0) goto fail;
            splits++;
            i = j;
        }
        return r;
    }
    for (;;) {
        const char *hit = (maxsplit < 0 || splits < maxsplit)
                              ? memmem(d + i, (size_t)(n - i), sep->data, (size_t)sep->len)
                              : NULL;
        if (!hit) {
            if (push_piece(ctx, r, d + i, n - i) < 0) goto fail;
            return r;
        }
        if (push_piece(ctx, r, d + i, hit - (d + i)) < 0) goto fail;
        splits++;
        i = hit - d + sep->len;
    }
fail:
    rt_decref(&r->h);
    return NULL;
}

pf_str *rt_str_join(pf_ctx *ctx, const pf_str *sep, const pf_list *parts) {
    rt_sbuf sb = {0};
    for (int64_t i = 0; i < parts->len; i++) {
        if (i) rt_sb_put(&sb, sep->data, (size_t)sep->len);
        const pf_str *p = (const pf_str *)PF_OBJ_OF(parts->data[i]);
        rt_sb_put(&sb, p->data, (size_t)p->len);
    }
    return rt_sb_finish(ctx, &sb);
}

/* Is the code point starting at p (n bytes) one of `chars` (NULL = whitespace)? */
static int in_set(const char *p, int64_t n, const pf_str *chars) {
    if (!chars) return n == 1 && is_ws((unsigned char)*p);
    for (int64_t i = 0; i < chars->len;) {
        int64_t m = 1;
        while (i + m < chars->len && ((unsigned char)chars->data[i + m] & 0xC0) == 0x80) m++;
        if (m == n && memcmp(chars->data + i, p, (size_t)n) == 0) return 1;
        i += m;
    }
    return 0;
}

static pf_str *strip(pf_ctx *ctx, const pf_str *s, const pf_str *chars, int left, int right) {
    int64_t a = 0, b = s->len;
    if (left)
        while (a < b) {
            int64_t m = 1;
            while (a + m < b && ((unsigned char)s->data[a + m] & 0xC0) == 0x80) m++;
            if (!in_set(s->data + a, m, chars)) break;
            a += m;
        }
    if (right)
        while (b > a) {
            int64_t st = b - 1;
            while (st > a && ((unsigned char)s->data[st] & 0xC0) == 0x80) st--;
            if (!in_set(s->data + st, b - st, chars)) break;
            b = st;
        }
    if (a == 0 && b == s->len) {
        rt_incref((pf_obj *)&s->h);
        return (pf_str *)s;
    }
    return rt_str_new(ctx, s->data + a, b - a);
}

pf_str *rt_str_strip(pf_ctx *ctx, const pf_str *s, const pf_str *chars) { return strip(ctx, s, chars, 1, 1); }
pf_str *rt_str_lstrip(pf_ctx *ctx, const pf_str *s, const pf_str *chars) { return strip(ctx, s, chars, 1, 0); }
pf_str *rt_str_rstrip(pf_ctx *ctx, const pf_str *s, const pf_str *chars) { return strip(ctx, s, chars, 0, 1); }

pf_str *rt_str_replace(pf_ctx *ctx, const pf_str *s, const pf_str *old, const pf_str *new_) {
    return rt_str_replace_n(ctx, s, old, new_, -1);
}

pf_str *rt_str_replace_n(pf_ctx *ctx, const pf_str *s, const pf_str *old, const pf_str *new_, int64_t count) {
    rt_sbuf sb = {0};
    if (count == 0) {
        rt_incref((pf_obj *)&s->h);
        return (pf_str *)s;
    }
    if (old->len == 0) {
        int64_t done = 0;
        if (count < 0 || done < count) rt_sb_put(&sb, new_->data, (size_t)new_->len), done++;
        for (int64_t i = 0; i < s->len;) {
            int64_t m = 1;
            while (i + m < s->len && ((unsigned char)s->data[i + m] & 0xC0) == 0x80) m++;
            rt_sb_put(&sb, s->data + i, (size_t)m);
            if (count < 0 || done < count) rt_sb_put(&sb, new_->data, (size_t)new_->len), done++;
            i += m;
        }
        return rt_sb_finish(ctx, &sb);
    }
    int64_t i = 0;
    for (int64_t done = 0; count < 0 || done < count; done++) {
        const char *hit = memmem(s->data + i, (size_t)(s->len - i), old->data, (size_t)old->len);
        if (!hit) break;
        rt_sb_put(&sb, s->data + i, (size_t)(hit - (s->data + i)));
        rt_sb_put(&sb, new_->data, (size_t)new_->len);
        i = hit - s->data + old->len;
    }
    rt_sb_put(&sb, s->data + i, (size_t)(s->len - i));
    return rt_sb_finish(ctx, &sb);
}

/* ---- case mapping ------------------------------------------------------------------------ */

static uint32_t to_upper(uint32_t c) {
    if (c >= 'a' && c <= 'z') return c - 32;
    if (c < 0x80) return c;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
    if (c == 0xFF) return 0x178;
    if (c == 0xB5) return 0x39C;
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
    if (c == 0x3C2) return 0x3A3;
    if (c >= 0x430 && c <= 0x44F) return c - 32;
    if (c >= 0x450 && c <= 0x45F) return c - 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        /* Latin Extended-A: pairs (even upper, odd lower) except 0x139..0x148, 0x179..0x17E (odd upper) */
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper ? (c % 2 == 0) : (c % 2 == 1)) return c - 1;
    }
    return c;
}

static uint32_t to_lower(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0x80) return c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c == 0x178) return 0xFF;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
        int odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        if (odd_upper ? (c % 2 == 1) : (c % 2 == 0)) return c + 1;
    }
    return c;
}

static void put_cp(rt_sbuf *sb, uint32_t c) {
    char u[4];
    int n;
    if (c < 0x80) u[0] = (char)c, n = 1;
    else if (c < 0x800) u[0] = (char)(0xC0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3F)), n = 2;
    else if (c < 0x10000)
        u[0] = (char)(0xE0 | c >> 12), u[1] = (char)(0x80 | ((c >> 6) & 0x3F)), u[2] = (char)(0x80 | (c & 0x3F)), n = 3;
    else
        u[0] = (char)(0xF0 | c >> 18), u[1] = (char)(0x80 | ((c >> 12) & 0x3F)), u[2] = (char)(0x80 | ((c >> 6) & 0x3F)),
        u[3] = (char)(0x80 | (c & 0x3F)), n = 4;
    rt_sb_put(sb, u, (size_t)n);
}

static pf_str *map_case(pf_ctx *ctx, const pf_str *s, int upper) {
    if (s->h.flags & PF_F_ASCII) {
        pf_str *r = rt_str_new(ctx, s->data, s->len);
        if (!r) return NULL;
        for (int64_t i = 0; i < r->len; i++) {
            char c = r->data[i];
            if (upper && c >= 'a' && c <= 'z') r->data[i] = (char)(c - 32);
            if (!upper && c >= 'A' && c <= 'Z') r->data[i] = (char)(c + 32);
        }
        return r;
    }
    rt_sbuf sb = {0};
    const unsigned char *d = (const unsigned char *)s->data;
    for (int64_t i = 0; i < s->len;) {
        uint32_t c = d[i];
        int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
        if (n) c &= 0x3F >> n;
        i++;
        while (n--) c = (c << 6) | (d[i++] & 0x3F);
        if (upper && c == 0xDF) {
            rt_sb_put(&sb, "SS", 2); /* ß */
            continue;
        }
        put_cp(&sb, upper ? to_upper(c) : to_lower(c));
    }
    return rt_sb_finish(ctx, &sb);
}

pf_str *rt_str_upper(pf_ctx *ctx, const pf_str *s) { return map_case(ctx, s, 1); }
pf_str *rt_str_lower(pf_ctx *ctx, const pf_str *s) { return map_case(ctx, s, 0); }

/* ---- more str methods -------------------------------------------------------------------- */

int64_t rt_str_count(const pf_str *s, const pf_str *sub) {
    if (sub->len == 0) return s->ncp + 1;
    int64_t n = 0, i = 0;
    for (;;) {
        const char *hit = memmem(s->data + i, (size_t)(s->len - i), sub->data, (size_t)sub->len);
        if (!hit) return n;
        n++;
        i = hit - s->data + sub->len;
    }
}

static int64_t cp_index(const pf_str *s, int64_t byte_off) {
    if (s->h.flags & PF_F_ASCII) return byte_off;
    int64_t cps = 0;
    for (int64_t i = 0; i < byte_off; i++)
        if (((unsigned char)s->data[i] & 0xC0) != 0x80) cps++;
    return cps;
}

int64_t rt_str_rfind(const pf_str *s, const pf_str *sub) {
    if (sub->len > s->len) return -1;
    for (int64_t i = s->len - sub->len; i >= 0; i--)
        if (memcmp(s->data + i, sub->data, (size_t)sub->len) == 0) return cp_index(s, i);
    return -1;
}

int64_t rt_str_index_of(pf_ctx *ctx, const pf_str *s, const pf_str *sub) {
    int64_t i = rt_str_find(s, sub);
    if (i < 0) return rt_raise(ctx, PF_EXC_VALUE, "substring not found");
    return i;
}

static uint32_t next_cp(const unsigned char *d, int64_t *i) {
    uint32_t c = d[*i];
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n) c &= 0x3F >> n;
    (*i)++;
    while (n--) c = (c << 6) | (d[(*i)++] & 0x3F);
    return c;
}

static int cp_upper(uint32_t c) { return to_lower(c) != c; }
static int cp_lower(uint32_t c) { return to_upper(c) != c || c == 0xDF; }
static int cp_alpha(uint32_t c) {
    if (c < 0x80) return (c | 32) >= 'a' && (c | 32) <= 'z';
    return cp_upper(c) || cp_lower(c) || c == 0xAA || c == 0xBA;
}
static int cp_digit(uint32_t c) { return c >= '0' && c <= '9'; }
static int cp_space(uint32_t c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

/* every code point satisfies pred (and there is at least one) */
static int64_t all_cps(const pf_str *s, int (*pred)(uint32_t)) {
    if (s->len == 0) return 0;
    const unsigned char *d = (const unsigned char *)s->data;
    for (int64_t i = 0; i < s->len;)
        if (!pred(next_cp(d, &i))) return 0;
    return 1;
}

static int cp_alnum(uint32_t c) { return cp_alpha(c) || cp_digit(c); }
int64_t rt_str_isdigit(const pf_str *s) { return all_cps(s, cp_digit); }
int64_t rt_str_isalpha(const pf_str *s) { return all_cps(s, cp_alpha); }
int64_t rt_str_isalnum(const pf_str *s) { return all_cps(s, cp_alnum); }
int64_t rt_str_isspace(const pf_str *s) { return all_cps(s, cp_space); }

/* cased characters exist and all are of the wanted case */
static int64_t cased(const pf_str *s, int upper) {
    const unsigned char *d = (const unsigned char *)s->data;
    int any = 0;
    for (int64_t i = 0; i < s->len;) {
        uint32_t c = next_cp(d, &i);
        if (cp_upper(c)) {
            if (!upper) return 0;
            any = 1;
        } else if (cp_lower(c)) {
            if (upper) return 0;
            any = 1;
        }
    }
    return any;
}
int64_t rt_str_isupper(const pf_str *s) { return cased(s, 1); }
int64_t rt_str_islower(const pf_str *s) { return cased(s, 0); }

pf_str *rt_str_zfill(pf_ctx *ctx, const pf_str *s, int64_t width) {
    if (width <= s->ncp) {
        rt_incref((pf_obj *)&s->h);
        return (pf_str *)s;
    }
    rt_sbuf sb = {0};
    int64_t i = 0;
    if (s->len && (s->data[0] == '+' || s->data[0] == '-')) rt_sb_putc(&sb, s->data[i++]);
    rt_sb_fill(&sb, "0", 1, width - s->ncp);
    rt_sb_put(&sb, s->data + i, (size_t)(s->len - i));
    return rt_sb_finish(ctx, &sb);
}

static pf_str *justify(pf_ctx *ctx, const pf_str *s, int64_t width, const pf_str *fill, int how) {
    if (fill && fill->ncp != 1) {
        rt_raise(ctx, PF_EXC_TYPE, "The fill character must be exactly one character long");
        return NULL;
    }
    if (width <= s->ncp) {
        rt_incref((pf_obj *)&s->h);
        return (pf_str *)s;
    }
    const char *f = fill ? fill->data : " ";
    size_t fl = fill ? (size_t)fill->len : 1;
    int64_t marg = width - s->ncp, left;
    if (how < 0) left = 0;
    else if (how > 0) left = marg;
    else left = marg / 2 + (marg & width & 1); /* CPython's str.center */
    rt_sbuf sb = {0};
    rt_sb_fill(&sb, f, fl, left);
    rt_sb_put(&sb, s->data, (size_t)s->len);
    rt_sb_fill(&sb, f, fl, marg - left);
    return rt_sb_finish(ctx, &sb);
}

pf_str *rt_str_center(pf_ctx *ctx, const pf_str *s, int64_t w, const pf_str *f) { return justify(ctx, s, w, f, 0); }
pf_str *rt_str_ljust(pf_ctx *ctx, const pf_str *s, int64_t w, const pf_str *f) { return justify(ctx, s, w, f, -1); }
pf_str *rt_str_rjust(pf_ctx *ctx, const pf_str *s, int64_t w, const pf_str *f) { return justify(ctx, s, w, f, 1); }

/* mode 0: capitalize (first upper, rest lower); 1: title (upper after a non-cased char) */
static pf_str *recase(pf_ctx *ctx, const pf_str *s, int title) {
    rt_sbuf sb = {0};
    const unsigned char *d = (const unsigned char *)s->data;
    int prev_cased = 0, first = 1;
    for (int64_t i = 0; i < s->len;) {
        uint32_t c = next_cp(d, &i);
        int up = title ? !prev_cased : first;
        if (up && c == 0xDF) rt_sb_put(&sb, "Ss", 2);
        else put_cp(&sb, up ? to_upper(c) : to_lower(c));
        prev_cased = cp_upper(c) || cp_lower(c);
        first = 0;
    }
    return rt_sb_finish(ctx, &sb);
}

pf_str *rt_str_capitalize(pf_ctx *ctx, const pf_str *s) { return recase(ctx, s, 0); }
pf_str *rt_str_title(pf_ctx *ctx, const pf_str *s) { return recase(ctx, s, 1); }

pf_str *rt_str_removeprefix(pf_ctx *ctx, const pf_str *s, const pf_str *p) {
    if (p->len && rt_str_startswith(s, p)) return rt_str_new(ctx, s->data + p->len, s->len - p->len);
    rt_incref((pf_obj *)&s->h);
    return (pf_str *)s;
}

pf_str *rt_str_removesuffix(pf_ctx *ctx, const pf_str *s, const pf_str *p) {
    if (p->len && rt_str_endswith(s, p)) return rt_str_new(ctx, s->data, s->len - p->len);
    rt_incref((pf_obj *)&s->h);
    return (pf_str *)s;
}

pf_list *rt_str_splitlines(pf_ctx *ctx, const pf_str *s) {
    pf_list *r = new_str_list(ctx);
    if (!r) return NULL;
    const unsigned char *d = (const unsigned char *)s->data;
    int64_t start = 0;
    for (int64_t i = 0; i < s->len;) {
        int64_t at = i;
        uint32_t c = next_cp(d, &i);
        int brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || (c >= 0x1C && c <= 0x1E) || c == 0x85 ||
                  c == 0x2028 || c == 0x2029;
        if (!brk) continue;
        if (push_piece(ctx, r, s->data + start, at - start) < 0) goto fail;
        if (c == '\r' && i < s->len && d[i] == '\n') i++;
        start = i;
    }
    if (start < s->len && push_piece(ctx, r, s->data + start, s->len - start) < 0) goto fail;
    return r;
fail:
    rt_decref(&r->h);
    return NULL;
}

pf_list *rt_str_rsplit(pf_ctx *ctx, const pf_str *s, const pf_str *sep, int64_t maxsplit) {
    if (maxsplit < 0) return rt_str_split(ctx, s, sep, -1); /* same pieces when unlimited */
    if (sep && sep->len == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "empty separator");
        return NULL;
    }
    /* collect pieces right to left, then reverse */
    pf_list *r = new_str_list(ctx);
    if (!r) return NULL;
    const char *d = s->data;
    int64_t end = s->len, splits = 0;
    if (!sep) {
        for (;;) {
            while (end > 0 && is_ws((unsigned char)d[end - 1])) end--;
            if (end <= 0) break;
            if (splits >= maxsplit) {
                if (push_piece(ctx, r, d, end) < 0) goto fail;
                break;
            }
            int64_t j = end;
            while (j > 0 && !is_ws((unsigned char)d[j - 1])) j--;
            if (push_piece(ctx, r, d + j, end - j) < 0) goto fail;
            splits++;
            end = j;
        }
    } else {
        for (;;) {
            int64_t hit = -1;
            if (splits < maxsplit)
                for (int64_t i = end - sep->len; i >= 0; i--)
                    if (memcmp(d + i, sep->data, (size_t)sep->len) == 0) {
                        hit = i;
                        break;
                    }
            if (hit < 0) {
                if (push_piece(ctx, r, d, end) < 0) goto fail;
                break;
            }
            if (push_piece(ctx, r, d + hit + sep->len, end - hit - sep->len) < 0) goto fail;
            splits++;
            end = hit;
        }
    }
    return rt_list_reversed(ctx, r);
fail:
    rt_decref(&r->h);
    return NULL;
}
