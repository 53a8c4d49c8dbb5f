# Loaded into a clang whose major version is not 19, the plugin refuses with
# a clear message instead of crashing inside Clang's C++ ABI.
source "$(dirname "$0")/lib.sh"
need_plugin
other=""
for c in clang-14 clang-15 clang-16 clang-17 clang-18 clang-20; do
  if command -v "$c" >/dev/null; then other="$c"; break; fi
done
[ -n "$other" ] || skip "no clang other than 19 installed"
echo 'int x;' > m.c
set +e
"$other" -fsyntax-only -fplugin="$XP_PLUGIN" m.c 2>err
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "$other accepted the plugin"
[ "$rc" -lt 128 ] || { cat err >&2; fail "$other crashed (exit $rc)"; }
if ! grep -qF "xport.so was built for clang 19 and cannot run inside" err &&
   ! grep -qF "unable to load plugin" err; then
  cat err >&2
  fail "no clear message from $other"
fi
grep -q "Stack dump\|PLEASE submit a bug report" err && fail "$other crashed"
cat err
echo "ok: $other refuses the plugin (exit $rc)"
