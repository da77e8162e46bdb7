#!/usr/bin/env bash
# Configures and builds the project (Release) in build/ (or $DPS_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${DPS_BUILD_DIR:-build}"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build "$build" -j "$jobs"
