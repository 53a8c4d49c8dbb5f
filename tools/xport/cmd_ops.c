/*
 * xport ops [--core]: the op registry as a table — name, core, mutable,
 * view, whether the op has a decomposition (decomps.def), the backends
 * with a kernel, and the schema. Reads the one table every other part
 * reads (ops.def through xp_op_count / xp_op_get). --core lists only the
 * core opset, what a program decomposed with the full table contains.
 */
#include <string.h>

#include "backend/xp_backend.h"
#include "cli.h"
#include "decomp/xp_decomp.h"

static void backends_of(const xp_op_def *op, const xp_backend *const *bes, int nbes, char *buf, size_t n) {
    size_t used = 0;
    buf[0] = 0;
    if (op->flags & XP_OP_CONTROL) {
        snprintf(buf, n, "interpreter");
        return;
    }
    if (op->flags & XP_OP_CUSTOM) { /* the user's C function, through the CPU adapter */
        snprintf(buf, n, "%s", xp_op_custom_impl(op->id) ? "cpu" : "-");
        return;
    }
    for (int b = 0; b < nbes; b++) {
        if (!bes[b]->kernel(bes[b], op->id)) continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "," : "", bes[b]->name);
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
    }
    if (!used) snprintf(buf, n, "-");
}

static int ops_main(int argc, char **argv) {
    bool core_only = false;
    for (int i = 1; i < argc; i++) {
        if (xp_cli_is_help(argv[i])) {
            xp_cli_print_help(&xp_cmd_ops);
            return XP_EXIT_OK;
        }
        if (strcmp(argv[i], "--core") == 0) {
            core_only = true;
            continue;
        }
        if (strcmp(argv[i], "--ops") == 0 || strncmp(argv[i], "--ops=", 6) == 0) {
            const char *lib = argv[i][5] == '=' ? argv[i] + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!lib) return xp_cli_usage_error(&xp_cmd_ops, "option '--ops' needs a value");
            if (xp_ops_load_library(lib) != XP_OK) return xp_cli_fail("%s", xp_last_error());
            continue;
        }
        if (argv[i][0] == '-') return xp_cli_usage_error(&xp_cmd_ops, "unknown option '%s'", argv[i]);
        return xp_cli_usage_error(&xp_cmd_ops, "unexpected argument '%s'", argv[i]);
    }
    xp_registry_init();
    const xp_backend *bes[2];
    int nbes = 0;
    bes[nbes++] = xp_backend_cpu();
    const xp_backend *cuda = xp_backend_find("cuda");
    if (cuda) bes[nbes++] = cuda;
    xp_clear_error(); /* an absent CUDA backend is not an error here */

    int n = xp_op_count(), wname = 4;
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(xp_op_get((xp_op_id)i)->name);
        if (len > wname) wname = len;
    }
    printf("%-*s  %-4s  %-7s  %-4s  %-6s  %-11s  %s\n", wname, "NAME", "CORE", "MUTABLE", "VIEW", "DECOMP", "BACKENDS",
           "SCHEMA");
    int shown = 0;
    for (int i = 0; i < n; i++) {
        const xp_op_def *op = xp_op_get((xp_op_id)i);
        if (core_only && !(op->flags & XP_OP_CORE)) continue;
        char be[64];
        backends_of(op, bes, nbes, be, sizeof be);
        printf("%-*s  %-4s  %-7s  %-4s  %-6s  %-11s  %s\n", wname, op->name, op->flags & XP_OP_CORE ? "yes" : "no",
               op->flags & XP_OP_MUTABLE ? "yes" : "no", op->flags & XP_OP_VIEW ? "yes" : "no",
               xp_op_has_decomposition(op->id) ? "yes" : "no", be, op->schema_text);
        shown++;
    }
    printf("%d %s\n", shown, core_only ? "core ops" : "ops");
    return fflush(stdout) == 0 ? XP_EXIT_OK : xp_cli_fail("writing to stdout failed");
}

const xp_cli_command xp_cmd_ops = {
    .name = "ops",
    .usage = "ops [--core] [--ops LIB.so]",
    .summary = "list every op in the registry: flags, decomposition, backends, schema",
    .help = "DECOMP is yes for an op that `xport decompose` rewrites into core ops.\n\n"
            "options:\n"
            "  --core       list only the core opset (what a fully decomposed program uses)\n"
            "  --ops LIB    also list the custom ops a shared library built with xport-cc registers\n"
            "  -h, --help   show this help\n",
    .main = ops_main,
};
