/* pf's static types: interning (equal types are one pointer), their spellings for messages and
 * dumps, and the join used when a name, a return or a field is bound more than once
 * (None + T -> T | None, list[?] + list[int] -> list[int]; anything else must be equal), and
 * ty_parse, which reads a spelling back (sessions carry types across entries as spellings). */
#include "ir/ir_internal.h"

static ir_type *mk(irb *b, ir_type_kind k, int32_t n, ir_type **elems, ir_fndef *def,
                   ir_class *cls, const char *str)
{
    ir_type *t = pf_arena_alloc(b->a, sizeof *t);
    t->kind = k;
    t->n = n;
    if (n) {
        t->elems = pf_arena_alloc(b->a, sizeof *t->elems * (size_t)n);
        memcpy(t->elems, elems, sizeof *t->elems * (size_t)n);
    }
    t->def = def;
    t->cls = cls;
    t->str = str;
    t->id = b->types.len;
    PF_VEC_PUSH(b->a, &b->types, IR_LIMIT, t);
    return t;
}

static ir_type *find(irb *b, ir_type_kind k, int32_t n, ir_type **elems, ir_fndef *def)
{
    for (int32_t i = 0; i < b->types.len; i++) {
        ir_type *t = b->types.items[i];
        if (t->kind != k || t->n != n || t->def != def || k == IR_T_CLASS) continue;
        bool same = true;
        for (int32_t j = 0; j < n && same; j++) same = t->elems[j] == elems[j];
        if (same) return t;
    }
    return NULL;
}

void ty_init(irb *b)
{
    b->t_unknown = mk(b, IR_T_UNKNOWN, 0, NULL, NULL, NULL, "?");
    b->t_int = mk(b, IR_T_INT, 0, NULL, NULL, NULL, "int");
    b->t_float = mk(b, IR_T_FLOAT, 0, NULL, NULL, NULL, "float");
    b->t_bool = mk(b, IR_T_BOOL, 0, NULL, NULL, NULL, "bool");
    b->t_none = mk(b, IR_T_NONE, 0, NULL, NULL, NULL, "None");
    b->t_str = mk(b, IR_T_STR, 0, NULL, NULL, NULL, "str");
    b->t_exc = mk(b, IR_T_EXC, 0, NULL, NULL, NULL, "exception");
    b->t_error = mk(b, IR_T_ERROR, 0, NULL, NULL, NULL, "<error>");
}

ir_type *ty_list(irb *b, ir_type *elem)
{
    ir_type *t = find(b, IR_T_LIST, 1, &elem, NULL);
    return t ? t : mk(b, IR_T_LIST, 1, &elem, NULL, NULL, pf_arena_sprintf(b->a, "list[%s]", elem->str));
}

ir_type *ty_dict(irb *b, ir_type *k, ir_type *v)
{
    ir_type *e[2] = {k, v};
    ir_type *t = find(b, IR_T_DICT, 2, e, NULL);
    return t ? t
             : mk(b, IR_T_DICT, 2, e, NULL, NULL,
                  pf_arena_sprintf(b->a, "dict[%s, %s]", k->str, v->str));
}

static const char *join_strs(irb *b, const char *pre, ir_type **e, int32_t n, const char *post)
{
    size_t len = strlen(pre) + strlen(post) + 1;
    for (int32_t i = 0; i < n; i++) len += strlen(e[i]->str) + 2;
    char *s = pf_arena_alloc(b->a, len + 1);
    strcpy(s, pre);
    for (int32_t i = 0; i < n; i++) {
        if (i) strcat(s, ", ");
        strcat(s, e[i]->str);
    }
    strcat(s, post);
    return s;
}

ir_type *ty_tuple(irb *b, ir_type **elems, int32_t n)
{
    ir_type *t = find(b, IR_T_TUPLE, n, elems, NULL);
    return t ? t : mk(b, IR_T_TUPLE, n, elems, NULL, NULL, join_strs(b, "tuple[", elems, n, "]"));
}

