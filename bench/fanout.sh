#!/usr/bin/env bash
# fanout.sh: real-time delivery over STOMP on WebSocket, Modu next to RabbitMQ's Web-STOMP
# (the broker a Spring user would put behind `enableStompBrokerRelay`), in one session:
#
#   1. Modu (throw-away data folder, dev profile, access log off; see MODU_ENV below):
#      `modu bench fanout`, one group room with SUBSCRIBERS subscriber connections (each its
#      own member) and PUBLISHERS publisher connections, once per entry of RATES (0: closed
#      loop, each publisher sending as fast as its WINDOW of unreceipted SENDs allows; N: N
#      messages a second in all, evenly paced), DURATION s after WARMUP s; then
#      `modu bench direct` with DIRECT_PAIRS 1:1 rooms (skipped when 0);
#   2. RabbitMQ with the rabbitmq_web_stomp plugin (installed with apt-get when missing),
#      started on 127.0.0.1 from a temp folder: the same fanout runs, destination /topic/bench;
#   3. a fresh Modu: `modu bench idle` with IDLE authenticated connections, each subscribed
#      to a room and to /user/queue/events: the server's memory (VmRSS) a connection.
# Every fanout/direct run checks that each acknowledged message reached every subscriber once,
# in order ("lost"). Each run reports the server's CPU per thread; a `top -H` snapshot of the
# server half-way through each fanout run goes into the raw output.
#
# Run from anywhere:  bash bench/fanout.sh        (uses build/release/modu; `make build` builds it)
#                     MODU_BIN=/path/to/modu bash bench/fanout.sh
# Knobs (environment): SUBSCRIBERS=1000 PUBLISHERS=8 WINDOW=4 RATES="0 100 500" DURATION=10 WARMUP=2
# THREADS=2 (bench event loops: with one, the bench is the bottleneck at 500k deliveries/s) DIRECT_PAIRS=500 IDLE=19000 BROKERS="modu rabbitmq" RUN_IDLE=1.
# Needs curl and python3; RabbitMQ runs need rabbitmq-server (installed when missing and root).
# Prints a Markdown table and writes it, with every run's output, to
# bench/results/fanout-<UTC timestamp>.md. Everything it starts listens on 127.0.0.1 only and is
# stopped at the end (by pid), also on error or Ctrl-C.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODU_BIN="${MODU_BIN:-$REPO_ROOT/build/release/modu}"
SUBSCRIBERS="${SUBSCRIBERS:-1000}"
PUBLISHERS="${PUBLISHERS:-8}"
WINDOW="${WINDOW:-4}"
read -r -a RATES <<< "${RATES:-0 100 500}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
THREADS="${THREADS:-2}"
DIRECT_PAIRS="${DIRECT_PAIRS:-500}"
IDLE="${IDLE:-19000}"
RUN_IDLE="${RUN_IDLE:-1}"
read -r -a BROKERS <<< "${BROKERS:-modu rabbitmq}"
RABBITMQ_BIN_DIR=/usr/lib/rabbitmq/bin  # the real scripts: /usr/sbin's wrappers switch to the rabbitmq user

# Modu's settings for these runs, each said in the results:
#  - cheap password hashing, so signing up a thousand members takes a second, not minutes;
#  - no per-connection frame limit to speak of (the default, 200 frames/s, would stop a publisher);
#  - group rooms of up to 2,000 members (the default is 500), for one member per subscriber.
MODU_ENV=(
  MODU_LOG_ACCESS_LOG=false
  MODU_AUTH_PASSWORD_HASH_OPS_LIMIT=1
  MODU_AUTH_PASSWORD_HASH_MEM_LIMIT_KIB=8
  MODU_WS_FRAMES_PER_SECOND=1000000
  MODU_CHAT_MAX_GROUP_MEMBERS=2000
)

