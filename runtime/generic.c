/* Generic operations over a (slot, static type) pair: repr and str with Python's rules for
 * nested containers, ==, < and <= (lexicographic for tuples and lists, as CPython's rich
 * comparison), hashing consistent with ==, and truthiness. */
#include <math.h>
#include <stdlib.h>

#include "runtime/value_impl.h"

/* The inner slot of an optional value that is not None. */
static pf_slot unopt(pf_slot v, const pf_type *inner) {
    return pf_type_is_obj(inner) ? v : ((const pf_box *)PF_OBJ_OF(v))->v;
}

static int put_owned(rt_sbuf *sb, pf_str *s) {
    if (!s) return -1;
    rt_sb_put(sb, s->data, (size_t)s->len);
    rt_decref(&s->h);
    return 0;
}

static int record_repr(pf_ctx *ctx, rt_sbuf *sb, pf_rec *r, const pf_type *t, int use_str) {
    pf_method_obj m = use_str && t->str ? t->str : t->repr;
    if (m) {
        pf_obj *s = m(ctx, &r->h);
        if (ctx->exc) {
            if (s) rt_decref(s);
            return -1;
        }
        return put_owned(sb, (pf_str *)s);
    }
    /* CPython prints <__main__.P object at 0x...>; pf has no addresses worth showing */
    rt_sb_puts(sb, "<__main__.");
    rt_sb_puts(sb, t->name ? t->name : "object");
    rt_sb_puts(sb, " object>");
    return 0;
}

int rt_repr_into(pf_ctx *ctx, rt_sbuf *sb, pf_slot v, const pf_type *t) {
    char buf[40];
    switch (t->kind) {
    case PF_T_INT: rt_sb_put(sb, buf, (size_t)snprintf(buf, sizeof buf, "%lld", (long long)v)); return 0;
    case PF_T_FLOAT: rt_sb_put(sb, buf, (size_t)rt_float_repr_buf(pf_slot_to_float(v), buf)); return 0;
    case PF_T_BOOL: rt_sb_puts(sb, v ? "True" : "False"); return 0;
    case PF_T_NONE: rt_sb_puts(sb, "None"); return 0;
    case PF_T_STR: return put_owned(sb, rt_str_repr(ctx, (const pf_str *)PF_OBJ_OF(v)));
    case PF_T_LIST: {
        const pf_list *xs = (const pf_list *)PF_OBJ_OF(v);
        rt_sb_putc(sb, '[');
        for (int64_t i = 0; i < xs->len; i++) {
            if (i) rt_sb_put(sb, ", ", 2);
            if (rt_repr_into(ctx, sb, xs->data[i], t->elem) < 0) return -1;
        }
        rt_sb_putc(sb, ']');
        return 0;
    }
    case PF_T_TUPLE: {
        const pf_rec *r = (const pf_rec *)PF_OBJ_OF(v);
        rt_sb_putc(sb, '(');
        for (int64_t i = 0; i < r->n; i++) {
            if (i) rt_sb_put(sb, ", ", 2);
            if (rt_repr_into(ctx, sb, r->slots[i], t->fields[i]) < 0) return -1;
        }
        if (r->n == 1) rt_sb_putc(sb, ',');
        rt_sb_putc(sb, ')');
        return 0;
    }
    case PF_T_DICT: {
        const pf_dict *d = (const pf_dict *)PF_OBJ_OF(v);
        rt_sb_putc(sb, '{');
        for (int64_t i = 0; i < d->len; i++) {
            if (i) rt_sb_put(sb, ", ", 2);
            if (rt_repr_into(ctx, sb, d->entries[i].key, t->elem) < 0) return -1;
            rt_sb_put(sb, ": ", 2);
            if (rt_repr_into(ctx, sb, d->entries[i].val, t->val) < 0) return -1;
        }
        rt_sb_putc(sb, '}');
        return 0;
    }
    case PF_T_RECORD: return record_repr(ctx, sb, (pf_rec *)PF_OBJ_OF(v), t, 0);
    case PF_T_FUNC:
        rt_sb_puts(sb, "<function ");
        rt_sb_puts(sb, t->name ? t->name : "<lambda>");
        rt_sb_putc(sb, '>');
        return 0;
    case PF_T_OPTIONAL:
        if (!v) {
            rt_sb_puts(sb, "None");
            return 0;
        }
        return rt_repr_into(ctx, sb, unopt(v, t->elem), t->elem);
    case PF_T_EXC: return put_owned(sb, rt_exc_repr(ctx, (const pf_exc *)PF_OBJ_OF(v)));
    default: rt_sb_puts(sb, "<?>"); return 0;
    }
}

