#!/usr/bin/env bash
# Applies a changed Solr configuration (schema, synonyms, solrconfig; laid out by
# configure.sh, which marks a changed core with conf/.reload-needed) to the running Solr:
# each marked core is reloaded through the CoreAdmin API, and the portal's core is re-indexed
# from the database (`ckan search-index rebuild`), since a new field is empty until then.
# The test core needs no re-index (tests index what they create); the bench core is
# re-indexed by bench/bench_env.sh. Idempotent: nothing is marked, nothing is done.
#   solr_cores.sh [CORE...]     (default: every core under var/solr/home)
source "$(dirname "$0")/lib.sh"

home="$VAR/solr/home"
port_open "$SOLR_PORT" || die "Solr is not running on port $SOLR_PORT"
cores=("$@")
if [ ${#cores[@]} -eq 0 ]; then
  for dir in "$home"/*/; do [ -f "$dir/core.properties" ] && cores+=("$(basename "$dir")"); done
fi
for core in "${cores[@]}"; do
  [ -f "$home/$core/conf/.reload-needed" ] || continue
  say "Reloading Solr core $core (its configuration changed)"
  curl -fsS "http://127.0.0.1:$SOLR_PORT/solr/admin/cores?action=RELOAD&core=$core&wt=json" \
      >"$LOG_DIR/solr-reload-$core.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/solr-reload-$core.log"; die "reloading Solr core $core failed"; }
  if [ "$core" = ckan ]; then
    say "Re-indexing the portal's datasets"
    ckan_cli search-index rebuild >"$LOG_DIR/search-index-rebuild.log" 2>&1 \
      || { show_log_tail "$LOG_DIR/search-index-rebuild.log"; die "ckan search-index rebuild failed"; }
  fi
  rm -f "$home/$core/conf/.reload-needed"
done
