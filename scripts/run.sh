#!/usr/bin/env bash
# The README's run command: installs what is needed, builds, creates var/dps.sqlite with the demo
# data (and one complete demo round, printed as a table per lot) when it is absent, then starts the
# web service on the simulated clock. Extra arguments go to `dps serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
scripts/build.sh
mkdir -p var
if [ ! -f var/dps.sqlite ]; then
  # A demo that fails half-way leaves no half-loaded database behind.
  { ./build/web/dps init --config dps.properties --demo && ./build/web/dps demo --config dps.properties; } ||
    { status=$?; rm -f var/dps.sqlite var/dps.sqlite-wal var/dps.sqlite-shm; exit "$status"; }
fi
exec ./build/web/dps serve --config dps.properties "$@"
