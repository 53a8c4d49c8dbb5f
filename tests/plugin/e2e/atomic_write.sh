# NAME.xpg appears whole or not at all: no file (and no temporary) when the
# capture fails, and no temporary when the file cannot be written.
source "$(dirname "$0")/../lib.sh"
need_capture
err_file=err
mkdir -p out
cat > bad.c <<'C'
#include <xport.h>
#pragma xport export
#pragma xport input(a, f32[2, 3])
#pragma xport input(b, f32[4, 5])
xp_tensor *forward(xp_tensor *a, xp_tensor *b) { return xp_matmul(a, b); }
C
expect_failure "$XP_CLANG" -c -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out bad.c -o bad.o
[ -z "$(ls -A out)" ] || { ls -la out >&2; fail "files left after a failed capture"; }
[ ! -f bad.o ] || fail "an object was written despite the error"

# A directory where the file should go: the rename fails, nothing is left.
cp "$XP_SRC/examples/tutorial/model.c" model.c
mkdir -p out/forward.xpg
expect_failure "$XP_CLANG" -c -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out model.c -o model.o
expect_text err "error: cannot write the exported program 'forward' to 'out/forward.xpg': "
[ "$(ls -A out)" = "forward.xpg" ] || { ls -la out >&2; fail "temporary files left behind"; }
[ ! -f model.o ] || fail "an object was written despite the error"

# A directory that does not exist.
expect_failure "$XP_CLANG" -c -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=missing model.c -o model.o
expect_text err "error: cannot write the exported program 'forward' to 'missing/forward.xpg': "
echo "ok: atomic program files"
