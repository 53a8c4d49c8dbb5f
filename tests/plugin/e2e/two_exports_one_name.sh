# Two translation units that export the same name link (the embedded
# entries have internal linkage), and loading that name is an error that
# names both source files.
source "$(dirname "$0")/../lib.sh"
need_capture
mkdir -p a b
for d in a b; do
  cat > $d/model.c <<'C'
#include <xport.h>
#pragma xport export
#pragma xport input(x, f32[4])
static xp_tensor *forward(xp_tensor *x) { return xp_relu(x); }
xp_tensor *(*keep_DIR)(xp_tensor *) = forward;
C
  sed -i "s/keep_DIR/keep_$d/" $d/model.c
done
cat > main.c <<'C'
#include <stdio.h>
#include <xport.h>
int main(void) {
    xp_program *p = NULL;
    xp_status st = xp_program_load_embedded(XP_PROGRAM(forward), &p);
    printf("%s: %s\n", xp_status_name(st), xp_last_error());
    return st == XP_OK;
}
C
"$XP_CC" a/model.c b/model.c main.c -fplugin-arg-xport-out=. -o app
./app > out || { cat out >&2; fail "loading an ambiguous name succeeded"; }
expect_text out "program 'forward' is embedded twice in this binary, from a/model.c and from b/model.c"
cat out
