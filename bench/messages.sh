#!/usr/bin/env bash
# messages.sh: durable messages per second through the server, on SQLite and on MariaDB,
# next to the ceiling (plain batched inserts into the same database), in one run.
#
#   1. Modu on SQLite (throw-away data folder, dev profile, access log off):
#      `modu bench send` with 1, 64 and 1024 senders, 10 s each after a 2 s warm-up;
#   2. the same against a throw-away MariaDB (tests/scripts/mariadb.sh), the server
#      pointed at it with MODU_STORAGE_DATABASE_URL;
#   3. `modu bench raw-insert` of 100,000 rows into a fresh SQLite database, 512 and then
#      64 rows a transaction, and 512 a transaction into the MariaDB database: first one
#      sender's rows, whose clientMsgIds follow each other, then the rows of as many
#      senders as the largest send run had, taking turns (`--senders`), which is what the
#      server stores and costs the clientMsgId index a leaf a row.
# Every send run ends with a check that each 201 is stored exactly once ("lost").
# The bench client runs on the same cores as the server and the database.
#
# Run from anywhere:  bash bench/messages.sh        (uses build/release/modu; `make build` builds it)
#                     MODU_BIN=/path/to/modu bash bench/messages.sh
# Knobs (environment): SENDERS="1 64 1024", DURATION=10, WARMUP=2, RAW_MESSAGES=100000,
# ENGINES="sqlite mariadb". Needs curl and python3; MariaDB runs need mariadbd.
# Prints a Markdown table and writes it, with every run's output, to
# bench/results/messages-<UTC timestamp>.md. Everything it starts listens on 127.0.0.1 and
# is stopped at the end, also on error or Ctrl-C.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODU_BIN="${MODU_BIN:-$REPO_ROOT/build/release/modu}"
MARIADB_SH="$REPO_ROOT/tests/scripts/mariadb.sh"
read -r -a SENDERS <<< "${SENDERS:-1 64 1024}"
read -r -a ENGINES <<< "${ENGINES:-sqlite mariadb}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
RAW_MESSAGES="${RAW_MESSAGES:-100000}"
MOST_SENDERS="$(printf '%s\n' "${SENDERS[@]}" | sort -n | tail -n 1)"

die() { echo "messages: $*" >&2; exit 1; }

# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
check_prerequisites

TMP="$(mktemp -d "${TMPDIR:-/tmp}/messages.XXXXXX")"
MARIADB_DIR="$TMP/mariadb"
MARIADB_STARTED=

PIDS=()
cleanup() {
  stop_all_pids 10
  if [[ -n "$MARIADB_STARTED" ]]; then bash "$MARIADB_SH" stop "$MARIADB_DIR" || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM


start_modu() { # $1: sqlite|mariadb; sets SERVER_PID, SERVER_URL, SERVER_CMD
  local engine="$1" port dir log
  port="$(free_port)"
  dir="$TMP/modu-$engine"
  log="$dir/server.log"
  mkdir -p "$dir/data"
  local cmd=("$MODU_BIN" serve --profile dev --port "$port" --data-dir "$dir/data")
  local envs=(MODU_LOG_ACCESS_LOG=false)
  [[ "$engine" == mariadb ]] && envs+=("MODU_STORAGE_DATABASE_URL=$MARIADB_URL")
  (cd "$REPO_ROOT" && exec env "${envs[@]}" "${cmd[@]}" > "$log" 2>&1) &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port"
  SERVER_CMD="${envs[*]} ${cmd[*]}"
  wait_ready "$SERVER_URL/readyz" "$SERVER_PID" "$log" 20
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
        value = value[key]
    values.append(str(value))
print("\t".join(values))
PY
}

ROWS=() RAW=() FAILED=0

# One row of the table: senders, engine, msg/s, p50, p99, errors, lost.
add_row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }

send_runs() { # $1: engine; the server in SERVER_* is running
  local engine="$1" n json out rc parsed
  for n in "${SENDERS[@]}"; do
    json="$TMP/send-$engine-$n.json"
    out="$TMP/send-$engine-$n.txt"
    echo "== $engine, $n senders: modu bench send --url $SERVER_URL --senders $n --duration $DURATION --warmup $WARMUP" >&2
    rc=0
    run_bench "$json" "$out" "$MODU_BIN" bench send --url "$SERVER_URL" --senders "$n" --duration "$DURATION" \
      --warmup "$WARMUP" --json || rc=$?
    RAW+=("### $engine, $n senders (exit $rc)"$'\n\n```\n'"$(cat "$out" "$json")"$'\n```')
    if [[ -s "$json" ]]; then
      parsed="$(json_fields "$json" messagesPerSecond latencyUs.p50 latencyUs.p99 errorCount lost duplicated inDoubt)"
      local rate p50 p99 errors lost duplicated in_doubt
      IFS=$'\t' read -r rate p50 p99 errors lost duplicated in_doubt <<< "$parsed"
      local lost_text="$lost"
      [[ "$duplicated" == 0 ]] || lost_text+=", $duplicated duplicated"
      [[ "$in_doubt" == 0 ]] || lost_text+=" ($in_doubt in doubt)"
      add_row "$(commas "$n")" "$engine" "$(commas "$rate")" "$(ms "$p50")" "$(ms "$p99")" "$errors" "$lost_text"
      echo "   $(commas "$rate") msg/s, p50 $(ms "$p50"), p99 $(ms "$p99"), errors $errors, lost $lost_text" >&2
    else
      add_row "$(commas "$n")" "$engine" "failed (exit $rc)" "" "" "" ""
      tail -n 5 "$out" >&2
    fi
    [[ "$rc" == 0 ]] || FAILED=1
  done
}

