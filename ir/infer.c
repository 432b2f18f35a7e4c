/* Type inference with specialisation, part 1: the pass loop that drives the whole program to a
 * type fixpoint, the specialisation table, per-function variables and narrowing facts, and the
 * elaboration of statements into typed IR. Expressions are in expr.c.
 *
 * Passes: every pass elaborates main and, through the calls it meets, every reachable
 * specialisation once. Types of variables, returns, fields and globals are joined into
 * persistent slots; any change sets `changed`. When a pass changes nothing, one more pass runs
 * with diagnostics enabled and its IR is the result (if that pass still changes something its
 * diagnostics are dropped and it repeats). */
#include "ir/builtins.h"
#include "parser/parser.h"
#include "runtime/value.h"

#include <stdarg.h>
#include <stdlib.h>

/* ---------------------------------------------------------------------------- diagnostics */

pf_diag *ir_err(irb *b, const pf_source *src, int32_t line, int32_t col, const char *fmt, ...)
{
    if (!b->final || b->quiet) return NULL;
    va_list ap;
    va_start(ap, fmt);
    pf_diag *dg = pf_diag_verror(b->d, PF_SEV_ERROR, src, line, col, fmt, ap);
    va_end(ap);
    return dg;
}

void ir_note(irb *b, const pf_source *src, int32_t line, int32_t col, const char *fmt, ...)
{
    if (!b->final || b->quiet || line <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    pf_diag_verror(b->d, PF_SEV_NOTE, src, line, col, fmt, ap);
    va_end(ap);
}

void ir_hint(irb *b, pf_diag *dg, const char *fmt, ...)
{
    if (!dg) return;
    va_list ap;
    va_start(ap, fmt);
    char *s = pf_arena_vsprintf(b->a, fmt, ap);
    va_end(ap);
    pf_diag_hint(b->d, dg, "%s", s);
}

bool ir_type_join_into(irb *b, ir_type **slot, ir_type *t)
{
    ir_type *j = ty_join(b, *slot, t);
    if (!j) return false;
    if (j != *slot) {
        *slot = j;
        b->changed = true;
    }
    return true;
}

/* ------------------------------------------------------------------ specialisations */

static const char *mangle(irb *b, spec *sp)
{
    if (!sp->def) return "main";
    size_t len = strlen(sp->def->qual) + 3;
    if (sp->env) len += strlen(sp->env->str) + 2;
    for (int32_t i = 0; i < sp->nargs; i++) len += strlen(sp->argt[i]->str) + 1;
    char *s = pf_arena_alloc(b->a, len + 1);
    strcpy(s, sp->def->qual);
    if (sp->env) {
        strcat(s, "{");
        strcat(s, sp->env->str + strlen("function ") + strlen(sp->def->qual));
        strcat(s, "}");
    }
    strcat(s, "[");
    for (int32_t i = 0; i < sp->nargs; i++) {
        if (i) strcat(s, ",");
        /* drop the spaces of "tuple[int, str]" so names stay one token */
        const char *t = sp->argt[i]->str;
        char *o = s + strlen(s);
        for (; *t; t++)
            if (*t != ' ') *o++ = *t;
        *o = 0;
    }
    strcat(s, "]");
    return s;
}

spec *sp_get(irb *b, ir_fndef *def, ir_type *env, ir_type **argt, int32_t nargs)
{
    for (int32_t i = 0; i < b->nspecs; i++) {
        spec *sp = b->specs[i];
        if (sp->def != def || sp->env != env || sp->nargs != nargs) continue;
        bool same = true;
        for (int32_t k = 0; k < nargs && same; k++) same = sp->argt[k] == argt[k];
        if (same) return sp;
    }
    if (b->nspecs >= IR_MAX_SPECS) return NULL;
    spec *sp = pf_arena_alloc(b->a, sizeof *sp);
    sp->def = def;
    sp->env = env;
    sp->nargs = nargs;
    if (nargs) {
        sp->argt = pf_arena_alloc(b->a, sizeof *sp->argt * (size_t)nargs);
        memcpy(sp->argt, argt, sizeof *sp->argt * (size_t)nargs);
    }
    sp->ret = b->t_unknown;
    sp->func = pf_arena_alloc(b->a, sizeof *sp->func);
    sp->func->name = mangle(b, sp);
    sp->func->src_name = def ? def->name : "<module>";
    sp->func->src = def ? def->mod->src : b->mods[0]->src;
    sp->func->line = def ? def->line : 1;
    sp->func->env = env;
    sp->func->ret = b->t_unknown;
    if (b->nspecs == b->capspecs) {
        int32_t nc = b->capspecs ? b->capspecs * 2 : 64;
        spec **n = pf_arena_alloc(b->a, sizeof *n * (size_t)nc);
        if (b->nspecs) memcpy(n, b->specs, sizeof *n * (size_t)b->nspecs);
        b->specs = n;
        b->capspecs = nc;
    }
    b->specs[b->nspecs++] = sp;
    b->changed = true;
    return sp;
}

/* ------------------------------------------------------------------ variables, locals */

var *fc_var(fctx *fc, const char *name)
{
    spec *sp = fc->sp;
    for (int32_t i = 0; i < sp->nvars; i++)
        if (sp->vars[i]->name == name) return sp->vars[i];
    if (sp->nvars == sp->capvars) {
        int32_t nc = sp->capvars ? sp->capvars * 2 : 16;
        var **n = pf_arena_alloc(fc->b->a, sizeof *n * (size_t)nc);
        if (sp->nvars) memcpy(n, sp->vars, sizeof *n * (size_t)sp->nvars);
        sp->vars = n;
        sp->capvars = nc;
    }
    var *v = pf_arena_alloc(fc->b->a, sizeof *v);
    v->name = name;
    v->type = fc->b->t_unknown;
    sp->vars[sp->nvars++] = v;
    return v;
}

static ir_local *new_local(fctx *fc, const char *name, ir_type *t, int32_t line, int32_t col)
{
    irb *b = fc->b;
    ir_local *l = pf_arena_alloc(b->a, sizeof *l);
    l->name = name;
    l->type = t;
    l->line = line;
    l->col = col;
    ir_func *f = fc->fn;
    spec *sp = fc->sp;
    l->id = f->nlocals;
    if (f->nlocals == sp->caplocals) {
        int32_t nc = sp->caplocals ? sp->caplocals * 2 : 16;
        ir_local **n = pf_arena_alloc(b->a, sizeof *n * (size_t)nc);
        if (f->nlocals) memcpy(n, f->locals, sizeof *n * (size_t)f->nlocals);
        f->locals = n;
        sp->caplocals = nc;
    }
    f->locals[f->nlocals++] = l;
    return l;
}

ir_local *fc_local(fctx *fc, var *v)
{
    if (v->local && v->pass == fc->b->pass) return v->local;
    v->local = new_local(fc, v->name, v->type, v->line, v->col);
    v->pass = fc->b->pass;
    return v->local;
}

ir_local *fc_temp(fctx *fc, ir_type *t, const char *hint)
{
    const char *n = pf_arena_sprintf(fc->b->a, "$%s%d", hint ? hint : "t", (int)fc->ntemps++);
    return new_local(fc, n, t, 0, 0);
}

ir_stmt *fc_stmt(fctx *fc, ir_stmt_kind k, int32_t line, int32_t col)
{
    ir_stmt *s = pf_arena_alloc(fc->b->a, sizeof *s);
    s->kind = k;
    s->line = line;
    s->col = col;
    return s;
}

void fc_emit(fctx *fc, ir_stmt *s) { PF_VEC_PUSH(fc->b->a, fc->blk, IR_LIMIT, s); }

/* ---------------------------------------------------------------------- narrowing facts */

bool fc_narrowed(fctx *fc, var *v)
{
    for (int32_t i = 0; i < fc->nfacts; i++)
        if (fc->facts[i] == v) return true;
    return false;
}

void fc_fact_add(fctx *fc, var *v)
{
    if (fc_narrowed(fc, v)) return;
    if (fc->nfacts == fc->capfacts) {
        int32_t nc = fc->capfacts ? fc->capfacts * 2 : 8;
        var **n = pf_arena_alloc(fc->b->a, sizeof *n * (size_t)nc);
        if (fc->nfacts) memcpy(n, fc->facts, sizeof *n * (size_t)fc->nfacts);
        fc->facts = n;
        fc->capfacts = nc;
    }
    fc->facts[fc->nfacts++] = v;
}

void fc_fact_del(fctx *fc, var *v)
{
    for (int32_t i = 0; i < fc->nfacts; i++)
        if (fc->facts[i] == v) {
            fc->facts[i] = fc->facts[--fc->nfacts];
            return;
        }
}

typedef struct facts {
    var **items;
    int32_t n;
} facts;

static facts facts_save(fctx *fc)
{
    facts f = {NULL, fc->nfacts};
    if (f.n) {
        f.items = pf_arena_alloc(fc->b->a, sizeof *f.items * (size_t)f.n);
        memcpy(f.items, fc->facts, sizeof *f.items * (size_t)f.n);
    }
    return f;
}

static void facts_restore(fctx *fc, facts f)
{
    fc->nfacts = 0;
    for (int32_t i = 0; i < f.n; i++) fc_fact_add(fc, f.items[i]);
}

static facts facts_meet(fctx *fc, facts x, facts y)
{
    facts r = {pf_arena_alloc(fc->b->a, sizeof(var *) * (size_t)(x.n + 1)), 0};
    for (int32_t i = 0; i < x.n; i++)
        for (int32_t k = 0; k < y.n; k++)
            if (x.items[i] == y.items[k]) r.items[r.n++] = x.items[i];
    return r;
}

/* ---------------------------------------------------------------------------- assignment */

static void conflict(fctx *fc, const char *name, ir_type *old, ir_type *now, int32_t line, int32_t col,
                     int32_t oline, int32_t ocol)
{
    irb *b = fc->b;
    pf_diag *dg = ir_err(b, fc->src, line, col, "'%s' is %s here but %s elsewhere", name, now->str,
                         old->str);
    if ((old->kind == IR_T_INT && now->kind == IR_T_FLOAT) ||
        (old->kind == IR_T_FLOAT && now->kind == IR_T_INT))
        ir_hint(b, dg, "pf gives a name one type per function; write float literals like 0.0 "
                       "where a float is meant");
    else
        ir_hint(b, dg, "pf gives a name one type per function; use a new name for the %s value",
                now->str);
    if (dg) ir_note(b, fc->src, oline, ocol, "'%s' is %s here", name, old->str);
}

void fc_assign_name(fctx *fc, const char *name, ir_expr *value, int32_t line, int32_t col)
{
    irb *b = fc->b;
    ir_type *vt = value->type;
    if (vt->kind == IR_T_FUNC && fc->def == NULL) { /* ok: module-level function values */ }
    if (!fc->def) {
        gname *g = rs_lookup(fc->mod, name);
        if (g && (g->kind == G_DEF || g->kind == G_CLASS || g->kind == G_MODULE ||
                  g->kind == G_IMPORTED)) {
            pf_diag *dg = ir_err(b, fc->src, line, col, "cannot rebind '%s': it names a %s", name,
                                 g->kind == G_DEF ? "function" : g->kind == G_CLASS ? "class"
                                                                                     : "module");
            ir_hint(b, dg, "use a different name");
            return;
        }
        if (g && g->is_global) {
            ir_global *gl = ir_global_of(b, fc->mod, g);
            ir_type *old = gl->type;
            if (!ty_is_bad(vt) && !ir_type_join_into(b, &gl->type, vt)) {
                conflict(fc, name, old, vt, line, col, g->line, g->col);
                return;
            }
            if (old->kind == IR_T_UNKNOWN || g->line == 0) {
                g->line = line;
                g->col = col;
            }
            ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, line, col);
            s->global = gl;
            s->expr = ex_coerce(fc, value, gl->type, line, col, "assignment");
            fc_emit(fc, s);
            return;
        }
    }
    var *v = fc_var(fc, name);
    ir_type *old = v->type;
    if (vt->kind == IR_T_ERROR) v->poisoned = b->pass;
    if (!ty_is_bad(vt)) {
        if (!ir_type_join_into(b, &v->type, vt)) {
            conflict(fc, name, old, vt, line, col, v->line, v->col);
            return;
        }
        if (old->kind == IR_T_UNKNOWN) {
            v->line = line;
            v->col = col;
        }
    }
    ir_local *l = fc_local(fc, v);
    ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, line, col);
    s->local = l;
    s->expr = ex_coerce(fc, value, l->type, line, col, "assignment");
    fc_emit(fc, s);
    if (vt->kind == IR_T_NONE || vt->kind == IR_T_OPTIONAL) fc_fact_del(fc, v);
    else if (v->type->kind == IR_T_OPTIONAL) fc_fact_add(fc, v);
    /* facts about its fields (`x.f is not None`) were about the old value */
    size_t nl = strlen(name);
    for (int32_t i = 0; i < fc->nfacts;) {
        const char *fnm = fc->facts[i]->name;
        if (!strncmp(fnm, name, nl) && fnm[nl] == '.') fc->facts[i] = fc->facts[--fc->nfacts];
        else i++;
    }
}

