/* String operations against CPython 3.11: indexing and slicing by code point, split/join,
 * strip, replace, find, startswith/endswith, upper/lower, in-place concatenation of a unique
 * string, comparison and hashing, int()/float() parsing. */
#include "runtime/value.h"
#include "stdlib/builtins.h"
#include "tests/unit/test_value_check.h"

/* Input strings live in a pool released at the end of run(), so every check stays leak-free. */
static pf_str *pool[256];
static int npool;
static pf_str *S(pf_ctx *ctx, const char *s) { return pool[npool++] = rt_str_from_cstr(ctx, s); }
static void free_pool(void) {
    while (npool > 0) rt_decref(&pool[--npool]->h);
}

/* repr of a list[str] result, consuming it */
static pf_str *list_repr(pf_ctx *ctx, pf_list *xs) {
    if (!xs) return NULL;
    pf_str *r = rt_repr(ctx, PF_SLOT_OBJ(xs), &pf_type_list_str);
    rt_decref(&xs->h);
    return r;
}

static void run(void) {
    pf_ctx ctx = {0};
    pf_ctx *c = &ctx;
    pf_str *hello = S(c, "hello world");
    pf_str *uni = S(c, "h\xc3\xa9llo \xe2\x82\xac!"); /* "héllo €!" */
    CHECK_INT(rt_str_len(hello), 11);
    CHECK_INT(rt_str_len(uni), 8);
    CHECK_STR(c, rt_str_index(c, hello, 0), "h");
    CHECK_STR(c, rt_str_index(c, hello, -1), "d");
    CHECK_STR(c, rt_str_index(c, uni, 1), "\xc3\xa9");
    CHECK_STR(c, rt_str_index(c, uni, -2), "\xe2\x82\xac");
    pf_str *h0 = rt_str_index(c, hello, 0), *t0 = rt_str_from_bool(c, 1);
    CHECK_INT(h0->h.rc, 0); /* one-character ASCII strings are shared immortal constants */
    CHECK_INT(t0->h.rc, 0);
    CHECK_STR(c, h0, "h");
    CHECK_STR(c, t0, "True");
    CHECK(rt_str_index(c, hello, 11) == NULL);
    CHECK_RAISED(c, PF_EXC_INDEX, "string index out of range");
    CHECK_STR(c, rt_str_slice(c, hello, 0, 5, 1), "hello");
    CHECK_STR(c, rt_str_slice(c, hello, PF_NONE_IDX, PF_NONE_IDX, -1), "dlrow olleh");
    CHECK_STR(c, rt_str_slice(c, hello, 1, PF_NONE_IDX, 2), "el ol");
    CHECK_STR(c, rt_str_slice(c, hello, -3, PF_NONE_IDX, 1), "rld");
    CHECK_STR(c, rt_str_slice(c, hello, 100, 200, 1), "");
    CHECK_STR(c, rt_str_slice(c, hello, 8, 2, -2), "rwo");
    CHECK_STR(c, rt_str_slice(c, uni, 1, 7, 1), "\xc3\xa9llo \xe2\x82\xac");
    CHECK_STR(c, rt_str_slice(c, uni, PF_NONE_IDX, PF_NONE_IDX, -3), "!o\xc3\xa9");
    CHECK(rt_str_slice(c, hello, 0, 1, 0) == NULL);
    CHECK_RAISED(c, PF_EXC_VALUE, "slice step cannot be zero");

    pf_str *o = S(c, "o"), *wor = S(c, "wor"), *empty = S(c, ""), *euro = S(c, "\xe2\x82\xac");
    CHECK_INT(rt_str_contains(hello, wor), 1);
    CHECK_INT(rt_str_contains(hello, euro), 0);
    CHECK_INT(rt_str_contains(hello, empty), 1);
    CHECK_INT(rt_str_find(hello, o), 4);
    CHECK_INT(rt_str_find(uni, euro), 6);
    CHECK_INT(rt_str_find(hello, euro), -1);
    CHECK_INT(rt_str_startswith(hello, S(c, "hell")) , 1);
    CHECK_INT(rt_str_endswith(hello, wor), 0);

    /* split / join */
    pf_str *csv = S(c, "a,b,,c"), *comma = S(c, ","), *ws = S(c, "  one two\tthree\n ");
    CHECK_STR(c, list_repr(c, rt_str_split(c, csv, comma, -1)), "['a', 'b', '', 'c']");
    CHECK_STR(c, list_repr(c, rt_str_split(c, csv, comma, 1)), "['a', 'b,,c']");
    CHECK_STR(c, list_repr(c, rt_str_split(c, ws, NULL, -1)), "['one', 'two', 'three']");
    CHECK_STR(c, list_repr(c, rt_str_split(c, ws, NULL, 1)), "['one', 'two\\tthree\\n ']");
    CHECK_STR(c, list_repr(c, rt_str_split(c, empty, NULL, -1)), "[]");
    CHECK_STR(c, list_repr(c, rt_str_split(c, empty, comma, -1)), "['']");
    CHECK(rt_str_split(c, csv, empty, -1) == NULL);
    CHECK_RAISED(c, PF_EXC_VALUE, "empty separator");
    pf_list *parts = rt_str_split(c, csv, comma, -1);
    pf_str *dash = S(c, "-");
    CHECK_STR(c, rt_str_join(c, dash, parts), "a-b--c");
    rt_decref(&parts->h);

    /* strip, replace, case */
    CHECK_STR(c, rt_str_strip(c, ws, NULL), "one two\tthree");
    CHECK_STR(c, rt_str_lstrip(c, ws, NULL), "one two\tthree\n ");
    CHECK_STR(c, rt_str_rstrip(c, ws, NULL), "  one two\tthree");
    pf_str *xs = S(c, "xxhixyx"), *xy = S(c, "xy");
    CHECK_STR(c, rt_str_strip(c, xs, xy), "hi");
    CHECK_STR(c, rt_str_replace(c, hello, o, S(c, "0")), "hell0 w0rld");
    CHECK_STR(c, rt_str_replace(c, S(c, "ab"), empty, dash), "-a-b-");
    CHECK_STR(c, rt_str_upper(c, uni), "H\xc3\x89LLO \xe2\x82\xac!");
    CHECK_STR(c, rt_str_lower(c, S(c, "MiXeD \xc3\x89")), "mixed \xc3\xa9");
    CHECK_STR(c, rt_str_upper(c, S(c, "stra\xc3\x9f" "e")), "STRASSE");

    /* concat reuses a unique left operand in place (its contents, not necessarily its address) */
    pf_str *acc = rt_str_from_cstr(c, "");
    for (int i = 0; i < 100; i++) acc = rt_str_concat(c, acc, o);
    CHECK_INT(acc->len, 100);
    CHECK_INT(acc->h.rc, 1);
    rt_decref(&acc->h);
    pf_str *twice = rt_str_from_cstr(c, "ab");
    twice = rt_str_concat(c, twice, twice); /* s = s + s with s unique: must not read freed memory */
    CHECK_STR(c, twice, "abab");
    pf_str *parts3[3] = {rt_str_from_cstr(c, "a"), rt_str_from_cstr(c, "\xc3\xa9"), rt_str_from_cstr(c, "b")};
    CHECK_STR(c, rt_str_concat_n(c, 3, parts3), "a\xc3\xa9" "b");
    CHECK_STR(c, rt_str_repeat(c, S(c, "ab"), 3), "ababab");

    /* comparison and hashing */
    pf_str *h2 = S(c, "hello world");
    CHECK_INT(rt_str_eq(hello, h2), 1);
    CHECK(rt_str_hash(hello) == rt_str_hash(h2));
    CHECK(rt_str_cmp(S(c, "abc"), S(c, "abd")) < 0);
    CHECK(rt_str_cmp(S(c, "ab"), S(c, "a")) > 0);
    CHECK(rt_str_cmp(euro, o) > 0);

    /* int() and float() */
    CHECK_INT(rt_str_to_int(c, S(c, " -42 ")), -42);
    CHECK_INT(rt_str_to_int(c, S(c, "1_000")), 1000);
    CHECK_INT(rt_str_to_int(c, S(c, "9223372036854775807")), INT64_MAX);
    CHECK_INT(rt_str_to_int(c, S(c, "-9223372036854775808")), INT64_MIN);
    rt_str_to_int(c, S(c, "9223372036854775808"));
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);
    rt_str_to_int(c, S(c, "1e3"));
    CHECK_RAISED(c, PF_EXC_VALUE, "invalid literal for int() with base 10: '1e3'");
    rt_str_to_int(c, empty);
    CHECK_RAISED(c, PF_EXC_VALUE, "invalid literal for int() with base 10: ''");
    CHECK_INT(rt_str_to_int(c, S(c, "0000000000000000000000000000000000000000000000000000000000000000000000000000"
                                      "0000000000000000000000000000000000000000000000000000000000000000000000000042")), 42);
    CHECK(rt_str_to_float(c, S(c, "0.00000000000000000000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000000000000000000000000000000000000000000000000000000000000001e200")) == 1e50);
    CHECK(rt_str_to_float(c, S(c, " 1e3 ")) == 1000.0);
    CHECK(rt_str_to_float(c, S(c, "-inf")) < -1e308);
    CHECK(rt_str_to_float(c, S(c, "1_0.5")) == 10.5);
    rt_str_to_float(c, S(c, "abc"));
    CHECK_RAISED(c, PF_EXC_VALUE, "could not convert string to float: 'abc'");
    rt_str_to_float(c, S(c, "0x10"));
    CHECK_RAISED(c, PF_EXC_VALUE, "could not convert string to float: '0x10'");

    /* more methods (expected values printed by python3.11) */
    CHECK_STR(c, rt_str_center(c, S(c, "ab"), 5, NULL), "  ab ");
    CHECK_STR(c, rt_str_center(c, S(c, "ab"), 6, S(c, "*")), "**ab**");
    CHECK_STR(c, rt_str_center(c, S(c, "abc"), 6, NULL), " abc  ");
    CHECK_STR(c, rt_str_center(c, S(c, "a"), 4, NULL), " a  ");
    CHECK_STR(c, rt_str_ljust(c, S(c, "a"), 3, S(c, "\xc3\xa9")), "a\xc3\xa9\xc3\xa9");
    CHECK_STR(c, rt_str_rjust(c, S(c, "a"), 3, NULL), "  a");
    CHECK_STR(c, rt_str_zfill(c, S(c, "-42"), 6), "-00042");
    CHECK_STR(c, rt_str_zfill(c, S(c, "+x"), 4), "+00x");
    CHECK_STR(c, rt_str_title(c, S(c, "hello world_foo bAR")), "Hello World_Foo Bar");
    CHECK_STR(c, rt_str_title(c, S(c, "they're")), "They'Re");
    CHECK_STR(c, rt_str_capitalize(c, S(c, "hELLO")), "Hello");
    CHECK_STR(c, list_repr(c, rt_str_splitlines(c, S(c, "a\r\nb\nc\r"))), "['a', 'b', 'c']");
    CHECK_STR(c, list_repr(c, rt_str_splitlines(c, empty)), "[]");
    CHECK_STR(c, rt_str_removeprefix(c, hello, S(c, "hello ")), "world");
    CHECK_STR(c, rt_str_removesuffix(c, hello, S(c, "xx")), "hello world");
    CHECK_INT(rt_str_count(S(c, "aaa"), S(c, "aa")), 1);
    CHECK_INT(rt_str_count(S(c, "abc"), empty), 4);
    CHECK_INT(rt_str_rfind(uni, S(c, "l")), 3);
    CHECK_INT(rt_str_index_of(c, hello, wor), 6);
    rt_str_index_of(c, hello, euro);
    CHECK_RAISED(c, PF_EXC_VALUE, "substring not found");
    CHECK_INT(rt_str_isupper(S(c, "x")), 0);
    CHECK_INT(rt_str_isupper(S(c, "X1")), 1);
    CHECK_INT(rt_str_isdigit(S(c, "12")), 1);
    CHECK_INT(rt_str_isdigit(empty), 0);
    CHECK_INT(rt_str_isspace(S(c, " \t")), 1);
    CHECK_INT(rt_str_isalpha(S(c, "\xc3\xa9")), 1);
    CHECK_INT(rt_str_isalnum(S(c, "a1-")), 0);
    CHECK_INT(rt_str_islower(S(c, "abc1")), 1);

    /* ranges, counted replace, rsplit (python3.11 values) */
    pf_str *ho = S(c, "hell\xc3\xb6 w\xc3\xb6rld"), *l = S(c, "l"), *oe = S(c, "\xc3\xb6");
    CHECK_INT(rt_str_find_range(ho, l, 3, PF_NONE_IDX), 3);
    CHECK_INT(rt_str_find_range(ho, S(c, "h"), 1, PF_NONE_IDX), -1);
    CHECK_INT(rt_str_find_range(ho, empty, 11, PF_NONE_IDX), 11);
    CHECK_INT(rt_str_find_range(ho, empty, 12, PF_NONE_IDX), -1);
    CHECK_INT(rt_str_find_range(ho, oe, -3, PF_NONE_IDX), -1);
    CHECK_INT(rt_str_find_range(ho, oe, -5, PF_NONE_IDX), 7);
    CHECK_INT(rt_str_find_range(ho, l, 2, 3), 2);
    CHECK_INT(rt_str_find_range(ho, l, 2, 2), -1);
    CHECK_INT(rt_str_rfind_range(ho, l, 0, 4), 3);
    CHECK_INT(rt_str_count_range(ho, l, 3, PF_NONE_IDX), 2);
    CHECK_INT(rt_str_find_range(ho, empty, 3, 2), -1);
    CHECK_INT(rt_str_rfind_range(ho, empty, PF_NONE_IDX, PF_NONE_IDX), 11);
    CHECK_INT(rt_str_count_range(ho, empty, 2, 5), 4);
    CHECK_STR(c, rt_str_replace_n(c, S(c, "banana"), S(c, "an"), S(c, "AN"), 1), "bANana");
    CHECK_STR(c, rt_str_replace_n(c, S(c, "aaaa"), S(c, "a"), S(c, "b"), 2), "bbaa");
    CHECK_STR(c, rt_str_replace_n(c, S(c, "ab"), empty, dash, 2), "-a-b");
    CHECK_STR(c, rt_str_replace_n(c, S(c, "ab"), empty, dash, 0), "ab");
    CHECK_STR(c, list_repr(c, rt_str_rsplit(c, S(c, "a,b,c"), comma, 1)), "['a,b', 'c']");
    CHECK_STR(c, list_repr(c, rt_str_rsplit(c, S(c, " a b  c "), NULL, 1)), "[' a b', 'c']");
    CHECK_STR(c, list_repr(c, rt_str_rsplit(c, S(c, "a,b"), comma, -1)), "['a', 'b']");

    /* chr / ord / list(str) */
    CHECK_STR(c, pf_chr(c, 0x20AC), "\xe2\x82\xac");
    CHECK_INT(pf_ord(c, euro), 0x20AC);
    pf_list *chars = pf_list_of_str(c, uni);
    CHECK_INT(chars->len, 8);
    CHECK_STR(c, list_repr(c, chars), "['h', '\xc3\xa9', 'l', 'l', 'o', ' ', '\xe2\x82\xac', '!']");

    CHECK(ctx.exc == NULL);
    free_pool();
}

int main(int argc, char **argv) {
    (void)argc;
    return run_checking_leaks("test_value_str", argv, run);
}
