/*
 * Inputs for bench/bench_plugin.sh (not built by CMake: the script compiles
 * it with the C compiler it is given).
 *
 *   gen_plugin_inputs plain LINES              ordinary C, no pragmas, about LINES lines
 *   gen_plugin_inputs model NLAYERS loop       a model of NLAYERS Linear + ReLU layers
 *                                              walked by a constant-bound loop
 *   gen_plugin_inputs model NLAYERS unrolled   the same layers as straight-line calls
 *
 * The output goes to stdout and is the same on every run (a fixed-seed
 * generator picks constants, operators and shapes), so timings compare.
 *
 * The plain file is what a C project's larger translation units look like:
 * headers, structs, small functions with loops, switches, pointer walks,
 * integer and floating-point arithmetic, and calls between them. Every
 * "module" differs in its constants, operators, field counts and loop
 * shapes, so the compiler cannot share work between them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n) { /* xorshift64*, uniform enough for picking */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned)((rng_state * 2685821657736338717ull) >> 33) % n;
}

static const char *pick(const char *const *v, unsigned n) { return v[rnd(n)]; }

static const char *const int_types[] = {"int", "long", "unsigned", "int64_t", "uint32_t", "short"};
static const char *const arith_ops[] = {"+", "-", "*", "^", "|", "&"};
static const char *const cmp_ops[] = {"<", ">", "<=", ">=", "!="};

/* One module: about 100 lines. */
static int gen_module(int k) {
    int lines = 0;
    int nint = 3 + (int)rnd(5), nflt = 1 + (int)rnd(3), cap = 8 << rnd(4);
#define L(...) (printf(__VA_ARGS__), lines++)
    L("/* ---- module %d ---- */\n", k);
    L("typedef struct mod%d_item {\n", k);
    for (int i = 0; i < nint; i++) L("    %s i%d;\n", pick(int_types, 6), i);
    for (int i = 0; i < nflt; i++) L("    %s f%d;\n", rnd(2) ? "double" : "float", i);
    L("    struct mod%d_item *next;\n", k);
    L("} mod%d_item;\n\n", k);
    lines++;
    L("typedef struct mod%d_state {\n", k);
    L("    mod%d_item items[%d];\n", k, cap);
    L("    int count;\n");
    L("    double scale;\n");
    L("    char name[%d];\n", 16 + (int)rnd(48));
    L("} mod%d_state;\n\n", k);
    lines++;

    L("static void mod%d_init(mod%d_state *s, const char *name) {\n", k, k);
    L("    memset(s, 0, sizeof *s);\n");
    L("    strncpy(s->name, name, sizeof s->name - 1);\n");
    L("    s->scale = %d.%d;\n", 1 + (int)rnd(9), (int)rnd(1000));
    L("    for (int i = 0; i < %d; i++) {\n", cap);
    for (int i = 0; i < nint; i++) L("        s->items[i].i%d = i * %u %s %u;\n", i, 1 + rnd(97), rnd(2) ? "+" : "^", rnd(1000));
    for (int i = 0; i < nflt; i++) L("        s->items[i].f%d = (double)i / %u.0;\n", i, 1 + rnd(31));
    L("        s->items[i].next = i + 1 < %d ? &s->items[i + 1] : NULL;\n", cap);
    L("    }\n");
    L("    s->count = %d;\n", cap);
    L("}\n\n");
    lines++;

    L("static long mod%d_checksum(const mod%d_state *s) {\n", k, k);
    L("    long h = %u;\n", rnd(1u << 30));
    L("    for (const mod%d_item *it = &s->items[0]; it; it = it->next) {\n", k);
    for (int i = 0; i < nint; i++) L("        h = (h * 31) %s (long)it->i%d;\n", pick(arith_ops, 6), i);
    L("        if ((h & %u) == %u) h ^= h >> %u;\n", 0xffu >> rnd(4), rnd(8), 1 + rnd(20));
    L("    }\n");
    L("    return h;\n");
    L("}\n\n");
    lines++;

    L("static double mod%d_reduce(const mod%d_state *s, int which) {\n", k, k);
    L("    double acc = 0.0;\n");
    L("    switch (which %% %d) {\n", nflt + 1);
    for (int i = 0; i < nflt; i++) {
        L("    case %d:\n", i);
        L("        for (int i = 0; i < s->count; i++) acc += s->items[i].f%d * s->scale;\n", i);
        L("        break;\n");
    }
    L("    default:\n");
    L("        for (int i = 0; i < s->count; i += %u) acc -= sqrt((double)(i + 1)) / %u.0;\n", 1 + rnd(3), 2 + rnd(9));
    L("        break;\n");
    L("    }\n");
    L("    return acc;\n");
    L("}\n\n");
    lines++;

    int n = 4 + (int)rnd(5);
    L("static void mod%d_matmul(const float *a, const float *b, float *c) {\n", k);
    L("    for (int i = 0; i < %d; i++)\n", n);
    L("        for (int j = 0; j < %d; j++) {\n", n);
    L("            float sum = 0.0f;\n");
    L("            for (int p = 0; p < %d; p++) sum += a[i * %d + p] * b[p * %d + j];\n", n, n, n);
    L("            c[i * %d + j] = sum %s %u.5f;\n", n, rnd(2) ? "+" : "*", rnd(4));
    L("        }\n");
    L("}\n\n");
    lines++;

    L("static int mod%d_find(const mod%d_state *s, long key) {\n", k, k);
    L("    int lo = 0, hi = s->count - 1;\n");
    L("    while (lo <= hi) {\n");
    L("        int mid = lo + (hi - lo) / 2;\n");
    L("        long v = (long)s->items[mid].i0;\n");
    L("        if (v == key) return mid;\n");
    L("        if (v %s key) lo = mid + 1; else hi = mid - 1;\n", pick(cmp_ops, 5));
    L("    }\n");
    L("    return -1;\n");
    L("}\n\n");
    lines++;

    L("long mod%d_run(int steps) {\n", k);
    L("    static mod%d_state s;\n", k);
    L("    float a[%d], b[%d], c[%d];\n", n * n, n * n, n * n);
    L("    mod%d_init(&s, \"module-%d\");\n", k, k);
    L("    for (int i = 0; i < %d; i++) { a[i] = (float)i * 0.%uf; b[i] = (float)(%d - i); }\n", n * n, 1 + rnd(9), n * n);
    L("    long total = 0;\n");
    L("    for (int step = 0; step < steps; step++) {\n");
    L("        mod%d_matmul(a, b, c);\n", k);
    L("        total += mod%d_checksum(&s) %s (long)mod%d_reduce(&s, step);\n", k, rnd(2) ? "+" : "-", k);
    L("        total += mod%d_find(&s, total %% %u);\n", k, 1 + rnd(1000));
    L("        if (total %s %u) total /= %u;\n", pick(cmp_ops, 5), rnd(1u << 20), 2 + rnd(7));
    L("        s.items[step %% %d].i%d += (int)c[%u];\n", cap, (int)rnd((unsigned)nint), rnd((unsigned)(n * n)));
    L("    }\n");
    if (k > 0) L("    total += mod%d_run(0);\n", (int)rnd((unsigned)k));
    L("    return total;\n");
    L("}\n\n");
    lines++;
#undef L
    return lines;
}

