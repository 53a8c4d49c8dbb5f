# Runs one sample of the catalog as a test (CTest samples.NAME).
#
#   run_sample.sh SAMPLE.c WORKDIR   (environment as in tests/plugin/lib.sh)
#
# The sample's header (samples/README.md, "The header") says what to do:
#   expect: supported    compile with the plugin (-Wall -Werror), check that
#                        the program was written, link with harness/driver.c
#                        and run it twice (embedded program, then the .xpg):
#                        the exported run must equal the eager run; then
#                        (non-strict export, issue 7) compile the sample
#                        with GCC, no plugin, and trace its adapter with
#                        xp_export_trace: the traced program must have the
#                        plugin's ops, signature and range constraints and
#                        equal outputs (driver.c --trace), unless
#                        trace_skip_reason names the sample (skipped) or
#                        trace_reject_text does (the trace must fail
#                        with that text)
#   expect: unsupported  compile with -Xclang -verify: exactly the
#                        diagnostics the body's expected-error/-note markers
#                        say; the header's 'diagnostic:' must be one of them
#   status: pending WHAT skip (exit 77, "SKIP: ...") unless
#                        XP_SAMPLES_RUN_PENDING=1
source "$XP_SRC/tests/plugin/lib.sh" "${2:?usage: $0 SAMPLE.c WORKDIR}"
src="${1:?usage: $0 SAMPLE.c WORKDIR}"
name=$(basename "$src" .c)

# The supported samples that xp_export_trace cannot trace, and why: the
# one list (each prints SKIP with its reason; the rest of its test runs).
trace_skip_reason() {
  case "$1" in
  # '#pragma xport cond' / 'map' on a plain if or for: the plugin's statement
  # forms. Compiled as plain C the if reads the predicate's value (a data-
  # dependent error while tracing); the traceable form is xp_cond / xp_map.
  cond_branch_nested_function | cond_closed_over_variable | cond_else_if | cond_on_shape | cond_operands | \
    cond_predicate | cond_then_mutate | dynamic_shape_map | tutorial_cond)
    echo "'#pragma xport cond/map' on a C statement is the plugin's form; a traced program needs xp_cond / xp_map" ;;
  # Plain C arithmetic on a symbolic size: the plugin sees the expression,
  # the tracer only a handle; it rejects the result (docs/tracing.md, Sizes).
  dynamic_shape_constructor | dynamic_shape_slicing | size_arithmetic)
    echo "plain C arithmetic on a symbolic size (the plugin sees it; a traced function uses xp_sym_add/sub/mul/div)" ;;
  # An equality test of a symbolic size against a constant ('== 3'): false
  # in both of the tracer's passes (docs/tracing.md, Comparisons), so the
  # two programs agree and the tracer cannot reject it; the plugin decides
  # it from the declared range.
  dynamic_shape_if_guard)
    echo "'xp_size(x, 0) == 3' on a symbolic dim: an equality test is false in both trace passes, so the tracer cannot see it (the plugin decides it from the range)" ;;
  # '#pragma xport op' is seen by the plugin only: built with GCC the
  # function is plain C, so tracing records the ops of its body, not one node.
  tutorial_custom_op) echo "a custom op ('#pragma xport op'): traced, its C body's ops are recorded, not one node" ;;
  symint_input) echo "a SYMINT input: the trace spec has no int inputs and XP_INT reads a tensor's value" ;;
  scalar_output) echo "a SYMINT output: a traced function returns tensors only" ;;
  esac
}

# The supported samples that xp_export_trace must REJECT: the text the
# traced run (driver.c --trace) must fail with. A C comparison of a
# symbolic size ('<', '<=', '>', '>=') goes the other way in one of the
# tracer's two passes (docs/tracing.md, Comparisons): an if makes the two
# programs differ (XP_ERR_DATA_DEPENDENT), an assert fails in one pass.
trace_reject_text() {
  case "$1" in
  dynamic_shape_assert) echo "Assertion" ;;
  tutorial_dynamic_shapes_example3_fixed) echo "the traced function compares a symbolic size in plain C code" ;;
  esac
}

