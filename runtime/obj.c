/* Object memory: allocation, the cold free path of reference counting, shared (atomic) counts,
 * rt_share, generic retain/release by static type, and the builtin type descriptors.
 * Freeing walks children through the type pointer every container carries (value.h). */
#include <stdlib.h>

#include "runtime/value_impl.h"

/* ---- builtin type descriptors ------------------------------------------------------------ */

const pf_type pf_type_int = {.kind = PF_T_INT};
const pf_type pf_type_float = {.kind = PF_T_FLOAT};
const pf_type pf_type_bool = {.kind = PF_T_BOOL};
const pf_type pf_type_none = {.kind = PF_T_NONE};
const pf_type pf_type_str = {.kind = PF_T_STR};
const pf_type pf_type_exc = {.kind = PF_T_EXC};
const pf_type pf_type_list_str = {.kind = PF_T_LIST, .elem = &pf_type_str};

int rt_type_eq(const pf_type *a, const pf_type *b) {
    if (a == b) return 1;
    if (!a || !b || a->kind != b->kind) return 0;
    switch (a->kind) {
    case PF_T_LIST:
    case PF_T_OPTIONAL: return rt_type_eq(a->elem, b->elem);
    case PF_T_DICT: return rt_type_eq(a->elem, b->elem) && rt_type_eq(a->val, b->val);
    case PF_T_TUPLE:
        if (a->n != b->n) return 0;
        for (uint32_t i = 0; i < a->n; i++)
            if (!rt_type_eq(a->fields[i], b->fields[i])) return 0;
        return 1;
    case PF_T_RECORD:
        /* classes are nominal; codegen emits one descriptor per class, but be lenient */
        return a->name && b->name && strcmp(a->name, b->name) == 0 && a->n == b->n;
    default: return 1;
    }
}

/* ---- allocation -------------------------------------------------------------------------- */

/* rt_alloc and the block cache are in alloc.c */

/* ---- release ----------------------------------------------------------------------------- */

void rt_release(pf_slot v, const pf_type *t) {
    if (pf_type_is_obj(t) && v) rt_decref(PF_OBJ_OF(v));
}

void rt_retain(pf_slot v, const pf_type *t) {
    if (pf_type_is_obj(t) && v) rt_incref(PF_OBJ_OF(v));
}

/* Freeing is iterative: a child whose count drops to zero goes on a small explicit stack
 * instead of a recursive call, so dropping a long chain (a linked list of records, a deeply
 * nested list) needs no C stack per level. Only when the stack is full does it recurse. */
enum { FREE_STACK = 64 };
typedef struct free_stack {
    pf_obj *items[FREE_STACK];
    int n;
} free_stack;

/* Drop one reference to child c; if it was the last, queue c for freeing. */
static void drop(free_stack *fs, pf_obj *c) {
    int32_t rc = __atomic_load_n(&c->rc, __ATOMIC_RELAXED);
    if (rc > 1) {
        c->rc = rc - 1;
        return;
    }
    if (rc == 0) return; /* immortal */
    if (rc < 0 && __atomic_fetch_add(&c->rc, 1, __ATOMIC_ACQ_REL) != -1) return;
    if (fs->n < FREE_STACK) fs->items[fs->n++] = c;
    else rt_free(c);
}

static void drop_slot(free_stack *fs, pf_slot v, const pf_type *t) {
    if (v && pf_type_is_obj(t)) drop(fs, PF_OBJ_OF(v));
}

static void drop_fields(free_stack *fs, pf_slot *slots, int64_t n, const pf_type *t) {
    if (!t || !t->fields) return;
    for (int64_t i = 0; i < n; i++) drop_slot(fs, slots[i], t->fields[i]);
}

