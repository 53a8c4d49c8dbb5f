#!/usr/bin/env bash
# The tutorial's first model through the `xport` CLI, as a user runs it:
# built with the IR builder and saved (tutorial_helper make), printed with
# `xport show`, run with `xport run` on .npy inputs and safetensors weights,
# and compared with the eager result of the same ops. Also `xport ops`
# against the registry, and the usage-error exits.
#
# usage: tutorial_cli.sh XPORT_BINARY SCRATCH_DIR
# Setup and assertion helpers: lib.sh.
source "$(dirname "$0")/lib.sh" "$@"

# ---- xport show ----
if expect_exit 0 "xport show" "$xport" show "$dir/forward.xpg"; then
    contains "$out" "exported program forward" "show: header"
    contains "$out" "graph(p_lin_weight: f32[10, 100], p_lin_bias: f32[10], x: f32[batch, 100], y: f32[batch, 100]):" "show: graph inputs"
    contains "$out" "= xp.add(x, y)" "show: add node"
    contains "$out" "xp.linear(%add, p_lin_weight, p_lin_bias)" "show: linear node"
    contains "$out" "xp.relu(%linear)" "show: relu node"
    contains "$out" "model.c:19:33" "show: source location"
    contains "$out" "return (%relu)" "show: return"
    contains "$out" "signature:" "show: signature header"
    contains "$(grep -F PARAMETER <<<"$out")" "lin.weight" "show: lin.weight is a PARAMETER"
    contains "$(grep -F USER_INPUT <<<"$out")" "x, y" "show: x, y are USER_INPUTs"
    contains "$out" "USER_OUTPUT" "show: user output"
    contains "$out" "batch: [1, 1024]" "show: range constraint"
fi
if expect_exit 0 "xport show --dot" "$xport" show "$dir/forward.xpg" --dot; then
    contains "$out" "digraph" "show --dot: a Graphviz graph"
fi

# ---- xport run ----
if expect_exit 0 "xport run" "$xport" run "$dir/forward.xpg" --weights "$dir/model.safetensors" \
    --input x="$dir/x.npy" --input "y=$dir/y.npy" --output "$dir/out"; then
    contains "$out" "relu: f32[8, 10] = [" "run: output summary"
    if [ -f "$dir/out/relu.npy" ]; then
        if "$helper" compare "$dir/out/relu.npy" "$dir/expected.npy"; then
            pass "run: output matches eager execution"
        else
            fail "run: output differs from eager execution"
        fi
    else
        fail "run: $dir/out/relu.npy was not written"
    fi
fi
# --opt=value spelling, --backend cpu, no --output
expect_exit 0 "xport run --weights=... --backend cpu" "$xport" run "$dir/forward.xpg" --weights="$dir/model.safetensors" \
    --input=x="$dir/x.npy" --input=y="$dir/y.npy" --backend cpu

# runtime failures: exit 1, "xport: " + the library's message
if expect_exit 1 "run without weights fails" "$xport" run "$dir/forward.xpg" --input x="$dir/x.npy" --input y="$dir/y.npy"; then
    contains "$err" "xport: parameter lin.weight is not bound" "run without weights: message"
fi
if expect_exit 1 "run with a guard violation fails" "$xport" run "$dir/forward.xpg" --weights "$dir/model.safetensors" \
    --input x="$dir/x.npy" --input y="$dir/expected.npy"; then
    contains "$err" "xport: input y: dim 1 is 10, but the program was exported with size 100" "guard violation: message"
fi
if expect_exit 1 "run with a missing file fails" "$xport" run "$dir/nope.xpg" --input x=a.npy; then
    contains "$err" "xport: " "missing file: prefixed message"
fi
if expect_exit 1 "run on an unavailable backend fails" "$xport" run "$dir/forward.xpg" --weights "$dir/model.safetensors" \
    --input x="$dir/x.npy" --input y="$dir/y.npy" --backend nosuch; then
    contains "$err" "xport: " "unavailable backend: prefixed message"
fi

# ---- xport ops ----
if expect_exit 0 "xport ops" "$xport" ops; then
    for op in add linear relu conv2d scaled_dot_product_attention cond slice_scatter; do
        if grep -qE "^$op[[:space:]]" <<<"$out"; then pass "ops lists $op"; else fail "ops does not list $op"; fi
    done
    contains "$out" "add(Tensor self, Tensor other) -> Tensor" "ops: schema column"
    # every ops.def row appears once
    src_dir=$(cd "$(dirname "$0")/../.." && pwd)
    want=$(grep -c '^XP_OP(' "$src_dir/runtime/ops/ops.def")
    got=$(tail -n +2 <<<"$out" | grep -cvE '^[0-9]+ ops$')
    if [ "$want" -eq "$got" ]; then pass "ops: $got rows, one per ops.def entry"; else fail "ops: $got rows, ops.def has $want"; fi
fi

# ---- help, version, usage errors (exit 2 with a usage line) ----
expect_exit 0 "xport --help" "$xport" --help && contains "$out" "usage: xport" "--help: usage"
expect_exit 0 "xport run --help" "$xport" run --help && contains "$out" "--input NAME=FILE.npy" "run --help: options"
expect_exit 0 "xport --version" "$xport" --version && contains "$out" "xport " "--version"
expect_exit 2 "no command" "$xport" && contains "$err" "usage: xport" "no command: usage"
expect_exit 2 "unknown command" "$xport" frobnicate && contains "$err" "unknown command 'frobnicate'" "unknown command: message"
expect_exit 2 "unknown option" "$xport" show "$dir/forward.xpg" --bogus && contains "$err" "usage: xport show" "unknown option: usage"
expect_exit 2 "show without a file" "$xport" show && contains "$err" "missing FILE.xpg" "show without a file: message"
expect_exit 2 "run without a value" "$xport" run "$dir/forward.xpg" --input && contains "$err" "needs a value" "missing value: message"
if expect_exit 2 "--input naming no input" "$xport" run "$dir/forward.xpg" --weights "$dir/model.safetensors" \
    --input x="$dir/x.npy" --input y="$dir/y.npy" --input z="$dir/y.npy"; then
    contains "$err" "program forward has no input 'z' (its inputs: x, y)" "--input z: message"
    contains "$err" "usage: xport run" "--input z: usage line"
fi
if expect_exit 2 "missing --input" "$xport" run "$dir/forward.xpg" --input x="$dir/x.npy"; then
    contains "$err" "missing --input y=FILE.npy" "missing --input: message"
fi

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
