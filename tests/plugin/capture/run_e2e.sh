# End-to-end equality of the capture: for each model in
# tests/plugin/capture/e2e (NAME.h, NAME.c with the exported forward,
# NAME_main.c the driver), NAME.c is compiled with the plugin and linked
# with its driver, which runs the exported program (embedded, then from the
# written .xpg) and forward() eagerly on random inputs and compares them.
#
# usage: run_e2e.sh WORKDIR   (environment as in ../lib.sh)
source "$(dirname "$0")/../lib.sh"
need_capture

for main in "$here"/capture/e2e/*_main.c; do
  name=$(basename "$main" _main.c)
  mkdir -p "$name"
  "$XP_CLANG" -c -O2 -Wall -Werror -fplugin="$XP_PLUGIN" -fplugin-arg-xport-out="$name" \
    -I"$XP_SRC/annotations" "$here/capture/e2e/$name.c" -o "$name/model.o" || fail "$name.c did not compile"
  [ -f "$name/forward.xpg" ] || fail "$name.c: forward.xpg was not written"
  # The driver is built without the plugin, so its pragmas are unknown.
  "$XP_GCC" $XP_SAN_FLAGS -O2 -Wall -Wextra -Werror -Wno-unknown-pragmas -I"$XP_SRC/annotations" "$main" \
    "$name/model.o" -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o "$name/app" || fail "$name: link"
  echo "== $name (embedded program)"
  "./$name/app" || fail "$name: the embedded program does not match eager execution"
  echo "== $name ($name/forward.xpg)"
  "./$name/app" "$name/forward.xpg" || fail "$name: forward.xpg does not match eager execution"
done
echo "ok: every exported model matches its eager run"