static void field_init(fctx *fc, const ast_expr *target, ir_expr *value)
{
    irb *b = fc->b;
    classdef *c = fc->cls;
    ir_class *k = c->cls;
    int32_t i = 0;
    for (; i < k->nfields; i++)
        if (k->field_names[i] == target->u.attr.name) break;
    if (i == k->nfields) return; /* cannot happen: fields come from this scan */
    ir_type *old = k->field_types[i];
    if (!ty_is_bad(value->type)) {
        if (!ir_type_join_into(b, &k->field_types[i], value->type)) {
            pf_diag *dg = ir_err(b, fc->src, target->op_line, target->op_col,
                                 "field '%s' of %s is %s here but %s elsewhere", k->field_names[i],
                                 k->name, value->type->str, old->str);
            ir_hint(b, dg, "a field has one type for every instance of its class");
            if (dg) ir_note(b, fc->src, c->field_line[i], c->field_col[i], "'%s' is %s here",
                            k->field_names[i], old->str);
            return;
        }
        if (old->kind == IR_T_UNKNOWN) {
            c->field_line[i] = target->op_line;
            c->field_col[i] = target->op_col;
        }
    }
    ir_stmt *s = fc_stmt(fc, IR_S_FIELD_INIT, target->line, target->col);
    s->index = i;
    s->expr = ex_coerce(fc, value, k->field_types[i], target->line, target->col, "field");
    s->expr2 = ex_local(fc, fc->fn->params[0], target->line, target->col);
    fc_emit(fc, s);
}

static bool is_self_attr(fctx *fc, const ast_expr *t)
{
    return fc->is_init && t->kind == AST_ATTR && t->u.attr.value->kind == AST_NAME &&
           t->u.attr.value->u.name == fc->self_name;
}

static void mutation_error(fctx *fc, const ast_expr *t, const char *how)
{
    irb *b = fc->b;
    if (t->kind == AST_SUBSCRIPT) {
        pf_diag *dg = ir_err(b, fc->src, t->line, t->col,
                             "cannot %s an element: pf values are immutable", how);
        ir_expr *c = NULL;
        b->quiet++;
        c = ex_expr(fc, t->u.subscript.value);
        b->quiet--;
        if (c->type->kind == IR_T_DICT)
            ir_hint(b, dg, "build an updated copy: `d = d | {k: v}`");
        else
            ir_hint(b, dg, "build a new list, e.g. `xs = xs[:i] + [v] + xs[i + 1:]`");
    } else if (t->kind == AST_ATTR) {
        pf_diag *dg = ir_err(b, fc->src, t->line, t->col,
                             "cannot %s attribute '%s': instances are immutable", how,
                             t->u.attr.name);
        ir_hint(b, dg, "fields are set once in __init__; return a new instance instead");
    } else {
        ir_err(b, fc->src, t->line, t->col, "cannot assign to this expression");
    }
}

/* A new temporary local assigned `value` here (unpacking reads its source once). */
static ir_local *temp_of(fctx *fc, ir_expr *value, const ast_expr *at)
{
    ir_local *tmp = fc_temp(fc, value->type, "u");
    ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, at->line, at->col);
    s->local = tmp;
    s->expr = value;
    fc_emit(fc, s);
    return tmp;
}

/* The local holding `value`: itself when it is a local read, else a temporary. */
static ir_local *held(fctx *fc, ir_expr *value, const ast_expr *at)
{
    return value->kind == IR_E_LOCAL ? value->local : temp_of(fc, value, at);
}

/* `a, *rest, z = xs`: index reads around a slice (a list), or tuple components around a list
 * of the middle ones (a tuple of one type). Python's length check becomes an IndexError. */
