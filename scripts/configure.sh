#!/usr/bin/env bash
# Generates this machine's secrets (once), renders ckan.ini, test.ini and supervisord.conf
# into var/, lays out the Solr home (CKAN's own schema.xml) and creates the PostgreSQL
# cluster's data folder on first run.
source "$(dirname "$0")/lib.sh"

random_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

generate_secrets() {
  mkdir -p "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  [ -f "$SECRETS_DIR/secrets.env" ] && return 0
  say "Generating local secrets in $SECRETS_DIR (never committed)"
  umask 077
  cat > "$SECRETS_DIR/secrets.env" <<SECRETS
SECRET_KEY=$(random_secret)
JWT_SECRET=$(random_secret)
PG_PASSWORD=$(random_secret)
PG_SUPERUSER_PASSWORD=$(random_secret)
SECRETS
}

render_configs() {
  load_secrets
  export ROOT VAR VENV LOG_DIR CKAN_INI PG_BIN PG_DATA PG_RUN CKAN_PORT SOLR_PORT PG_PORT REDIS_PORT \
         HARVEST_INTERVAL SECRET_KEY JWT_SECRET PG_PASSWORD
  export JAVA="$(command -v java)"
  export SOLR_CLASSPATH="$VAR/solr/lib/*:$VAR/solr/classes"
  export XLOADER_TOKEN="$(cat "$SECRETS_DIR/xloader-token" 2>/dev/null || echo not-yet-created)"
  export EXTRA_SETTINGS=""
  mkdir -p "$VAR/run" "$VAR/redis" "$LOG_DIR/solr" "$VAR/filestore" "$VAR/test-filestore"

  local harvest_credentials=""
  [ -f "$SECRETS_DIR/harvest-credentials" ] && harvest_credentials="$(tr -s '\n' ' ' < "$SECRETS_DIR/harvest-credentials")"
  CKAN_DB=$CKAN_DB DATASTORE_DB=$DATASTORE_DB SOLR_CORE=ckan REDIS_DB=0 HARVEST_CREDENTIALS="$harvest_credentials" \
    STORAGE_PATH="$VAR/filestore" python3 "$ROOT/scripts/render.py" "$ROOT/config/ckan.ini.template" "$CKAN_INI"
  # The test configuration is the same template on separate databases, Solr core, Redis
  # database and file store, so test fixtures that wipe data never touch the portal's.
  CKAN_DB=$CKAN_TEST_DB DATASTORE_DB=$DATASTORE_TEST_DB SOLR_CORE=ckan_test REDIS_DB=1 HARVEST_CREDENTIALS="" \
    STORAGE_PATH="$VAR/test-filestore" python3 "$ROOT/scripts/render.py" "$ROOT/config/ckan.ini.template" "$TEST_INI"
  python3 "$ROOT/scripts/render.py" "$ROOT/config/supervisord.conf.template" "$SUPERVISOR_CONF"
}

layout_solr_home() {
  local home="$VAR/solr/home" schema
  schema="$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config/solr/schema.xml"))')"
  [ -f "$schema" ] || die "CKAN's Solr schema not found at $schema"
  mkdir -p "$home"
  cp "$ROOT/config/solr/solr.xml" "$home/solr.xml"
  for core in ckan ckan_test; do
    layout_solr_core "$home/$core" "$schema"
    [ -f "$home/$core/core.properties" ] || printf 'name=%s\n' "$core" > "$home/$core/core.properties"
  done
}

# One core's conf: CKAN's schema.xml with our Vietnamese fields and synonyms
# (config/solr/build_schema.py), our solrconfig.xml. When any of it changed, the core is marked
# (conf/.reload-needed): scripts/solr_cores.sh reloads it in the running Solr and re-indexes
# the portal's core. bench/bench_env.sh lays out its core the same way.
layout_solr_core() {
  local dir="$1" schema="$2" before after
  mkdir -p "$dir/conf"
  # A new core has no conf files yet (cat fails; pipefail would end the set-up).
  before="$( { cat "$dir/conf/"*.xml "$dir/conf/"*.txt 2>/dev/null || true; } | sha256sum)"
  "$VENV/bin/python" "$ROOT/config/solr/build_schema.py" "$schema" "$ROOT/config/solr/synonyms-vi.txt" "$dir/conf" \
    || die "building the Solr schema for $dir failed"
  cmp -s "$ROOT/config/solr/solrconfig.xml" "$dir/conf/solrconfig.xml" || cp "$ROOT/config/solr/solrconfig.xml" "$dir/conf/solrconfig.xml"
  [ -f "$dir/conf/synonyms.txt" ] || : > "$dir/conf/synonyms.txt"
  [ -f "$dir/conf/protwords.txt" ] || : > "$dir/conf/protwords.txt"
  after="$( { cat "$dir/conf/"*.xml "$dir/conf/"*.txt 2>/dev/null || true; } | sha256sum)"
  [ "$before" = "$after" ] || touch "$dir/conf/.reload-needed"
}

init_postgres_cluster() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  # The server runs as the 'postgres' user, which must be able to reach its data folder.
  if ! runuser -u postgres -- test -x "$VAR"; then
    PG_BASE="/var/lib/postgresql/binhduong-$(printf '%s' "$VAR" | sha256sum | cut -c1-12)"
    warn "the postgres user cannot enter $VAR; the database cluster goes to $PG_BASE"
    echo "$PG_BASE" > "$PG_LOCATION_FILE"
    PG_DATA="$PG_BASE/data" PG_RUN="$PG_BASE/run"
  fi
  say "Creating the PostgreSQL $PG_VERSION cluster in $PG_DATA"
  load_secrets
  mkdir -p "$PG_DATA" "$PG_RUN"
  chown postgres:postgres "$PG_BASE" "$PG_DATA" "$PG_RUN"
  chmod 700 "$PG_DATA"
  local password_file
  password_file="$(mktemp)"
  printf '%s\n' "$PG_SUPERUSER_PASSWORD" > "$password_file"
  chown postgres "$password_file"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --pwfile="$password_file" \
      --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/initdb.log" 2>&1 \
    || { rm -f "$password_file"; show_log_tail "$LOG_DIR/initdb.log"; die "initdb failed"; }
  rm -f "$password_file"
  cat >> "$PG_DATA/postgresql.conf" <<PGCONF
# Bình Dương portal (address, port and socket folder come from supervisord.conf).
max_connections = 200
shared_buffers = 256MB
fsync = on
PGCONF
}

# Translation sources (i18n/src/vi/*.po) are merged into our plugin's one catalogue by
# scripts/compile_translations.py, which the Docker image runs too. Nothing compiled is
# committed.
compile_translations() {
  "$VENV/bin/python" "$ROOT/scripts/compile_translations.py" --root "$ROOT" >"$LOG_DIR/translations.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/translations.log"; die "Compiling translations failed"; }
}

mkdir -p "$VAR" "$LOG_DIR"
compile_translations
generate_secrets
init_postgres_cluster
render_configs
layout_solr_home
