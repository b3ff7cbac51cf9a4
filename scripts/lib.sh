# Shared settings and helpers of the set-up scripts. Sourced, never run.
# Every path the set-up writes is under var/ (git-ignored). Ports can be overridden by
# environment variables of the same name.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${BD_VAR:-$ROOT/var}"
VENV="$VAR/venv"
LOG_DIR="$VAR/log"
SECRETS_DIR="$VAR/secrets"
STAMPS="$VAR/stamps"
CKAN_INI="$VAR/ckan.ini"
TEST_INI="$VAR/test.ini"
SUPERVISOR_CONF="$VAR/supervisord.conf"
PG_VERSION="${BD_PG_VERSION:-15}"
PG_BIN="/usr/lib/postgresql/$PG_VERSION/bin"
# The cluster lives in var/postgres unless the 'postgres' user cannot reach var/; then
# configure.sh picks a folder under /var/lib/postgresql and records it here.
PG_LOCATION_FILE="$VAR/postgres-location"
PG_BASE="$(cat "$PG_LOCATION_FILE" 2>/dev/null || echo "$VAR/postgres")"
PG_DATA="$PG_BASE/data"
PG_RUN="$PG_BASE/run"

CKAN_PORT="${CKAN_PORT:-5000}"
SOLR_PORT="${SOLR_PORT:-8983}"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
HARVEST_INTERVAL="${HARVEST_INTERVAL:-300}"
SYSADMIN_NAME="${SYSADMIN_NAME:-quantri}"

CKAN_DB=ckan
DATASTORE_DB=datastore
CKAN_TEST_DB=ckan_test
DATASTORE_TEST_DB=datastore_test

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\033[33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Prints the last lines of a log so a failed start explains itself.
show_log_tail() {
  local log_file="$1"
  if [ -f "$log_file" ]; then
    echo "--- last lines of $log_file ---" >&2
    tail -n "${2:-25}" "$log_file" >&2
    echo "---" >&2
  else
    echo "(no log at $log_file)" >&2
  fi
}

port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Waits until a command succeeds; on timeout prints the service's log and fails.
wait_for() {
  local what="$1" seconds="$2" log_file="$3"; shift 3
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      show_log_tail "$log_file"
      die "$what did not become ready within ${seconds}s (log: $log_file)"
    fi
    sleep 0.5
  done
}

supervisor_running() {
  [ -S "$VAR/run/supervisor.sock" ] && supervisorctl -c "$SUPERVISOR_CONF" pid >/dev/null 2>&1
}

sv() { supervisorctl -c "$SUPERVISOR_CONF" "$@"; }

ckan_cli() { "$VENV/bin/ckan" -c "$CKAN_INI" "$@"; }

load_secrets() {
  # shellcheck disable=SC1091
  [ -f "$SECRETS_DIR/secrets.env" ] && . "$SECRETS_DIR/secrets.env"
  return 0
}

psql_admin() {
  PGPASSWORD="$PG_SUPERUSER_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"
}
