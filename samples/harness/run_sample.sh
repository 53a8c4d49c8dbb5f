# Runs one sample of the catalog as a test (CTest samples.NAME).
#
#   run_sample.sh SAMPLE.c WORKDIR   (environment as in tests/plugin/lib.sh)
#
# The sample's header (samples/README.md, "The header") says what to do:
#   expect: supported    compile with the plugin (-Wall -Werror), check that
#                        the program was written, link with harness/driver.c
#                        and run it twice (embedded program, then the .xpg):
#                        the exported run must equal the eager run
#   expect: unsupported  compile with -Xclang -verify: exactly the
#                        diagnostics the body's expected-error/-note markers
#                        say; the header's 'diagnostic:' must be one of them
#   status: pending WHAT skip (exit 77, "SKIP: ...") unless
#                        XP_SAMPLES_RUN_PENDING=1
source "$XP_SRC/tests/plugin/lib.sh" "${2:?usage: $0 SAMPLE.c WORKDIR}"
src="${1:?usage: $0 SAMPLE.c WORKDIR}"
name=$(basename "$src" .c)

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
