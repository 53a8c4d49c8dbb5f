# Under -E the plugin is not involved: '#pragma xport' lines stay in the
# output as written, so -save-temps and distributed builds keep them.
# (As written means unexpanded: a macro used inside a pragma must still be
# defined where the preprocessed file is compiled; it is not, so such a
# pragma reports an unknown name there. Clang cannot expand an unknown
# pragma's tokens under -E.)
source "$(dirname "$0")/lib.sh"
need_plugin
cat > m.c <<'C'
#include <xport.h>
#define IN 100
#pragma xport export
#pragma xport input(x, f32[4, IN])
xp_tensor *forward(xp_tensor *x) { return xp_relu(x); }
C
"$XP_CLANG" -E -I"$XP_SRC/annotations" -fplugin="$XP_PLUGIN" m.c -o with.i
"$XP_CLANG" -E -I"$XP_SRC/annotations" m.c -o without.i
expect_text with.i "#pragma xport export"
expect_text with.i "#pragma xport input(x, f32[4, IN])"
cmp -s with.i without.i || fail "-E output differs with the plugin"

# A preprocessed file whose pragmas use no macros compiles with the plugin.
sed 's/IN\]/100]/' m.c > n.c
"$XP_CLANG" -E -I"$XP_SRC/annotations" -fplugin="$XP_PLUGIN" n.c -o n.i
"$XP_CLANG" -fsyntax-only -Wall -fplugin="$XP_PLUGIN" -fplugin-arg-xport-out=. -x cpp-output n.i 2>err
[ ! -s err ] || { cat err >&2; fail "diagnostics compiling the -E output"; }
echo "ok: pragmas kept under -E"
