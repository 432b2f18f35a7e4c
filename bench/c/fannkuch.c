/* Benchmark reference: fannkuch-redux (Benchmarks Game) with the algorithm of bench/pf/fannkuch.pf,
 * in place (the pf version rebuilds lists; pf's in-place reuse of unique values should close the gap).
 * Usage: fannkuch [n] (default 10). Built with cc -O2. */
#include <stdio.h>
#include <stdlib.h>

#define MAXN 16

static int count_flips(const int *perm1, int n) {
    int p[MAXN];
    for (int i = 0; i < n; i++)
        p[i] = perm1[i];
    int flips = 0, k = p[0];
    while (k != 0) {
        for (int lo = 0, hi = k; lo < hi; lo++, hi--) {
            int t = p[lo];
            p[lo] = p[hi];
            p[hi] = t;
        }
        flips = flips + 1;
        k = p[0];
    }
    return flips;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 10;
    if (n < 1 || n > MAXN)
        return 1;
    int perm1[MAXN], count[MAXN];
    for (int i = 0; i < n; i++) {
        perm1[i] = i;
        count[i] = 0;
    }
    int max_flips = 0, r = n;
    long checksum = 0, perm_count = 0;
    for (;;) {
        while (r != 1) {
            count[r - 1] = r;
            r = r - 1;
        }
        int flips = count_flips(perm1, n);
        if (flips > max_flips)
            max_flips = flips;
        checksum += perm_count % 2 == 0 ? flips : -flips;
        for (;;) {
            if (r == n) {
                printf("%ld\nPfannkuchen(%d) = %d\n", checksum, n, max_flips);
                return 0;
            }
            int perm0 = perm1[0];
            for (int i = 0; i < r; i++)
                perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r] = count[r] - 1;
            if (count[r] > 0)
                break;
            r = r + 1;
        }
        perm_count = perm_count + 1;
    }
}