/* Release o's children into fs and free o's memory (its count has reached zero). */
static void free_one(free_stack *fs, pf_obj *o) {
    switch (o->kind) {
    case PF_K_STR:
    case PF_K_BOX: break;
    case PF_K_LIST: {
        pf_list *xs = (pf_list *)o;
        if (o->flags & PF_F_OBJS)
            for (int64_t i = 0; i < xs->len; i++)
                if (xs->data[i]) drop(fs, PF_OBJ_OF(xs->data[i]));
        if (xs->data != (pf_slot *)(uintptr_t)(xs + 1)) free(xs->data); /* else allocated with xs */
        break;
    }
    case PF_K_TUPLE:
    case PF_K_RECORD: {
        pf_rec *r = (pf_rec *)o;
        if (!(o->flags & PF_F_SCALARS)) drop_fields(fs, r->slots, r->n, r->type);
        break;
    }
    case PF_K_CLOSURE: {
        pf_closure *c = (pf_closure *)o;
        if (!(o->flags & PF_F_SCALARS)) drop_fields(fs, c->slots, c->n, c->type);
        break;
    }
    case PF_K_DICT: {
        pf_dict *d = (pf_dict *)o;
        for (int64_t i = 0; i < d->len; i++) {
            if ((o->flags & PF_F_OBJS) && d->entries[i].key) drop(fs, PF_OBJ_OF(d->entries[i].key));
            if ((o->flags & PF_F_VOBJS) && d->entries[i].val) drop(fs, PF_OBJ_OF(d->entries[i].val));
        }
        free(d->entries);
        free(d->index);
        break;
    }
    case PF_K_EXC: {
        pf_exc *e = (pf_exc *)o;
        if (e->msg) drop(fs, &e->msg->h);
        free(e->frames);
        break;
    }
    default: __builtin_trap(); /* PF_K_FREED or garbage: a double free or a corrupt pointer */
    }
    o->kind = PF_K_FREED;
    rt_obj_free_block(o);
}

void rt_free(pf_obj *o) {
    free_stack fs;
    fs.n = 0;
    free_one(&fs, o);
    while (fs.n > 0) free_one(&fs, fs.items[--fs.n]);
}

static void release_fields(pf_slot *slots, int64_t n, const pf_type *t) {
    if (!t || !t->fields) return;
    for (int64_t i = 0; i < n; i++) rt_release(slots[i], t->fields[i]);
}

void rt_incref_shared(pf_obj *o) {
    /* relaxed: taking a new reference needs no ordering, we already hold one (as lean.h) */
    __atomic_fetch_sub(&o->rc, 1, __ATOMIC_RELAXED);
}

void rt_decref_shared(pf_obj *o) {
    /* acq_rel: the last owner must see every other owner's writes before freeing */
    if (__atomic_fetch_add(&o->rc, 1, __ATOMIC_ACQ_REL) == -1) rt_free(o);
}

void rt_obj_incref(pf_obj *o) {
    if (o) rt_incref(o);
}

void rt_obj_decref(pf_obj *o) {
    if (o) rt_decref(o);
}

/* ---- sharing ----------------------------------------------------------------------------- */

/* Iterative like rt_free: private children wait on an explicit stack (recursing only when it is
 * full), so a long chain is made shared without a C stack frame per level. */
static void share_push(free_stack *st, pf_obj *c) {
    if (!c || c->rc <= 0) return; /* NULL (None), immortal, or already shared with its graph */
    c->rc = -c->rc;
    if (st->n < FREE_STACK) st->items[st->n++] = c;
    else {
        c->rc = -c->rc; /* let the recursive call do it */
        rt_share(c);
    }
}

static void share_fields(free_stack *st, const pf_slot *slots, int64_t n, const pf_type *t) {
    if (!t || !t->fields) return;
    for (int64_t i = 0; i < n; i++)
        if (slots[i] && pf_type_is_obj(t->fields[i])) share_push(st, PF_OBJ_OF(slots[i]));
}

