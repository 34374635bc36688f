#!/usr/bin/env bash
# Throw-away MariaDB instance on loopback for the storage tests.
# Started by the test command, stopped by pid; nothing is installed or
# touched outside DIR (no systemd, no /etc/mysql config: --no-defaults).
#
#   mariadb.sh start DIR   init DIR/data, start mariadbd on 127.0.0.1:<free port>,
#                          create db/user modu (password modu), print the URL
#                          mysql://modu:modu@127.0.0.1:PORT/modu (also in DIR/url)
#   mariadb.sh stop DIR    SIGTERM the pid in DIR/mariadb.pid (SIGKILL after 30 s)
#
# Logs: DIR/install.log, DIR/mariadbd.log, DIR/setup.log.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 && ($1 == start || $1 == stop) ]] || usage
cmd=$1
[[ $cmd == start ]] && mkdir -p "$2"
dir=$(cd "$2" 2>/dev/null && pwd) || exit 0   # stop: no DIR, nothing runs
pidfile=$dir/mariadb.pid
sock=$dir/mariadb.sock

# True if pid $1 is a live (not zombie) mariadbd.
is_mariadbd() {
  local _p name state
  [[ -n ${1:-} ]] && read -r _p name state _ 2>/dev/null <"/proc/$1/stat" &&
    [[ $name == "(mariadbd)" && $state != Z ]]
}

stop() {
  local pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if is_mariadbd "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do is_mariadbd "$pid" || break; sleep 0.1; done
    if is_mariadbd "$pid"; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
  fi
  rm -f "$pidfile"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local b
  export PATH=$PATH:/usr/sbin:/usr/local/sbin
  for b in mariadbd mariadb-install-db mariadb-admin mariadb python3; do
    command -v "$b" >/dev/null || { echo "mariadb.sh: '$b' not found;" \
      "install mariadb-server and mariadb-client (the project's install script does)" >&2; exit 1; }
  done
  # install-db passes extra options on unquoted; unix socket paths are short.
  [[ $dir != *[[:space:]]* ]] || { echo "mariadb.sh: DIR must not contain spaces" >&2; exit 1; }
  (( ${#sock} < 100 )) || { echo "mariadb.sh: socket path too long: $sock" >&2; exit 1; }
  if is_mariadbd "$(cat "$pidfile" 2>/dev/null || true)"; then
    echo "mariadb.sh: already running in $dir" >&2; exit 1
  fi

  # Own tmpdir: a starting mariadbd deletes every #sql* file in its tmpdir,
  # which breaks other instances (and concurrent install-db) sharing /tmp.
  rm -rf "$dir/data" "$dir/tmp"
  mkdir "$dir/tmp"
  mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    --tmpdir="$dir/tmp" --innodb-log-file-size=32M \
    >"$dir/install.log" 2>&1 ||
    { echo "mariadb.sh: mariadb-install-db failed, see $dir/install.log" >&2; exit 1; }

  : >"$dir/mariadbd.log"
  # The free port can be taken by someone else before mariadbd binds it: retry.
  local port pid ok=
  for _ in 1 2 3; do
    port=$(free_port)
    mariadbd --no-defaults --user=root --datadir="$dir/data" \
      --bind-address=127.0.0.1 --port="$port" --socket="$sock" --pid-file="$pidfile" \
      --tmpdir="$dir/tmp" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=64M \
      --innodb-log-file-size=32M \
      --max-connections=500 --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci \
      >>"$dir/mariadbd.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
    for _ in $(seq 600); do   # up to 60 s
      is_mariadbd "$pid" || break
      if mariadb-admin --no-defaults --socket="$sock" -uroot --connect-timeout=1 ping \
        >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.1
    done
    [[ -n $ok ]] && break
    if is_mariadbd "$pid"; then stop; break; fi   # hung: give up
    wait "$pid" || true
    grep -q 'Address already in use' "$dir/mariadbd.log" || break
  done
  if [[ -z $ok ]]; then
    stop; echo "mariadb.sh: mariadbd did not start, see $dir/mariadbd.log" >&2; exit 1
  fi

  mariadb --no-defaults --socket="$sock" -uroot >"$dir/setup.log" 2>&1 <<'SQL' ||
CREATE DATABASE IF NOT EXISTS modu;
CREATE USER 'modu'@'127.0.0.1' IDENTIFIED BY 'modu';
CREATE USER 'modu'@'localhost' IDENTIFIED BY 'modu';
GRANT ALL PRIVILEGES ON `modu`.* TO 'modu'@'127.0.0.1', 'modu'@'localhost';
GRANT ALL PRIVILEGES ON `modu\_%`.* TO 'modu'@'127.0.0.1', 'modu'@'localhost';
SQL
    { echo "mariadb.sh: user setup failed, see $dir/setup.log" >&2; stop; exit 1; }

  echo "mysql://modu:modu@127.0.0.1:$port/modu" | tee "$dir/url"
}

case $cmd in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
