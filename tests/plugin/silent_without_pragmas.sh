# A file without '#pragma xport' compiles silently, into the same object,
# with and without the plugin.
source "$(dirname "$0")/lib.sh"
need_plugin

# A few thousand lines of ordinary C, including the xport header.
{
  echo '#include <xport.h>'
  echo '#include <math.h>'
  echo '#pragma GCC diagnostic push'
  for i in $(seq 1 400); do
    cat <<C
struct s$i { int a; double b[4]; };
static double f$i(const struct s$i *s, int n) {
    double acc = 0;
    for (int k = 0; k < n && k < 4; k++) acc += s->b[k] * (k + $i);
    if (acc > $i) acc = sqrt(acc);
    return acc + s->a;
}
static struct s$i g$i;
xp_tensor *t$i(xp_tensor *x) { return f$i(&g$i, 2) > 0 ? xp_relu(x) : xp_neg(x); }
C
  done
  echo '#pragma GCC diagnostic pop'
} > plain.c

for flags in "-O0" "-O2" "-O2 -g"; do
  # shellcheck disable=SC2086
  "$XP_CLANG" $flags -Wall -Wextra -I"$XP_SRC/annotations" -c plain.c -o without.o 2>without.err
  # shellcheck disable=SC2086
  "$XP_CLANG" $flags -Wall -Wextra -I"$XP_SRC/annotations" -fplugin="$XP_PLUGIN" -c plain.c -o with.o 2>with.err
  [ ! -s with.err ] || { cat with.err >&2; fail "diagnostics with the plugin ($flags)"; }
  cmp -s without.o with.o || fail "the plugin changed the object ($flags)"
  ls ./*.xpg >/dev/null 2>&1 && fail "a program file was written for a file without pragmas"
done
echo "ok: silent, identical objects"
