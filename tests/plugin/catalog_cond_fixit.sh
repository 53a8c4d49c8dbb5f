# The graph-break catalogue's one mechanical fix (docs/graph-breaks.md): an
# 'if' on a tensor's value gets a fix-it that inserts '#pragma xport cond'
# on its own line above the 'if', indented like it. Checks the fix-it as
# -fdiagnostics-parseable-fixits prints it, applies it with -Xclang -fixit,
# compares the result, and compiles the fixed file: it is then a valid cond
# and exports.
source "$(dirname "$0")/lib.sh"
need_capture
cat > m.c <<'C'
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *forward(xp_tensor *x) {
    xp_tensor *y;
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        y = xp_relu(x);
    else
        y = xp_neg(x);
    return y;
}
C
cat > m.expected.c <<'C'
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *forward(xp_tensor *x) {
    xp_tensor *y;
    #pragma xport cond
    if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0)))
        y = xp_relu(x);
    else
        y = xp_neg(x);
    return y;
}
C
flags=(-fsyntax-only -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out)
mkdir -p out
err_file=err
expect_failure "$XP_CLANG" "${flags[@]}" -fdiagnostics-parseable-fixits m.c
expect_text err "m.c:7:9: error: 'if' depends on the value of tensor 'x'; an exported graph cannot branch on data"
expect_text err "m.c:7:5: note: mark the branch '#pragma xport cond' to capture both sides"
expect_text err 'fix-it:"m.c":{7:5-7:5}:"#pragma xport cond\n    "'

# No fix-it where the 'if' does not start its line: the pragma cannot go there.
cat > elseif.c <<'C'
#include <xport.h>

#pragma xport export
#pragma xport input(x, f32[4])
xp_tensor *forward(xp_tensor *x) {
    if (xp_ndim(x) != 1) return x; else if (xp_item_bool(xp_gt_scalar(xp_sum(x), 0))) return xp_relu(x);
    return xp_neg(x);
}
C
expect_failure "$XP_CLANG" "${flags[@]}" -fdiagnostics-parseable-fixits elseif.c
expect_text err "elseif.c:6:45: error: 'if' depends on the value of tensor 'x'"
if grep -q '^fix-it:' err; then cat err >&2; fail "a fix-it for an 'if' that does not start its line"; fi

# -fixit applies it (and still fails: the errors were reported).
cp m.c fixed.c
"$XP_CLANG" "${flags[@]}" -Xclang -fixit fixed.c 2>fixit.err && fail "-fixit compile succeeded"
diff -u m.expected.c fixed.c || fail "the fixed file differs from m.expected.c"

# The fixed file is a valid cond: it exports.
"$XP_CLANG" "${flags[@]}" fixed.c 2>fixed.err || { cat fixed.err >&2; fail "the fixed file does not export"; }
[ -f out/forward.xpg ] || fail "no program written for the fixed file"
echo "ok: cond fix-it"
