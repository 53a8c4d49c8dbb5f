# Golden tests of the capture: each tests/plugin/capture/NAME.c is compiled
# with the plugin and every program it exports is printed with `xport show`
# (in name order); the text must equal NAME.expected. Each is compiled once
# more with -DXPORT_CALL_SITES (the tracer's call-site macros of xport.h),
# which must not change what the plugin captures. The files are
# reviewed text: after a deliberate change, regenerate them with
#   XP_UPDATE_GOLDEN=1 ctest -R plugin.capture.golden
# and review the diff.
#
# usage: run_golden.sh WORKDIR   (environment as in ../lib.sh, plus XP_CLI:
# the xport command-line tool)
source "$(dirname "$0")/../lib.sh"
need_capture
export LC_ALL=C
[ -x "${XP_CLI:-}" ] || fail "XP_CLI (the xport tool) is not set"

failures=0
for src in "$here"/capture/*.c; do
  name=$(basename "$src" .c)
  expected="$here/capture/$name.expected"
  mkdir -p "$name/out"
  # Compile from the test's own directory so that locations read NAME.c:L:C.
  cp "$src" "$name/"
  if ! (cd "$name" && "$XP_CLANG" -fsyntax-only -Wall -Werror -fplugin="$XP_PLUGIN" -fplugin-arg-xport-out=out \
          -I"$XP_SRC/annotations" "$name.c") 2>"$name/stderr"; then
    echo "FAIL: $name.c did not compile:" >&2
    cat "$name/stderr" >&2
    failures=$((failures + 1))
    continue
  fi
  : >"$name/actual"
  for program in "$name"/out/*.xpg; do  # the glob is sorted (LC_ALL=C below)
    "$XP_CLI" show "$program" >>"$name/actual" || fail "xport show $program"
  done
  if [ -n "${XP_UPDATE_GOLDEN:-}" ]; then
    cp "$name/actual" "$expected"
    echo "updated $expected"
  elif [ ! -f "$expected" ]; then
    echo "FAIL: $name.c has no $name.expected (XP_UPDATE_GOLDEN=1 writes it)" >&2
    failures=$((failures + 1))
  elif diff -u "$expected" "$name/actual"; then
    echo "ok: $name"
  else
    echo "FAIL: $name: 'xport show' differs from $name.expected" >&2
    failures=$((failures + 1))
  fi
  mkdir -p "$name/out_sites"
  if ! (cd "$name" && "$XP_CLANG" -fsyntax-only -Wall -Werror -DXPORT_CALL_SITES -fplugin="$XP_PLUGIN" \
          -fplugin-arg-xport-out=out_sites -I"$XP_SRC/annotations" "$name.c") 2>"$name/stderr_sites"; then
    echo "FAIL: $name.c did not compile with -DXPORT_CALL_SITES:" >&2
    cat "$name/stderr_sites" >&2
    failures=$((failures + 1))
    continue
  fi
  : >"$name/actual_sites"
  for program in "$name"/out_sites/*.xpg; do
    "$XP_CLI" show "$program" >>"$name/actual_sites" || fail "xport show $program"
  done
  if diff -u "$name/actual" "$name/actual_sites"; then
    echo "ok: $name (-DXPORT_CALL_SITES)"
  else
    echo "FAIL: $name: -DXPORT_CALL_SITES changes the captured programs" >&2
    failures=$((failures + 1))
  fi
done
[ "$failures" -eq 0 ] || fail "$failures golden test(s) failed"
echo "all golden tests passed"