static void share_children(free_stack *st, pf_obj *o) {
    switch (o->kind) {
    case PF_K_LIST: {
        pf_list *xs = (pf_list *)o;
        if (o->flags & PF_F_OBJS)
            for (int64_t i = 0; i < xs->len; i++) share_push(st, PF_OBJ_OF(xs->data[i]));
        break;
    }
    case PF_K_TUPLE:
    case PF_K_RECORD: {
        pf_rec *r = (pf_rec *)o;
        if (!(o->flags & PF_F_SCALARS)) share_fields(st, r->slots, r->n, r->type);
        break;
    }
    case PF_K_CLOSURE: {
        pf_closure *c = (pf_closure *)o;
        if (!(o->flags & PF_F_SCALARS)) share_fields(st, c->slots, c->n, c->type);
        break;
    }
    case PF_K_DICT: {
        pf_dict *d = (pf_dict *)o;
        for (int64_t i = 0; i < d->len; i++) {
            if (o->flags & PF_F_OBJS) share_push(st, PF_OBJ_OF(d->entries[i].key));
            if (o->flags & PF_F_VOBJS) share_push(st, PF_OBJ_OF(d->entries[i].val));
        }
        break;
    }
    case PF_K_EXC: {
        pf_exc *e = (pf_exc *)o;
        if (e->msg) share_push(st, &e->msg->h);
        break;
    }
    default: break;
    }
}

void rt_share(pf_obj *o) {
    if (!o || o->rc <= 0) return; /* immortal, or already shared (its graph is shared too) */
    free_stack st;
    st.n = 0;
    o->rc = -o->rc;
    share_children(&st, o);
    while (st.n > 0) share_children(&st, st.items[--st.n]);
}

/* ---- boxes, records, closures ------------------------------------------------------------ */

pf_box *rt_box_new(pf_ctx *ctx, pf_slot v) {
    pf_box *b = (pf_box *)rt_alloc(ctx, sizeof(pf_box), PF_K_BOX);
    if (b) b->v = v;
    return b;
}

static int all_scalar(const pf_type *t) {
    if (!t) return 1;
    for (uint32_t i = 0; i < t->n; i++)
        if (pf_type_is_obj(t->fields[i])) return 0;
    return 1;
}

pf_rec *rt_rec_new(pf_ctx *ctx, const pf_type *t) {
    int kind = t->kind == PF_T_RECORD ? PF_K_RECORD : PF_K_TUPLE;
    pf_rec *r = (pf_rec *)rt_alloc(ctx, sizeof(pf_rec) + sizeof(pf_slot) * t->n, kind);
    if (!r) return NULL;
    if (all_scalar(t)) r->h.flags = PF_F_SCALARS;
    r->n = t->n;
    r->type = t;
    return r;
}

pf_rec *rt_rec_reuse(pf_ctx *ctx, pf_obj *old, const pf_type *t) {
    if (old && old->rc == 1 && (old->kind == PF_K_TUPLE || old->kind == PF_K_RECORD) &&
        ((pf_rec *)old)->n == (int64_t)t->n) {
        pf_rec *r = (pf_rec *)old;
        if (!(old->flags & PF_F_SCALARS)) release_fields(r->slots, r->n, r->type);
        old->kind = t->kind == PF_T_RECORD ? PF_K_RECORD : PF_K_TUPLE;
        old->flags = all_scalar(t) ? PF_F_SCALARS : 0;
        r->type = t;
        return r;
    }
    if (old) rt_decref(old);
    return rt_rec_new(ctx, t);
}

pf_slot rt_tuple_get(pf_ctx *ctx, const pf_rec *t, int64_t i) {
    if (i < 0) i += t->n;
    if (i < 0 || i >= t->n) return rt_raise_index(ctx, "tuple");
    return t->slots[i];
}

pf_closure *rt_closure_new(pf_ctx *ctx, const pf_type *t, void *fn) {
    int64_t n = t ? t->n : 0;
    pf_closure *c = (pf_closure *)rt_alloc(ctx, sizeof(pf_closure) + sizeof(pf_slot) * n, PF_K_CLOSURE);
    if (!c) return NULL;
    c->n = n;
    c->type = t;
    c->fn = fn;
    if (all_scalar(t)) c->h.flags = PF_F_SCALARS;
    return c;
}