static void gen_plain(int target_lines) {
    printf("/* Generated by bench/gen_plugin_inputs.c: ordinary C, no pragmas. */\n");
    printf("#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <stdio.h>\n");
    printf("#include <stdlib.h>\n#include <string.h>\n\n");
    int lines = 8, k = 0;
    while (lines < target_lines) lines += gen_module(k++);
    printf("int main(int argc, char **argv) {\n    (void)argv;\n    long total = 0;\n");
    for (int i = 0; i < k; i += 1 + (int)rnd(8)) printf("    total += mod%d_run(argc);\n", i);
    printf("    printf(\"%%ld\\n\", total);\n    return 0;\n}\n");
}

/* A model of `nlayers` Linear + ReLU layers; `unrolled` writes one call per
 * layer instead of the loop. */
static void gen_model(int nlayers, int unrolled) {
    printf("/* Generated by bench/gen_plugin_inputs.c: %d Linear + ReLU layers, %s. */\n", nlayers,
           unrolled ? "straight-line calls" : "a constant-bound loop");
    printf("#include <xport.h>\n\n");
    printf("#define DIM 16\n#define NLAYERS %d\n\n", nlayers);
    printf("typedef struct {\n");
    printf("    #pragma xport param(f32[DIM, DIM])\n    xp_tensor *weight;\n");
    printf("    #pragma xport param(f32[DIM])\n    xp_tensor *bias;\n");
    printf("} Linear;\n\n");
    printf("typedef struct {\n    Linear lin;\n} Layer;\n\n");
    printf("typedef struct {\n    Layer layers[NLAYERS];\n} Model;\n\n");
    printf("static xp_tensor *layer(const Layer *l, xp_tensor *x) {\n");
    printf("    return xp_relu(xp_linear(x, l->lin.weight, l->lin.bias));\n}\n\n");
    printf("#pragma xport export\n");
    printf("#pragma xport dim(batch, min=1, max=1024)\n");
    printf("#pragma xport input(x, f32[batch, DIM])\n");
    printf("xp_tensor *forward(const Model *m, xp_tensor *x) {\n");
    if (unrolled)
        for (int i = 0; i < nlayers; i++) printf("    x = layer(&m->layers[%d], x);\n", i);
    else
        printf("    for (int i = 0; i < NLAYERS; i++) x = layer(&m->layers[i], x);\n");
    printf("    return x;\n}\n");
}

static int usage(void) {
    fprintf(stderr, "usage: gen_plugin_inputs plain LINES\n"
                    "       gen_plugin_inputs model NLAYERS loop|unrolled\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc < 3) return usage();
    int n = atoi(argv[2]);
    if (n <= 0) return usage();
    if (strcmp(argv[1], "plain") == 0 && argc == 3) {
        gen_plain(n);
    } else if (strcmp(argv[1], "model") == 0 && argc == 4 &&
               (strcmp(argv[3], "loop") == 0 || strcmp(argv[3], "unrolled") == 0)) {
        gen_model(n, strcmp(argv[3], "unrolled") == 0);
    } else {
        return usage();
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
