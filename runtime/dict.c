/* Dicts: immutable, insertion-ordered hash maps in CPython's compact layout (dense entries in
 * insertion order + a sparse int32 index with linear probing). `d | {k: v}` and comprehension
 * building go through rt_dict_set, which updates a unique dict in place and copies a shared one. */
#include <stdlib.h>

#include "runtime/value_impl.h"

static const pf_type *key_type(const pf_dict *d) { return d->type->elem; }

pf_dict *rt_dict_new(pf_ctx *ctx, const pf_type *type, int64_t cap) {
    pf_dict *d = (pf_dict *)rt_alloc(ctx, sizeof(pf_dict), PF_K_DICT);
    if (!d) return NULL;
    d->h.flags = (type->elem && pf_type_is_obj(type->elem) ? PF_F_OBJS : 0) |
                 (type->val && pf_type_is_obj(type->val) ? PF_F_VOBJS : 0);
    d->len = 0;
    d->cap = cap > 0 ? cap : 0;
    d->entries = NULL;
    d->index = NULL;
    d->mask = 0;
    d->type = type;
    if (cap > 0) {
        d->entries = malloc(sizeof(pf_dict_entry) * (size_t)cap);
        if (!d->entries) {
            free(d);
            rt_raise_nomem(ctx);
            return NULL;
        }
    }
    return d;
}

static void put_index(pf_dict *d, uint64_t h, int32_t pos) {
    uint64_t i = h & (uint64_t)d->mask;
    while (d->index[i] >= 0) i = (i + 1) & (uint64_t)d->mask;
    d->index[i] = pos;
}

/* Rebuild the index with at least 3/2 * need buckets. */
static int reindex(pf_ctx *ctx, pf_dict *d, int64_t need) {
    int64_t nb = 8;
    while (nb < need + need / 2 + 1) nb *= 2;
    int32_t *idx = malloc(sizeof(int32_t) * (size_t)nb);
    if (!idx) {
        rt_raise_nomem(ctx);
        return -1;
    }
    memset(idx, 0xff, sizeof(int32_t) * (size_t)nb);
    free(d->index);
    d->index = idx;
    d->mask = nb - 1;
    for (int64_t i = 0; i < d->len; i++) put_index(d, d->entries[i].hash, (int32_t)i);
    return 0;
}

static int64_t find_hashed(pf_ctx *ctx, const pf_dict *d, pf_slot k, uint64_t h) {
    if (!d->index) return -1;
    const pf_type *kt = key_type(d);
    uint64_t i = h & (uint64_t)d->mask;
    for (;;) {
        int32_t pos = d->index[i];
        if (pos < 0) return -1;
        const pf_dict_entry *e = &d->entries[pos];
        if (e->hash == h) {
            if (kt->kind == PF_T_INT || kt->kind == PF_T_BOOL ? e->key == k : rt_eq(ctx, e->key, k, kt)) return pos;
            if (ctx->exc) return -1;
        }
        i = (i + 1) & (uint64_t)d->mask;
    }
}

int64_t rt_dict_find(pf_ctx *ctx, const pf_dict *d, pf_slot k) {
    if (d->len == 0) return -1;
    return find_hashed(ctx, d, k, rt_hash(k, key_type(d)));
}

static pf_dict *copy_dict(pf_ctx *ctx, const pf_dict *d, int64_t cap) {
    pf_dict *r = rt_dict_new(ctx, d->type, cap < d->len ? d->len : cap);
    if (!r) return NULL;
    if (d->len) memcpy(r->entries, d->entries, sizeof(pf_dict_entry) * (size_t)d->len);
    r->len = d->len;
    for (int64_t i = 0; i < r->len; i++) {
        if ((r->h.flags & PF_F_OBJS) && r->entries[i].key) rt_incref(PF_OBJ_OF(r->entries[i].key));
        if ((r->h.flags & PF_F_VOBJS) && r->entries[i].val) rt_incref(PF_OBJ_OF(r->entries[i].val));
    }
    if (r->len && reindex(ctx, r, r->cap) < 0) {
        rt_decref(&r->h);
        return NULL;
    }
    return r;
}

static void release_kv(const pf_type *type, pf_slot k, pf_slot v) {
    rt_release(k, type->elem);
    rt_release(v, type->val);
}