ir_type *ty_opt(irb *b, ir_type *t)
{
    if (t->kind == IR_T_NONE || t->kind == IR_T_OPTIONAL || t->kind == IR_T_ERROR) return t;
    ir_type *o = find(b, IR_T_OPTIONAL, 1, &t, NULL);
    return o ? o : mk(b, IR_T_OPTIONAL, 1, &t, NULL, NULL, pf_arena_sprintf(b->a, "%s | None", t->str));
}

ir_type *ty_func(irb *b, ir_fndef *def, ir_type **caps, int32_t n)
{
    ir_type *t = find(b, IR_T_FUNC, n, caps, def);
    if (t) return t;
    const char *s = n ? join_strs(b, pf_arena_sprintf(b->a, "function %s[", def->qual), caps, n, "]")
                      : pf_arena_sprintf(b->a, "function %s", def->qual);
    return mk(b, IR_T_FUNC, n, caps, def, NULL, s);
}

ir_type *ty_class(irb *b, ir_class *c)
{
    ir_type *t = mk(b, IR_T_CLASS, 0, NULL, NULL, c, c->name);
    return t;
}

void ty_class_respell(irb *b, ir_type *t)
{
    (void)b;
    t->n = t->cls->nfields;
    t->elems = t->cls->field_types;
}

bool ty_is_bad(const ir_type *t) { return t->kind == IR_T_UNKNOWN || t->kind == IR_T_ERROR; }

bool ty_has_error(const ir_type *t)
{
    if (t->kind == IR_T_ERROR) return true;
    if (t->kind == IR_T_CLASS) return false;
    for (int32_t i = 0; i < t->n; i++)
        if (ty_has_error(t->elems[i])) return true;
    return false;
}

bool ty_has_unknown(const ir_type *t)
{
    if (t->kind == IR_T_UNKNOWN) return true;
    if (t->kind == IR_T_CLASS) return false;
    for (int32_t i = 0; i < t->n; i++)
        if (ty_has_unknown(t->elems[i])) return true;
    return false;
}

static ir_type *rebuild(irb *b, const ir_type *t, ir_type **e)
{
    switch (t->kind) {
    case IR_T_LIST: return ty_list(b, e[0]);
    case IR_T_DICT: return ty_dict(b, e[0], e[1]);
    case IR_T_TUPLE: return ty_tuple(b, e, t->n);
    case IR_T_OPTIONAL: return e[0]->kind == IR_T_NONE ? b->t_none : ty_opt(b, e[0]);
    case IR_T_FUNC: return ty_func(b, t->def, e, t->n);
    default: return (ir_type *)t;
    }
}

ir_type *ty_default(irb *b, ir_type *t)
{
    if (t->kind == IR_T_UNKNOWN) return b->t_none;
    if (t->kind == IR_T_CLASS || !t->n || !ty_has_unknown(t)) return t;
    ir_type *e[t->n];
    for (int32_t i = 0; i < t->n; i++) e[i] = ty_default(b, t->elems[i]);
    return rebuild(b, t, e);
}

ir_type *ty_join(irb *b, ir_type *x, ir_type *y)
{
    if (x == y) return x;
    if (x->kind == IR_T_UNKNOWN || x->kind == IR_T_ERROR) return y;
    if (y->kind == IR_T_UNKNOWN || y->kind == IR_T_ERROR) return x;
    if (x->kind == IR_T_NONE) return ty_opt(b, y);
    if (y->kind == IR_T_NONE) return ty_opt(b, x);
    if (x->kind == IR_T_OPTIONAL || y->kind == IR_T_OPTIONAL) {
        ir_type *xi = x->kind == IR_T_OPTIONAL ? x->elems[0] : x;
        ir_type *yi = y->kind == IR_T_OPTIONAL ? y->elems[0] : y;
        ir_type *j = ty_join(b, xi, yi);
        return j ? ty_opt(b, j) : NULL;
    }
    if (x->kind != y->kind || x->n != y->n || x->kind == IR_T_CLASS || x->def != y->def) return NULL;
    if (!x->n) return NULL;
    ir_type *e[x->n];
    for (int32_t i = 0; i < x->n; i++) {
        e[i] = ty_join(b, x->elems[i], y->elems[i]);
        /* inside containers None does not widen: list[int] and list[None] are different */
        if (!e[i]) return NULL;
        if ((e[i] != x->elems[i] && !ty_has_unknown(x->elems[i])) ||
            (e[i] != y->elems[i] && !ty_has_unknown(y->elems[i])))
            return NULL;
    }
    return rebuild(b, x, e);
}

