#!/usr/bin/env bash
# Installs what xport needs to build and test on Debian 12 (run as root).
# Skips apt entirely when everything is already present.
set -euo pipefail

packages=(cmake make gcc pkg-config check libsubunit-dev libjansson-dev libopenblas-dev
  clang-19 libclang-19-dev llvm-19-dev libomp-19-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
