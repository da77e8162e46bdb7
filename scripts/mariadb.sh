#!/usr/bin/env bash
# A private MariaDB server for the tests and benchmarks: its own datadir and socket under DIR,
# listening on 127.0.0.1 only, on a free port. Nothing outside DIR is touched.
#
#   scripts/mariadb.sh start DIR   initialise (first time), start, wait until it answers, create the
#                                  database `dps_test` and user `dps`, and write DIR/env with
#                                  DPS_TEST_MYSQL_URI, DPS_MYSQL_PASSWORD and DPS_TEST_MYSQL_SOCKET
#   scripts/mariadb.sh stop DIR    shut it down (no-op when it is not running)
#
# Durability as in production: innodb_flush_log_at_trx_commit=1, sync_binlog=1 (binary log off).
set -euo pipefail

action="${1:-}"
dir="${2:-}"
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: scripts/mariadb.sh start|stop DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
datadir="$dir/data"
sock="$dir/sock"
pidfile="$dir/mariadbd.pid"
log="$dir/mariadbd.log"

find_bin() {
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
    for d in /usr/sbin /usr/bin /usr/local/bin; do
      if [ -x "$d/$name" ]; then echo "$d/$name"; return 0; fi
    done
  done
  return 1
}

stop_server() {
  if [ -S "$sock" ]; then
    mariadb-admin --no-defaults --socket="$sock" --user=root shutdown >/dev/null 2>&1 || true
  fi
  if [ -f "$pidfile" ]; then
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    for _ in $(seq 1 100); do
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$pidfile"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
    echo $((20000 + RANDOM % 20000))
}

case "$action" in
  stop)
    stop_server
    echo "mariadb: stopped ($dir)"
    ;;
  start)
    stop_server
    mariadbd="$(find_bin mariadbd mysqld)" || { echo "mariadb: mariadbd not found; install mariadb-server" >&2; exit 1; }
    install_db="$(find_bin mariadb-install-db mysql_install_db)" || { echo "mariadb: mariadb-install-db not found" >&2; exit 1; }
    if [ ! -d "$datadir/mysql" ]; then
      rm -rf "$datadir"
      mkdir -p "$datadir"
      "$install_db" --no-defaults --datadir="$datadir" --user="$(id -un)" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
        { echo "mariadb: initialising $datadir failed; see $dir/install.log" >&2; tail -20 "$dir/install.log" >&2; exit 1; }
    fi
    port="$(free_port)"
    "$mariadbd" --no-defaults --datadir="$datadir" --socket="$sock" --port="$port" \
      --bind-address=127.0.0.1 --user="$(id -un)" --pid-file="$pidfile" --log-error="$log" \
      --innodb-flush-log-at-trx-commit=1 --sync-binlog=1 --innodb-buffer-pool-size=256M \
      --max-connections=400 --character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
      --local-infile=1 >/dev/null 2>&1 &
    up=0
    for _ in $(seq 1 300); do
      if mariadb-admin --no-defaults --socket="$sock" --user=root ping >/dev/null 2>&1; then up=1; break; fi
      sleep 0.1
    done
    if [ "$up" -ne 1 ]; then
      echo "mariadb: the server did not answer within 30 s; see $log" >&2
      tail -20 "$log" >&2 || true
      stop_server
      exit 1
    fi
    password="dps-test-$(date +%s)"
    mariadb --no-defaults --socket="$sock" --user=root <<SQL
DROP DATABASE IF EXISTS dps_test;
CREATE DATABASE dps_test CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'dps'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS 'dps'@'localhost' IDENTIFIED BY '$password';
ALTER USER 'dps'@'127.0.0.1' IDENTIFIED BY '$password';
ALTER USER 'dps'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`dps\\_%\`.* TO 'dps'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`dps\\_%\`.* TO 'dps'@'localhost';
GRANT FILE ON *.* TO 'dps'@'127.0.0.1';
GRANT FILE ON *.* TO 'dps'@'localhost';
FLUSH PRIVILEGES;
SQL
    cat >"$dir/env" <<ENV
export DPS_TEST_MYSQL_URI='mysql://dps@127.0.0.1:$port/dps_test'
export DPS_TEST_MYSQL_SOCKET='$sock'
export DPS_TEST_MYSQL_ROOT='mariadb --no-defaults --socket=$sock --user=root'
export DPS_MYSQL_PASSWORD='$password'
ENV
    echo "mariadb: up on 127.0.0.1:$port (socket $sock)"
    ;;
  *)
    echo "usage: scripts/mariadb.sh start|stop DIR" >&2
    exit 2
    ;;
esac
