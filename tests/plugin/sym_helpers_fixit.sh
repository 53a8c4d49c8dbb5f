# xp_sym_lt(a, b) in an 'if' is 'a < b': an undecided one gets the same
# error, notes and fix-its as the operator (up to the condition's text and
# column), the fix-it applied makes the file compile, and a condition the
# declared ranges decide is specialized as the operator's is.
source "$(dirname "$0")/lib.sh"
need_capture
write() { # $1: the directory, $2: the condition
  mkdir -p "$1/out"
  cat > "$1/m.c" <<C
#include <xport.h>

#pragma xport export
#pragma xport dim(n, max=1024)
#pragma xport input(x, f32[n])
xp_tensor *forward(xp_tensor *x) {
    if ($2)
        return xp_relu(x);
    return x;
}
C
}
write op 'xp_size(x, 0) < 16'
write fn 'xp_sym_lt(xp_size(x, 0), 16)'
flags=(-fsyntax-only -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out
       -fdiagnostics-parseable-fixits)
for d in op fn; do
  err_file="$d.err"
  (cd "$d" && expect_failure "$XP_CLANG" "${flags[@]}" m.c) || exit 1
  mv "$d/$d.err" "$d.err"
done
expect_text fn.err "m.c:7:9: error: 'if' condition 'xp_sym_lt(xp_size(x, 0), 16)' is not decided by the declared ranges: it is 'n < 16' with 'n' in [0, 1024]"
expect_text fn.err 'fix-it:"m.c":{4:26-4:30}:"15"'
expect_text fn.err "m.c:4:19: note: declare dim 'n' with 'max=15' to make the condition true for every size"
# The same diagnostics and fix-its (the source lines and carets aside):
# the operator's, with the helper's text and column.
grep -E '^(m\.c:|fix-it:)' op.err |
  sed -e "s/'xp_size(x, 0) < 16'/'xp_sym_lt(xp_size(x, 0), 16)'/" -e 's/^m\.c:7:[0-9]*:/m.c:7:9:/' >op.as_fn
grep -E '^(m\.c:|fix-it:)' fn.err >fn.lines
diff -u op.as_fn fn.lines || fail "xp_sym_lt's diagnostics differ from those of '<'"
# Applied, the fix-it decides the condition, and the file compiles.
(cd fn && "$XP_CLANG" -fsyntax-only -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -Xclang -fixit m.c 2>/dev/null) || true
grep -qF 'dim(n, max=15)' fn/m.c || { cat fn/m.c >&2; fail "the fix-it was not applied"; }
(cd fn && "$XP_CLANG" -fsyntax-only -Wall -Werror -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" \
    -fplugin-arg-xport-out=out m.c) || fail "the fixed file does not compile"
[ -f fn/out/forward.xpg ] || fail "no program was written for the fixed file"
echo "ok: xp_sym_lt's diagnostics and fix-it are those of '<'"
