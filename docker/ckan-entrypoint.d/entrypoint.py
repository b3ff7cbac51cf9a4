#!/usr/bin/env python3
"""Entrypoint of every container built from docker/Dockerfile.

The web server, the jobs worker, the harvest consumers and the harvest scheduler run from
one image and get their settings as environment variables (docker-compose.yml). Before
running the container's command, this writes those settings into $CKAN_INI, because:

* `ckan.plugins`, and options that plugins read while they load (scheming reads its schema
  list in update_config), must be in the file before CKAN starts. The base image's
  prerun.py writes `ckan.plugins` only in the web container, and ckanext-envvars applies
  variables only once plugins are already loading;
* `docker compose exec <service> ckan ...` then sees the same configuration as the service.

Names follow the official images (ckanext-envvars), so their documentation applies:
CKAN__X__Y -> ckan.x.y, CKANEXT__X__Y -> ckanext.x.y, CKAN___X__Y -> x.y, where CKAN___
keeps the case of CKAN's upper-case Flask options (CKAN___SECRET_KEY -> SECRET_KEY).
Single-underscore variables (CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, ...) are read by CKAN core
itself in every process and are left to it.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

SECTION = "app:main"
# The value .env.example gives every secret: a container must never start with it.
PLACEHOLDER = "change-me"


class ConfigError(Exception):
    """The environment cannot be turned into a safe ckan.ini."""


def ini_key(name: str, upper_case_keys: frozenset[str]) -> str | None:
    """The ckan.ini option an environment variable sets, or None if it sets none."""
    if name.startswith("CKAN___"):
        option = name[len("CKAN___"):]
        if option in upper_case_keys:
            return option
        return option.lower().replace("__", ".")
    if name.startswith(("CKAN__", "CKANEXT__")):
        return name.lower().replace("__", ".")
    return None


def check_environment(environ: Mapping[str, str]) -> None:
    """Refuse values that would start CKAN insecurely or break its config loader."""
    problems = []
    for name, value in sorted(environ.items()):
        if not name.startswith("CKAN"):
            continue
        if PLACEHOLDER in value:
            problems.append(f"{name} still holds the placeholder from .env.example")
        # CKAN's config loader interpolates CKAN_* variables and ini values with
        # configparser: a '%' anywhere makes every `ckan` command fail to start.
        if "%" in value:
            problems.append(f"{name} contains '%' (use hex secrets: openssl rand -hex 32)")
        if "\n" in value:
            problems.append(f"{name} spans several lines")
    if problems:
        raise ConfigError("; ".join(problems))


def settings_from_env(environ: Mapping[str, str],
                      upper_case_keys: frozenset[str]) -> dict[str, str]:
    """The ckan.ini options set by the environment, by option name."""
    settings = {}
    for name, value in sorted(environ.items()):
        key = ini_key(name, upper_case_keys)
        # Empty means "not configured here": CKAN's declared default applies.
        if key and value.strip():
            settings[key] = value.strip()
    return settings


def upper_case_ckan_keys() -> frozenset[str]:
    """CKAN's declared options whose names are upper case (Flask settings)."""
    from ckan.config.declaration import Declaration

    declaration = Declaration()
    declaration.load_core_declaration()
    return frozenset(key for key in map(str, declaration.iter_options()) if key.isupper())


def write_ini(path: str, settings: Mapping[str, str]) -> None:
    from ckan.lib import config_tool

    options = [f"{key} = {value}" for key, value in settings.items()]
    config_tool.config_edit_using_option_strings(path, options, SECTION)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: entrypoint.py COMMAND [ARG...]", file=sys.stderr)
        return 2
    try:
        check_environment(os.environ)
    except ConfigError as error:
        print(f"[binhduong] refusing to start: {error}", file=sys.stderr)
        return 1
    settings = settings_from_env(os.environ, upper_case_ckan_keys())
    write_ini(os.environ["CKAN_INI"], settings)
    if ("xloader" in settings.get("ckan.plugins", "").split()
            and not settings.get("ckanext.xloader.api_token")):
        # Not fatal: the token can only be created once CKAN runs (see docker/README.md).
        print("[binhduong] CKAN_XLOADER_API_TOKEN is not set: uploads will not be loaded "
              "into the DataStore until it is", file=sys.stderr)
    if os.path.basename(argv[0]) == "start_ckan.sh":
        # The browser's translations (/api/i18n/vi) are built into the file store, which is
        # a volume: build them (again, if the catalogues are newer) before the web role serves.
        built = subprocess.run(["ckan", "-c", os.environ["CKAN_INI"], "translation", "js"], check=False)
        if built.returncode:
            print("[binhduong] `ckan translation js` failed: JavaScript texts stay untranslated", file=sys.stderr)
    sys.stdout.flush()
    os.execvp(argv[0], argv)
    return 0  # not reached: execvp replaces this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
