/* Unit tests of the lexer and the shared base (lexer/lexer.h): INDENT/DEDENT, implicit and
 * explicit line joining, f-string token streams, number and string literals, positions in code
 * points, interning, and the diagnostics printer. Each check prints expected and actual text. */
#include "lexer/lexer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Compact text of a token stream: NL IN DE EOF, NAME(x), INT(5), FLOAT(1.5), STR("a"),
 * FS( FM("a") FE) for f-string start/middle/end, operators and keywords as spelled. */
static char *render(const lex_token_list *l) {
    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    out[0] = 0;
    for (int32_t i = 0; i < l->len; i++) {
        const lex_token *t = &l->items[i];
        char buf[512];
        switch (t->kind) {
        case TK_NEWLINE: snprintf(buf, sizeof buf, "NL"); break;
        case TK_INDENT: snprintf(buf, sizeof buf, "IN"); break;
        case TK_DEDENT: snprintf(buf, sizeof buf, "DE"); break;
        case TK_EOF: snprintf(buf, sizeof buf, "EOF"); break;
        case TK_NAME: snprintf(buf, sizeof buf, "NAME(%s)", t->v.name); break;
        case TK_INT: snprintf(buf, sizeof buf, "INT(%llu)", (unsigned long long)t->v.i); break;
        case TK_FLOAT: snprintf(buf, sizeof buf, "FLOAT(%g)", t->v.f); break;
        case TK_STRING: snprintf(buf, sizeof buf, "STR(\"%.*s\")", t->v.str.n, t->v.str.s); break;
        case TK_FSTRING_START: snprintf(buf, sizeof buf, "FS("); break;
        case TK_FSTRING_MIDDLE:
            snprintf(buf, sizeof buf, "FM(\"%.*s\")", t->v.str.n, t->v.str.s);
            break;
        case TK_FSTRING_END: snprintf(buf, sizeof buf, "FE)"); break;
        default: snprintf(buf, sizeof buf, "%s", lex_kind_spelling(t->kind)); break;
        }
        size_t n = strlen(buf);
        while (len + n + 2 > cap)
            out = realloc(out, cap *= 2);
        if (len)
            out[len++] = ' ';
        memcpy(out + len, buf, n + 1);
        len += n;
    }
    return out;
}

/* Lexes text; returns the rendered tokens (caller frees) and the first error as "L:C: msg". */
static char *lex(const char *text, char *err, size_t errlen) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    pf_source *src = pf_source_new(&a, "t.pf", text, strlen(text));
    lex_token_list l = lex_source(&a, &d, src);
    char *r = render(&l);
    if (err) {
        err[0] = 0;
        if (d.len)
            snprintf(err, errlen, "%d:%d: %s", d.items[0].line, d.items[0].col, d.items[0].msg);
    }
    pf_arena_free(&a);
    return r;
}

static void expect_tokens(int line, const char *text, const char *expected) {
    char err[256];
    char *got = lex(text, err, sizeof err);
    if (strcmp(got, expected) != 0 || err[0]) {
        fprintf(stderr, "test_lexer.c:%d: lexing %s\n  expected %s\n  got      %s\n  %s%s\n", line,
                text, expected, got, err[0] ? "error: " : "", err);
        failures++;
    }
    free(got);
}

static void expect_error(int line, const char *text, const char *expected_err) {
    char err[256];
    char *got = lex(text, err, sizeof err);
    if (strncmp(err, expected_err, strlen(expected_err)) != 0) {
        fprintf(stderr, "test_lexer.c:%d: lexing %s\n  expected error %s\n  got error      %s\n",
                line, text, expected_err, err[0] ? err : "(none)");
        failures++;
    }
    free(got);
}

#define TOKENS(text, expected) expect_tokens(__LINE__, text, expected)
#define ERROR(text, expected)  expect_error(__LINE__, text, expected)

