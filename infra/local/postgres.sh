#!/usr/bin/env bash
# PostgreSQL, FerretDB's storage (unless GUICHET_STORE=sqlite): Debian's server, run by us on
# 127.0.0.1 from a data directory of our own.
#
#   infra/local/postgres.sh install | start | stop | status
#
# install  apt-get installs postgresql when no server binaries are found (the package's own
#          cluster is kept from starting, as for Redis); FerretDB 1.24 is tested upstream on
#          PostgreSQL 16, and Debian 12 gives 15, which works (it needs UTF8 and the C locale).
# start    creates the cluster once (initdb, as the postgres user when we are root, data in
#          $DATA_DIR/postgres owned by it, or in that user's home when it cannot reach $DATA_DIR,
#          as in a clone under /root), then starts it on 127.0.0.1:$POSTGRES_PORT with the
#          settings of infra/local/postgres/guichet.conf (durability and tuning are explained
#          there), waits until it accepts connections and creates the role and the database FerretDB
#          uses when missing, with triggers that give FerretDB's indexes a form its queries can use
#          (infra/local/postgres/ferretdb-indexes.sql). Log: $LOG_DIR/postgres.log.
# stop     stops the server this script started (fast shutdown), never another one.
# status   running or stopped; exit 0 when running, 3 when stopped.
#
# Environment:
#   POSTGRES_PORT           TCP port on 127.0.0.1 (default 5432)
#   POSTGRES_DB             database (and role) FerretDB uses (default ferretdb); the URL to give
#                           FerretDB is postgres://$POSTGRES_DB@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB
#   POSTGRES_BIN_DIR        where initdb, pg_ctl and postgres are (default: the newest
#                           /usr/lib/postgresql/<version>/bin, else pg_config --bindir)
#   POSTGRES_START_TIMEOUT  seconds to wait for the server (default 60)
# Connections from 127.0.0.1 are trusted (no password), as for FerretDB and Redis in this stack.
COMPONENT=postgres
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
POSTGRES_DB="${POSTGRES_DB:-ferretdb}"
POSTGRES_START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"
PG_DATA= # set by use_cluster_dir
PG_CONF="$GUICHET_ROOT/infra/local/postgres/guichet.conf"
INDEXES_SQL="$GUICHET_ROOT/infra/local/postgres/ferretdb-indexes.sql"
LOG_FILE="$LOG_DIR/postgres.log"
INSTALL_LOG="$LOG_DIR/postgres-install.log"
PORT_FILE="$RUN_DIR/postgres.port"
SUPERUSER=postgres

# The directory holding the server binaries, or nothing.
bin_dir() {
  if [[ -n "${POSTGRES_BIN_DIR:-}" ]]; then echo "$POSTGRES_BIN_DIR"; return; fi
  local newest
  newest=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)
  if [[ -n "$newest" ]]; then dirname "$newest"; return; fi
  command -v pg_config >/dev/null 2>&1 && pg_config --bindir
  return 0
}

installed() { local dir; dir=$(bin_dir); [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; }

server_version() { "$(bin_dir)/postgres" --version; }

cmd_install() {
  if installed; then
    log "$(server_version) already installed ($(bin_dir))"
    return 0
  fi
  log "installing postgresql with apt-get (log: $INSTALL_LOG)"
  : >"$INSTALL_LOG"
  if ! apt_install "$INSTALL_LOG" postgresql; then
    tail -n 30 "$INSTALL_LOG" >&2
    die "apt-get install postgresql failed (full log: $INSTALL_LOG)"
  fi
  installed || die "no PostgreSQL server binaries after apt-get install (set POSTGRES_BIN_DIR)"
  log "installed $(server_version)"
}

# as_owner COMMAND...: runs COMMAND as the owner of the cluster: the postgres user when we are
# root (PostgreSQL refuses to run as root), ourselves otherwise.
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    setpriv --reuid="$SUPERUSER" --regid="$SUPERUSER" --init-groups -- "$@"
  else
    "$@"
  fi
}

ctl() { as_owner "$(bin_dir)/pg_ctl" -D "$PG_DATA" "$@"; }

psql_admin() {
  as_owner "$(bin_dir)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$SUPERUSER" "$@"
}

# The cluster's folder: $DATA_DIR/postgres, unless we are root and the postgres user cannot reach
# it (a clone in a private home such as /root): then one of this clone's own in the postgres
# user's home, named after $DATA_DIR.
use_cluster_dir() {
  PG_DATA="$DATA_DIR/postgres"
  [[ $(id -u) == 0 ]] || return 0
  id "$SUPERUSER" >/dev/null 2>&1 || die "no '$SUPERUSER' user to own the cluster (the postgresql package creates it)"
  as_owner test -x "$DATA_DIR" && return 0
  PG_DATA="$(getent passwd "$SUPERUSER" | cut -d: -f6)/guichet-$(sha256sum <<<"$DATA_DIR" | cut -c1-12)"
}

