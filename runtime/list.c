/* Lists: contiguous 8-byte slots (scalars unboxed), built by push, extended in place when the
 * consumed list is unique (so `acc = acc + [x]` is amortised O(1)), indexing and slicing with
 * Python's rules, membership, and a stable merge sort with optional key and reverse. */
#include <stdlib.h>

#include "runtime/value_impl.h"

static int elem_is_obj(const pf_type *type) { return type && type->elem && pf_type_is_obj(type->elem); }

/* The first buffer is allocated with the header (one malloc per list); growing moves the
 * elements to a separate buffer, so the list's address never changes. */
static pf_slot *inline_data(const pf_list *xs) { return (pf_slot *)(uintptr_t)(xs + 1); }

pf_list *rt_list_new(pf_ctx *ctx, const pf_type *type, int64_t cap) {
    if (cap < 0) cap = 0;
    if (cap > (INT64_MAX - (int64_t)sizeof(pf_list)) / (int64_t)sizeof(pf_slot) / 2) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    pf_list *xs = (pf_list *)rt_alloc(ctx, sizeof(pf_list) + sizeof(pf_slot) * (size_t)cap, PF_K_LIST);
    if (!xs) return NULL;
    xs->h.flags = elem_is_obj(type) ? PF_F_OBJS : 0;
    xs->len = 0;
    xs->cap = cap;
    xs->type = type;
    xs->data = cap ? inline_data(xs) : NULL;
    return xs;
}

static void release_elem(const pf_list *xs, pf_slot v) {
    if ((xs->h.flags & PF_F_OBJS) && v) rt_decref(PF_OBJ_OF(v));
}
static void retain_elem(const pf_list *xs, pf_slot v) {
    if ((xs->h.flags & PF_F_OBJS) && v) rt_incref(PF_OBJ_OF(v));
}

/* Make room for `need` slots in a list the caller owns uniquely. */
static int reserve(pf_ctx *ctx, pf_list *xs, int64_t need) {
    if (need <= xs->cap) return 0;
    int64_t cap = xs->cap < 8 ? 8 : xs->cap + xs->cap / 2;
    if (cap < need) cap = need;
    pf_slot *d;
    if (xs->data == inline_data(xs)) {
        d = malloc(sizeof(pf_slot) * (size_t)cap);
        if (d) memcpy(d, xs->data, sizeof(pf_slot) * (size_t)xs->len);
    } else {
        d = realloc(xs->data, sizeof(pf_slot) * (size_t)cap);
    }
    if (!d) {
        rt_raise_nomem(ctx);
        return -1;
    }
    xs->data = d;
    xs->cap = cap;
    return 0;
}

int rt_list_push(pf_ctx *ctx, pf_list *xs, pf_slot v) {
    if (xs->len == xs->cap && reserve(ctx, xs, xs->len + 1) < 0) {
        release_elem(xs, v);
        return -1;
    }
    xs->data[xs->len++] = v;
    return 0;
}

/* A private copy of xs with room for `cap` slots (elements retained). */
static pf_list *copy_list(pf_ctx *ctx, const pf_list *xs, int64_t cap) {
    pf_list *r = rt_list_new(ctx, xs->type, cap < xs->len ? xs->len : cap);
    if (!r) return NULL;
    if (xs->len) memcpy(r->data, xs->data, sizeof(pf_slot) * (size_t)xs->len);
    r->len = xs->len;
    if (xs->h.flags & PF_F_OBJS)
        for (int64_t i = 0; i < r->len; i++) retain_elem(r, r->data[i]);
    return r;
}

pf_slot rt_list_get_checked(pf_ctx *ctx, const pf_list *xs, int64_t i) { return rt_list_get(ctx, xs, i); }

pf_list *rt_list_append(pf_ctx *ctx, pf_list *xs, pf_slot v) {
    if (xs->h.rc != 1) {
        int objs = elem_is_obj(xs->type);
        pf_list *r = copy_list(ctx, xs, xs->len + xs->len / 2 + 4);
        rt_decref(&xs->h);
        if (!r) {
            /* release v: its ownership came with the call */
            if (v && objs) rt_decref(PF_OBJ_OF(v));
            return NULL;
        }
        xs = r;
    }
    if (rt_list_push(ctx, xs, v) < 0) {
        rt_decref(&xs->h);
        return NULL;
    }
    return xs;
}

