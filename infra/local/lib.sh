# shellcheck shell=bash
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

# FerretDB's storage: postgresql (infra/local/postgres.sh runs under it) or sqlite.
export GUICHET_STORE="${GUICHET_STORE:-postgresql}"

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

# launch NAME PORT TIMEOUT READY_COMMAND URL -- COMMAND...: runs COMMAND in its own session (a Ctrl-C
# in the calling terminal does not reach it), appending to $LOG_DIR/NAME.log, records its pid and port
# in $RUN_DIR, and waits until READY_COMMAND succeeds; otherwise prints the log's end, stops it, fails.
launch() {
  local name=$1 port=$2 timeout=$3 ready_command=$4 url=$5
  shift 6 # the five above and "--"
  local log_file="$LOG_DIR/$name.log" started=$SECONDS
  printf '\n==== %s start\n' "$(date -Is)" >>"$log_file"
  setsid "$@" </dev/null >>"$log_file" 2>&1 &
  echo $! >"$RUN_DIR/$name.pid"
  echo "$port" >"$RUN_DIR/$name.port"
  if ! wait_until "$timeout" "$name on 127.0.0.1:$port" "$ready_command"; then
    tail -n 30 "$log_file" >&2 || true
    stop_pid "$name"
    die "$name gave no answer on 127.0.0.1:$port within $timeout s"
  fi
  log "running (pid $(cat "$RUN_DIR/$name.pid")) after $((SECONDS - started)) s: $url"
}

# ours NAME PROGRAM: true when NAME's pid file names a live process running PROGRAM. A pid file left
# over from a crash whose pid was reused by another program is removed, so stop_pid never kills it.
ours() {
  local name=$1 program=$2 file="$RUN_DIR/$1.pid"
  pid_alive "$name" || return 1
  if ! tr '\0' ' ' <"/proc/$(cat "$file")/cmdline" 2>/dev/null | grep -q "$program"; then
    rm -f "$file"
    return 1
  fi
}

# already_running NAME PROGRAM PORT: true (and says so) when our NAME already runs on PORT; fails when
# it runs on another port; otherwise clears its stale pid and port files and returns false.
already_running() {
  local name=$1 program=$2 port=$3 running_port
  if ours "$name" "$program"; then
    running_port=$(cat "$RUN_DIR/$name.port" 2>/dev/null || echo '?')
    [[ "$running_port" == "$port" ]] ||
      die "already running on port $running_port (pid $(cat "$RUN_DIR/$name.pid")), not $port: stop it first"
    log "already running (pid $(cat "$RUN_DIR/$name.pid"), port $running_port)"
    return 0
  fi
  rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.port"
  return 1
}

# apt_install LOG_FILE PACKAGE...: installs Debian packages as root, appending apt's output to
# LOG_FILE. The packages' own services are kept from starting while it runs (a temporary
# policy-rc.d, unless one exists already, as in container images): they would take the default
# ports with Debian's configuration. Runs apt-get update first when the package lists are empty,
# and once more after a failed install (stale lists). Returns apt-get's status.
apt_install() {
  local log_file=$1 policy=/usr/sbin/policy-rc.d added_policy= status=0
  shift
  command -v apt-get >/dev/null 2>&1 || die "no apt-get to install $*"
  [[ $(id -u) == 0 ]] || die "installing $* needs root (apt-get install -y $*)"
  if [[ ! -e "$policy" ]]; then
    printf '#!/bin/sh\n# temporary, from guichet infra/local/lib.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    added_policy=1
    # shellcheck disable=SC2064 # expand now: $policy is local
    trap "rm -f '$policy'" EXIT
  fi
  if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    log "apt package lists are empty: apt-get update"
    apt_get update >>"$log_file" 2>&1 || true
  fi
  if ! apt_get install -y --no-install-recommends "$@" >>"$log_file" 2>&1; then
    log "install failed; retrying after apt-get update"
    { apt_get update && apt_get install -y --no-install-recommends "$@"; } >>"$log_file" 2>&1 || status=$?
  fi
  if [[ -n "$added_policy" ]]; then rm -f "$policy"; trap - EXIT; fi
  return "$status"
}

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }
