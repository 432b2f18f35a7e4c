/* The tokenizer (lexer/lexer.h): pf source text -> tokens with positions, INDENT/DEDENT,
 * f-string pieces, decoded numbers and strings. Temporary stub: only TK_EOF (being written). */
#include "lexer/lexer.h"

static const char *const kind_names[] = {
#define PF_TOKEN_NAME(name, text) text,
    PF_TOKENS(PF_TOKEN_NAME)
#undef PF_TOKEN_NAME
};

const char *lex_kind_name(lex_kind k) {
    return k >= 0 && k < TK__COUNT ? kind_names[k] : "?";
}

const char *lex_kind_spelling(lex_kind k) { (void)k; return NULL; }

lex_token_list lex_source(pf_arena *a, pf_diags *d, const pf_source *src) {
    (void)d;
    lex_token_list l = {0};
    lex_token eof = {.kind = TK_EOF, .start = src->text + src->len, .line = src->nlines, .col = 1};
    PF_VEC_PUSH(a, &l, 1, eof);
    return l;
}
