#!/usr/bin/env bash
# Builds everything and runs the main job on the embedded sample: compile
# DESIGN §1's tutorial model with the xport plugin (xport-cc), show the
# exported program, run it from the binary it is embedded in, and compare
# with the same C function run eagerly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp examples/tutorial/model.c examples/tutorial/main.c "$work"
cd "$work"
echo "\$ xport-cc model.c main.c -o tutorial"
"$OLDPWD/build/xport-cc" -O2 model.c main.c -o tutorial
echo "\$ xport show forward.xpg"
"$OLDPWD/build/xport" show forward.xpg
echo
echo "\$ ./tutorial"
./tutorial