static void test_indentation(void) {
    TOKENS("if x:\n    y = 1\n    if z:\n        w\nv\n",
           "if NAME(x) : NL IN NAME(y) = INT(1) NL if NAME(z) : NL IN NAME(w) NL DE DE NAME(v) NL "
           "EOF");
    /* Blank lines and comment-only lines (at any indentation) produce nothing. */
    TOKENS("if x:\n\n        # comment\n    y\n\n  # c\n    z\n", "if NAME(x) : NL IN NAME(y) NL NAME(z) NL DE EOF");
    /* End of file closes blocks, with or without a final newline. */
    TOKENS("def f():\n    if x:\n        pass", "def NAME(f) ( ) : NL IN if NAME(x) : NL IN pass NL DE DE EOF");
    TOKENS("", "EOF");
    TOKENS("\n\n# only comments\n", "EOF");
    /* Implicit joining: no NEWLINE/INDENT inside brackets. */
    TOKENS("x = [1,\n        2,\n  3]\ny\n", "NAME(x) = [ INT(1) , INT(2) , INT(3) ] NL NAME(y) NL EOF");
    TOKENS("f(a,  # comment\n  b)\n", "NAME(f) ( NAME(a) , NAME(b) ) NL EOF");
    /* Backslash continuation. */
    TOKENS("x = 1 + \\\n        2\n", "NAME(x) = INT(1) + INT(2) NL EOF");
    TOKENS("x = 1\r\nif x:\r\n    y\r\n", "NAME(x) = INT(1) NL if NAME(x) : NL IN NAME(y) NL DE EOF");
    /* Tabs used consistently are fine. */
    TOKENS("if x:\n\ty\n\tif z:\n\t\tw\n", "if NAME(x) : NL IN NAME(y) NL if NAME(z) : NL IN NAME(w) NL DE DE EOF");
    /* A backslash in the indentation (as CPython): the width at the first backslash counts,
     * unless it is 0; then the next line's indentation counts. */
    TOKENS("if x:\n    y\n\\\n    z\n", "if NAME(x) : NL IN NAME(y) NL NAME(z) NL DE EOF");
    TOKENS("if x:\n    y\n    \\\nz\n", "if NAME(x) : NL IN NAME(y) NL NAME(z) NL DE EOF");
    ERROR("if x:\n        y\n\tz\n", "3:2: inconsistent use of tabs and spaces");
    ERROR("if x:\n    y\n  z\n", "3:3: unindent does not match any outer indentation level");
    ERROR("x = \\ 1\n", "1:5: unexpected character after line continuation");
    ERROR("x = (1,\n", "1:5: '(' was never closed");
    ERROR("x = (1]\n", "1:7: closing ']' does not match opening '('");
    ERROR("x = 1)\n", "1:6: unmatched ')'");
}

static void test_fstrings(void) {
    TOKENS("f\"a{x!r:>{w}}b\"\n",
           "FS( FM(\"a\") { NAME(x) ! NAME(r) : FM(\">\") { NAME(w) } } FM(\"b\") FE) NL EOF");
    TOKENS("f'{{x}} {y}'\n", "FS( FM(\"{x} \") { NAME(y) } FE) NL EOF");
    TOKENS("f\"{a['k']:.2f}\"\n", "FS( { NAME(a) [ STR(\"k\") ] : FM(\".2f\") } FE) NL EOF");
    TOKENS("f\"{f'{x}'}\"\n", "FS( { FS( { NAME(x) } FE) } FE) NL EOF");
    TOKENS("f\"\"\"a{\nx\n}b\"\"\"\n", "FS( FM(\"a\") { NAME(x) } FM(\"b\") FE) NL EOF");
    TOKENS("f\"{x != y}\"\n", "FS( { NAME(x) != NAME(y) } FE) NL EOF");
    TOKENS("rf\"\\d{x}\"\n", "FS( FM(\"\\d\") { NAME(x) } FE) NL EOF");
    TOKENS("f\"\\t{x}\"\n", "FS( FM(\"\t\") { NAME(x) } FE) NL EOF");
    TOKENS("f\"\"\n", "FS( FE) NL EOF");
    ERROR("f\"a}\"\n", "1:4: f-string: single '}' is not allowed");
    ERROR("f\"{x\"\n", "1:5: f-string: expecting '}'");
    ERROR("f\"abc\n", "1:1: unterminated f-string literal");
}

