/* The random module, bit-compatible with CPython 3.11: MT19937 (init_genrand/init_by_array),
 * random.seed(int) keyed by the absolute value's 32-bit words, random() from two draws (53
 * bits), randint through getrandbits with rejection, uniform, gauss with its cached pair. */
#include <math.h>

#include "stdlib/builtins.h"

enum { MT_N = 624, MT_M = 397 };

static void init_genrand(pf_rng *r, uint32_t s) {
    r->mt[0] = s;
    for (int i = 1; i < MT_N; i++) r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->idx = MT_N;
}

static void init_by_array(pf_rng *r, const uint32_t *key, int len) {
    init_genrand(r, 19650218u);
    int i = 1, j = 0;
    for (int k = MT_N > len ? MT_N : len; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++, j++;
        if (i >= MT_N) r->mt[0] = r->mt[MT_N - 1], i = 1;
        if (j >= len) j = 0;
    }
    for (int k = MT_N - 1; k; k--) {
        r->mt[i] = (r->mt[i] ^ ((r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= MT_N) r->mt[0] = r->mt[MT_N - 1], i = 1;
    }
    r->mt[0] = 0x80000000u;
}

static uint32_t genrand(pf_rng *r) {
    if (r->idx >= MT_N) {
        for (int k = 0; k < MT_N; k++) {
            uint32_t y = (r->mt[k] & 0x80000000u) | (r->mt[(k + 1) % MT_N] & 0x7fffffffu);
            r->mt[k] = r->mt[(k + MT_M) % MT_N] ^ (y >> 1) ^ (y & 1 ? 0x9908b0dfu : 0);
        }
        r->idx = 0;
    }
    uint32_t y = r->mt[r->idx++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

void pf_random_seed(pf_rng *r, int64_t seed) {
    uint64_t u = seed < 0 ? 0 - (uint64_t)seed : (uint64_t)seed;
    uint32_t key[2] = {(uint32_t)u, (uint32_t)(u >> 32)};
    init_by_array(r, key, key[1] ? 2 : 1);
    r->has_gauss = 0;
    r->gauss_next = 0;
}

double pf_random_random(pf_rng *r) {
    uint32_t a = genrand(r) >> 5, b = genrand(r) >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* getrandbits(k) for 1 <= k <= 64: little-endian 32-bit words, the last one shifted */
static uint64_t getrandbits(pf_rng *r, int k) {
    if (k <= 32) return genrand(r) >> (32 - k);
    uint64_t lo = genrand(r);
    uint64_t hi = genrand(r) >> (64 - k);
    return lo | hi << 32;
}

static uint64_t randbelow(pf_rng *r, uint64_t n) {
    int k = 64 - __builtin_clzll(n); /* n.bit_length() */
    uint64_t v = getrandbits(r, k);
    while (v >= n) v = getrandbits(r, k);
    return v;
}

int64_t pf_random_randint(pf_ctx *ctx, pf_rng *r, int64_t a, int64_t b) {
    if (a > b)
        return rt_raise(ctx, PF_EXC_VALUE, "empty range for randrange() (%lld, %lld, %lld)", (long long)a,
                        (long long)b + 1, (long long)(b + 1 - a));
    uint64_t width = (uint64_t)b - (uint64_t)a + 1;
    if (width == 0) return (int64_t)((uint64_t)a + getrandbits(r, 64)); /* the full int64 range */
    return (int64_t)((uint64_t)a + randbelow(r, width));
}

double pf_random_uniform(pf_rng *r, double a, double b) { return a + (b - a) * pf_random_random(r); }

double pf_random_gauss(pf_rng *r, double mu, double sigma) {
    double z;
    if (r->has_gauss) {
        z = r->gauss_next;
        r->has_gauss = 0;
    } else {
        double x2pi = pf_random_random(r) * 6.283185307179586;
        double g2rad = sqrt(-2.0 * log(1.0 - pf_random_random(r)));
        z = cos(x2pi) * g2rad;
        r->gauss_next = sin(x2pi) * g2rad;
        r->has_gauss = 1;
    }
    return mu + z * sigma;
}

int64_t pf_random_choice_index(pf_ctx *ctx, pf_rng *r, int64_t n) {
    if (n <= 0) return rt_raise(ctx, PF_EXC_INDEX, "Cannot choose from an empty sequence");
    return (int64_t)randbelow(r, (uint64_t)n);
}
