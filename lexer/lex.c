/* The tokenizer (lexer/lexer.h): pf source text -> tokens with positions. Handles INDENT/DEDENT
 * (with tab/space consistency checks), implicit joining inside brackets, backslash continuation,
 * every number form, strings with escapes, and f-strings as START/MIDDLE/field tokens/END.
 * Errors go to pf_diags; the lexer then skips the offending text and carries on. */
#include "lexer/lexer.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
#define PF_TOKEN_NAME(name, text) text,
    PF_TOKENS(PF_TOKEN_NAME)
#undef PF_TOKEN_NAME
};

const char *lex_kind_name(lex_kind k) {
    return k >= 0 && k < TK__COUNT ? kind_names[k] : "?";
}

const char *lex_kind_spelling(lex_kind k) {
    /* ORDER TOKEN: one case per operator kind, and kw[] below in keyword order. */
    switch (k) {
#define OP(kind, s)                                                                                \
    case kind:                                                                                     \
        return s;
        OP(TK_LPAREN, "(") OP(TK_RPAREN, ")") OP(TK_LBRACKET, "[") OP(TK_RBRACKET, "]")
        OP(TK_LBRACE, "{") OP(TK_RBRACE, "}") OP(TK_COMMA, ",") OP(TK_COLON, ":") OP(TK_SEMI, ";")
        OP(TK_DOT, ".") OP(TK_ELLIPSIS, "...") OP(TK_ARROW, "->") OP(TK_AT, "@") OP(TK_BANG, "!")
        OP(TK_WALRUS, ":=") OP(TK_ASSIGN, "=") OP(TK_PLUS, "+") OP(TK_MINUS, "-") OP(TK_STAR, "*")
        OP(TK_SLASH, "/") OP(TK_DSLASH, "//") OP(TK_PERCENT, "%") OP(TK_DSTAR, "**")
        OP(TK_LSHIFT, "<<") OP(TK_RSHIFT, ">>") OP(TK_AMP, "&") OP(TK_PIPE, "|") OP(TK_CARET, "^")
        OP(TK_TILDE, "~") OP(TK_LT, "<") OP(TK_GT, ">") OP(TK_LE, "<=") OP(TK_GE, ">=")
        OP(TK_EQ, "==") OP(TK_NE, "!=") OP(TK_PLUS_ASSIGN, "+=") OP(TK_MINUS_ASSIGN, "-=")
        OP(TK_STAR_ASSIGN, "*=") OP(TK_SLASH_ASSIGN, "/=") OP(TK_DSLASH_ASSIGN, "//=")
        OP(TK_PERCENT_ASSIGN, "%=") OP(TK_DSTAR_ASSIGN, "**=") OP(TK_LSHIFT_ASSIGN, "<<=")
        OP(TK_RSHIFT_ASSIGN, ">>=") OP(TK_AMP_ASSIGN, "&=") OP(TK_PIPE_ASSIGN, "|=")
        OP(TK_CARET_ASSIGN, "^=") OP(TK_AT_ASSIGN, "@=")
#undef OP
    default:
        break;
    }
    if (k >= TK_KW_FIRST && k <= TK_KW_LAST) {
        static const char *const kw[] = {
            "False", "None",  "True",   "and",   "as",     "assert", "async",    "await",
            "break", "class", "continue", "def", "del",    "elif",   "else",     "except",
            "finally", "for", "from",   "global", "if",    "import", "in",       "is",
            "lambda", "nonlocal", "not", "or",   "pass",   "raise",  "return",   "try",
            "while", "with",  "yield"}; /* ORDER TOKEN: same order as TK_KW_* */
        _Static_assert(sizeof kw / sizeof kw[0] == TK_KW_LAST - TK_KW_FIRST + 1, "ORDER TOKEN");
        return kw[k - TK_KW_FIRST];
    }
    return NULL;
}

/* ================================================================================== state */

typedef enum fmode {
    F_STR = 1, /* literal text of an f-string */
    F_FIELD,   /* inside a replacement field {...}: ordinary tokens */
    F_SPEC,    /* literal text of a format spec, after the field's top-level ':' */
} fmode;

typedef struct fctx {
    fmode mode;
    char quote;         /* F_STR: ' or " */
    bool triple, raw;   /* F_STR */
    int32_t depth;      /* F_FIELD: paren depth once its '{' is open */
    int32_t line, col;  /* where the f-string / field started */
    const char *start;  /* F_STR: the prefix's first byte */
} fctx;

typedef struct paren {
    char ch; /* ( [ { */
    int32_t line, col;
} paren;

typedef struct lexer {
    pf_arena *a;
    pf_diags *d;
    const pf_source *src;
    const char *p, *end;
    int32_t line;
    const char *line_start;
    const char *col_pos; /* cache for column(): col_count code points precede col_pos */
    int32_t col_count;
    bool at_bol;         /* at the start of a logical line: measure indentation */
    int32_t indents[LEX_MAX_INDENT + 1];  /* indentation widths, tabs to multiples of 8 */
    int32_t indents1[LEX_MAX_INDENT + 1]; /* same with tabs counted as 1: must order the same */
    int32_t nindent;     /* entries in use; indents[0] == 0 */
    int32_t pending_dedents;
    paren parens[LEX_MAX_PARENS];
    int32_t nparens;
    fctx fs[LEX_MAX_FSTRINGS * 3];
    int32_t nfs;
    lex_token_list out;
    bool too_many;       /* token limit reached */
    bool stop;           /* give up on the rest of the file (nesting limit) */
    char *scratch;       /* malloc'd buffer where string literals are decoded, reused */
    size_t scratch_cap;
} lexer;