static void starred_assign(fctx *fc, const ast_expr *t, int32_t star, ir_expr *value)
{
    irb *b = fc->b;
    const ast_expr_list *el = &t->u.seq.elts;
    ir_type *vt = value->type;
    int32_t n = el->len, after = n - star - 1;
    if (ty_is_bad(vt)) {
        for (int32_t i = 0; i < n; i++)
            fc_assign(fc, i == star ? el->items[i]->u.starred.value : el->items[i], value);
        return;
    }
    if (vt->kind != IR_T_LIST && vt->kind != IR_T_TUPLE) {
        ir_err(b, fc->src, t->line, t->col, "cannot unpack a value of type %s", vt->str);
        return;
    }
    if (vt->kind == IR_T_TUPLE && vt->n < n - 1) {
        ir_err(b, fc->src, t->line, t->col, "not enough values to unpack (expected at least %d, got %d)",
               (int)(n - 1), (int)vt->n);
        return;
    }
    ir_local *tmp = held(fc, value, t);
    for (int32_t i = 0; i < n; i++) {
        const ast_expr *ti = el->items[i];
        ir_expr *src = ex_local(fc, tmp, t->line, t->col);
        ir_expr *g;
        if (vt->kind == IR_T_TUPLE) {
            if (i == star) {
                ir_type *et = b->t_unknown;
                g = ex_new(fc, IR_E_LIST, b->t_unknown, ti->line, ti->col);
                for (int32_t k = star; k < vt->n - after; k++) {
                    ir_expr *c = ex_new(fc, IR_E_TUPLE_GET, vt->elems[k], ti->line, ti->col);
                    c->index = k;
                    ex_arg(fc, c, ex_local(fc, tmp, t->line, t->col));
                    ex_arg(fc, g, c);
                    ir_type *j = ty_join(b, et, vt->elems[k]);
                    if (!j) {
                        ir_err(b, fc->src, ti->line, ti->col, "starred target would mix %s and %s", et->str,
                               vt->elems[k]->str);
                        return;
                    }
                    et = j;
                }
                g->type = ty_list(b, et);
                ti = ti->u.starred.value;
            } else {
                int32_t k = i < star ? i : vt->n - (n - i);
                g = ex_new(fc, IR_E_TUPLE_GET, vt->elems[k], ti->line, ti->col);
                g->index = k;
                ex_arg(fc, g, src);
            }
        } else if (i == star) {
            g = ex_new(fc, IR_E_OP, vt, ti->line, ti->col);
            g->op = IR_OP_LIST_SLICE;
            ex_arg(fc, g, src);
            ir_expr *lo = ex_new(fc, IR_E_INT, b->t_int, ti->line, ti->col);
            lo->ival = star;
            ex_arg(fc, g, lo);
            if (after) {
                ir_expr *hi = ex_new(fc, IR_E_INT, b->t_int, ti->line, ti->col);
                hi->ival = -after;
                ex_arg(fc, g, hi);
            } else {
                ex_arg(fc, g, NULL);
            }
            ex_arg(fc, g, NULL);
            ti = ti->u.starred.value;
        } else {
            g = ex_new(fc, IR_E_OP, vt->elems[0], ti->line, ti->col);
            g->op = IR_OP_LIST_INDEX;
            g->may_raise = true;
            ex_arg(fc, g, src);
            ir_expr *ix = ex_new(fc, IR_E_INT, b->t_int, ti->line, ti->col);
            ix->ival = i < star ? i : -(n - i);
            ex_arg(fc, g, ix);
        }
        fc_assign(fc, ti, g);
    }
}

void fc_assign(fctx *fc, const ast_expr *t, ir_expr *value)
{
    irb *b = fc->b;
    switch (t->kind) {
    case AST_NAME: fc_assign_name(fc, t->u.name, value, t->line, t->col); return;
    case AST_TUPLE:
    case AST_LIST: {
        const ast_expr_list *el = &t->u.seq.elts;
        int32_t star = -1;
        for (int32_t i = 0; i < el->len; i++)
            if (el->items[i]->kind == AST_STARRED) {
                if (star >= 0) {
                    ir_err(b, fc->src, el->items[i]->line, el->items[i]->col,
                           "multiple starred expressions in assignment");
                    return;
                }
                star = i;
            }
        if (star >= 0) {
            starred_assign(fc, t, star, value);
            return;
        }
        if (ty_is_bad(value->type)) {
            for (int32_t i = 0; i < el->len; i++) fc_assign(fc, el->items[i], value);
            return;
        }
        /* (a, b) = (x, y): evaluate every component first, then bind */
        if (value->kind == IR_E_TUPLE && value->nargs == el->len) {
            ir_local **tmp = pf_arena_alloc(b->a, sizeof *tmp * (size_t)(el->len + 1));
            for (int32_t i = 0; i < el->len; i++) tmp[i] = temp_of(fc, value->args[i], t);
            for (int32_t i = 0; i < el->len; i++)
                fc_assign(fc, el->items[i], ex_local(fc, tmp[i], t->line, t->col));
            return;
        }
        ir_type *vt = value->type;
        bool is_tuple = vt->kind == IR_T_TUPLE, is_list = vt->kind == IR_T_LIST;
        if (!is_tuple && !is_list) {
            ir_err(b, fc->src, t->line, t->col, "cannot unpack a value of type %s", vt->str);
            return;
        }
        if (is_tuple && vt->n != el->len) {
            ir_err(b, fc->src, t->line, t->col, "cannot unpack a tuple of %d values into %d names",
                   (int)vt->n, (int)el->len);
            return;
        }
        ir_local *tmp = held(fc, value, t);
        for (int32_t i = 0; i < el->len; i++) {
            ir_expr *g;
            if (is_tuple) {
                g = ex_new(fc, IR_E_TUPLE_GET, vt->elems[i], t->line, t->col);
                g->index = i;
                ex_arg(fc, g, ex_local(fc, tmp, t->line, t->col));
            } else {
                g = ex_new(fc, IR_E_OP, vt->elems[0], t->line, t->col);
                g->op = IR_OP_LIST_INDEX;
                g->may_raise = true;
                ex_arg(fc, g, ex_local(fc, tmp, t->line, t->col));
                ir_expr *ix = ex_new(fc, IR_E_INT, b->t_int, t->line, t->col);
                ix->ival = i;
                ex_arg(fc, g, ix);
            }
            fc_assign(fc, el->items[i], g);
        }
        return;
    }
    case AST_ATTR:
        if (is_self_attr(fc, t)) {
            field_init(fc, t, value);
            return;
        }
        mutation_error(fc, t, "assign to");
        return;
    case AST_SUBSCRIPT: mutation_error(fc, t, "assign to"); return;
    case AST_STARRED:
        ir_err(b, fc->src, t->line, t->col, "starred assignment is not supported");
        return;
    default: mutation_error(fc, t, "assign to"); return;
    }
}

/* ---------------------------------------------------------------------------- defaults */

bool ir_is_literal(const ast_expr *v)
{
    return v->kind == AST_INT || v->kind == AST_FLOAT || v->kind == AST_STR || v->kind == AST_BOOL ||
           v->kind == AST_NONE ||
           (v->kind == AST_UNARY && v->u.unary.op == AST_NEG &&
            (v->u.unary.operand->kind == AST_INT || v->u.unary.operand->kind == AST_FLOAT));
}

ir_global *ir_default_global(irb *b, ir_fndef *d, int32_t i)
{
    if (!d->dflts) d->dflts = pf_arena_alloc(b->a, sizeof *d->dflts * (size_t)(d->params->len + 1));
    struct dflt *df = &d->dflts[i];
    if (!df->g) {
        df->g = pf_arena_alloc(b->a, sizeof *df->g);
        df->g->name = pf_arena_sprintf(b->a, "%s.%s", d->qual, d->params->items[i].name);
        df->g->type = b->t_unknown;
    }
    if (df->gpass != b->pass) {
        df->gpass = b->pass;
        df->g->id = b->globals.len;
        PF_VEC_PUSH(b->a, &b->globals, IR_LIMIT, df->g);
    }
    return df->g;
}

/* A module-level def (or a class's methods) is being defined: evaluate its non-literal
 * defaults now, into hidden globals that calls read (Python evaluates defaults once). */
static void eval_defaults(fctx *fc, ir_fndef *d)
{
    irb *b = fc->b;
    for (int32_t i = 0; i < d->params->len; i++) {
        const ast_expr *dv = d->params->items[i].default_;
        if (!dv || ir_is_literal(dv)) continue;
        ir_global *g = ir_default_global(b, d, i);
        ir_expr *v = ex_expr(fc, dv);
        ir_type *old = g->type;
        if (!ty_is_bad(v->type) && !ir_type_join_into(b, &g->type, v->type)) {
            ir_err(b, fc->src, dv->line, dv->col, "default value has type %s here but %s before", v->type->str,
                   old->str);
            continue;
        }
        ir_stmt *s = fc_stmt(fc, IR_S_ASSIGN, dv->line, dv->col);
        s->global = g;
        s->expr = ex_coerce(fc, v, g->type, dv->line, dv->col, "default value");
        fc_emit(fc, s);
    }
}

/* ---------------------------------------------------------------------------- statements */

/* The type an annotation names: None, int, float, bool, str, list[T], dict[K, V],
 * tuple[A, B], T | None, Optional[T], a class; bare list/dict/tuple leave the elements open
 * (unknown). NULL (and an error) when pf cannot express it. */
