/* Benchmark reference: the nearest-neighbour kernel of bench/pf/nearest.pf — hash-generated 3-D
 * points, each assigned to the first nearest of 32 centres by squared distance summed left to right.
 * Usage: nearest [n] (default 500000). Built with cc -O2. */
#include <stdio.h>
#include <stdlib.h>

#define DIM 3
#define N_CENTERS 32

static double coord(long k, long seed) {
    long h = ((k + seed * 1000003) * 2654435761L) % 4294967296L;
    h = ((h ^ (h >> 16)) * 73244475L) % 4294967296L;
    h = h ^ (h >> 16);
    return (double)(h % 100000) / 1000.0;
}

static void gen_points(double *pts, long n, long seed) {
    for (long i = 0; i < n; i++)
        for (int d = 0; d < DIM; d++)
            pts[i * DIM + d] = coord(i * DIM + d, seed);
}

static double sq_distance(const double *p, const double *q) {
    double sum = 0.0;
    for (int d = 0; d < DIM; d++)
        sum = sum + (p[d] - q[d]) * (p[d] - q[d]);
    return sum;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 500000;
    double *points = malloc(n * DIM * sizeof *points);
    double centers[N_CENTERS * DIM];
    int *assignment = malloc(n * sizeof *assignment);
    if (!points || !assignment)
        return 1;
    gen_points(points, n, 42);
    gen_points(centers, N_CENTERS, 7);
    for (long i = 0; i < n; i++) {
        int best = 0;
        double best_d = sq_distance(points + i * DIM, centers);
        for (int c = 1; c < N_CENTERS; c++) {
            double d = sq_distance(points + i * DIM, centers + c * DIM);
            if (d < best_d) {
                best_d = d;
                best = c;
            }
        }
        assignment[i] = best;
    }
    long counts[N_CENTERS] = {0}, checksum = 0;
    for (long i = 0; i < n; i++) {
        counts[assignment[i]]++;
        checksum = (checksum + (i + 1) * assignment[i]) % 1000003;
    }
    for (int c = 0; c < N_CENTERS; c++)
        printf(c ? " %ld" : "%ld", counts[c]);
    printf("\nchecksum %ld\n", checksum);
    free(points);
    free(assignment);
    return 0;
}
