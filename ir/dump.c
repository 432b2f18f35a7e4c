/* The textual dump of the typed pf IR (`pfc run --emit-ir`, golden tests) and the names of ops
 * and comparisons used by it and by diagnostics. Read-only over a built module. */
#include "ir/ir.h"

#include <stdlib.h>
#include <string.h>

/* ORDER IROP: one name per ir_op, in enum order. */
static const char *const op_names[IR_OP__COUNT] = {
    [IR_OP_NONE] = "none",
    [IR_OP_ADD] = "add", [IR_OP_SUB] = "sub", [IR_OP_MUL] = "mul", [IR_OP_DIV] = "div",
    [IR_OP_FLOORDIV] = "floordiv", [IR_OP_MOD] = "mod", [IR_OP_POW] = "pow",
    [IR_OP_LSHIFT] = "lshift", [IR_OP_RSHIFT] = "rshift", [IR_OP_BITAND] = "bitand",
    [IR_OP_BITOR] = "bitor", [IR_OP_BITXOR] = "bitxor",
    [IR_OP_NEG] = "neg", [IR_OP_INVERT] = "invert", [IR_OP_NOT] = "not",
    [IR_OP_PRINT] = "print", [IR_OP_LEN] = "len", [IR_OP_ABS] = "abs", [IR_OP_ROUND] = "round",
    [IR_OP_MIN] = "min", [IR_OP_MAX] = "max", [IR_OP_INT] = "int", [IR_OP_FLOAT] = "float",
    [IR_OP_STR] = "str", [IR_OP_REPR] = "repr", [IR_OP_FORMAT] = "format",
    [IR_OP_STR_BUILD] = "str_build", [IR_OP_CHR] = "chr", [IR_OP_ORD] = "ord",
    [IR_OP_STR_CONCAT] = "str_concat", [IR_OP_STR_REPEAT] = "str_repeat",
    [IR_OP_STR_INDEX] = "str_index", [IR_OP_STR_SLICE] = "str_slice",
    [IR_OP_STR_CONTAINS] = "str_contains", [IR_OP_STR_SPLIT] = "str_split",
    [IR_OP_STR_JOIN] = "str_join", [IR_OP_STR_STRIP] = "str_strip",
    [IR_OP_STR_LSTRIP] = "str_lstrip", [IR_OP_STR_RSTRIP] = "str_rstrip",
    [IR_OP_STR_REPLACE] = "str_replace", [IR_OP_STR_STARTSWITH] = "str_startswith",
    [IR_OP_STR_ENDSWITH] = "str_endswith", [IR_OP_STR_FIND] = "str_find",
    [IR_OP_STR_COUNT] = "str_count", [IR_OP_STR_UPPER] = "str_upper",
    [IR_OP_STR_LOWER] = "str_lower", [IR_OP_STR_ISDIGIT] = "str_isdigit",
    [IR_OP_STR_ISALPHA] = "str_isalpha", [IR_OP_STR_ISSPACE] = "str_isspace",
    [IR_OP_LIST_CONCAT] = "list_concat", [IR_OP_LIST_REPEAT] = "list_repeat",
    [IR_OP_LIST_INDEX] = "list_index", [IR_OP_LIST_SLICE] = "list_slice",
    [IR_OP_LIST_CONTAINS] = "list_contains", [IR_OP_LIST_FIND] = "list_find",
    [IR_OP_LIST_COUNT] = "list_count", [IR_OP_LIST_REVERSED] = "list_reversed",
    [IR_OP_TUPLE_INDEX] = "tuple_index", [IR_OP_TUPLE_CONTAINS] = "tuple_contains",
    [IR_OP_DICT_GETITEM] = "dict_getitem", [IR_OP_DICT_GET] = "dict_get",
    [IR_OP_DICT_GET_OPT] = "dict_get_opt", [IR_OP_DICT_CONTAINS] = "dict_contains",
    [IR_OP_DICT_MERGE] = "dict_merge", [IR_OP_DICT_KEYS] = "dict_keys",
    [IR_OP_DICT_VALUES] = "dict_values", [IR_OP_DICT_ITEMS] = "dict_items",
    [IR_OP_RANGE_LIST] = "range_list", [IR_OP_EXC_STR] = "exc_str",
    [IR_OP_MATH_SQRT] = "math_sqrt", [IR_OP_MATH_SIN] = "math_sin", [IR_OP_MATH_COS] = "math_cos",
    [IR_OP_MATH_TAN] = "math_tan", [IR_OP_MATH_ASIN] = "math_asin",
    [IR_OP_MATH_ACOS] = "math_acos", [IR_OP_MATH_ATAN] = "math_atan",
    [IR_OP_MATH_ATAN2] = "math_atan2", [IR_OP_MATH_EXP] = "math_exp",
    [IR_OP_MATH_LOG] = "math_log", [IR_OP_MATH_LOG2] = "math_log2",
    [IR_OP_MATH_LOG10] = "math_log10", [IR_OP_MATH_POW] = "math_pow",
    [IR_OP_MATH_FABS] = "math_fabs", [IR_OP_MATH_FLOOR] = "math_floor",
    [IR_OP_MATH_CEIL] = "math_ceil", [IR_OP_MATH_TRUNC] = "math_trunc",
    [IR_OP_MATH_HYPOT] = "math_hypot", [IR_OP_MATH_ISNAN] = "math_isnan",
    [IR_OP_MATH_ISINF] = "math_isinf", [IR_OP_MATH_ISFINITE] = "math_isfinite",
    [IR_OP_MATH_GCD] = "math_gcd",
    [IR_OP_RANDOM_SEED] = "random_seed", [IR_OP_RANDOM_RANDOM] = "random_random",
    [IR_OP_RANDOM_RANDINT] = "random_randint", [IR_OP_RANDOM_UNIFORM] = "random_uniform",
    [IR_OP_RANDOM_GAUSS] = "random_gauss", [IR_OP_RANDOM_CHOICE] = "random_choice",
    [IR_OP_TIME_TIME] = "time_time", [IR_OP_TIME_PERF] = "time_perf_counter",
    [IR_OP_PF_THREADS] = "pf_threads", [IR_OP_SYS_ARGV] = "sys_argv",
    [IR_OP_STR_FIND_RANGE] = "str_find_range", [IR_OP_STR_RFIND] = "str_rfind",
    [IR_OP_STR_COUNT_RANGE] = "str_count_range", [IR_OP_STR_INDEX_OF] = "str_index_of",
    [IR_OP_STR_REPLACE_N] = "str_replace_n", [IR_OP_STR_SPLIT_N] = "str_split_n",
    [IR_OP_STR_RSPLIT] = "str_rsplit", [IR_OP_STR_SPLITLINES] = "str_splitlines",
    [IR_OP_STR_ISALNUM] = "str_isalnum", [IR_OP_STR_ISUPPER] = "str_isupper",
    [IR_OP_STR_ISLOWER] = "str_islower", [IR_OP_STR_ZFILL] = "str_zfill",
    [IR_OP_STR_CENTER] = "str_center", [IR_OP_STR_LJUST] = "str_ljust",
    [IR_OP_STR_RJUST] = "str_rjust", [IR_OP_STR_CAPITALIZE] = "str_capitalize",
    [IR_OP_STR_TITLE] = "str_title", [IR_OP_STR_REMOVEPREFIX] = "str_removeprefix",
    [IR_OP_STR_REMOVESUFFIX] = "str_removesuffix",
};

