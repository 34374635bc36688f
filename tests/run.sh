#!/usr/bin/env bash
# Runs every test against a built tree: lints the OpenAPI document, starts a throw-away
# MariaDB on loopback (so the storage tests run on SQLite and MariaDB alike), runs CTest
# (unit and integration tests, the latter against the real binary), stops MariaDB by pid,
# then runs the end-to-end tests in Node with the stock STOMP client against the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}

work=$(mktemp -d /tmp/modu-test.XXXXXX)
cleanup() {
  tests/scripts/mariadb.sh stop "$work/mariadb" || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== OpenAPI lint"
npx --no-install redocly lint --format=stylish openapi/openapi.yaml

echo "== MariaDB on loopback"
MODUTEST_MYSQL_URL=$(tests/scripts/mariadb.sh start "$work/mariadb")
export MODUTEST_MYSQL_URL
export MODUTEST_REQUIRE_SERVERS=1  # a test that cannot reach MariaDB or nginx fails instead of skipping
echo "$MODUTEST_MYSQL_URL"

echo "== CTest"
ulimit -n "$(ulimit -Hn)"
ctest --test-dir "$build" --output-on-failure -j2 --timeout 300

echo "== End-to-end (Node: @stomp/stompjs, ws; the web client in headless Chromium with playwright-core)"
MODUTEST_BINARY="$build/modu" node --test tests/e2e/*.test.mjs
