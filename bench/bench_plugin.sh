#!/usr/bin/env bash
# The Clang plugin's cost (issue 3, item 8). A benchmark, not a test: it
# prints figures and asserts nothing about them.
#
#   bench/bench_plugin.sh [--build DIR | --plugin PATH] [--clang PATH]
#                         [--repeat N] [--lines N] [--layers "64 1024 4096"]
#                         [--part a|b] [--quick] [--keep DIR]
#
# (a) A generated C file of about 20,000 lines with no `#pragma xport` is
#     compiled with -fsyntax-only, -O0 -c and -O2 -c, with and without
#     -fplugin=xport.so: the median of N runs each, and their ratio.
# (b) Models of 64, 1024 and 4096 Linear + ReLU layers (a constant-bound
#     loop over m->layers[i], and the same calls written out) are captured
#     with -fplugin-arg-xport-time, which makes the plugin print the time it
#     spends capturing and emitting each export. Printed: the medians, the
#     time per layer and the marginal time per added layer (both flat when
#     capture grows linearly), the ratio of the per-layer times at the
#     largest and smallest model (also without the fixed cost of one
#     export); the whole -fsyntax-only compile with and without the plugin
#     as a cross-check. bench/README.md says more.
#
# Defaults: --build build (the plugin is DIR/plugin/xport.so), clang-19,
# N = 5 (--quick: N = 1), both parts (--part a or b runs one). The
# generated files live in a temporary directory, removed at the end unless
# --keep DIR names one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/.." && pwd)"
build="$src/build"
plugin=""
clang="clang-19"
repeat=5
lines=20000
layers="64 1024 4096"
keep=""
part="ab"

usage() { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --plugin) plugin="$2"; shift 2 ;;
    --clang) clang="$2"; shift 2 ;;
    --repeat|-n) repeat="$2"; shift 2 ;;
    --lines) lines="$2"; shift 2 ;;
    --layers) layers="$2"; shift 2 ;;
    --quick) repeat=1; shift ;;
    --part) part="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "bench_plugin.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$plugin" ] || plugin="$build/plugin/xport.so"
[ -f "$plugin" ] || { echo "bench_plugin.sh: no plugin at $plugin (build the xport_plugin target, or pass --plugin)" >&2; exit 1; }
command -v "$clang" >/dev/null || { echo "bench_plugin.sh: '$clang' not found (pass --clang)" >&2; exit 1; }
case "$part" in a|b|ab) ;; *) echo "bench_plugin.sh: --part takes a or b" >&2; exit 2 ;; esac
case "$repeat" in ''|*[!0-9]*|0) echo "bench_plugin.sh: --repeat needs a positive integer" >&2; exit 2 ;; esac
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench_plugin.sh: needs bash 5 (EPOCHREALTIME)" >&2; exit 1; }

if [ -n "$keep" ]; then
  mkdir -p "$keep"
  work="$(cd "$keep" && pwd)"
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
# Programs are written atomically (fsync of the file and its directory):
# on a disk that is a device's latency, not the plugin's work, so they go to
# memory when /dev/shm exists.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  outdir="$(mktemp -d /dev/shm/xport-bench.XXXXXX)"
  trap 'rm -rf "$outdir"; [ -n "$keep" ] || rm -rf "$work"' EXIT
else
  outdir="$work/out"
  mkdir -p "$outdir"
fi

"$clang" -O2 -o "$work/gen" "$here/gen_plugin_inputs.c"

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# seconds one run of "$@" takes (wall clock); its output is kept in $work/last.err
time_run() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null 2>"$work/last.err" || { echo "bench_plugin.sh: failed: $*" >&2; cat "$work/last.err" >&2; exit 1; }
  local t1=$EPOCHREALTIME
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f\n", b - a }'
}

echo "xport plugin benchmark"
echo "  clang:   $(command -v "$clang") ($("$clang" --version | head -1))"
echo "  plugin:  $plugin"
echo "  repeats: $repeat (median)"
echo

# ---- (a) a large file without pragmas ---------------------------------------
if [[ $part == *a* ]]; then

"$work/gen" plain "$lines" > "$work/plain.c"
echo "(a) compile time of a file without pragmas: $(wc -l < "$work/plain.c") lines of generated C"
"$clang" -fsyntax-only -fplugin="$plugin" -x c /dev/null  # warm-up: the plugin's file in the page cache
printf '  %-14s %12s %12s %8s\n' "mode" "without (s)" "with (s)" "ratio"
for mode in "-fsyntax-only" "-O0 -c" "-O2 -c"; do
  : > "$work/t.without"; : > "$work/t.with"
  # shellcheck disable=SC2086
  "$clang" $mode -o "$work/plain.o" "$work/plain.c" 2>/dev/null  # warm-up: page cache, clang's own files
  for ((r = 0; r < repeat; r++)); do  # interleaved, so drift hits both alike
    # shellcheck disable=SC2086
    time_run "$clang" $mode -o "$work/plain.o" "$work/plain.c" >> "$work/t.without"
    # shellcheck disable=SC2086
    time_run "$clang" $mode -fplugin="$plugin" -o "$work/plain.o" "$work/plain.c" >> "$work/t.with"
    [ ! -s "$work/last.err" ] || { echo "bench_plugin.sh: the plugin printed diagnostics on a file without pragmas:" >&2; cat "$work/last.err" >&2; exit 1; }
  done
  a=$(median < "$work/t.without"); b=$(median < "$work/t.with")
  printf '  %-14s %12.4f %12.4f %8.3f\n' "$mode" "$a" "$b" "$(awk -v a="$a" -v b="$b" 'BEGIN { print b / a }')"
