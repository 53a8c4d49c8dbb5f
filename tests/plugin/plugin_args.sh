# -fplugin-arg-xport-NAME: out=DIR and strict; anything else is an error.
source "$(dirname "$0")/lib.sh"
need_plugin
err_file=err
echo 'int x;' > m.c
run() { "$XP_CLANG" -fsyntax-only -fplugin="$XP_PLUGIN" "$@" m.c; }

expect_failure run -fplugin-arg-xport-colour=red
expect_text err "error: unknown argument 'colour=red' for plugin 'xport'"
expect_text err "note: the plugin takes -fplugin-arg-xport-out=DIR and -fplugin-arg-xport-strict"

expect_failure run -fplugin-arg-xport-out=
expect_text err "error: -fplugin-arg-xport-out= needs a directory"

run -fplugin-arg-xport-out=. -fplugin-arg-xport-strict 2>err || fail "valid arguments rejected"
[ ! -s err ] || { cat err >&2; fail "valid arguments produced diagnostics"; }
echo "ok: plugin arguments"