/* Grows the scratch buffer (keeping its contents); o points into it and is returned rebased. */
static char *scratch_grow(lexer *lx, char *o) {
    size_t used = lx->scratch ? (size_t)(o - lx->scratch) : 0;
    size_t cap = lx->scratch_cap ? lx->scratch_cap * 2 : 256;
    char *nb = realloc(lx->scratch, cap);
    if (!nb)
        abort();
    lx->scratch = nb;
    lx->scratch_cap = cap;
    return nb + used;
}

/* 1-based column of q (on the current line) in code points. */
static int32_t column(lexer *lx, const char *q) {
    if (lx->col_pos < lx->line_start || lx->col_pos > q) {
        lx->col_pos = lx->line_start;
        lx->col_count = 0;
    }
    for (const char *s = lx->col_pos; s < q; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            lx->col_count++;
    lx->col_pos = q;
    return lx->col_count + 1;
}

static void newline_at(lexer *lx, const char *nl) {
    lx->line++;
    lx->line_start = nl + 1;
}

static pf_diag *error_at(lexer *lx, int32_t line, int32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static pf_diag *error_at(lexer *lx, int32_t line, int32_t col, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pf_diag *g = pf_diag_verror(lx->d, PF_SEV_ERROR, lx->src, line, col, fmt, ap);
    va_end(ap);
    return g;
}

static pf_diag *error_here(lexer *lx, const char *q, const char *msg) {
    return error_at(lx, lx->line, column(lx, q), "%s", msg);
}

static lex_token *emit(lexer *lx, lex_kind kind, const char *start, const char *stop, int32_t line,
                       int32_t col) {
    lex_token t = {.kind = kind, .start = start, .len = (int32_t)(stop - start), .line = line,
                   .col = col};
    if (!PF_VEC_PUSH(lx->a, &lx->out, LEX_MAX_TOKENS, t)) {
        if (!lx->too_many)
            error_at(lx, line, col, "too many tokens in one file (limit is %d)", LEX_MAX_TOKENS);
        lx->too_many = true;
        return NULL;
    }
    return &lx->out.items[lx->out.len - 1];
}

static lex_token *emit_here(lexer *lx, lex_kind kind, const char *start, const char *stop) {
    return emit(lx, kind, start, stop, lx->line, column(lx, start));
}

static lex_kind last_kind(lexer *lx) {
    return lx->out.len ? lx->out.items[lx->out.len - 1].kind : TK_NEWLINE;
}

static bool is_name_start(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static bool is_name_char(unsigned char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid (overlong, surrogate, too
 * large, truncated). */
static int utf8_len(const char *s, const char *end) {
    const unsigned char *u = (const unsigned char *)s;
    ptrdiff_t avail = end - s;
    if (u[0] < 0x80)
        return 1;
    int n;
    uint32_t cp;
    if ((u[0] & 0xE0) == 0xC0)
        n = 2, cp = u[0] & 0x1F;
    else if ((u[0] & 0xF0) == 0xE0)
        n = 3, cp = u[0] & 0x0F;
    else if ((u[0] & 0xF8) == 0xF0)
        n = 4, cp = u[0] & 0x07;
    else
        return 0;
    if (avail < n)
        return 0;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (u[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int utf8_encode(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* ============================================================================== keywords */

static lex_kind keyword(const char *s, size_t n) {
    for (int k = TK_KW_FIRST; k <= TK_KW_LAST; k++) {
        const char *kw = lex_kind_spelling((lex_kind)k);
        if (strlen(kw) == n && memcmp(kw, s, n) == 0)
            return (lex_kind)k;
    }
    return TK_NAME;
}

/* ======================================================================= escapes / strings */

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the escape sequence at lx->p (which points at the backslash) into *out (advancing
 * it). Consumes the sequence. A backslash-newline is a line continuation inside the string and
 * produces nothing. Unknown escapes keep the backslash, as Python does. */
static void decode_escape(lexer *lx, char **out) {
    const char *bs = lx->p;
    char c = lx->p[1];
    lx->p += 2;
    switch (c) {
    case '\n':
        newline_at(lx, lx->p - 1);
        return;
    case '\r':
        if (*lx->p == '\n') {
            lx->p++;
            newline_at(lx, lx->p - 1);
        }
        return;
    case '\\': *(*out)++ = '\\'; return;
    case '\'': *(*out)++ = '\''; return;
    case '"': *(*out)++ = '"'; return;
    case 'a': *(*out)++ = '\a'; return;
    case 'b': *(*out)++ = '\b'; return;
    case 'f': *(*out)++ = '\f'; return;
    case 'n': *(*out)++ = '\n'; return;
    case 'r': *(*out)++ = '\r'; return;
    case 't': *(*out)++ = '\t'; return;
    case 'v': *(*out)++ = '\v'; return;
    case 'x':
    case 'u':
    case 'U': {
        int n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < n; i++) {
            int h = lx->p < lx->end ? hexval(*lx->p) : -1;
            if (h < 0) {
                error_here(lx, bs, c == 'x' ? "truncated \\xXX escape"
                                   : c == 'u' ? "truncated \\uXXXX escape"
                                              : "truncated \\UXXXXXXXX escape");
                return;
            }
            cp = cp * 16 + (uint32_t)h;
            lx->p++;
        }
        if (cp > 0x10FFFF) {
            error_here(lx, bs, "illegal Unicode character in \\U escape");
            return;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            error_here(lx, bs, "surrogate code points are not supported in pf strings");
            return;
        }
        *out += utf8_encode(cp, *out);
        return;
    }
    case 'N':
        error_here(lx, bs, "\\N{...} escapes are not supported in pf");
        return;
    default:
        if (c >= '0' && c <= '7') {
            uint32_t v = (uint32_t)(c - '0');
            for (int i = 0; i < 2 && lx->p < lx->end && *lx->p >= '0' && *lx->p <= '7'; i++)
                v = v * 8 + (uint32_t)(*lx->p++ - '0');
            *out += utf8_encode(v, *out);
            return;
        }
        /* Unknown escape: keep it verbatim (backslash and character). */
        lx->p = bs + 1;
        *(*out)++ = '\\';
        return;
    }
}

/* Could [s, q) be a string prefix (only the letters r, b, f, u in any case)? If not, the
 * letters are a name or keyword and the quote starts a separate string (`if'x'`). */
static bool prefix_letters(const char *s, const char *q) {
    for (const char *c = s; c < q; c++)
        if (!strchr("rRbBfFuU", *c))
            return false;
    return true;
}

/* Reads the string prefix letters in [s, q) (q points at the quote). Returns false (after an
 * error) for a prefix pf does not accept. */
static bool string_prefix(lexer *lx, const char *s, const char *q, bool *raw, bool *fmt) {
    *raw = *fmt = false;
    bool bytes = false, u = false;
    for (const char *c = s; c < q; c++) {
        switch (*c) {
        case 'r': case 'R': if (*raw) goto bad; *raw = true; break;
        case 'f': case 'F': if (*fmt) goto bad; *fmt = true; break;
        case 'b': case 'B': if (bytes) goto bad; bytes = true; break;
        case 'u': case 'U': if (u) goto bad; u = true; break;
        default: goto bad;
        }
    }
    if (bytes) {
        error_here(lx, s, "bytes literals are not supported in pf");
        return false;
    }
    if (u && (*raw || *fmt))
        goto bad;
    return true;
bad:
    error_here(lx, s, "invalid string prefix");
    return false;
}

/* Scans a plain (non-f) string whose opening quote is at lx->p; tok_start is the prefix. */
static void lex_string(lexer *lx, const char *tok_start, bool raw, int32_t line, int32_t col) {
    char quote = *lx->p;
    bool triple = lx->end - lx->p >= 3 && lx->p[1] == quote && lx->p[2] == quote;
    lx->p += triple ? 3 : 1;
    char *buf = lx->scratch, *o = buf;
    for (;;) {
        if ((size_t)(o - buf) + 8 > lx->scratch_cap) {
            o = scratch_grow(lx, o);
            buf = lx->scratch;
        }
        if (lx->p >= lx->end) {
            error_at(lx, line, col, triple ? "unterminated triple-quoted string literal"
                                           : "unterminated string literal");
            lx->d->incomplete = lx->d->incomplete || triple;
            break;
        }
        char c = *lx->p;
        if (c == quote) {
            if (!triple) {
                lx->p++;
                break;
            }
            if (lx->end - lx->p >= 3 && lx->p[1] == quote && lx->p[2] == quote) {
                lx->p += 3;
                break;
            }
        }
        if (c == '\n') {
            if (!triple) {
                error_at(lx, line, col, "unterminated string literal");
                break; /* leave the newline for the caller */
            }
            newline_at(lx, lx->p);
            *o++ = '\n';
            lx->p++;
            continue;
        }
        if (c == '\r' && lx->p + 1 < lx->end && lx->p[1] == '\n') {
            lx->p++;
            continue;
        }
        if (c == '\\' && lx->p + 1 < lx->end) {
            if (raw) {
                /* In a raw string a backslash still protects the next character from ending
                 * the string, and both are kept. */
                *o++ = *lx->p++;
                if (*lx->p == '\n')
                    newline_at(lx, lx->p);
                *o++ = *lx->p++;
            } else {
                decode_escape(lx, &o);
            }
            continue;
        }
        *o++ = c;
        lx->p++;
    }
    lex_token *t = emit(lx, TK_STRING, tok_start, lx->p, line, col);
    if (t) {
        t->v.str.s = pf_arena_strndup(lx->a, buf, (size_t)(o - buf));
        t->v.str.n = (int32_t)(o - buf);
    }
}

/* ===================================================================================== numbers */

/* Copies digits of [s, e) without '_' into buf (which holds at least e - s + 1 bytes). Returns
 * false if an underscore is not between two digits. */
static bool strip_underscores(const char *s, const char *e, char *buf, bool (*isdig)(char)) {
    char *o = buf;
    for (const char *c = s; c < e; c++) {
        if (*c == '_') {
            if (c == s || c + 1 >= e || !isdig(c[-1]) || !isdig(c[1]))
                return false;
            continue;
        }
        *o++ = *c;
    }
    *o = 0;
    return true;
}

static bool is_hex(char c) { return hexval(c) >= 0; }
static bool is_oct(char c) { return c >= '0' && c <= '7'; }
static bool is_bin(char c) { return c == '0' || c == '1'; }
static bool is_dec(char c) { return is_digit(c); }

#define INT64_LIMIT ((uint64_t)1 << 63) /* 2^63: only valid as the operand of unary minus */

/* Python 3.11 accepts a number directly followed by one of these keywords (`1if x else 2`,
 * `3.5not in xs`); any other letter right after a number is an error. */
static bool keyword_follows(const char *p, const char *end) {
    static const char *const kws[] = {"and", "else", "for", "if", "in", "is", "not", "or"};
    const char *e = p;
    while (e < end && is_name_char((unsigned char)*e))
        e++;
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strlen(kws[i]) == (size_t)(e - p) && memcmp(kws[i], p, (size_t)(e - p)) == 0)
            return true;
    return false;
}

static void lex_number(lexer *lx) {
    const char *s = lx->p;
    int32_t line = lx->line, col = column(lx, s);
    bool is_float = false;
    int base = 10;
    const char *digits = s;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' || s[1] == 'b' ||
                        s[1] == 'B')) {
        char b = (char)(s[1] | 0x20);
        base = b == 'x' ? 16 : b == 'o' ? 8 : 2;
        bool (*isdig)(char) = base == 16 ? is_hex : base == 8 ? is_oct : is_bin;
        lx->p += 2;
        if (*lx->p == '_')
            lx->p++; /* 0x_ff is valid Python */
        digits = lx->p;
        while (lx->p < lx->end && (isdig(*lx->p) || *lx->p == '_'))
            lx->p++;
        if (lx->p == digits) {
            error_at(lx, line, col, "invalid %s literal",
                     base == 16 ? "hexadecimal" : base == 8 ? "octal" : "binary");
            while (lx->p < lx->end && is_name_char((unsigned char)*lx->p))
                lx->p++;
            emit(lx, TK_INT, s, lx->p, line, col);
            return;
        }
    } else {
        while (lx->p < lx->end && (is_digit(*lx->p) || *lx->p == '_'))
            lx->p++;
        if (*lx->p == '.' && !(lx->p[1] == '.' && lx->p[2] == '.')) {
            is_float = true;
            lx->p++;
            while (lx->p < lx->end && (is_digit(*lx->p) || *lx->p == '_'))
                lx->p++;
        }
        if ((*lx->p == 'e' || *lx->p == 'E') &&
            (is_digit(lx->p[1]) || ((lx->p[1] == '+' || lx->p[1] == '-') && is_digit(lx->p[2])))) {
            is_float = true;
            lx->p += 2;
            while (lx->p < lx->end && (is_digit(*lx->p) || *lx->p == '_'))
                lx->p++;
        }
    }
    if (*lx->p == 'j' || *lx->p == 'J') {
        lx->p++;
        error_at(lx, line, col, "complex numbers are not supported in pf");
        emit(lx, TK_INT, s, lx->p, line, col);
        return;
    }
    if (lx->p < lx->end && is_name_char((unsigned char)*lx->p) && !keyword_follows(lx->p, lx->end)) {
        const char *bad = lx->p;
        while (lx->p < lx->end && is_name_char((unsigned char)*lx->p))
            lx->p++;
        error_at(lx, line, column(lx, bad), "invalid %s literal",
                 base == 16 ? "hexadecimal" : base == 8 ? "octal" : base == 2 ? "binary"
                                                                   : "decimal");
        emit(lx, is_float ? TK_FLOAT : TK_INT, s, lx->p, line, col);
        return;
    }
    size_t n = (size_t)(lx->p - digits);
    char small[128];
    char *buf = n < sizeof small ? small : pf_arena_alloc(lx->a, n + 1);
    if (is_float) {
        /* A float's underscores must sit between digits; check the pieces around '.', 'e'. */
        bool ok = true;
        char *o = buf;
        for (const char *c = digits; c < lx->p; c++) {
            if (*c == '_') {
                if (c == digits || c + 1 >= lx->p || !is_digit(c[-1]) || !is_digit(c[1]))
                    ok = false;
                continue;
            }
            *o++ = *c;
        }
        *o = 0;
        if (!ok)
            error_at(lx, line, col, "invalid decimal literal");
        lex_token *t = emit(lx, TK_FLOAT, s, lx->p, line, col);
        if (t)
            t->v.f = strtod(buf, NULL);
        return;
    }
    bool (*isdig)(char) = base == 16 ? is_hex : base == 8 ? is_oct : base == 2 ? is_bin : is_dec;
    if (!strip_underscores(digits, lx->p, buf, isdig)) {
        error_at(lx, line, col, "invalid %s literal",
                 base == 16 ? "hexadecimal" : base == 8 ? "octal" : base == 2 ? "binary"
                                                                   : "decimal");
        emit(lx, TK_INT, s, lx->p, line, col);
        return;
    }
    if (base == 10 && buf[0] == '0') {
        for (char *c = buf; *c; c++)
            if (*c != '0') {
                error_at(lx, line, col,
                         "leading zeros in decimal integer literals are not permitted; use an 0o "
                         "prefix for octal integers");
                emit(lx, TK_INT, s, lx->p, line, col);
                return;
            }
    }
    uint64_t v = 0;
    bool overflow = false;
    for (char *c = buf; *c; c++) {
        uint64_t dv = (uint64_t)hexval(*c);
        if (v > (INT64_LIMIT - dv) / (uint64_t)base) {
            overflow = true;
            break;
        }
        v = v * (uint64_t)base + dv;
    }
    lex_token *t = emit(lx, TK_INT, s, lx->p, line, col);
    if (overflow) {
        pf_diag *g = error_at(lx, line, col,
                              "integer literal is too large: pf ints are 64-bit (at most "
                              "9223372036854775807)");
        pf_diag_hint(lx->d, g, "use a float literal (e.g. 1e20) if you need a larger magnitude");
        v = 0;
    }
    if (t)
        t->v.i = v;
}

/* ================================================================================ brackets */

static void open_paren(lexer *lx, char ch, const char *at) {
    if (lx->nparens >= LEX_MAX_PARENS) {
        error_at(lx, lx->line, column(lx, at), "too many nested brackets (limit is %d)",
                 LEX_MAX_PARENS);
        lx->stop = true; /* pathological input: report once and stop lexing */
        return;
    }
    lx->parens[lx->nparens++] = (paren){ch, lx->line, column(lx, at)};
}

/* Handles a closing bracket at `at`. Returns false if it must not be emitted. */
static bool close_paren(lexer *lx, char ch, const char *at) {
    char open = ch == ')' ? '(' : ch == ']' ? '[' : '{';
    if (lx->nparens == 0) {
        error_at(lx, lx->line, column(lx, at), "unmatched '%c'", ch);
        return false;
    }
    paren *top = &lx->parens[lx->nparens - 1];
    if (top->ch != open) {
        if (lx->nfs && lx->fs[lx->nfs - 1].mode == F_FIELD &&
            lx->nparens == lx->fs[lx->nfs - 1].depth) {
            error_at(lx, lx->line, column(lx, at), "f-string: unmatched '%c'", ch);
            return false;
        }
        pf_diag *g = error_at(lx, lx->line, column(lx, at),
                              "closing '%c' does not match opening '%c'", ch, top->ch);
        (void)g;
        if (top->line != lx->line)
            pf_diag_note(lx->d, lx->src, top->line, top->col, "'%c' opened here", top->ch);
    }
    lx->nparens--;
    return true;
}

/* ================================================================================ f-strings */

static bool push_f(lexer *lx, fctx f, const char *at) {
    if (lx->nfs >= (int32_t)(sizeof lx->fs / sizeof lx->fs[0])) {
        error_at(lx, lx->line, column(lx, at), "f-strings nested too deeply (limit is %d)",
                 LEX_MAX_FSTRINGS);
        return false;
    }
    lx->fs[lx->nfs++] = f;
    return true;
}

/* The F_STR context that the top of the f-string stack belongs to. */
static fctx *current_fstring(lexer *lx) {
    for (int32_t i = lx->nfs - 1; i >= 0; i--)
        if (lx->fs[i].mode == F_STR)
            return &lx->fs[i];
    return NULL;
}

/* Abandons the innermost f-string (after an error): pops its fields and brackets. */
static void drop_fstring(lexer *lx) {
    while (lx->nfs > 0) {
        fctx f = lx->fs[--lx->nfs];
        if (f.mode == F_FIELD && lx->nparens >= f.depth)
            lx->nparens = f.depth - 1 < 0 ? 0 : f.depth - 1;
        if (f.mode == F_STR)
            break;
    }
}

static bool at_closing_quote(lexer *lx, const fctx *s) {
    if (*lx->p != s->quote)
        return false;
    return !s->triple || (lx->end - lx->p >= 3 && lx->p[1] == s->quote && lx->p[2] == s->quote);
}

/* Lexes the literal text of an f-string or a format spec (top of stack is F_STR or F_SPEC):
 * emits at most one FSTRING_MIDDLE, or the token that ends the literal run. */
static void lex_fstring_text(lexer *lx) {
    fctx *top = &lx->fs[lx->nfs - 1];
    fctx *s = current_fstring(lx);
    const char *start = lx->p;
    int32_t line = lx->line, col = column(lx, start);
    char *buf = lx->scratch, *o = buf;
    for (;;) {
        if ((size_t)(o - buf) + 8 > lx->scratch_cap) {
            o = scratch_grow(lx, o);
            buf = lx->scratch;
        }
        if (lx->p >= lx->end) {
            if (o > buf)
                break;
            error_at(lx, s->line, s->col, s->triple ? "unterminated triple-quoted f-string literal"
                                                    : "unterminated f-string literal");
            lx->d->incomplete = true;
            drop_fstring(lx);
            return;
        }
        char c = *lx->p;
        if (at_closing_quote(lx, s)) {
            if (o > buf)
                break;
            if (top->mode == F_SPEC) {
                error_at(lx, lx->line, column(lx, lx->p), "f-string: expecting '}'");
                lx->nfs--; /* the spec; the field follows */
                drop_fstring(lx);
                /* Re-enter: treat the quote as the end of the enclosing f-string. */
                lex_token *t = emit_here(lx, TK_FSTRING_END, lx->p, lx->p + (s->triple ? 3 : 1));
                (void)t;
                lx->p += s->triple ? 3 : 1;
                return;
            }
            const char *q = lx->p;
            lx->p += s->triple ? 3 : 1;
            emit_here(lx, TK_FSTRING_END, q, lx->p);
            lx->nfs--;
            return;
        }
        if (c == '\n' && !s->triple) {
            if (o > buf)
                break;
            error_at(lx, s->line, s->col, "unterminated f-string literal");
            drop_fstring(lx);
            return;
        }
        if (c == '{') {
            if (lx->p + 1 < lx->end && lx->p[1] == '{' && top->mode == F_STR) {
                *o++ = '{';
                lx->p += 2;
                continue;
            }
            if (o > buf)
                break;
            if (lx->nparens >= LEX_MAX_PARENS) {
                error_here(lx, lx->p, "too many nested brackets");
                drop_fstring(lx);
                lx->p++;
                return;
            }
            fctx f = {.mode = F_FIELD, .depth = lx->nparens + 1, .line = lx->line,
                      .col = column(lx, lx->p)};
            if (!push_f(lx, f, lx->p)) {
                drop_fstring(lx);
                lx->p++;
                return;
            }
            open_paren(lx, '{', lx->p);
            emit_here(lx, TK_LBRACE, lx->p, lx->p + 1);
            lx->p++;
            return;
        }
        if (c == '}') {
            if (top->mode == F_STR) {
                if (lx->p + 1 < lx->end && lx->p[1] == '}') {
                    *o++ = '}';
                    lx->p += 2;
                    continue;
                }
                error_here(lx, lx->p, "f-string: single '}' is not allowed");
                lx->p++;
                continue;
            }
            if (o > buf)
                break;
            /* End of the spec and of its field. */
            emit_here(lx, TK_RBRACE, lx->p, lx->p + 1);
            lx->p++;
            lx->nfs -= 2; /* F_SPEC and its F_FIELD */
            if (lx->nparens > 0)
                lx->nparens--;
            return;
        }
        if (c == '\n') {
            newline_at(lx, lx->p);
            *o++ = c;
            lx->p++;
            continue;
        }
        if (c == '\r' && lx->p + 1 < lx->end && lx->p[1] == '\n') {
            lx->p++;
            continue;
        }
        if (c == '\\' && !s->raw && lx->p + 1 < lx->end) {
            decode_escape(lx, &o);
            continue;
        }
        if (c == '\\' && s->raw && lx->p + 1 < lx->end && lx->p[1] != '{' && lx->p[1] != '}') {
            *o++ = *lx->p++;
            if (*lx->p == '\n')
                newline_at(lx, lx->p);
            *o++ = *lx->p++;
            continue;
        }
        *o++ = c;
        lx->p++;
    }
    lex_token *t = emit(lx, TK_FSTRING_MIDDLE, start, lx->p, line, col);
    if (t) {
        t->v.str.s = pf_arena_strndup(lx->a, buf, (size_t)(o - buf));
        t->v.str.n = (int32_t)(o - buf);
    }
}

/* ============================================================================ indentation */

/* At the start of a logical line: measures indentation, skips blank/comment lines, and
 * queues INDENT/DEDENT. Returns with lx->p at the first token of the line (or at EOF). */
static void lex_line_start(lexer *lx) {
    for (;;) {
        int32_t w8 = 0, w1 = 0;
        int32_t cont = 0; /* width at the first backslash continuation in the indentation */
        while (lx->p < lx->end) {
            char c = *lx->p;
            if (c == ' ') {
                w8++, w1++;
            } else if (c == '\t') {
                w8 = (w8 / 8 + 1) * 8, w1++;
            } else if (c == '\f') {
                w8 = w1 = 0;
            } else if (c == '\\') {
                /* Indentation continued with a backslash (as CPython): the width at the first
                 * backslash counts, unless it is 0, then counting goes on in the next line. */
                const char *q = lx->p + 1;
                if (q < lx->end && *q == '\r')
                    q++;
                if (q >= lx->end || *q != '\n')
                    break;
                if (!cont)
                    cont = w8;
                newline_at(lx, q);
                lx->p = q + 1;
                if (lx->p >= lx->end) {
                    error_here(lx, lx->p, "unexpected end of file after line continuation");
                    lx->d->incomplete = true;
                }
                continue;
            } else {
                break;
            }
            lx->p++;
        }
        if (cont)
            w8 = w1 = cont;
        if (lx->p >= lx->end)
            return;
        char c = *lx->p;
        if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
            c = lx->p < lx->end ? *lx->p : 0;
        }
        if (c == '\r' && lx->p + 1 < lx->end && lx->p[1] == '\n') {
            lx->p++;
            c = '\n';
        }
        if (c == '\n') { /* blank line: no tokens at all */
            newline_at(lx, lx->p);
            lx->p++;
            continue;
        }
        lx->at_bol = false;
        int32_t top = lx->indents[lx->nindent - 1], top1 = lx->indents1[lx->nindent - 1];
        int32_t col = column(lx, lx->p);
        if (w8 > top) {
            if (w1 <= top1) {
                error_at(lx, lx->line, col, "inconsistent use of tabs and spaces in indentation");
            }
            if (lx->nindent > LEX_MAX_INDENT) {
                error_at(lx, lx->line, col, "too many levels of indentation (limit is %d)",
                         LEX_MAX_INDENT);
                return;
            }
            lx->indents[lx->nindent] = w8;
            lx->indents1[lx->nindent] = w1;
            lx->nindent++;
            emit(lx, TK_INDENT, lx->p, lx->p, lx->line, col);
        } else if (w8 < top) {
            while (lx->nindent > 1 && lx->indents[lx->nindent - 1] > w8) {
                lx->nindent--;
                emit(lx, TK_DEDENT, lx->p, lx->p, lx->line, col);
            }
            if (lx->indents[lx->nindent - 1] != w8) {
                error_at(lx, lx->line, col,
                         "unindent does not match any outer indentation level");
            } else if (lx->indents1[lx->nindent - 1] != w1) {
                error_at(lx, lx->line, col, "inconsistent use of tabs and spaces in indentation");
            }
        } else if (w1 != top1) {
            error_at(lx, lx->line, col, "inconsistent use of tabs and spaces in indentation");
        }
        return;
    }
}

/* Closes every open bracket with a zero-length closing token placed at its opener (after the
 * "never closed" error), so the parser sees balanced brackets and stays quiet about them. */
static void close_all_parens(lexer *lx) {
    paren *outer = &lx->parens[0];
    error_at(lx, outer->line, outer->col, "'%c' was never closed", outer->ch);
    while (lx->nparens > 0) {
        paren *p = &lx->parens[--lx->nparens];
        lex_kind k = p->ch == '(' ? TK_RPAREN : p->ch == '[' ? TK_RBRACKET : TK_RBRACE;
        emit(lx, k, lx->p, lx->p, p->line, p->col);
    }
}

/* Keywords that only ever start a statement: seeing one first on a line inside brackets means
 * a bracket above was never closed. */
static bool statement_keyword(lex_kind k) {
    switch (k) {
    case TK_KW_DEF: case TK_KW_CLASS: case TK_KW_RETURN: case TK_KW_IMPORT: case TK_KW_WHILE:
    case TK_KW_TRY: case TK_KW_EXCEPT: case TK_KW_FINALLY: case TK_KW_WITH: case TK_KW_PASS:
    case TK_KW_BREAK: case TK_KW_CONTINUE: case TK_KW_GLOBAL: case TK_KW_NONLOCAL:
    case TK_KW_DEL: case TK_KW_ASSERT: case TK_KW_RAISE: case TK_KW_ELIF:
        return true;
    default:
        return false;
    }
}

/* ================================================================================ main loop */

/* Lexes one token (or a run of INDENT/DEDENTs) in ordinary mode (top level or inside an
 * f-string field). Returns false at end of input. */
static bool lex_one(lexer *lx) {
    if (lx->at_bol && lx->nparens == 0 && lx->nfs == 0) {
        lex_line_start(lx);
        lx->at_bol = false;
    }
    /* Whitespace, comments, continuations. */
    for (;;) {
        if (lx->p >= lx->end)
            break;
        char c = *lx->p;
        if (c == ' ' || c == '\t' || c == '\f' || c == '\r') {
            lx->p++;
        } else if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else if (c == '\\') {
            const char *q = lx->p + 1;
            if (q < lx->end && *q == '\r')
                q++;
            if (q < lx->end && *q == '\n') {
                newline_at(lx, q);
                lx->p = q + 1;
                if (lx->p >= lx->end) {
                    error_here(lx, lx->p, "unexpected end of file after line continuation");
                    lx->d->incomplete = true;
                }
            } else if (q >= lx->end) {
                error_here(lx, lx->p, "unexpected end of file after line continuation");
                lx->d->incomplete = true;
                lx->p = q;
            } else {
                error_here(lx, lx->p, "unexpected character after line continuation character");
                lx->p++;
            }
        } else if (c == '\n' && (lx->nparens > 0 || lx->nfs > 0)) {
            fctx *s = current_fstring(lx);
            if (s && !s->triple) {
                error_at(lx, s->line, s->col, "unterminated f-string literal");
                drop_fstring(lx);
                return true; /* re-examine the newline in the enclosing mode */
            }
            newline_at(lx, lx->p);
            lx->p++;
        } else {
            break;
        }
    }
    if (lx->p >= lx->end)
        return false;

    const char *s = lx->p;
    char c = *s;
    int32_t line = lx->line, col = column(lx, s);

    if (c == '\n') {
        lex_kind last = last_kind(lx);
        if (last != TK_NEWLINE && last != TK_INDENT && last != TK_DEDENT)
            emit(lx, TK_NEWLINE, s, s + 1, line, col);
        newline_at(lx, s);
        lx->p++;
        lx->at_bol = true;
        return true;
    }

    if (lx->nfs > 0) {
        fctx *f = &lx->fs[lx->nfs - 1];
        if (f->mode == F_FIELD && lx->nparens == f->depth) {
            if (c == '}') {
                lx->p++;
                emit(lx, TK_RBRACE, s, lx->p, line, col);
                lx->nfs--;
                lx->nparens--;
                return true;
            }
            if (c == ':' ) {
                lx->p++;
                emit(lx, TK_COLON, s, lx->p, line, col);
                push_f(lx, (fctx){.mode = F_SPEC, .line = line, .col = col}, s);
                return true;
            }
            if (c == '!' && s + 1 < lx->end && s[1] != '=') {
                lx->p++;
                emit(lx, TK_BANG, s, lx->p, line, col);
                return true;
            }
        }
    }

    if ((c == '\'' || c == '"') && lx->nfs > 0) {
        /* As Python 3.11: inside a replacement field, the enclosing f-string's own quote ends
         * the f-string, so the field was not closed. */
        fctx *fs = current_fstring(lx);
        if (fs && at_closing_quote(lx, fs)) {
            error_at(lx, line, col, "f-string: expecting '}'");
            drop_fstring(lx);
            lx->p += fs->triple ? 3 : 1;
            return true;
        }
    }

    if (is_digit(c) || (c == '.' && s + 1 < lx->end && is_digit(s[1]))) {
        lex_number(lx);
        return true;
    }

    if (is_name_start((unsigned char)c)) {
        const char *e = s;
        while (e < lx->end && is_name_char((unsigned char)*e)) {
            if ((unsigned char)*e >= 0x80) {
                int n = utf8_len(e, lx->end);
                if (n == 0) {
                    error_at(lx, lx->line, column(lx, e), "invalid UTF-8 in identifier");
                    lx->p = e + 1;
                    return true;
                }
                e += n;
            } else {
                e++;
            }
        }
        fctx *encl = lx->nfs > 0 ? current_fstring(lx) : NULL;
        const char *save = lx->p;
        lx->p = e;
        bool closes = encl && e < lx->end && at_closing_quote(lx, encl);
        lx->p = save;
        if (e < lx->end && (*e == '\'' || *e == '"') && e - s <= 2 && !closes &&
            prefix_letters(s, e)) {
            bool raw, fmt;
            lx->p = e;
            if (!string_prefix(lx, s, e, &raw, &fmt)) {
                /* Skip the literal as a plain string to resynchronise. */
                lex_string(lx, s, raw, line, col);
                if (lx->out.len)
                    lx->out.items[lx->out.len - 1].kind = TK_STRING;
                return true;
            }
            if (!fmt) {
                lex_string(lx, s, raw, line, col);
                return true;
            }
            char quote = *e;
            bool triple = lx->end - e >= 3 && e[1] == quote && e[2] == quote;
            lx->p = e + (triple ? 3 : 1);
            fctx f = {.mode = F_STR, .quote = quote, .triple = triple, .raw = raw, .line = line,
                      .col = col, .start = s};
            if (!push_f(lx, f, s)) {
                /* Too deep: skip as a plain string. */
                lx->p = e;
                lex_string(lx, s, raw, line, col);
                return true;
            }
            emit(lx, TK_FSTRING_START, s, lx->p, line, col);
            return true;
        }
        lx->p = e;
        lex_kind k = keyword(s, (size_t)(e - s));
        if (statement_keyword(k) && lx->nparens > 0 && lx->nfs == 0) {
            const char *q = s;
            while (q > lx->line_start && (q[-1] == ' ' || q[-1] == '\t'))
                q--;
            if (q == lx->line_start) {
                /* Recover: close the brackets, end the logical line, re-lex this line. */
                close_all_parens(lx);
                emit(lx, TK_NEWLINE, q, q, line, col);
                lx->p = lx->line_start;
                lx->at_bol = true;
                return true;
            }
        }
        lex_token *t = emit(lx, k, s, e, line, col);
        if (t && k == TK_NAME)
            t->v.name = pf_intern(lx->a, s, (size_t)(e - s));
        return true;
    }

    if (c == '\'' || c == '"') {
        lex_string(lx, s, false, line, col);
        return true;
    }

    /* Operators: longest match first. */
    static const struct {
        const char *text;
        lex_kind kind;
    } ops[] = {
        {"**=", TK_DSTAR_ASSIGN}, {"//=", TK_DSLASH_ASSIGN}, {"<<=", TK_LSHIFT_ASSIGN},
        {">>=", TK_RSHIFT_ASSIGN}, {"...", TK_ELLIPSIS},     {"**", TK_DSTAR},
        {"//", TK_DSLASH},         {"<<", TK_LSHIFT},        {">>", TK_RSHIFT},
        {"<=", TK_LE},             {">=", TK_GE},            {"==", TK_EQ},
        {"!=", TK_NE},             {"->", TK_ARROW},         {":=", TK_WALRUS},
        {"+=", TK_PLUS_ASSIGN},    {"-=", TK_MINUS_ASSIGN},  {"*=", TK_STAR_ASSIGN},
        {"/=", TK_SLASH_ASSIGN},   {"%=", TK_PERCENT_ASSIGN}, {"&=", TK_AMP_ASSIGN},
        {"|=", TK_PIPE_ASSIGN},    {"^=", TK_CARET_ASSIGN},  {"@=", TK_AT_ASSIGN},
        {"(", TK_LPAREN},          {")", TK_RPAREN},         {"[", TK_LBRACKET},
        {"]", TK_RBRACKET},        {"{", TK_LBRACE},         {"}", TK_RBRACE},
        {",", TK_COMMA},           {":", TK_COLON},          {";", TK_SEMI},
        {".", TK_DOT},             {"@", TK_AT},             {"=", TK_ASSIGN},
        {"+", TK_PLUS},            {"-", TK_MINUS},          {"*", TK_STAR},
        {"/", TK_SLASH},           {"%", TK_PERCENT},        {"&", TK_AMP},
        {"|", TK_PIPE},            {"^", TK_CARET},          {"~", TK_TILDE},
        {"<", TK_LT},              {">", TK_GT},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if ((size_t)(lx->end - s) >= n && memcmp(s, ops[i].text, n) == 0) {
            lex_kind k = ops[i].kind;
            if (k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE)
                open_paren(lx, c, s);
            if ((k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE) && !close_paren(lx, c, s)) {
                lx->p = s + 1;
                return true;
            }
            lx->p = s + n;
            emit(lx, k, s, lx->p, line, col);
            return true;
        }
    }

    /* Anything else is an invalid character. */
    int n = (unsigned char)c >= 0x80 ? utf8_len(s, lx->end) : 1;
    if (n == 0) {
        error_at(lx, line, col, "invalid UTF-8 byte 0x%02x in source", (unsigned char)c);
        n = 1;
    } else if (c == 0) {
        error_at(lx, line, col, "source contains a NUL byte");
    } else if (c == '!') {
        error_at(lx, line, col, "invalid syntax: '!' (pf writes 'not x' for negation)");
    } else if ((unsigned char)c < 0x20 || c == 0x7f) {
        error_at(lx, line, col, "invalid control character U+%04X in source", (unsigned)c);
    } else {
        error_at(lx, line, col, "invalid character '%.*s'", n, s);
    }
    lx->p = s + n;
    return true;
}

lex_token_list lex_source(pf_arena *a, pf_diags *d, const pf_source *src) {
    lexer *lx = calloc(1, sizeof *lx); /* large (bracket and f-string stacks): not on the stack */
    if (!lx)
        abort();
    lx->a = a;
    lx->d = d;
    lx->src = src;
    lx->p = src->text;
    lx->end = src->text + src->len;
    lx->line = 1;
    lx->line_start = lx->p;
    lx->col_pos = lx->p;
    lx->at_bol = true;
    lx->nindent = 1;
    /* A UTF-8 byte order mark is allowed at the very start. */
    if (lx->end - lx->p >= 3 && memcmp(lx->p, "\xEF\xBB\xBF", 3) == 0)
        lx->p += 3, lx->line_start = lx->col_pos = lx->p;
    /* Non-identifier, non-string bytes >= 0x80 are rejected by lex_one; inside strings and
     * comments the UTF-8 must be valid too: check the whole text once up front. */
    for (const char *q = lx->p; q < lx->end;) {
        int n = utf8_len(q, lx->end);
        if (n == 0) {
            int32_t line = 1;
            const char *ls = src->text;
            for (const char *r = src->text; r < q; r++)
                if (*r == '\n')
                    line++, ls = r + 1;
            int32_t col = 1;
            for (const char *r = ls; r < q; r++)
                if (((unsigned char)*r & 0xC0) != 0x80)
                    col++;
            pf_diag_error(d, src, line, col, "invalid UTF-8 byte 0x%02x in source",
                          (unsigned char)*q);
            break;
        }
        q += n;
    }
    while (!lx->too_many && !lx->stop) {
        if (lx->nfs > 0 && lx->fs[lx->nfs - 1].mode != F_FIELD) {
            lex_fstring_text(lx);
            continue;
        }
        if (!lex_one(lx))
            break;
    }
    /* End of input: close open f-strings and brackets, then the logical line and the blocks. */
    if (lx->nfs > 0) {
        fctx *s = current_fstring(lx);
        if (s)
            error_at(lx, s->line, s->col, "unterminated f-string literal");
        lx->d->incomplete = true;
    } else if (lx->nparens > 0 && !lx->stop) {
        close_all_parens(lx);
        lx->d->incomplete = true;
    }
    int32_t line = lx->line, col = column(lx, lx->end);
    lex_kind last = last_kind(lx);
    if (lx->out.len && last != TK_NEWLINE && last != TK_INDENT && last != TK_DEDENT)
        emit(lx, TK_NEWLINE, lx->end, lx->end, line, col);
    while (lx->nindent > 1) {
        lx->nindent--;
        emit(lx, TK_DEDENT, lx->end, lx->end, line, col);
    }
    lex_token eof = {.kind = TK_EOF, .start = lx->end, .line = line, .col = col};
    lex_token_list out = lx->out;
    free(lx->scratch);
    free(lx);
    /* The EOF token is always present, even past the token limit. */
    if (!PF_VEC_PUSH(a, &out, LEX_MAX_TOKENS + 1, eof))
        out.items[out.len - 1] = eof;
    return out;
}
