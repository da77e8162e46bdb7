#!/usr/bin/env bash
# cli_test.sh DPS SOURCE_DIR WORK_DIR sqlite|mysql CPV_DIR
# Runs the `dps` command the way the README tells a user to, in a fresh folder, and checks what it
# prints and its exit codes. The mysql variant needs DPS_TEST_MYSQL_URI (scripts/mariadb.sh); without
# it the test is skipped (exit 77), except under CI=true where that is a failure.
set -uo pipefail
dps="$1"; src="$2"; work="$3"; backend="$4"; cpv_dir="$5"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
expect_contains() {  # text needle what
  if ! grep -qF -- "$2" <<<"$1"; then fail "$3: expected '$2' in:"; echo "$1" | tail -30 >&2; fi
}

rm -rf "$work"
mkdir -p "$work/var"
cd "$work"
if [ "$backend" = "mysql" ]; then
  if [ -z "${DPS_TEST_MYSQL_URI:-}" ]; then
    if [ "${CI:-}" = "true" ]; then echo "FAIL: DPS_TEST_MYSQL_URI is not set under CI" >&2; exit 1; fi
    echo "skipped: DPS_TEST_MYSQL_URI is not set (start scripts/mariadb.sh)"; exit 77
  fi
  db="dps_cli_$$"
  $DPS_TEST_MYSQL_ROOT -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" ||
    { echo "FAIL: cannot create database $db" >&2; exit 1; }
  trap '$DPS_TEST_MYSQL_ROOT -e "DROP DATABASE IF EXISTS $db"' EXIT
  uri="${DPS_TEST_MYSQL_URI%/*}/$db"
  clock="system"
else
  uri="sqlite:var/dps.sqlite"
  clock="simulated"
fi
cat >dps.properties <<PROPS
store.uri = $uri
calendar.dir = $src/data/calendars
sealing.key_file = var/master.key
clock = $clock
demo.dir = $src/data/demo
cpv.file = $cpv_dir/classifiers/cpv/en.json
PROPS

# init creates the schema and the key; a second init is harmless.
out="$("$dps" init 2>&1)" || fail "init exited $?: $out"
expect_contains "$out" "ready at schema version" "init"
[ -s var/master.key ] || fail "init did not create the master key file"
out="$("$dps" init 2>&1)" || fail "second init exited $?: $out"

if [ "$backend" = "sqlite" ]; then
  # The demo: data through the importers, one whole round, the table per lot.
  out="$("$dps" init --demo 2>&1)" || fail "init --demo exited $?: $out"
  expect_contains "$out" "delivery-points.csv: 18 new" "demo delivery points imported"
  expect_contains "$out" "products.csv: 40 new" "demo products imported"
  expect_contains "$out" "suppliers.csv: 30 new" "demo suppliers imported"
  expect_contains "$out" "published" "demo DPS published"
  out="$("$dps" init --demo 2>&1)" && fail "a second init --demo must refuse"
  expect_contains "$out" "loaded already" "second init --demo"
  out="$("$dps" demo 2>&1)" || fail "demo exited $?: $out"
  expect_contains "$out" "refused" "sealed bid read refused before the deadline"
  expect_contains "$out" "Lot 1:" "lot table"
  expect_contains "$out" "rank" "lot table header"
  expect_contains "$out" "standstill until" "award with standstill"
  grep -qE '^  1    ' <<<"$out" || fail "no rank-1 row in the demo table"
  # No price is readable in the database before opening: bid content is sealed at rest.
  sealed="$(sqlite3 var/dps.sqlite "SELECT count(*) FROM bid WHERE sealed IS NULL OR length(sealed) = 0")"
  [ "$sealed" = "0" ] || fail "$sealed bids stored without sealed content"
  # A second demo run makes a second round on the same data.
  out="$("$dps" demo 2>&1)" || fail "second demo exited $?: $out"
  expect_contains "$out" "Lot 1:" "second demo round"

  # serve creates the demo accounts (3 and one per supplier) at its first start and none at the
  # next, all with one hash of the published password, and stops on Ctrl-C (SIGINT).
  serve_once() {
    "$dps" serve --config serve.properties >var/serve.log 2>&1 &
    local pid=$!
    for _ in $(seq 1 300); do
      grep -q "^DPS service listening on http://127.0.0.1:" var/serve.log && break
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -INT "$pid" 2>/dev/null
    wait "$pid" || fail "serve exited $? on SIGINT: $(cat var/serve.log)"
    cat var/serve.log
  }
  { cat dps.properties; echo "http.port = 0"; } >serve.properties
  out="$(serve_once)"
  expect_contains "$out" "demo accounts: 33 created" "demo accounts at the first start"
  expect_contains "$out" "Stopped." "graceful stop"
  out="$(serve_once)"
  expect_contains "$out" "demo accounts: 0 created" "no demo account made twice"
  hashes="$(sqlite3 var/dps.sqlite "SELECT count(*) || ' ' || count(DISTINCT password_hash) FROM account")"
  [ "$hashes" = "33 1" ] || fail "demo accounts and their password hashes: expected '33 1', got '$hashes'"
fi

out="$("$dps" audit verify 2>&1)" || fail "audit verify exited $? on an intact log: $out"
expect_contains "$out" "audit log intact" "audit verify"

if [ "$backend" = "sqlite" ]; then
  cp var/dps.sqlite var/intact.sqlite
  sqlite3 var/dps.sqlite "UPDATE audit_entry SET actor = 'someone-else' WHERE seq = 5"
  out="$("$dps" audit verify 2>&1)"
  [ $? -eq 1 ] || fail "audit verify must exit 1 on an altered entry"
  expect_contains "$out" "entry 5" "altered entry named"
  cp var/intact.sqlite var/dps.sqlite
  rm -f var/dps.sqlite-wal var/dps.sqlite-shm
fi

# Configuration errors name the key and stop start-up.
cp dps.properties good.properties
echo "store.urj = sqlite:x" >>dps.properties
out="$("$dps" audit verify 2>&1)"
[ $? -ne 0 ] || fail "an unknown key must stop start-up"
expect_contains "$out" "unknown key 'store.urj'" "unknown key named"
cp good.properties dps.properties
sed -i 's/^clock = .*/clock = sometimes/' dps.properties
out="$("$dps" audit verify 2>&1)"
[ $? -ne 0 ] || fail "an invalid value must stop start-up"
expect_contains "$out" "clock: 'sometimes'" "invalid value named"
cp good.properties dps.properties
out="$("$dps" frobnicate 2>&1)"
[ $? -eq 2 ] || fail "an unknown command must exit 2"
expect_contains "$out" "unknown command 'frobnicate'" "unknown command"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
echo "cli_test ($backend): all checks passed"
