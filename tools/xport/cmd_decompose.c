/*
 * xport decompose FILE.xpg [--ops LIST] -o OUT.xpg: rewrites a program's
 * non-core ops into core ops (xp_program_run_decompositions) and saves the
 * result. Without --ops every op with a decomposition is replaced, so only
 * the core opset remains (`xport ops --core`); --ops linear,t replaces just
 * those (the analog of torch's get_decompositions([...])). An op name that
 * is unknown or has no decomposition is a usage error.
 */
#include <string.h>

#include "cli.h"
#include "ir/xp_ir.h"

/* Nodes in g and its subgraphs. */
static int count_nodes(const xp_graph *g) {
    int n = g->nnodes;
    for (int i = 0; i < g->nnodes; i++)
        for (int k = 0; k < g->nodes[i].nsub; k++) n += count_nodes(g->nodes[i].sub[k]);
    return n;
}

/* "--opt VALUE" or "--opt=VALUE" (also "-o VALUE"); NULL when argv[*i] is
 * not `opt`, and *missing when it is but has no value. */
static const char *option_value(const char *opt, int argc, char **argv, int *i, bool *missing) {
    size_t n = strlen(opt);
    const char *a = argv[*i];
    *missing = false;
    if (strncmp(a, opt, n) != 0) return NULL;
    if (a[n] == '=' && opt[1] == '-') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int decompose_main(int argc, char **argv) {
    const char *path = NULL, *out_path = NULL, *ops = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        bool missing;
        if (xp_cli_is_help(a)) {
            xp_cli_print_help(&xp_cmd_decompose);
            return XP_EXIT_OK;
        }
        static const char *const opts[] = {"--ops", "-o", "--output"};
        int which = -1;
        for (int k = 0; k < 3 && which < 0; k++) {
            v = option_value(opts[k], argc, argv, &i, &missing);
            if (v || missing) which = k;
        }
        if (which >= 0) {
            if (missing) return xp_cli_usage_error(&xp_cmd_decompose, "option '%s' needs a value", opts[which]);
            if (which == 0) ops = v;
            else out_path = v;
            continue;
        }
        if (a[0] == '-' && a[1]) return xp_cli_usage_error(&xp_cmd_decompose, "unknown option '%s'", a);
        if (path) return xp_cli_usage_error(&xp_cmd_decompose, "unexpected argument '%s' (one file at a time)", a);
        path = a;
    }
    if (!path) return xp_cli_usage_error(&xp_cmd_decompose, "missing FILE.xpg");
    if (!out_path) return xp_cli_usage_error(&xp_cmd_decompose, "missing -o OUT.xpg");

    xp_decomp_table *table = NULL;
    if (ops && !(table = xp_decomp_table_for(ops))) return xp_cli_usage_error(&xp_cmd_decompose, "%s", xp_last_error());
    xp_program *p, *d;
    if (xp_program_load(path, &p) != XP_OK) {
        xp_decomp_table_free(table);
        return xp_cli_fail("%s", xp_last_error());
    }
    xp_status st = xp_program_run_decompositions(p, table, &d);
    xp_decomp_table_free(table);
    if (st != XP_OK) {
        xp_program_free(p);
        return xp_cli_fail("%s", xp_last_error());
    }
    int before = count_nodes(p->graph), after = count_nodes(d->graph);
    xp_program_free(p);
    st = xp_program_save(d, out_path);
    if (st != XP_OK) {
        xp_program_free(d);
        return xp_cli_fail("%s", xp_last_error());
    }
    printf("%s: program %s decomposed%s, %d nodes -> %d nodes\n", out_path, xp_program_name(d),
           ops ? "" : " to core ops", before, after);
    xp_program_free(d);
    return fflush(stdout) == 0 ? XP_EXIT_OK : xp_cli_fail("writing to stdout failed");
}

const xp_cli_command xp_cmd_decompose = {
    .name = "decompose",
    .usage = "decompose FILE.xpg [--ops LIST] -o OUT.xpg",
    .summary = "rewrite non-core ops into core ops and save the program",
    .help = "Every node whose op has a decomposition (DECOMP in `xport ops`) is replaced by\n"
            "core ops, keeping the signature, range constraints and source locations.\n\n"
            "options:\n"
            "  --ops LIST            decompose only these ops (comma-separated: linear,t)\n"
            "  -o, --output OUT.xpg  where to write the decomposed program\n"
            "  -h, --help            show this help\n",
    .main = decompose_main,
};
