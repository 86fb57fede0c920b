#!/usr/bin/env bash
# Local Apache Kafka: one KRaft node (broker + controller) on 127.0.0.1, from Maven Central jars.
#
#   infra/local/kafka.sh install   resolve the broker's jars into .local/cache/kafka/libs (cached)
#   infra/local/kafka.sh start     install, format the storage once, start, wait until ready
#   infra/local/kafka.sh stop      stop gracefully (TERM, KILL after 20 s)
#   infra/local/kafka.sh status    print running/stopped; exit 0 when running, 3 when stopped
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (512m),
# KAFKA_VERSION (4.4.0), KAFKA_START_TIMEOUT (90 s), KAFKA_OPTS (extra JVM options),
# JAVA_HOME (else `java` on PATH; Java 17+).
# Files: data in .local/data/kafka, log in .local/logs/kafka.log, pid in .local/run/kafka.pid.
# shellcheck disable=SC2034  # read by lib.sh's log()
COMPONENT=kafka
# shellcheck source=infra/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"

KAFKA_DEF_DIR="$GUICHET_ROOT/infra/local/kafka"   # pom.xml, server.properties.template, log4j2.properties
KAFKA_LIBS="$(cd "$CACHE_DIR" && pwd)/kafka/libs"
KAFKA_MARKER="$KAFKA_LIBS/.installed"
KAFKA_STORAGE="$DATA_DIR/kafka/kraft"             # log.dirs (metadata and topic data)
KAFKA_CONFIG="$RUN_DIR/kafka.properties"          # rendered at every start
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_INSTALL_LOG="$LOG_DIR/kafka-install.log"
KAFKA_PID_FILE="$RUN_DIR/kafka.pid"
# The broker logs this line once it serves clients ("[KafkaRaftServer nodeId=1] Kafka Server started").
KAFKA_READY_LINE="Kafka Server started"

usage() { echo "usage: $0 install|start|stop|status" >&2; exit 2; }

# What the installed jars were made from: a change of version or of the POM reinstalls.
install_stamp() {
  echo "kafka_2.13=$KAFKA_VERSION pom-sha256=$(sha256sum "$KAFKA_DEF_DIR/pom.xml" | cut -d' ' -f1)"
}

cmd_install() {
  local stamp tmp
  stamp=$(install_stamp)
  if [[ -f "$KAFKA_MARKER" && "$(<"$KAFKA_MARKER")" == "$stamp" ]]; then
    log "Kafka $KAFKA_VERSION already installed ($KAFKA_LIBS)"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: Maven is needed to install Kafka's jars"
  tmp="$KAFKA_LIBS.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$(dirname "$KAFKA_LIBS")"
  log "installing Kafka $KAFKA_VERSION jars (Maven log: $KAFKA_INSTALL_LOG)"
  local started=$SECONDS
  if ! mvn -B -ntp -f "$KAFKA_DEF_DIR/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -Dkafka.libs.dir="$tmp" >"$KAFKA_INSTALL_LOG" 2>&1; then
    tail -n 40 "$KAFKA_INSTALL_LOG" >&2
    rm -rf "$tmp"
    die "Maven could not resolve Kafka $KAFKA_VERSION (full log: $KAFKA_INSTALL_LOG)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after Maven"; }
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  printf '%s\n' "$stamp" >"$KAFKA_MARKER"
  log "installed $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in $((SECONDS - started)) s"
}

# Prints the java binary to use: $JAVA_HOME/bin/java, else java on PATH; must be 17 or newer.
find_java() {
  local java version major
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then java="$JAVA_HOME/bin/java"
  else java=$(command -v java) || die "java not found (set JAVA_HOME or put java 17+ on PATH)"; fi
  version=$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  major=${version%%[.+-]*}
  [[ "$major" == 1 ]] && major=$(cut -d. -f2 <<<"$version")
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "$java is version '$version'; Kafka 4 needs Java 17+"
  echo "$java"
}

