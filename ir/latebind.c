/* Late-binding check (runs after resolution): pf closures capture values when they are made,
 * Python closures read the name when called. Where the two could differ — a captured name bound
 * again after the closure was made, or bound by an enclosing loop/comprehension of the closure —
 * the program is rejected (rule and exemptions: ir/ir.h, "Design choice: capture by value"). */
#include "ir/ir_internal.h"

/* One binding of a name (an assignment, a for/comprehension target) or one capture of a name by
 * a closure made in the scope being checked. key: 0 = the scope's own name, else the id of the
 * comprehension binding it. loops: ids of the enclosing loops/comprehensions in this scope. */
typedef struct ev {
    bool capture;
    const char *name;
    int32_t key, line, col;
    int32_t stmt; /* the statement it belongs to (a recursive `f = lambda: f(..)` is not a rebinding) */
    const ir_fndef *fn; /* capture: the closure */
    int32_t *loops, nloops;
} ev;

typedef struct comp_frame { namevec names; int32_t id; } comp_frame;

typedef struct walk {
    irb *b;
    modinfo *mi;
    const ir_fndef *scope; /* NULL: module level (its names are globals, read late as in Python) */
    int32_t *next_id;
    int32_t stmt; /* id of the statement being walked */
    struct { ev *items; int32_t len, cap; } evs;
    struct { int32_t *items; int32_t len, cap; } loops;
    struct { comp_frame *items; int32_t len, cap; } comps;
} walk;

static void walk_expr(walk *w, const ast_expr *e, bool exempt);
static void walk_stmts(walk *w, const ast_stmt_list *l);
static void check_scope(irb *b, modinfo *mi, const ir_fndef *d, int32_t *next_id);

static void add_ev(walk *w, bool capture, const char *name, int32_t key, int32_t line, int32_t col,
                   const ir_fndef *fn)
{
    ev v = {.capture = capture, .name = name, .key = key, .line = line, .col = col, .stmt = w->stmt, .fn = fn,
            .nloops = w->loops.len};
    if (v.nloops) {
        v.loops = pf_arena_alloc(w->b->a, sizeof *v.loops * (size_t)v.nloops);
        memcpy(v.loops, w->loops.items, sizeof *v.loops * (size_t)v.nloops);
    }
    PF_VEC_PUSH(w->b->a, &w->evs, IR_LIMIT, v);
}

/* an assignment target of the scope (key 0) or of comprehension `key` */
static void bind(walk *w, const ast_expr *t, int32_t key)
{
    if (!t) return;
    switch (t->kind) {
    case AST_NAME: add_ev(w, false, t->u.name, key, t->line, t->col, NULL); break;
    case AST_TUPLE:
    case AST_LIST:
        for (int32_t i = 0; i < t->u.seq.elts.len; i++) bind(w, t->u.seq.elts.items[i], key);
        break;
    case AST_STARRED: bind(w, t->u.starred.value, key); break;
    default: break;
    }
}

/* a closure made here: one event per captured name bound in this scope or an enclosing
 * comprehension of it; then the closure's own body is checked as a scope of its own */
static void closure(walk *w, const ir_fndef *d, bool exempt)
{
    if (!d) return;
    for (int32_t i = 0; !exempt && i < d->captures.len; i++) {
        const char *n = d->captures.items[i];
        int32_t key = -1;
        for (int32_t j = w->comps.len - 1; j >= 0 && key < 0; j--)
            if (names_has(&w->comps.items[j].names, n)) key = w->comps.items[j].id;
        if (key < 0 && w->scope && names_has(&w->scope->bound, n)) key = 0;
        if (key >= 0) add_ev(w, true, n, key, d->line, d->col, d);
    }
    check_scope(w->b, w->mi, d, w->next_id);
}

static void walk_list(walk *w, const ast_expr_list *l)
{
    for (int32_t i = 0; i < l->len; i++) walk_expr(w, l->items[i], false);
}

