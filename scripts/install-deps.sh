#!/usr/bin/env bash
# Installs the Debian 12 packages the project needs to build, run and test. Idempotent: when every
# package is present it does nothing; otherwise `apt-get update` then `apt-get install -y`.
# Usage: scripts/install-deps.sh [run|test]   (test adds the MariaDB server and test tools)
set -euo pipefail

mode="${1:-run}"
packages=(
  g++ cmake make pkg-config ca-certificates
  libpoco-dev libmysqlcppconn-dev libxerces-c-dev libboost-test-dev
  libsodium-dev libgmp-dev liblemon-dev libglpk-dev libsqlite3-dev libssl-dev sqlite3
)
if [ "$mode" = "test" ]; then
  packages+=(mariadb-server mariadb-client libxml2-utils clang-14 libclang-rt-14-dev chromium fonts-dejavu-core)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
