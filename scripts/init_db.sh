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

# DataStore full-text search folded for Vietnamese ("thu" finds "Thủ"): a text-search
# configuration of PostgreSQL's unaccent, made the database's default (CKAN's trigger and
# xloader index rows with the default configuration) and named in ckan.datastore.default_fts_lang
# (queries). The first time, tables loaded before are re-indexed (_full_text computed as CKAN's
# trigger does). Idempotent.
ensure_folded_full_text() {
  local dbname="$1" before
  psql_admin -d "$dbname" >/dev/null <<'SQL'
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'vietnamese_unaccent') THEN
    CREATE TEXT SEARCH CONFIGURATION public.vietnamese_unaccent (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION public.vietnamese_unaccent
      ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, pg_catalog.simple;
  END IF;
END $$;
SQL
  before="$(psql_admin -d "$dbname" -c "SHOW default_text_search_config")"
  [ "$before" = "public.vietnamese_unaccent" ] && return 0
  say "DataStore full-text search folded for Vietnamese in $dbname"
  psql_admin -d "$dbname" -c "ALTER DATABASE $dbname SET default_text_search_config = 'public.vietnamese_unaccent'"
  psql_admin -d "$dbname" >/dev/null <<'SQL'
DO $$ DECLARE t record; BEGIN
  FOR t IN SELECT c.table_schema, c.table_name FROM information_schema.columns c
           JOIN information_schema.tables s USING (table_schema, table_name)
           WHERE c.column_name = '_full_text' AND c.table_schema = 'public' AND s.table_type = 'BASE TABLE' LOOP
    EXECUTE format('UPDATE %I.%I AS r SET _full_text = (SELECT to_tsvector(string_agg(value, '' ''))'
                   ' FROM json_each_text(row_to_json(r.*)) WHERE key NOT LIKE ''\_%%'')', t.table_schema, t.table_name);
  END LOOP;
END $$;
SQL
}
ensure_folded_full_text "$datastore_db"

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
