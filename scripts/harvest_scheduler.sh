#!/usr/bin/env bash
# Runs `ckan harvester run` on a timer: it starts the jobs whose harvest-source frequency
# (daily, weekly, monthly) is due and marks finished jobs as done. On the same timer it runs
# `ckan binhduong tracking-update` (CKAN's `tracking update`, started from the right day), which folds the recorded page views and downloads into CKAN's
# tracking summary, so the portal's download counts ("Lượt tải") lag by at most one interval.
# The update holds var/run/tracking-update.lock (tests that run it take the same lock).
# Supervised by supervisord.
set -u
ckan_bin="$1" ini="$2" interval="${3:-300}"
lock="$(dirname "$ini")/run/tracking-update.lock"
mkdir -p "$(dirname "$lock")"
while true; do
  "$ckan_bin" -c "$ini" harvester run || echo "$(date -Is) harvester run failed (exit $?)" >&2
  # CKAN's tracking code trips SQLAlchemy identity-map warnings on every run (its model keys
  # tracking_summary by url alone); they say nothing about our counts.
  PYTHONWARNINGS="ignore:::ckan.model.modification" flock "$lock" "$ckan_bin" -c "$ini" binhduong tracking-update >/dev/null \
    || echo "$(date -Is) tracking update failed (exit $?)" >&2
  # Data quality (quality/): measure the datasets changed since their last measurement and re-check
  # the links due, in the background (the link checker is throttled per host and may take a while);
  # -n: skipped while the previous run still goes.
  flock -n "$(dirname "$ini")/run/quality-compute.lock" "$ckan_bin" -c "$ini" binhduong quality compute --check-links \
    --validate-tables >>"$(dirname "$ini")/log/quality-compute.log" 2>&1 &
  # The quality digest to each agency's admins: sent only when ckanext.binhduong.quality.digest_interval_days
  # have passed since the last one (the command says "not due" otherwise).
  flock -n "$(dirname "$ini")/run/quality-digest.lock" "$ckan_bin" -c "$ini" binhduong quality digest \
    >>"$(dirname "$ini")/log/quality-digest.log" 2>&1 &
  sleep "$interval"
done
