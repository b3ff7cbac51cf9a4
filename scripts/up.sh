#!/usr/bin/env bash
# `make up`: install what is missing, start every service, initialise the databases,
# load the starter catalogue and serve the portal on http://127.0.0.1:$CKAN_PORT.
source "$(dirname "$0")/lib.sh"
started=$SECONDS

"$ROOT/scripts/install.sh"
"$ROOT/scripts/configure.sh"
"$ROOT/scripts/services.sh" start-backends
"$ROOT/scripts/init_db.sh" portal

# The xloader token may have just been created: render the configuration again.
"$ROOT/scripts/configure.sh"
"$ROOT/scripts/services.sh" start-portal
# A changed Solr schema, synonyms file or solrconfig: reload the cores, re-index the portal.
"$ROOT/scripts/solr_cores.sh"

# The browser's translations (/api/i18n/vi) are built from the catalogues into the file
# store; CKAN rebuilds a language only when a catalogue is newer than its file.
ckan_cli translation js >"$LOG_DIR/translation-js.log" 2>&1 \
  || { show_log_tail "$LOG_DIR/translation-js.log"; die "Building the JavaScript translations failed"; }

say "Loading the starter catalogue"
ckan_cli binhduong seed >"$LOG_DIR/seed.log" 2>&1 || { show_log_tail "$LOG_DIR/seed.log"; die "Loading the starter catalogue failed"; }
cat "$LOG_DIR/seed.log" | grep -E '^(organizations|datasets):' || true
# A new version of code or DCAT configuration: queue the catalogue cache's warming (no wait).
ckan_cli binhduong dcat warm >"$LOG_DIR/dcat-warm.log" 2>&1 || show_log_tail "$LOG_DIR/dcat-warm.log"

cat <<DONE

Cổng dữ liệu mở tỉnh Bình Dương is running ($((SECONDS - started)) s).
  Portal (Tiếng Việt):  http://127.0.0.1:$CKAN_PORT/
  Portal (English):     http://127.0.0.1:$CKAN_PORT/en/
  Action API:           http://127.0.0.1:$CKAN_PORT/api/3/action/status_show
  DCAT catalogue:       http://127.0.0.1:$CKAN_PORT/catalog.ttl
  Sysadmin:             $SYSADMIN_NAME / password in $SECRETS_DIR/sysadmin-password.txt
  Status and logs:      make status   (logs in $LOG_DIR)
  Stop:                 make down
DONE