raw_insert() { # $1: engine, $2: batch, $3: senders; for mariadb, MARIADB_URL is set
  local engine="$1" batch="$2" senders="$3" json out rc=0 parsed envs=() label
  json="$TMP/raw-$engine-$batch-$senders.json"
  out="$TMP/raw-$engine-$batch-$senders.txt"
  label="raw insert, $batch rows/txn, $(commas "$senders") sender$([[ "$senders" == 1 ]] || echo s)"
  [[ "$engine" == mariadb ]] && envs=("MODU_STORAGE_DATABASE_URL=$MARIADB_URL")
  echo "== $label, $engine: modu bench raw-insert --messages $RAW_MESSAGES --batch $batch --senders $senders" >&2
  run_bench "$json" "$out" env "${envs[@]+"${envs[@]}"}" "$MODU_BIN" bench raw-insert \
    --data-dir "$TMP/raw-$engine-$batch-$senders" --messages "$RAW_MESSAGES" --batch "$batch" \
    --senders "$senders" --json || rc=$?
  RAW+=("### $label, $engine (exit $rc)"$'\n\n```\n'"$(cat "$out" "$json")"$'\n```')
  if [[ -s "$json" ]]; then
    parsed="$(json_fields "$json" rowsPerSecond transactionUs.p50 transactionUs.p99)"
    local rate p50 p99
    IFS=$'\t' read -r rate p50 p99 <<< "$parsed"
    add_row "$label" "$engine" "$(commas "$rate")" "$(ms "$p50") / txn" "$(ms "$p99") / txn" "–" "–"
    echo "   $(commas "$rate") rows/s, transaction p50 $(ms "$p50"), p99 $(ms "$p99")" >&2
  else
    add_row "$label" "$engine" "failed (exit $rc)" "" "" "" ""
    tail -n 5 "$out" >&2
  fi
  [[ "$rc" == 0 ]] || FAILED=1
}

START_DATE="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
STAMP="$(date -u '+%Y%m%dT%H%M%SZ')"
CMDS=()

for engine in "${ENGINES[@]}"; do
  case "$engine" in
    sqlite)
      start_modu sqlite
      CMDS+=("SQLite server: \`$SERVER_CMD\`")
      send_runs sqlite
      stop_pid "$SERVER_PID" 30
      raw_insert sqlite 512 1
      raw_insert sqlite 64 1
      raw_insert sqlite 512 "$MOST_SENDERS"
      ;;
    mariadb)
      echo "== starting a throw-away MariaDB" >&2
      MARIADB_STARTED=1
      MARIADB_URL="$(bash "$MARIADB_SH" start "$MARIADB_DIR" | tail -n 1)"
      CMDS+=("MariaDB: \`bash tests/scripts/mariadb.sh start DIR\` ($(PATH=$PATH:/usr/sbin mariadbd --version 2>/dev/null | head -n 1))")
      start_modu mariadb
      CMDS+=("MariaDB server: \`${SERVER_CMD//$MARIADB_URL/mysql://…}\`")
      send_runs mariadb
      stop_pid "$SERVER_PID" 30
      raw_insert mariadb 512 1
      raw_insert mariadb 512 "$MOST_SENDERS"
      bash "$MARIADB_SH" stop "$MARIADB_DIR"
      MARIADB_STARTED=
      ;;
    *) die "unknown engine '$engine' in ENGINES (sqlite, mariadb)" ;;
  esac
done

report() {
  echo "# Durable messages per second: Modu vs plain inserts"
  echo
  echo "$START_DATE · nproc $(nproc) · $(uname -srm) · $("$MODU_BIN" version 2>/dev/null | head -n 1 || echo 'modu version unknown')"
  echo
  echo "\`modu bench send --senders N --duration $DURATION --warmup $WARMUP\` (16 members, 8 group rooms of 4; one keep-alive connection a sender; 201 = durable), then \`modu bench raw-insert --messages $RAW_MESSAGES --batch B --senders S\` into a fresh database (S = 1: one sender's clientMsgIds in a row; S = $MOST_SENDERS: the send run's senders taking turns, as the server stores them). Client, server and database share the machine."
  echo
  local c
  for c in "${CMDS[@]}"; do echo "- $c"; done
  echo
  echo "| senders | engine | msg/s | p50 | p99 | errors | lost |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  local row
  for row in "${ROWS[@]}"; do echo "$row"; done
  echo
  echo "msg/s counts 201s that arrived in the measured window; p50/p99 are send → 201 (raw insert: BEGIN → COMMIT of one transaction)."
  echo "lost: 201s missing from the rooms' message counts after the run (0 = every acknowledged message stored, once)."
}

RESULTS_DIR="$REPO_ROOT/bench/results"
RESULT_FILE="$RESULTS_DIR/messages-$STAMP.md"
mkdir -p "$RESULTS_DIR"
REPORT="$(report)"
echo
echo "$REPORT"
{
  echo "$REPORT"
  echo
  echo "<details><summary>raw output</summary>"
  echo
  for raw in "${RAW[@]}"; do
    echo "$raw"
    echo
  done
  echo "</details>"
} > "$RESULT_FILE"
echo >&2
echo "written to ${RESULT_FILE#"$REPO_ROOT"/}" >&2
[[ "$FAILED" == 0 ]] || die "some runs failed or found lost messages: see the table"