die() { echo "fanout: $*" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
check_prerequisites
if ((RUN_IDLE)) && (($(ulimit -n) < IDLE + 100)); then
  die "open-file limit $(ulimit -n) is too low for IDLE=$IDLE connections (lower IDLE)"
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/fanout.XXXXXX")"

PIDS=()
cleanup() {
  local i
  # Newest first: the bench before its server, RabbitMQ before its epmd.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    stop_pid "${PIDS[i]}" 15
  done
  PIDS=()
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


start_modu() { # $1: a name for its folder; sets SERVER_PID, SERVER_URL, SERVER_CMD
  local name="$1" port dir log
  port="$(free_port)"
  dir="$TMP/modu-$name"
  log="$dir/server.log"
  mkdir -p "$dir/data"
  local cmd=("$MODU_BIN" serve --profile dev --port "$port" --data-dir "$dir/data")
  (cd "$REPO_ROOT" && exec env "${MODU_ENV[@]}" "${cmd[@]}" > "$log" 2>&1) &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port"
  SERVER_CMD="${MODU_ENV[*]} modu serve --profile dev --port PORT --data-dir DIR"
  wait_ready "$SERVER_URL/readyz" "$SERVER_PID" "$log" 20
}

RABBIT_PID='' EPMD_PID='' BEAM_PID=''
start_rabbitmq() { # sets SERVER_URL, RABBITMQ_VERSION
  if [[ ! -x "$RABBITMQ_BIN_DIR/rabbitmq-server" ]]; then
    [[ "$(id -u)" == 0 ]] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server, as root)"
    echo "== installing rabbitmq-server (Debian's package)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rabbitmq-server > "$TMP/apt.log" 2>&1 ||
      { tail -n 20 "$TMP/apt.log" >&2; die "apt-get install rabbitmq-server failed"; }
  fi
  local dir="$TMP/rabbitmq" amqp dist ws epmd
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  amqp="$(free_port)" dist="$(free_port)" ws="$(free_port)" epmd="$(free_port)"
  # Only loopback: AMQP, Web-STOMP, Erlang distribution and epmd; plain STOMP and the
  # management plugin are off.
  cat > "$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$amqp
stomp.listeners.tcp = none
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $ws
loopback_users.guest = true
log.console = false
log.file.level = warning
EOF
  # HOME holds the Erlang cookie: a throw-away one, not root's.
  local env=(
    HOME="$dir/home"
    RABBITMQ_NODENAME="bench$$@localhost"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$amqp"
    RABBITMQ_DIST_PORT="$dist"
    ERL_EPMD_PORT="$epmd"
    RABBITMQ_MNESIA_BASE="$dir/mnesia"
    RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
  )
  env "${env[@]}" "$RABBITMQ_BIN_DIR/rabbitmq-plugins" --offline enable rabbitmq_web_stomp > "$dir/plugins.log" 2>&1 ||
    { cat "$dir/plugins.log" >&2; die "rabbitmq-plugins --offline enable rabbitmq_web_stomp failed"; }
  (exec env "${env[@]}" epmd -address 127.0.0.1 -port "$epmd" > "$dir/epmd.log" 2>&1) &
  EPMD_PID=$!
  PIDS+=("$EPMD_PID")
  (exec env "${env[@]}" RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-start_epmd false -kernel inet_dist_use_interface {127,0,0,1}" \
    "$RABBITMQ_BIN_DIR/rabbitmq-server" > "$dir/server.out" 2>&1) &
  RABBIT_PID=$!
  PIDS+=("$RABBIT_PID")
  for _ in $(seq 1200); do
    grep -q "completed with" "$dir/server.out" 2>/dev/null && break
    if ! kill -0 "$RABBIT_PID" 2>/dev/null; then
      tail -n 30 "$dir/server.out" >&2 || true
      die "rabbitmq-server (pid $RABBIT_PID) exited while starting"
    fi
    sleep 0.1
  done
  grep -q "completed with" "$dir/server.out" || { tail -n 30 "$dir/server.out" >&2; die "RabbitMQ did not start in 120 s"; }
  BEAM_PID="$(pgrep -P "$RABBIT_PID" beam.smp | head -n 1 || true)"
  [[ -n "$BEAM_PID" ]] && PIDS+=("$BEAM_PID")
  SERVER_PID="${BEAM_PID:-$RABBIT_PID}"
  SERVER_URL="http://127.0.0.1:$ws"
  RABBITMQ_VERSION="$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')"
}

stop_rabbitmq() {
  stop_pid "$RABBIT_PID" 30
  [[ -n "$BEAM_PID" ]] && stop_pid "$BEAM_PID" 10
  stop_pid "$EPMD_PID" 5
  RABBIT_PID='' EPMD_PID='' BEAM_PID=''
}

# Reads fields from a one-line JSON result: json_fields FILE key... (nested keys as a.b).
json_fields() {
  python3 - "$@" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    result = json.loads(f.readline())
values = []
for path in sys.argv[2:]:
    value = result
    for key in path.split("."):
        value = value.get(key, "") if isinstance(value, dict) else ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    if isinstance(value, list):
        value = " ".join(f"{v:.2f}" for v in value[:4])
    # Never empty: `read` with IFS=tab would merge two tabs and shift the fields.
    values.append(str(value) if str(value) != "" else "-")
print("\t".join(values))
PY
}

kib() { awk -v b="$1" 'BEGIN { printf "%.2f KiB", b / 1024 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# Reads a fanout/direct run's JSON line ($1) into the caller's rps p50 p99 max pub rp99
# (numbers), lost_text (lost, dropped and errors in words) and cells (the table row's
# columns from "published msg/s" on, with a leading " |").
read_realtime() {
  local parsed lost dropped errors cpu threads client server_us client_us other
  parsed="$(json_fields "$1" deliveriesPerSecond latencyUs.p50 latencyUs.p99 latencyUs.max publishedPerSecond \
    receiptLatencyUs.p99 lost dropped errorCount serverCpu serverThreadsCpu clientCpu serverCpuUsPerDelivery \
    clientCpuUsPerDelivery otherCpu)"
  IFS=$'\t' read -r rps p50 p99 max pub rp99 lost dropped errors cpu threads client server_us client_us other <<< "$parsed"
  lost_text="$lost"
  [[ "$dropped" == 0 ]] || lost_text+=" ($dropped dropped)"
  [[ "$errors" == 0 ]] || lost_text+=", $errors errors"
  cells=" | $(commas "$pub") | **$(commas "$rps")** | $(ms "$p50") | $(ms "$p99") | $(ms "$max") | $(ms "$rp99") | $lost_text | $cpu ($threads) | $client | $other | $server_us / $client_us |"
}

ROWS=() IDLE_ROWS=() RAW=() FAILED=0
declare -A CLOSED_LOOP_RATE

# fanout_run BROKER RATE: one `modu bench fanout` against SERVER_URL, one table row.
fanout_run() {
  local broker="$1" rate="$2" json out rc=0 extra=()
  json="$TMP/fanout-$broker-$rate.json"
  out="$TMP/fanout-$broker-$rate.txt"
  [[ "$broker" == rabbitmq ]] && extra=(--broker rabbitmq)
  local args=(bench fanout --url "$SERVER_URL" "${extra[@]+"${extra[@]}"}" --subscribers "$SUBSCRIBERS"
    --publishers "$PUBLISHERS" --members "$SUBSCRIBERS" --window "$WINDOW" --rate "$rate" --threads "$THREADS"
    --duration "$DURATION" --warmup "$WARMUP" --json)
  echo "== $broker: modu ${args[*]}" >&2
  SNAPSHOT_AFTER=$((WARMUP + DURATION / 2 + 2)) run_bench "$json" "$out" "$MODU_BIN" "${args[@]}" || rc=$?
  local raw
  raw="$(cat "$out" "$json")"
  [[ -s "$out.top" ]] && raw+=$'\n\n'"top -H of the server (pid $SERVER_PID) and the bench, half-way:"$'\n'"$(cat "$out.top")"
  RAW+=("### fanout, $broker, rate $rate (exit $rc)"$'\n\n'"\`modu ${args[*]/$SERVER_URL/URL}\`"$'\n\n```\n'"$raw"$'\n```')
  if [[ -s "$json" ]]; then
    local rps p50 p99 max pub rp99 lost_text cells
    read_realtime "$json"
    local rate_text="closed loop (window $WINDOW)"
    [[ "$rate" == 0 ]] || rate_text="$(commas "$rate") msg/s paced"
    [[ "$rate" == 0 ]] && CLOSED_LOOP_RATE[$broker]="$rps"
    ROWS+=("| $broker | $rate_text$cells")
    echo "   $(commas "$rps") deliveries/s, p50 $(ms "$p50"), p99 $(ms "$p99"), $(commas "$pub") msg/s, lost $lost_text" >&2
  else
    ROWS+=("| $broker | rate $rate | failed (exit $rc) | | | | | | | | | |")
    tail -n 5 "$out" >&2
  fi
  [[ "$rc" == 0 ]] || FAILED=1
}

direct_run() {
  local json="$TMP/direct.json" out="$TMP/direct.txt" rc=0
  local args=(bench direct --url "$SERVER_URL" --pairs "$DIRECT_PAIRS" --members 100 --window "$WINDOW"
    --threads "$THREADS" --duration "$DURATION" --warmup "$WARMUP" --json)
  echo "== modu: modu ${args[*]}" >&2
  run_bench "$json" "$out" "$MODU_BIN" "${args[@]}" || rc=$?
  RAW+=("### direct, modu (exit $rc)"$'\n\n'"\`modu ${args[*]/$SERVER_URL/URL}\`"$'\n\n```\n'"$(cat "$out" "$json")"$'\n```')
  if [[ -s "$json" ]]; then
    local rps p50 p99 max pub rp99 lost_text cells
    read_realtime "$json"
    DIRECT_ROW="| modu, direct: $(commas "$DIRECT_PAIRS") 1:1 rooms, both sides sending | closed loop (window $WINDOW)$cells"
    echo "   $(commas "$rps") deliveries/s, p50 $(ms "$p50"), p99 $(ms "$p99"), lost $lost_text" >&2
  else
    DIRECT_ROW="| modu, direct | failed (exit $rc) | | | | | | | | | | | |"
  fi
  [[ "$rc" == 0 ]] || FAILED=1
}

idle_run() {
  local json="$TMP/idle.json" out="$TMP/idle.txt" rc=0 parsed
  local args=(bench idle --url "$SERVER_URL" --connections "$IDLE" --members 100 --hold 5 --connect-parallel 128 --json)
  echo "== modu: modu ${args[*]}" >&2
  run_bench "$json" "$out" "$MODU_BIN" "${args[@]}" || rc=$?
  RAW+=("### idle, modu (exit $rc)"$'\n\n'"\`modu ${args[*]/$SERVER_URL/URL}\`"$'\n\n```\n'"$(cat "$out" "$json")"$'\n```')
  if [[ -s "$json" ]]; then
    parsed="$(json_fields "$json" connected connections rssBefore rssConnected rssEnd bytesPerConnection \
      bytesPerConnectionSecondHalf dropped setupSeconds)"
    local connected total before after end each half dropped seconds
    IFS=$'\t' read -r connected total before after end each half dropped seconds <<< "$parsed"
    IDLE_ROWS+=("| $(commas "$connected") of $(commas "$total") (in $seconds s) | $(mib "$before") | $(mib "$after") | $(mib "$end") | **$(kib "$each")** | $(kib "$half") | $dropped |")
    echo "   $(commas "$connected") connected, $(kib "$each") a connection ($(kib "$half") over the second half)" >&2
  else
    IDLE_ROWS+=("| failed (exit $rc) | | | | | | |")
    tail -n 5 "$out" >&2
  fi
  [[ "$rc" == 0 ]] || FAILED=1
}

START_DATE="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
STAMP="$(date -u '+%Y%m%dT%H%M%SZ')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
BUSY_BEFORE="$(top -b -n 1 -d 1 | sed -n '7,12p')"
CMDS=() DIRECT_ROW=

for broker in "${BROKERS[@]}"; do
  case "$broker" in
    modu)
      start_modu fanout
      CMDS+=("Modu: \`$SERVER_CMD\`")
      for rate in "${RATES[@]}"; do fanout_run modu "$rate"; done
      ((DIRECT_PAIRS > 0)) && direct_run
      stop_pid "$SERVER_PID" 30
      ;;
    rabbitmq)
      echo "== starting RabbitMQ with Web-STOMP on 127.0.0.1" >&2
      start_rabbitmq
      CMDS+=("RabbitMQ $RABBITMQ_VERSION (Debian), rabbitmq_web_stomp, started from a temp folder on 127.0.0.1 (default settings otherwise; guest/guest; SUBSCRIBE/SEND \`/topic/bench\`, auto ack, non-persistent)")
      for rate in "${RATES[@]}"; do fanout_run rabbitmq "$rate"; done
      stop_rabbitmq
      ;;
    *) die "unknown broker '$broker' in BROKERS (modu, rabbitmq)" ;;
  esac
