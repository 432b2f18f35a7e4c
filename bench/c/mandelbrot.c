/* Benchmark reference: mandelbrot (Benchmarks Game) with the algorithm of bench/pf/mandelbrot.pf:
 * N x N pixels packed 8 to a byte; prints the points inside and a checksum of the bytes.
 * Usage: mandelbrot [n] (default 2000). Built with cc -O2. */
#include <stdio.h>
#include <stdlib.h>

static int in_set(double cr, double ci) {
    double zr = 0.0, zi = 0.0, tr = 0.0, ti = 0.0;
    int i = 0;
    while (i < 50 && tr + ti <= 4.0) {
        zi = 2.0 * zr * zi + ci;
        zr = tr - ti + cr;
        tr = zr * zr;
        ti = zi * zi;
        i = i + 1;
    }
    return tr + ti <= 4.0;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 2000;
    long row_len = (n + 7) / 8;
    unsigned char *bytes = malloc(n * row_len);
    if (!bytes)
        return 1;
    for (long y = 0; y < n; y++) {
        double ci = 2.0 * y / n - 1.0;
        for (long x0 = 0; x0 < n; x0 += 8) {
            int b = 0;
            for (long x = x0; x < x0 + 8; x++) {
                b = b * 2;
                if (x < n && in_set(2.0 * x / n - 1.5, ci))
                    b = b + 1;
            }
            bytes[y * row_len + x0 / 8] = (unsigned char)b;
        }
    }
    long inside = 0, h = 0;
    for (long i = 0; i < n * row_len; i++) {
        inside += __builtin_popcount(bytes[i]);
        h = (h * 31 + bytes[i]) % 1000000007;
    }
    printf("%ld points inside, checksum %ld\n", inside, h);
    free(bytes);
    return 0;
}
