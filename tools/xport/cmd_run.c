/*
 * xport run FILE.xpg [--weights W.safetensors] --input NAME=FILE.npy ...
 *           [--output DIR] [--backend cpu]
 *
 * Binds the weights, reads one .npy per user input (a symbolic int input
 * also takes a plain integer: --input n=5), runs the program, prints each
 * output's name, dtype, shape and first values, and with --output writes
 * DIR/NAME.npy per output.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "ir/xp_ir.h"

#define MAX_INPUT_ARGS 64
#define SUMMARY_VALUES 8

typedef struct run_args {
    const char *program;
    const char *weights;
    const char *output_dir;
    const char *backend;
    int ninputs;
    const char *input_spec[MAX_INPUT_ARGS]; /* "NAME=FILE" */
} run_args;

/* Accepts "--opt VALUE" and "--opt=VALUE"; returns the value or NULL. */
static const char *option_value(const char *opt, int argc, char **argv, int *i, bool *matched) {
    size_t n = strlen(opt);
    const char *a = argv[*i];
    *matched = false;
    if (strncmp(a, opt, n) != 0) return NULL;
    if (a[n] == '=') {
        *matched = true;
        return a + n + 1;
    }
    if (a[n] != 0) return NULL;
    *matched = true;
    if (*i + 1 >= argc) return NULL;
    return argv[++*i];
}

static int parse_args(int argc, char **argv, run_args *ra, bool *help) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool m;
        const char *v;
        if (xp_cli_is_help(a)) {
            *help = true;
            return XP_EXIT_OK;
        }
        static const char *const opts[] = {"--weights", "--input", "--output", "--backend", "--ops"};
        int which = -1;
        for (int k = 0; k < 5 && which < 0; k++) {
            v = option_value(opts[k], argc, argv, &i, &m);
            if (m) which = k;
        }
        if (which >= 0) {
            if (!v) return xp_cli_usage_error(&xp_cmd_run, "option '%s' needs a value", opts[which]);
            switch (which) {
            case 0: ra->weights = v; break;
            case 1:
                if (!strchr(v, '=') || v[0] == '=')
                    return xp_cli_usage_error(&xp_cmd_run, "--input takes NAME=FILE.npy, got '%s'", v);
                if (ra->ninputs == MAX_INPUT_ARGS)
                    return xp_cli_usage_error(&xp_cmd_run, "too many --input options (at most %d)", MAX_INPUT_ARGS);
                ra->input_spec[ra->ninputs++] = v;
                break;
            case 2: ra->output_dir = v; break;
            case 3: ra->backend = v; break;
            case 4:
                /* custom ops: the library's constructors register them (docs/custom-ops.md) */
                if (xp_ops_load_library(v) != XP_OK) return xp_cli_fail("%s", xp_last_error());
                break;
            }
            continue;
        }
        if (a[0] == '-' && a[1]) return xp_cli_usage_error(&xp_cmd_run, "unknown option '%s'", a);
        if (ra->program) return xp_cli_usage_error(&xp_cmd_run, "unexpected argument '%s'", a);
        ra->program = a;
    }
    if (!ra->program) return xp_cli_usage_error(&xp_cmd_run, "missing FILE.xpg");
    return XP_EXIT_OK;
}

/* The user-input value named `name`, or NULL. */
static const xp_value *find_input(const xp_program *p, const char *name, size_t len, int *pos) {
    for (int i = 0; i < xp_program_num_inputs(p); i++) {
        const char *n = xp_program_input_name(p, i);
        if (strlen(n) == len && strncmp(n, name, len) == 0) {
            *pos = i;
            for (int k = 0; k < p->nsig_in; k++)
                if (p->graph->values[p->sig_in[k].value].name == n) return &p->graph->values[p->sig_in[k].value];
        }
    }
    return NULL;
}

static void format_names(const xp_program *p, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = 0;
    for (int i = 0; i < xp_program_num_inputs(p); i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? ", " : "", xp_program_input_name(p, i));
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
    }
}

static bool parse_int(const char *s, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end) return false;
    *out = v;
    return true;
}

static void print_summary(const char *name, xp_tensor *t) {
    printf("%s: %s[", name, xp_dtype_name(xp_dtype_of(t)));
    for (int d = 0; d < xp_ndim(t); d++) printf("%s%" PRId64, d ? ", " : "", xp_size(t, d));
    printf("] = [");
    int64_t n = xp_numel(t);
    const char *data = xp_data(t);
    size_t es = xp_dtype_size(xp_dtype_of(t));
    for (int64_t i = 0; i < n && i < SUMMARY_VALUES; i++) {
        const void *e = data + (size_t)i * es;
        if (i) printf(", ");
        if (xp_dtype_of(t) == XP_BOOL) printf("%s", xp_load_i64(XP_BOOL, e) ? "true" : "false");
        else if (xp_dtype_is_int(xp_dtype_of(t))) printf("%" PRId64, xp_load_i64(xp_dtype_of(t), e));
        else printf("%.6g", xp_load_f64(xp_dtype_of(t), e));
    }
    printf("%s]\n", n > SUMMARY_VALUES ? ", ..." : "");
}