pf_dict *rt_dict_set(pf_ctx *ctx, pf_dict *d, pf_slot k, pf_slot v) {
    const pf_type *type = d->type;
    if (d->h.rc != 1) {
        pf_dict *r = copy_dict(ctx, d, d->len + d->len / 2 + 4);
        rt_decref(&d->h);
        if (!r) {
            release_kv(type, k, v);
            return NULL;
        }
        d = r;
    }
    uint64_t h = rt_hash(k, key_type(d));
    int64_t pos = find_hashed(ctx, d, k, h);
    if (ctx->exc) goto fail;
    if (pos >= 0) {
        rt_release(d->entries[pos].val, type->val);
        d->entries[pos].val = v;
        rt_release(k, type->elem); /* the existing key object stays */
        return d;
    }
    if (d->len == d->cap) {
        int64_t cap = d->cap < 4 ? 4 : d->cap * 2;
        pf_dict_entry *e = realloc(d->entries, sizeof(pf_dict_entry) * (size_t)cap);
        if (!e) {
            rt_raise_nomem(ctx);
            goto fail;
        }
        d->entries = e;
        d->cap = cap;
    }
    if (!d->index || (d->len + 1) * 3 > (d->mask + 1) * 2) {
        if (reindex(ctx, d, d->len + 1 > d->cap ? d->len + 1 : d->cap) < 0) goto fail;
    }
    d->entries[d->len] = (pf_dict_entry){h, k, v};
    put_index(d, h, (int32_t)d->len);
    d->len++;
    return d;
fail:
    release_kv(type, k, v);
    rt_decref(&d->h);
    return NULL;
}

pf_slot rt_dict_getitem(pf_ctx *ctx, const pf_dict *d, pf_slot k) {
    int64_t pos = rt_dict_find(ctx, d, k);
    if (pos < 0) {
        if (!ctx->exc) rt_raise_key(ctx, k, key_type(d));
        return 0;
    }
    return d->entries[pos].val;
}

pf_slot rt_dict_get(pf_ctx *ctx, const pf_dict *d, pf_slot k, pf_slot dflt) {
    int64_t pos = rt_dict_find(ctx, d, k);
    return pos < 0 ? dflt : d->entries[pos].val;
}

int64_t rt_dict_contains(pf_ctx *ctx, const pf_dict *d, pf_slot k) { return rt_dict_find(ctx, d, k) >= 0; }

pf_dict *rt_dict_merge(pf_ctx *ctx, pf_dict *a, const pf_dict *b) {
    int64_t n = b->len;
    for (int64_t i = 0; i < n && a; i++) {
        pf_slot k = b->entries[i].key, v = b->entries[i].val;
        rt_retain(k, b->type->elem);
        rt_retain(v, b->type->val);
        a = rt_dict_set(ctx, a, k, v);
    }
    return a;
}

pf_list *rt_dict_keys(pf_ctx *ctx, const pf_dict *d, const pf_type *type) {
    pf_list *r = rt_list_new(ctx, type, d->len);
    if (!r) return NULL;
    for (int64_t i = 0; i < d->len; i++) {
        rt_retain(d->entries[i].key, d->type->elem);
        r->data[i] = d->entries[i].key;
    }
    r->len = d->len;
    return r;
}

pf_list *rt_dict_values(pf_ctx *ctx, const pf_dict *d, const pf_type *type) {
    pf_list *r = rt_list_new(ctx, type, d->len);
    if (!r) return NULL;
    for (int64_t i = 0; i < d->len; i++) {
        rt_retain(d->entries[i].val, d->type->val);
        r->data[i] = d->entries[i].val;
    }
    r->len = d->len;
    return r;
}

pf_list *rt_dict_items(pf_ctx *ctx, const pf_dict *d, const pf_type *type) {
    pf_list *r = rt_list_new(ctx, type, d->len);
    if (!r) return NULL;
    for (int64_t i = 0; i < d->len; i++) {
        pf_rec *t = rt_rec_new(ctx, type->elem);
        if (!t) {
            rt_decref(&r->h);
            return NULL;
        }
        rt_retain(d->entries[i].key, d->type->elem);
        rt_retain(d->entries[i].val, d->type->val);
        t->slots[0] = d->entries[i].key;
        t->slots[1] = d->entries[i].val;
        r->data[r->len++] = PF_SLOT_OBJ(t);
    }
    return r;
}
