# The installed xport-cc (bin/xport-cc, lib/xport/xport.so, include/xport.h,
# lib/libxport.so) works from wherever the installation is, with no path
# into the build or source tree.
source "$(dirname "$0")/../lib.sh"
need_capture
# A sanitizer build installs an instrumented libxport.so, which only a
# sanitized program can load.
[ -z "${XP_SAN_FLAGS:-}" ] || skip "sanitizer build"
cmake --install "$XP_BUILD" --prefix "$work/prefix" > install.log
mv prefix moved   # relocatable: paths are relative to the script
[ -x moved/bin/xport-cc ] || fail "bin/xport-cc not installed"
[ -f moved/lib/xport/xport.so ] || fail "lib/xport/xport.so not installed"
cp "$XP_SRC/examples/tutorial/model.c" model.c
cp "$here/e2e/tutorial_main.c" main.c
moved/bin/xport-cc -O2 -Wall -Werror model.c main.c -o app
[ -f forward.xpg ] || fail "forward.xpg not written"
./app
moved/bin/xport-cc --version > version
expect_text version "plugin: $work/moved/lib/xport/xport.so"
echo "ok: installed xport-cc"