ir_type *ir_annotation(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    switch (e->kind) {
    case AST_NONE: return b->t_none;
    case AST_STR: /* a string annotation: not parsed */
        break;
    case AST_NAME: {
        const char *n = e->u.name;
        if (!strcmp(n, "int")) return b->t_int;
        if (!strcmp(n, "float")) return b->t_float;
        if (!strcmp(n, "bool")) return b->t_bool;
        if (!strcmp(n, "str")) return b->t_str;
        if (!strcmp(n, "list")) return ty_list(b, b->t_unknown);
        if (!strcmp(n, "dict")) return ty_dict(b, b->t_unknown, b->t_unknown);
        gname *g = rs_lookup(fc->mod, n);
        if (g && g->kind == G_CLASS) return g->cls->cls->type;
        break;
    }
    case AST_BINARY:
        if (e->u.binary.op == AST_BITOR) {
            const ast_expr *l = e->u.binary.left, *r = e->u.binary.right;
            const ast_expr *t = r->kind == AST_NONE ? l : l->kind == AST_NONE ? r : NULL;
            if (t) {
                ir_type *in = ir_annotation(fc, t);
                return in ? ty_opt(b, in) : NULL;
            }
        }
        break;
    case AST_SUBSCRIPT: {
        const ast_expr *v = e->u.subscript.value, *ix = e->u.subscript.index;
        if (v->kind != AST_NAME) break;
        const char *n = v->u.name;
        int32_t na = ix->kind == AST_TUPLE ? ix->u.seq.elts.len : 1;
        const ast_expr *const *args = ix->kind == AST_TUPLE ? (const ast_expr *const *)ix->u.seq.elts.items : &ix;
        ir_type *t[8];
        if (na > 8) break;
        for (int32_t i = 0; i < na; i++)
            if (!(t[i] = ir_annotation(fc, args[i]))) return NULL;
        if (!strcmp(n, "list") && na == 1) return ty_list(b, t[0]);
        if (!strcmp(n, "dict") && na == 2) return ty_dict(b, t[0], t[1]);
        if (!strcmp(n, "tuple")) return ty_tuple(b, t, na);
        if (!strcmp(n, "Optional") && na == 1) return ty_opt(b, t[0]);
        break;
    }
    default: break;
    }
    pf_diag *dg = ir_err(b, fc->src, e->line, e->col, "pf cannot check this annotation");
    ir_hint(b, dg, "use int, float, bool, str, None, list[T], dict[K, V], tuple[A, B], T | None or a class");
    return NULL;
}

/* A value where annotation `want` applies. Annotations are checked, not conversions: an int
 * is accepted for float and a bool for int (Python's numeric tower) and keeps its own type, so
 * results print as python3 prints them; None and T are wrapped for T | None. NULL when it
 * does not fit (the caller reports). */
static bool num_accepts(const ir_type *want, const ir_type *got)
{
    return (want->kind == IR_T_FLOAT && (got->kind == IR_T_INT || got->kind == IR_T_BOOL)) ||
           (want->kind == IR_T_INT && got->kind == IR_T_BOOL);
}

ir_expr *ir_fit_annotation(fctx *fc, ir_expr *v, ir_type *want)
{
    irb *b = fc->b;
    ir_type *got = v->type;
    if (ty_is_bad(got) || got == want) return v;
    if (num_accepts(want, got)) return v;
    if (ty_has_unknown(want)) {
        ir_type *j = ty_join(b, want, got);
        if (j == got) return v;
        if (j && ty_join(b, got, j) == j) return ex_coerce(fc, v, j, v->line, v->col, "value");
        return NULL;
    }
    if (want->kind == IR_T_OPTIONAL && (got->kind == IR_T_NONE || got == want->elems[0]))
        return ex_coerce(fc, v, want, v->line, v->col, "value");
    if (ty_has_unknown(got) && ty_join(b, got, want) == want) return ex_coerce(fc, v, want, v->line, v->col, "value");
    return NULL;
}

/* The type an `extern def` annotation names (int, float, bool, str, None). */
ir_type *ir_ann_type(fctx *fc, const ast_expr *e)
{
    irb *b = fc->b;
    if (e->kind == AST_NONE) return b->t_none;
    if (e->kind == AST_NAME) {
        if (!strcmp(e->u.name, "int")) return b->t_int;
        if (!strcmp(e->u.name, "float")) return b->t_float;
        if (!strcmp(e->u.name, "bool")) return b->t_bool;
        if (!strcmp(e->u.name, "str")) return b->t_str;
    }
    pf_diag *dg = ir_err(b, fc->src, e->line, e->col, "extern types must be int, float, bool, str or None");
    ir_hint(b, dg, "pass other values through a pf wrapper function");
    return b->t_error;
}

static void st_stmts(fctx *fc, const ast_stmt_list *l, ir_block *out);

static int32_t exc_kind_of(irb *b, const char *n)
{
    static const struct { const char *name; int32_t kind; } tab[] = {
        {"BaseException", PF_EXC_BASE},         {"Exception", PF_EXC_EXCEPTION},
        {"ArithmeticError", PF_EXC_ARITHMETIC},  {"ZeroDivisionError", PF_EXC_ZERODIV},
        {"OverflowError", PF_EXC_OVERFLOW},      {"LookupError", PF_EXC_LOOKUP},
        {"IndexError", PF_EXC_INDEX},            {"KeyError", PF_EXC_KEY},
        {"ValueError", PF_EXC_VALUE},            {"AssertionError", PF_EXC_ASSERTION},
        {"RuntimeError", PF_EXC_RUNTIME},        {"RecursionError", PF_EXC_RECURSION},
        {"TypeError", PF_EXC_TYPE},              {"AttributeError", PF_EXC_ATTRIBUTE},
        {"StopIteration", PF_EXC_STOPITERATION}, {"KeyboardInterrupt", PF_EXC_KEYBOARDINTERRUPT},
        {"MemoryError", PF_EXC_MEMORY},          {"NameError", PF_EXC_NAME},
    };
    (void)b;
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (!strcmp(tab[i].name, n)) return tab[i].kind;
    return 0;
}

static void st_raise(fctx *fc, const ast_stmt *s)
{
    irb *b = fc->b;
    ir_stmt *r = fc_stmt(fc, IR_S_RAISE, s->line, s->col);
    const ast_expr *e = s->u.raise_.exc;
    if (!e) {
        if (!fc->handlers) ir_err(b, fc->src, s->line, s->col, "bare 'raise' outside an except clause");
        fc_emit(fc, r);
        return;
    }
    const ast_expr *callee = e->kind == AST_CALL ? e->u.call.func : e;
    if (callee->kind == AST_NAME) {
        int32_t k = exc_kind_of(b, callee->u.name);
        bool shadowed = fc->def && names_has(&fc->def->bound, callee->u.name);
        if (k && !shadowed) {
            r->index = k;
            if (e->kind == AST_CALL) {
                if (e->u.call.args.len > 1 || e->u.call.keywords.len)
                    ir_err(b, fc->src, e->op_line, e->op_col,
                           "exceptions take one message argument in pf");
                if (e->u.call.args.len >= 1) {
                    ir_expr *m = ex_expr(fc, e->u.call.args.items[0]);
                    if (m->type->kind != IR_T_STR && !ty_is_bad(m->type)) {
                        ir_expr *c = ex_new(fc, IR_E_OP, b->t_str, m->line, m->col);
                        c->op = IR_OP_STR;
                        ex_arg(fc, c, m);
                        m = c;
                    }
                    r->expr = m;
                }
            }
            fc_emit(fc, r);
            return;
        }
    }
    ir_expr *v = ex_expr(fc, e);
    if (v->type->kind != IR_T_EXC && !ty_is_bad(v->type)) {
        pf_diag *dg = ir_err(b, fc->src, e->line, e->col, "cannot raise a value of type %s",
                             v->type->str);
        ir_hint(b, dg, "raise a builtin exception, e.g. `raise ValueError(\"message\")`");
    }
    r->expr = v;
    fc_emit(fc, r);
}

static void st_try(fctx *fc, const ast_stmt *s)
{
    irb *b = fc->b;
    ir_stmt *t = fc_stmt(fc, IR_S_TRY, s->line, s->col);
    facts f0 = facts_save(fc);
    facts fend = f0;
    bool any = false;
    st_stmts(fc, &s->u.try_.body, &t->body);
    if (fc->reachable) st_stmts(fc, &s->u.try_.orelse, &t->orelse);
    if (fc->reachable) { fend = facts_meet(fc, fend, facts_save(fc)); any = true; }
    const ast_handler_list *hl = &s->u.try_.handlers;
    t->nhandlers = hl->len;
    t->handlers = pf_arena_alloc(b->a, sizeof *t->handlers * (size_t)(hl->len + 1));
    for (int32_t i = 0; i < hl->len; i++) {
        const ast_handler *h = &hl->items[i];
        ir_handler *ih = &t->handlers[i];
        ih->line = h->line;
        ih->col = h->col;
        facts_restore(fc, f0);
        fc->reachable = true;
        const ast_expr *ty = h->type;
        int32_t n = !ty ? 0 : ty->kind == AST_TUPLE ? ty->u.seq.elts.len : 1;
        ih->kinds = pf_arena_alloc(b->a, sizeof(int32_t) * (size_t)(n + 1));
        for (int32_t k = 0; k < n; k++) {
            const ast_expr *x = ty->kind == AST_TUPLE ? ty->u.seq.elts.items[k] : ty;
            int32_t kind = x->kind == AST_NAME ? exc_kind_of(b, x->u.name) : 0;
            if (!kind) {
                pf_diag *dg = ir_err(b, fc->src, x->line, x->col,
                                     "except clause must name a builtin exception type");
                ir_hint(b, dg, "pf supports the builtin exceptions, e.g. ValueError, KeyError");
            }
            ih->kinds[ih->nkinds++] = kind;
        }
        ir_block *save = fc->blk;
        fc->blk = &ih->body;
        if (h->name) {
            ir_local *tl = fc_temp(fc, b->t_exc, "e");
            ih->var = tl;
            fc_assign_name(fc, h->name, ex_local(fc, tl, h->line, h->col), h->line, h->col);
        }
        fc->blk = save;
        fc->handlers++;
        st_stmts(fc, &h->body, &ih->body);
        fc->handlers--;
        if (fc->reachable) { fend = any ? facts_meet(fc, fend, facts_save(fc)) : facts_save(fc); any = true; }
    }
    bool reach = any;
    if (s->u.try_.finalbody.len) {
        facts_restore(fc, facts_meet(fc, f0, fend));
        fc->reachable = true;
        st_stmts(fc, &s->u.try_.finalbody, &t->finalbody);
        reach = reach && fc->reachable;
    }
    fc->reachable = reach;
    facts_restore(fc, facts_meet(fc, f0, fend));
    fc_emit(fc, t);
}

