# Built without the plugin (here with the C compiler libxport was built
# with, no clang), a program using XP_PROGRAM(forward) still links, and
# loading says what to do.
source "$(dirname "$0")/lib.sh"
cp "$XP_SRC/examples/tutorial/model.c" model.c
cat > main.c <<'C'
#include <stdio.h>
#include <string.h>
#include <xport.h>
int main(void) {
    xp_program *p = NULL;
    xp_status st = xp_program_load_embedded(XP_PROGRAM(forward), &p);
    printf("%s: %s\n", xp_status_name(st), xp_last_error());
    return st == XP_ERR_NOT_FOUND && p == NULL ? 0 : 1;
}
C
want="forward was not exported: compile the file that defines it with -fplugin=xport.so (xport-cc does this)"
for pie in -pie -no-pie; do
  # shellcheck disable=SC2086
  "$XP_GCC" $XP_SAN_FLAGS $pie -fPIE -Wall -Wno-unknown-pragmas -Werror -I"$XP_SRC/annotations" model.c main.c \
    -L"$XP_LIBDIR" -lxport -Wl,-rpath,"$XP_LIBDIR" -o app || fail "link without the plugin ($pie)"
  ./app > out || { cat out >&2; fail "unexpected status ($pie)"; }
  expect_text out "$want"
done
cat out
echo "ok: not exported, linked and explained"
