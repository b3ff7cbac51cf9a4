#!/usr/bin/env bash
# `make test`: the same set-up as `make up` where needed, then the whole test suite against
# the real services (test databases, the ckan_test Solr core, Redis db 1) and, for the
# end-to-end tests, the running portal over HTTP.
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/up.sh"
"$ROOT/scripts/init_db.sh" test

mkdir -p "$ROOT/test-output"
cd "$ROOT"
export BD_PORTAL_URL="http://127.0.0.1:$CKAN_PORT"
export BD_SECRETS_DIR="$SECRETS_DIR"
export BD_ROOT="$ROOT"
set +e
# Every test's duration is kept in test-output/junit.xml (which files make the suite slow).
"$VENV/bin/pytest" --ckan-ini="$TEST_INI" -p no:cacheprovider --durations=15 --junitxml="$ROOT/test-output/junit.xml" "$@" tests
status=$?
set -e
if [ $status -eq 5 ]; then
  die "pytest collected no tests"
fi
exit $status
