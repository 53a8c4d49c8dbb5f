# Where the carets go (-verify checks lines only) and the fix-its, as
# -fdiagnostics-parseable-fixits prints them.
source "$(dirname "$0")/lib.sh"
need_plugin
cat > m.c <<'C'
#define IN 100
#define CLOSE ]
#pragma xport input(x, f32[4, IN)
#pragma xport input(x, f32[4, CLOSE)
#pragma xport dim(b, max=
void sink(void) {}
#pragma xport export
#pragma xport input(inptu, f32[4, IN])
void forward(void *input) {}
  #pragma xport input(x, f32[4])
void helper(void *x) {}
C
set +e
"$XP_CLANG" -fsyntax-only -fplugin="$XP_PLUGIN" -fdiagnostics-parseable-fixits m.c 2>err
set -e
# The offending token; for a token from a macro, the macro's use.
expect_text err "m.c:3:33: error: expected ']' after the last dim, found ')'"
expect_text err "m.c:4:31: error: expected an integer expression, found ']'"
expect_text err "m.c:2:15: note: expanded from macro 'CLOSE'"
# The end of the line when the text ends too early.
expect_text err "m.c:5:26: error: expected an integer expression, found end of text"
# The misspelled name, and its replacement.
expect_text err "m.c:8:21: error: 'inptu' is not a parameter of 'forward'; did you mean 'input'?"
expect_text err 'fix-it:"m.c":{8:21-8:26}:"input"'
# An export line above the first pragma, indented like it.
expect_text err "m.c:10:17: error: '#pragma xport input' describes an exported function, but 'helper' is not exported"
expect_text err "m.c:10:3: note: add '#pragma xport export' to export 'helper'"
expect_text err 'fix-it:"m.c":{10:3-10:3}:"#pragma xport export\n  "'
echo "ok: carets and fix-its"