static void test_numbers(void) {
    TOKENS("0 7 1_000 0xff 0XFF 0x_f 0o17 0b101 0B1_0 00\n",
           "INT(0) INT(7) INT(1000) INT(255) INT(255) INT(15) INT(15) INT(5) INT(2) INT(0) NL EOF");
    TOKENS("9223372036854775807\n", "INT(9223372036854775807) NL EOF");
    /* 2^63 is lexed (the parser accepts it only after a unary minus). */
    TOKENS("9223372036854775808\n", "INT(9223372036854775808) NL EOF");
    TOKENS("1.5 .5 5. 1e3 1E-3 1_0.2_5\n",
           "FLOAT(1.5) FLOAT(0.5) FLOAT(5) FLOAT(1000) FLOAT(0.001) FLOAT(10.25) NL EOF");
    TOKENS("x.y 1 .real\n", "NAME(x) . NAME(y) INT(1) . NAME(real) NL EOF");
    TOKENS("a[1:2]\n", "NAME(a) [ INT(1) : INT(2) ] NL EOF");
    TOKENS("...\n", "... NL EOF");
    ERROR("9223372036854775809\n", "1:1: integer literal is too large");
    ERROR("0x10000000000000000\n", "1:1: integer literal is too large");
    ERROR("0123\n", "1:1: leading zeros in decimal integer literals");
    ERROR("1__0\n", "1:1: invalid decimal literal");
    ERROR("1_\n", "1:1: invalid decimal literal");
    ERROR("0b12\n", "1:4: invalid binary literal");
    ERROR("0x\n", "1:1: invalid hexadecimal literal");
    ERROR("12abc\n", "1:3: invalid decimal literal");
    /* Python 3.11 accepts a number directly followed by some keywords. */
    TOKENS("1if x else 2\n", "INT(1) if NAME(x) else INT(2) NL EOF");
    TOKENS("3.5not in y\n", "FLOAT(3.5) not in NAME(y) NL EOF");
    ERROR("3j\n", "1:1: complex numbers are not supported");
}

static void test_strings(void) {
    TOKENS("'a' \"b\" '''c\nd''' \"\"\"e\"\"\"\n", "STR(\"a\") STR(\"b\") STR(\"c\nd\") STR(\"e\") NL EOF");
    TOKENS("'\\x41\\101\\u00e9\\n\\\\'\n", "STR(\"AA\xc3\xa9\n\\\") NL EOF");
    TOKENS("r'\\n\\'' R\"x\"\n", "STR(\"\\n\\'\") STR(\"x\") NL EOF");
    TOKENS("'a\\\nb'\n", "STR(\"ab\") NL EOF");
    TOKENS("'\\q'\n", "STR(\"\\q\") NL EOF");
    TOKENS("u'x'\n", "STR(\"x\") NL EOF");
    /* Letters other than r/b/f/u before a quote are a name or keyword, not a prefix. */
    TOKENS("if'a'\n", "if STR(\"a\") NL EOF");
    TOKENS("x'a'\n", "NAME(x) STR(\"a\") NL EOF");
    ERROR("'abc\n", "1:1: unterminated string literal");
    ERROR("x = '''abc\n", "1:5: unterminated triple-quoted string literal");
    ERROR("b'x'\n", "1:1: bytes literals are not supported");
    ERROR("'\\N{DASH}'\n", "1:2: \\N{...} escapes are not supported");
    ERROR("'\\x4'\n", "1:2: truncated \\xXX escape");
    ERROR("'\\ud800'\n", "1:2: surrogate code points");
    ERROR("x = $\n", "1:5: invalid character '$'");
    ERROR("x = \"\xff\"\n", "1:6: invalid UTF-8 byte 0xff");
}

