#!/usr/bin/env bash
# Checks that every diagnostic of the plugin is exercised by at least one
# sample of the catalog (CTest samples.coverage).
#
#   check_coverage.sh          fail, naming each diagnostic no sample shows
#   check_coverage.sh --list   print each diagnostic's text and the
#                              samples that show it
#
# Needs only bash, grep and sed. The diagnostics are
#   - the errors of the capture's table, plugin/capture_diag.cpp
#     ('case DiagId::NAME: return E("TEXT" ...)'; notes, N(...), are not
#     checked: -verify makes every sample mark all the notes it gets);
#   - the literal errors and warnings of the pragma attachment,
#     plugin/attach.cpp ('error(diags_, LOC, "TEXT")', 'warning(...)').
# (plugin/pragma_handler.cpp reports the pragma parser's own message, "%0";
# capture_fix.cpp, capture_break.cpp and capture_control.cpp use the table.)
#
# The rule: a diagnostic is covered when some sample that is not pending
# has an expected-error or expected-warning marker whose text contains the
# diagnostic's whole format string, each %N placeholder standing for any
# text ("'%0' is used before it is assigned a value" is covered by
# {{'acc' is used before it is assigned a value}}). So a marker must carry
# the full text of its error, and two diagnostics with different texts need
# different samples. (A sample's 'diagnostic:' header is one of its
# markers' texts: run_sample.sh checks that.) A text that is nothing but
# placeholders ("%0": messages made elsewhere) is not checked. EXEMPT below
# lists diagnostics that cannot have a sample yet, each with the reason.
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$dir/.." && pwd)"

# NAME|reason. NAME is a DiagId, or a glob of them.
EXEMPT=(
  "CustomOpUnsupported|a fallback reached only after the op's own pragma was rejected, whose error comes first"
  "LoopTooLong|it takes a million interpreted iterations (7.7 s with a Debug plugin, 0.7 s Release), too slow for a sample; tests/plugin/verify/capture_control.c has it"
)

fail() { echo "check_coverage.sh: $*" >&2; exit 1; }

# Joins each C statement of $1 onto one line (up to the next ';') and
# merges adjacent string literals ("a" "b" -> "ab").
statements() {
  sed -e ':a' -e '/;[[:space:]]*\(\/\/.*\)\{0,1\}$/!{N;ba;}' -e 's/\n/ /g' "$1" |
    sed -e 's/"[[:space:]]*"//g'
}

# "NAME|TEXT" for each error of the capture's table.
table_diags() {
  statements "$src/plugin/capture_diag.cpp" |
    sed -n 's/.*case DiagId::\([A-Za-z0-9_]*\):[[:space:]]*return E([[:space:]]*"\([^"]*\)"[[:space:]]*).*/\1|\2/p'
}

# "TEXT|TEXT" for each literal error and warning of attach.cpp.
attach_diags() {
  statements "$src/plugin/attach.cpp" |
    grep -o '\(error\|warning\)(diags_,[^"]*"[^"]*"' |
    sed -n 's/^[a-z]*(diags_,[^"]*"\([^"]*\)"$/attach.cpp|\1/p'
}

# The pattern of a format string (see above): a basic regular expression
# in which each %N matches any text; nothing for a text that is only
# placeholders.
pattern_of() {
  local text="$1"
  [ -n "$(printf '%s' "$text" | sed -e 's/%[0-9]//g' -e 's/[[:space:]]//g')" ] || return 0
  printf '%s' "$text" | sed -e 's/[][\.*^$/]/\\&/g' -e 's/%[0-9]/.*/g'
}

# Every marker and 'diagnostic:' header of the samples that are not
# pending, one a line, prefixed with the sample's name.
shown() {
  local f name
  for f in "$dir"/*.c; do
    name=$(basename "$f" .c)
    sed -n '1,/\*\//p' "$f" | grep -q '^ \* status: pending' && continue
    { grep -o 'expected-\(error\|warning\)[^{]*{{[^}]*}}' "$f" || true
    } | sed "s|^|$name: |"
  done
}

diags=$( { table_diags; attach_diags; } )
[ "$(table_diags | wc -l)" -ge 50 ] || fail "found only $(table_diags | wc -l) diagnostics in plugin/capture_diag.cpp: has its form changed?"
[ "$(attach_diags | wc -l)" -ge 5 ] || fail "found only $(attach_diags | wc -l) diagnostics in plugin/attach.cpp: has its form changed?"
markers=$(shown)

list=0
[ "${1:-}" = --list ] && list=1
missing=0 checked=0 exempt=0
while IFS='|' read -r name text; do
  key=$(pattern_of "$text")
  if [ -z "$key" ]; then
    [ $list = 0 ] || echo "$name: no fixed text ('$text'), not checked"
    continue
  fi
  reason=""
  for e in "${EXEMPT[@]}"; do
    # shellcheck disable=SC2053 # the exemption's NAME is a glob
    [[ "$name" == ${e%%|*} ]] && reason="${e#*|}"
  done
  if [ -n "$reason" ]; then
    exempt=$((exempt + 1))
    [ $list = 0 ] || echo "$name: exempt: $reason"
    continue
  fi
  checked=$((checked + 1))
  samples=$(printf '%s\n' "$markers" | grep -- "$key" | sed 's/:.*//' | sort -u | tr '\n' ' ' || true)
  if [ -z "$samples" ]; then
    echo "FAIL: no sample shows $name: '$text'" >&2
    missing=$((missing + 1))
  elif [ $list = 1 ]; then
    echo "$name '$text': $samples"
  fi
done < <(printf '%s\n' "$diags" | sort -u)

if [ $missing -gt 0 ]; then
  echo "$missing of $checked diagnostics have no sample: add an unsupported sample to samples/ whose" \
       "expected-error (or expected-warning) marker has the text, or exempt it in samples/check_coverage.sh" \
       "with the reason" >&2
  exit 1
fi
echo "ok: each of the $checked diagnostics with a fixed text is shown by a sample ($exempt exempt)"
