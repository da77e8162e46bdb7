#!/usr/bin/env bash
# The README's test command: installs (MariaDB included), builds, starts a private MariaDB under the
# build tree, runs the whole suite with ctest against both stores, stops MariaDB (also on failure)
# and exits non-zero on any failure. Under CI=true a MariaDB that does not come up is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
scripts/build.sh -DDPS_WERROR="$([ "${CI:-}" = "true" ] && echo ON || echo OFF)"

mariadb_dir="$PWD/build/mariadb"
stop_mariadb() { scripts/mariadb.sh stop "$mariadb_dir" || true; }
trap stop_mariadb EXIT
if scripts/mariadb.sh start "$mariadb_dir"; then
  # shellcheck disable=SC1091
  source "$mariadb_dir/env"
else
  if [ "${CI:-}" = "true" ]; then
    echo "test: the private MariaDB did not start; under CI this is a failure" >&2
    exit 1
  fi
  echo "test: the private MariaDB did not start; the MariaDB tests will report 'skipped'" >&2
fi

jobs="$(nproc 2>/dev/null || echo 2)"
ctest --test-dir build --output-on-failure -j "$jobs"
