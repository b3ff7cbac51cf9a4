#!/usr/bin/env bash
# Installs what is missing: Debian packages, the Python virtualenv with pinned packages,
# the Solr jars from Maven Central and the compiled Solr launcher. Each step is skipped
# when its inputs have not changed since it last succeeded (stamps in var/stamps).
source "$(dirname "$0")/lib.sh"

APT_PACKAGES=(postgresql redis-server supervisor libpq-dev libmagic1 gettext curl chromium fonts-noto-core)

stamp_matches() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
write_stamp() { mkdir -p "$STAMPS"; echo "$2" > "$STAMPS/$1"; }

check_toolchain() {
  command -v python3.11 >/dev/null || command -v python3 >/dev/null || die "Python 3.11 is missing."
  command -v java >/dev/null || die "Java is missing: install a JDK 17 (apt-get install openjdk-17-jdk-headless)."
  command -v javac >/dev/null || die "javac is missing: install a JDK 17, not only a JRE."
  command -v mvn >/dev/null || die "Maven is missing: apt-get install maven (it brings Solr from Maven Central)."
}

install_debian_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v supervisord >/dev/null || missing+=(supervisor)
  command -v pg_config >/dev/null || missing+=(libpq-dev)
  command -v msgfmt >/dev/null || missing+=(gettext)
  command -v curl >/dev/null || missing+=(curl)
  # Browser tests drive Debian's Chromium; the fonts render Vietnamese in screenshots.
  command -v chromium >/dev/null || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/noto ] || missing+=(fonts-noto-core)
  [ -e /usr/lib/x86_64-linux-gnu/libmagic.so.1 ] || ls /usr/lib/*/libmagic.so.1 >/dev/null 2>&1 || missing+=(libmagic1)
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing Debian packages: ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || die "Debian packages ${missing[*]} are missing and installing them needs root."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >"$LOG_DIR/apt.log" 2>&1 \
    || { show_log_tail "$LOG_DIR/apt.log"; die "apt-get install failed"; }
  # Debian's package may start its own cluster and Redis through init scripts; ours run
  # under supervisord on the same ports, so stop those.
  pg_ctlcluster "$PG_VERSION" main stop >/dev/null 2>&1 || true
  service redis-server stop >/dev/null 2>&1 || true
}

install_python_packages() {
  local wanted
  wanted="$(cat "$ROOT/constraints.txt" "$ROOT/setup.py" | sha256sum | cut -c1-16)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "Creating the virtualenv in $VENV"
    python3 -m venv "$VENV"
  fi
  stamp_matches python "$wanted" && return 0
  say "Installing Python packages (pinned in constraints.txt)"
  local log_file="$LOG_DIR/pip.log"
  {
    "$VENV/bin/pip" install --upgrade "pip==25.3" "setuptools==80.9.0" "wheel==0.45.1" &&
    "$VENV/bin/pip" install -r "$ROOT/constraints.txt" &&
    # ckanext-xloader declares lower bounds (certifi, idna, urllib3) above CKAN's exact
    # pins, so pip refuses the pair; its runtime dependencies are pinned in constraints.txt.
    "$VENV/bin/pip" install --no-deps $(sed -n 's/^# no-deps: //p' "$ROOT/constraints.txt") &&
    "$VENV/bin/pip" install --no-deps -e "$ROOT"
  } >"$log_file" 2>&1 || { show_log_tail "$log_file" 40; die "pip install failed (log: $log_file)"; }
  write_stamp python "$wanted"
}

install_solr() {
  local wanted
  wanted="$(cat "$ROOT/config/solr/pom.xml" "$ROOT/config/solr/SolrLauncher.java" | sha256sum | cut -c1-16)"
  stamp_matches solr "$wanted" && [ -f "$VAR/solr/classes/SolrLauncher.class" ] && return 0
  say "Fetching Apache Solr 9.10.1 jars from Maven Central"
  local log_file="$LOG_DIR/maven.log"
  rm -rf "$VAR/solr/lib" "$VAR/solr/classes"
  mkdir -p "$VAR/solr/lib" "$VAR/solr/classes"
  mvn -B -q -f "$ROOT/config/solr/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$VAR/solr/lib" >"$log_file" 2>&1 \
    || { show_log_tail "$log_file"; die "Maven could not fetch Solr (log: $log_file)"; }
  javac -d "$VAR/solr/classes" -cp "$VAR/solr/lib/*" "$ROOT/config/solr/SolrLauncher.java" >>"$log_file" 2>&1 \
    || { show_log_tail "$log_file"; die "Compiling the Solr launcher failed (log: $log_file)"; }
  write_stamp solr "$wanted"
}

# Browser libraries (Leaflet for the map view) pinned with their sha512 in
# config/web-assets.txt, from the npm registry into git-ignored asset folders; the script
# skips what is already there.
install_web_assets() {
  local log_file="$LOG_DIR/web-assets.log"
  "$VENV/bin/python" "$ROOT/scripts/fetch_web_assets.py" >"$log_file" 2>&1 \
    || { show_log_tail "$log_file"; die "Fetching the browser libraries failed (log: $log_file)"; }
}

mkdir -p "$VAR" "$LOG_DIR" "$STAMPS"
check_toolchain
install_debian_packages
install_python_packages
install_solr
install_web_assets
