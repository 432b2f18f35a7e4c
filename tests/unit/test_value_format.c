/* Runtime formatting against CPython 3.11's output: repr(float) (shortest round-trip), repr of
 * strings (quote choice, escapes), containers, and format(v, spec) for the f-string specs. */
#include <math.h>

#include "runtime/value.h"
#include "tests/unit/test_value_check.h"

static const struct {
    double v;
    const char *repr;
} floats[] = {
    {0.1, "0.1"},
    {0.2 + 0.1, "0.30000000000000004"},
    {1e16, "1e+16"},
    {1e-05, "1e-05"},
    {1e-4, "0.0001"},
    {100.0, "100.0"},
    {-0.0, "-0.0"},
    {0.0, "0.0"},
    {1.0 / 3, "0.3333333333333333"},
    {2.0 / 3, "0.6666666666666666"},
    {1e22, "1e+22"},
    {1e23, "1e+23"},
    {123456789012345678.0, "1.2345678901234568e+17"},
    {5e-324, "5e-324"},
    {1.7976931348623157e308, "1.7976931348623157e+308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308"},
    {0.3, "0.3"},
    {1.1, "1.1"},
    {9007199254740993.0, "9007199254740992.0"},
    {1234567890123456.7, "1234567890123456.8"},
    {12345678901234567.0, "1.2345678901234568e+16"},
    {3.141592653589793, "3.141592653589793"},
    {1e301, "1e+301"},
    {-1.5, "-1.5"},
    {4.35, "4.35"},
    {0.000123, "0.000123"},
    {1.0e-7, "1e-07"},
    {INFINITY, "inf"},
    {-INFINITY, "-inf"},
    {NAN, "nan"},
    {1.4142135623730951, "1.4142135623730951"},
    {100.5, "100.5"},
    {1e15, "1000000000000000.0"},
    {999999999999999.9, "999999999999999.9"},
    {2.5e-5, "2.5e-05"},
};

static pf_str *lit(pf_ctx *ctx, const char *s) { return rt_str_from_cstr(ctx, s); }

static pf_str *fmt(pf_ctx *ctx, pf_slot v, const pf_type *t, const char *spec) {
    pf_str *sp = lit(ctx, spec);
    pf_str *r = rt_format(ctx, v, t, sp);
    rt_decref(&sp->h);
    return r;
}

static pf_str *fmt_str(pf_ctx *ctx, const char *s, const char *spec) {
    pf_str *x = lit(ctx, s);
    pf_str *r = fmt(ctx, PF_SLOT_OBJ(x), &pf_type_str, spec);
    rt_decref(&x->h);
    return r;
}

static pf_str *repr_of(pf_ctx *ctx, const char *s) {
    pf_str *x = lit(ctx, s);
    pf_str *r = rt_str_repr(ctx, x);
    rt_decref(&x->h);
    return r;
}

#define F(x) pf_slot_from_float(x)