# The cluster, once: UTF8 and the C locale as FerretDB requires; our settings file included.
init_cluster() {
  [[ -f "$PG_DATA/PG_VERSION" ]] && return 0
  [[ "$PG_DATA" == "$DATA_DIR/postgres" ]] ||
    log "the $SUPERUSER user cannot reach $DATA_DIR: the cluster goes to $PG_DATA"
  mkdir -p "$PG_DATA"
  [[ $(id -u) == 0 ]] && chown "$SUPERUSER:" "$PG_DATA"
  chmod 700 "$PG_DATA"
  log "creating the cluster in $PG_DATA"
  as_owner "$(bin_dir)/initdb" -D "$PG_DATA" -U "$SUPERUSER" --encoding=UTF8 --locale=C \
    --auth-host=trust --auth-local=trust >>"$LOG_FILE" 2>&1 || { tail -n 20 "$LOG_FILE" >&2; die "initdb failed"; }
  echo "include_if_exists = 'guichet.conf'" >>"$PG_DATA/postgresql.conf"
}

running() { ctl status >/dev/null 2>&1; }

# The role and database FerretDB uses, with pg_stat_statements, when missing; then the triggers
# that let FerretDB's tables use their indexes (postgres/ferretdb-indexes.sql, idempotent).
prepare_database() {
  local exists
  exists=$(psql_admin -d postgres -tA -c "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DB'")
  if [[ "$exists" != 1 ]]; then
    log "creating role and database $POSTGRES_DB"
    psql_admin -d postgres -c "CREATE ROLE \"$POSTGRES_DB\" LOGIN" \
      -c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_DB\" ENCODING 'UTF8' TEMPLATE template0"
    psql_admin -d "$POSTGRES_DB" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
  fi
  psql_admin -d "$POSTGRES_DB" <"$INDEXES_SQL" || die "could not apply $INDEXES_SQL"
}

cmd_start() {
  [[ "$POSTGRES_PORT" =~ ^[0-9]+$ ]] || die "invalid POSTGRES_PORT '$POSTGRES_PORT'"
  [[ "$POSTGRES_DB" =~ ^[a-z_][a-z0-9_]*$ ]] || die "POSTGRES_DB must be a plain lower-case name, not '$POSTGRES_DB'"
  cmd_install
  use_cluster_dir
  if running; then
    local running_port
    running_port=$(cat "$PORT_FILE" 2>/dev/null || echo '?')
    [[ "$running_port" == "$POSTGRES_PORT" ]] ||
      die "already running on port $running_port, not $POSTGRES_PORT: stop it first"
    log "already running (port $running_port)"
    prepare_database
    return 0
  fi
  if port_open 127.0.0.1 "$POSTGRES_PORT"; then
    die "port $POSTGRES_PORT on 127.0.0.1 is already taken by a process this script did not start; stop it or set POSTGRES_PORT"
  fi
  init_cluster
  install -m 644 "$PG_CONF" "$PG_DATA/guichet.conf"

  log "starting $(server_version) on 127.0.0.1:$POSTGRES_PORT (log: $LOG_FILE)"
  local started=$SECONDS
  printf '\n==== %s start\n' "$(date -Is)" >>"$LOG_FILE"
  # pg_ctl runs the server in its own session and waits (-w) until it accepts connections.
  if ! ctl start -w -t "$POSTGRES_START_TIMEOUT" -o "-p $POSTGRES_PORT" >>"$LOG_FILE" 2>&1 </dev/null; then
    tail -n 30 "$LOG_FILE" >&2
    ctl stop -m immediate >/dev/null 2>&1 || true
    die "PostgreSQL did not start within $POSTGRES_START_TIMEOUT s (log: $LOG_FILE)"
  fi
  echo "$POSTGRES_PORT" >"$PORT_FILE"
  prepare_database
  log "running after $((SECONDS - started)) s: postgres://$POSTGRES_DB@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB"
}

cmd_stop() {
  installed && use_cluster_dir
  if ! installed || ! running; then
    rm -f "$PORT_FILE"
    log "postgres: not running"
    return 0
  fi
  ctl stop -m fast -t 60 >>"$LOG_FILE" 2>&1 || die "pg_ctl stop failed (log: $LOG_FILE)"
  rm -f "$PORT_FILE"
  log "postgres: stopped"
}

cmd_status() {
  if installed && use_cluster_dir && running; then
    echo "postgres: running (pid $(head -n 1 "$PG_DATA/postmaster.pid"), port $(cat "$PORT_FILE" 2>/dev/null || echo '?'))"
    return 0
  fi
  echo "postgres: stopped"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
