#!/usr/bin/env bash
# http-vs-nginx.sh: HTTP throughput of Modu next to nginx on the same machine, in one run.
#
# Measures `wrk -t2 -c64 -d10s --latency` (after a 2 s warm-up each) against, in this order:
#   1. nginx serving a static ~85-byte JSON file (throw-away config in a temp folder,
#      worker_processes 2 = Modu's 2 I/O threads on a 2-core machine, access_log off),
#   2. Modu, GET /api/v1/common/time, access log off (MODU_LOG_ACCESS_LOG=false),
#   3. Modu, same, access log on (the default; written to a file in the temp folder),
#   4. nginx again, so drift on a noisy shared machine shows.
# wrk runs on the same cores as the server, so absolute numbers are low: compare the ratios.
#
# Run from anywhere:  bash bench/http-vs-nginx.sh          (uses build/release/modu; `make run` builds it)
#                     MODU_BIN=/path/to/modu bash bench/http-vs-nginx.sh
# Needs wrk, curl and nginx (/usr/sbin/nginx, or NGINX_BIN). Prints a Markdown table and
# writes it to bench/results/http-vs-nginx-<UTC timestamp>.md (with wrk's raw output).
# Servers listen on free ports on 127.0.0.1 and are stopped at the end, also on error or Ctrl-C.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODU_BIN="${MODU_BIN:-$REPO_ROOT/build/release/modu}"
NGINX_BIN="${NGINX_BIN:-/usr/sbin/nginx}"
WRK_ARGS=(-t2 -c64 -d10s --latency)
WARMUP_ARGS=(-t2 -c64 -d2s)
TIME_PATH=/api/v1/common/time
JSON_BODY='{"key":"time","value":{"epochMillis":1795613705895,"iso":"2026-11-25T13:35:05.895Z"}}'

die() { echo "http-vs-nginx: $*" >&2; exit 1; }

for tool in wrk curl awk; do
  command -v "$tool" >/dev/null || die "$tool not found"
done
[[ -x "$NGINX_BIN" ]] || die "nginx not found at $NGINX_BIN (set NGINX_BIN)"
[[ "$MODU_BIN" == /* ]] || MODU_BIN="$PWD/$MODU_BIN"
[[ -x "$MODU_BIN" ]] || die "Modu binary not found at $MODU_BIN (run \`make run\` first, or set MODU_BIN)"

# wrk opens 64 connections and each server needs its own; raise the soft limit as far as allowed.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

TMP="$(mktemp -d "${TMPDIR:-/tmp}/http-vs-nginx.XXXXXX")"
# nginx workers may drop to an unprivileged user when started as root: they must read the files.
chmod 755 "$TMP"

PIDS=()
cleanup() {
  stop_all_pids 5
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"

# --- nginx: throw-away config, nothing outside $TMP is read or written (except the binary) ---
mkdir -p "$TMP/nginx/www" "$TMP/nginx/tmp"
printf '%s' "$JSON_BODY" > "$TMP/nginx/www/time.json"
chmod -R a+rX "$TMP/nginx"

start_nginx() { # sets SERVER_PID, SERVER_URL, SERVER_CMD
  local port conf
  port="$(free_port)"
  conf="$TMP/nginx/nginx-$port.conf"
  cat > "$conf" <<EOF
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx-$port.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $TMP/nginx/tmp/body;
  proxy_temp_path $TMP/nginx/tmp/proxy;
  fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
  uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
  scgi_temp_path $TMP/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port;
    root $TMP/nginx/www;
    location = $TIME_PATH { try_files /time.json =404; }
  }
}
EOF
  # -e: the startup error log goes to $TMP too, not /var/log/nginx.
  local cmd=("$NGINX_BIN" -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$conf")
  "${cmd[@]}" > "$TMP/nginx/stdout-$port.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port$TIME_PATH"
  SERVER_CMD="${cmd[*]}"
  wait_ready "$SERVER_URL" "$SERVER_PID" "$TMP/nginx/error.log"
}

start_modu() { # $1: access log true|false; sets SERVER_PID, SERVER_URL, SERVER_CMD
  local access="$1" port data log
  port="$(free_port)"
  data="$TMP/modu-$port/data"
  log="$TMP/modu-$port/stdout.log"
  mkdir -p "$data"
  local cmd=("$MODU_BIN" serve --profile dev --port "$port" --data-dir "$data")
  local envs=()
  [[ "$access" == false ]] && envs=(MODU_LOG_ACCESS_LOG=false)
  (cd "$REPO_ROOT" && exec env "${envs[@]+"${envs[@]}"}" "${cmd[@]}" > "$log" 2>&1) &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port$TIME_PATH"
  SERVER_CMD="${envs[*]+"${envs[*]} "}${cmd[*]} > $log"
  wait_ready "$SERVER_URL" "$SERVER_PID" "$log"
}

# Pulls requests/s, average latency, p99 latency and error counts out of wrk's output.
parse_wrk() { # $1: file with wrk --latency output; prints "rps<TAB>avg<TAB>p99<TAB>errors"
  awk '
    $1 == "Requests/sec:"                     { rps = $2 }
    $1 == "Latency" && $2 != "Distribution"   { avg = $2 }
    $1 == "99%"                               { p99 = $2 }
    /Non-2xx or 3xx responses:/               { errs = errs "non-2xx " $NF "; " }
    /Socket errors:/                          { sub(/^[ \t]*Socket errors:[ \t]*/, ""); errs = errs "socket errors: " $0 "; " }
    END {
      if (rps == "" || avg == "" || p99 == "") exit 1
      printf "%s\t%s\t%s\t%s\n", rps, avg, p99, errs
    }' "$1"
}

