"""`ckan harvester run-test <source>` that tells the truth while the queue consumers run.

ckanext-harvest's run-test creates a job, *puts it on the gather queue* (``harvest_job_create``
runs it), then gathers, fetches and imports the same job in its own process and calls
``harvest_jobs_run``. With the supervised gather consumer up, the consumer receives that job
too. Our base class lets only one process gather a job (an advisory lock per job), so when
the consumer got there first, run-test's gather found the job "gathered by another process",
returned no objects and run-test ended at once, with nothing harvested yet and nothing said
about the outcome.

Here, in the run-test process only (``in_run_test``), the harvester's gather stage runs the
whole job and reports it:

- it takes the job itself when it can (gather, then fetch and import of every object in this
  process; a consumer that receives the job afterwards finds it gathered and does nothing);
- otherwise it waits until the process holding the job (the gather consumer) has gathered
  it and the fetch consumer has fetched and imported every object;
- then it has the job marked Finished by ckanext-harvest's own ``harvest_jobs_run`` (which
  does so only when every object is COMPLETE or ERROR), prints the job's status and stats as
  ``harvest_job_show`` gives them, and returns no object ids, so run-test has nothing left
  to do but its usual ``harvest_jobs_run``.

Our harvesters call ``run_job`` from ``BinhDuongHarvester.gather_stage``. ckanext-dcat's
``dcat_rdf`` harvester is reached through its public ``IDCATRDFHarvester.before_download``
hook (``dcat_before_download``), which our harvester plugins implement: in run-test it runs
the job as above (the DCAT gather is called again inside, its hooks then pass through); in a
consumer it claims the job first (a Redis key per job), so only one process gathers a DCAT job.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from typing import Any, Callable, Iterator

import click
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.harvest.model import HarvestObject, HarvestObjectError

__all__ = ["in_run_test", "run_job", "dcat_before_download", "job_progress", "JobProgress"]

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
PROGRESS_EVERY = 15.0  # seconds between "still waiting" lines
DEFAULT_WAIT_MINUTES = 60  # when ckan.harvest.timeout is not set
CLAIM_SECONDS = 7 * 24 * 3600
DONE_STATES = ("COMPLETE", "ERROR")

# A claim(job) returns (taken_here, object_ids): whether this process gathered the job, and
# the ids it gathered (None when the gather failed).
Claim = Callable[[Any], "tuple[bool, list[str] | None]"]


def in_run_test() -> bool:
    """Whether this process is `ckan harvester run-test`."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.info_name == "run-test"
                and context.parent is not None and context.parent.info_name == "harvester")


def echo(message: str) -> None:
    click.echo(message)
    log.info("%s", message)


# -- the job's progress, read on a connection of its own (fresh each time) ------------------

class JobProgress:
    def __init__(self, status: str | None, gather_finished: Any, total: int, pending: int, gather_errors: int):
        self.status = status
        self.gather_finished = gather_finished
        self.total = total
        self.pending = pending
        self.gather_errors = gather_errors

    @property
    def gathered(self) -> bool:
        return self.gather_finished is not None or self.status == "Finished"

    @property
    def done(self) -> bool:
        return self.status == "Finished" or (self.gathered and self.pending == 0)


def job_progress(job_id: str, ignore: frozenset[str] = frozenset()) -> JobProgress:
    with model.meta.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT status, gather_finished FROM harvest_job WHERE id = :id"),
                                 {"id": job_id}).first()
        states = connection.execute(sa.text("SELECT id, state FROM harvest_object WHERE harvest_job_id = :id"),
                                    {"id": job_id}).all()
        errors = connection.execute(sa.text("SELECT count(*) FROM harvest_gather_error WHERE harvest_job_id = :id"),
                                    {"id": job_id}).scalar()
    states = [(object_id, state) for object_id, state in states if object_id not in ignore]
    return JobProgress(row[0] if row else None, row[1] if row else None, len(states),
                       sum(1 for _, state in states if state not in DONE_STATES), int(errors or 0))


def gathered_already(job_id: str) -> bool:
    progress = job_progress(job_id)
    return progress.total > 0 or progress.gather_errors > 0


# -- run-test: the whole job, then its outcome -------------------------------------------------

def run_job(harvester, job, claim: Claim) -> list[str]:
    """Run ``job`` to its end in this (run-test) process and print its outcome; returns []
    (nothing left for run-test's own loop)."""
    echo(f"Harvest job {job.id} ({job.source.type}, source {_source_name(job)}): started by run-test; "
         "it is also on the gather queue, so the gather consumer may take it")
    taken_here, object_ids = claim(job)
    skipped: frozenset[str] = frozenset()
    if taken_here:
        echo(f"Harvest job {job.id}: gathered in this process, {len(object_ids or [])} object(s); "
             "fetching and importing them here")
        skipped = _fetch_and_import(harvester, job, object_ids or [])
        job.gather_finished = job.gather_finished or dt.datetime.utcnow()
        job.save()
    else:
        echo(f"Harvest job {job.id}: taken by another process (the gather consumer); waiting until it is "
             "gathered and every object is fetched and imported")
    progress = _wait(job, skipped)
    if progress.done and progress.status != "Finished":
        model.Session.commit()
        model.Session.expire_all()
        toolkit.get_action("harvest_jobs_run")({"ignore_auth": True}, {"source_id": job.source_id})
    _report(job, skipped, progress)
    return []