pf_list *rt_list_concat(pf_ctx *ctx, pf_list *a, const pf_list *b) {
    int64_t nb = b->len;
    if (nb == 0) return a;
    if (a->h.rc != 1) {
        pf_list *r = copy_list(ctx, a, a->len + nb);
        rt_decref(&a->h);
        if (!r) return NULL;
        a = r;
    }
    if (reserve(ctx, a, a->len + nb) < 0) {
        rt_decref(&a->h);
        return NULL;
    }
    /* b may be a itself (then its data was just moved; read through b after reserving) */
    memcpy(a->data + a->len, b->data, sizeof(pf_slot) * (size_t)nb);
    if (a->h.flags & PF_F_OBJS)
        for (int64_t i = a->len; i < a->len + nb; i++) retain_elem(a, a->data[i]);
    a->len += nb;
    return a;
}

pf_list *rt_list_concat_move(pf_ctx *ctx, pf_list *a, pf_list *b) {
    if (b->h.rc != 1 || a == b || a->h.rc != 1) { /* shared: copy the references */
        pf_list *r = rt_list_concat(ctx, a, b);
        rt_decref(&b->h);
        return r;
    }
    if (reserve(ctx, a, a->len + b->len) < 0) {
        rt_decref(&a->h);
        rt_decref(&b->h);
        return NULL;
    }
    memcpy(a->data + a->len, b->data, sizeof(pf_slot) * (size_t)b->len);
    a->len += b->len;
    b->len = 0; /* its references now belong to a */
    rt_decref(&b->h);
    return a;
}

pf_list *rt_list_repeat(pf_ctx *ctx, const pf_list *xs, int64_t n) {
    if (n < 0) n = 0;
    if (xs->len && n > INT64_MAX / 16 / xs->len) {
        rt_raise_nomem(ctx);
        return NULL;
    }
    pf_list *r = rt_list_new(ctx, xs->type, xs->len * n);
    if (!r) return NULL;
    for (int64_t k = 0; k < n; k++) {
        memcpy(r->data + k * xs->len, xs->data, sizeof(pf_slot) * (size_t)xs->len);
        if (xs->h.flags & PF_F_OBJS)
            for (int64_t i = 0; i < xs->len; i++) retain_elem(r, xs->data[i]);
    }
    r->len = xs->len * n;
    return r;
}

pf_list *rt_list_slice(pf_ctx *ctx, const pf_list *xs, int64_t start, int64_t stop, int64_t step) {
    if (step == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "slice step cannot be zero");
        return NULL;
    }
    int64_t n = rt_slice_indices(xs->len, &start, &stop, step);
    /* Slices are usually concatenated next (`p[k::-1] + p[k + 1:]`): leave room for that, so
     * the concatenation extends the unique slice in place; bounded by 2n + 16 slots. */
    int64_t cap = n * 2 + 16 < xs->len ? n * 2 + 16 : xs->len;
    pf_list *r = rt_list_new(ctx, xs->type, cap > n ? cap : n);
    if (!r) return NULL;
    if (step == 1) {
        if (n) memcpy(r->data, xs->data + start, sizeof(pf_slot) * (size_t)n);
    } else {
        for (int64_t k = 0; k < n; k++) r->data[k] = xs->data[start + k * step];
    }
    if (r->h.flags & PF_F_OBJS)
        for (int64_t k = 0; k < n; k++) retain_elem(r, r->data[k]);
    r->len = n;
    return r;
}

/* rt_list_splice's pieces with their bounds normalised: source start and element count. */
typedef struct spliced {
    const pf_piece *p;
    int64_t start[16], count[16];
    int64_t n, total;
} spliced;

/* Copies piece i into dst (a fresh buffer, or reuse's data when in_place_ok said so). */
static void put_piece(const spliced *sp, int64_t i, pf_slot *dst) {
    const pf_list *xs = sp->p[i].xs;
    int64_t st = sp->start[i], k = sp->count[i], step = sp->p[i].step;
    if (!xs) {
        *dst = (pf_slot)sp->p[i].start;
    } else if (step == 1) {
        if (k && dst != xs->data + st) memmove(dst, xs->data + st, sizeof(pf_slot) * (size_t)k);
    } else if (step == -1 && dst == xs->data + st - k + 1) { /* reversed onto itself */
        for (int64_t a = 0, b = k - 1; a < b; a++, b--) {
            pf_slot t = dst[a];
            dst[a] = dst[b];
            dst[b] = t;
        }
    } else {
        for (int64_t j = 0; j < k; j++) dst[j] = xs->data[st + j * step];
    }
}

/* Can the pieces be written in order straight into `into` (a list some pieces slice)? Each piece's
 * output range must leave the sources of the later pieces alone, and a piece of `into` itself must
 * be a forward shift (memmove), a reversal onto the same range, or not overlap its output. */
