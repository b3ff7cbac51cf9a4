"""The supervised background processes stay up: a consumer that crashes and is restarted
in a loop (as ckanext-harvest's did on redis-py 8's default 5 s socket timeout) fails here."""
from __future__ import annotations

import pathlib
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROGRAMS = ["portal:ckan-web", "portal:ckan-worker", "portal:harvest-gather", "portal:harvest-fetch",
            "portal:harvest-scheduler", "postgresql", "redis", "solr"]


def _pids() -> dict[str, str]:
    result = subprocess.run(["supervisorctl", "-c", str(ROOT / "var" / "supervisord.conf"), "status"],
                            capture_output=True, text=True, timeout=30)
    pids = {}
    for line in result.stdout.splitlines():
        name, state, *rest = line.split(None, 2)
        assert state == "RUNNING", line
        pids[name] = rest[0].split()[1].rstrip(",")
    return pids


def test_every_process_runs_and_none_restarts_within_fifteen_seconds(portal_url):
    before = _pids()
    assert set(PROGRAMS) <= set(before)
    time.sleep(15)
    assert _pids() == before