header_value() { # the value of header key $1, or empty
  sed -n '1,/\*\//p' "$src" | sed -n "s/^ \* $1: //p" | head -n 1
}
expect=$(header_value expect)
status=$(header_value status)
diagnostic=$(header_value diagnostic)
[ -n "$(header_value tags)" ] && [ -n "$(header_value description)" ] || fail "$name: header without tags or description"

if [ -n "$status" ] && [ "${XP_SAMPLES_RUN_PENDING:-0}" != 1 ]; then
  skip "$name: $status"
fi
need_capture

mkdir -p out
case "$expect" in
supported)
  "$XP_CLANG" -c -O1 -Wall -Wextra -Werror -fplugin="$XP_PLUGIN" -fplugin-arg-xport-out=out \
    -I"$XP_SRC/annotations" -I"$XP_SRC/samples" "$src" -o sample.o || fail "$name did not compile"
  program=$(sed -n 's/^XP_SAMPLE(\([A-Za-z_0-9]*\)).*/\1/p' "$src")
  [ -n "$program" ] || fail "$name has no XP_SAMPLE(...) adapter"
  [ -f "out/$program.xpg" ] || fail "$name: out/$program.xpg was not written"
  # The driver is built without the plugin, so pragmas in headers are unknown.
  "$XP_GCC" $XP_SAN_FLAGS -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas -D_GNU_SOURCE \
    -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" -I"$XP_SRC/samples" "$XP_SRC/samples/harness/driver.c" \
    sample.o -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o app || fail "$name: linking the driver"
  echo "== $name (embedded program)"
  ./app || fail "$name: the embedded program does not match the eager run"
  echo "== $name (out/$program.xpg)"
  ./app "out/$program.xpg" || fail "$name: $program.xpg does not match the eager run"
  why=$(trace_skip_reason "$name")
  reject=$(trace_reject_text "$name")
  if [ -n "$why" ]; then
    echo "SKIP: trace: $name: $why"
  elif [ -n "$reject" ]; then
    echo "== $name (xp_export_trace must reject it, built with GCC)"
    "$XP_GCC" $XP_SAN_FLAGS -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas -D_GNU_SOURCE \
      -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" -I"$XP_SRC/samples" "$XP_SRC/samples/harness/driver.c" \
      "$src" -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o app_trace || fail "$name: building with GCC"
    if ./app_trace --trace "out/$program.xpg" >trace.log 2>&1; then
      cat trace.log
      fail "$name: xp_export_trace accepted a C comparison of a symbolic size"
    fi
    cat trace.log
    grep -qF -- "$reject" trace.log || fail "$name: the trace failed without '$reject'"
  else
    echo "== $name (traced with xp_export_trace, built with GCC)"
    "$XP_GCC" $XP_SAN_FLAGS -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas -D_GNU_SOURCE \
      -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" -I"$XP_SRC/samples" "$XP_SRC/samples/harness/driver.c" \
      "$src" -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o app_trace || fail "$name: building with GCC"
    ./app_trace --trace "out/$program.xpg" || fail "$name: the traced program differs from the plugin's"
  fi
  ;;
unsupported)
  [ -n "$diagnostic" ] || fail "$name: an unsupported sample needs a 'diagnostic:' line"
  grep -F -- "$diagnostic" "$src" | grep -q "expected-error" ||
    fail "$name: no expected-error marker has the header's diagnostic '$diagnostic'"
  "$XP_CLANG" -fsyntax-only -Wunknown-pragmas -Xclang -verify -fplugin="$XP_PLUGIN" \
    -fplugin-arg-xport-out=out -I"$XP_SRC/annotations" -I"$XP_SRC/samples" "$src" ||
    fail "$name: the diagnostics differ from the expected-error/-note markers"
  ;;
*)
  fail "$name: 'expect:' must be 'supported' or 'unsupported', not '$expect'"
  ;;
esac
echo "ok: $name ($expect)"
