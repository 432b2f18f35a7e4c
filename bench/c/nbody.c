/* Benchmark reference: n-body (Benchmarks Game) with the algorithm of bench/pf/nbody.pf — each
 * step computes every body's new state from the old state (every pair visited from both sides)
 * into a second array. Usage: nbody [steps] (default 2000000). Built with cc -O2. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NB 5
#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24

typedef struct {
    double x, y, z, vx, vy, vz, m;
} Body;

static Body body(double x, double y, double z, double vx, double vy, double vz, double m) {
    Body b = {x, y, z, vx * DAYS_PER_YEAR, vy * DAYS_PER_YEAR, vz * DAYS_PER_YEAR, m * SOLAR_MASS};
    return b;
}

static double energy(const Body *b) {
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        e = e + 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < NB; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            e = e - (b[i].m * b[j].m) / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static void advance(const Body *old, Body *out, double dt) {
    for (int i = 0; i < NB; i++) {
        double x = old[i].x, y = old[i].y, z = old[i].z;
        double vx = old[i].vx, vy = old[i].vy, vz = old[i].vz;
        for (int j = 0; j < NB; j++) {
            if (j == i)
                continue;
            double dx = x - old[j].x, dy = y - old[j].y, dz = z - old[j].z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * sqrt(d2));
            vx = vx - dx * old[j].m * mag;
            vy = vy - dy * old[j].m * mag;
            vz = vz - dz * old[j].m * mag;
        }
        Body nb = {x + dt * vx, y + dt * vy, z + dt * vz, vx, vy, vz, old[i].m};
        out[i] = nb;
    }
}

int main(int argc, char **argv) {
    long steps = argc > 1 ? atol(argv[1]) : 2000000;
    Body a[NB] = {
        body(0, 0, 0, 0, 0, 0, 1),
        body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),
        body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),
        body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),
        body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),
    };
    Body b[NB];
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < NB; i++) {
        px = px + a[i].vx * a[i].m;
        py = py + a[i].vy * a[i].m;
        pz = pz + a[i].vz * a[i].m;
    }
    a[0].vx = -px / SOLAR_MASS;
    a[0].vy = -py / SOLAR_MASS;
    a[0].vz = -pz / SOLAR_MASS;
    printf("%.9f\n", energy(a));
    Body *cur = a, *next = b;
    for (long s = 0; s < steps; s++) {
        advance(cur, next, 0.01);
        Body *t = cur;
        cur = next;
        next = t;
    }
    printf("%.9f\n", energy(cur));
    return 0;
}
