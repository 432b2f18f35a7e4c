/* Benchmark reference: naive recursive fib(n), the same algorithm as bench/pf/fib.pf.
 * Usage: fib [n] (default 38). Built by bench/run.py with cc -O2. */
#include <stdio.h>
#include <stdlib.h>

static long fib(long n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 38;
    printf("%ld\n", fib(n));
    return 0;
}
