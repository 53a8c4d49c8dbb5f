/* A program that does not link the custom ops: loading a program that uses
 * them must fail with a message naming the op and how to provide it. */
#include <stdio.h>
#include <xport.h>

int main(int argc, char **argv) {
    xp_program *p;
    if (argc < 2) return 2;
    if (xp_program_load(argv[1], &p) == XP_OK) {
        fprintf(stderr, "loaded %s without its custom op\n", argv[1]);
        return 1;
    }
    fprintf(stderr, "%s\n", xp_last_error());
    return 3;
}
