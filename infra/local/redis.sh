#!/usr/bin/env bash
# Redis (for BullMQ) for the local stack and tests: Debian's redis-server, run by us on 127.0.0.1
# without persistence.
#
#   infra/local/redis.sh install | start | stop | status
#
# install  apt-get installs redis-server (with redis-cli) when they are not on PATH. The Debian
#          package's own service is kept from starting (policy-rc.d), or stopped if it started
#          anyway, so that it does not hold the port.
# start    if something already answers PING on 127.0.0.1:$REDIS_PORT, reuses it and says so;
#          otherwise runs redis-server in the background (pid file $RUN_DIR/redis.pid, log
#          $LOG_DIR/redis.log, dir $DATA_DIR/redis, no RDB/AOF, maxmemory-policy noeviction) and
#          waits for PONG.
# stop     stops the instance this script started, never another one.
# status   running or stopped; exit 0 when running (ours, or a reused one), 3 when stopped.
#
# Environment:
#   REDIS_PORT           TCP port on 127.0.0.1 (default 6379)
#   REDIS_START_TIMEOUT  seconds to wait for PONG (default 30)
COMPONENT=redis
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
PID_FILE="$RUN_DIR/redis.pid"
PORT_FILE="$RUN_DIR/redis.port"
LOG_FILE="$LOG_DIR/redis.log"
INSTALL_LOG="$LOG_DIR/redis-install.log"
DEBIAN_PID_FILE=/run/redis/redis-server.pid

# pong PORT: true when a Redis on 127.0.0.1:PORT answers PING.
pong() { [[ "$(timeout 3 redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]; }

debian_service_alive() { [[ -f "$DEBIAN_PID_FILE" ]] && kill -0 "$(cat "$DEBIAN_PID_FILE")" 2>/dev/null; }

cmd_install() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    log "$(redis-server --version | cut -d' ' -f1-3) already installed"
    return 0
  fi
  log "installing redis-server with apt-get (log: $INSTALL_LOG)"
  : >"$INSTALL_LOG"
  local service_was_alive=
  debian_service_alive && service_was_alive=1
  if ! apt_install "$INSTALL_LOG" redis-server; then
    tail -n 30 "$INSTALL_LOG" >&2
    die "apt-get install redis-server failed (full log: $INSTALL_LOG)"
  fi

  # If the package's service started all the same during this install, stop it: it would hold
  # 6379 with the Debian configuration (persistence on).
  if [[ -z "$service_was_alive" ]] && debian_service_alive; then
    log "stopping the redis-server service that the package started"
    /etc/init.d/redis-server stop >>"$INSTALL_LOG" 2>&1 || kill "$(cat "$DEBIAN_PID_FILE")" 2>/dev/null || true
  fi
  command -v redis-server >/dev/null 2>&1 || die "redis-server still not on PATH after apt-get install"
  log "installed $(redis-server --version | cut -d' ' -f1-3)"
}

cmd_start() {
  cmd_install
  already_running redis redis-server "$REDIS_PORT" && return 0
  if pong "$REDIS_PORT"; then
    log "a Redis not started by this script already answers PING on 127.0.0.1:$REDIS_PORT: reusing it"
    return 0
  fi
  if port_open 127.0.0.1 "$REDIS_PORT"; then
    die "port $REDIS_PORT on 127.0.0.1 is taken by something that does not answer Redis PING; stop it or set REDIS_PORT"
  fi

  mkdir -p "$DATA_DIR/redis"
  log "starting redis-server on 127.0.0.1:$REDIS_PORT (log: $LOG_FILE)"
  # No config file: built-in defaults plus these; our own background process (not --daemonize).
  launch redis "$REDIS_PORT" "$REDIS_START_TIMEOUT" ready "redis://127.0.0.1:$REDIS_PORT" -- \
    redis-server \
    --bind 127.0.0.1 --port "$REDIS_PORT" \
    --save '' --appendonly no \
    --maxmemory-policy noeviction \
    --dir "$DATA_DIR/redis" \
    --logfile "$LOG_FILE" \
    --pidfile "$PID_FILE" \
    --daemonize no
}

# ready: true once our redis answers PONG; aborts the script if it has died.
ready() {
  if ! pid_alive redis; then
    tail -n 20 "$LOG_FILE" >&2 || true
    die "redis-server exited during start-up (log: $LOG_FILE)"
  fi
  pong "$REDIS_PORT"
}

cmd_stop() {
  ours redis redis-server || true # drops a stale pid file that names someone else's process
  if [[ ! -f "$PID_FILE" ]] && command -v redis-cli >/dev/null 2>&1 && pong "$REDIS_PORT"; then
    log "the Redis on 127.0.0.1:$REDIS_PORT was not started by this script: leaving it running"
  fi
  stop_pid redis
  rm -f "$PORT_FILE"
}

cmd_status() {
  if ours redis redis-server; then
    echo "redis: running (pid $(cat "$PID_FILE"), port $(cat "$PORT_FILE" 2>/dev/null || echo '?'))"
    return 0
  fi
  if command -v redis-cli >/dev/null 2>&1 && pong "$REDIS_PORT"; then
    echo "redis: running (not started by this script, port $REDIS_PORT)"
    return 0
  fi
  echo "redis: stopped"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
