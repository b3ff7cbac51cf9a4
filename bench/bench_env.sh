#!/usr/bin/env bash
# The benchmarks' own environment, apart from the portal's and the tests': databases
# ckan_bench and datastore_bench, Solr core ckan_bench, Redis database 2, file store
# var/bench-filestore, configured by var/bench.ini (var/test.ini with those names swapped).
# A benchmark can then hold 10,000 datasets for minutes without blocking a test run.
# Re-running changes nothing; the services must be running (make up).
#   bench/bench_env.sh            set up (idempotent) and print the ini path
#   bench/bench_env.sh scale      another environment of the same kind, named: databases
#                                 ckan_scale/datastore_scale, core ckan_scale, Redis db 3,
#                                 var/scale.ini, var/scale-filestore (the 100,000-dataset
#                                 catalogue of bench/README.md, section "Scale")
source "$(dirname "$0")/../scripts/lib.sh"
load_secrets

NAME="${1:-bench}"
case "$NAME" in
  bench) BENCH_REDIS_DB=2 ;;
  scale) BENCH_REDIS_DB=3 ;;
  *) die "unknown benchmark environment '$NAME' (bench or scale)" ;;
esac
BENCH_INI="$VAR/$NAME.ini"
BENCH_DB="ckan_$NAME"
BENCH_DATASTORE_DB="datastore_$NAME"
BENCH_CORE="ckan_$NAME"

[ -f "$TEST_INI" ] || die "$TEST_INI is missing: run make up first"
port_open "$SOLR_PORT" || die "Solr is not running on port $SOLR_PORT: run make up first"

# The ini: the test configuration on the bench's databases, core, Redis db and file store.
mkdir -p "$VAR/$NAME-filestore"
sed -e "s#/$CKAN_TEST_DB\$#/$BENCH_DB#" \
    -e "s#/$DATASTORE_TEST_DB\$#/$BENCH_DATASTORE_DB#" \
    -e "s#/solr/ckan_test\$#/solr/$BENCH_CORE#" \
    -e "s#^\(ckan.redis.url = redis://[^/]*\)/[0-9]*#\1/$BENCH_REDIS_DB#" \
    -e "s#^ckan.storage_path = .*#ckan.storage_path = $VAR/$NAME-filestore#" \
    "$TEST_INI" > "$BENCH_INI.tmp"
chmod 600 "$BENCH_INI.tmp"
mv "$BENCH_INI.tmp" "$BENCH_INI"
grep -q "/$BENCH_DB\$" "$BENCH_INI" && grep -q "/solr/$BENCH_CORE\$" "$BENCH_INI" \
  || die "could not derive $BENCH_INI from $TEST_INI"

# Databases (owned like the test ones), then CKAN's and the plugins' migrations.
for db in "$BENCH_DB" "$BENCH_DATASTORE_DB"; do
  if [ -z "$(psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    say "Creating database $db"
    psql_admin -d postgres -c "CREATE DATABASE $db OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0"
  fi
done
"$VENV/bin/ckan" -c "$BENCH_INI" db init >"$LOG_DIR/db-init-$NAME.log" 2>&1 \
  || { show_log_tail "$LOG_DIR/db-init-$NAME.log"; die "ckan db init failed for $BENCH_DB"; }
# The DataStore's read-only role and functions, as scripts/init_db.sh sets them for the others.
"$VENV/bin/ckan" -c "$BENCH_INI" datastore set-permissions 2>>"$LOG_DIR/db-init-$NAME.log" \
  | psql_admin -d "$BENCH_DATASTORE_DB" >>"$LOG_DIR/db-init-$NAME.log" 2>&1 \
  || { show_log_tail "$LOG_DIR/db-init-$NAME.log"; die "DataStore permissions failed for $BENCH_DATASTORE_DB"; }

# The Solr core: the test core's configuration (CKAN's schema), registered with the running
# Solr through the CoreAdmin API; its core.properties makes Solr find it again on restart.
home="$VAR/solr/home"
if [ ! -f "$home/$BENCH_CORE/core.properties" ]; then
  say "Creating Solr core $BENCH_CORE"
  mkdir -p "$home/$BENCH_CORE"
  rm -rf "$home/$BENCH_CORE/conf"
  cp -r "$home/ckan_test/conf" "$home/$BENCH_CORE/conf"
fi
if ! curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/$BENCH_CORE/admin/ping?wt=json" 2>/dev/null | grep -q '"status":"OK"'; then
  rm -f "$home/$BENCH_CORE/core.properties"
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$BENCH_CORE&instanceDir=$BENCH_CORE&wt=json" \
    >"$LOG_DIR/solr-$NAME-core.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/solr-$NAME-core.log"; die "creating Solr core $BENCH_CORE failed"; }
fi
echo "$BENCH_INI"
