#!/usr/bin/env bash
# Runs `ckan harvester run` on a timer: it starts the jobs whose harvest-source frequency
# (daily, weekly, monthly) is due and marks finished jobs as done. Supervised by supervisord.
set -u
ckan_bin="$1" ini="$2" interval="${3:-300}"
while true; do
  "$ckan_bin" -c "$ini" harvester run || echo "$(date -Is) harvester run failed (exit $?)" >&2
  sleep "$interval"
done
