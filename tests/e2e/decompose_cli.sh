#!/usr/bin/env bash
# `xport decompose` as a user runs it, on the tutorial program (built by
# tutorial_helper make: relu(linear(x + y)), batch in [1, 1024]): the full
# table turns linear into permute + addmm, keeping the signature, the range
# constraints and the source locations, and `xport run` gives the original's
# output; --ops picks ops; `xport ops` shows which ops decompose and
# `--core` lists the core opset; bad op names and usage errors exit 2.
#
# usage: decompose_cli.sh XPORT_BINARY SCRATCH_DIR
# Setup and assertion helpers: lib.sh.
source "$(dirname "$0")/lib.sh" "$@"
run_args=(--weights "$dir/model.safetensors" --input x="$dir/x.npy" --input y="$dir/y.npy")

# ---- the full table: only core ops ----
if expect_exit 0 "xport decompose" "$xport" decompose "$dir/forward.xpg" -o "$dir/core.xpg"; then
    contains "$out" "program forward decomposed to core ops, 3 nodes -> 4 nodes" "decompose: summary"
fi
if expect_exit 0 "xport show (decomposed)" "$xport" show "$dir/core.xpg"; then
    lacks "$out" "xp.linear" "show: no linear left"
    contains "$out" "= xp.permute(p_lin_weight, dims=[1, 0])" "show: the weight transposed by permute"
    contains "$out" "= xp.addmm(p_lin_bias, %add, %permute)" "show: addmm"
    contains "$(grep -F xp.addmm <<<"$out")" "model.c:19:21" "show: addmm keeps linear's source location"
    contains "$(grep -F xp.permute <<<"$out")" "model.c:19:21" "show: permute keeps linear's source location"
    contains "$out" "xp.relu(%addmm)" "show: relu reads addmm"
    contains "$out" "graph(p_lin_weight: f32[10, 100], p_lin_bias: f32[10], x: f32[batch, 100], y: f32[batch, 100]):" \
        "show: same graph inputs"
    contains "$out" "return (%relu)" "show: same output"
    contains "$(grep -F PARAMETER <<<"$out")" "lin.weight" "show: lin.weight still a PARAMETER"
    contains "$(grep -F USER_INPUT <<<"$out")" "x, y" "show: x, y still USER_INPUTs"
    contains "$out" "batch: [1, 1024]" "show: range constraint kept"
fi
if expect_exit 0 "xport run (original)" "$xport" run "$dir/forward.xpg" "${run_args[@]}" --output "$dir/orig" &&
    expect_exit 0 "xport run (decomposed)" "$xport" run "$dir/core.xpg" "${run_args[@]}" --output "$dir/core"; then
    contains "$out" "relu: f32[8, 10] = [" "run: output summary"
    # addmm and linear sum the same 100 products: the helper's 1e-5 bound
    if "$helper" compare "$dir/core/relu.npy" "$dir/orig/relu.npy" >/dev/null; then
        pass "run: decomposed output matches the original"
    else
        fail "run: decomposed output differs from the original"
    fi
    if "$helper" compare "$dir/core/relu.npy" "$dir/expected.npy" >/dev/null; then
        pass "run: decomposed output matches eager execution"
    else
        fail "run: decomposed output differs from eager execution"
    fi
fi
# decomposing again changes nothing
if expect_exit 0 "xport decompose (twice)" "$xport" decompose "$dir/core.xpg" --output "$dir/core2.xpg"; then
    if [ "$("$xport" show "$dir/core.xpg")" = "$("$xport" show "$dir/core2.xpg")" ]; then
        pass "decompose: a core program stays the same"
    else
        fail "decompose: a core program changed"
    fi
fi

# ---- a partial table ----
if expect_exit 0 "xport decompose --ops linear,t" "$xport" decompose "$dir/forward.xpg" --ops linear,t -o "$dir/lt.xpg"; then
    contains "$out" "program forward decomposed, 3 nodes -> 4 nodes" "--ops: summary"
    contains "$("$xport" show "$dir/lt.xpg")" "xp.addmm" "--ops linear,t: linear replaced"
