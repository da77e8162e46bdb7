#!/usr/bin/env bash
# Browser test of the pages in headless Chromium (Debian's `chromium` package): a farmer applies and
# bids, an officer admits, opens and awards, in Slovenian and English (scripts/browser-test.mjs).
# Registered with ctest as web_browser_test (label browser, tests/web/CMakeLists.txt).
#
# The driver (puppeteer-core, pinned in scripts/browser/package.json and package-lock.json) is
# installed with `npm ci` into BUILD/browser-test/driver when missing or when the lock file changed.
# A fresh demo store is created there with `dps init --demo`, `dps serve` listens on 127.0.0.1 on a
# port the system picks, the walk-through runs and the service is stopped. Screenshots go to
# BUILD/browser-test/screenshots.
#
# Without Chromium, Node.js or a reachable npm registry the test is skipped (exit 77, ctest's
# SKIP_RETURN_CODE) unless CI=true, where it fails.
#   scripts/browser-test.sh [BUILD_DIR]      (default: build; CHROMIUM=/usr/bin/chromium)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$build/browser-test"
driver="$work/driver"
dps="$build/web/dps"
chromium="${CHROMIUM:-/usr/bin/chromium}"

# A missing tool is the machine's problem, not the product's: skipped, except under CI.
unavailable() {
  if [ "${CI:-}" = "true" ]; then
    echo "browser-test: FAILED: $1 (CI=true: the browser test must run)" >&2
    exit 1
  fi
  echo "browser-test: SKIPPED: $1" >&2
  exit 77
}

[ -x "$dps" ] || { echo "browser-test: $dps is missing; build first (cmake --build $build)" >&2; exit 1; }
[ -x "$chromium" ] || unavailable "$chromium is missing; install Debian's chromium (scripts/install-deps.sh test)"
command -v node >/dev/null || unavailable "node is missing (Node.js 18 or later)"
command -v npm >/dev/null || unavailable "npm is missing"

mkdir -p "$work" "$driver"
if ! cmp -s "$root/scripts/browser/package-lock.json" "$driver/package-lock.json" ||
   [ ! -d "$driver/node_modules/puppeteer-core" ]; then
  cp "$root/scripts/browser/package.json" "$root/scripts/browser/package-lock.json" "$driver/"
  echo "browser-test: installing the driver (npm ci --prefix $driver)"
  if ! npm ci --prefix "$driver" --no-audit --no-fund --loglevel=error > "$work/npm.log" 2>&1; then
    cat "$work/npm.log" >&2
    rm -f "$driver/package-lock.json"  # try again next time
    unavailable "npm ci could not install the driver (is the npm registry reachable?)"
  fi
fi
cp "$root/scripts/browser-test.mjs" "$driver/browser-test.mjs"

rm -rf "$work/var" "$work/screenshots"
cat > "$work/dps.properties" <<PROPS
store.uri = sqlite:$work/var/dps.sqlite
calendar.dir = $root/data/calendars
sealing.key_file = $work/var/master.key
clock = simulated
demo.dir = $root/data/demo
cpv.file =
http.address = 127.0.0.1
http.port = 0
http.static_dir = $root/web/static
http.access_log = $work/access.log
auth.password_cost = interactive
PROPS

"$dps" init --demo --config "$work/dps.properties" > "$work/init.log"
"$dps" serve --config "$work/dps.properties" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's|^DPS service listening on \(http://[0-9.]*:[0-9]*\)/.*|\1|p' "$work/serve.log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser-test: the service did not start:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
echo "browser-test: service at $url"

CHROMIUM="$chromium" node "$driver/browser-test.mjs" "$url" "$work/screenshots"
echo "screenshots: $work/screenshots"
