/* Containers against CPython 3.11: list growth in place when unique (same object, amortised),
 * copy when shared, slicing, sorted with key/reverse (stable), tuples and records with nested
 * objects released exactly once, dict insertion order / update / merge / KeyError, generic
 * repr, ==, < over nested types, rt_share, and zero leaks by byte accounting. */
#include "runtime/value.h"
#include "stdlib/builtins.h"
#include "tests/unit/test_value_check.h"

static const pf_type list_int = {.kind = PF_T_LIST, .elem = &pf_type_int};
static const pf_type list_float = {.kind = PF_T_LIST, .elem = &pf_type_float};
static const pf_type list_list_float = {.kind = PF_T_LIST, .elem = &list_float};
static const pf_type *const is_fields[] = {&pf_type_int, &pf_type_str};
static const pf_type tup_is = {.kind = PF_T_TUPLE, .n = 2, .fields = is_fields};
static const pf_type list_tup_is = {.kind = PF_T_LIST, .elem = &tup_is};
static const pf_type *const si_fields[] = {&pf_type_str, &pf_type_int};
static const pf_type tup_si = {.kind = PF_T_TUPLE, .n = 2, .fields = si_fields};
static const pf_type list_tup_si = {.kind = PF_T_LIST, .elem = &tup_si};
static const pf_type *const t1_fields[] = {&pf_type_int};
static const pf_type tup1 = {.kind = PF_T_TUPLE, .n = 1, .fields = t1_fields};
static const pf_type tup0 = {.kind = PF_T_TUPLE, .n = 0};
static const pf_type *const nest_fields[] = {&tup1, &tup0};
static const pf_type tup_nest = {.kind = PF_T_TUPLE, .n = 2, .fields = nest_fields};
static const pf_type dict_s_lf = {.kind = PF_T_DICT, .elem = &pf_type_str, .val = &list_float};
static const pf_type dict_s_i = {.kind = PF_T_DICT, .elem = &pf_type_str, .val = &pf_type_int};
static const pf_type list_str = {.kind = PF_T_LIST, .elem = &pf_type_str};
static const pf_type opt_int = {.kind = PF_T_OPTIONAL, .elem = &pf_type_int};
static const char *const point_names[] = {"x", "label"};
static const pf_type point = {.kind = PF_T_RECORD, .n = 2, .fields = is_fields, .name = "Point", .field_names = point_names};

/* class Node: value: int, next: Node | None (a recursive type) */
static const pf_type node_t;
static const pf_type opt_node = {.kind = PF_T_OPTIONAL, .elem = &node_t};
static const pf_type *const node_fields[] = {&pf_type_int, &opt_node};
static const pf_type node_t = {.kind = PF_T_RECORD, .n = 2, .fields = node_fields, .name = "Node"};

static pf_slot str_slot(pf_ctx *c, const char *s) { return PF_SLOT_OBJ(rt_str_from_cstr(c, s)); }

static pf_list *ints(pf_ctx *c, int n, const int64_t *v) {
    pf_list *xs = rt_list_new(c, &list_int, 0);
    for (int i = 0; i < n; i++) rt_list_push(c, xs, v[i]);
    return xs;
}

/* repr, consuming obj */
static pf_str *repr_take(pf_ctx *c, void *obj, const pf_type *t) {
    pf_str *r = rt_repr(c, PF_SLOT_OBJ(obj), t);
    rt_decref((pf_obj *)obj);
    return r;
}

static pf_rec *pair(pf_ctx *c, const pf_type *t, pf_slot a, pf_slot b) {
    pf_rec *r = rt_rec_new(c, t);
    r->slots[0] = a;
    r->slots[1] = b;
    return r;
}

/* key function for sorted/min/max: t[1] of a (str, int) tuple */
static pf_slot second(pf_ctx *c, pf_obj *env, pf_slot arg) {
    (void)c;
    (void)env;
    return ((pf_rec *)PF_OBJ_OF(arg))->slots[1];
}

