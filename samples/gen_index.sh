#!/usr/bin/env bash
# Generates samples/README.md from the headers of samples/*.c.
#
#   gen_index.sh           print the index on standard output
#   gen_index.sh --write   rewrite samples/README.md
#   gen_index.sh --check   fail (and show the diff) when samples/README.md
#                          is not what this script generates (CTest
#                          samples.index), or when a header is malformed
#
# Needs only bash, sed, sort and diff. Every sample starts with a header of
# exactly this form (keys in this order; diagnostic only for unsupported
# samples, status and source optional):
#
#   /*
#    * tags: TAG, TAG, ...
#    * description: one line
#    * expect: supported | unsupported
#    * diagnostic: a substring of the error an unsupported sample gets
#    * status: pending WHAT
#    * source: where the pattern comes from
#    */
set -euo pipefail
dir="$(cd "$(dirname "$0")" && pwd)"

# The tags, in the order the index lists them, with what each means.
TAGS=(
  "model|models and modules: weights in a model struct, layers"
  "operator|ops: shapes, dtypes, type promotion, optional arguments, decompositions"
  "control-flow|branches and loops: decided at export time, unrolled, or captured as cond / map"
  "dynamic-shape|symbolic dims: declared ranges, derived dims, guards, suggested fixes"
  "data-structure|arrays, structs and pointers of tensors; struct outputs; optional (NULL) tensors"
  "mutation|in-place writes to inputs, buffers, the model, globals"
  "builtin|the C library and built-in facilities: assert, math, setjmp, printf, tensor data access"
  "c-language|C constructs with no graph equivalent: goto, asm, volatile, unions, VLAs, function pointers"
  "custom-op|custom ops ('#pragma xport op')"
  "graph-break|patterns the plugin rejects, each with its diagnostic"
)

fail() { echo "gen_index.sh: $*" >&2; exit 1; }

known_tag() {
  local t
  for t in "${TAGS[@]}"; do [ "${t%%|*}" = "$1" ] && return 0; done
  return 1
}

# Parses the header of $1 into H_tags, H_description, H_expect,
# H_diagnostic, H_status, H_source; fails on a malformed header.
parse_header() {
  local f="$1" name line key value i=0
  name=$(basename "$f")
  H_tags="" H_description="" H_expect="" H_diagnostic="" H_status="" H_source=""
  local order=""
  while IFS= read -r line; do
    i=$((i + 1))
    if [ $i -eq 1 ]; then
      [ "$line" = "/*" ] || fail "$name: the first line must be '/*'"
      continue
    fi
    [ "$line" = " */" ] && break
    [[ "$line" =~ ^\ \*\ ([a-z]+):\ (.+)$ ]] || fail "$name:$i: header lines are ' * key: value', not '$line'"
    key="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    case "$key" in
    tags) H_tags="$value" ;;
    description) H_description="$value" ;;
    expect) H_expect="$value" ;;
    diagnostic) H_diagnostic="$value" ;;
    status) H_status="$value" ;;
    source) H_source="$value" ;;
    *) fail "$name:$i: unknown header key '$key'" ;;
    esac
    order="$order $key"
  done < "$f"
  [ "$line" = " */" ] || fail "$name: the header does not end with ' */'"
  local want=" tags description expect"
  [ -n "$H_diagnostic" ] && want="$want diagnostic"
  [ -n "$H_status" ] && want="$want status"
  [ -n "$H_source" ] && want="$want source"
  [ "$order" = "$want" ] || fail "$name: header keys must be '$want', in that order, not '$order'"
  case "$H_expect" in
  supported) [ -z "$H_diagnostic" ] || fail "$name: a supported sample has no 'diagnostic:'" ;;
  unsupported) [ -n "$H_diagnostic" ] || fail "$name: an unsupported sample needs a 'diagnostic:'" ;;
  *) fail "$name: 'expect:' is 'supported' or 'unsupported', not '$H_expect'" ;;
  esac
  [ -z "$H_status" ] || [[ "$H_status" == pending\ * ]] || fail "$name: 'status:' is 'pending WHAT'"
  local t
  IFS=', ' read -r -a H_taglist <<< "$H_tags"
  for t in "${H_taglist[@]}"; do known_tag "$t" || fail "$name: unknown tag '$t' (gen_index.sh lists the tags)"; done
  if [ "$H_expect" = unsupported ]; then
    [[ " ${H_taglist[*]} " == *" graph-break "* ]] || fail "$name: an unsupported sample is tagged graph-break"
  fi
}

md_escape() { # table cells: escape '|'
  printf '%s' "${1//|/\\|}"
}