static void walk_comp(walk *w, const ast_expr *e)
{
    const ast_comp_for_list *fors = &e->u.comp.fors;
    if (fors->len) walk_expr(w, fors->items[0].iter, false);
    comp_frame cf = {.id = ++*w->next_id};
    PF_VEC_PUSH(w->b->a, &w->comps, IR_LIMIT, cf);
    PF_VEC_PUSH(w->b->a, &w->loops, IR_LIMIT, cf.id);
    for (int32_t i = 0; i < fors->len; i++) {
        if (i) walk_expr(w, fors->items[i].iter, false);
        namevec *names = &w->comps.items[w->comps.len - 1].names;
        /* the names this clause binds belong to the comprehension */
        const ast_expr *t = fors->items[i].target;
        const ast_expr *stack[64];
        int32_t sp = 0;
        stack[sp++] = t;
        while (sp) {
            const ast_expr *x = stack[--sp];
            if (x->kind == AST_NAME) {
                if (!names_has(names, x->u.name)) PF_VEC_PUSH(w->b->a, names, IR_LIMIT, x->u.name);
            } else if ((x->kind == AST_TUPLE || x->kind == AST_LIST) && sp + x->u.seq.elts.len <= 64) {
                for (int32_t k = 0; k < x->u.seq.elts.len; k++) stack[sp++] = x->u.seq.elts.items[k];
            } else if (x->kind == AST_STARRED) {
                stack[sp++] = x->u.starred.value;
            }
        }
        bind(w, t, cf.id);
        walk_list(w, &fors->items[i].ifs);
    }
    walk_expr(w, e->u.comp.elt, false);
    walk_expr(w, e->u.comp.key, false);
    w->loops.len--;
    w->comps.len--;
}

static void walk_expr(walk *w, const ast_expr *e, bool exempt)
{
    if (!e) return;
    switch (e->kind) {
    case AST_FSTRING: walk_list(w, &e->u.fstring.parts); break;
    case AST_FORMAT:
        walk_expr(w, e->u.format.value, false);
        walk_expr(w, e->u.format.spec, false);
        break;
    case AST_TUPLE:
    case AST_LIST:
    case AST_SET: walk_list(w, &e->u.seq.elts); break;
    case AST_DICT:
        walk_list(w, &e->u.dict.keys);
        walk_list(w, &e->u.dict.values);
        break;
    case AST_LISTCOMP:
    case AST_SETCOMP:
    case AST_DICTCOMP:
    case AST_GENEXP: walk_comp(w, e); break;
    case AST_SUBSCRIPT:
        walk_expr(w, e->u.subscript.value, false);
        walk_expr(w, e->u.subscript.index, false);
        break;
    case AST_SLICE:
        walk_expr(w, e->u.slice.lo, false);
        walk_expr(w, e->u.slice.hi, false);
        walk_expr(w, e->u.slice.step, false);
        break;
    case AST_ATTR: walk_expr(w, e->u.attr.value, false); break;
    case AST_CALL:
        /* a closure passed directly as an argument (key=lambda p: ..., map(lambda ...)) is exempt */
        walk_expr(w, e->u.call.func, false);
        for (int32_t i = 0; i < e->u.call.args.len; i++) walk_expr(w, e->u.call.args.items[i], true);
        for (int32_t i = 0; i < e->u.call.keywords.len; i++) walk_expr(w, e->u.call.keywords.items[i].value, true);
        break;
    case AST_UNARY: walk_expr(w, e->u.unary.operand, false); break;
    case AST_BINARY:
        walk_expr(w, e->u.binary.left, false);
        walk_expr(w, e->u.binary.right, false);
        break;
    case AST_BOOLOP: walk_list(w, &e->u.boolop.values); break;
    case AST_COMPARE:
        walk_expr(w, e->u.compare.left, false);
        for (int32_t i = 0; i < e->u.compare.n; i++) walk_expr(w, e->u.compare.comparators[i], false);
        break;
    case AST_IFEXP:
        walk_expr(w, e->u.ifexp.test, false);
        walk_expr(w, e->u.ifexp.body, false);
        walk_expr(w, e->u.ifexp.orelse, false);
        break;
    case AST_LAMBDA:
        for (int32_t i = 0; i < e->u.lambda.params.len; i++) walk_expr(w, e->u.lambda.params.items[i].default_, false);
        closure(w, (const ir_fndef *)e->aux, exempt);
        break;
    case AST_STARRED: walk_expr(w, e->u.starred.value, exempt); break;
    default: break;
    }
}