static void run(void) {
    pf_ctx ctx = {0};
    pf_ctx *c = &ctx;

    /* acc = acc + [i]: a unique list grows in place, same object, amortised capacity */
    pf_list *acc = rt_list_new(c, &list_int, 0);
    pf_list *first = acc;
    int reallocs = 0;
    for (int64_t i = 0; i < 10000; i++) {
        pf_slot *before = acc->data;
        acc = rt_list_append(c, acc, i * i);
        reallocs += acc->data != before;
    }
    CHECK(acc == first);
    CHECK_INT(acc->len, 10000);
    CHECK_INT(rt_list_at(acc, 9999), 9999LL * 9999);
    CHECK(reallocs < 40); /* geometric growth: O(log n) reallocations */
    CHECK_INT(pf_sum_int(c, acc), 333283335000LL);
    /* shared: append copies, the original is untouched */
    rt_incref(&acc->h);
    pf_list *other = rt_list_append(c, acc, -1);
    CHECK(other != acc);
    CHECK_INT(acc->len, 10000);
    CHECK_INT(other->len, 10001);
    CHECK_INT(acc->h.rc, 1);
    rt_decref(&other->h);
    rt_decref(&acc->h);

    /* indexing and slicing */
    int64_t v6[] = {5, 3, 8, 1, 9, 2};
    pf_list *xs = ints(c, 6, v6);
    CHECK_INT(rt_list_get(c, xs, -1), 2);
    rt_list_get(c, xs, 6);
    CHECK_RAISED(c, PF_EXC_INDEX, "list index out of range");
    CHECK_STR(c, repr_take(c, rt_list_slice(c, xs, 1, 5, 2), &list_int), "[3, 1]");
    CHECK_STR(c, repr_take(c, rt_list_slice(c, xs, PF_NONE_IDX, PF_NONE_IDX, -2), &list_int), "[2, 1, 3]");
    CHECK_STR(c, repr_take(c, rt_list_slice(c, xs, -2, PF_NONE_IDX, 1), &list_int), "[9, 2]");
    CHECK_INT(rt_list_contains(c, xs, 9), 1);
    CHECK_INT(rt_list_contains(c, xs, 4), 0);
    CHECK_INT(rt_list_index(c, xs, 8), 2);
    rt_list_index(c, xs, 4);
    CHECK_RAISED(c, PF_EXC_VALUE, "4 is not in list");
    CHECK_INT(pf_min(c, xs, NULL, NULL, NULL), 1);
    CHECK_INT(pf_max(c, xs, NULL, NULL, NULL), 9);
    rt_incref(&xs->h);
    CHECK_STR(c, repr_take(c, rt_list_sorted(c, xs, NULL, NULL, NULL, 1), &list_int), "[9, 8, 5, 3, 2, 1]");
    CHECK_STR(c, rt_repr(c, PF_SLOT_OBJ(xs), &list_int), "[5, 3, 8, 1, 9, 2]"); /* shared: untouched */
    rt_incref(&xs->h);
    pf_list *ys = rt_list_concat(c, xs, xs);
    CHECK_STR(c, repr_take(c, rt_list_repeat(c, ys, 2), &list_int),
              "[5, 3, 8, 1, 9, 2, 5, 3, 8, 1, 9, 2, 5, 3, 8, 1, 9, 2, 5, 3, 8, 1, 9, 2]");
    rt_decref(&ys->h);
    { /* concat_move: a unique rhs gives its elements away (their counts unchanged); a shared one
       * is copied and survives; the leak accounting checks both */
        pf_list *a = rt_list_new(c, &list_str, 0), *b = rt_list_new(c, &list_str, 0);
        pf_slot s1 = str_slot(c, "p"), s2 = str_slot(c, "q");
        rt_list_push(c, a, s1);
        rt_list_push(c, b, s2);
        pf_obj *q = PF_OBJ_OF(s2);
        int64_t rc_q = q->rc;
        pf_list *m = rt_list_concat_move(c, a, b);
        CHECK(m == a);
        CHECK_INT(q->rc, rc_q);
        pf_list *b2 = rt_list_new(c, &list_str, 0);
        rt_list_push(c, b2, str_slot(c, "r"));
        rt_incref(&b2->h);
        m = rt_list_concat_move(c, m, b2); /* b2 is shared: copied, still ours */
        CHECK_STR(c, repr_take(c, m, &list_str), "['p', 'q', 'r']");
        CHECK_STR(c, repr_take(c, b2, &list_str), "['r']");
    }
    CHECK_STR(c, repr_take(c, rt_list_reversed(c, xs), &list_int), "[2, 9, 1, 8, 3, 5]");
    pf_list *empty = rt_list_new(c, &list_int, 0);
    pf_min(c, empty, NULL, NULL, NULL);
    CHECK_RAISED(c, PF_EXC_VALUE, "min() arg is an empty sequence");
    rt_decref(&empty->h);
    CHECK_STR(c, repr_take(c, rt_list_range(c, 10, 0, -3), &list_int), "[10, 7, 4, 1]");
    CHECK_INT(rt_range_len(0, 10, 3), 4);
    CHECK_INT(rt_range_len(INT64_MIN, INT64_MAX, INT64_MAX), 3);

    /* stable sort by key, and reverse keeps equal keys in original order */
    pf_list *ts = rt_list_new(c, &list_tup_si, 3);
    rt_list_push(c, ts, PF_SLOT_OBJ(pair(c, &tup_si, str_slot(c, "b"), 2)));
    rt_list_push(c, ts, PF_SLOT_OBJ(pair(c, &tup_si, str_slot(c, "a"), 2)));
    rt_list_push(c, ts, PF_SLOT_OBJ(pair(c, &tup_si, str_slot(c, "c"), 1)));
    rt_incref(&ts->h);
    CHECK_STR(c, repr_take(c, rt_list_sorted(c, ts, second, NULL, &pf_type_int, 0), &list_tup_si),
              "[('c', 1), ('b', 2), ('a', 2)]");
    rt_incref(&ts->h);
    CHECK_STR(c, repr_take(c, rt_list_sorted(c, ts, second, NULL, &pf_type_int, 1), &list_tup_si),
              "[('b', 2), ('a', 2), ('c', 1)]");
    rt_incref(&ts->h);
    CHECK_STR(c, repr_take(c, rt_list_sorted(c, ts, NULL, NULL, NULL, 0), &list_tup_si),
              "[('a', 2), ('b', 2), ('c', 1)]");
    CHECK_STR(c, rt_repr(c, pf_max(c, ts, second, NULL, &pf_type_int), &tup_si), "('b', 2)");
    CHECK_STR(c, rt_repr(c, pf_min(c, ts, NULL, NULL, NULL), &tup_si), "('a', 2)");
    rt_decref(&ts->h);
    /* keys computed by the caller (codegen's fused sorted(... for ...) with key=) */
    pf_list *words = rt_list_new(c, &list_str, 6), *lens = rt_list_new(c, &list_int, 6);
    const char *ws[] = {"bb", "a", "cc", "d", "ee", "f"};
    for (int i = 0; i < 6; i++) {
        rt_list_push(c, words, str_slot(c, ws[i]));
        rt_list_push(c, lens, (pf_slot)strlen(ws[i]));
    }
    rt_incref(&words->h);
    rt_incref(&lens->h);
    CHECK_STR(c, repr_take(c, rt_list_sort_by_keys(c, words, lens, 1), &list_str),
              "['bb', 'cc', 'ee', 'a', 'd', 'f']");
    CHECK_STR(c, repr_take(c, rt_list_sort_by_keys(c, words, lens, 0), &list_str),
              "['a', 'd', 'f', 'bb', 'cc', 'ee']");

    /* a longer sort exercises the merge passes */
    pf_list *big = rt_list_new(c, &list_int, 1000);
    for (int64_t i = 0; i < 1000; i++) rt_list_push(c, big, (i * 7919) % 1000);
    big = rt_list_sorted(c, big, NULL, NULL, NULL, 0);
    int sorted_ok = 1;
    for (int64_t i = 0; i < 1000; i++) sorted_ok &= rt_list_at(big, i) == i;
    CHECK(sorted_ok);
    rt_decref(&big->h);

    /* tuples: repr rules, comparison, nested release */
    pf_rec *t1 = rt_rec_new(c, &tup1);
    t1->slots[0] = 1;
    pf_rec *nest = pair(c, &tup_nest, PF_SLOT_OBJ(t1), PF_SLOT_OBJ(rt_rec_new(c, &tup0)));
    CHECK_STR(c, repr_take(c, nest, &tup_nest), "((1,), ())");
    pf_rec *p1 = pair(c, &tup_is, 1, str_slot(c, "x")), *p2 = pair(c, &tup_is, 1, str_slot(c, "y"));
    CHECK_INT(rt_lt(c, PF_SLOT_OBJ(p1), PF_SLOT_OBJ(p2), &tup_is), 1);
    CHECK_INT(rt_le(c, PF_SLOT_OBJ(p2), PF_SLOT_OBJ(p1), &tup_is), 0);
    CHECK_INT(rt_eq(c, PF_SLOT_OBJ(p1), PF_SLOT_OBJ(p1), &tup_is), 1);
    CHECK(rt_hash(PF_SLOT_OBJ(p1), &tup_is) != rt_hash(PF_SLOT_OBJ(p2), &tup_is));
    pf_list *lt = rt_list_new(c, &list_tup_is, 2);
    rt_list_push(c, lt, PF_SLOT_OBJ(p1));
    rt_list_push(c, lt, PF_SLOT_OBJ(p2));
    CHECK_STR(c, repr_take(c, lt, &list_tup_is), "[(1, 'x'), (1, 'y')]");

    /* reuse of a unique tuple's memory for a new one of the same size; a shared one is kept */
    pf_rec *u = pair(c, &tup_is, 7, str_slot(c, "old"));
    pf_rec *u2 = rt_rec_reuse(c, &u->h, &tup_is);
    CHECK(u2 == u);
    u2->slots[0] = 8;
    u2->slots[1] = str_slot(c, "new");
    rt_incref(&u2->h);
    pf_rec *u3 = rt_rec_reuse(c, &u2->h, &tup_is); /* shared: a fresh tuple */
    CHECK(u3 != u2);
    u3->slots[0] = 9;
    u3->slots[1] = str_slot(c, "fresh");
    CHECK_STR(c, repr_take(c, u2, &tup_is), "(8, 'new')");
    CHECK_STR(c, repr_take(c, u3, &tup_is), "(9, 'fresh')");

    /* dropping a 1,000,000-long chain must not recurse once per node (8 MB main stack) */
    pf_rec *head = NULL;
    for (int64_t i = 0; i < 1000000; i++) {
        pf_rec *nd = rt_rec_new(c, &node_t);
        nd->slots[0] = i;
        nd->slots[1] = PF_SLOT_OBJ(head);
        head = nd;
    }
    CHECK_INT(rt_rec_at(head, 0), 999999);
    rt_share(&head->h); /* also without a C stack frame per node */
    pf_rec *second = (pf_rec *)PF_OBJ_OF(head->slots[1]);
    CHECK(head->h.rc == -1 && second->h.rc == -1);
    rt_decref(&head->h);

    /* records (class instances) without __repr__, and their fields */
    pf_rec *pt = pair(c, &point, 3, str_slot(c, "p"));
    CHECK_STR(c, repr_take(c, pt, &point), "<__main__.Point object>");

    /* dicts: insertion order, update keeps position, merge, KeyError with repr of the key */
    pf_dict *d = rt_dict_new(c, &dict_s_i, 0);
    const char *keys[] = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
    for (int i = 0; i < 10; i++) d = rt_dict_set(c, d, str_slot(c, keys[i]), i + 1);
    d = rt_dict_set(c, d, str_slot(c, "two"), 22);
    CHECK_INT(rt_dict_len(d), 10);
    CHECK_STR(c, rt_repr(c, PF_SLOT_OBJ(d), &dict_s_i),
              "{'one': 1, 'two': 22, 'three': 3, 'four': 4, 'five': 5, 'six': 6, 'seven': 7, 'eight': 8, "
              "'nine': 9, 'ten': 10}");
    pf_slot k = str_slot(c, "seven"), missing = str_slot(c, "zero");
    CHECK_INT(rt_dict_getitem(c, d, k), 7);
    CHECK_INT(rt_dict_contains(c, d, missing), 0);
    CHECK_INT(rt_dict_get(c, d, missing, -1), -1);
    rt_dict_getitem(c, d, missing);
    CHECK_RAISED(c, PF_EXC_KEY, "'zero'");
    rt_incref(&d->h);
    pf_dict *d2 = rt_dict_set(c, d, missing, 0); /* shared: copies */
    CHECK(d2 != d);
    CHECK_INT(rt_dict_len(d), 10);
    CHECK_INT(rt_dict_len(d2), 11);
    CHECK_INT(rt_eq(c, PF_SLOT_OBJ(d), PF_SLOT_OBJ(d2), &dict_s_i), 0);
    pf_dict *small = rt_dict_new(c, &dict_s_i, 1);
    rt_incref(PF_OBJ_OF(k));
    small = rt_dict_set(c, small, k, 70);
    pf_dict *m = rt_dict_merge(c, d2, small); /* d2 | {'seven': 70} */
    CHECK_STR(c, repr_take(c, rt_dict_keys(c, m, &list_str), &list_str),
              "['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'zero']");
    CHECK_INT(rt_dict_getitem(c, m, k), 70);
    rt_decref(&small->h);
    rt_decref(&m->h);
    rt_decref(PF_OBJ_OF(k));
    rt_decref(&d->h);

    /* dict of str -> list[float] and nested repr */
    pf_dict *dl = rt_dict_new(c, &dict_s_lf, 2);
    pf_list *fl = rt_list_new(c, &list_float, 2);
    rt_list_push(c, fl, pf_slot_from_float(1.5));
    rt_list_push(c, fl, pf_slot_from_float(2.0));
    dl = rt_dict_set(c, dl, str_slot(c, "a"), PF_SLOT_OBJ(fl));
    dl = rt_dict_set(c, dl, str_slot(c, "b"), PF_SLOT_OBJ(rt_list_new(c, &list_float, 0)));
    CHECK_STR(c, rt_repr(c, PF_SLOT_OBJ(dl), &dict_s_lf), "{'a': [1.5, 2.0], 'b': []}");
    CHECK_INT(rt_truthy(PF_SLOT_OBJ(dl), &dict_s_lf), 1);
    rt_share(&dl->h); /* shared graph: negative counts all the way down, atomic release */
    CHECK(dl->h.rc < 0 && fl->h.rc < 0);
    pf_list *vals = rt_dict_values(c, dl, &list_list_float);
    CHECK_INT(fl->h.rc, -2);
    rt_decref(&vals->h);
    CHECK_INT(fl->h.rc, -1);
    rt_decref(&dl->h);

    /* optional int: boxed, NULL = None */
    pf_box *b = rt_box_new(c, 5);
    CHECK_STR(c, rt_repr(c, PF_SLOT_OBJ(b), &opt_int), "5");
    CHECK_STR(c, rt_repr(c, 0, &opt_int), "None");
    CHECK_INT(rt_eq(c, 0, PF_SLOT_OBJ(b), &opt_int), 0);
    rt_decref(&b->h);

    /* print with sep and end goes to stdout; here only check it does not raise */
    CHECK(ctx.exc == NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    return run_checking_leaks("test_value_list", argv, run);
}
