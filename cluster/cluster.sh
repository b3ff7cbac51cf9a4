#!/usr/bin/env bash
# The portal beyond one machine, as a local cluster on this host (make cluster-up /
# cluster-test / cluster-down; cluster/README.md). Everything lives in var/cluster/ and on
# ports of its own; the running portal's services and ports (5000, 8983, 5432, 6379) are
# never touched.
#
#   ZooKeeper (from the zookeeper jars Maven Central gave var/solr/lib)     127.0.0.1:$ZK_PORT
#   SolrCloud: 2 nodes, collection "ckan" of 2 shards x 2 replicas          $SOLR1_PORT, $SOLR2_PORT
#   PostgreSQL 15 primary + streaming-replication standby (hot standby)      $PG1_PORT, $PG2_PORT
#   Redis (jobs queue)                                                       $REDIS_PORT
#   CKAN web nodes (gunicorn, 1 worker each) + the jobs worker               $WEB1_PORT, $WEB2_PORT
#   nginx: the web nodes behind $WEB_PORT, the Solr nodes behind $SOLR_PROXY_PORT
#
# CKAN writes to the primary; the DataStore's read URL prefers the standby (libpq
# target_session_attrs=prefer-standby, the primary as fall-back).
#   cluster/cluster.sh up | down | status
set -euo pipefail
source "$(dirname "$0")/../scripts/lib.sh"

CL="$VAR/cluster"
CL_LOG="$CL/log"
CL_RUN="$CL/run"
CONF="$CL/supervisord.conf"
INI="$CL/ckan.ini"
ZK_PORT=52181
SOLR1_PORT=58983
SOLR2_PORT=58984
SOLR_PROXY_PORT=58980
PG1_PORT=55432
PG2_PORT=55433
REDIS_PORT_CL=56379
WEB1_PORT=55001
WEB2_PORT=55002
WEB_PORT=55080
JAVA="${JAVA:-java}"
SOLR_CP="$VAR/solr/lib/*:$VAR/solr/classes"
SYSADMIN=cluster-admin