int32_t ty_depth(const ir_type *t)
{
    if (t->kind == IR_T_CLASS) return 1;
    int32_t d = 0;
    for (int32_t i = 0; i < t->n; i++) {
        int32_t k = ty_depth(t->elems[i]);
        if (k > d) d = k;
    }
    return d + 1;
}

bool ty_is_num(const ir_type *t)
{
    return t->kind == IR_T_INT || t->kind == IR_T_FLOAT || t->kind == IR_T_BOOL;
}

bool ty_is_obj(const ir_type *t) { return t->kind >= IR_T_STR && t->kind <= IR_T_EXC; }

bool ty_homog_tuple(const ir_type *t)
{
    if (t->kind != IR_T_TUPLE || t->n == 0) return false;
    for (int32_t i = 1; i < t->n; i++)
        if (t->elems[i] != t->elems[0]) return false;
    return true;
}

/* ---- spellings back to types (ir_env_var.type) ------------------------------------------------
 * type := prim [" | None"]
 * prim := int | float | bool | str | None | ? | list[type] | dict[type, type] | tuple[type, ...]
 *       | ClassName        (? = not known yet) */
static ir_type *parse_type(irb *b, modinfo *mi, const char **p, int depth);

static bool eat(const char **p, const char *lit)
{
    size_t n = strlen(lit);
    if (strncmp(*p, lit, n) != 0) return false;
    *p += n;
    return true;
}

static ir_type *parse_prim(irb *b, modinfo *mi, const char **p, int depth)
{
    if (depth > IR_MAX_TYPE_DEPTH) return NULL;
    if (eat(p, "?")) return b->t_unknown;
    const char *s = *p;
    size_t n = 0;
    while (s[n] == '_' || (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
           (n > 0 && s[n] >= '0' && s[n] <= '9'))
        n++;
    if (n == 0) return NULL;
    const char *name = pf_intern(b->a, s, n);
    *p = s + n;
    if (!strcmp(name, "int")) return b->t_int;
    if (!strcmp(name, "float")) return b->t_float;
    if (!strcmp(name, "bool")) return b->t_bool;
    if (!strcmp(name, "str")) return b->t_str;
    if (!strcmp(name, "None")) return b->t_none;
    if (!strcmp(name, "list") || !strcmp(name, "dict") || !strcmp(name, "tuple")) {
        if (!eat(p, "[")) return NULL;
        ir_type *el[64];
        int32_t k = 0;
        while (!eat(p, "]")) {
            if (k == 64 || (k > 0 && !eat(p, ", "))) return NULL;
            if (!(el[k++] = parse_type(b, mi, p, depth + 1))) return NULL;
        }
        if (name[0] == 'l') return k == 1 ? ty_list(b, el[0]) : NULL;
        if (name[0] == 'd') return k == 2 ? ty_dict(b, el[0], el[1]) : NULL;
        return ty_tuple(b, el, k);
    }
    gname *g = rs_lookup(mi, name);
    return g && g->kind == G_CLASS && g->cls ? g->cls->cls->type : NULL;
}

static ir_type *parse_type(irb *b, modinfo *mi, const char **p, int depth)
{
    ir_type *t = parse_prim(b, mi, p, depth);
    if (t && eat(p, " | None")) t = t->kind == IR_T_NONE ? NULL : ty_opt(b, t);
    return t;
}

ir_type *ty_parse(irb *b, modinfo *mi, const char *spelling)
{
    const char *p = spelling;
    ir_type *t = parse_type(b, mi, &p, 0);
    return t && *p == 0 ? t : NULL;
}