static bool has_break(const ast_stmt_list *l)
{
    for (int32_t i = 0; i < l->len; i++) {
        const ast_stmt *s = l->items[i];
        if (s->kind == AST_BREAK) return true;
        if (s->kind == AST_IF && (has_break(&s->u.if_.body) || has_break(&s->u.if_.orelse))) return true;
        if (s->kind == AST_TRY) {
            if (has_break(&s->u.try_.body) || has_break(&s->u.try_.orelse) ||
                has_break(&s->u.try_.finalbody))
                return true;
            for (int32_t k = 0; k < s->u.try_.handlers.len; k++)
                if (has_break(&s->u.try_.handlers.items[k].body)) return true;
        }
    }
    return false;
}

/* Facts that hold at the head of a loop: those before it that the body preserves. When there
 * are some, the body is elaborated once quietly to see which survive. */
static facts loop_facts(fctx *fc, const ast_stmt *s)
{
    facts f0 = facts_save(fc);
    if (!f0.n) return f0;
    irb *b = fc->b;
    for (int32_t round = 0; round < 4; round++) {
        b->quiet++;
        ir_block scratch = {0};
        ir_block *save = fc->blk;
        fc->blk = &scratch;
        int32_t nt = fc->fn->nlocals;
        (void)nt;
        if (s->kind == AST_WHILE) {
            ex_cond(fc, s->u.while_.test);
            ex_cond_facts(fc, s->u.while_.test, true);
            fc->loops++;
            st_stmts(fc, &s->u.while_.body, &scratch);
            fc->loops--;
        } else {
            ex_iter(fc, s->u.for_.iter, s->u.for_.target, false, NULL);
            fc->loops++;
            st_stmts(fc, &s->u.for_.body, &scratch);
            fc->loops--;
        }
        fc->blk = save;
        b->quiet--;
        facts end = fc->reachable ? facts_save(fc) : f0;
        facts m = facts_meet(fc, f0, end);
        fc->reachable = true;
        facts_restore(fc, m);
        if (m.n == f0.n) return m;
        f0 = m;
    }
    fc->nfacts = 0;
    return facts_save(fc);
}

/* A session's echo of a top-level expression statement: print(repr(v)), only when v is not None. */
static void echo(fctx *fc, ir_expr *v, int32_t line, int32_t col)
{
    irb *b = fc->b;
    ir_stmt *st = fc_stmt(fc, IR_S_EXPR, line, col);
    st->expr = ex_print(fc, NULL, NULL, NULL, line, col);
    if (v->type->kind != IR_T_OPTIONAL) {
        ex_arg(fc, st->expr, ex_op1(fc, IR_OP_REPR, b->t_str, true, v));
        fc_emit(fc, st);
        return;
    }
    ir_local *t = fc_temp(fc, v->type, "echo");
    ir_stmt *as = fc_stmt(fc, IR_S_ASSIGN, line, col);
    as->local = t;
    as->expr = v;
    fc_emit(fc, as);
    ex_arg(fc, st->expr, ex_op1(fc, IR_OP_REPR, b->t_str, true, ex_local(fc, t, line, col)));
    ir_stmt *iff = fc_stmt(fc, IR_S_IF, line, col);
    iff->expr = ex_is_none(fc, ex_local(fc, t, line, col), true, line, col);
    PF_VEC_PUSH(b->a, &iff->body, IR_LIMIT, st);
    fc_emit(fc, iff);
}

