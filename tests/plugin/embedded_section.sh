# The section mechanism itself, without the plugin: entries that objects put
# in section "xport_programs" are found through XP_PROGRAM across
# translation units; a name embedded twice is an error naming both files.
source "$(dirname "$0")/lib.sh"

# A generator that writes one object's entry the way plugin/emit.cpp does.
cat > gen.c <<'C'
#include <stdio.h>
#include <stdlib.h>
#include "ir/xp_ir.h"
int main(int argc, char **argv) {
    const char *name = argv[1], *source = argv[2];
    xp_program *p = xp_program_new(name);
    int32_t x, y;
    char *json = NULL;
    if (xp_program_add_input(p, XP_IN_USER_INPUT, "x", NULL, XP_F32, 1, (xp_dim[]){3}, &x) ||
        xp_graph_add_node(p->graph, XP_OP_relu, (xp_narg[]){xp_narg_value(x)}, 1, XP_NO_LOC, &y) ||
        xp_program_add_output(p, XP_OUT_USER_OUTPUT, y, NULL) || xp_program_to_json(p, &json, NULL)) {
        fprintf(stderr, "gen: %s\n", xp_last_error());
        return 1;
    }
    printf("__attribute__((section(\"xport_programs\"), used))\n");
    printf("static const char entry_%s[] = \"XPORT-PROGRAM v1\\0\" \"%s\\0\" \"%s\\0\" \"", name, name, source);
    for (const char *c = json; *c; c++) {
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if (*c == '\n') printf("\\n\"\n\"");
        else putchar(*c);
    }
    printf("\";\n");
    free(json);
    xp_program_free(p);
    return 0;
}
C
# shellcheck disable=SC2086
"$XP_GCC" $XP_SAN_FLAGS -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" gen.c -L"$XP_LIBDIR" -lxport \
  -Wl,-rpath,"$XP_LIBDIR" -o gen
./gen forward dir_a/model.c > a.c
./gen forward dir_b/model.c > b.c
./gen encoder enc.c > c.c
cat > main.c <<'C'
#include <stdio.h>
#include <string.h>
#include <xport.h>
int main(int argc, char **argv) {
    xp_program *p = NULL;
    xp_embedded e = XP_PROGRAM(forward);
    if (argc > 1) e.name = argv[1];
    xp_status st = xp_program_load_embedded(e, &p);
    if (st) {
        printf("%s: %s\n", xp_status_name(st), xp_last_error());
        return 2;
    }
    printf("loaded %s\n", xp_program_name(p));
    xp_program_free(p);
    return 0;
}
C
build() {
  out="$1"; shift
  # shellcheck disable=SC2086
  "$XP_GCC" $XP_SAN_FLAGS -O2 -Wall -Werror -I"$XP_SRC/annotations" "$@" -L"$XP_LIBDIR" -lxport \
    -Wl,-rpath,"$XP_LIBDIR" -o "$out"
}

for link in -pie "-no-pie -Wl,--gc-sections -ffunction-sections -fdata-sections"; do
  # shellcheck disable=SC2086
  build one main.c a.c c.c $link
  ./one > out || { cat out >&2; fail "load from two objects ($link)"; }
  expect_text out "loaded forward"
  ./one encoder > out || { cat out >&2; fail "load of the second object's program ($link)"; }
  expect_text out "loaded encoder"
  ./one decoder > out && fail "loaded a program that is not there"
  expect_text out "decoder was not exported: compile the file that defines it with -fplugin=xport.so (xport-cc does this); exported programs here: "
  grep -q "here: forward, encoder\|here: encoder, forward" out || { cat out >&2; fail "names not listed"; }

  # shellcheck disable=SC2086
  build two main.c a.c b.c $link
  ./two > out && fail "loaded an ambiguous program ($link)"
  expect_text out "program 'forward' is embedded twice in this binary, from dir_a/model.c and from dir_b/model.c"
done
echo "ok: section entries found across objects; duplicates named"