int rt_str_into(pf_ctx *ctx, rt_sbuf *sb, pf_slot v, const pf_type *t) {
    switch (t->kind) {
    case PF_T_STR: {
        const pf_str *s = (const pf_str *)PF_OBJ_OF(v);
        rt_sb_put(sb, s->data, (size_t)s->len);
        return 0;
    }
    case PF_T_RECORD: return record_repr(ctx, sb, (pf_rec *)PF_OBJ_OF(v), t, 1);
    case PF_T_EXC: return put_owned(sb, rt_exc_str(ctx, (const pf_exc *)PF_OBJ_OF(v)));
    case PF_T_OPTIONAL:
        if (v) return rt_str_into(ctx, sb, unopt(v, t->elem), t->elem);
        rt_sb_puts(sb, "None");
        return 0;
    default: return rt_repr_into(ctx, sb, v, t);
    }
}

pf_str *rt_repr(pf_ctx *ctx, pf_slot v, const pf_type *t) {
    rt_sbuf sb = {0};
    if (rt_repr_into(ctx, &sb, v, t) < 0) {
        rt_sb_free(&sb);
        return NULL;
    }
    return rt_sb_finish(ctx, &sb);
}

pf_str *rt_to_str(pf_ctx *ctx, pf_slot v, const pf_type *t) {
    if (t->kind == PF_T_STR) {
        pf_str *s = (pf_str *)PF_OBJ_OF(v);
        rt_incref(&s->h);
        return s;
    }
    rt_sbuf sb = {0};
    if (rt_str_into(ctx, &sb, v, t) < 0) {
        rt_sb_free(&sb);
        return NULL;
    }
    return rt_sb_finish(ctx, &sb);
}

/* ---- equality and ordering --------------------------------------------------------------- */

int64_t rt_eq(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t) {
    switch (t->kind) {
    case PF_T_INT:
    case PF_T_BOOL:
    case PF_T_NONE: return a == b;
    case PF_T_FLOAT: return pf_slot_to_float(a) == pf_slot_to_float(b);
    case PF_T_STR: return rt_str_eq((const pf_str *)PF_OBJ_OF(a), (const pf_str *)PF_OBJ_OF(b));
    case PF_T_LIST: {
        const pf_list *x = (const pf_list *)PF_OBJ_OF(a), *y = (const pf_list *)PF_OBJ_OF(b);
        if (x->len != y->len) return 0;
        if (x->len == 0 || (x == y && t->elem->kind != PF_T_FLOAT)) return 1; /* elem may be NULL: [] */
        for (int64_t i = 0; i < x->len; i++)
            if (!rt_eq(ctx, x->data[i], y->data[i], t->elem)) return 0;
        return 1;
    }
    case PF_T_TUPLE: {
        const pf_rec *x = (const pf_rec *)PF_OBJ_OF(a), *y = (const pf_rec *)PF_OBJ_OF(b);
        if (x->n != y->n) return 0;
        for (int64_t i = 0; i < x->n; i++)
            if (!rt_eq(ctx, x->slots[i], y->slots[i], t->fields[i])) return 0;
        return 1;
    }
    case PF_T_DICT: {
        const pf_dict *x = (const pf_dict *)PF_OBJ_OF(a), *y = (const pf_dict *)PF_OBJ_OF(b);
        if (x->len != y->len) return 0;
        for (int64_t i = 0; i < x->len; i++) {
            int64_t j = rt_dict_find(ctx, y, x->entries[i].key);
            if (j < 0 || !rt_eq(ctx, x->entries[i].val, y->entries[j].val, t->val)) return 0;
        }
        return 1;
    }
    case PF_T_RECORD:
        if (t->eq) return t->eq(ctx, PF_OBJ_OF(a), PF_OBJ_OF(b));
        return a == b;
    case PF_T_OPTIONAL:
        if (!a || !b) return a == b;
        return rt_eq(ctx, unopt(a, t->elem), unopt(b, t->elem), t->elem);
    default: return a == b;
    }
}

static const char *type_name(const pf_type *t) {
    switch (t->kind) {
    case PF_T_INT: return "int";
    case PF_T_FLOAT: return "float";
    case PF_T_BOOL: return "bool";
    case PF_T_NONE: return "NoneType";
    case PF_T_STR: return "str";
    case PF_T_LIST: return "list";
    case PF_T_TUPLE: return "tuple";
    case PF_T_DICT: return "dict";
    case PF_T_RECORD: return t->name ? t->name : "object";
    case PF_T_FUNC: return "function";
    case PF_T_EXC: return "Exception";
    default: return "object";
    }
}

