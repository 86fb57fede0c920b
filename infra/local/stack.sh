#!/usr/bin/env bash
# The whole local stack, real servers without Docker: Kafka (KRaft), FerretDB on PostgreSQL (or
# on SQLite with GUICHET_STORE=sqlite), Redis.
#
# Usage: infra/local/stack.sh install | up | down | status
#   install  downloads and builds what is missing (Maven jars, FerretDB binary, redis-server, postgresql)
#   up       installs, then starts each server that is not running, and waits until each answers
#   down     stops what this script started (PostgreSQL too, whatever the store now chosen)
#   status   one line per server; exit 0 when all run
# GUICHET_STORE: FerretDB's storage, postgresql (default) or sqlite.
# Ports and folders: see infra/local/{kafka,ferretdb,postgres,redis}.sh; everything lives under .local/.
COMPONENT=stack
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$GUICHET_ROOT/infra/local"
case "$GUICHET_STORE" in
  sqlite) SERVERS=(redis ferretdb kafka) ;;
  postgresql) SERVERS=(redis postgres ferretdb kafka) ;; # PostgreSQL before the FerretDB on it
  *) die "GUICHET_STORE must be sqlite or postgresql, not '$GUICHET_STORE'" ;;
esac

case "${1:-}" in
  install)
    # Independent downloads and builds run side by side; apt-get installs one after the other.
    pids=()
    apt_servers=()
    for server in "${SERVERS[@]}"; do
      case "$server" in
        redis | postgres) apt_servers+=("$server") ;;
        *) "$HERE/$server.sh" install & pids+=($!) ;;
      esac
    done
    (for server in "${apt_servers[@]}"; do "$HERE/$server.sh" install || exit 1; done) & pids+=($!)
    for pid in "${pids[@]}"; do wait "$pid" || die "an install failed (see above)"; done
    ;;
  up)
    "$0" install
    for server in "${SERVERS[@]}"; do "$HERE/$server.sh" start; done
    log "up (store: FerretDB on $GUICHET_STORE): KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092} MONGODB_URI=mongodb://127.0.0.1:${FERRETDB_PORT:-27017}/<db> REDIS_URL=redis://127.0.0.1:${REDIS_PORT:-6379}"
    ;;
  down)
    for server in kafka ferretdb postgres redis; do "$HERE/$server.sh" stop; done
    ;;
  status)
    failed=0
    for server in "${SERVERS[@]}"; do "$HERE/$server.sh" status || failed=1; done
    exit "$failed"
    ;;
  *)
    sed -n '2,11p' "$0" >&2
    exit 2
    ;;
esac