def _fetch_and_import(harvester, job, object_ids: list[str]) -> frozenset[str]:
    """What ckanext-harvest's run-test does with the ids gather returns (its force_import
    GUID honoured); an object that raises is recorded as errored instead of ending the job."""
    from ckanext.harvest import queue

    forced = getattr(job, "force_import", None)
    skipped = set()
    for object_id in object_ids:
        obj = HarvestObject.get(object_id)
        if obj is None:
            continue
        if forced:
            if obj.guid not in forced:
                log.info("Skipping: %s", obj.guid)
                skipped.add(object_id)
                continue
            obj.force_import = True
        try:
            queue.fetch_and_import_stages(harvester, obj)
        except Exception as error:  # noqa: BLE001 - recorded on the object, the job goes on
            log.exception("Harvest object %s failed", object_id)
            model.Session.rollback()
            obj = HarvestObject.get(object_id)
            HarvestObjectError.create(f"Unexpected {type(error).__name__}: {error}", obj, "Import")
            obj.state = "ERROR"
            obj.report_status = "errored"
            obj.save()
    return frozenset(skipped)


def _wait_limit() -> float:
    minutes = toolkit.asint(toolkit.config.get("ckan.harvest.timeout") or 0) or DEFAULT_WAIT_MINUTES
    return minutes * 60.0


def _wait(job, skipped: frozenset[str]) -> JobProgress:
    started = time.monotonic()
    deadline = started + _wait_limit()
    said = started
    while True:
        progress = job_progress(job.id, skipped)
        if progress.done or time.monotonic() > deadline:
            return progress
        if time.monotonic() - said >= PROGRESS_EVERY:
            said = time.monotonic()
            echo(f"Harvest job {job.id}: still running ({'gathered' if progress.gathered else 'gathering'}; "
                 f"{progress.total - progress.pending} of {progress.total} object(s) done)")
        time.sleep(POLL_SECONDS)


def _report(job, skipped: frozenset[str], progress: JobProgress) -> None:
    model.Session.expire_all()
    shown = toolkit.get_action("harvest_job_show")({"ignore_auth": True}, {"id": job.id})
    stats = shown.get("stats") or {}
    counts = ", ".join(f"{key}: {stats.get(key, 0)}" for key in ("added", "updated", "not modified", "deleted", "errored"))
    if shown["status"] == "Finished":
        echo(f"Harvest job {job.id}: Finished. Objects: {progress.total}; {counts}")
    else:
        now = job_progress(job.id, skipped)
        echo(f"Harvest job {job.id}: NOT finished (status {shown['status']}): "
             f"{'gathered' if now.gathered else 'not gathered yet'}, {now.pending} of {now.total} object(s) "
             f"not fetched and imported yet after {_wait_limit() / 60:.0f} min; {counts}. Is the harvest fetch "
             "consumer running? It will finish the job.")
    if skipped:
        echo(f"Harvest job {job.id}: {len(skipped)} object(s) skipped (not the GUID asked for); "
             "the fetch consumer will process them")
    for error in (shown.get("gather_error_summary") or [])[:10]:
        echo(f"  job error ({error.get('error_count', 1)}x): {error.get('message')}")
    for error in (shown.get("object_error_summary") or [])[:10]:
        echo(f"  object error ({error.get('error_count', 1)}x): {error.get('message')}")


def _source_name(job) -> str:
    package = model.Package.get(job.source_id)
    return package.name if package is not None else job.source_id


# -- ckanext-dcat's dcat_rdf harvester, through IDCATRDFHarvester.before_download -------------

_local = threading.local()
_seen_jobs: set[str] = set()


@contextlib.contextmanager
def _nested() -> Iterator[None]:
    _local.nested = True
    try:
        yield
    finally:
        _local.nested = False


def _claim_in_redis(job_id: str, who: str) -> str | None:
    """Claim a DCAT job for ``who`` ("run-test" or "consumer"): None when this process got
    it (Redis SET NX), else who holds it. None too without Redis (the stock behaviour)."""
    from ckan.lib.redis import connect_to_redis
    key = f"binhduong:harvest-gather-claim:{job_id}"
    try:
        redis = connect_to_redis()
        if redis.set(key, who, nx=True, ex=CLAIM_SECONDS):
            return None
        holder = redis.get(key)
        return holder.decode() if isinstance(holder, bytes) else str(holder)
    except Exception as error:  # noqa: BLE001 - no Redis: the stock behaviour
        log.warning("Could not claim harvest job %s in Redis (%s); gathering it anyway", job_id, error)
        return None


def dcat_before_download(url: str, harvest_job) -> tuple[str | None, list[str]]:
    """``IDCATRDFHarvester.before_download``: called by the dcat_rdf gather for each page of
    the source, for every plugin implementing the interface. Acts once per job and process."""
    if getattr(_local, "nested", False) or harvest_job is None or harvest_job.id in _seen_jobs:
        return url, []
    _seen_jobs.add(harvest_job.id)
    if not in_run_test():
        # A consumer steps back only for run-test; a job delivered again to a consumer
        # (ckanext-harvest's resubmit_jobs) is gathered as before.
        if _claim_in_redis(harvest_job.id, "consumer") != "run-test":
            return url, []
        log.info("Harvest job %s is run by `ckan harvester run-test`; nothing to gather here", harvest_job.id)
        return None, []

    from ckanext.harvest import queue
    harvester = queue.get_harvester(harvest_job.source.type)

    def claim(job):
        if _claim_in_redis(job.id, "run-test") is not None or gathered_already(job.id):
            return False, []
        with _nested():
            ids = harvester.gather_stage(job)
        return True, ids if isinstance(ids, list) else None

    run_job(harvester, harvest_job, claim)
    return None, []  # the outer gather stops here: the job is done
