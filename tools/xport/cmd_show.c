/*
 * xport show FILE.xpg [--dot]: prints an exported program as
 * xp_program_print does (graph, signature, range constraints), or its graph
 * in Graphviz dot syntax.
 */
#include <string.h>

#include "cli.h"
#include "ops/xp_registry.h"

static int show_main(int argc, char **argv) {
    const char *path = NULL;
    bool dot = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (xp_cli_is_help(a)) {
            xp_cli_print_help(&xp_cmd_show);
            return XP_EXIT_OK;
        }
        if (strcmp(a, "--dot") == 0) dot = true;
        else if (strcmp(a, "--ops") == 0 || strncmp(a, "--ops=", 6) == 0) {
            const char *lib = a[5] == '=' ? a + 6 : (i + 1 < argc ? argv[++i] : NULL);
            if (!lib) return xp_cli_usage_error(&xp_cmd_show, "option '--ops' needs a value");
            if (xp_ops_load_library(lib) != XP_OK) return xp_cli_fail("%s", xp_last_error());
        }
        else if (a[0] == '-' && a[1]) return xp_cli_usage_error(&xp_cmd_show, "unknown option '%s'", a);
        else if (path) return xp_cli_usage_error(&xp_cmd_show, "unexpected argument '%s' (one file at a time)", a);
        else path = a;
    }
    if (!path) return xp_cli_usage_error(&xp_cmd_show, "missing FILE.xpg");

    xp_program *p;
    if (xp_program_load(path, &p) != XP_OK) return xp_cli_fail("%s", xp_last_error());
    if (dot) xp_program_print_dot(p, stdout);
    else xp_program_print(p, stdout);
    xp_program_free(p);
    return fflush(stdout) == 0 ? XP_EXIT_OK : xp_cli_fail("writing to stdout failed");
}

const xp_cli_command xp_cmd_show = {
    .name = "show",
    .usage = "show FILE.xpg [--dot] [--ops LIB.so]",
    .summary = "print an exported program: graph, signature, range constraints",
    .help = "options:\n"
            "  --dot        print the graph in Graphviz dot syntax instead\n"
            "  --ops LIB    load the custom ops the program uses from a shared library\n"
            "  -h, --help   show this help\n",
    .main = show_main,
};
