"""The portal's own background work (quality measurements and table reports, DCAT cache
warming) on a queue of its own, ``bd_background``.

The one jobs worker listens to ``default`` first and then to this queue (RQ takes from the
first queue that has a job), so a publisher's upload (xloader, on ``default``) never waits
behind a harvest's hundreds of measurements: they run when no load is waiting.

**One waiting job per piece of work** (``enqueue_once``): a dataset saved ten times in a row
(a harvest's create and updates, a form's steps) is measured once, a thousand changed datasets
make one warming job. The work is named by a key (``quality-measure:<dataset id>``); Redis
keeps which job was last queued under that key, and a new one is queued only when that job
is no longer waiting (queued, deferred or scheduled): once it has started, the next change
queues the next one, since the running job may have read the data before that change. The
job's own status in RQ is the truth, so a job lost with a worker or a Redis restart does not
block the key (the pointer only expires, after the job's ttl, so that keys do not pile up).
Not RQ job ids made from the key: a job queued under the id of one that is still running
overwrites it in Redis, and the running job's end (its status, its result's expiry) then
lands on the waiting one. Two processes queueing the same key at the same instant may both
queue: the work is done twice, never lost.

**Queued after the commit** (``after_commit``): work is queued from CKAN's
``action_succeeded`` signal (quality/jobs.py, dcat/warming.py), sent when the action
returned, after its commit; an action called with ``defer_commit`` (a caller that commits
itself, package_update's own ``package_owner_org_update``) has not committed yet, and its
work is queued at the session's next commit instead, so a job never reads the version before
the change. (A change rolled back instead queues its work at the next commit of that session:
a job that finds nothing new.)"""
from __future__ import annotations

import logging
from typing import Any, Callable

import ckan.plugins.toolkit as toolkit

__all__ = ["QUEUE", "after_commit", "enqueue", "enqueue_once", "get_queue", "redis", "waiting"]

log = logging.getLogger(__name__)

QUEUE = "bd_background"
WAITING = ("queued", "deferred", "scheduled")
POINTER_SECONDS = 24 * 3600  # how long a key remembers its job when the job has no ttl


def enqueue(function: Callable, args: list | None = None, title: str | None = None,
            rq_kwargs: dict[str, Any] | None = None):
    return toolkit.enqueue_job(function, args or [], title=title, queue=QUEUE, rq_kwargs=rq_kwargs)


def get_queue():
    from ckan.lib import jobs

    return jobs.get_queue(QUEUE)


def redis():
    """CKAN's Redis connection, where the background work keeps its small state."""
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def _pointer(key: str) -> str:
    return f"{toolkit.config.get('ckan.site_id') or 'ckan'}:binhduong:background:{key}"


def waiting(key: str):
    """The job queued under ``key`` that has not started yet, or None."""
    job_id = redis().get(_pointer(key))
    if not job_id:
        return None
    job = get_queue().fetch_job(job_id.decode() if isinstance(job_id, bytes) else job_id)
    if job is None or job.get_status(refresh=False) not in WAITING:
        return None
    return job


def enqueue_once(key: str, function: Callable, args: list | None = None, title: str | None = None,
                 ttl: int | None = None):
    """Queue ``function(*args)`` unless a job queued under ``key`` still waits. Returns the
    new job, or None when one was waiting. ``ttl``: a job waiting longer is dropped."""
    if waiting(key) is not None:
        return None
    job = enqueue(function, args, title=title, rq_kwargs={"ttl": ttl} if ttl else None)
    redis().set(_pointer(key), job.id, ex=ttl or POINTER_SECONDS)
    return job


def after_commit(context: dict, function: Callable, *args) -> None:
    """Call ``function(*args)`` now if the action that reported the change (its ``context``)
    has committed it, else when the session commits. Errors are logged, never raised: the
    change is made, and the scheduled runs catch up with work that was not queued."""
    def call(*_ignored) -> None:
        try:
            function(*args)
        except Exception as error:  # noqa: BLE001
            log.warning("Background work %s%r not queued: %s", getattr(function, "__name__", function), args, error)

    if not context.get("defer_commit"):
        call()
        return
    import sqlalchemy as sa
    from ckan import model

    sa.event.listen(model.Session(), "after_commit", call, once=True)
