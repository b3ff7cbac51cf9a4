"""The portal's own background work (quality measurements and table reports, DCAT cache
warming) on a queue of its own, ``bd_background``.

The one jobs worker listens to ``default`` first and then to this queue (RQ takes from the
first queue that has a job), so a publisher's upload (xloader, on ``default``) never waits
behind a harvest's hundreds of measurements: they run when no load is waiting."""
from __future__ import annotations

from typing import Any, Callable

import ckan.plugins.toolkit as toolkit

__all__ = ["QUEUE", "enqueue", "get_queue"]

QUEUE = "bd_background"


def enqueue(function: Callable, args: list | None = None, title: str | None = None,
            rq_kwargs: dict[str, Any] | None = None):
    return toolkit.enqueue_job(function, args or [], title=title, queue=QUEUE, rq_kwargs=rq_kwargs)


def get_queue():
    from ckan.lib import jobs

    return jobs.get_queue(QUEUE)