static int in_place_ok(const spliced *sp, const pf_list *into) {
    int64_t d = 0;
    for (int64_t i = 0; i < sp->n; i++) {
        int64_t k = sp->count[i];
        for (int64_t j = i; j < sp->n && k; j++) {
            int64_t kj = sp->count[j], step = sp->p[j].step;
            if (sp->p[j].xs != into || !kj) continue;
            int64_t lo = sp->start[j], hi = lo + (kj - 1) * step; /* first and last index read */
            if (lo > hi) {
                int64_t t = lo;
                lo = hi;
                hi = t;
            }
            int disjoint = hi < d || lo >= d + k;
            if (j > i && !disjoint) return 0;
            if (j == i && !disjoint && step != 1 && !(step == -1 && lo == d)) return 0;
        }
        d += sp->p[i].xs ? k : 1;
    }
    return 1;
}

enum { SPLICE_PIECES = 16 };

pf_list *rt_list_splice(pf_ctx *ctx, pf_list *reuse, const pf_type *type, int64_t n, const pf_piece *pieces) {
    spliced sp;
    if (n > SPLICE_PIECES) {
        if (reuse) rt_decref(&reuse->h);
        rt_raise(ctx, PF_EXC_VALUE, "internal: too many pieces in a list concatenation");
        return NULL;
    }
    sp.p = pieces;
    sp.n = n;
    sp.total = 0;
    int aliased = 0; /* some piece is a slice of reuse itself */
    for (int64_t i = 0; i < n; i++) {
        const pf_list *xs = pieces[i].xs;
        if (xs) {
            int64_t st = pieces[i].start, stop = pieces[i].stop;
            sp.count[i] = rt_slice_indices(xs->len, &st, &stop, pieces[i].step);
            sp.start[i] = st;
            aliased |= xs == reuse;
        } else {
            sp.count[i] = 1;
        }
        sp.total += sp.count[i];
    }
    int objs = elem_is_obj(type);
    pf_list *r = NULL;
    if (reuse && reuse->h.rc == 1 && !objs && !(reuse->h.flags & PF_F_OBJS) && sp.total <= reuse->cap &&
        (!aliased || in_place_ok(&sp, reuse))) {
        r = reuse;
        reuse = NULL;
    } else {
        r = rt_list_new(ctx, type, sp.total);
    }
    if (r) {
        pf_slot *dst = r->data;
        for (int64_t i = 0; i < n; i++) {
            put_piece(&sp, i, dst);
            dst += sp.count[i];
        }
        r->len = sp.total;
        r->type = type;
        if (objs)
            for (int64_t k = 0; k < sp.total; k++) retain_elem(r, r->data[k]);
    }
    if (reuse) rt_decref(&reuse->h);
    return r;
}

int64_t rt_list_contains(pf_ctx *ctx, const pf_list *xs, pf_slot v) {
    if (xs->len == 0) return 0;
    const pf_type *et = xs->type->elem;
    if (et->kind == PF_T_INT || et->kind == PF_T_BOOL) {
        for (int64_t i = 0; i < xs->len; i++)
            if (xs->data[i] == v) return 1;
        return 0;
    }
    for (int64_t i = 0; i < xs->len; i++) {
        if (rt_eq(ctx, xs->data[i], v, et)) return 1;
        if (ctx->exc) return 0;
    }
    return 0;
}

int64_t rt_list_index(pf_ctx *ctx, const pf_list *xs, pf_slot v) {
    for (int64_t i = 0; i < xs->len; i++) {
        if (rt_eq(ctx, xs->data[i], v, xs->type->elem)) return i;
        if (ctx->exc) return 0;
    }
    pf_str *r = rt_repr(ctx, v, xs->type->elem ? xs->type->elem : &pf_type_none);
    if (!r) return 0;
    rt_raise(ctx, PF_EXC_VALUE, "%s is not in list", r->data);
    rt_decref(&r->h);
    return 0;
}

int64_t rt_list_count(pf_ctx *ctx, const pf_list *xs, pf_slot v) {
    int64_t c = 0;
    for (int64_t i = 0; i < xs->len; i++) c += rt_eq(ctx, xs->data[i], v, xs->type->elem) != 0;
    return c;
}

pf_list *rt_list_reversed(pf_ctx *ctx, pf_list *xs) {
    if (xs->h.rc != 1) {
        pf_list *r = copy_list(ctx, xs, xs->len);
        rt_decref(&xs->h);
        if (!r) return NULL;
        xs = r;
    }
    for (int64_t i = 0, j = xs->len - 1; i < j; i++, j--) {
        pf_slot t = xs->data[i];
        xs->data[i] = xs->data[j];
        xs->data[j] = t;
    }
    return xs;
}

pf_list *rt_list_range(pf_ctx *ctx, int64_t start, int64_t stop, int64_t step) {
    static const pf_type list_int = {.kind = PF_T_LIST, .elem = &pf_type_int};
    if (step == 0) {
        rt_raise(ctx, PF_EXC_VALUE, "range() arg 3 must not be zero");
        return NULL;
    }
    int64_t n = rt_range_len(start, stop, step);
    pf_list *r = rt_list_new(ctx, &list_int, n);
    if (!r) return NULL;
    for (int64_t i = 0; i < n; i++) r->data[i] = start + i * step;
    r->len = n;
    return r;
}

