#!/usr/bin/env bash
# Browser test of the pages in headless Chromium (Debian's `chromium` package): a farmer applies and
# bids, an officer admits, opens and awards, in Slovenian and English (scripts/browser-test.mjs).
# Installs puppeteer-core (npm) under the build tree, creates a fresh demo store there with
# `dps init --demo`, starts `dps serve` on 127.0.0.1, runs the walk-through and stops the service.
# Screenshots go to BUILD/browser-test/screenshots.
#   scripts/browser-test.sh [BUILD_DIR]      (default: build; PORT=18089 CHROMIUM=/usr/bin/chromium)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
work="$build/browser-test"
port="${PORT:-18089}"
dps="$build/web/dps"
chromium="${CHROMIUM:-/usr/bin/chromium}"

[ -x "$dps" ] || { echo "browser-test: $dps is missing; build first (cmake --build $build)" >&2; exit 1; }
[ -x "$chromium" ] || { echo "browser-test: $chromium is missing; apt-get install chromium" >&2; exit 1; }
command -v node >/dev/null || { echo "browser-test: node is missing (Node.js 18 or later)" >&2; exit 1; }

mkdir -p "$work"
if [ ! -d "$work/node_modules/puppeteer-core" ]; then
  (cd "$work" && npm install --no-audit --no-fund --loglevel=error puppeteer-core@24 >/dev/null)
fi
cp "$root/scripts/browser-test.mjs" "$work/browser-test.mjs"

rm -rf "$work/var" "$work/screenshots"
cat > "$work/dps.properties" <<PROPS
store.uri = sqlite:$work/var/dps.sqlite
calendar.dir = $root/data/calendars
sealing.key_file = $work/var/master.key
clock = simulated
demo.dir = $root/data/demo
cpv.file =
http.address = 127.0.0.1
http.port = $port
http.static_dir = $root/web/static
http.access_log = $work/access.log
auth.password_cost = interactive
PROPS

"$dps" init --demo --config "$work/dps.properties" > "$work/init.log"
"$dps" serve --config "$work/dps.properties" > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { echo "browser-test: the service did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }

CHROMIUM="$chromium" node "$work/browser-test.mjs" "http://127.0.0.1:$port" "$work/screenshots"
echo "screenshots: $work/screenshots"
