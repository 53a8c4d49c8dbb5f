# DESIGN §1's tutorial, as a new user builds it: `xport-cc model.c main.c -o
# app` captures forward, writes forward.xpg and embeds the program; the app
# loads XP_PROGRAM(forward), runs it, and matches forward() run eagerly.
source "$(dirname "$0")/../lib.sh"
need_capture
cp "$XP_SRC/examples/tutorial/model.c" model.c
cp "$here/e2e/tutorial_main.c" main.c

# One step: the program lands beside the output, not in /tmp.
mkdir -p bin
"$XP_CC" -O2 -Wall -Wextra -Werror model.c main.c -o bin/app
[ -f bin/forward.xpg ] || fail "forward.xpg not written beside bin/app"
./bin/app
./bin/app bin/forward.xpg

# The section survives --gc-sections (GNU ld, and lld when installed: lld
# collects sections reached only through __start_/__stop_ unless retained).
"$XP_CC" -O2 -ffunction-sections -fdata-sections -Wl,--gc-sections model.c main.c -o gc_app
./gc_app
if command -v ld.lld >/dev/null; then
  "$XP_CC" -O2 -fuse-ld=lld -ffunction-sections -fdata-sections -Wl,--gc-sections model.c main.c -o lld_app
  ./lld_app
fi
"$XP_CC" -O2 -g -flto model.c main.c -o lto_app
./lto_app

# Two steps: the program lands beside the object; out= passes through.
mkdir -p obj out
"$XP_CC" -c -O2 model.c -o obj/model.o
[ -f obj/forward.xpg ] || fail "forward.xpg not written beside obj/model.o"
"$XP_CC" -c -fplugin-arg-xport-out=out model.c -o obj/model2.o
[ -f out/forward.xpg ] || fail "-fplugin-arg-xport-out=out was not used"
"$XP_CC" -c -O2 main.c -o obj/main.o
"$XP_CC" obj/model.o obj/main.o -o app2
./app2
# The file and the embedded copy are the same program.
cmp -s obj/forward.xpg out/forward.xpg || fail "the two compiles wrote different programs"

# Plain clang, one step: the driver's temporary objects live in $TMPDIR;
# the program goes to the current directory instead. (Linked without the
# runtime: only where the program file goes matters here.)
mkdir -p plain tmp
(cd plain && TMPDIR="$work/tmp" "$XP_CLANG" -fplugin="$XP_PLUGIN" -I"$XP_SRC/annotations" ../model.c ../main.c \
   -Wl,--unresolved-symbols=ignore-all -o app)
[ -f plain/forward.xpg ] || fail "plain clang one-step: forward.xpg not in the current directory"
[ -z "$(ls -A tmp)" ] || { ls -la tmp >&2; fail "files left in TMPDIR"; }

# With -fsyntax-only the program goes to the current directory.
"$XP_CC" -fsyntax-only model.c
[ -f forward.xpg ] || fail "-fsyntax-only did not write ./forward.xpg"

"$XP_CC" --version > version
expect_text version "xport-cc (xport "
expect_text version "clang version 19"
echo "ok: tutorial exported, embedded, run"