/* ---- sorting ----------------------------------------------------------------------------- */

typedef struct item {
    pf_slot key, val;
} item;

typedef struct sorter {
    pf_ctx *ctx;
    const pf_type *kt;
    int reverse;
} sorter;

/* strictly "b before a" in the output order */
static inline int before(const sorter *s, const item *b, const item *a) {
    pf_slot x = s->reverse ? a->key : b->key, y = s->reverse ? b->key : a->key;
    switch (s->kt->kind) {
    case PF_T_INT:
    case PF_T_BOOL: return x < y;
    case PF_T_FLOAT: return pf_slot_to_float(x) < pf_slot_to_float(y);
    default:
        if (s->ctx->exc) return 0; /* a comparison raised: finish quickly, result discarded */
        return (int)rt_lt(s->ctx, x, y, s->kt);
    }
}

static void merge_sort(const sorter *s, item *a, item *tmp, int64_t n) {
    /* insertion sort for small runs, then bottom-up merging (stable) */
    enum { RUN = 16 };
    for (int64_t lo = 0; lo < n; lo += RUN) {
        int64_t hi = lo + RUN < n ? lo + RUN : n;
        for (int64_t i = lo + 1; i < hi; i++) {
            item x = a[i];
            int64_t j = i;
            while (j > lo && before(s, &x, &a[j - 1])) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
    }
    item *src = a, *dst = tmp;
    for (int64_t w = RUN; w < n; w *= 2) {
        for (int64_t lo = 0; lo < n; lo += 2 * w) {
            int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            int64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) dst[k++] = before(s, &src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid) dst[k++] = src[i++];
            while (j < hi) dst[k++] = src[j++];
        }
        item *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, sizeof(item) * (size_t)n);
}

pf_list *rt_list_sorted(pf_ctx *ctx, pf_list *xs, pf_key_fn key, pf_obj *env, const pf_type *key_type,
                        int64_t reverse) {
    if (xs->h.rc != 1) {
        pf_list *r = copy_list(ctx, xs, xs->len);
        rt_decref(&xs->h);
        if (!r) return NULL;
        xs = r;
    }
    int64_t n = xs->len;
    if (n < 2) return xs;
    const pf_type *kt = key ? key_type : xs->type->elem;
    item *items = malloc(sizeof(item) * (size_t)n * 2);
    if (!items) {
        rt_decref(&xs->h);
        rt_raise_nomem(ctx);
        return NULL;
    }
    int64_t nkeys = 0;
    for (int64_t i = 0; i < n; i++) items[i].val = xs->data[i];
    for (int64_t i = 0; i < n; i++) {
        if (key) {
            items[i].key = key(ctx, env, xs->data[i]);
            if (ctx->exc) break;
            nkeys++;
        } else {
            items[i].key = xs->data[i];
        }
    }
    sorter s = {ctx, kt, reverse != 0};
    if (!ctx->exc) merge_sort(&s, items, items + n, n);
    if (key)
        for (int64_t i = 0; i < nkeys; i++) rt_release(items[i].key, kt);
    for (int64_t i = 0; i < n; i++) xs->data[i] = items[i].val;
    free(items);
    if (ctx->exc) {
        rt_decref(&xs->h);
        return NULL;
    }
    return xs;
}

pf_list *rt_list_sort_by_keys(pf_ctx *ctx, pf_list *xs, pf_list *keys, int64_t reverse) {
    if (xs->h.rc != 1) {
        pf_list *r = copy_list(ctx, xs, xs->len);
        rt_decref(&xs->h);
        xs = r;
    }
    if (!xs) {
        rt_decref(&keys->h);
        return NULL;
    }
    int64_t n = xs->len < keys->len ? xs->len : keys->len;
    item *items = n > 1 ? malloc(sizeof(item) * (size_t)n * 2) : NULL;
    if (n > 1 && !items) {
        rt_decref(&keys->h);
        rt_decref(&xs->h);
        rt_raise_nomem(ctx);
        return NULL;
    }
    if (n > 1) {
        for (int64_t i = 0; i < n; i++) items[i] = (item){keys->data[i], xs->data[i]};
        sorter s = {ctx, keys->type->elem, reverse != 0};
        merge_sort(&s, items, items + n, n);
        for (int64_t i = 0; i < n; i++) xs->data[i] = items[i].val;
        free(items);
    }
    rt_decref(&keys->h);
    if (ctx->exc) {
        rt_decref(&xs->h);
        return NULL;
    }
    return xs;
}