csv() { supervisorctl -c "$CONF" "$@"; }
as_postgres() { runuser -u postgres -- "$@"; }
pg_admin() { local port=$1; shift; as_postgres "$PG_BIN/psql" -h "$CL_RUN" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

ini_value() { sed -n "s#^$1 = ##p" "$CKAN_INI" | head -1; }
password_of() { ini_value "$1" | sed -E 's#^[a-z+]+://[^:]+:([^@]*)@.*#\1#'; }

render_configs() {
  mkdir -p "$CL_LOG" "$CL_RUN" "$CL/solr1" "$CL/solr2" "$CL/zk" "$CL/redis" "$CL/filestore" "$CL/secrets"
  chmod 700 "$CL/secrets"
  cp "$ROOT/cluster/solr.xml" "$CL/solr1/solr.xml"
  cp "$ROOT/cluster/solr.xml" "$CL/solr2/solr.xml"
  sed -e "s#{{RUN}}#$CL_RUN#g" -e "s#{{LOG}}#$CL_LOG#g" -e "s#{{WEB_PORT}}#$WEB_PORT#g" \
      -e "s#{{WEB1_PORT}}#$WEB1_PORT#g" -e "s#{{WEB2_PORT}}#$WEB2_PORT#g" -e "s#{{SOLR_PORT}}#$SOLR_PROXY_PORT#g" \
      -e "s#{{SOLR1_PORT}}#$SOLR1_PORT#g" -e "s#{{SOLR2_PORT}}#$SOLR2_PORT#g" \
      "$ROOT/cluster/nginx.conf.template" > "$CL/nginx.conf"

  # CKAN: the portal's configuration with the cluster's services swapped in.
  local ckan_pw ro_pw
  ckan_pw="$(password_of sqlalchemy.url)"
  ro_pw="$(password_of ckan.datastore.read_url)"
  sed -e "s#^ckan.site_url = .*#ckan.site_url = http://127.0.0.1:$WEB_PORT#" \
      -e "s#^sqlalchemy.url = .*#sqlalchemy.url = postgresql://ckan_default:$ckan_pw@127.0.0.1:$PG1_PORT/ckan#" \
      -e "s#^ckan.datastore.write_url = .*#ckan.datastore.write_url = postgresql://ckan_default:$ckan_pw@127.0.0.1:$PG1_PORT/datastore#" \
      -e "s#^ckan.datastore.read_url = .*#ckan.datastore.read_url = postgresql://datastore_default:$ro_pw@/datastore?host=127.0.0.1:$PG2_PORT\&host=127.0.0.1:$PG1_PORT\&target_session_attrs=prefer-standby\&connect_timeout=2#" \
      -e "s#^solr_url = .*#solr_url = http://127.0.0.1:$SOLR_PROXY_PORT/solr/ckan#" \
      -e "s#^ckan.redis.url = redis://127.0.0.1:[0-9]*/[0-9]*#ckan.redis.url = redis://127.0.0.1:$REDIS_PORT_CL/0#" \
      -e "s#^ckan.storage_path = .*#ckan.storage_path = $CL/filestore#" \
      -e "s#^ckanext.xloader.jobs_db.uri = .*#ckanext.xloader.jobs_db.uri = postgresql://ckan_default:$ckan_pw@127.0.0.1:$PG1_PORT/ckan#" \
      -e "s#^ckanext.xloader.site_url = .*#ckanext.xloader.site_url = http://127.0.0.1:$WEB_PORT#" \
      -e "s#^ckanext.dcat.base_uri = .*#ckanext.dcat.base_uri = http://127.0.0.1:$WEB_PORT#" \
      "$CKAN_INI" > "$INI.tmp"
  chmod 600 "$INI.tmp"
  mv "$INI.tmp" "$INI"
  if grep -qE "127\.0\.0\.1:(5432|8983|6379)/|127\.0\.0\.1:5000$" "$INI"; then
    die "$INI still names a service of the running portal"
  fi

  cat > "$CL/zoo.cfg" <<EOF
# ZooKeeper of the local cluster (standalone; production runs an ensemble of 3, docker/README.md).
dataDir=$CL/zk
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
tickTime=2000
maxClientCnxns=60
admin.enableServer=false
EOF
  local heap="-Xms64m -Xmx320m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  cat > "$CONF" <<EOF
; Rendered by cluster/cluster.sh: the local cluster's own supervisor (not the portal's).
[unix_http_server]
file = $CL_RUN/supervisor.sock
chmod = 0700
[supervisord]
logfile = $CL_LOG/supervisord.log
pidfile = $CL_RUN/supervisord.pid
childlogdir = $CL_LOG
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl = unix://$CL_RUN/supervisor.sock

[program:zookeeper]
command = $JAVA -Xms32m -Xmx128m -XX:+UseSerialGC -Dzookeeper.admin.enableServer=false -Dzookeeper.4lw.commands.whitelist=ruok,mntr,srvr -cp $VAR/solr/lib/* org.apache.zookeeper.server.ZooKeeperServerMain $CL/zoo.cfg
priority = 10
autorestart = true
startsecs = 3
redirect_stderr = true
stdout_logfile = $CL_LOG/zookeeper.log

[program:solr1]
command = $JAVA $heap -DzkHost=127.0.0.1:$ZK_PORT -DhostPort=$SOLR1_PORT -Dsolr.log.dir=$CL_LOG -Dsolr.install.dir=$VAR/solr -Djetty.host=127.0.0.1 -cp $SOLR_CP SolrLauncher $CL/solr1 $SOLR1_PORT
priority = 20
autorestart = true
startsecs = 5
stopwaitsecs = 30
redirect_stderr = true
stdout_logfile = $CL_LOG/solr1.log

[program:solr2]
command = $JAVA $heap -DzkHost=127.0.0.1:$ZK_PORT -DhostPort=$SOLR2_PORT -Dsolr.log.dir=$CL_LOG -Dsolr.install.dir=$VAR/solr -Djetty.host=127.0.0.1 -cp $SOLR_CP SolrLauncher $CL/solr2 $SOLR2_PORT
priority = 20
autorestart = true
startsecs = 5
stopwaitsecs = 30
redirect_stderr = true
stdout_logfile = $CL_LOG/solr2.log

[program:pg-primary]
command = $PG_BIN/postgres -D $CL/pg-primary -c listen_addresses=127.0.0.1 -c port=$PG1_PORT -c unix_socket_directories=$CL_RUN -c shared_buffers=32MB -c max_connections=60
user = postgres
priority = 10
autorestart = true
startsecs = 3
stopsignal = INT
stopwaitsecs = 60
redirect_stderr = true
stdout_logfile = $CL_LOG/pg-primary.log

[program:pg-standby]
command = $PG_BIN/postgres -D $CL/pg-standby -c listen_addresses=127.0.0.1 -c port=$PG2_PORT -c unix_socket_directories=$CL_RUN -c shared_buffers=32MB -c max_connections=60
user = postgres
priority = 15
autorestart = true
autostart = false
startsecs = 3
stopsignal = INT
stopwaitsecs = 60
redirect_stderr = true
stdout_logfile = $CL_LOG/pg-standby.log

[program:redis]
command = /usr/bin/redis-server --bind 127.0.0.1 --port $REDIS_PORT_CL --dir $CL/redis --save "" --appendonly yes --daemonize no
priority = 10
autorestart = true
startsecs = 2
redirect_stderr = true
stdout_logfile = $CL_LOG/redis.log

[program:web1]
command = $VENV/bin/gunicorn --pythonpath $ROOT/config --bind 127.0.0.1:$WEB1_PORT --workers 1 --timeout 120 --graceful-timeout 10 wsgi:application
environment = CKAN_INI="$INI"
priority = 30
autorestart = true
autostart = false
startsecs = 3
stopwaitsecs = 20
redirect_stderr = true
stdout_logfile = $CL_LOG/web1.log

[program:web2]
command = $VENV/bin/gunicorn --pythonpath $ROOT/config --bind 127.0.0.1:$WEB2_PORT --workers 1 --timeout 120 --graceful-timeout 10 wsgi:application
environment = CKAN_INI="$INI"
priority = 30
autorestart = true
autostart = false
startsecs = 3
stopwaitsecs = 20
redirect_stderr = true
stdout_logfile = $CL_LOG/web2.log

[program:worker]
command = $VENV/bin/ckan -c $INI jobs worker default bd_background
priority = 40
autorestart = true
autostart = false
startsecs = 3
redirect_stderr = true
stdout_logfile = $CL_LOG/worker.log

[program:nginx]
command = /usr/sbin/nginx -c $CL/nginx.conf -g "daemon off;"
priority = 25
autorestart = true
startsecs = 2
redirect_stderr = true
stdout_logfile = $CL_LOG/nginx.log
EOF
}

init_primary() {
  [ -f "$CL/pg-primary/PG_VERSION" ] && return 0
  say "Creating the PostgreSQL primary (port $PG1_PORT)"
  mkdir -p "$CL/pg-primary"
  chown -R postgres:postgres "$CL/pg-primary" "$CL_RUN" "$CL_LOG"
  chmod 700 "$CL/pg-primary"
  as_postgres "$PG_BIN/initdb" -D "$CL/pg-primary" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$CL_LOG/initdb.log" 2>&1 || { show_log_tail "$CL_LOG/initdb.log"; die "initdb failed"; }
  cat >> "$CL/pg-primary/postgresql.conf" <<EOF
wal_level = replica
max_wal_senders = 4
wal_keep_size = 256MB
hot_standby = on
EOF
  echo "host replication replicator 127.0.0.1/32 scram-sha-256" >> "$CL/pg-primary/pg_hba.conf"
}

wait_port() { local name=$1 port=$2 seconds=$3; wait_for "$name" "$seconds" "$CL_LOG/supervisord.log" port_open "$port"; }

setup_databases() {
  local ckan_pw ro_pw repl_pw
  ckan_pw="$(password_of sqlalchemy.url)"
  ro_pw="$(password_of ckan.datastore.read_url)"
  [ -f "$CL/secrets/replication" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$CL/secrets/replication")
  repl_pw="$(cat "$CL/secrets/replication")"
  pg_admin "$PG1_PORT" -d postgres <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ckan_default') THEN CREATE ROLE ckan_default LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'datastore_default') THEN CREATE ROLE datastore_default LOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'replicator') THEN CREATE ROLE replicator LOGIN REPLICATION; END IF;
END \$\$;
ALTER ROLE ckan_default PASSWORD '$ckan_pw';
ALTER ROLE datastore_default PASSWORD '$ro_pw';
ALTER ROLE replicator PASSWORD '$repl_pw';
EOF
  for db in ckan datastore; do
    if [ -z "$(pg_admin "$PG1_PORT" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      pg_admin "$PG1_PORT" -d postgres -c "CREATE DATABASE $db OWNER ckan_default ENCODING 'UTF8' TEMPLATE template0"
    fi
  done
  "$VENV/bin/ckan" -c "$INI" db init >"$CL_LOG/db-init.log" 2>&1 || { show_log_tail "$CL_LOG/db-init.log"; die "ckan db init failed"; }
  "$VENV/bin/ckan" -c "$INI" datastore set-permissions 2>>"$CL_LOG/db-init.log" \
    | pg_admin "$PG1_PORT" -d datastore >>"$CL_LOG/db-init.log" 2>&1 \
    || { show_log_tail "$CL_LOG/db-init.log"; die "DataStore permissions failed"; }
}

init_standby() {
  [ -f "$CL/pg-standby/PG_VERSION" ] && return 0
  say "Creating the streaming-replication standby (port $PG2_PORT) from a base backup of the primary"
  mkdir -p "$CL/pg-standby"
  chown postgres:postgres "$CL/pg-standby"
  chmod 700 "$CL/pg-standby"
  local pass="$CL_RUN/standby.pgpass"
  (umask 077; echo "127.0.0.1:$PG1_PORT:*:replicator:$(cat "$CL/secrets/replication")" > "$pass")
  chown postgres:postgres "$pass"
  as_postgres env PGPASSFILE="$pass" "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG1_PORT" -U replicator \
    -D "$CL/pg-standby" -R -X stream -c fast >"$CL_LOG/basebackup.log" 2>&1 \
    || { rm -f "$pass"; show_log_tail "$CL_LOG/basebackup.log"; die "pg_basebackup failed"; }
  rm -f "$pass"
  standby_conninfo
}

# The standby's connection to the primary, password included, in its own data directory
# (mode 700, owned by postgres), where pg_basebackup -R writes it.
standby_conninfo() {
  local conf="$CL/pg-standby/postgresql.auto.conf"
  sed -i '/^primary_conninfo/d' "$conf"
  echo "primary_conninfo = 'host=127.0.0.1 port=$PG1_PORT user=replicator password=$(cat "$CL/secrets/replication") application_name=standby'" >> "$conf"
  chown postgres:postgres "$conf"
  chmod 600 "$conf"
}

setup_solr() {
  local api="http://127.0.0.1:$SOLR1_PORT/solr/admin"
  if curl -fsS "$api/collections?action=LIST&wt=json" | grep -q '"ckan"'; then
    return 0
  fi
  say "Uploading CKAN's Solr configuration to ZooKeeper and creating the collection (2 shards x 2 replicas)"
  local zip="$CL_RUN/ckan-configset.zip"
  rm -f "$zip"
  (cd "$VAR/solr/home/ckan/conf" && "$VENV/bin/python" -c "
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name in sorted(os.listdir('.')):
        z.write(name)
" "$zip")
  if ! curl -fsS "$api/configs?action=LIST&wt=json" | grep -q '"ckan"'; then
    curl -fsS --data-binary @"$zip" -H 'Content-Type: application/octet-stream' \
      "$api/configs?action=UPLOAD&name=ckan&wt=json" >"$CL_LOG/solr-setup.log" 2>&1 \
      || { show_log_tail "$CL_LOG/solr-setup.log"; die "uploading the configset failed"; }
  fi
  curl -fsS "$api/collections?action=CREATE&name=ckan&numShards=2&replicationFactor=2&maxShardsPerNode=2&collection.configName=ckan&wt=json" \
    >>"$CL_LOG/solr-setup.log" 2>&1 || { show_log_tail "$CL_LOG/solr-setup.log"; die "creating the collection failed"; }
}

solr_live_nodes() {
  curl -fsS "http://127.0.0.1:$1/solr/admin/collections?action=CLUSTERSTATUS&wt=json" 2>/dev/null \
    | "$VENV/bin/python" -c "import json,sys; print(len(json.load(sys.stdin)['cluster']['live_nodes']))" 2>/dev/null || echo 0
}

setup_sysadmin() {
  local token_file="$CL/secrets/api-token"
  [ -s "$token_file" ] && return 0
  if ! "$VENV/bin/ckan" -c "$INI" user show "$SYSADMIN" 2>/dev/null | grep -q "name=$SYSADMIN"; then
    "$VENV/bin/ckan" -c "$INI" user add "$SYSADMIN" email=cluster-admin@example.invalid \
      password="$(head -c 18 /dev/urandom | base64)" >>"$CL_LOG/db-init.log" 2>&1
    "$VENV/bin/ckan" -c "$INI" sysadmin add "$SYSADMIN" >>"$CL_LOG/db-init.log" 2>&1
  fi
  (umask 077; "$VENV/bin/ckan" -c "$INI" user token add "$SYSADMIN" cluster-test 2>>"$CL_LOG/db-init.log" \
    | tail -1 | tr -d '[:space:]' > "$token_file")
  [ -s "$token_file" ] || die "could not create the cluster's API token (see $CL_LOG/db-init.log)"
}

up() {
  [ -x "$VENV/bin/ckan" ] && [ -f "$CKAN_INI" ] || die "run make up first (the cluster reuses var/venv, var/solr and var/ckan.ini)"
  command -v nginx >/dev/null || /usr/sbin/nginx -v 2>/dev/null || {
    say "Installing nginx (Debian)"; DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null; }
  render_configs
  init_primary
  if [ ! -S "$CL_RUN/supervisor.sock" ] || ! csv pid >/dev/null 2>&1; then
    for port in $ZK_PORT $SOLR1_PORT $SOLR2_PORT $SOLR_PROXY_PORT $PG1_PORT $PG2_PORT $REDIS_PORT_CL $WEB1_PORT $WEB2_PORT $WEB_PORT; do
      port_open "$port" && die "port $port is taken; the cluster needs it"
    done
    say "Starting the cluster's supervisor ($CONF)"
    supervisord -c "$CONF"
  else
    csv update >/dev/null
  fi
  csv start zookeeper pg-primary redis solr1 solr2 nginx >/dev/null || true
  wait_port "PostgreSQL primary" "$PG1_PORT" 60
  setup_databases
  init_standby
  csv start pg-standby >/dev/null || true
  wait_port "PostgreSQL standby" "$PG2_PORT" 60
  wait_port "Solr node 1" "$SOLR1_PORT" 180
  wait_port "Solr node 2" "$SOLR2_PORT" 180
  local tries=0
  until [ "$(solr_live_nodes "$SOLR1_PORT")" = 2 ]; do
    tries=$((tries + 1)); [ $tries -gt 90 ] && die "the Solr nodes did not both join ZooKeeper (see $CL_LOG/solr*.log)"
    sleep 2
  done
  setup_solr
  setup_sysadmin
  csv start web1 web2 worker >/dev/null || true
  wait_port "web node 1" "$WEB1_PORT" 120
  wait_port "web node 2" "$WEB2_PORT" 120
  status
}

status() {
  csv status || true
  cat <<EOF

Portal through nginx  http://127.0.0.1:$WEB_PORT/   (web nodes $WEB1_PORT, $WEB2_PORT)
SolrCloud             http://127.0.0.1:$SOLR1_PORT/solr/, :$SOLR2_PORT (through nginx: $SOLR_PROXY_PORT), ZooKeeper 127.0.0.1:$ZK_PORT
PostgreSQL            primary 127.0.0.1:$PG1_PORT, standby 127.0.0.1:$PG2_PORT; Redis 127.0.0.1:$REDIS_PORT_CL
Config                $INI; logs $CL_LOG/
EOF
}

down() {
  if [ -S "$CL_RUN/supervisor.sock" ] && csv pid >/dev/null 2>&1; then
    say "Stopping the cluster"
    csv stop web1 web2 worker nginx >/dev/null 2>&1 || true
    csv stop solr1 solr2 >/dev/null 2>&1 || true
    csv stop pg-standby pg-primary redis zookeeper >/dev/null 2>&1 || true
    csv shutdown >/dev/null 2>&1 || true
  else
    say "The cluster is not running"
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