static void st_stmt(fctx *fc, const ast_stmt *s)
{
    irb *b = fc->b;
    switch (s->kind) {
    case AST_EXPR_STMT: {
        const ast_expr *e = s->u.expr;
        bool echoed = b->env && b->env->echo && !fc->def && fc->mod == b->mods[0] && fc->blk == &fc->fn->body;
        if ((e->kind == AST_STR && !echoed) || e->kind == AST_ELLIPSIS) return; /* docstring, `...` */
        ir_stmt *st = fc_stmt(fc, IR_S_EXPR, s->line, s->col);
        st->expr = ex_expr(fc, e);
        if (echoed && !ty_is_bad(st->expr->type) && st->expr->type->kind != IR_T_NONE) {
            echo(fc, st->expr, s->line, s->col);
            return;
        }
        fc_emit(fc, st);
        return;
    }
    case AST_ASSIGN: {
        ir_expr *v = ex_expr(fc, s->u.assign.value);
        const ast_expr_list *tl = &s->u.assign.targets;
        if (tl->len == 1) {
            fc_assign(fc, tl->items[0], v);
            return;
        }
        ir_local *tmp = fc_temp(fc, v->type, "m");
        ir_stmt *st = fc_stmt(fc, IR_S_ASSIGN, s->line, s->col);
        st->local = tmp;
        st->expr = v;
        fc_emit(fc, st);
        for (int32_t i = 0; i < tl->len; i++)
            fc_assign(fc, tl->items[i], ex_local(fc, tmp, s->line, s->col));
        return;
    }
    case AST_AUGASSIGN: {
        const ast_expr *t = s->u.augassign.target;
        if (t->kind != AST_NAME) {
            mutation_error(fc, t, "update");
            return;
        }
        ir_expr *cur = ex_expr(fc, t);
        ir_expr *rhs = ex_expr(fc, s->u.augassign.value);
        ir_expr *v = ex_binop(fc, s->u.augassign.op, cur, rhs, s->line, s->col);
        fc_assign_name(fc, t->u.name, v, t->line, t->col);
        return;
    }
    case AST_ANNASSIGN: {
        if (!s->u.annassign.value) return;
        ir_expr *v = ex_expr(fc, s->u.annassign.value);
        ir_type *want = ir_annotation(fc, s->u.annassign.annotation);
        if (want) {
            ir_expr *fit = ir_fit_annotation(fc, v, want);
            if (!fit) {
                ir_err(b, fc->src, v->line, v->col, "value of type %s does not match the annotation %s",
                       v->type->str, want->str);
                return;
            }
            v = fit;
        }
        fc_assign(fc, s->u.annassign.target, v);
        return;
    }
    case AST_DEF: {
        ir_fndef *d = (ir_fndef *)s->aux;
        if (!fc->def) {
            gname *g = rs_lookup(fc->mod, s->u.def.name);
            if (g && g->kind == G_DEF && g->def == d) { /* static module-level def */
                eval_defaults(fc, d);
                return;
            }
        }
        fc_assign_name(fc, s->u.def.name, ex_func_value(fc, d, s->line, s->col), s->line, s->col);
        return;
    }
    case AST_EXTERN: {
        gname *g = fc->def ? NULL : rs_lookup(fc->mod, s->u.def.name);
        if (g && g->kind == G_DEF && g->def == (ir_fndef *)s->aux) return;
        pf_diag *dg = ir_err(b, fc->src, s->line, s->col, "extern def must be at module level");
        ir_hint(b, dg, "move it to the top of the file");
        /* the name is bound to an erroneous value: its uses report nothing more */
        fc_assign_name(fc, s->u.def.name, ex_err(fc, s->line, s->col), s->line, s->col);
        return;
    }
    case AST_CLASS:
        if (fc->def || fc->mod->ast->body.len == 0 || !s->aux) {
            ir_err(b, fc->src, s->line, s->col, "classes must be defined at module level");
            return;
        }
        if (s->u.class_.bases.len) {
            const ast_expr *bx = s->u.class_.bases.items[0];
            pf_diag *dg = ir_err(b, fc->src, bx->line, bx->col, "class inheritance is not supported");
            ir_hint(b, dg, "give the class its own fields and methods (a field can hold another "
                           "instance)");
        }
        for (int32_t i = 0; i < s->u.class_.body.len; i++) {
            const ast_stmt *m = s->u.class_.body.items[i];
            if (m->kind == AST_DEF || m->kind == AST_PASS ||
                (m->kind == AST_EXPR_STMT && (m->u.expr->kind == AST_STR || m->u.expr->kind == AST_ELLIPSIS)))
                continue;
            pf_diag *dg = ir_err(b, fc->src, m->line, m->col, "a class body may only hold methods");
            ir_hint(b, dg, "use a module-level constant, or a field set in __init__");
        }
        for (int32_t i = 0; i < ((classdef *)s->aux)->method_names.len; i++)
            eval_defaults(fc, ((classdef *)s->aux)->methods[i]);
        return;
    case AST_IF: {
        int st = ex_static_cond(fc, s->u.if_.test);
        if (st >= 0) {
            st_stmts(fc, st ? &s->u.if_.body : &s->u.if_.orelse, fc->blk);
            return;
        }
        ir_stmt *st2 = fc_stmt(fc, IR_S_IF, s->line, s->col);
        st2->expr = ex_cond(fc, s->u.if_.test);
        facts f0 = facts_save(fc);
        ex_cond_facts(fc, s->u.if_.test, true);
        fc->reachable = true;
        st_stmts(fc, &s->u.if_.body, &st2->body);
        bool r1 = fc->reachable;
        facts f1 = facts_save(fc);
        facts_restore(fc, f0);
        ex_cond_facts(fc, s->u.if_.test, false);
        fc->reachable = true;
        st_stmts(fc, &s->u.if_.orelse, &st2->orelse);
        bool r2 = fc->reachable;
        facts f2 = facts_save(fc);
        fc->reachable = r1 || r2;
        facts_restore(fc, r1 && r2 ? facts_meet(fc, f1, f2) : r1 ? f1 : r2 ? f2 : f0);
        fc_emit(fc, st2);
        return;
    }
    case AST_WHILE: {
        facts f = loop_facts(fc, s);
        ir_stmt *w = fc_stmt(fc, IR_S_WHILE, s->line, s->col);
        w->expr = ex_cond(fc, s->u.while_.test);
        ex_cond_facts(fc, s->u.while_.test, true);
        fc->loops++;
        st_stmts(fc, &s->u.while_.body, &w->body);
        fc->loops--;
        facts_restore(fc, f);
        ex_cond_facts(fc, s->u.while_.test, false);
        fc->reachable = true;
        bool forever = w->expr->kind == IR_E_BOOL && w->expr->ival == 1;
        st_stmts(fc, &s->u.while_.orelse, &w->orelse);
        fc->reachable = !forever || has_break(&s->u.while_.body);
        facts_restore(fc, f);
        fc_emit(fc, w);
        return;
    }
    case AST_FOR: {
        facts f = loop_facts(fc, s);
        ir_stmt *w = fc_stmt(fc, IR_S_FOR, s->line, s->col);
        w->iter = ex_iter(fc, s->u.for_.iter, s->u.for_.target, false, NULL);
        if (fc->iter_dead) { /* over [] whose element type is never known: the body never runs */
            fc->iter_dead = false;
            facts_restore(fc, f);
            st_stmts(fc, &s->u.for_.orelse, fc->blk);
            return;
        }
        fc->loops++;
        st_stmts(fc, &s->u.for_.body, &w->body);
        fc->loops--;
        facts_restore(fc, f);
        fc->reachable = true;
        st_stmts(fc, &s->u.for_.orelse, &w->orelse);
        fc->reachable = true;
        facts_restore(fc, f);
        fc_emit(fc, w);
        return;
    }
    case AST_BREAK:
    case AST_CONTINUE:
        if (!fc->loops) {
            ir_err(b, fc->src, s->line, s->col, "'%s' outside a loop",
                   s->kind == AST_BREAK ? "break" : "continue");
            return;
        }
        fc_emit(fc, fc_stmt(fc, s->kind == AST_BREAK ? IR_S_BREAK : IR_S_CONTINUE, s->line, s->col));
        fc->reachable = false;
        return;
    case AST_PASS: return;
    case AST_RETURN: {
        if (!fc->def) {
            ir_err(b, fc->src, s->line, s->col, "'return' outside a function");
            return;
        }
        spec *sp = fc->sp;
        ir_expr *v = s->u.return_.value ? ex_expr(fc, s->u.return_.value) : ex_none(fc, s->line, s->col);
        const ast_expr *ve = s->u.return_.value;
        int32_t vl = ve ? ve->line : s->line, vc = ve ? ve->col : s->col;
        if (fc->is_init && v->type->kind != IR_T_NONE) {
            ir_err(b, fc->src, vl, vc, "__init__ must not return a value");
            v = ex_none(fc, s->line, s->col);
        }
        if (fc->def->def && fc->def->def->u.def.returns) {
            ir_type *want = ir_annotation(fc, fc->def->def->u.def.returns);
            ir_expr *fit = want ? ir_fit_annotation(fc, v, want) : v;
            if (!fit) {
                pf_diag *dg = ir_err(b, fc->src, vl, vc, "'%s' returns %s but is annotated to return %s",
                                     fc->def->name, v->type->str, want->str);
                ir_hint(b, dg, "fix the annotation or the returned value");
            } else if (want && want->kind == IR_T_OPTIONAL) {
                v = fit;
            }
        }
        ir_type *old = sp->ret;
        if (v->type->kind == IR_T_ERROR) sp->ret_error = b->pass;
        if (!ty_is_bad(v->type)) {
            if (!ir_type_join_into(b, &sp->ret, v->type)) {
                pf_diag *dg = ir_err(b, fc->src, vl, vc, "'%s' returns %s here but %s elsewhere",
                                     fc->def->name, v->type->str, old->str);
                ir_hint(b, dg, "a function returns one type (None mixes with any type as an "
                               "optional)");
                if (dg) ir_note(b, fc->src, sp->ret_line, sp->ret_col, "it returns %s here", old->str);
                fc->reachable = false;
                return;
            }
            if (old->kind == IR_T_UNKNOWN || (old->kind == IR_T_NONE && v->type->kind != IR_T_NONE)) {
                sp->ret_line = vl;
                sp->ret_col = vc;
            }
        }
        ir_stmt *r = fc_stmt(fc, IR_S_RETURN, s->line, s->col);
        ir_type *rt = sp->ret;
        if (rt->kind == IR_T_NONE) {
            if (v->kind != IR_E_NONE) {
                ir_stmt *e = fc_stmt(fc, IR_S_EXPR, s->line, s->col);
                e->expr = v;
                fc_emit(fc, e);
            }
        } else {
            r->expr = ex_coerce(fc, v, rt, vl, vc, "return value");
        }
        fc_emit(fc, r);
        fc->reachable = false;
        return;
    }
    case AST_ASSERT: {
        ir_stmt *a = fc_stmt(fc, IR_S_ASSERT, s->line, s->col);
        a->expr = ex_cond(fc, s->u.assert_.test);
        if (s->u.assert_.msg) {
            ir_expr *m = ex_expr(fc, s->u.assert_.msg);
            if (m->type->kind != IR_T_STR && !ty_is_bad(m->type)) {
                ir_expr *c = ex_new(fc, IR_E_OP, b->t_str, m->line, m->col);
                c->op = IR_OP_STR;
                ex_arg(fc, c, m);
                m = c;
            }
            a->expr2 = m;
        }
        fc_emit(fc, a);
        ex_cond_facts(fc, s->u.assert_.test, true);
        return;
    }
    case AST_IMPORT:
    case AST_FROM_IMPORT:
        if (fc->def) {
            pf_diag *dg = ir_err(b, fc->src, s->line, s->col, "import inside a function");
            ir_hint(b, dg, "import at module level");
        }
        return;
    case AST_TRY: st_try(fc, s); return;
    case AST_RAISE:
        st_raise(fc, s);
        fc->reachable = false;
        return;
    case AST_GLOBAL:
    case AST_NONLOCAL: {
        bool g = s->kind == AST_GLOBAL;
        pf_diag *dg = ir_err(b, fc->src, s->line, s->col,
                             "'%s' is not allowed: pf names cannot be rebound from another scope",
                             g ? "global" : "nonlocal");
        ir_hint(b, dg, "return the new value from the function and assign it in the caller");
        return;
    }
    case AST_DEL: {
        pf_diag *dg = ir_err(b, fc->src, s->line, s->col, "'del' is not allowed: pf values are immutable");
        ir_hint(b, dg, "build a new value without the element instead");
        return;
    }
    }
}

static void st_stmts(fctx *fc, const ast_stmt_list *l, ir_block *out)
{
    ir_block *save = fc->blk;
    fc->blk = out;
    for (int32_t i = 0; i < l->len && fc->reachable; i++) st_stmt(fc, l->items[i]);
    fc->blk = save;
}

/* ------------------------------------------------------------------- one specialisation */

static void add_func(irb *b, ir_func *f)
{
    f->id = b->funcs.len;
    PF_VEC_PUSH(b->a, &b->funcs, IR_LIMIT, f);
}

static void emit_module_code(fctx *fc, modinfo *mi, ir_block *out)
{
    if (mi->emitted) return;
    mi->emitted = true;
    modinfo *save = fc->mod;
    const pf_source *ssrc = fc->src;
    fc->mod = mi;
    fc->src = mi->src;
    st_stmts(fc, &mi->ast->body, out);
    fc->reachable = true;
    fc->mod = save;
    fc->src = ssrc;
}

