# Custom ops (issue 6, docs/custom-ops.md) end to end: the tutorial's
# CustomOpExample exported with the plugin, shown, and run through the
# runtime with the op printing exactly once per run; a custom op with a
# symbolic output shape over several sizes vs eager; a program without the
# op's object failing to load; `xport run --ops` and `xport ops --ops` with
# a library built by xport-cc.
source "$(dirname "$0")/../lib.sh"
need_capture
xport="$XP_BUILD/xport"
err_file=err.txt
cp "$here/e2e/custom_ops.h" "$here/e2e/custom_ops_model.c" "$here/e2e/custom_ops_main.c" \
  "$here/e2e/custom_ops_noops.c" "$here/e2e/custom_ops_lib.c" .

mkdir -p out
"$XP_CC" -c -O1 -Wall -Wextra -Werror -fplugin-arg-xport-out=out custom_ops_model.c -o model.o
[ -f out/custom_op_example.xpg ] && [ -f out/drop_row.xpg ] || fail "the programs were not written"
"$XP_CC" -O1 -Wall -Wextra -Werror custom_ops_main.c model.o -lm -o app

# Exactly one "custom_op called!" per run: the node runs the user's
# function once, embedded or loaded from the file.
for prog in "" out/custom_op_example.xpg; do
  ./app example $prog > run.txt || fail "custom_op_example ${prog:-(embedded)} failed"
  [ "$(grep -c '^custom_op called!$' run.txt)" = 1 ] || { cat run.txt >&2; fail "expected one 'custom_op called!' per run"; }
done

# A symbolic output shape ([n - 1, 4]) from the meta function, over sizes.
./app dynamic > dyn.txt || fail "drop_row (embedded) differs from eager"
./app dynamic out/drop_row.xpg >> dyn.txt || fail "drop_row (file) differs from eager"
[ "$(grep -c 'agrees' dyn.txt)" = 2 ] || fail "drop_row did not run"

# The op library, built like any other with xport-cc.
"$XP_CC" -shared -fPIC -O1 -Wall -Wextra -Werror custom_ops_lib.c -o libmyops.so

# Shown: one node, named after the op, with the meta function's shapes.
"$xport" show out/custom_op_example.xpg --ops ./libmyops.so > show.txt || fail "xport show --ops failed"
expect_text show.txt "= xp.my_lib::custom_op(%sin)"
expect_text show.txt "f32[3, 3]"
"$xport" show out/drop_row.xpg --ops ./libmyops.so > show_dyn.txt
expect_text show_dyn.txt "= xp.my_lib::drop_first_row(%neg, scale=0.5)"
expect_text show_dyn.txt "f32[n - 1, 4]"

# A program that does not link the op's object cannot load it.
"$XP_CC" -O1 custom_ops_noops.c -o noops
expect_failure ./noops out/custom_op_example.xpg
expect_text "$err_file" "program custom_op_example uses custom op my_lib::custom_op, which is not registered: link the file that defines it (compiled with the xport plugin) or pass --ops LIB.so to xport run"
expect_failure "$xport" run out/custom_op_example.xpg --input x=x.npy
expect_text "$err_file" "uses custom op my_lib::custom_op, which is not registered"

# xport run --ops: the library's constructors register the ops.
./app input x.npy
"$xport" run out/custom_op_example.xpg --ops ./libmyops.so --input x=x.npy --output res > cli.txt ||
  fail "xport run --ops failed"
[ "$(grep -c '^custom_op called!$' cli.txt)" = 1 ] || { cat cli.txt >&2; fail "expected one 'custom_op called!' from xport run"; }
ls res/*.npy > /dev/null 2>&1 || fail "xport run wrote no output"
./app check res/*.npy || fail "xport run's output differs from eager"

# xport ops lists the library's ops.
"$xport" ops --ops ./libmyops.so > ops.txt
expect_text ops.txt "my_lib::custom_op"
expect_text ops.txt "my_lib::drop_first_row(Tensor x, float scale) -> Tensor"
expect_failure "$xport" ops --ops ./no_such_lib.so
expect_text "$err_file" "cannot load op library ./no_such_lib.so"
echo "ok: custom ops"