# wrk stops early and exits 0 on Ctrl-C, and bash then carries on as if nothing happened; so wrk
# runs in the background and we `wait` for it: a signal interrupts `wait` and runs the traps.
run_wrk() {
  wrk "$@" &
  local pid=$!
  PIDS+=("$pid")
  wait "$pid" || die "wrk $* failed"
  stop_pid "$pid"
}

LABELS=() RPS=() AVG=() P99=() ERRS=() CMDS=() RAW=()

measure() { # $1: label; the server in SERVER_* is running
  local label="$1" out="$TMP/wrk-${#LABELS[@]}.txt" sizes parsed
  sizes="$(curl -fsS -o /dev/null -w '%{size_header} header + %{size_download} body bytes' "$SERVER_URL")"
  echo "== $label: $SERVER_URL ($sizes)" >&2
  run_wrk "${WARMUP_ARGS[@]}" "$SERVER_URL" > /dev/null
  run_wrk "${WRK_ARGS[@]}" "$SERVER_URL" > "$out"
  parsed="$(parse_wrk "$out")" || { cat "$out" >&2; die "could not parse wrk output for $label"; }
  local rps avg p99 errs
  IFS=$'\t' read -r rps avg p99 errs <<< "$parsed"
  echo "   $rps req/s, avg $avg, p99 $p99${errs:+, $errs}" >&2
  LABELS+=("$label") RPS+=("$rps") AVG+=("$avg") P99+=("$p99") ERRS+=("$errs")
  CMDS+=("$label ($sizes a response): \`$SERVER_CMD\`")
  RAW+=("$(cat "$out")")
}

START_DATE="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
STAMP="$(date -u '+%Y%m%dT%H%M%SZ')"

start_nginx;       measure "nginx (run 1)";            stop_pid "$SERVER_PID"
start_modu false;  measure "modu, access log off";     stop_pid "$SERVER_PID"
start_modu true;   measure "modu, access log on";      stop_pid "$SERVER_PID"
start_nginx;       measure "nginx (run 2)";            stop_pid "$SERVER_PID"

NGINX_MEAN="$(awk -v a="${RPS[0]}" -v b="${RPS[3]}" 'BEGIN { printf "%.2f", (a + b) / 2 }')"
ratio() { awk -v x="$1" -v m="$NGINX_MEAN" 'BEGIN { printf "%.2f×", x / m }'; }

report() {
  echo "# Modu vs nginx, HTTP GET $TIME_PATH"
  echo
  echo "$START_DATE · nproc $(nproc) · $(uname -srm) · $("$NGINX_BIN" -v 2>&1) · $("$MODU_BIN" version 2>/dev/null | head -n 1 || echo 'modu version unknown')"
  echo
  echo "wrk: \`wrk ${WRK_ARGS[*]} <url>\` after a warm-up \`wrk ${WARMUP_ARGS[*]} <url>\`, one server at a time, wrk on the same cores."
  echo "nginx: worker_processes 2 (matches Modu's 2 I/O threads on this 2-core machine), access_log off, keepalive_requests 1000000, static ${#JSON_BODY}-byte JSON file."
  echo
  local c
  for c in "${CMDS[@]}"; do echo "- $c"; done
  echo
  echo "| server | requests/s | latency avg | latency p99 | req/s ÷ nginx mean |"
  echo "|---|---:|---:|---:|---:|"
  local i
  for i in "${!LABELS[@]}"; do
    echo "| ${LABELS[$i]} | ${RPS[$i]} | ${AVG[$i]} | ${P99[$i]} | $(ratio "${RPS[$i]}") |"
  done
  echo
  echo "nginx mean: $NGINX_MEAN requests/s. Order of runs as listed; the two nginx runs bracket the Modu runs to show drift."
  for i in "${!LABELS[@]}"; do
    [[ -z "${ERRS[$i]}" ]] || echo "Warning, ${LABELS[$i]}: ${ERRS[$i]}"
  done
}

RESULTS_DIR="$REPO_ROOT/bench/results"
RESULT_FILE="$RESULTS_DIR/http-vs-nginx-$STAMP.md"
mkdir -p "$RESULTS_DIR"
REPORT="$(report)"
echo "$REPORT"
{
  echo "$REPORT"
  echo
  echo "<details><summary>raw wrk output</summary>"
  echo
  for i in "${!LABELS[@]}"; do
    echo "### ${LABELS[$i]}"
    echo
    echo '```'
    echo "${RAW[$i]}"
    echo '```'
    echo
  done
  echo "</details>"
} > "$RESULT_FILE"
echo >&2
echo "written to ${RESULT_FILE#"$REPO_ROOT"/}" >&2
