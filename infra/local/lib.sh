# Shared helpers for the local stack scripts. Sourced, not run.
# Everything the stack downloads, builds or writes lives under $GUICHET_LOCAL_DIR (git-ignored).
set -euo pipefail

GUICHET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
GUICHET_LOCAL_DIR="${GUICHET_LOCAL_DIR:-$GUICHET_ROOT/.local}"
CACHE_DIR="$GUICHET_LOCAL_DIR/cache"
DATA_DIR="$GUICHET_LOCAL_DIR/data"
LOG_DIR="$GUICHET_LOCAL_DIR/logs"
RUN_DIR="$GUICHET_LOCAL_DIR/run"
mkdir -p "$CACHE_DIR" "$DATA_DIR" "$LOG_DIR" "$RUN_DIR"

log() { printf '[%s] %s\n' "${COMPONENT:-stack}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# pid_alive NAME: true when the pid file of NAME names a live process.
pid_alive() {
  local f="$RUN_DIR/$1.pid"
  [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s until it succeeds.
wait_until() {
  local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 0.5
  done
  log "$what: ready"
}

# stop_pid NAME: TERM, then KILL after 20 s, the process in NAME's pid file.
stop_pid() {
  local name=$1 f="$RUN_DIR/$1.pid" pid
  if ! pid_alive "$name"; then rm -f "$f"; log "$name: not running"; return 0; fi
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$f"
  log "$name: stopped"
}