void sp_elaborate(irb *b, spec *sp)
{
    if (sp->pass == b->pass) return;
    sp->pass = b->pass;
    sp->busy = true;
    b->depth++;
    ir_func *f = sp->func;
    f->nlocals = 0;
    f->locals = NULL;
    sp->caplocals = 0;
    f->nparams = 0;
    f->params = NULL;
    memset(&f->body, 0, sizeof f->body);
    add_func(b, f);
    fctx fc = {.b = b, .sp = sp, .fn = f, .def = sp->def, .reachable = true};
    fc.blk = &f->body;
    if (!sp->def) {
        fc.mod = b->mods[0];
        fc.src = b->mods[0]->src;
        for (int32_t i = 1; i < b->nmods; i++) b->mods[i]->emitted = false;
        for (int32_t i = b->nmods - 1; i >= 1; i--) emit_module_code(&fc, b->mods[i], &f->body);
        st_stmts(&fc, &fc.mod->ast->body, &f->body);
    } else {
        ir_fndef *d = sp->def;
        fc.mod = d->mod;
        fc.src = d->mod->src;
        fc.cls = d->cls;
        if (d->cls && d->params->len) fc.self_name = d->params->items[0].name;
        fc.is_init = d->cls && !strcmp(d->name + strlen(d->cls->name) + 1, "__init__");
        f->is_init = fc.is_init;
        f->nparams = sp->nargs;
        f->params = pf_arena_alloc(b->a, sizeof *f->params * (size_t)(sp->nargs + 1));
        ir_local **pl = f->params;
        /* parameter slots first (locals[0..nparams)), then the variables they initialise */
        for (int32_t i = 0; i < sp->nargs; i++) {
            const ast_param *p = &d->params->items[i];
            pl[i] = new_local(&fc, p->name, sp->argt[i], p->line, p->col);
            pl[i]->is_param = true;
        }
        for (int32_t i = 0; i < sp->nargs; i++) {
            const ast_param *p = &d->params->items[i];
            var *v = fc_var(&fc, p->name);
            ir_type *old = v->type;
            if (!ir_type_join_into(b, &v->type, sp->argt[i])) {
                conflict(&fc, p->name, old, sp->argt[i], p->line, p->col, v->line, v->col);
                continue;
            }
            if (old->kind == IR_T_UNKNOWN) {
                v->line = p->line;
                v->col = p->col;
            }
            if (v->type == sp->argt[i]) {
                v->local = pl[i];
                v->pass = b->pass;
            } else {
                ir_local *l = fc_local(&fc, v);
                ir_stmt *s = fc_stmt(&fc, IR_S_ASSIGN, p->line, p->col);
                s->local = l;
                s->expr = ex_coerce(&fc, ex_local(&fc, pl[i], p->line, p->col), l->type, p->line,
                                    p->col, "parameter");
                fc_emit(&fc, s);
                if (l->type->kind == IR_T_OPTIONAL && sp->argt[i]->kind != IR_T_NONE &&
                    sp->argt[i]->kind != IR_T_OPTIONAL)
                    fc_fact_add(&fc, v);
            }
        }
        if (d->def && d->def->kind == AST_EXTERN) {
            f->extern_sym = d->name;
            f->extern_lib = d->def->u.def.lib;
            sp->ret = d->def->u.def.returns ? ir_ann_type(&fc, d->def->u.def.returns) : b->t_none;
            f->ret = sp->ret;
            f->body.len = 0;
            sp->busy = false;
            b->depth--;
            return;
        }
        if (d->lambda) {
            ir_expr *v = ex_expr(&fc, d->lambda->u.lambda.body);
            ir_type *old = sp->ret;
            if (!ty_is_bad(v->type)) ir_type_join_into(b, &sp->ret, v->type);
            (void)old;
            ir_stmt *r = fc_stmt(&fc, IR_S_RETURN, v->line, v->col);
            ir_type *rt = sp->ret;
            if (rt->kind == IR_T_NONE) {
                ir_stmt *e = fc_stmt(&fc, IR_S_EXPR, v->line, v->col);
                e->expr = v;
                fc_emit(&fc, e);
            } else {
                r->expr = ex_coerce(&fc, v, rt, v->line, v->col, "return value");
            }
            fc_emit(&fc, r);
            fc.reachable = false;
        } else {
            st_stmts(&fc, &d->def->u.def.body, &f->body);
        }
    }
    if (fc.reachable) {
        if (sp->def) {
            ir_type *old = sp->ret;
            if (!ir_type_join_into(b, &sp->ret, b->t_none)) { /* cannot fail: None joins all */ }
            (void)old;
        }
        ir_type *rt = sp->def ? (sp->ret) : b->t_none;
        ir_stmt *r = fc_stmt(&fc, IR_S_RETURN, sp->def ? sp->def->line : 1, 0);
        if (rt->kind != IR_T_NONE) r->expr = ex_coerce(&fc, ex_none(&fc, r->line, 0), rt, r->line, 0, "return value");
        fc_emit(&fc, r);
    }
    if (sp->def && !sp->redirect) {
        /* `f([])`: when the body fixed the element type, callers switch to f[list[T]] */
        ir_type **rt = pf_arena_alloc(b->a, sizeof *rt * (size_t)(sp->nargs + 1));
        bool refined = false;
        for (int32_t i = 0; i < sp->nargs; i++) {
            rt[i] = sp->argt[i];
            if (!ty_has_unknown(sp->argt[i])) continue;
            var *v = fc_var(&fc, sp->def->params->items[i].name);
            if (v->type != sp->argt[i] && ty_join(b, sp->argt[i], v->type) == v->type) {
                rt[i] = v->type;
                refined = true;
            }
        }
        if (refined) {
            sp->redirect = sp_get(b, sp->def, sp->env, rt, sp->nargs);
            b->changed = true;
        }
    }
    if (!sp->def) sp->ret = b->t_none;
    f->ret = sp->ret;
    sp->busy = false;
    b->depth--;
}

/* ------------------------------------------------------------------------------ imports */

modinfo *ir_load_module(irb *b, const char *name, int32_t line, int32_t col, const pf_source *from)
{
    for (int32_t i = 0; i < b->nmods; i++)
        if (b->mods[i]->name == name) return b->mods[i];
    if (strchr(name, '.')) {
        pf_diag_error(b->d, from, line, col, "no module named '%s'", name);
        return NULL;
    }
    const char *dir = b->path;
    const char *slash = strrchr(dir, '/');
    const char *path = slash ? pf_arena_sprintf(b->a, "%.*s/%s.pf", (int)(slash - dir), dir, name)
                             : pf_arena_sprintf(b->a, "%s.pf", name);
    int err = 0;
    pf_source *src = pf_source_from_file(b->a, path, &err);
    if (!src) {
        pf_diag *dg = pf_diag_error(b->d, from, line, col, "no module named '%s'", name);
        pf_diag_hint(b->d, dg, "pf imports the builtin modules math, random, time, pf and .pf "
                               "files beside the script (%s not found)", path);
        return NULL;
    }
    ast_module *am = parse_module(b->a, b->d, src);
    if (!am) return NULL;
    modinfo *mi = pf_arena_alloc(b->a, sizeof *mi);
    mi->name = name;
    mi->ast = am;
    mi->src = src;
    if (b->nmods == b->capmods) {
        int32_t nc = b->capmods ? b->capmods * 2 : 8;
        modinfo **n = pf_arena_alloc(b->a, sizeof *n * (size_t)nc);
        if (b->nmods) memcpy(n, b->mods, sizeof *n * (size_t)b->nmods);
        b->mods = n;
        b->capmods = nc;
    }
    b->mods[b->nmods++] = mi;
    rs_module(b, mi);
    for (int32_t i = 0; i < mi->nnames; i++)
        if (mi->names[i].kind == G_VAR) mi->names[i].is_global = true;
    return mi;
}

/* --------------------------------------------------------------------------------- driver */

/* After the final pass: types that still have unknown parts (an empty list never given an
 * element) become concrete, `list[?]` -> `list[None]`. */
static void fin_block(irb *b, ir_block *bl);

static void fin_expr(irb *b, ir_expr *e)
{
    if (!e) return;
    if ((e->type->kind == IR_T_ERROR || ty_has_error(e->type)) && !b->fin_reported) {
        /* cannot happen without an error reported first; never hand codegen an error type */
        ir_err(b, b->fin_src, e->line, e->col, "internal error: an expression has no valid type");
        b->fin_reported = true;
    }
    if (e->type->kind == IR_T_UNKNOWN && !b->fin_reported) {
        pf_diag *dg = ir_err(b, b->fin_src, e->line, e->col, "cannot infer the type of this expression");
        ir_hint(b, dg, "it depends only on values whose type is never fixed (e.g. an empty list or "
                       "dict that nothing is ever added to)");
        b->fin_reported = true;
    }
    e->type = ty_default(b, e->type);
    for (int32_t i = 0; i < e->nargs; i++) fin_expr(b, e->args[i]);
    fin_expr(b, e->env);
    if (e->kind == IR_E_COMP) {
        ir_comp *c = e->comp;
        for (int32_t i = 0; i < c->nclauses; i++) {
            fin_expr(b, c->clauses[i].cond);
            ir_iter *stack[64];
            int32_t sp = 0;
            if (c->clauses[i].iter) stack[sp++] = c->clauses[i].iter;
            while (sp > 0) {
                ir_iter *it = stack[--sp];
                fin_expr(b, it->a);
                fin_expr(b, it->b);
                fin_expr(b, it->c);
                fin_block(b, &it->bind);
                for (int32_t k = 0; k < it->nsubs && sp < 64; k++) stack[sp++] = it->subs[k];
            }
        }
        fin_expr(b, c->elt);
        fin_expr(b, c->key);
        fin_expr(b, c->init);
        fin_expr(b, c->key_fn);
    }
}