static void run(void) {
    pf_ctx ctx = {0};

    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        CHECK_STR(&ctx, rt_str_from_float(&ctx, floats[i].v), floats[i].repr);
    CHECK_STR(&ctx, rt_str_from_int(&ctx, INT64_MIN), "-9223372036854775808");
    CHECK_STR(&ctx, rt_str_from_int(&ctx, 42), "42");
    CHECK_STR(&ctx, rt_str_from_bool(&ctx, 1), "True");

    /* str repr: Python's quote choice and escapes */
    CHECK_STR(&ctx, repr_of(&ctx, "abc"), "'abc'");
    CHECK_STR(&ctx, repr_of(&ctx, "it's"), "\"it's\"");
    CHECK_STR(&ctx, repr_of(&ctx, "say \"hi\""), "'say \"hi\"'");
    CHECK_STR(&ctx, repr_of(&ctx, "both ' and \""), "'both \\' and \"'");
    CHECK_STR(&ctx, repr_of(&ctx, "tab\tnl\nback\\"), "'tab\\tnl\\nback\\\\'");
    CHECK_STR(&ctx, repr_of(&ctx, "\x01\x7f"), "'\\x01\\x7f'");
    CHECK_STR(&ctx, repr_of(&ctx, "caf\xc3\xa9 \xe2\x82\xac"), "'caf\xc3\xa9 \xe2\x82\xac'");
    CHECK_STR(&ctx, repr_of(&ctx, "\xc2\xa0"), "'\\xa0'");

    /* format specs (expected strings printed by python3.11) */
    CHECK_STR(&ctx, fmt(&ctx, 1, &pf_type_bool, ">5"), "    1");
    CHECK_STR(&ctx, fmt(&ctx, 1, &pf_type_bool, ""), "True");
    CHECK_STR(&ctx, fmt(&ctx, F(1.0), &pf_type_float, ".3"), "1.0");
    CHECK_STR(&ctx, fmt(&ctx, F(12.0), &pf_type_float, ".3"), "12.0");
    CHECK_STR(&ctx, fmt(&ctx, F(123.0), &pf_type_float, ".3"), "1.23e+02");
    CHECK_STR(&ctx, fmt(&ctx, F(1e16), &pf_type_float, ".3"), "1e+16");
    CHECK_STR(&ctx, fmt(&ctx, F(1234567.0), &pf_type_float, ","), "1,234,567.0");
    CHECK_STR(&ctx, fmt(&ctx, F(1e16), &pf_type_float, ","), "1e+16");
    CHECK_STR(&ctx, fmt(&ctx, F(0.5), &pf_type_float, ".3"), "0.5");
    CHECK_STR(&ctx, fmt(&ctx, 1234, &pf_type_int, "08,"), "0,001,234");
    CHECK_STR(&ctx, fmt(&ctx, 1234, &pf_type_int, "010,"), "00,001,234");
    CHECK_STR(&ctx, fmt(&ctx, -1234, &pf_type_int, "010,"), "-0,001,234");
    CHECK_STR(&ctx, fmt(&ctx, F(NAN), &pf_type_float, "+"), "+nan");
    CHECK_STR(&ctx, fmt(&ctx, F(INFINITY), &pf_type_float, "F"), "INF");
    CHECK_STR(&ctx, fmt(&ctx, F(1.5), &pf_type_float, "%"), "150.000000%");
    CHECK_STR(&ctx, fmt(&ctx, F(0.25), &pf_type_float, ".1%"), "25.0%");
    CHECK_STR(&ctx, fmt(&ctx, 255, &pf_type_int, "#x"), "0xff");
    CHECK_STR(&ctx, fmt(&ctx, 255, &pf_type_int, "#010x"), "0x000000ff");
    CHECK_STR(&ctx, fmt(&ctx, 255, &pf_type_int, "_b"), "1111_1111");
    CHECK_STR(&ctx, fmt(&ctx, F(1e-5), &pf_type_float, "g"), "1e-05");
    CHECK_STR(&ctx, fmt(&ctx, F(123456789.0), &pf_type_float, "g"), "1.23457e+08");
    CHECK_STR(&ctx, fmt(&ctx, F(1.0), &pf_type_float, "g"), "1");
    CHECK_STR(&ctx, fmt(&ctx, F(0.0), &pf_type_float, ".0e"), "0e+00");
    CHECK_STR(&ctx, fmt(&ctx, F(2.5), &pf_type_float, ".0f"), "2");
    CHECK_STR(&ctx, fmt(&ctx, F(-0.0), &pf_type_float, "f"), "-0.000000");
    CHECK_STR(&ctx, fmt(&ctx, F(-0.0), &pf_type_float, ""), "-0.0");
    CHECK_STR(&ctx, fmt(&ctx, 3, &pf_type_int, "e"), "3.000000e+00");
    CHECK_STR(&ctx, fmt(&ctx, 3, &pf_type_int, ".2f"), "3.00");
    CHECK_STR(&ctx, fmt_str(&ctx, "ab", "^7"), "  ab   ");
    CHECK_STR(&ctx, fmt_str(&ctx, "ab", "*>5"), "***ab");
    CHECK_STR(&ctx, fmt_str(&ctx, "hello", ".2"), "he");
    CHECK_STR(&ctx, fmt_str(&ctx, "ab", "<10"), "ab        ");
    CHECK_STR(&ctx, fmt_str(&ctx, "\xc3\xa9t\xc3\xa9", ">5"), "  \xc3\xa9t\xc3\xa9");
    CHECK_STR(&ctx, fmt(&ctx, F(12345.678), &pf_type_float, ",.2f"), "12,345.68");
    CHECK_STR(&ctx, fmt(&ctx, F(1e100), &pf_type_float, ""), "1e+100");
    CHECK_STR(&ctx, fmt(&ctx, F(1e22), &pf_type_float, "f"), "10000000000000000000000.000000");
    CHECK_STR(&ctx, fmt(&ctx, F(0.1), &pf_type_float, ".20f"), "0.10000000000000000555");
    CHECK_STR(&ctx, fmt(&ctx, 5, &pf_type_int, "+"), "+5");
    CHECK_STR(&ctx, fmt(&ctx, 5, &pf_type_int, " "), " 5");
    CHECK_STR(&ctx, fmt(&ctx, -5, &pf_type_int, " 5"), "   -5");
    CHECK_STR(&ctx, fmt(&ctx, 42, &pf_type_int, ">5"), "   42");
    CHECK_STR(&ctx, fmt(&ctx, 42, &pf_type_int, "05d"), "00042");
    CHECK_STR(&ctx, fmt(&ctx, 1234567, &pf_type_int, ","), "1,234,567");
    CHECK_STR(&ctx, fmt(&ctx, F(123.456), &pf_type_float, "10.2e"), "  1.23e+02");
    CHECK_STR(&ctx, fmt(&ctx, F(3.14159), &pf_type_float, ".3f"), "3.142");
    CHECK_STR(&ctx, fmt(&ctx, F(1234.5), &pf_type_float, ".2"), "1.2e+03");
    CHECK_STR(&ctx, fmt(&ctx, F(100.0), &pf_type_float, ".1"), "1e+02");
    CHECK_STR(&ctx, fmt(&ctx, F(0.0001), &pf_type_float, ".3"), "0.0001");
    CHECK_STR(&ctx, fmt(&ctx, F(1e-5), &pf_type_float, ".3"), "1e-05");
    CHECK_STR(&ctx, fmt(&ctx, 65, &pf_type_int, "c"), "A");
    CHECK_STR(&ctx, fmt(&ctx, -7, &pf_type_int, "=+6"), "-    7");
    CHECK_STR(&ctx, fmt(&ctx, F(3.14159), &pf_type_float, "*^12.3f"), "***3.142****");
    CHECK_STR(&ctx, fmt(&ctx, F(1.5), &pf_type_float, "n"), "1.5");
    CHECK_STR(&ctx, fmt(&ctx, F(2.675), &pf_type_float, ".2f"), "2.67");
    CHECK_STR(&ctx, fmt(&ctx, F(0.5), &pf_type_float, ".0f"), "0");
    CHECK_STR(&ctx, fmt(&ctx, F(1.5), &pf_type_float, ".0f"), "2");
    /* regressions found by comparing 28,000 random specs with python3 */
    CHECK_STR(&ctx, fmt(&ctx, -223, &pf_type_int, "<012o"), "-33700000000");
    CHECK_STR(&ctx, fmt(&ctx, -172, &pf_type_int, "^06"), "0-1720");
    CHECK_STR(&ctx, fmt(&ctx, F(0.0), &pf_type_float, "#13.7"), "     0.000000");
    CHECK_STR(&ctx, fmt(&ctx, F(60.0), &pf_type_float, "#.0"), "6.e+01");
    CHECK_STR(&ctx, fmt(&ctx, F(INFINITY), &pf_type_float, "<012.6G"), "INF000000000");
    CHECK_STR(&ctx, fmt(&ctx, 556, &pf_type_int, "0=14,g"), "00,000,000,556");
    CHECK_STR(&ctx, fmt(&ctx, F(-0.508385), &pf_type_float, "0= 13_f"), "-0_000.508385");
    CHECK_STR(&ctx, fmt(&ctx, 0, &pf_type_int, "0=6_X"), "0_0000");
    CHECK(fmt(&ctx, 5, &pf_type_int, ".2d") == NULL);
    CHECK_RAISED(&ctx, PF_EXC_VALUE, "Precision not allowed in integer format specifier");
    CHECK(fmt(&ctx, 0, &pf_type_none, ">5") == NULL);
    CHECK_RAISED(&ctx, PF_EXC_TYPE, "unsupported format string passed to NoneType.__format__");
    CHECK_STR(&ctx, fmt(&ctx, 0, &pf_type_none, ""), "None");
    CHECK(fmt_str(&ctx, "x", "+") == NULL);
    CHECK_RAISED(&ctx, PF_EXC_VALUE, "Sign not allowed in string format specifier");

    CHECK(ctx.exc == NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    return run_checking_leaks("test_value_format", argv, run);
}
