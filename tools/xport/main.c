/*
 * xport — one CLI over the runtime (DESIGN §6): show, run, ops, decompose.
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "ir/xp_ir.h"

static const xp_cli_command *const commands[] = {&xp_cmd_show, &xp_cmd_run, &xp_cmd_ops, &xp_cmd_decompose};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

int xp_cli_fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("xport: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return XP_EXIT_FAILURE;
}

int xp_cli_usage_error(const xp_cli_command *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "xport %s: ", cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nusage: xport %s\n", cmd->usage);
    va_end(ap);
    return XP_EXIT_USAGE;
}

void xp_cli_print_help(const xp_cli_command *cmd) {
    printf("usage: xport %s\n\n%s\n", cmd->usage, cmd->summary);
    if (cmd->help && cmd->help[0]) printf("\n%s", cmd->help);
}

bool xp_cli_is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

static void print_main_help(FILE *f) {
    fprintf(f, "usage: xport <command> [options]\n\n"
               "Inspect and run exported programs (.xpg).\n\ncommands:\n");
    for (int i = 0; i < NCOMMANDS; i++) fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\noptions:\n"
               "  -h, --help     show this help; `xport COMMAND --help` shows a command's options\n"
               "  --version      print the version\n"
               "\nexit status: 0 success, 1 runtime failure, 2 usage error\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "xport: missing command\n");
        print_main_help(stderr);
        return XP_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (xp_cli_is_help(name) || strcmp(name, "help") == 0) {
        if (argc > 2 && strcmp(name, "help") == 0) {
            for (int i = 0; i < NCOMMANDS; i++)
                if (strcmp(argv[2], commands[i]->name) == 0) {
                    xp_cli_print_help(commands[i]);
                    return XP_EXIT_OK;
                }
        }
        print_main_help(stdout);
        return XP_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("xport %s (program format %d)\n", XPORT_VERSION, XP_PROGRAM_FORMAT_VERSION);
        return XP_EXIT_OK;
    }
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i]->name) == 0) return commands[i]->main(argc - 1, argv + 1);
    if (name[0] == '-') fprintf(stderr, "xport: unknown option '%s'\n", name);
    else fprintf(stderr, "xport: unknown command '%s'\n", name);
    fprintf(stderr, "usage: xport <command> [options]   (commands: show, run, ops, decompose; see xport --help)\n");
    return XP_EXIT_USAGE;
}
