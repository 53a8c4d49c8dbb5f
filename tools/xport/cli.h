/*
 * The `xport` command-line tool: one file per command. Exit codes are the
 * same everywhere: 0 success, 1 a runtime failure (the library's message,
 * prefixed "xport: "), 2 a usage error (with a usage line).
 */
#ifndef XPORT_CLI_H
#define XPORT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "xport.h"

#ifndef XPORT_VERSION
#define XPORT_VERSION "0.1.0"
#endif

enum { XP_EXIT_OK = 0, XP_EXIT_FAILURE = 1, XP_EXIT_USAGE = 2 };

typedef struct xp_cli_command {
    const char *name;
    const char *usage;   /* "show FILE.xpg [--dot]" */
    const char *summary; /* one line for `xport --help` */
    const char *help;    /* the options, for `xport CMD --help` */
    int (*main)(int argc, char **argv); /* argv[0] is the command name */
} xp_cli_command;

extern const xp_cli_command xp_cmd_show, xp_cmd_run, xp_cmd_ops, xp_cmd_decompose;

/* Prints "xport: <message>" to stderr and returns XP_EXIT_FAILURE. */
int xp_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "xport CMD: <message>" and the command's usage line to stderr and
 * returns XP_EXIT_USAGE. */
int xp_cli_usage_error(const xp_cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the command's usage and help to stdout. */
void xp_cli_print_help(const xp_cli_command *cmd);
/* True for "-h" and "--help". */
bool xp_cli_is_help(const char *arg);

#endif /* XPORT_CLI_H */
