#!/usr/bin/env bash
# The whole local stack, real servers without Docker: Kafka (KRaft), FerretDB (SQLite), Redis.
#
# Usage: infra/local/stack.sh install | up | down | status
#   install  downloads and builds what is missing (Maven jars, FerretDB binary, redis-server)
#   up       installs, then starts each server that is not running, and waits until each answers
#   down     stops what this script started
#   status   one line per server; exit 0 when all run
# Ports and folders: see infra/local/{kafka,ferretdb,redis}.sh; everything lives under .local/.
COMPONENT=stack
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$GUICHET_ROOT/infra/local"
SERVERS=(redis ferretdb kafka)

case "${1:-}" in
  install)
    # Independent downloads and builds run side by side.
    pids=()
    for server in "${SERVERS[@]}"; do "$HERE/$server.sh" install & pids+=($!); done
    for pid in "${pids[@]}"; do wait "$pid" || die "an install failed (see above)"; done
    ;;
  up)
    "$0" install
    for server in "${SERVERS[@]}"; do "$HERE/$server.sh" start; done
    log "up: KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-9092} MONGODB_URI=mongodb://127.0.0.1:${FERRETDB_PORT:-27017}/<db> REDIS_URL=redis://127.0.0.1:${REDIS_PORT:-6379}"
    ;;
  down)
    for server in kafka ferretdb redis; do "$HERE/$server.sh" stop; done
    ;;
  status)
    failed=0
    for server in "${SERVERS[@]}"; do "$HERE/$server.sh" status || failed=1; done
    exit "$failed"
    ;;
  *)
    sed -n '2,10p' "$0" >&2
    exit 2
    ;;
esac
