#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: installs the missing Debian 12 packages
# (apt-get), then configures and builds xgrad. Source it; do not run it.
set -euo pipefail

XGRAD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
XGRAD_JOBS="${XGRAD_JOBS:-$(nproc)}"
XGRAD_PACKAGES=(
  g++ cmake make pkg-config
  libxtensor-dev xtl-dev libxsimd-dev libxtensor-blas-dev libopenblas-dev
  catch2 zlib1g-dev libbenchmark-dev
  dataset-fashion-mnist gnuplot-nox python3-numpy
  nlohmann-json3-dev libhdf5-dev libzip-dev python3-h5py
  libopenmpi-dev openmpi-bin
)

xgrad_install_packages() {
  local missing=()
  for pkg in "${XGRAD_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "xgrad: installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# xgrad_build BUILD_DIR [extra cmake args...]
xgrad_build() {
  local dir="$1"; shift
  cmake -S "$XGRAD_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j "$XGRAD_JOBS"
}
