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
  # '#pragma xport op' is seen by the plugin only: built with GCC the
  # function is plain C, so tracing records the ops of its body, not one node.
  tutorial_custom_op) echo "a custom op ('#pragma xport op'): traced, its C body's ops are recorded, not one node" ;;
  esac
}

# The supported samples that xp_export_trace must REJECT, built with GCC:
# the text the traced run (driver.c --trace) must fail with. Each uses a
# plugin-only form whose traced equivalent is another API.
trace_reject_text() {
  case "$1" in
  # '#pragma xport cond' / 'map' on a plain if or for: compiled as plain C
  # the if reads the predicate's value (xp_cond / xp_map are the traceable
  # forms), an if on a size the ranges do not decide takes both ways among
  # the validation passes, a for bounded by a size loops (docs/tracing.md).
  cond_branch_nested_function | cond_closed_over_variable | cond_else_if | cond_operands | cond_predicate | \
    cond_then_mutate | tutorial_cond)
    echo "reads the value of a traced tensor" ;;
  cond_on_shape) echo "the traced function compares a symbolic size in plain C code" ;;
  dynamic_shape_map) echo "a C loop bounded by a symbolic size" ;;
  # Plain C arithmetic on a symbolic size: the plugin sees the expression,
  # the tracer only a handle; the result reaching an op is rejected naming
  # the dim (docs/tracing.md, Sizes): traced code uses xp_sym_add/sub/mul/div.
  dynamic_shape_constructor | dynamic_shape_slicing | size_arithmetic | scalar_output)
    echo "a size computed with plain C arithmetic from symbolic dim" ;;
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
    "$XP_GCC" $XP_SAN_FLAGS -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas -D_GNU_SOURCE -DXPORT_CALL_SITES \
      -fsanitize-coverage=trace-cmp -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" -I"$XP_SRC/samples" "$XP_SRC/samples/harness/driver.c" \
      "$src" -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o app_trace || fail "$name: building with GCC"
    if ./app_trace --trace "out/$program.xpg" >trace.log 2>&1; then
      cat trace.log
      fail "$name: xp_export_trace accepted what it must reject ('$reject')"
    fi
    cat trace.log
    grep -qF -- "$reject" trace.log || fail "$name: the trace failed without '$reject'"
  else
    echo "== $name (traced with xp_export_trace, built with GCC)"
    "$XP_GCC" $XP_SAN_FLAGS -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas -D_GNU_SOURCE -DXPORT_CALL_SITES \
      -fsanitize-coverage=trace-cmp -I"$XP_SRC/annotations" -I"$XP_SRC/runtime" -I"$XP_SRC/samples" "$XP_SRC/samples/harness/driver.c" \
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
