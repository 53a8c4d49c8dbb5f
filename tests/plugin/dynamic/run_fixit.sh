# The suggested fixes converge: DynamicShapesExample3 (example3.c) does not
# export as written; its errors carry fix-its on the dim/input pragmas;
# `clang -Xclang -fixit` applies them (and fails, as any compile with
# errors does); compiling the rewritten file then succeeds in one step, and
# `xport show` lists the branch the new range decided. The rewritten file
# must equal example3.fixed.c. The program's runs are in run_examples.sh.
#
# usage: run_fixit.sh WORKDIR   (environment as in ../lib.sh, plus XP_CLI)
source "$(dirname "$0")/../lib.sh"
need_capture
[ -x "${XP_CLI:-}" ] || fail "XP_CLI (the xport tool) is not set"
dyn="$here/dynamic"
mkdir -p out
cp "$dyn/example3.c" "$dyn/examples.h" .
cc=("$XP_CLANG" -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations")

# 1. As written: three errors, each with its fix-it, and no program.
err_file=err
expect_failure "${cc[@]}" -fsyntax-only -fplugin-arg-xport-out=out -fdiagnostics-parseable-fixits example3.c
[ ! -e out/dynamic_shapes_example3.xpg ] || fail "a program was written while fixes are pending"
expect_text err "example3.c:17:23: error: 'if' condition 'xp_size(x, 0) <= 16' is not decided by the declared ranges: it is 'inp4_dim0 <= 16' with 'inp4_dim0' in [0, 1024]"
expect_text err 'fix-it:"example3.c":{10:34-10:38}:"16"'
expect_text err "example3.c:10:19: note: declare dim 'inp4_dim0' with 'max=16' to make the condition true for every size"
expect_text err "example3.c:10:19: note: or declare dim 'inp4_dim0' with 'min=17' to make it false for every size"
expect_text err 'fix-it:"example3.c":{10:38-10:38}:", min=17"'
expect_text err "example3.c:18:29: error: slice: dim 1 (inp5_dim1 in [0, inf]) is not provably at least 16"
expect_text err 'fix-it:"example3.c":{13:28-13:28}:", min=16"'
expect_text err "example3.c:18:16: error: matmul: self dim 1 (inp4_dim1) and other dim 0 (inp5_dim0) must be equal"
expect_text err 'fix-it:"example3.c":{12:1-13:1}:""'
expect_text err 'fix-it:"example3.c":{15:28-15:37}:"inp4_dim1"'
[ "$(grep -c 'error:' err)" = 3 ] || { cat err >&2; fail "expected exactly 3 errors"; }

# 2. -fixit rewrites the file in place (and fails: the errors stand).
expect_failure "${cc[@]}" -fsyntax-only -Xclang -fixit example3.c
expect_text err "FIX-IT applied suggested code changes"
diff -u "$dyn/example3.fixed.c" example3.c || fail "the rewritten example3.c differs from example3.fixed.c"

# 3. One more compile succeeds, warning-free, and writes the program.
"${cc[@]}" -c -Wall -Werror -fplugin-arg-xport-out=out example3.c -o example3.o 2>err ||
  { cat err >&2; fail "the fixed example3.c does not compile"; }
[ ! -s err ] || { cat err >&2; fail "the fixed example3.c compiles with diagnostics"; }
[ -f out/dynamic_shapes_example3.xpg ] || fail "no program was written for the fixed example3.c"

# 4. The branch the new range decided is a recorded specialization.
"$XP_CLI" show out/dynamic_shapes_example3.xpg >show || fail "xport show failed"
expect_text show "specializations:"
expect_text show "example3.c:16:9: 'xp_size(x, 0) <= 16' (inp4_dim0 <= 16) is true for inp4_dim0 in [0, 16]"
expect_text show "inp4_dim0: [0, 16]"

# 5. Every kind of edit (several.c): a bound replaced (also one written
#    with a macro), bounds inserted, two fixes of one bound merged into the
#    tightest, one name for two dims with the range both allow (also in a
#    derived dim), an int parameter's dim keeping its name. One -fixit pass
#    and the file compiles.
cp "$dyn/several.c" .
expect_failure "${cc[@]}" -fsyntax-only -fdiagnostics-parseable-fixits several.c
[ "$(grep -c 'error:' err)" = 7 ] || { cat err >&2; fail "several.c: expected 7 errors"; }
expect_text err 'fix-it:"several.c":{9:26-9:31}:"8"'
expect_text err 'fix-it:"several.c":{21:26-21:29}:"9"'
expect_text err 'fix-it:"several.c":{21:29-21:29}:", min=3"'
expect_text err 'fix-it:"several.c":{31:26-31:27}:"8"'
expect_text err 'fix-it:"several.c":{32:1-33:1}:""'
expect_text err 'fix-it:"several.c":{35:30-35:31}:"k"'
expect_text err 'fix-it:"several.c":{42:20-42:20}:", min=6, max=6"'
expect_text err 'fix-it:"several.c":{52:28-52:29}:"n"'
expect_failure "${cc[@]}" -fsyntax-only -Xclang -fixit several.c
[ "$(grep -c 'FIX-IT applied suggested code changes' err)" = 7 ] || { cat err >&2; fail "several.c: not every fix-it was applied"; }
diff -u "$dyn/several.fixed.c" several.c || fail "the rewritten several.c differs from several.fixed.c"
"${cc[@]}" -fsyntax-only -Wall -Werror -fplugin-arg-xport-out=out several.c 2>err ||
  { cat err >&2; fail "the fixed several.c does not compile"; }

# 6. A dim declared by a macro's _Pragma cannot be edited: the error says
#    so and has no fix-it, so -fixit changes nothing (a partial rewrite
#    would not converge).
cat > macro.c <<'C'
#include <xport.h>
#define DECLARE_N _Pragma("xport dim(n, max=1024)")
#pragma xport export
DECLARE_N
#pragma xport input(x, f32[n])
xp_tensor *f(xp_tensor *x) {
    if (xp_size(x, 0) <= 16)
        return xp_relu(x);
    return x;
}
C
cp macro.c macro.orig.c
expect_failure "${cc[@]}" -fsyntax-only -fdiagnostics-parseable-fixits macro.c
expect_text err "note: the declaration of 'n' comes from a macro expansion; change it by hand"
grep -q '^fix-it:"macro.c":{[0-9:-]*}:", max' err && fail "macro.c: a fix-it edits a macro-made pragma"
expect_failure "${cc[@]}" -fsyntax-only -Xclang -fixit macro.c
expect_text err "FIX-IT detected an error it cannot fix"
cmp -s macro.c macro.orig.c || fail "-fixit changed macro.c"
echo "ok: every kind of edit converges; a macro-made declaration is left alone"
