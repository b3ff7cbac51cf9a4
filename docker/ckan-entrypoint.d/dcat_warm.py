#!/usr/bin/env python3
"""Start-up script of the web container: queue the DCAT cache's warming after a deploy.

The Dockerfile copies this into the base image's /docker-entrypoint.d, whose *.py files
start_ckan.sh runs after prerun.py (migrations done) and before uWSGI starts. It runs
`ckan binhduong dcat warm`, as `make up` does (scripts/up.sh): when the version of code and
DCAT configuration differs from the one the last complete warming recorded in Redis, a job
is queued on the jobs worker (queue bd_background) that renders the catalogue's fragments
in the background, so the first /catalog.ttl walk after a deploy is served from the cache.
It only enqueues and never waits; if the command fails, the web server still starts (a miss
is rendered on read) and the failure is logged.
"""
from __future__ import annotations

import os
import subprocess
import sys

TIMEOUT_SECONDS = 120  # enqueueing takes seconds; never hold the web server's start longer


def command(ini: str) -> list[str]:
    return ["ckan", "-c", ini, "binhduong", "dcat", "warm"]


def main() -> int:
    ini = os.environ.get("CKAN_INI", "/srv/app/ckan.ini")
    try:
        done = subprocess.run(command(ini), check=False, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"[binhduong] DCAT cache warming not queued: {error}", file=sys.stderr)
        return 0
    if done.returncode:
        print(f"[binhduong] DCAT cache warming not queued: `{' '.join(command(ini))}` exited with "
              f"{done.returncode}; /catalog.ttl renders on read until the next start", file=sys.stderr)
    return 0  # never stop the web server's start for an optimisation


if __name__ == "__main__":
    sys.exit(main())
