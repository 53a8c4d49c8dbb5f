# Shared by the plugin's shell tests (sourced). CTest passes the paths in
# the environment (tests/CMakeLists.txt):
#   XP_CLANG    clang-19            XP_PLUGIN   xport.so (empty: no plugin built)
#   XP_CC       xport-cc            XP_SRC      the source tree
#   XP_GCC      the C compiler libxport was built with
#   XP_LIBDIR   the directory of libxport.so
#   XP_BUILD    the build tree
#   XP_SAN_FLAGS  sanitizer flags a program linking libxport.so needs
# and the test's scratch directory as $1.
set -euo pipefail

work="${1:?usage: $0 WORKDIR}"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
here="$XP_SRC/tests/plugin"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

need_plugin() {
  [ -n "${XP_PLUGIN:-}" ] && [ -f "$XP_PLUGIN" ] || skip "xport.so is not built (XP_BUILD_PLUGIN=OFF)"
}

# A plugin that loads but writes no program for a trivially exportable
# function is broken: fail loudly rather than skip.
need_capture() {
  need_plugin
  mkdir -p probe
  cat > probe/probe.c <<'PROBE'
#include <xport.h>
#pragma xport export
#pragma xport input(x, f32[2])
xp_tensor *probe(xp_tensor *x) { return xp_relu(x); }
PROBE
  "$XP_CLANG" -fsyntax-only -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" \
    -fplugin-arg-xport-out=probe probe/probe.c || fail "the plugin rejected a trivial export"
  [ -f probe/probe.xpg ] || fail "the plugin wrote no program for a trivial export"
  rm -rf probe
}

# Runs "$@", expecting failure; its stderr goes to $err_file.
expect_failure() {
  if "$@" 2>"$err_file"; then fail "expected failure: $*"; fi
}

# Fails unless file $1 contains the fixed string $2.
expect_text() {
  grep -qF -- "$2" "$1" || { echo "--- $1:" >&2; cat "$1" >&2; fail "expected '$2' in $1"; }
}
