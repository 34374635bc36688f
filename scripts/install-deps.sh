#!/usr/bin/env bash
# Installs what Modu needs from Debian's packages and the npm registry, and nothing
# that is already there: `install-deps.sh run` for building and running the server,
# `install-deps.sh test` adds the servers and tools the test suite starts on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-run}

build_packages=(
  build-essential cmake ninja-build pkg-config ccache mold
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsoci-dev libsqlite3-dev libmariadb-dev libhiredis-dev libjwt-dev libsodium-dev
  libvips-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libcli11-dev
)
# chromium: the web client's browser test drives Debian's Chromium with playwright-core.
test_packages=(libgtest-dev libgmock-dev mariadb-server mariadb-client redis-server nginx-light wrk curl chromium)

wanted=("${build_packages[@]}")
[[ $mode == test ]] && wanted+=("${test_packages[@]}")
# Node and npm: any installed version will do; Debian's only when there is none.
command -v node >/dev/null && command -v npm >/dev/null || wanted+=(nodejs npm)

missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  [[ $(id -u) == 0 ]] && sudo= || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # policy-rc.d stops Debian from starting the freshly installed servers:
  # the tests start their own on loopback with throw-away data folders.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by package-lock.json: swagger-ui-dist and @stomp/stompjs are
# built into the binary; the rest (lint, WebSocket client, browser driver) only serves the tests.
# What the tests install is a superset of what running needs: after `make test`, `make run`
# keeps it rather than pruning the test tools away.
lock_stamp=node_modules/.modu-installed-$mode
[[ $mode == run && -e node_modules/.modu-installed-test ]] && lock_stamp=node_modules/.modu-installed-test
if [[ ! -e $lock_stamp || package-lock.json -nt $lock_stamp ]]; then
  if [[ $mode == test ]]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
  fi
  rm -f node_modules/.modu-installed-*
  touch "$lock_stamp"
fi