const char *ir_op_name(ir_op op)
{
    if ((int)op < 0 || op >= IR_OP__COUNT || !op_names[op]) return "?op";
    return op_names[op];
}

const char *ir_cmp_name(ir_cmp c)
{
    switch (c) {
    case IR_CMP_EQ: return "==";
    case IR_CMP_NE: return "!=";
    case IR_CMP_LT: return "<";
    case IR_CMP_LE: return "<=";
    case IR_CMP_GT: return ">";
    case IR_CMP_GE: return ">=";
    case IR_CMP_IN: return "in";
    case IR_CMP_NOT_IN: return "not in";
    }
    return "?cmp";
}

static void dump_expr(const ir_expr *e, FILE *out);
static void dump_block(const ir_block *b, int ind, FILE *out);

static void dump_str(const char *s, int32_t n, FILE *out)
{
    fputc('"', out);
    for (int32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') fputs("\\n", out);
        else if (c == '\t') fputs("\\t", out);
        else if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(out, "\\x%02x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void dump_float(double v, FILE *out)
{
    char buf[64];
    if (v == (double)(long long)v && v < 1e16 && v > -1e16) {
        fprintf(out, "%.1f", v);
        return;
    }
    snprintf(buf, sizeof buf, "%.17g", v);
    /* shortest representation that round-trips */
    for (int p = 1; p <= 17; p++) {
        char t[64];
        snprintf(t, sizeof t, "%.*g", p, v);
        if (strtod(t, NULL) == v) {
            strcpy(buf, t);
            break;
        }
    }
    fputs(buf, out);
    if (!strpbrk(buf, ".eEna")) fputs(".0", out);
}

static void dump_args(const ir_expr *e, int32_t from, FILE *out)
{
    for (int32_t i = from; i < e->nargs; i++) {
        fputc(' ', out);
        if (e->args[i]) dump_expr(e->args[i], out);
        else fputc('_', out);
    }
}

static const char *iter_kind(ir_iter_kind k)
{
    switch (k) {
    case IR_IT_RANGE: return "range";
    case IR_IT_LIST: return "list";
    case IR_IT_STR: return "str";
    case IR_IT_TUPLE: return "tuple";
    case IR_IT_DICT_KEYS: return "keys";
    case IR_IT_DICT_VALUES: return "values";
    case IR_IT_DICT_ITEMS: return "items";
    case IR_IT_ZIP: return "zip";
    case IR_IT_ENUMERATE: return "enumerate";
    }
    return "?";
}

static void dump_local(const ir_local *l, FILE *out)
{
    if (l) fputs(l->name, out);
    else fputc('_', out);
}

static void dump_iter(const ir_iter *it, FILE *out)
{
    fputs("(for ", out);
    switch (it->kind) {
    case IR_IT_ZIP:
        fputs("zip", out);
        for (int32_t i = 0; i < it->nsubs; i++) {
            fputc(' ', out);
            dump_iter(it->subs[i], out);
        }
        break;
    case IR_IT_ENUMERATE:
        dump_local(it->var, out);
        fputs(" enumerate ", out);
        dump_expr(it->a, out);
        fputc(' ', out);
        dump_iter(it->subs[0], out);
        break;
    case IR_IT_RANGE:
        dump_local(it->var, out);
        fputs(" range ", out);
        dump_expr(it->a, out);
        fputc(' ', out);
        dump_expr(it->b, out);
        fputc(' ', out);
        dump_expr(it->c, out);
        break;
    default:
        dump_local(it->var, out);
        if (it->var2) {
            fputc(',', out);
            dump_local(it->var2, out);
        }
        fprintf(out, " %s%s ", iter_kind(it->kind), it->reverse ? "-reversed" : "");
        dump_expr(it->a, out);
        break;
    }
    for (int32_t i = 0; i < it->bind.len; i++) {
        const ir_stmt *s = it->bind.items[i];
        fputs(" [", out);
        if (s->kind == IR_S_ASSIGN) {
            if (s->local) fputs(s->local->name, out);
            else fprintf(out, "@%s", s->global->name);
            fputs(" = ", out);
            dump_expr(s->expr, out);
        }
        fputc(']', out);
    }
    fputc(')', out);
}

static const char *comp_kind(ir_comp_kind k)
{
    switch (k) {
    case IR_COMP_LIST: return "listcomp";
    case IR_COMP_DICT: return "dictcomp";
    case IR_COMP_SUM: return "sum";
    case IR_COMP_MIN: return "min";
    case IR_COMP_MAX: return "max";
    case IR_COMP_ANY: return "any";
    case IR_COMP_ALL: return "all";
    case IR_COMP_SORTED: return "sorted";
    case IR_COMP_JOIN: return "join";
    }
    return "?";
}

static void dump_expr(const ir_expr *e, FILE *out)
{
    const char *t = ir_type_str(e->type);
    switch (e->kind) {
    case IR_E_INT: fprintf(out, "%lld", (long long)e->ival); return;
    case IR_E_FLOAT: dump_float(e->fval, out); return;
    case IR_E_BOOL: fputs(e->ival ? "True" : "False", out); return;
    case IR_E_NONE:
        if (e->type && e->type->kind == IR_T_OPTIONAL) fprintf(out, "None:%s", t);
        else fputs("None", out);
        return;
    case IR_E_STR: dump_str(e->str, e->slen, out); return;
    case IR_E_LOCAL: fputs(e->local->name, out); return;
    case IR_E_GLOBAL: fprintf(out, "@%s", e->global->name); return;
    case IR_E_CAPTURE:
        if (e->index < 0) fputs("env", out);
        else fprintf(out, "env[%d]", (int)e->index);
        return;
    case IR_E_FUNC: fprintf(out, "(func:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_UNARY:
    case IR_E_BINARY:
    case IR_E_OP:
        fprintf(out, "(%s:%s%s", ir_op_name(e->op), t, e->may_raise ? "!" : "");
        dump_args(e, 0, out);
        fputc(')', out);
        return;
    case IR_E_COMPARE:
        fputs("(cmp ", out);
        dump_expr(e->args[0], out);
        for (int32_t i = 1; i < e->nargs; i++) {
            fprintf(out, " %s ", ir_cmp_name(e->cmps[i - 1]));
            dump_expr(e->args[i], out);
        }
        fputc(')', out);
        return;
    case IR_E_AND: fprintf(out, "(and:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_OR: fprintf(out, "(or:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_TRUTH: fputs("(truth", out); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_COND: fprintf(out, "(if:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_CONVERT: fprintf(out, "(convert:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_WRAP: fprintf(out, "(wrap:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_UNWRAP: fprintf(out, "(unwrap:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_ISNONE:
        fputs(e->ival ? "(is-not-none" : "(is-none", out);
        dump_args(e, 0, out);
        fputc(')', out);
        return;
    case IR_E_TUPLE: fprintf(out, "(tuple:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_LIST: fprintf(out, "(list:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_DICT: fprintf(out, "(dict:%s", t); dump_args(e, 0, out); fputc(')', out); return;
    case IR_E_TUPLE_GET:
        fprintf(out, "(get:%s ", t);
        dump_expr(e->args[0], out);
        fprintf(out, " %d)", (int)e->index);
        return;
    case IR_E_FIELD: {
        const ir_type *ct = e->args[0]->type;
        fprintf(out, "(field:%s ", t);
        dump_expr(e->args[0], out);
        fprintf(out, " %s)", ct && ct->cls && e->index < ct->cls->nfields ? ct->cls->field_names[e->index] : "?");
        return;
    }
    case IR_E_CALL:
        fprintf(out, "(call:%s %s", t, e->func->name);
        if (e->env) {
            fputs(" env=", out);
            dump_expr(e->env, out);
        }
        dump_args(e, 0, out);
        fputc(')', out);
        return;
    case IR_E_NEW:
        fprintf(out, "(new:%s %s", t, e->func ? e->func->name : "-");
        dump_args(e, 0, out);
        fputc(')', out);
        return;
    case IR_E_COMP: {
        const ir_comp *c = e->comp;
        fprintf(out, "(%s:%s%s", comp_kind(c->kind), t, c->reverse ? " reverse" : "");
        if (c->init) {
            fputs(" init=", out);
            dump_expr(c->init, out);
        }
        for (int32_t i = 0; i < c->nclauses; i++) {
            fputc(' ', out);
            if (c->clauses[i].iter) dump_iter(c->clauses[i].iter, out);
            else {
                fputs("(if ", out);
                dump_expr(c->clauses[i].cond, out);
                fputc(')', out);
            }
        }
        if (c->key_fn) {
            fprintf(out, " key(%s)=", c->key_var->name);
            dump_expr(c->key_fn, out);
        }
        if (c->key) {
            fputc(' ', out);
            dump_expr(c->key, out);
            fputs(":", out);
        }
        fputc(' ', out);
        dump_expr(c->elt, out);
        fputc(')', out);
        return;
    }
    case IR_E_LET:
        fprintf(out, "(let %s = ", e->local->name);
        dump_expr(e->args[0], out);
        fputs(" in ", out);
        if (e->nargs > 1) dump_expr(e->args[1], out);
        fputc(')', out);
        return;
    }
    fputs("(?)", out);
}

static void indent(int n, FILE *out)
{
    for (int i = 0; i < n; i++) fputs("  ", out);
}

static void dump_stmt(const ir_stmt *s, int ind, FILE *out)
{
    indent(ind, out);
    switch (s->kind) {
    case IR_S_EXPR: dump_expr(s->expr, out); fputc('\n', out); return;
    case IR_S_ASSIGN:
        if (s->local) fputs(s->local->name, out);
        else fprintf(out, "@%s", s->global->name);
        fputs(" = ", out);
        dump_expr(s->expr, out);
        fputc('\n', out);
        return;
    case IR_S_FIELD_INIT: {
        const ir_type *ct = s->expr2->type;
        dump_expr(s->expr2, out);
        fprintf(out, ".%s = ", ct && ct->cls && s->index < ct->cls->nfields ? ct->cls->field_names[s->index] : "?");
        dump_expr(s->expr, out);
        fputc('\n', out);
        return;
    }
    case IR_S_IF:
        fputs("if ", out);
        dump_expr(s->expr, out);
        fputs(":\n", out);
        dump_block(&s->body, ind + 1, out);
        if (s->orelse.len) {
            indent(ind, out);
            fputs("else:\n", out);
            dump_block(&s->orelse, ind + 1, out);
        }
        return;
    case IR_S_WHILE:
        fputs("while ", out);
        dump_expr(s->expr, out);
        fputs(":\n", out);
        dump_block(&s->body, ind + 1, out);
        if (s->orelse.len) {
            indent(ind, out);
            fputs("else:\n", out);
            dump_block(&s->orelse, ind + 1, out);
        }
        return;
    case IR_S_FOR:
        dump_iter(s->iter, out);
        fputs(":\n", out);
        dump_block(&s->body, ind + 1, out);
        if (s->orelse.len) {
            indent(ind, out);
            fputs("else:\n", out);
            dump_block(&s->orelse, ind + 1, out);
        }
        return;
    case IR_S_BREAK: fputs("break\n", out); return;
    case IR_S_CONTINUE: fputs("continue\n", out); return;
    case IR_S_RETURN:
        fputs("return", out);
        if (s->expr) {
            fputc(' ', out);
            dump_expr(s->expr, out);
        }
        fputc('\n', out);
        return;
    case IR_S_RAISE:
        fprintf(out, "raise %d", (int)s->index);
        if (s->expr) {
            fputc(' ', out);
            dump_expr(s->expr, out);
        }
        fputc('\n', out);
        return;
    case IR_S_ASSERT:
        fputs("assert ", out);
        dump_expr(s->expr, out);
        if (s->expr2) {
            fputs(", ", out);
            dump_expr(s->expr2, out);
        }
        fputc('\n', out);
        return;
    case IR_S_TRY:
        fputs("try:\n", out);
        dump_block(&s->body, ind + 1, out);
        for (int32_t i = 0; i < s->nhandlers; i++) {
            const ir_handler *h = &s->handlers[i];
            indent(ind, out);
            fputs("except", out);
            for (int32_t k = 0; k < h->nkinds; k++) fprintf(out, " %d", (int)h->kinds[k]);
            if (h->var) fprintf(out, " as %s", h->var->name);
            fputs(":\n", out);
            dump_block(&h->body, ind + 1, out);
        }
        if (s->orelse.len) {
            indent(ind, out);
            fputs("else:\n", out);
            dump_block(&s->orelse, ind + 1, out);
        }
        if (s->finalbody.len) {
            indent(ind, out);
            fputs("finally:\n", out);
            dump_block(&s->finalbody, ind + 1, out);
        }
        return;
    }
}

static void dump_block(const ir_block *b, int ind, FILE *out)
{
    if (!b->len) {
        indent(ind, out);
        fputs("pass\n", out);
    }
    for (int32_t i = 0; i < b->len; i++) dump_stmt(b->items[i], ind, out);
}

void ir_dump_func(const ir_func *f, FILE *out)
{
    fprintf(out, "func %s(", f->name);
    for (int32_t i = 0; i < f->nparams; i++)
        fprintf(out, "%s%s: %s", i ? ", " : "", f->params[i]->name, ir_type_str(f->params[i]->type));
    fprintf(out, ") -> %s", ir_type_str(f->ret));
    if (f->env) fprintf(out, " env %s", ir_type_str(f->env));
    fputc('\n', out);
    if (f->nlocals > f->nparams) {
        fputs("  locals", out);
        for (int32_t i = f->nparams; i < f->nlocals; i++)
            fprintf(out, "%s %s: %s", i > f->nparams ? "," : "", f->locals[i]->name, ir_type_str(f->locals[i]->type));
        fputc('\n', out);
    }
    dump_block(&f->body, 1, out);
}

void ir_dump(const ir_module *m, FILE *out)
{
    for (int32_t i = 0; i < m->nclasses; i++) {
        const ir_class *c = m->classes[i];
        fprintf(out, "class %s(", c->name);
        for (int32_t k = 0; k < c->nfields; k++)
            fprintf(out, "%s%s: %s", k ? ", " : "", c->field_names[k], ir_type_str(c->field_types[k]));
        fputs(")", out);
        if (c->repr) fprintf(out, " repr=%s", c->repr->name);
        if (c->str) fprintf(out, " str=%s", c->str->name);
        fputc('\n', out);
    }
    for (int32_t i = 0; i < m->nglobals; i++)
        fprintf(out, "global %s: %s\n", m->globals[i]->name, ir_type_str(m->globals[i]->type));
    for (int32_t i = 0; i < m->nfuncs; i++) {
        fputc('\n', out);
        ir_dump_func(m->funcs[i], out);
    }
}
