# The tutorial's dynamic-shape examples end to end: examples.c (and
# example3.c with its suggested fixes applied) compiled with the plugin and
# linked with dynamic_main.c, which runs each exported program, embedded and
# from its .xpg file, on the tutorial's good runs (equal to the eager C
# function) and bad runs (rejected with the exact guard message).
#
# usage: run_examples.sh WORKDIR   (environment as in ../lib.sh)
source "$(dirname "$0")/../lib.sh"
need_capture
dyn="$here/dynamic"
mkdir -p out
cp "$dyn/examples.c" "$dyn/example3.c" "$dyn/examples.h" "$dyn/dynamic_main.c" .
cc=("$XP_CLANG" -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" -fplugin-arg-xport-out=out -Wall -Werror -O2)
"${cc[@]}" -c examples.c -o examples.o || fail "examples.c did not compile"
# example3.c exports only with its fixes (run_fixit.sh checks them).
"${cc[@]}" -fsyntax-only -Xclang -fixit example3.c 2>/dev/null && fail "example3.c compiled without its fixes"
"${cc[@]}" -c example3.c -o example3.o || fail "example3.c with its fixes did not compile"
for p in dynamic_shapes_example1 dynamic_shapes_example2 derived_dim_example1 derived_dim_example2 \
         dynamic_shapes_example3; do
  [ -f "out/$p.xpg" ] || fail "out/$p.xpg was not written"
done
# The driver is built without the plugin, so its pragmas are unknown.
"$XP_GCC" $XP_SAN_FLAGS -O2 -Wall -Wextra -Werror -Wno-unknown-pragmas -I"$XP_SRC/annotations" dynamic_main.c \
  examples.o example3.o -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -lm -o app || fail "linking the driver"
./app out || fail "a run of the tutorial's examples failed"
echo "ok: the tutorial's dynamic-shape examples run and reject as the tutorial says"