generate() {
  local files=() f name
  while IFS= read -r f; do files+=("$f"); done < <(LC_ALL=C ls "$dir"/*.c | LC_ALL=C sort)
  declare -A by_tag=()
  local rows="" n=0 n_sup=0 n_unsup=0 n_pend=0
  for f in "${files[@]}"; do
    name=$(basename "$f" .c)
    parse_header "$f"
    n=$((n + 1))
    local expect_cell
    if [ "$H_expect" = supported ]; then
      n_sup=$((n_sup + 1))
      expect_cell="supported"
    else
      n_unsup=$((n_unsup + 1))
      expect_cell="unsupported: \`$(md_escape "$H_diagnostic")\`"
    fi
    if [ -n "$H_status" ]; then
      n_pend=$((n_pend + 1))
      expect_cell="$expect_cell (**$(md_escape "$H_status")**)"
    fi
    rows+="| [$name]($name.c) | $(md_escape "$H_description") | $expect_cell | ${H_tags} | $(md_escape "${H_source:-}") |"$'\n'
    local t
    local entry="- [$name]($name.c) — $H_description"
    [ "$H_expect" = supported ] || entry="$entry (unsupported)"
    [ -z "$H_status" ] || entry="$entry (pending)"
    for t in "${H_taglist[@]}"; do by_tag[$t]+="$entry"$'\n'; done
  done

  cat <<'INTRO'
<!-- Generated by samples/gen_index.sh from the samples' headers; do not edit.
     Regenerate with: samples/gen_index.sh --write -->
# The samples catalog

Every pattern of model code that xport exports, and every one it rejects,
as a small tagged C file — xport's counterpart of PyTorch's ExportDB. Each
file is a test (CTest `samples.NAME`, from `tests/CMakeLists.txt`):

- a **supported** sample is compiled with the plugin, its exported program
  is run (embedded in the binary, then from its `.xpg` file, then with
  every op decomposed into the core opset) on random inputs and weights for
  a few sizes in the declared ranges, and each result must equal the eager
  run of the same C function, as must every input afterwards (mutations);
- an **unsupported** sample is a `clang -Xclang -verify` test: the
  `// expected-error {{...}}` and `expected-note` markers in its body are
  exactly the diagnostics the plugin gives, at those lines;
- a sample marked **pending** shows a pattern whose support is not there
  yet; its test is skipped visibly (`SKIP: NAME: pending ...`, counted as
  *Skipped* by CTest) until that lands. `XP_SAMPLES_RUN_PENDING=1` runs
  them anyway.

Run them with `ctest -L samples` (or `ctest -R samples.cond_predicate`).

## The header

Every sample starts with this comment, keys in this order:

```c
/*
 * tags: control-flow, dynamic-shape
 * description: one line saying what the pattern is
 * expect: supported                  (or: unsupported)
 * diagnostic: TEXT                   (unsupported only: part of the error, also in an expected-error marker)
 * status: pending WHAT               (optional: the test is skipped, saying WHAT is missing)
 * source: torch.export tutorial, Bad1 (optional: where the pattern comes from)
 */
```

## Running a sample eagerly and exported

After its exported function, a supported sample defines one adapter with
`XP_SAMPLE` from [`sample.h`](sample.h), which calls the function eagerly
with the program's run inputs in signature order (`XP_IN(i)`, `XP_INT(i)`
for a symbolic int) and the weights by access path (`XP_WEIGHT("lin.weight")`,
the same tensors the program is bound to), and hands back its outputs:

```c
XP_SAMPLE(forward) {
    Model m = {.lin = {.weight = XP_WEIGHT("lin.weight"), .bias = XP_WEIGHT("lin.bias")}};
    XP_RETURN(forward(&m, XP_IN(0), XP_IN(1)));
}
```

[`harness/driver.c`](harness/driver.c) reads the program's signature to make
the inputs, and [`harness/run_sample.sh`](harness/run_sample.sh) drives one
sample from its header.

INTRO
  echo "## Tags"
  echo
  local t tag
  for t in "${TAGS[@]}"; do
    tag="${t%%|*}"
    echo "- **$tag** — ${t#*|}"
  done
  echo
  echo "## Index by tag"
  echo
  for t in "${TAGS[@]}"; do
    tag="${t%%|*}"
    [ -n "${by_tag[$tag]:-}" ] || continue
    echo "### $tag"
    echo
    printf '%s\n' "${by_tag[$tag]}"
  done
  echo "## All samples"
  echo
  echo "$n samples: $n_sup supported, $n_unsup unsupported; $n_pend of them pending."
  echo
  echo "| sample | description | expectation | tags | source |"
  echo "|---|---|---|---|---|"
  printf '%s' "$rows"
}

case "${1:-}" in
"") generate ;;
--write) out=$(generate) && printf '%s\n' "$out" > "$dir/README.md" ;;
--check)
  out=$(generate)
  if ! diff -u "$dir/README.md" <(printf '%s\n' "$out"); then
    echo "samples/README.md is stale or hand-edited: regenerate it with samples/gen_index.sh --write" >&2
    exit 1
  fi
  echo "ok: samples/README.md is generated from the $(ls "$dir"/*.c | wc -l) samples' headers"
  ;;
*) fail "usage: gen_index.sh [--write | --check]" ;;
esac