static void walk_stmt(walk *w, const ast_stmt *s)
{
    w->stmt = ++*w->next_id;
    switch (s->kind) {
    case AST_EXPR_STMT: walk_expr(w, s->u.expr, false); break;
    case AST_ASSIGN:
        walk_expr(w, s->u.assign.value, false);
        for (int32_t i = 0; i < s->u.assign.targets.len; i++) bind(w, s->u.assign.targets.items[i], 0);
        break;
    case AST_AUGASSIGN:
        walk_expr(w, s->u.augassign.value, false);
        bind(w, s->u.augassign.target, 0);
        break;
    case AST_ANNASSIGN:
        if (!s->u.annassign.value) break;
        walk_expr(w, s->u.annassign.value, false);
        bind(w, s->u.annassign.target, 0);
        break;
    case AST_DEF:
        for (int32_t i = 0; i < s->u.def.params.len; i++) walk_expr(w, s->u.def.params.items[i].default_, false);
        closure(w, (const ir_fndef *)s->aux, false);
        add_ev(w, false, s->u.def.name, 0, s->line, s->col, NULL);
        break;
    case AST_CLASS:
        for (int32_t i = 0; i < s->u.class_.body.len; i++) {
            const ast_stmt *m = s->u.class_.body.items[i];
            if (m->kind == AST_DEF && m->aux) check_scope(w->b, w->mi, (const ir_fndef *)m->aux, w->next_id);
        }
        break;
    case AST_IF:
        walk_expr(w, s->u.if_.test, false);
        walk_stmts(w, &s->u.if_.body);
        walk_stmts(w, &s->u.if_.orelse);
        break;
    case AST_FOR:
        walk_expr(w, s->u.for_.iter, false);
        PF_VEC_PUSH(w->b->a, &w->loops, IR_LIMIT, ++*w->next_id);
        bind(w, s->u.for_.target, 0);
        walk_stmts(w, &s->u.for_.body);
        w->loops.len--;
        walk_stmts(w, &s->u.for_.orelse);
        break;
    case AST_WHILE:
        PF_VEC_PUSH(w->b->a, &w->loops, IR_LIMIT, ++*w->next_id);
        walk_expr(w, s->u.while_.test, false);
        walk_stmts(w, &s->u.while_.body);
        w->loops.len--;
        walk_stmts(w, &s->u.while_.orelse);
        break;
    case AST_RETURN: walk_expr(w, s->u.return_.value, false); break;
    case AST_ASSERT:
        walk_expr(w, s->u.assert_.test, false);
        walk_expr(w, s->u.assert_.msg, false);
        break;
    case AST_TRY:
        walk_stmts(w, &s->u.try_.body);
        for (int32_t i = 0; i < s->u.try_.handlers.len; i++) {
            const ast_handler *h = &s->u.try_.handlers.items[i];
            if (h->name) add_ev(w, false, h->name, 0, h->line, h->col, NULL);
            walk_stmts(w, &h->body);
        }
        walk_stmts(w, &s->u.try_.orelse);
        walk_stmts(w, &s->u.try_.finalbody);
        break;
    case AST_RAISE:
        walk_expr(w, s->u.raise_.exc, false);
        walk_expr(w, s->u.raise_.cause, false);
        break;
    default: break;
    }
}

static void walk_stmts(walk *w, const ast_stmt_list *l)
{
    for (int32_t i = 0; i < l->len; i++) walk_stmt(w, l->items[i]);
}

static bool share_loop(const ev *a, const ev *c)
{
    for (int32_t i = 0; i < a->nloops; i++)
        for (int32_t j = 0; j < c->nloops; j++)
            if (a->loops[i] == c->loops[j]) return true;
    return false;
}

/* each capture against the bindings of its name that come later, or share a loop with it */
static void report(walk *w)
{
    for (int32_t i = 0; i < w->evs.len; i++) {
        const ev *c = &w->evs.items[i];
        if (!c->capture) continue;
        for (int32_t j = 0; j < w->evs.len; j++) {
            const ev *a = &w->evs.items[j];
            if (a->capture || a->name != c->name || a->key != c->key || (!a->key && a->stmt == c->stmt)) continue;
            bool later = j > i, loop = share_loop(a, c);
            if (!later && !loop) continue;
            pf_diag *dg = pf_diag_error(w->b->d, w->mi->src, a->line, a->col,
                                        later ? "'%s' is bound again here after a closure captured it"
                                              : "'%s' is bound again here on each iteration, after a closure "
                                                "captured it",
                                        a->name);
            pf_diag_hint(w->b->d, dg, "pf closures capture values when they are made (Python's read the name "
                                      "when called); bind a new name instead");
            if (dg) {
                if (c->fn->def)
                    pf_diag_note(w->b->d, w->mi->src, c->line, c->col, "'%s' captures '%s' here", c->fn->def->u.def.name,
                                 c->name);
                else
                    pf_diag_note(w->b->d, w->mi->src, c->line, c->col, "this lambda captures '%s'", c->name);
            }
            break;
        }
    }
}

static void check_scope(irb *b, modinfo *mi, const ir_fndef *d, int32_t *next_id)
{
    walk w = {.b = b, .mi = mi, .scope = d, .next_id = next_id};
    if (d->def) walk_stmts(&w, &d->def->u.def.body);
    else walk_expr(&w, d->lambda->u.lambda.body, false);
    report(&w);
}

void rs_late_binding(irb *b, modinfo *mi)
{
    int32_t next_id = 0;
    walk w = {.b = b, .mi = mi, .scope = NULL, .next_id = &next_id};
    walk_stmts(&w, &mi->ast->body);
    report(&w);
}
