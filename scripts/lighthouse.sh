#!/usr/bin/env bash
# Lighthouse (npm, pinned below) with Debian's Chromium on the home, search and dataset pages,
# phone settings (Lighthouse's default: moto g power, simulated slow 4G, 4x CPU slowdown), the
# categories issue 17 asks for. Prints one line per page and exits 1 when a score is below
# its threshold (performance 90, accessibility 95, best practices 95).
#
#   scripts/lighthouse.sh [BASE_URL]      (default http://127.0.0.1:5000, the `make up` portal)
#
# Lighthouse is installed once into var/lighthouse/ (git-ignored); JSON reports are written to
# test-output/lighthouse/. The run takes about a minute for the three pages on this machine,
# too slow for `make test`, so it is run by hand and its figures are written in the README.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BASE="${1:-http://127.0.0.1:5000}"
LIGHTHOUSE_VERSION="12.8.2"
PREFIX="$ROOT/var/lighthouse"
OUT="$ROOT/test-output/lighthouse"
CHROME="${CHROME_PATH:-/usr/bin/chromium}"

if [ ! -x "$PREFIX/node_modules/.bin/lighthouse" ] ||
   [ "$(node -p "require('$PREFIX/node_modules/lighthouse/package.json').version" 2>/dev/null)" != "$LIGHTHOUSE_VERSION" ]; then
  npm install --prefix "$PREFIX" --no-audit --no-fund --silent "lighthouse@$LIGHTHOUSE_VERSION"
fi
[ -x "$CHROME" ] || { echo "Chromium not found at $CHROME (apt-get install chromium)" >&2; exit 2; }
mkdir -p "$OUT"

# A dataset with a table and a map: the starter catalogue's sample BTS list.
PAGES=(
  "home /"
  "search /dataset/?q=bts"
  "dataset /dataset/danh-muc-tram-bts-du-lieu-mau"
)

status=0
for page in "${PAGES[@]}"; do
  name="${page%% *}"
  path="${page#* }"
  CHROME_PATH="$CHROME" "$PREFIX/node_modules/.bin/lighthouse" "$BASE$path" \
    --quiet --output=json --output-path="$OUT/$name.json" \
    --only-categories=performance,accessibility,best-practices \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$OUT/$name.log" || {
      echo "$name: lighthouse failed (see $OUT/$name.log)" >&2; status=1; continue; }
  python3 - "$OUT/$name.json" "$name" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
scores = {key: round(category["score"] * 100) for key, category in report["categories"].items()}
audits = report["audits"]
metrics = ", ".join(f"{key} {audits[key]['displayValue']}" for key in (
    "first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
    "cumulative-layout-shift", "speed-index"))
print(f"{sys.argv[2]:8} performance {scores['performance']:3}  accessibility {scores['accessibility']:3}  "
      f"best practices {scores['best-practices']:3}  ({metrics})")
wanted = {"performance": 90, "accessibility": 95, "best-practices": 95}
sys.exit(1 if any(scores[key] < least for key, least in wanted.items()) else 0)
PY
done
exit $status