render_config() {
  local text
  text=$(<"$KAFKA_DEF_DIR/server.properties.template")
  text=${text//@KAFKA_PORT@/"$KAFKA_PORT"}
  text=${text//@KAFKA_CONTROLLER_PORT@/"$KAFKA_CONTROLLER_PORT"}
  text=${text//@KAFKA_LOG_DIRS@/"$KAFKA_STORAGE"}
  if grep -v '^#' <<<"$text" | grep -q '@[A-Z_]*@'; then die "unreplaced placeholder in server.properties.template"; fi
  printf '%s\n' "$text" >"$KAFKA_CONFIG"
}

# Formats the storage the first time only; later starts reuse it (and skip the extra JVM run).
format_storage_once() {
  local java=$1 cluster_id
  [[ -f "$KAFKA_STORAGE/meta.properties" ]] && return 0
  mkdir -p "$KAFKA_STORAGE"
  cluster_id=$("$java" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG" | tail -n 1)
  [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "StorageTool random-uuid printed '$cluster_id' (see $KAFKA_LOG)"
  log "formatting storage $KAFKA_STORAGE (cluster id $cluster_id)"
  if ! "$java" -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$KAFKA_DEF_DIR/log4j2.properties" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" --ignore-formatted \
      >>"$KAFKA_LOG" 2>&1; then
    tail -n 30 "$KAFKA_LOG" >&2
    die "formatting the storage failed"
  fi
}

START_LOG_OFFSET=0

# Log lines written since this start.
log_since_start() { tail -c +"$((START_LOG_OFFSET + 1))" "$KAFKA_LOG" 2>/dev/null || true; }

fail_start() {
  log_since_start | tail -n 40 >&2
  [[ -f "$KAFKA_PID_FILE" ]] && stop_pid kafka
  die "$1 (full log: $KAFKA_LOG)"
}

# Ready = the process is alive, it logged that the server started, and the port accepts connections.
kafka_ready() {
  pid_alive kafka || fail_start "Kafka exited during startup"
  log_since_start | grep -F "$KAFKA_READY_LINE" >/dev/null && port_open 127.0.0.1 "$KAFKA_PORT"
}

cmd_start() {
  local java port launcher
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    [[ "$port" =~ ^[0-9]+$ ]] || die "invalid port '$port' (KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done
  if pid_alive kafka; then
    if port_open 127.0.0.1 "$KAFKA_PORT"; then
      log "already running (pid $(<"$KAFKA_PID_FILE")) on 127.0.0.1:$KAFKA_PORT"
      return 0
    fi
    die "Kafka (pid $(<"$KAFKA_PID_FILE")) is alive but not listening on 127.0.0.1:$KAFKA_PORT: still starting, or started with other ports; see $KAFKA_LOG or run '$0 stop'"
  fi
  rm -f "$KAFKA_PID_FILE"
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open 127.0.0.1 "$port"; then
      die "port 127.0.0.1:$port is already in use by another process (not ours: no live $KAFKA_PID_FILE); free it or set KAFKA_PORT / KAFKA_CONTROLLER_PORT"
    fi
  done

  cmd_install
  java=$(find_java)
  render_config
  START_LOG_OFFSET=$(stat -c %s "$KAFKA_LOG" 2>/dev/null || echo 0)
  format_storage_once "$java"

  local -a jvm_opts=(
    "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$KAFKA_DEF_DIR/log4j2.properties"
  )
  # shellcheck disable=SC2206  # KAFKA_OPTS is a whitespace-separated list of JVM options
  [[ -n "${KAFKA_OPTS:-}" ]] && jvm_opts+=(${KAFKA_OPTS})

  printf '\n===== %s kafka.sh start: Kafka %s on 127.0.0.1:%s (controller %s) =====\n' \
    "$(date '+%F %T')" "$KAFKA_VERSION" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" >>"$KAFKA_LOG"
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (log: $KAFKA_LOG)"
  local started=$SECONDS
  # Own session, immune to hangups; the inner shell records its pid, then becomes the JVM.
  # shellcheck disable=SC2016  # $$ and $0 are the inner shell's
  setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PID_FILE" \
    "$java" "${jvm_opts[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_CONFIG" \
    >>"$KAFKA_LOG" 2>&1 </dev/null &
  launcher=$!
  for _ in $(seq 1 50); do [[ -s "$KAFKA_PID_FILE" ]] && break; sleep 0.1; done
  [[ -s "$KAFKA_PID_FILE" ]] || { kill "$launcher" 2>/dev/null || true; fail_start "Kafka did not start"; }

  wait_until "$KAFKA_START_TIMEOUT" "kafka on 127.0.0.1:$KAFKA_PORT" kafka_ready \
    || fail_start "Kafka not ready after ${KAFKA_START_TIMEOUT} s"
  log "started in $((SECONDS - started)) s (pid $(<"$KAFKA_PID_FILE"))"
}

cmd_stop() { stop_pid kafka; }

cmd_status() {
  if pid_alive kafka; then
    if port_open 127.0.0.1 "$KAFKA_PORT"; then
      echo "kafka: running (pid $(<"$KAFKA_PID_FILE"), 127.0.0.1:$KAFKA_PORT)"
    else
      echo "kafka: running (pid $(<"$KAFKA_PID_FILE")), not listening on 127.0.0.1:$KAFKA_PORT"
    fi
    return 0
  fi
  rm -f "$KAFKA_PID_FILE"
  echo "kafka: stopped"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) usage ;;
esac