/* Positions are 1-based, columns count code points; names are interned. */
static void test_positions_and_interning(void) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const char *text = "s = \"h\xc3\xa9llo\" + abc\nif abc:\n    abc\n";
    pf_source *src = pf_source_new(&a, "p.pf", text, strlen(text));
    lex_token_list l = lex_source(&a, &d, src);
    CHECK(d.len == 0);
    CHECK(l.len >= 6);
    CHECK(l.items[3].kind == TK_PLUS && l.items[3].line == 1 && l.items[3].col == 13);
    CHECK(l.items[4].kind == TK_NAME && l.items[4].col == 15);
    const char *abc = l.items[4].v.name;
    int same = 0;
    for (int32_t i = 5; i < l.len; i++)
        if (l.items[i].kind == TK_NAME) {
            CHECK(l.items[i].v.name == abc);
            same++;
        }
    CHECK(same == 2);
    CHECK(pf_intern(&a, "abc", 3) == abc);
    CHECK(pf_intern_cstr(&a, "abcd") != abc);
    int32_t len;
    const char *line2 = pf_source_line(src, 2, &len);
    CHECK(line2 && len == 7 && memcmp(line2, "if abc:", 7) == 0);
    CHECK(pf_source_line(src, 99, &len) == NULL);
    pf_arena_free(&a);
}

/* The printer: `file:line:col: error: msg`, the source line, a caret under the column (tabs
 * kept, multi-byte characters counted once), and the hint. */
static void test_diagnostics_print(void) {
    pf_arena a;
    pf_arena_init(&a);
    pf_diags d;
    pf_diags_init(&d, &a);
    const char *text = "x = 1\n\t\xc3\xa9 = xs.append(2)\n";
    pf_source *src = pf_source_new(&a, "d.pf", text, strlen(text));
    pf_diag *g = pf_diag_error(&d, src, 2, 6, "cannot mutate %s", "a list");
    pf_diag_hint(&d, g, "pf values are immutable; write `xs = xs + [v]`");
    pf_diag_note(&d, src, 1, 1, "x is defined here");
    pf_diag_error(&d, NULL, 0, 0, "no position");
    CHECK(d.nerrors == 2 && pf_diags_has_errors(&d));
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    pf_diags_print(&d, out);
    fclose(out);
    CHECK_TEXT(buf,
               "d.pf:2:6: error: cannot mutate a list\n"
               "    \t\xc3\xa9 = xs.append(2)\n"
               "    \t    ^\n"
               "hint: pf values are immutable; write `xs = xs + [v]`\n"
               "d.pf:1:1: note: x is defined here\n"
               "    x = 1\n"
               "    ^\n"
               "pfc: error: no position\n");
    free(buf);
    /* Past the limit errors are counted, not stored. */
    for (int i = 0; i < PF_DIAGS_MAX_ERRORS + 5; i++)
        pf_diag_error(&d, src, 1, 1, "e%d", i);
    CHECK(d.nerrors == PF_DIAGS_MAX_ERRORS + 7);
    CHECK(d.len <= PF_DIAGS_MAX_ERRORS + 1);
    pf_arena_free(&a);
}

static void test_arena(void) {
    pf_arena a;
    pf_arena_init(&a);
    char *big = pf_arena_alloc(&a, 1 << 20); /* own chunk */
    CHECK(big && big[0] == 0 && big[(1 << 20) - 1] == 0);
    int *small = pf_arena_alloc(&a, sizeof(int) * 10);
    CHECK(((uintptr_t)small & 15) == 0 && small[9] == 0);
    struct { int *items; int32_t len, cap; } v = {0};
    for (int i = 0; i < 1000; i++)
        CHECK(PF_VEC_PUSH(&a, &v, 1000, i));
    CHECK(!PF_VEC_PUSH(&a, &v, 1000, 5)); /* the limit */
    CHECK(v.len == 1000 && v.items[999] == 999);
    CHECK(strcmp(pf_arena_sprintf(&a, "%d-%s", 7, "x"), "7-x") == 0);
    pf_arena_free(&a);
}

int main(void) {
    test_indentation();
    test_fstrings();
    test_numbers();
    test_strings();
    test_positions_and_interning();
    test_diagnostics_print();
    test_arena();
    return check_report("test_lexer");
}
