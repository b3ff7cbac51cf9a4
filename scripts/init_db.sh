#!/usr/bin/env bash
# Creates the roles and databases (portal and tests), runs CKAN's and the plugins'
# migrations, sets the DataStore permissions, and creates the local sysadmin and the
# xloader API token on first run. Re-running changes nothing.
#   init_db.sh portal | test
source "$(dirname "$0")/lib.sh"
load_secrets

target="${1:-portal}"
case "$target" in
  portal) ini="$CKAN_INI" db="$CKAN_DB" datastore_db="$DATASTORE_DB" ;;
  test) ini="$TEST_INI" db="$CKAN_TEST_DB" datastore_db="$DATASTORE_TEST_DB" ;;
  *) die "usage: init_db.sh portal|test" ;;
esac

ensure_role() {
  local role="$1"
  if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$role'")" ]; then
    psql_admin -d postgres -c "CREATE ROLE $role LOGIN PASSWORD '$PG_PASSWORD'"
  fi
}

ensure_database() {
  local name="$1" owner="$2"
  if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    say "Creating database $name"
    psql_admin -d postgres -c "CREATE DATABASE $name OWNER $owner ENCODING 'UTF8' TEMPLATE template0"
  fi
}

ensure_role ckan_default
ensure_role datastore_default
ensure_database "$db" ckan_default
ensure_database "$datastore_db" ckan_default

# Migrations run only when CKAN, the plugin set or our migration scripts changed.
migration_inputs="$( { cat "$ROOT/constraints.txt"; grep '^ckan.plugins' "$ini";
  if [ -d "$ROOT/ckanext-binhduong/ckanext/binhduong/migration" ]; then
    find "$ROOT/ckanext-binhduong/ckanext/binhduong/migration" -type f -name '*.py' -exec cat {} +; fi; } | sha256sum | cut -c1-16)"
stamp="$STAMPS/migrated-$db"
has_tables="$(psql_admin -d "$db" -c "SELECT 1 FROM information_schema.tables WHERE table_name = 'package'")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$migration_inputs" ] || [ -z "$has_tables" ]; then
  say "Migrating database $db (CKAN core and plugins)"
  "$VENV/bin/ckan" -c "$ini" db init >"$LOG_DIR/db-init-$target.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/db-init-$target.log"; die "ckan db init failed for $db"; }
  "$VENV/bin/ckan" -c "$ini" datastore set-permissions 2>>"$LOG_DIR/db-init-$target.log" \
    | psql_admin -d "$datastore_db" >>"$LOG_DIR/db-init-$target.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/db-init-$target.log"; die "DataStore permissions failed for $datastore_db"; }
  mkdir -p "$STAMPS"
  echo "$migration_inputs" > "$stamp"
fi

[ "$target" = portal ] || exit 0

# The local sysadmin: its password is generated here once and kept in var/secrets/.
password_file="$SECRETS_DIR/sysadmin-password.txt"
if [ -z "$(psql_admin -d "$db" -c "SELECT 1 FROM \"user\" WHERE name = '$SYSADMIN_NAME' AND state = 'active' AND sysadmin")" ]; then
  say "Creating the sysadmin account '$SYSADMIN_NAME'"
  [ -f "$password_file" ] || (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$password_file")
  ckan_cli user add "$SYSADMIN_NAME" email="$SYSADMIN_NAME@localhost.invalid" \
      password="$(cat "$password_file")" fullname="Quản trị hệ thống" >"$LOG_DIR/sysadmin.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/sysadmin.log"; die "Creating the sysadmin failed"; }
  ckan_cli sysadmin add "$SYSADMIN_NAME" >>"$LOG_DIR/sysadmin.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/sysadmin.log"; die "Granting sysadmin failed"; }
  rm -f "$SECRETS_DIR/xloader-token"
fi

# xloader calls the API back as the sysadmin with this token.
if [ ! -s "$SECRETS_DIR/xloader-token" ]; then
  say "Creating the xloader API token"
  token="$(ckan_cli user token add "$SYSADMIN_NAME" xloader 2>>"$LOG_DIR/sysadmin.log" | tail -n 1 | tr -d '[:space:]')"
  [ -n "$token" ] || die "Creating the xloader API token failed (log: $LOG_DIR/sysadmin.log)"
  (umask 077; echo "$token" > "$SECRETS_DIR/xloader-token")
fi
