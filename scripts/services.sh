#!/usr/bin/env bash
# Starts, stops and reports the supervised services.
#   services.sh start-backends   PostgreSQL, Redis and Solr (what CKAN needs to boot)
#   services.sh start-portal     CKAN web, jobs worker, harvest consumers and scheduler
#   services.sh stop             everything, gracefully; data stays in var/
#   services.sh status
source "$(dirname "$0")/lib.sh"

# Refuses to start when another program already holds one of our ports.
check_ports_free() {
  local name port
  for entry in "$@"; do
    name="${entry%%:*}" port="${entry##*:}"
    if port_open "$port"; then
      die "Port $port (needed for $name) is already taken by another program. Stop it, or choose another port, e.g. ${name^^}_PORT=$((port + 1)) make up."
    fi
  done
}

start_supervisor() {
  if supervisor_running; then
    sv reread >/dev/null
    sv update >/dev/null
    return 0
  fi
  check_ports_free postgresql:"$PG_PORT" redis:"$REDIS_PORT" solr:"$SOLR_PORT" ckan:"$CKAN_PORT"
  say "Starting supervisord ($SUPERVISOR_CONF)"
  rm -f "$VAR/run/supervisor.sock"
  supervisord -c "$SUPERVISOR_CONF" || { show_log_tail "$LOG_DIR/supervisord.log"; die "supervisord did not start"; }
  wait_for "supervisord" 20 "$LOG_DIR/supervisord.log" supervisor_running
}

ensure_started() {
  local program="$1" log_file="$2"
  local state
  state="$(sv status "$program" 2>/dev/null | awk '{print $2}' || true)"
  if [ "$state" != "RUNNING" ] && [ "$state" != "STARTING" ]; then
    sv start "$program" >/dev/null 2>&1 || true
  fi
  state="$(sv status "$program" 2>/dev/null | awk '{print $2}' || true)"
  if [ "$state" = "FATAL" ] || [ "$state" = "BACKOFF" ] || [ "$state" = "EXITED" ]; then
    show_log_tail "$log_file"
    die "$program would not start (state $state, log: $log_file)"
  fi
}

postgres_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
solr_ready() {
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping?wt=json" 2>/dev/null | grep -q '"status":"OK"' &&
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/ckan_test/admin/ping?wt=json" 2>/dev/null | grep -q '"status":"OK"'
}
ckan_ready() { curl -fsS "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" >/dev/null 2>&1; }

start_backends() {
  start_supervisor
  ensure_started postgresql "$LOG_DIR/postgresql.log"
  ensure_started redis "$LOG_DIR/redis.log"
  ensure_started solr "$LOG_DIR/solr.log"
  wait_for "PostgreSQL" 60 "$LOG_DIR/postgresql.log" postgres_ready
  wait_for "Redis" 30 "$LOG_DIR/redis.log" redis_ready
  wait_for "Solr" 120 "$LOG_DIR/solr.log" solr_ready
}

start_portal() {
  # Processes that run with an older configuration or older code of ours are restarted.
  local config_sum running_sum
  config_sum="$( { cat "$CKAN_INI" "$ROOT/scripts/harvest_scheduler.sh"; find "$ROOT/ckanext-binhduong" "$ROOT/schemas" "$ROOT/harvesters" "$ROOT/seed_datasets" \
      -type f \( -name '*.py' -o -name '*.yaml' -o -name '*.json' -o -name '*.html' -o -name '*.mo' \) -print0 \
      | sort -z | xargs -0 cat; } | sha256sum | cut -c1-16)"
  running_sum="$(cat "$VAR/run/portal-config.sum" 2>/dev/null || true)"
  if [ "$config_sum" != "$running_sum" ] && { sv status 'portal:*' 2>/dev/null || true; } | grep -q RUNNING; then
    say "Configuration or code changed: restarting the portal processes"
    sv stop portal:* >/dev/null || true
  fi
  # One call starts the whole group at once; each program is then checked for a failed start.
  sv start portal:* >/dev/null 2>&1 || true
  for program in ckan-web ckan-worker harvest-gather harvest-fetch harvest-scheduler; do
    ensure_started "portal:$program" "$LOG_DIR/$program.log"
  done
  wait_for "CKAN" 120 "$LOG_DIR/ckan-web.log" ckan_ready
  echo "$config_sum" > "$VAR/run/portal-config.sum"
}

stop_all() {
  if ! supervisor_running; then
    echo "Nothing is running (no supervisord for $VAR)."
    return 0
  fi
  say "Stopping the portal and its services (data stays in $VAR)"
  local pid
  pid="$(sv pid)"
  sv shutdown >/dev/null
  local deadline=$((SECONDS + 90))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && die "supervisord (pid $pid) did not stop within 90s"
    sleep 0.5
  done
  echo "Stopped."
}

# Unexpected exits of each program since supervisord started (each was followed by an
# automatic restart, see config/supervisord.conf.template).
restarts() {
  local log="$LOG_DIR/supervisord.log" started
  [ -f "$log" ] || return 0
  started="$(grep -n 'supervisord started with pid' "$log" | tail -1 | cut -d: -f1)"
  echo
  echo "Automatic restarts since supervisord started (autorestart = true):"
  tail -n +"${started:-1}" "$log" | { grep -E 'exited: .*not expected' || true; } | sed -E 's/.*exited: ([^ ]+).*/\1/' |
    sort | uniq -c | awk '{printf "  %-20s %d\n", $2, $1} END {if (NR == 0) print "  none"}'
}

status() {
  if ! supervisor_running; then
    echo "Nothing is running (no supervisord for $VAR). Start with: make up"
    return 0
  fi
  sv status || true
  restarts
  cat <<STATUS

Ports (all on 127.0.0.1):
  portal (CKAN, gunicorn)  http://127.0.0.1:$CKAN_PORT/
  Solr 9                   http://127.0.0.1:$SOLR_PORT/solr/  (cores: ckan, ckan_test)
  PostgreSQL $PG_VERSION            127.0.0.1:$PG_PORT  (databases: $CKAN_DB, $DATASTORE_DB, $CKAN_TEST_DB, $DATASTORE_TEST_DB)
  Redis                    127.0.0.1:$REDIS_PORT  (db 0 portal, db 1 tests)
Logs: $LOG_DIR/<program>.log  (supervisord.log, postgresql.log, redis.log, solr.log,
      ckan-web.log, ckan-access.log, ckan-worker.log, harvest-gather.log, harvest-fetch.log,
      harvest-scheduler.log)
STATUS
}

case "${1:-}" in
  start-backends) start_backends ;;
  start-portal) start_portal ;;
  stop) stop_all ;;
  status) status ;;
  *) die "usage: services.sh start-backends|start-portal|stop|status" ;;
esac