fi
if expect_exit 0 "xport decompose --ops=gelu" "$xport" decompose "$dir/forward.xpg" --ops=gelu -o "$dir/g.xpg"; then
    contains "$("$xport" show "$dir/g.xpg")" "xp.linear(%add, p_lin_weight, p_lin_bias)" "--ops gelu: linear kept"
fi

# ---- xport ops ----
src_dir=$(cd "$(dirname "$0")/../.." && pwd)
if expect_exit 0 "xport ops" "$xport" ops; then
    contains "$(head -n 1 <<<"$out")" "DECOMP" "ops: decomposition column"
    for op in linear gelu scaled_dot_product_attention reshape; do
        if grep -qE "^$op +no +no +(yes|no) +yes " <<<"$out"; then pass "ops: $op decomposes"; else fail "ops: $op row"; fi
    done
    for op in addmm erf relu_; do
        if grep -qE "^$op +(yes|no) +(yes|no) +(yes|no) +no " <<<"$out"; then pass "ops: $op has none"; else fail "ops: $op row"; fi
    done
fi
if expect_exit 0 "xport ops --core" "$xport" ops --core; then
    want=$(grep '^XP_OP(' "$src_dir/runtime/ops/ops.def" | grep -c 'XP_OP_CORE')
    contains "$out" "$want core ops" "ops --core: one row per core op of ops.def"
    got=$(tail -n +2 <<<"$out" | grep -cvE '^[0-9]+ core ops$')
    if [ "$want" -eq "$got" ]; then pass "ops --core: $got rows"; else fail "ops --core: $got rows, ops.def has $want core ops"; fi
    if grep -qE '^(linear|gelu|softmax) ' <<<"$out"; then fail "ops --core lists a non-core op"; else pass "ops --core: no non-core op"; fi
    if grep -qE '^erf ' <<<"$out"; then pass "ops --core: erf"; else fail "ops --core: erf missing"; fi
fi

# ---- errors: runtime failures exit 1, usage errors 2 ----
expect_exit 0 "xport decompose --help" "$xport" decompose --help && contains "$out" "--ops LIST" "decompose --help: options"
expect_exit 0 "xport help decompose" "$xport" help decompose && contains "$out" "usage: xport decompose" "help decompose"
expect_exit 0 "xport --help" "$xport" --help && contains "$out" "decompose" "--help lists decompose"
if expect_exit 2 "decompose without -o" "$xport" decompose "$dir/forward.xpg"; then
    contains "$err" "missing -o OUT.xpg" "without -o: message"
    contains "$err" "usage: xport decompose" "without -o: usage line"
fi
expect_exit 2 "decompose without a file" "$xport" decompose -o "$dir/x.xpg" && contains "$err" "missing FILE.xpg" "without a file: message"
expect_exit 2 "decompose -o without a value" "$xport" decompose "$dir/forward.xpg" -o && contains "$err" "needs a value" "-o: message"
expect_exit 2 "decompose with an unknown option" "$xport" decompose "$dir/forward.xpg" --bogus -o "$dir/x.xpg" &&
    contains "$err" "unknown option '--bogus'" "unknown option: message"
if expect_exit 2 "decompose --ops with bad names" "$xport" decompose "$dir/forward.xpg" --ops linear,frobnicate,add -o "$dir/x.xpg"; then
    contains "$err" "unknown op 'frobnicate'" "--ops: names the unknown op"
    contains "$err" "'add' is a core op" "--ops: names the core op"
fi
[ -e "$dir/x.xpg" ] && fail "a failed decompose wrote its output" || pass "failed decompose writes nothing"
if expect_exit 1 "decompose a missing file" "$xport" decompose "$dir/nope.xpg" -o "$dir/x.xpg"; then
    contains "$err" "xport: " "missing file: prefixed message"
fi
expect_exit 2 "ops with an unknown option" "$xport" ops --bogus

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