/* op: 0 for <, 1 for <= */
static int64_t compare(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t, int op) {
    switch (t->kind) {
    case PF_T_INT:
    case PF_T_BOOL: return op ? a <= b : a < b;
    case PF_T_FLOAT: {
        double x = pf_slot_to_float(a), y = pf_slot_to_float(b);
        return op ? x <= y : x < y;
    }
    case PF_T_STR: {
        int64_t c = rt_str_cmp((const pf_str *)PF_OBJ_OF(a), (const pf_str *)PF_OBJ_OF(b));
        return op ? c <= 0 : c < 0;
    }
    case PF_T_LIST: {
        const pf_list *x = (const pf_list *)PF_OBJ_OF(a), *y = (const pf_list *)PF_OBJ_OF(b);
        int64_t n = x->len < y->len ? x->len : y->len;
        for (int64_t i = 0; i < n; i++) {
            if (!rt_eq(ctx, x->data[i], y->data[i], t->elem)) return compare(ctx, x->data[i], y->data[i], t->elem, op);
            if (ctx->exc) return 0;
        }
        return op ? x->len <= y->len : x->len < y->len;
    }
    case PF_T_TUPLE: {
        const pf_rec *x = (const pf_rec *)PF_OBJ_OF(a), *y = (const pf_rec *)PF_OBJ_OF(b);
        int64_t n = x->n < y->n ? x->n : y->n;
        for (int64_t i = 0; i < n; i++) {
            if (!rt_eq(ctx, x->slots[i], y->slots[i], t->fields[i]))
                return compare(ctx, x->slots[i], y->slots[i], t->fields[i], op);
            if (ctx->exc) return 0;
        }
        return op ? x->n <= y->n : x->n < y->n;
    }
    case PF_T_RECORD:
        if (t->lt && op == 0) return t->lt(ctx, PF_OBJ_OF(a), PF_OBJ_OF(b));
        if (t->lt && t->eq) /* a <= b as a < b or a == b */
            return t->lt(ctx, PF_OBJ_OF(a), PF_OBJ_OF(b)) || (!ctx->exc && t->eq(ctx, PF_OBJ_OF(a), PF_OBJ_OF(b)));
        break;
    case PF_T_OPTIONAL:
        if (a && b) return compare(ctx, unopt(a, t->elem), unopt(b, t->elem), t->elem, op);
        rt_raise(ctx, PF_EXC_TYPE, "'%s' not supported between instances of '%s' and '%s'", op ? "<=" : "<",
                 a ? type_name(t->elem) : "NoneType", b ? type_name(t->elem) : "NoneType");
        return 0;
    default: break;
    }
    rt_raise(ctx, PF_EXC_TYPE, "'%s' not supported between instances of '%s' and '%s'", op ? "<=" : "<",
             type_name(t), type_name(t));
    return 0;
}

int64_t rt_lt(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t) { return compare(ctx, a, b, t, 0); }
int64_t rt_le(pf_ctx *ctx, pf_slot a, pf_slot b, const pf_type *t) { return compare(ctx, a, b, t, 1); }

/* ---- hashing ----------------------------------------------------------------------------- */

static uint64_t mix(uint64_t h) {
    /* splitmix64 finaliser */
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

uint64_t rt_hash(pf_slot v, const pf_type *t) {
    switch (t->kind) {
    case PF_T_INT:
    case PF_T_BOOL:
    case PF_T_NONE: return mix((uint64_t)v);
    case PF_T_FLOAT: {
        double d = pf_slot_to_float(v);
        if (d == 0.0) d = 0.0; /* -0.0 == 0.0 */
        return mix((uint64_t)pf_slot_from_float(d));
    }
    case PF_T_STR: return rt_str_hash((const pf_str *)PF_OBJ_OF(v));
    case PF_T_TUPLE: {
        const pf_rec *r = (const pf_rec *)PF_OBJ_OF(v);
        uint64_t h = 0x345678ull;
        for (int64_t i = 0; i < r->n; i++) h = mix(h ^ rt_hash(r->slots[i], t->fields[i])) + (uint64_t)i;
        return h;
    }
    case PF_T_LIST: {
        const pf_list *xs = (const pf_list *)PF_OBJ_OF(v);
        uint64_t h = 0x9876ull;
        for (int64_t i = 0; i < xs->len; i++) h = mix(h ^ rt_hash(xs->data[i], t->elem));
        return h;
    }
    case PF_T_OPTIONAL: return v ? rt_hash(unopt(v, t->elem), t->elem) : 0x5151;
    case PF_T_RECORD:
        if (t->eq) return 0x7777; /* user equality without __hash__: correct, slow */
        return mix((uint64_t)v);
    default: return mix((uint64_t)v);
    }
}

int64_t rt_truthy(pf_slot v, const pf_type *t) {
    switch (t->kind) {
    case PF_T_INT:
    case PF_T_BOOL: return v != 0;
    case PF_T_FLOAT: return pf_slot_to_float(v) != 0.0;
    case PF_T_NONE: return 0;
    case PF_T_STR: return ((const pf_str *)PF_OBJ_OF(v))->len > 0;
    case PF_T_LIST: return ((const pf_list *)PF_OBJ_OF(v))->len > 0;
    case PF_T_TUPLE: return ((const pf_rec *)PF_OBJ_OF(v))->n > 0;
    case PF_T_DICT: return ((const pf_dict *)PF_OBJ_OF(v))->len > 0;
    case PF_T_OPTIONAL: return v && rt_truthy(unopt(v, t->elem), t->elem);
    default: return 1;
    }
}
