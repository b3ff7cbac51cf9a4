#!/usr/bin/env python3
"""Health checks of the containers built from docker/Dockerfile.

docker-compose.yml runs `healthcheck.py ROLE`; exit status 0 means healthy. Each check asks
for the thing the role exists to do, not merely whether a process is alive (if the main
process dies, the container stops and its restart policy takes over anyway).
"""
from __future__ import annotations

import json
import os
import socket
import sys
import time
import urllib.request


def web() -> bool:
    # status_show passes through CKAN's routing, plugins and database session, cheaply.
    url = "http://localhost:5000/api/action/status_show"
    with urllib.request.urlopen(url, timeout=8) as response:
        return json.load(response).get("success") is True


def _redis():
    import redis

    return redis.Redis.from_url(os.environ["CKAN_REDIS_URL"], socket_timeout=5)


def jobs_worker() -> bool:
    # RQ keeps one registry entry per worker alive through heartbeats and drops it when they
    # stop, so an entry from this container means its worker loop runs and reaches Redis.
    from rq import Worker

    hostname = socket.gethostname()
    return any(worker.hostname == hostname for worker in Worker.all(connection=_redis()))


def harvest_consumer() -> bool:
    # The gather and fetch consumers block on Redis lists: without Redis they do nothing.
    return bool(_redis().ping())


def harvest_scheduler() -> bool:
    # The scheduler loop touches this file after every successful `ckan harvester run`;
    # two missed rounds mean the runs fail (database, Redis) or the loop hangs.
    interval = int(os.environ["HARVEST_RUN_INTERVAL"])
    try:
        age = time.time() - os.stat(os.environ["HARVEST_HEARTBEAT_FILE"]).st_mtime
    except FileNotFoundError:
        return False
    return age < 2 * interval + 60


CHECKS = {
    "web": web,
    "jobs-worker": jobs_worker,
    "harvest-consumer": harvest_consumer,
    "harvest-scheduler": harvest_scheduler,
}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: healthcheck.py {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    try:
        healthy = CHECKS[argv[0]]()
    except Exception as error:  # any failure to check is "unhealthy", with the reason
        print(f"{argv[0]}: {error!r}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
