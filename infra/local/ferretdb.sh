#!/usr/bin/env bash
# FerretDB (MongoDB wire protocol over SQLite or PostgreSQL) for the local stack and tests.
#
#   infra/local/ferretdb.sh install | start | stop | status
#
# install  builds infra/local/ferretdb (our own program embedding FerretDB v1.24.2) into
#          $CACHE_DIR/ferretdb/guichet-ferretdb; skipped while the binary is newer than its sources.
#          Go's module and build caches stay at Go's defaults (GOMODCACHE, GOCACHE), so they
#          outlive a fresh clone; set those variables to move them.
# start    installs, then runs it in the background on 127.0.0.1:$FERRETDB_PORT and waits until
#          it answers a real MongoDB ping. Data: $DATA_DIR/ferretdb. Log: $LOG_DIR/ferretdb.log.
#          Clients reach FerretDB through the program's atomic proxy, which serialises writes per
#          collection so single-document updates are atomic as in MongoDB (see atomicproxy.go).
# stop     stops the instance this script started (pid file $RUN_DIR/ferretdb.pid).
# status   prints running or stopped; exit 0 when running, 3 when stopped.
#
# Environment:
#   FERRETDB_PORT            TCP port on 127.0.0.1 (default 27017)
#   FERRETDB_HANDLER         sqlite or postgresql (default: $GUICHET_STORE, see lib.sh)
#   FERRETDB_POSTGRESQL_URL  connection string for the postgresql handler (default: the database
#                            of infra/local/postgres.sh, postgres://ferretdb@127.0.0.1:$POSTGRES_PORT/ferretdb
#                            with a pool of $FERRETDB_POSTGRESQL_POOL connections, default 16)
#   FERRETDB_START_TIMEOUT   seconds to wait for the first ping (default 60)
#   FERRETDB_LOG_LEVEL       debug, info (default), warn or error; read by the program itself
#   FERRETDB_MAX_WRITES      writes the proxy lets into FerretDB at once (default 3; below the pool)
#   FERRETDB_PPROF_ADDR      when set (e.g. 127.0.0.1:6060), Go profiles at /debug/pprof/
COMPONENT=ferretdb
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC_DIR="$GUICHET_ROOT/infra/local/ferretdb"
BIN="$CACHE_DIR/ferretdb/guichet-ferretdb"
BUILD_LOG="$LOG_DIR/ferretdb-build.log"
LOG_FILE="$LOG_DIR/ferretdb.log"
PID_FILE="$RUN_DIR/ferretdb.pid"
PORT_FILE="$RUN_DIR/ferretdb.port"
FERRETDB_PORT="${FERRETDB_PORT:-27017}"
FERRETDB_HANDLER="${FERRETDB_HANDLER:-$GUICHET_STORE}"
HANDLER_FILE="$RUN_DIR/ferretdb.handler"
FERRETDB_START_TIMEOUT="${FERRETDB_START_TIMEOUT:-60}"

up_to_date() {
  [[ -x "$BIN" ]] || return 1
  local f
  for f in "$SRC_DIR"/*.go "$SRC_DIR"/go.mod "$SRC_DIR"/go.sum; do
    [[ "$f" == *_test.go ]] && continue
    [[ "$BIN" -nt "$f" ]] || return 1
  done
}

cmd_install() {
  if up_to_date; then
    log "binary up to date: $BIN"
    return 0
  fi
  command -v go >/dev/null 2>&1 || die "go is not on PATH (Go >= 1.24 is needed to build FerretDB)"
  mkdir -p "$(dirname "$BIN")"
  log "building $BIN (log: $BUILD_LOG; a cold build takes about a minute on 2 cores)"
  local started=$SECONDS
  if ! (cd "$SRC_DIR" && go build -trimpath -buildvcs=false -o "$BIN.tmp" .) >"$BUILD_LOG" 2>&1; then
    tail -n 40 "$BUILD_LOG" >&2
    rm -f "$BIN.tmp"
    die "go build failed (full log: $BUILD_LOG)"
  fi
  mv -f "$BIN.tmp" "$BIN"
  log "built in $((SECONDS - started)) s"
}

# ready: true once the server answers {ping: 1}; aborts the script if the process has died.
ready() {
  if ! pid_alive ferretdb; then
    tail -n 30 "$LOG_FILE" >&2 || true
    die "guichet-ferretdb exited during start-up (log: $LOG_FILE)"
  fi
  "$BIN" -ping "127.0.0.1:$FERRETDB_PORT" -ping-timeout 2s >/dev/null 2>&1
}

# The database infra/local/postgres.sh creates. pgx's pool would otherwise hold max(4, CPUs)
# connections, fewer than the clients that wait on reads while a write holds its collection.
local_postgresql_url() {
  echo "postgres://${POSTGRES_DB:-ferretdb}@127.0.0.1:${POSTGRES_PORT:-5432}/${POSTGRES_DB:-ferretdb}?pool_max_conns=${FERRETDB_POSTGRESQL_POOL:-16}"
}

# same_handler: the running instance serves the handler asked for (a switch of GUICHET_STORE
# needs a restart, not a second instance).
same_handler() {
  local running
  running=$(cat "$HANDLER_FILE" 2>/dev/null || echo sqlite)
  [[ "$running" == "$FERRETDB_HANDLER" ]] ||
    die "already running with the $running handler, not $FERRETDB_HANDLER: stop it first ($0 stop)"
}

cmd_start() {
  cmd_install
  if already_running ferretdb guichet-ferretdb "$FERRETDB_PORT"; then
    same_handler
    return 0
  fi
  if port_open 127.0.0.1 "$FERRETDB_PORT"; then
    die "port $FERRETDB_PORT on 127.0.0.1 is already taken by a process this script did not start; stop it or set FERRETDB_PORT"
  fi

  local args=(-listen-addr "127.0.0.1:$FERRETDB_PORT" -handler "$FERRETDB_HANDLER")
  case "$FERRETDB_HANDLER" in
    sqlite)
      mkdir -p "$DATA_DIR/ferretdb"
      args+=(-sqlite-dir "$DATA_DIR/ferretdb")
      ;;
    postgresql)
      args+=(-postgresql-url "${FERRETDB_POSTGRESQL_URL:-$(local_postgresql_url)}")
      ;;
    *) die "FERRETDB_HANDLER must be sqlite or postgresql, not '$FERRETDB_HANDLER'" ;;
  esac

  log "starting on 127.0.0.1:$FERRETDB_PORT, handler $FERRETDB_HANDLER (log: $LOG_FILE)"
  echo "$FERRETDB_HANDLER" >"$HANDLER_FILE"
  launch ferretdb "$FERRETDB_PORT" "$FERRETDB_START_TIMEOUT" ready "mongodb://127.0.0.1:$FERRETDB_PORT/" -- "$BIN" "${args[@]}"
}

cmd_stop() {
  ours ferretdb guichet-ferretdb || true # drops a stale pid file that names someone else's process
  stop_pid ferretdb
  rm -f "$PORT_FILE" "$HANDLER_FILE"
}

cmd_status() {
  if ours ferretdb guichet-ferretdb; then
    echo "ferretdb: running (pid $(cat "$PID_FILE"), port $(cat "$PORT_FILE" 2>/dev/null || echo '?'), handler $(cat "$HANDLER_FILE" 2>/dev/null || echo '?'))"
    return 0
  fi
  echo "ferretdb: stopped"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
