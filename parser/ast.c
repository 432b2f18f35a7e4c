/* Syntax-tree utilities (parser/ast.h, parser/parser.h): operator spellings and the stable
 * S-expression dump used by `pfc parse --dump-ast` and the golden tests in tests/lang/syntax/ast.
 * Notation: statements one per line, indented two spaces per level; expressions on one line,
 * `(op operands...)`, names and numbers bare, strings in double quotes, `nil` for absent parts. */
#include "parser/parser.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ast_binop_str(ast_binop op) {
    switch (op) {
    case AST_ADD: return "+";
    case AST_SUB: return "-";
    case AST_MUL: return "*";
    case AST_DIV: return "/";
    case AST_FLOORDIV: return "//";
    case AST_MOD: return "%";
    case AST_POW: return "**";
    case AST_MATMUL: return "@";
    case AST_LSHIFT: return "<<";
    case AST_RSHIFT: return ">>";
    case AST_BITOR: return "|";
    case AST_BITXOR: return "^";
    case AST_BITAND: return "&";
    }
    return "?";
}

const char *ast_unop_str(ast_unop op) {
    switch (op) {
    case AST_NEG: return "-";
    case AST_POS: return "+";
    case AST_INVERT: return "~";
    case AST_NOT: return "not";
    }
    return "?";
}

const char *ast_boolop_str(ast_boolop op) { return op == AST_AND ? "and" : "or"; }

const char *ast_cmpop_str(ast_cmpop op) {
    switch (op) {
    case AST_EQ: return "==";
    case AST_NE: return "!=";
    case AST_LT: return "<";
    case AST_LE: return "<=";
    case AST_GT: return ">";
    case AST_GE: return ">=";
    case AST_IN: return "in";
    case AST_NOT_IN: return "not in";
    case AST_IS: return "is";
    case AST_IS_NOT: return "is not";
    }
    return "?";
}

/* =================================================================================== dump */

static void dump_str(const char *s, int32_t n, FILE *out) {
    fputc('"', out);
    for (int32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* Shortest text that reads back as the same double, like Python's repr. */
static void dump_float(double v, FILE *out) {
    if (isinf(v)) {
        fputs(v > 0 ? "inf" : "-inf", out);
        return;
    }
    if (isnan(v)) {
        fputs("nan", out);
        return;
    }
    /* Shortest digits that round-trip, then Python's choice of notation: fixed when the
     * decimal exponent is in [-4, 16), scientific otherwise. */
    char buf[64];
    int prec = 1;
    for (; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    char digits[32];
    int nd = 0;
    const char *c = buf;
    bool neg = *c == '-';
    if (neg)
        c++;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    int exp = atoi(c + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    if (neg)
        fputc('-', out);
    if (exp >= -4 && exp < 16) {
        if (exp >= 0) {
            for (int i = 0; i <= exp; i++)
                fputc(i < nd ? digits[i] : '0', out);
            fputc('.', out);
            if (nd > exp + 1)
                fprintf(out, "%.*s", nd - exp - 1, digits + exp + 1);
            else
                fputc('0', out);
        } else {
            fputs("0.", out);
            for (int i = 0; i < -exp - 1; i++)
                fputc('0', out);
            fprintf(out, "%.*s", nd, digits);
        }
    } else {
        fputc(digits[0], out);
        if (nd > 1)
            fprintf(out, ".%.*s", nd - 1, digits + 1);
        fprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

static void expr(const ast_expr *e, FILE *out);

static void exprs(const ast_expr_list *l, FILE *out) {
    for (int32_t i = 0; i < l->len; i++) {
        fputc(' ', out);
        expr(l->items[i], out);
    }
}

static void opt(const ast_expr *e, FILE *out) {
    if (e)
        expr(e, out);
    else
        fputs("nil", out);
}

static void param_list(const ast_param_list *l, FILE *out) {
    fputc('(', out);
    for (int32_t i = 0; i < l->len; i++) {
        const ast_param *p = &l->items[i];
        if (i)
            fputc(' ', out);
        if (!p->annotation && !p->default_) {
            fputs(p->name, out);
            continue;
        }
        fprintf(out, "(%s", p->name);
        if (p->annotation) {
            fputs(" : ", out);
            expr(p->annotation, out);
        }
        if (p->default_) {
            fputs(" = ", out);
            expr(p->default_, out);
        }
        fputc(')', out);
    }
    fputc(')', out);
}

static void comp(const char *head, const ast_expr *e, FILE *out) {
    fprintf(out, "(%s ", head);
    if (e->u.comp.key) {
        expr(e->u.comp.key, out);
        fputc(' ', out);
    }
    expr(e->u.comp.elt, out);
    for (int32_t i = 0; i < e->u.comp.fors.len; i++) {
        const ast_comp_for *f = &e->u.comp.fors.items[i];
        fputs(" (for ", out);
        expr(f->target, out);
        fputc(' ', out);
        expr(f->iter, out);
        for (int32_t j = 0; j < f->ifs.len; j++) {
            fputs(" (if ", out);
            expr(f->ifs.items[j], out);
            fputc(')', out);
        }
        fputc(')', out);
    }
    fputc(')', out);
}

static void expr(const ast_expr *e, FILE *out) {
    switch (e->kind) {
    case AST_INT: fprintf(out, "%lld", (long long)e->u.int_value); return;
    case AST_FLOAT: dump_float(e->u.float_value, out); return;
    case AST_STR: dump_str(e->u.str.s, e->u.str.n, out); return;
    case AST_BOOL: fputs(e->u.bool_value ? "True" : "False", out); return;
    case AST_NONE: fputs("None", out); return;
    case AST_ELLIPSIS: fputs("...", out); return;
    case AST_NAME: fputs(e->u.name, out); return;
    case AST_FSTRING:
        fputs("(fstring", out);
        exprs(&e->u.fstring.parts, out);
        fputc(')', out);
        return;
    case AST_FORMAT:
        fputs("(format ", out);
        expr(e->u.format.value, out);
        if (e->u.format.conversion)
            fprintf(out, " !%c", e->u.format.conversion);
        if (e->u.format.spec) {
            fputc(' ', out);
            expr(e->u.format.spec, out);
        }
        fputc(')', out);
        return;
    case AST_TUPLE: fputs("(tuple", out); exprs(&e->u.seq.elts, out); fputc(')', out); return;
    case AST_LIST: fputs("(list", out); exprs(&e->u.seq.elts, out); fputc(')', out); return;
    case AST_SET: fputs("(set", out); exprs(&e->u.seq.elts, out); fputc(')', out); return;
    case AST_DICT:
        fputs("(dict", out);
        for (int32_t i = 0; i < e->u.dict.keys.len; i++) {
            fputs(" (", out);
            expr(e->u.dict.keys.items[i], out);
            fputc(' ', out);
            expr(e->u.dict.values.items[i], out);
            fputc(')', out);
        }
        fputc(')', out);
        return;
    case AST_LISTCOMP: comp("listcomp", e, out); return;
    case AST_SETCOMP: comp("setcomp", e, out); return;
    case AST_DICTCOMP: comp("dictcomp", e, out); return;
    case AST_GENEXP: comp("genexp", e, out); return;
    case AST_SUBSCRIPT:
        fputs("(index ", out);
        expr(e->u.subscript.value, out);
        fputc(' ', out);
        expr(e->u.subscript.index, out);
        fputc(')', out);
        return;
    case AST_SLICE:
        fputs("(slice ", out);
        opt(e->u.slice.lo, out);
        fputc(' ', out);
        opt(e->u.slice.hi, out);
        fputc(' ', out);
        opt(e->u.slice.step, out);
        fputc(')', out);
        return;
    case AST_ATTR:
        fputs("(. ", out);
        expr(e->u.attr.value, out);
        fprintf(out, " %s)", e->u.attr.name);
        return;
    case AST_CALL:
        fputs("(call ", out);
        expr(e->u.call.func, out);
        exprs(&e->u.call.args, out);
        for (int32_t i = 0; i < e->u.call.keywords.len; i++) {
            fprintf(out, " (%s = ", e->u.call.keywords.items[i].name);
            expr(e->u.call.keywords.items[i].value, out);
            fputc(')', out);
        }
        fputc(')', out);
        return;
    case AST_UNARY:
        fprintf(out, "(%s ", ast_unop_str(e->u.unary.op));
        expr(e->u.unary.operand, out);
        fputc(')', out);
        return;
    case AST_BINARY:
        fprintf(out, "(%s ", ast_binop_str(e->u.binary.op));
        expr(e->u.binary.left, out);
        fputc(' ', out);
        expr(e->u.binary.right, out);
        fputc(')', out);
        return;
    case AST_BOOLOP:
        fprintf(out, "(%s", ast_boolop_str(e->u.boolop.op));
        exprs(&e->u.boolop.values, out);
        fputc(')', out);
        return;
    case AST_COMPARE:
        fputs("(cmp ", out);
        expr(e->u.compare.left, out);
        for (int32_t i = 0; i < e->u.compare.n; i++) {
            fprintf(out, " %s ", ast_cmpop_str(e->u.compare.ops[i]));
            expr(e->u.compare.comparators[i], out);
        }
        fputc(')', out);
        return;
    case AST_IFEXP:
        fputs("(ifexp ", out);
        expr(e->u.ifexp.test, out);
        fputc(' ', out);
        expr(e->u.ifexp.body, out);
        fputc(' ', out);
        expr(e->u.ifexp.orelse, out);
        fputc(')', out);
        return;
    case AST_LAMBDA:
        fputs("(lambda ", out);
        param_list(&e->u.lambda.params, out);
        fputc(' ', out);
        expr(e->u.lambda.body, out);
        fputc(')', out);
        return;
    case AST_STARRED:
        fputs("(* ", out);
        expr(e->u.starred.value, out);
        fputc(')', out);
        return;
    }
    fputs("(?)", out);
}

void ast_dump_expr(const ast_expr *e, FILE *out) { opt(e, out); }

static void stmt(const ast_stmt *s, int ind, FILE *out);

static void newline(int ind, FILE *out) {
    fputc('\n', out);
    for (int i = 0; i < ind; i++)
        fputs("  ", out);
}

/* `(head` then each statement on its own line one level deeper, then `)`. */
static void section(const char *head, const ast_stmt_list *l, int ind, FILE *out) {
    newline(ind, out);
    fprintf(out, "(%s", head);
    for (int32_t i = 0; i < l->len; i++)
        stmt(l->items[i], ind + 1, out);
    fputc(')', out);
}

static void aliases(const ast_alias_list *l, FILE *out) {
    for (int32_t i = 0; i < l->len; i++) {
        if (l->items[i].asname)
            fprintf(out, " (%s as %s)", l->items[i].name, l->items[i].asname);
        else
            fprintf(out, " %s", l->items[i].name);
    }
}

static void stmt(const ast_stmt *s, int ind, FILE *out) {
    newline(ind, out);
    switch (s->kind) {
    case AST_EXPR_STMT:
        fputs("(expr ", out);
        expr(s->u.expr, out);
        fputc(')', out);
        return;
    case AST_ASSIGN:
        fputs("(=", out);
        exprs(&s->u.assign.targets, out);
        fputc(' ', out);
        expr(s->u.assign.value, out);
        fputc(')', out);
        return;
    case AST_AUGASSIGN:
        fprintf(out, "(%s= ", ast_binop_str(s->u.augassign.op));
        expr(s->u.augassign.target, out);
        fputc(' ', out);
        expr(s->u.augassign.value, out);
        fputc(')', out);
        return;
    case AST_ANNASSIGN:
        fputs("(: ", out);
        expr(s->u.annassign.target, out);
        fputc(' ', out);
        expr(s->u.annassign.annotation, out);
        fputc(' ', out);
        opt(s->u.annassign.value, out);
        fputc(')', out);
        return;
    case AST_DEF:
    case AST_EXTERN:
        for (int32_t i = 0; i < s->u.def.decorators.len; i++) {
            fputs("(@ ", out);
            expr(s->u.def.decorators.items[i], out);
            fputc(')', out);
            newline(ind, out);
        }
        fprintf(out, "(%s %s ", s->kind == AST_DEF ? "def" : "extern", s->u.def.name);
        param_list(&s->u.def.params, out);
        fputs(" -> ", out);
        opt(s->u.def.returns, out);
        if (s->kind == AST_EXTERN) {
            if (s->u.def.lib) {
                fputs(" from ", out);
                dump_str(s->u.def.lib, (int32_t)strlen(s->u.def.lib), out);
            }
        }
        for (int32_t i = 0; i < s->u.def.body.len; i++)
            stmt(s->u.def.body.items[i], ind + 1, out);
        fputc(')', out);
        return;
    case AST_CLASS:
        for (int32_t i = 0; i < s->u.class_.decorators.len; i++) {
            fputs("(@ ", out);
            expr(s->u.class_.decorators.items[i], out);
            fputc(')', out);
            newline(ind, out);
        }
        fprintf(out, "(class %s (", s->u.class_.name);
        for (int32_t i = 0; i < s->u.class_.bases.len; i++) {
            if (i)
                fputc(' ', out);
            expr(s->u.class_.bases.items[i], out);
        }
        fputc(')', out);
        for (int32_t i = 0; i < s->u.class_.body.len; i++)
            stmt(s->u.class_.body.items[i], ind + 1, out);
        fputc(')', out);
        return;
    case AST_IF:
        fprintf(out, "(%s ", s->u.if_.is_elif ? "elif" : "if");
        expr(s->u.if_.test, out);
        section("then", &s->u.if_.body, ind + 1, out);
        if (s->u.if_.orelse.len)
            section("else", &s->u.if_.orelse, ind + 1, out);
        fputc(')', out);
        return;
    case AST_FOR:
        fputs("(for ", out);
        expr(s->u.for_.target, out);
        fputc(' ', out);
        expr(s->u.for_.iter, out);
        section("do", &s->u.for_.body, ind + 1, out);
        if (s->u.for_.orelse.len)
            section("else", &s->u.for_.orelse, ind + 1, out);
        fputc(')', out);
        return;
    case AST_WHILE:
        fputs("(while ", out);
        expr(s->u.while_.test, out);
        section("do", &s->u.while_.body, ind + 1, out);
        if (s->u.while_.orelse.len)
            section("else", &s->u.while_.orelse, ind + 1, out);
        fputc(')', out);
        return;
    case AST_BREAK: fputs("(break)", out); return;
    case AST_CONTINUE: fputs("(continue)", out); return;
    case AST_PASS: fputs("(pass)", out); return;
    case AST_RETURN:
        fputs("(return", out);
        if (s->u.return_.value) {
            fputc(' ', out);
            expr(s->u.return_.value, out);
        }
        fputc(')', out);
        return;
    case AST_ASSERT:
        fputs("(assert ", out);
        expr(s->u.assert_.test, out);
        if (s->u.assert_.msg) {
            fputc(' ', out);
            expr(s->u.assert_.msg, out);
        }
        fputc(')', out);
        return;
    case AST_IMPORT:
        fputs("(import", out);
        aliases(&s->u.import.names, out);
        fputc(')', out);
        return;
    case AST_FROM_IMPORT:
        fputs("(from ", out);
        for (int32_t i = 0; i < s->u.from_import.level; i++)
            fputc('.', out);
        if (s->u.from_import.module)
            fputs(s->u.from_import.module, out);
        aliases(&s->u.from_import.names, out);
        fputc(')', out);
        return;
    case AST_TRY:
        fputs("(try", out);
        section("body", &s->u.try_.body, ind + 1, out);
        for (int32_t i = 0; i < s->u.try_.handlers.len; i++) {
            const ast_handler *h = &s->u.try_.handlers.items[i];
            newline(ind + 1, out);
            fputs("(except ", out);
            opt(h->type, out);
            fprintf(out, " %s", h->name ? h->name : "nil");
            for (int32_t j = 0; j < h->body.len; j++)
                stmt(h->body.items[j], ind + 2, out);
            fputc(')', out);
        }
        if (s->u.try_.orelse.len)
            section("else", &s->u.try_.orelse, ind + 1, out);
        if (s->u.try_.finalbody.len)
            section("finally", &s->u.try_.finalbody, ind + 1, out);
        fputc(')', out);
        return;
    case AST_RAISE:
        fputs("(raise", out);
        if (s->u.raise_.exc) {
            fputc(' ', out);
            expr(s->u.raise_.exc, out);
        }
        if (s->u.raise_.cause) {
            fputs(" from ", out);
            expr(s->u.raise_.cause, out);
        }
        fputc(')', out);
        return;
    case AST_GLOBAL:
    case AST_NONLOCAL:
        fputs(s->kind == AST_GLOBAL ? "(global" : "(nonlocal", out);
        for (int32_t i = 0; i < s->u.names.len; i++)
            fprintf(out, " %s", s->u.names.items[i]);
        fputc(')', out);
        return;
    case AST_DEL:
        fputs("(del", out);
        exprs(&s->u.del_.targets, out);
        fputc(')', out);
        return;
    }
    fputs("(?)", out);
}

void ast_dump(const ast_module *m, FILE *out) {
    fputs("(module", out);
    for (int32_t i = 0; i < m->body.len; i++)
        stmt(m->body.items[i], 1, out);
    fputs(")\n", out);
}
