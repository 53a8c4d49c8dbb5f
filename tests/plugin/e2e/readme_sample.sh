# The README's sample as scripts/demo.sh runs it: examples/tutorial built
# with xport-cc; the app prints the program, the result, its agreement with
# eager forward() and the guard's message for an out-of-range batch.
source "$(dirname "$0")/../lib.sh"
need_capture
cp "$XP_SRC/examples/tutorial/model.c" "$XP_SRC/examples/tutorial/main.c" .
"$XP_CC" -O2 -Wall -Wextra -Werror $XP_SAN_FLAGS model.c main.c -o tutorial
[ -f forward.xpg ] || fail "forward.xpg not written beside the app"
./tutorial > out.txt
expect_text out.txt "exported program forward"
expect_text out.txt "%linear = xp.linear(%add, p_lin_weight, p_lin_bias)"
expect_text out.txt "model.c:20:"
expect_text out.txt "batch: [1, 1024]"
expect_text out.txt "result: f32[8, 10]"
expect_text out.txt "matches eager forward()"
expect_text out.txt "batch 2000 rejected: input x: dim 0 (batch) is 2000, above its maximum 1024"
"$XP_BUILD/xport" show forward.xpg > show.txt
expect_text show.txt "p_lin_weight  PARAMETER   lin.weight"