static int run_main(int argc, char **argv) {
    run_args ra = {0};
    bool help = false;
    int rc = parse_args(argc, argv, &ra, &help);
    if (rc != XP_EXIT_OK) return rc;
    if (help) {
        xp_cli_print_help(&xp_cmd_run);
        return XP_EXIT_OK;
    }

    xp_program *p = NULL;
    xp_tensor *inputs[MAX_INPUT_ARGS] = {0};
    xp_tensor **outputs = NULL;
    int nin = 0, nout = 0;
    if (xp_program_load(ra.program, &p) != XP_OK) return xp_cli_fail("%s", xp_last_error());
    nin = xp_program_num_inputs(p);
    nout = xp_program_num_outputs(p);
    if (nin > MAX_INPUT_ARGS) {
        rc = xp_cli_fail("%s takes %d inputs; this tool handles at most %d", ra.program, nin, MAX_INPUT_ARGS);
        goto done;
    }

    /* usage errors first: every --input names an input, every input is given */
    char names[512];
    format_names(p, names, sizeof names);
    const char *files[MAX_INPUT_ARGS] = {0};
    const xp_value *vals[MAX_INPUT_ARGS] = {0};
    for (int k = 0; k < ra.ninputs; k++) {
        const char *spec = ra.input_spec[k], *eq = strchr(spec, '=');
        int pos;
        const xp_value *v = find_input(p, spec, (size_t)(eq - spec), &pos);
        if (!v) {
            rc = xp_cli_usage_error(&xp_cmd_run, "--input %.*s: program %s has no input '%.*s' (its inputs: %s)",
                                    (int)(eq - spec), spec, xp_program_name(p), (int)(eq - spec), spec,
                                    names[0] ? names : "none");
            goto done;
        }
        if (files[pos]) {
            rc = xp_cli_usage_error(&xp_cmd_run, "input '%s' is given twice", xp_program_input_name(p, pos));
            goto done;
        }
        files[pos] = eq + 1;
        vals[pos] = v;
    }
    for (int i = 0; i < nin; i++)
        if (!files[i]) {
            rc = xp_cli_usage_error(&xp_cmd_run, "missing --input %s=FILE.npy (program %s takes: %s)",
                                    xp_program_input_name(p, i), xp_program_name(p), names);
            goto done;
        }

    if (ra.backend && xp_program_set_backend(p, ra.backend) != XP_OK) {
        rc = xp_cli_fail("%s", xp_last_error());
        goto done;
    }
    if (ra.weights && xp_program_bind_weights(p, ra.weights) != XP_OK) {
        rc = xp_cli_fail("%s", xp_last_error());
        goto done;
    }
    for (int i = 0; i < nin; i++) {
        int64_t iv;
        if (vals[i]->kind == XP_VAL_SYMINT && parse_int(files[i], &iv)) {
            inputs[i] = xp_tensor_from(XP_I64, 0, NULL, &iv);
            if (!inputs[i]) {
                rc = xp_cli_fail("%s", xp_last_error());
                goto done;
            }
        } else if (xp_npy_load(files[i], &inputs[i]) != XP_OK) {
            rc = xp_cli_fail("input %s: %s", xp_program_input_name(p, i), xp_last_error());
            goto done;
        }
    }

    outputs = calloc((size_t)(nout ? nout : 1), sizeof *outputs);
    if (!outputs) {
        rc = xp_cli_fail("out of memory");
        goto done;
    }
    if (xp_program_run(p, inputs, nin, outputs, nout) != XP_OK) {
        const char *msg = xp_last_error();
        if (strstr(msg, "call xp_program_bind_weights") && !ra.weights)
            rc = xp_cli_fail("%s (pass --weights FILE.safetensors)", msg);
        else
            rc = xp_cli_fail("%s", msg);
        goto done;
    }

    if (ra.output_dir && mkdir(ra.output_dir, 0777) != 0 && errno != EEXIST) {
        rc = xp_cli_fail("cannot create output directory %s: %s", ra.output_dir, strerror(errno));
        goto done;
    }
    for (int o = 0; o < nout; o++) {
        const char *name = xp_program_output_name(p, o);
        print_summary(name, outputs[o]);
        if (!ra.output_dir) continue;
        size_t len = strlen(ra.output_dir) + strlen(name) + 8;
        char *path = malloc(len);
        if (!path) {
            rc = xp_cli_fail("out of memory");
            goto done;
        }
        snprintf(path, len, "%s/%s.npy", ra.output_dir, name);
        xp_status st = xp_npy_save(path, outputs[o]);
        free(path);
        if (st != XP_OK) {
            rc = xp_cli_fail("%s", xp_last_error());
            goto done;
        }
    }
    rc = fflush(stdout) == 0 ? XP_EXIT_OK : xp_cli_fail("writing to stdout failed");

done:
    if (outputs)
        for (int o = 0; o < nout; o++) xp_tensor_free(outputs[o]);
    free(outputs);
    for (int i = 0; i < MAX_INPUT_ARGS; i++) xp_tensor_free(inputs[i]);
    xp_program_free(p);
    return rc;
}

const xp_cli_command xp_cmd_run = {
    .name = "run",
    .usage = "run FILE.xpg [--weights W.safetensors] --input NAME=FILE.npy ... [--output DIR] [--backend cpu] [--ops LIB.so]",
    .summary = "run an exported program on .npy inputs",
    .help = "options:\n"
            "  --weights FILE.safetensors  bind parameters, buffers and constants by name\n"
            "  --input NAME=FILE.npy       one per program input (a symbolic int also takes NAME=INT)\n"
            "  --output DIR                write each output as DIR/NAME.npy\n"
            "  --backend NAME              cpu (default) or another available backend\n"
            "  --ops LIB.so                load custom ops from a shared library built with xport-cc\n"
            "                              (repeatable)\n"
            "  -h, --help                  show this help\n",
    .main = run_main,
};