done
if ((RUN_IDLE)); then
  start_modu idle
  idle_run
  stop_pid "$SERVER_PID" 30
fi

report() {
  echo "# Real time: STOMP over WebSocket, Modu and RabbitMQ Web-STOMP"
  echo
  echo "$START_DATE · nproc $(nproc) · $(uname -srm) · $("$MODU_BIN" version 2>/dev/null | head -n 1 || echo 'modu version unknown') · load average before: $LOAD_BEFORE"
  echo
  echo "Fan-out: one room, $(commas "$SUBSCRIBERS") subscriber connections (one member each), $PUBLISHERS publisher connections, $DURATION s measured after $WARMUP s; each SEND asks for a RECEIPT. The bench (\`modu bench\`, $THREADS event loop(s)) shares the machine with the server."
  echo
  local c
  for c in "${CMDS[@]}"; do echo "- $c"; done
  echo
  if ((${#ROWS[@]})) || [[ -n "$DIRECT_ROW" ]]; then
    echo "| server | publishing | published msg/s | deliveries/s | p50 | p99 | max | RECEIPT p99 | lost | server CPU (busiest threads) | bench CPU | others' CPU | CPU µs a delivery, server / bench |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
    local row
    for row in "${ROWS[@]+"${ROWS[@]}"}"; do echo "$row"; done
    [[ -n "$DIRECT_ROW" ]] && echo "$DIRECT_ROW"
    echo
    echo "deliveries/s: MESSAGE frames that reached a subscriber in the measured window; p50/p99/max: send → MESSAGE at each subscriber (every delivery a sample); RECEIPT p99: SEND → RECEIPT (Modu: after the commit). lost: acknowledged messages × subscribers − deliveries that arrived (checked per subscriber and publisher, duplicates and out-of-order counted apart). CPU in cores (1.00 = one core busy); others' CPU: what the rest of the machine used meanwhile (from /proc/stat): above a few hundredths, the run shared the cores with something else and its numbers are low."
    if [[ -n "${CLOSED_LOOP_RATE[modu]:-}" && -n "${CLOSED_LOOP_RATE[rabbitmq]:-}" && "${CLOSED_LOOP_RATE[rabbitmq]}" != 0 ]]; then
      echo
      echo "Closed loop, deliveries/s: Modu ÷ RabbitMQ = $(awk -v a="${CLOSED_LOOP_RATE[modu]}" -v b="${CLOSED_LOOP_RATE[rabbitmq]}" 'BEGIN { printf "%.2f", a / b }')×."
    fi
    echo
  fi
  if ((${#IDLE_ROWS[@]})); then
    echo "Idle: \`modu bench idle --connections $IDLE\` on a fresh server: each connection CONNECTs (100 members) and subscribes to a group room and to /user/queue/events, then all stay open 5 s."
    echo
    echo "| connections | server VmRSS before | all connected | after 5 s | per connection | per connection, second half | dropped |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    local row
    for row in "${IDLE_ROWS[@]}"; do echo "$row"; done
    echo
    echo "Per connection: (VmRSS with all connected − VmRSS before the first) ÷ connections; the second half's figure leaves out what the first connections cost once. Kernel socket buffers are not in VmRSS."
  fi
}

RESULTS_DIR="$REPO_ROOT/bench/results"
RESULT_FILE="$RESULTS_DIR/fanout-$STAMP.md"
mkdir -p "$RESULTS_DIR"
REPORT="$(report)"
echo
echo "$REPORT"
{
  echo "$REPORT"
  echo
  echo "<details><summary>raw output</summary>"
  echo
  echo "Busiest processes before the runs:"
  echo
  echo '```'
  echo "$BUSY_BEFORE"
  echo '```'
  echo
  for raw in "${RAW[@]}"; do
    echo "$raw"
    echo
  done
  echo "</details>"
} > "$RESULT_FILE"
echo >&2
echo "written to ${RESULT_FILE#"$REPO_ROOT"/}" >&2
[[ "$FAILED" == 0 ]] || die "some runs failed, lost messages or dropped connections: see the table"