done
echo
fi

# ---- (b) capture time against model size ------------------------------------
[[ $part == *b* ]] || exit 0

echo "(b) capture time of a model of N Linear + ReLU layers (DIM 16; one export, 2N parameters, 2N nodes)"
echo "    capture and emit: the plugin's own clock (-fplugin-arg-xport-time; emit serializes and writes NAME.xpg"
echo "    to $outdir);"
echo "    compile: the whole clang -fsyntax-only run without / with the plugin"
echo "    per layer: total / N; marginal: the growth of total from the previous N, per added layer"
echo "    (the once-per-compile setup of the op registry and C API table is timed apart, not in capture)"
first_layers=""; last_layers=""
for variant in loop unrolled; do
  echo "  $variant:"
  printf '    %6s %11s %10s %10s %10s %10s %12s %12s\n' "layers" "capture (s)" "emit (s)" "total (s)" \
    "per layer" "marginal" "compile w/o" "compile with"
  printf '    %6s %11s %10s %10s %10s %10s %12s %12s\n' "" "" "" "" "(us)" "(us)" "(s)" "(s)"
  prev_n=""; prev_t=""; first_marginal=""
  for n in $layers; do
    model="$work/model_${variant}_$n.c"
    "$work/gen" model "$n" "$variant" > "$model"
    : > "$work/t.cap"; : > "$work/t.emit"; : > "$work/t.tot"; : > "$work/t.without"; : > "$work/t.with"
    flags=(-fsyntax-only -I"$src/annotations" -Wno-unknown-pragmas)
    "$clang" "${flags[@]}" -fplugin="$plugin" -fplugin-arg-xport-out="$outdir" "$model" 2>/dev/null  # warm-up
    for ((r = 0; r < repeat; r++)); do
      time_run "$clang" "${flags[@]}" "$model" >> "$work/t.without"
      time_run "$clang" "${flags[@]}" -fplugin="$plugin" -fplugin-arg-xport-out="$outdir" \
        -fplugin-arg-xport-time "$model" >> "$work/t.with"
      line=$(grep '^xport-time: forward:' "$work/last.err" || true)
      [ -n "$line" ] || { echo "bench_plugin.sh: the plugin printed no time for $model:" >&2; cat "$work/last.err" >&2; exit 1; }
      # xport-time: forward: capture C s, emit E s, K nodes, M inputs
      read -r c e <<< "$(awk '{ print $4, $7 }' <<< "$line")"
      echo "$c" >> "$work/t.cap"; echo "$e" >> "$work/t.emit"
      awk -v c="$c" -v e="$e" 'BEGIN { printf "%.6f\n", c + e }' >> "$work/t.tot"
    done
    c=$(median < "$work/t.cap"); e=$(median < "$work/t.emit"); t=$(median < "$work/t.tot")
    a=$(median < "$work/t.without"); b=$(median < "$work/t.with")
    per=$(awk -v t="$t" -v n="$n" 'BEGIN { printf "%.2f", t / n * 1e6 }')
    marginal="-"
    [ -z "$prev_n" ] || marginal=$(awk -v t="$t" -v n="$n" -v pt="$prev_t" -v pn="$prev_n" \
      'BEGIN { printf "%.2f", (t - pt) / (n - pn) * 1e6 }')
    prev_n=$n; prev_t=$t
    printf '    %6d %11.4f %10.4f %10.4f %10s %10s %12.4f %12.4f\n' "$n" "$c" "$e" "$t" "$per" "$marginal" "$a" "$b"
    [ -n "$first_layers" ] || { first_layers=$n; first_per=$per; first_t=$t; }
    [ -n "$first_marginal" ] || [ "$marginal" = "-" ] || first_marginal=$marginal
    last_layers=$n; last_per=$per; last_t=$t
  done
  if [ "$first_layers" != "$last_layers" ]; then
    printf '    per-layer time, %d layers / %d layers: %.2f (1.0 is linear growth)\n' "$last_layers" "$first_layers" \
      "$(awk -v a="$first_per" -v b="$last_per" 'BEGIN { print b / a }')"
    # The line through the two smallest models: its intercept estimates
    # what one export costs whatever its size (creating the program,
    # writing the file), which weighs on the smallest model's per-layer time.
    awk -v t1="$first_t" -v n1="$first_layers" -v t2="$last_t" -v n2="$last_layers" -v m="$first_marginal" 'BEGIN {
      a = t1 - m * 1e-6 * n1
      printf "    fixed cost per export (intercept of the two smallest): %.2f ms; the same ratio without it: %.2f\n",
        a * 1e3, ((t2 - a) / n2) / ((t1 - a) / n1)
    }'
  fi
  first_layers=""
done
echo
echo "  for context (not measured here): torch.export needs about 17 s to export a synthetic"
echo "  model of 4096 layers (issue 3); xport aims at well under a second."