static void fin_iter(irb *b, ir_iter *it)
{
    if (!it) return;
    fin_expr(b, it->a);
    fin_expr(b, it->b);
    fin_expr(b, it->c);
    fin_block(b, &it->bind);
    for (int32_t k = 0; k < it->nsubs; k++) fin_iter(b, it->subs[k]);
}

static void fin_block(irb *b, ir_block *bl)
{
    for (int32_t i = 0; i < bl->len; i++) {
        ir_stmt *s = bl->items[i];
        fin_expr(b, s->expr);
        fin_expr(b, s->expr2);
        fin_iter(b, s->iter);
        fin_block(b, &s->body);
        fin_block(b, &s->orelse);
        fin_block(b, &s->finalbody);
        for (int32_t k = 0; k < s->nhandlers; k++) fin_block(b, &s->handlers[k].body);
    }
}

static void fin_func(irb *b, ir_func *f)
{
    b->fin_src = f->src;
    f->ret = ty_default(b, f->ret);
    if (f->env) f->env = ty_default(b, f->env);
    for (int32_t i = 0; i < f->nlocals; i++) f->locals[i]->type = ty_default(b, f->locals[i]->type);
    fin_block(b, &f->body);
}

ir_module *ir_build(pf_arena *a, pf_diags *d, const ast_module *m, const char *path)
{
    return ir_build_env(a, d, m, path, NULL);
}

/* ir_env roots: their specialisations (NULL entries for the ones reported as errors). */
static spec **env_roots(irb *b, modinfo *mi)
{
    const ir_env *env = b->env;
    spec **r = pf_arena_alloc(b->a, sizeof *r * (size_t)(env->nroots + 1));
    for (int32_t i = 0; i < env->nroots; i++) {
        const ir_env_root *ro = &env->roots[i];
        gname *g = rs_lookup(mi, pf_intern_cstr(b->a, ro->def));
        if (!g || g->kind != G_DEF || !g->def->def || g->def->def->kind != AST_DEF ||
            g->def->params->len != ro->nparams) {
            pf_diag_error(b->d, NULL, 0, 0, "no def '%s' with %d parameters to export", ro->def, (int)ro->nparams);
            continue;
        }
        ir_type **t = pf_arena_alloc(b->a, sizeof *t * (size_t)(ro->nparams + 1));
        for (int32_t k = 0; k < ro->nparams; k++)
            if (!(t[k] = ty_parse(b, mi, ro->params[k]))) {
                pf_diag_error(b->d, NULL, 0, 0, "export of '%s': no type '%s'", ro->def, ro->params[k]);
                return r;
            }
        r[i] = sp_get(b, g->def, NULL, t, ro->nparams);
    }
    return r;
}

/* A session's variables become typed globals with their slots (ir_build_env). */
static void bind_env(irb *b, modinfo *mi)
{
    const ir_env *env = b->env;
    for (int32_t i = 0; i < env->nfields; i++) {
        gname *g = rs_lookup(mi, pf_intern_cstr(b->a, env->fields[i].cls));
        ir_type *t = ty_parse(b, mi, env->fields[i].type);
        if (!g || g->kind != G_CLASS || !g->cls || !t) continue; /* a class since changed */
        ir_class *c = g->cls->cls;
        for (int32_t k = 0; k < c->nfields; k++)
            if (!strcmp(c->field_names[k], env->fields[i].field)) ir_type_join_into(b, &c->field_types[k], t);
    }
    for (int32_t i = 0; i < env->nvars; i++) {
        gname *g = rs_lookup(mi, pf_intern_cstr(b->a, env->vars[i].name));
        if (!g || g->kind != G_VAR) continue; /* the script defines it as a def/class/import */
        ir_type *t = ty_parse(b, mi, env->vars[i].type);
        if (!t) continue; /* its class is gone: as if it did not exist */
        g->is_global = true;
        ir_global *gl = ir_global_of(b, mi, g);
        gl->type = t;
        gl->slot = env->vars[i].slot;
    }
    if (env->keep_vars)
        for (int32_t i = 0; i < mi->nnames; i++)
            if (mi->names[i].kind == G_VAR) mi->names[i].is_global = true;
}

ir_module *ir_build_env(pf_arena *a, pf_diags *d, const ast_module *m, const char *path, const ir_env *env)
{
    irb b = {.a = a, .d = d, .path = path, .env = env};
    ty_init(&b);
    int32_t nerr0 = d->nerrors;
    modinfo *mi = pf_arena_alloc(a, sizeof *mi);
    mi->name = pf_intern_cstr(a, "__main__");
    mi->ast = m;
    mi->src = m->src;
    b.mods = pf_arena_alloc(a, sizeof *b.mods * 8);
    b.capmods = 8;
    b.mods[b.nmods++] = mi;
    rs_module(&b, mi);
    if (env) bind_env(&b, mi);
    spec **roots = env && env->nroots ? env_roots(&b, mi) : NULL;
    if (d->nerrors > nerr0) return NULL;
    spec *main = sp_get(&b, NULL, NULL, NULL, 0);
    int32_t dlen = d->len, dnerr = d->nerrors;
    bool final = false, done = false;
    for (b.pass = 1; b.pass <= IR_MAX_PASSES; b.pass++) {
        b.changed = false;
        b.final = final;
        b.funcs.len = 0;
        b.globals.len = 0;
        if (final) {
            d->len = dlen;
            d->nerrors = dnerr;
        }
        sp_elaborate(&b, main);
        for (int32_t i = 0; roots && i < env->nroots; i++)
            if (roots[i]) sp_elaborate(&b, roots[i]);
        if (!b.changed) {
            if (final) { done = true; break; }
            final = true;
        }
    }
    if (!done) {
        d->len = dlen;
        d->nerrors = dnerr;
        pf_diag_error(d, m->src, 0, 0,
                      "type inference did not settle after %d passes (limit is %d); a recursive "
                      "function may build ever deeper types",
                      IR_MAX_PASSES, IR_MAX_PASSES);
        return NULL;
    }
    /* defs no call reaches: check them with unknown argument types, so a misspelt name or a
     * mutation in a function not called yet is still reported */
    int32_t nf = b.funcs.len, ng = b.globals.len;
    b.generic = true;
    for (int32_t i = 0; i < b.ndefs; i++) {
        ir_fndef *df = b.defs[i];
        if ((df->def && df->def->kind == AST_EXTERN) || (df->lambda && !df->lambda->line)) continue;
        bool reached = false;
        for (int32_t k = 0; k < b.nspecs && !reached; k++)
            reached = b.specs[k]->def == df && b.specs[k]->pass == b.pass;
        if (reached || strncmp(df->qual, "<builtin", 8) == 0) continue;
        if (env && env->kept_line > 0 && df->mod == mi && df->line >= env->kept_line) continue;
        ir_type **ut = pf_arena_alloc(a, sizeof *ut * (size_t)(df->params->len + 1));
        for (int32_t k = 0; k < df->params->len; k++) ut[k] = b.t_unknown;
        spec *sp = sp_get(&b, df, NULL, ut, df->params->len);
        if (sp) sp_elaborate(&b, sp);
    }
    b.generic = false;
    b.funcs.len = nf;
    b.globals.len = ng;
    if (d->nerrors > nerr0) return NULL;
    for (int32_t i = 0; i < b.funcs.len; i++) fin_func(&b, b.funcs.items[i]);
    if (d->nerrors > nerr0) return NULL;
    ir_module *mod = pf_arena_alloc(a, sizeof *mod);
    mod->path = path;
    mod->src = m->src;
    mod->main = main->func;
    mod->funcs = b.funcs.items;
    mod->nfuncs = b.funcs.len;
    mod->globals = b.globals.items;
    mod->nglobals = b.globals.len;
    for (int32_t i = 0; i < mod->nglobals; i++) {
        ir_global *g = mod->globals[i];
        g->spelling = g->type->str;
        g->type = ty_default(&b, g->type);
    }
    mod->types = pf_arena_alloc(a, sizeof *mod->types * (size_t)(b.types.len + 1));
    for (int32_t i = 0; i < b.types.len; i++) {
        ir_type *t = b.types.items[i];
        if (t->kind == IR_T_UNKNOWN || t->kind == IR_T_ERROR || ty_has_unknown(t)) {
            t->id = -1;
            continue;
        }
        bool bad = false;
        for (int32_t k = 0; k < t->n && t->kind != IR_T_CLASS; k++) bad |= t->elems[k]->kind == IR_T_ERROR;
        if (bad) { t->id = -1; continue; }
        t->id = mod->ntypes;
        mod->types[mod->ntypes++] = t;
    }
    mod->classes = pf_arena_alloc(a, sizeof *mod->classes * (size_t)(b.nclasses + 1));
    for (int32_t i = 0; i < b.nclasses; i++) {
        ir_class *c = b.classes[i]->cls;
        for (int32_t k = 0; k < c->nfields; k++) c->field_types[k] = ty_default(&b, c->field_types[k]);
        mod->classes[mod->nclasses++] = c;
    }
    if (!getenv("PF_NOPAR")) ir_par_analyze(mod, NULL); /* issue 6: ir/par.c */
    return mod;
}

bool ir_check(pf_arena *a, pf_diags *d, const ast_module *m, const char *path)
{
    return ir_build(a, d, m, path) != NULL;
}
