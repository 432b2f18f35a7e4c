/* Numbers, exceptions and the math module against CPython 3.11: floor division and modulo
 * signs, checked int64 arithmetic, float // % ** special cases and messages, round(), int() of
 * floats, exception hierarchy matching, traceback printing, and math domain/range errors. */
#include <math.h>

#include "runtime/value.h"
#include "stdlib/builtins.h"
#include "tests/unit/test_value_check.h"

#define CHECK_F(expr, want)                                                                          \
    do {                                                                                             \
        double got_ = (expr), want_ = (want);                                                        \
        if (!(got_ == want_ && signbit(got_) == signbit(want_)) && !(isnan(got_) && isnan(want_))) { \
            fprintf(stderr, "%s:%d: %s: expected %.17g but got %.17g\n", __FILE__, __LINE__, #expr,   \
                    want_, got_);                                                                    \
            failures++;                                                                              \
        }                                                                                            \
    } while (0)

static void run(void) {
    pf_ctx ctx = {0};
    pf_ctx *c = &ctx;

    /* ints: Python // and % signs */
    CHECK_INT(rt_int_floordiv(c, 7, -2), -4);
    CHECK_INT(rt_int_floordiv(c, -7, 2), -4);
    CHECK_INT(rt_int_mod(c, 7, -2), -1);
    CHECK_INT(rt_int_mod(c, -7, 2), 1);
    CHECK_INT(rt_int_floordiv(c, -5, 3), -2);
    CHECK_INT(rt_int_mod(c, 5, -3), -1);
    CHECK_INT(rt_int_mod(c, INT64_MIN, -1), 0);
    rt_int_floordiv(c, 1, 0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "integer division or modulo by zero");
    rt_int_mod(c, 1, 0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "integer modulo by zero");
    rt_int_floordiv(c, INT64_MIN, -1);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);
    CHECK_INT(rt_int_pow(c, 2, 62), 4611686018427387904LL);
    CHECK_INT(rt_int_pow(c, -3, 3), -27);
    CHECK_INT(rt_int_pow(c, 0, 0), 1);
    CHECK_INT(rt_int_pow(c, -1, 1LL << 40), 1);
    rt_int_pow(c, 2, 63);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);
    rt_int_pow(c, 0, -1);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "0.0 cannot be raised to a negative power");
    CHECK_F(rt_int_pow_neg(c, 2, -1), 0.5);
    CHECK_F(rt_int_truediv(c, 1, 3), 1.0 / 3);
    CHECK_F(rt_int_truediv(c, 9007199254740993LL, 1), 9007199254740992.0);
    rt_int_truediv(c, 1, 0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "division by zero");
    CHECK_INT(rt_int_abs(c, -5), 5);
    rt_int_abs(c, INT64_MIN);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);

    CHECK_INT(rt_int_lshift(c, 1, 62), 1LL << 62);
    CHECK_INT(rt_int_lshift(c, -1, 63), INT64_MIN);
    rt_int_lshift(c, 1, 63);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);
    rt_int_lshift(c, 3, -1);
    CHECK_RAISED(c, PF_EXC_VALUE, "negative shift count");
    CHECK_INT(rt_int_rshift(c, -7, 1), -4);
    CHECK_INT(rt_int_rshift(c, -7, 100), -1);

    /* floats */
    CHECK_F(rt_float_floordiv(c, 7.5, -2), -4.0);
    CHECK_F(rt_float_mod(c, -7.5, 2), 0.5);
    CHECK_F(rt_float_floordiv(c, -0.0, 1.0), -0.0);
    CHECK_F(rt_float_mod(c, 0.0, -1.0), -0.0);
    CHECK_F(rt_float_mod(c, -1.0, 1.0), 0.0);
    CHECK_F(rt_float_floordiv(c, 6.0, 0.1), 59.0);
    CHECK_F(rt_float_mod(c, 6.0, 0.1), 0.09999999999999967);
    rt_float_floordiv(c, 1.0, 0.0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "float floor division by zero");
    rt_float_mod(c, 1.0, 0.0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "float modulo");
    rt_float_div(c, 1.0, 0.0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "float division by zero");
    CHECK_F(rt_float_pow(c, 2.0, -1), 0.5);
    CHECK_F(rt_float_pow(c, -2.0, 3), -8.0);
    CHECK_F(rt_float_pow(c, NAN, 0.0), 1.0);
    rt_float_pow(c, 0.0, -1.0);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "0.0 cannot be raised to a negative power");
    rt_float_pow(c, 10.0, 400.0);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, "(34, 'Numerical result out of range')");

    /* round and int() */
    CHECK_INT(rt_float_round(c, 2.5), 2);
    CHECK_INT(rt_float_round(c, 3.5), 4);
    CHECK_INT(rt_float_round(c, -0.5), 0);
    CHECK_F(rt_float_round_n(c, 2.675, 2), 2.67);
    CHECK_F(rt_float_round_n(c, 1234.5678, -2), 1200.0);
    CHECK_F(rt_float_round_n(c, 0.5, 0), 0.0);
    CHECK_F(rt_float_round_n(c, 1e300, 2), 1e300);
    CHECK_F(rt_float_round_n(c, 5e-324, 300), 0.0);
    CHECK_F(rt_float_round_n(c, 123.456, 1), 123.5);
    CHECK_F(rt_float_round_n(c, -0.0, 1), -0.0);
    CHECK_F(rt_float_round_n(c, 150.0, -2), 200.0);
    CHECK_F(rt_float_round_n(c, 250.0, -2), 200.0);
    CHECK_INT(rt_int_round_n(c, 15, -1), 20);
    CHECK_INT(rt_int_round_n(c, 25, -1), 20);
    CHECK_INT(rt_int_round_n(c, -15, -1), -20);
    CHECK_INT(rt_int_round_n(c, 1234, 2), 1234);
    rt_float_round(c, INFINITY);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, "cannot convert float infinity to integer");
    rt_float_to_int(c, NAN);
    CHECK_RAISED(c, PF_EXC_VALUE, "cannot convert float NaN to integer");
    CHECK_INT(rt_float_to_int(c, -3.9), -3);
    rt_float_to_int(c, 1e30);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, NULL);

    /* sums: CPython 3.11 adds left to right */
    double tenth[10];
    for (int i = 0; i < 10; i++) tenth[i] = 0.1;
    CHECK_F(rt_float_sum(tenth, 10), 0.9999999999999999);
    /* longer: blocks of 1024 summed left to right, then ((b0 + b1) + b2), as rt_reduce combines */
    enum { N3 = 3 * 1024 - 5 };
    static double big[N3];
    big[0] = 1e16; /* (1e16 + 1) + 1 == 1e16, while 1e16 + (1 + 1) == 1e16 + 2 */
    big[1024] = 1.0;
    big[2048] = 1.0;
    CHECK_F(rt_float_sum(big, N3), 1e16);
    CHECK_F(rt_float_sum(big, 0), 0.0);

    /* math */
    CHECK_F(pf_math_sqrt(c, 2), 1.4142135623730951);
    CHECK_F(pf_math_log_base(c, 8, 2), 3.0);
    CHECK_F(pf_math_exp(c, 1), 2.718281828459045);
    CHECK_INT(pf_math_floor(c, -2.5), -3);
    CHECK_INT(pf_math_ceil(c, -2.5), -2);
    CHECK_F(pf_math_hypot(c, 3, 4), 5.0);
    CHECK_F(pf_math_atan2(c, 1, 1), 0.7853981633974483);
    pf_math_sqrt(c, -1);
    CHECK_RAISED(c, PF_EXC_VALUE, "math domain error");
    pf_math_log(c, 0);
    CHECK_RAISED(c, PF_EXC_VALUE, "math domain error");
    pf_math_exp(c, 1000);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, "math range error");
    pf_math_sin(c, INFINITY);
    CHECK_RAISED(c, PF_EXC_VALUE, "math domain error");
    pf_math_pow(c, 0, -1);
    CHECK_RAISED(c, PF_EXC_VALUE, "math domain error");
    pf_math_log_base(c, 10, 1);
    CHECK_RAISED(c, PF_EXC_ZERODIV, "float division by zero");
    pf_math_floor(c, INFINITY);
    CHECK_RAISED(c, PF_EXC_OVERFLOW, "cannot convert float infinity to integer");
    pf_math_factorial(c, -1);
    CHECK_RAISED(c, PF_EXC_VALUE, "factorial() not defined for negative values");
    CHECK_INT(pf_math_factorial(c, 20), 2432902008176640000LL);
    CHECK_INT(pf_math_gcd(c, -12, 18), 6);

    /* random: the numbers python3.11 draws after the same seed */
    pf_rng rng;
    pf_random_seed(&rng, 42);
    CHECK_F(pf_random_random(&rng), 0.6394267984578837);
    CHECK_F(pf_random_random(&rng), 0.025010755222666936);
    pf_random_seed(&rng, 42);
    int64_t want_ri[] = {82, 15, 4, 95, 36};
    for (int i = 0; i < 5; i++) CHECK_INT(pf_random_randint(c, &rng, 1, 100), want_ri[i]);
    pf_random_seed(&rng, 12345678901234);
    CHECK_F(pf_random_random(&rng), 0.02504137575317178);
    CHECK_INT(pf_random_randint(c, &rng, -5, 5), -3);
    CHECK_F(pf_random_uniform(&rng, 1.5, 2.5), 2.325350086586161);
    CHECK_F(pf_random_gauss(&rng, 0, 1), -2.54798089545509);
    CHECK_F(pf_random_gauss(&rng, 0, 1), -0.4833446914713898);
    CHECK_F(pf_random_gauss(&rng, 10, 2), 7.888201168005994);
    pf_random_seed(&rng, -7);
    CHECK_F(pf_random_random(&rng), 0.32383276483316237);
    pf_random_seed(&rng, 0);
    CHECK_INT(pf_random_randint(c, &rng, 0, 1LL << 40), 849735321549LL);
    CHECK_INT(pf_random_choice_index(c, &rng, 3), 1);
    pf_random_randint(c, &rng, 5, 4);
    CHECK_RAISED(c, PF_EXC_VALUE, "empty range for randrange() (5, 5, 0)");
    pf_random_choice_index(c, &rng, 0);
    CHECK_RAISED(c, PF_EXC_INDEX, "Cannot choose from an empty sequence");

    /* the module table the compiler resolves math.* against */
    const pf_module_fn *lg = pf_module_find("math", "log", 2);
    CHECK(lg && lg->addr == (void *)&pf_math_log_base && strcmp(lg->params, "dd") == 0);
    CHECK(pf_module_find("math", "floor", 1) && strcmp(pf_module_find("math", "floor", 1)->ret, "l") == 0);
    CHECK(pf_module_find("math", "nosuch", -1) == NULL);
    CHECK(pf_module_find_const("math", "pi") && pf_module_find_const("math", "pi")->value == 3.141592653589793);
    CHECK(pf_module_exists("math") && !pf_module_exists("os"));

    /* exception hierarchy */
    CHECK(rt_exc_matches(PF_EXC_ZERODIV, PF_EXC_ARITHMETIC));
    CHECK(rt_exc_matches(PF_EXC_OVERFLOW, PF_EXC_ARITHMETIC));
    CHECK(rt_exc_matches(PF_EXC_KEY, PF_EXC_LOOKUP));
    CHECK(rt_exc_matches(PF_EXC_RECURSION, PF_EXC_RUNTIME));
    CHECK(rt_exc_matches(PF_EXC_VALUE, PF_EXC_EXCEPTION));
    CHECK(!rt_exc_matches(PF_EXC_KEYBOARDINTERRUPT, PF_EXC_EXCEPTION));
    CHECK(!rt_exc_matches(PF_EXC_INTERRUPTED, PF_EXC_EXCEPTION));
    CHECK(rt_exc_matches(PF_EXC_KEYBOARDINTERRUPT, PF_EXC_BASE));
    CHECK(!rt_exc_matches(PF_EXC_INDEX, PF_EXC_KEY));

    /* raise, unwind through frames, print as CPython, catch */
    rt_int_floordiv(c, 1, 0);
    rt_exc_add_frame(c, "x.pf", 2, "f");
    rt_exc_add_frame(c, "x.pf", 5, "<module>");
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    rt_exc_print(c->exc, mem);
    fclose(mem);
    const char *want = "Traceback (most recent call last):\n"
                       "  File \"x.pf\", line 5, in <module>\n"
                       "  File \"x.pf\", line 2, in f\n"
                       "ZeroDivisionError: integer division or modulo by zero\n";
    if (strcmp(out, want) != 0) {
        fprintf(stderr, "traceback: expected\n%s--- got\n%s", want, out);
        failures++;
    }
    free(out);
    CHECK(rt_exc_catch(c, PF_EXC_LOOKUP) == NULL); /* does not match: stays pending */
    pf_exc *e = rt_exc_catch(c, PF_EXC_ARITHMETIC);
    CHECK(e != NULL && c->exc == NULL);
    CHECK_STR(c, rt_exc_str(c, e), "integer division or modulo by zero");
    CHECK_STR(c, rt_exc_repr(c, e), "ZeroDivisionError('integer division or modulo by zero')");
    rt_decref(&e->h);
    pf_str *key = rt_str_from_cstr(c, "k");
    rt_raise_key(c, PF_SLOT_OBJ(key), &pf_type_str);
    rt_decref(&key->h);
    CHECK_STR(c, rt_exc_repr(c, c->exc), "KeyError('k')");
    CHECK_RAISED(c, PF_EXC_KEY, "'k'");
    rt_raise_msg(c, PF_EXC_KEY, rt_str_from_cstr(c, "custom")); /* raise KeyError("custom") */
    CHECK_RAISED(c, PF_EXC_KEY, "'custom'");
    rt_raise_msg(c, PF_EXC_VALUE, NULL); /* raise ValueError */
    mem = open_memstream(&out, &outlen);
    rt_exc_print(c->exc, mem);
    fclose(mem);
    CHECK(strcmp(out, "ValueError\n") == 0);
    free(out);
    CHECK_STR(c, rt_exc_repr(c, c->exc), "ValueError()");
    rt_exc_clear(c);
    rt_raise_nomem(c); /* preallocated, immortal: frames are dropped, clearing frees nothing */
    rt_exc_add_frame(c, "x.pf", 1, "f");
    CHECK_INT(c->exc->nframes, 0);
    CHECK_RAISED(c, PF_EXC_MEMORY, NULL);
    CHECK(ctx.exc == NULL);
}

int main(int argc, char **argv) {
    (void)argc;
    return run_checking_leaks("test_value_num", argv, run);
}
