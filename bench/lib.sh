# shellcheck shell=bash
# Shell helpers shared by the benchmark scripts: sourced, not run. The script that
# sources this defines die() and the PIDS array of processes it started.

# Stops one process we started (and forgets it, so the trap does not try again).
# Waits up to $2 seconds (default 10) before it kills.
stop_pid() {
  local pid="$1" seconds="${2:-10}" kept=() p
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]+"${PIDS[@]}"}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]+"${kept[@]}"}")
}

# Prints a TCP port nothing listens on (on any address), picked at random.
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 40000))
    if command -v ss >/dev/null && [[ -n "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]]; then
      continue
    fi
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

# Waits (at most $4 seconds, default 10) until URL answers 200; fails early if the server
# process died.
wait_ready() {
  local url="$1" pid="$2" log="$3" seconds="${4:-10}"
  for _ in $(seq $((seconds * 10))); do
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "server (pid $pid) exited before answering $url"
    fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2 || true
  die "no answer from $url within $seconds s"
}

# Stops every process in PIDS at once: TERM to all, then up to $1 seconds for each before it
# kills; empties PIDS.
stop_all_pids() {
  local seconds="$1" pid
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
    for _ in $(seq $((seconds * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}

# Runs a `modu bench ... --json` command line in the background and waits: a signal
# interrupts `wait` and runs the traps. Its JSON line goes to $1, its summary and progress
# to $2; returns its exit code. With SNAPSHOT_AFTER set, takes `top -H` of SERVER_PID that
# many seconds in (SERVER_PID: the script's server), into $2.top.
run_bench() {
  local json="$1" out="$2" pid rc=0 snap=
  shift 2
  "$@" > "$json" 2> "$out" &
  pid=$!
  PIDS+=("$pid")
  if [[ -n "${SNAPSHOT_AFTER:-}" ]]; then
    (sleep "$SNAPSHOT_AFTER" && top -H -b -n 2 -d 1 -p "$SERVER_PID,$pid" 2>/dev/null |
      awk '/^top -/{n++} n==2' > "$out.top") &
    snap=$!
  fi
  wait "$pid" || rc=$?
  stop_pid "$pid" 30
  [[ -n "$snap" ]] && { wait "$snap" 2>/dev/null || true; }
  return "$rc"
}

ms() { awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'; }
commas() { # 1234567 -> 1,234,567
  local n="$1" out=""
  while ((${#n} > 3)); do
    out=",${n: -3}$out"
    n="${n:0:${#n}-3}"
  done
  echo "$n$out"
}

# What every benchmark script needs first: curl and python3, the Modu binary at
# $MODU_BIN (made absolute), and the open-file limit raised to the hard one for the
# script and everything it starts (servers and the bench each hold many sockets).
check_prerequisites() {
  local tool
  for tool in curl python3; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
  [[ "$MODU_BIN" == /* ]] || MODU_BIN="$PWD/$MODU_BIN"
  [[ -x "$MODU_BIN" ]] || die "Modu binary not found at $MODU_BIN (run \`make build\` first, or set MODU_BIN)"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}
