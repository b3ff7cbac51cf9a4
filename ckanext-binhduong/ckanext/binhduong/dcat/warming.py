"""Warming the DCAT cache in the background, so that no reader of /catalog.ttl pays for
rendering (dcat/fragments.py: a fragment's key changes with the code and configuration,
the dataset, its organization or its quality measurement; a miss is rendered on read).

Two kinds of jobs on CKAN's jobs worker (RQ, queue ``bd_background``: background.py):

- **The whole catalogue** (``warm_catalogue``), when the version of code and configuration
  changed: ``ckan binhduong dcat warm`` (run by ``make up``; it only enqueues) compares the
  version with the one the last complete warming recorded in Redis and enqueues a job if
  they differ. A job walks the catalogue in its order by key, in batches of
  ``ckanext.binhduong.dcat.warm_batch`` datasets (200), renders and stores what is not
  current (a batch that is current costs two queries), pauses
  ``ckanext.binhduong.dcat.warm_pause`` seconds between batches (0.5: the portal has two
  cores, web requests keep one), and after about ``JOB_SECONDS`` enqueues its own
  continuation at the end of the queue, so other jobs are never held up for long.
- **Changed datasets** (``warm_changed``): after a dataset is created or updated (its
  resources too: CKAN's resource actions go through ``package_update``), made public, or
  moved, and for every public dataset of an organization that was updated. The ids go into a
  Redis set, and one job is queued while none is waiting (``background.enqueue_once``, key
  ``CHANGED_KEY``): a harvest of thousands of datasets makes a few jobs of 200, not
  thousands. The hook is CKAN's ``action_succeeded`` signal, sent after the action returned,
  i.e. after its commit and search indexing (``background.after_commit`` waits for the
  caller's commit when the action was told to defer it), the same signal that queues the
  quality measurement (quality/jobs.py). ``ckanext.binhduong.dcat.warm_on_change = false``
  turns it off.
- **After a new quality measurement**: a changed dataset is measured again by the quality
  job queued with the change, and its score is part of its fragment's key. ``warm_changed``
  leaves a dataset changed since its last measurement to that job, which notes it for
  warming once the new row is stored (``after_measurement``), whichever of the two jobs
  runs first and on whichever worker.

A job renders through the same code as a catalogue page (``cached_catalogue.current_fragments``),
from the same search with the same visibility filter, so it stores exactly the keys the
next reader looks for. Nothing here is needed for correctness: a miss is still rendered on
read.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Iterable

import ckan.plugins.toolkit as toolkit

from ckanext.binhduong import background
from ckanext.binhduong.dcat import cached_catalogue, fragments, paging, quality, visibility

__all__ = ["after_measurement", "enqueue_changed", "on_action", "run_catalogue", "start", "status", "warm_catalogue",
           "warm_changed"]

log = logging.getLogger(__name__)

BATCH_OPTION = "ckanext.binhduong.dcat.warm_batch"
PAUSE_OPTION = "ckanext.binhduong.dcat.warm_pause"
ON_CHANGE_OPTION = "ckanext.binhduong.dcat.warm_on_change"
JOB_SECONDS = 30  # a job enqueues its continuation after about this long
FLAG_SECONDS = 3600  # the "catalogue warming under way" flag left by a lost job expires after this
PENDING_SECONDS = 7 * 86400
CHANGED_KEY = "dcat-warm-changed"  # the one waiting warm_changed job (background.enqueue_once)

# Actions after which datasets may read differently in the catalogue. package_patch,
# package_revise and the resource actions call package_update, which sends its own signal.
DATASET_ACTIONS = {"package_create", "package_update", "package_owner_org_update"}
ORGANIZATION_ACTIONS = {"organization_update"}
# Datasets made public; measurements recomputed (whose values the catalogue writes).
OTHER_ACTIONS = {"bulk_update_public", "binhduong_quality_compute"}


def _batch() -> int:
    return max(1, int(toolkit.config.get(BATCH_OPTION) or 200))


def _pause() -> float:
    value = toolkit.config.get(PAUSE_OPTION)
    return max(0.0, float(0.5 if value in (None, "") else value))


def _name(suffix: str) -> str:
    return f"{toolkit.config.get('ckan.site_id') or 'ckan'}:binhduong:dcat:{suffix}"


def _context() -> dict[str, Any]:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _rows(context: dict, after: tuple[str, str] | None = None, ids: list[str] | None = None,
          limit: int = 200) -> list[dict]:
    """Catalogue rows (id, metadata_modified, organization) in the catalogue's order, from
    the catalogue's own search and visibility filter."""
    fq_list = paging.filters({})
    if after:
        fq_list.append(paging.after_filter(after))
    if ids:
        fq_list.append("id:(" + " OR ".join(f'"{i}"' for i in ids) + ")")
    with visibility.serving_catalogue():
        found = toolkit.get_action("package_search")(dict(context), {
            "q": "*:*", "fq_list": fq_list, "rows": limit, "start": 0, "sort": paging.SORT,
            "fl": [f"{alias}:{field}" for field, alias in paging.FIELDS.items()],
        })
    return [{field: row.get(alias) for field, alias in paging.FIELDS.items()} for row in found["results"]]


def _warm_rows(context: dict, rows: list[dict]) -> int:
    """Render and store what is not current among these rows; returns how many were rendered."""
    before = cached_catalogue.stats["rendered"]
    cached_catalogue.current_fragments(context, rows, cached_catalogue.configured_profiles())
    return cached_catalogue.stats["rendered"] - before


def _version() -> str:
    return fragments.version(cached_catalogue.configured_profiles())


# -- the whole catalogue -------------------------------------------------------------------

def run_catalogue(after: tuple[str, str] | None = None, seconds: float | None = None,
                  pause: float | None = None) -> dict[str, Any]:
    """Warm the catalogue from ``after`` (its start if None) in this process, for at most
    ``seconds`` (all of it if None). Returns the counts and where it stopped (``after``,
    None when it reached the end)."""
    context, batch = _context(), _batch()
    pause = _pause() if pause is None else pause
    started = time.monotonic()
    report = {"datasets": 0, "rendered": 0, "after": after}
    while True:
        rows = _rows(context, after=after, limit=batch)
        if not rows:
            report["after"] = None
            return report
        report["rendered"] += _warm_rows(context, rows)
        report["datasets"] += len(rows)
        after = (str(rows[-1]["metadata_modified"]), rows[-1]["id"])
        report["after"] = after
        if len(rows) < batch:
            report["after"] = None
            return report
        if seconds is not None and time.monotonic() - started >= seconds:
            return report
        if pause:
            time.sleep(pause)


def warm_catalogue(version: str, after: list[str] | None = None, done: int = 0, rendered: int = 0) -> None:
    """Job: one stretch of the catalogue's warming, then its continuation (or, at the end,
    the version recorded as warm)."""
    report = run_catalogue(tuple(after) if after else None, seconds=JOB_SECONDS)
    done, rendered = done + report["datasets"], rendered + report["rendered"]
    current = _version()
    if current != version:
        log.warning("DCAT warming: this worker's code or configuration (%s) is not the one the warming "
                    "was started for (%s); its fragments are keyed for this worker's", current, version)
    if report["after"] is None:
        background.redis().set(_name("warmed"), current)
        background.redis().delete(_name("warming"))
        log.info("DCAT warming done: %d datasets, %d rendered (version %s)", done, rendered, current)
        return
    log.info("DCAT warming: %d datasets so far, %d rendered; continuing", done, rendered)
    background.redis().set(_name("warming"), version, ex=FLAG_SECONDS)
    background.enqueue(warm_catalogue, [version, list(report["after"]), done, rendered],
                       title="DCAT cache: warm the catalogue (continued)")


def status() -> dict[str, Any]:
    """The version of this process, the one last warmed, and whether a warming is queued."""
    redis = background.redis()
    warmed, warming = redis.get(_name("warmed")), redis.get(_name("warming"))
    return {"version": _version(), "warmed": warmed.decode() if warmed else None,
            "warming": warming.decode() if warming else None}


def start(force: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """Enqueue the catalogue's warming when the version changed since the last complete one
    (or with ``force``), unless one for this version is already queued. Does not wait."""
    state = status()
    needed = force or (state["warmed"] != state["version"] and state["warming"] != state["version"])
    state["enqueued"] = False
    if needed and not dry_run and fragments.enabled():
        background.redis().set(_name("warming"), state["version"], ex=FLAG_SECONDS)
        job = background.enqueue(warm_catalogue, [state["version"]], title="DCAT cache: warm the catalogue")
        state["enqueued"], state["job"] = True, job.id
    state["needed"] = needed
    return state


# -- changed datasets ----------------------------------------------------------------------

def enqueue_changed(dataset_ids: Iterable[str]) -> bool:
    """Note these datasets for warming and queue a job unless one is waiting. Returns
    whether a job was queued."""
    ids = [str(i) for i in dataset_ids if i]
    if not ids:
        return False
    redis = background.redis()
    pending = _name("pending")
    redis.sadd(pending, *ids)
    redis.expire(pending, PENDING_SECONDS)
    return background.enqueue_once(CHANGED_KEY, warm_changed, title="DCAT cache: warm changed datasets") is not None


def warm_changed() -> dict[str, int]:
    """Job: render the fragments of the datasets noted as changed, a batch at a time.

    A dataset changed since its last quality measurement is left to the measurement queued
    with the change (quality/jobs.py): a new score changes its key again, and that job notes
    the dataset for warming once it is measured (``after_measurement``)."""
    redis, batch, context = background.redis(), _batch(), _context()
    # A change noted from now on queues the next job: this one has started.
    started, report = time.monotonic(), {"datasets": 0, "rendered": 0, "awaiting_measurement": 0}
    while True:
        ids = [i.decode() if isinstance(i, bytes) else i for i in redis.spop(_name("pending"), batch) or []]
        if not ids:
            break
        awaiting = quality.awaiting_measurement(ids)
        report["awaiting_measurement"] += len(awaiting)
        rest = [i for i in ids if i not in awaiting]
        if rest:
            report.update(_warm_ids(context, rest, report))
        if time.monotonic() - started >= JOB_SECONDS:
            if redis.scard(_name("pending")):
                background.enqueue_once(CHANGED_KEY, warm_changed, title="DCAT cache: warm changed datasets (continued)")
            break
        if _pause():
            time.sleep(_pause())
    log.info("DCAT warming of changed datasets: %(datasets)d in the catalogue, %(rendered)d rendered, "
             "%(awaiting_measurement)d left to their quality measurement", report)
    return report


def after_measurement(dataset_ids: Iterable[str]) -> bool:
    """The quality job stored new measurements of these datasets: note them for warming
    (when warming on change is on). Returns whether a job was queued."""
    if not _on_change():
        return False
    return enqueue_changed(dataset_ids)


def _warm_ids(context: dict, ids: list[str], report: dict) -> dict[str, int]:
    rows = _rows(context, ids=ids, limit=len(ids))  # private or deleted ones are not in the catalogue
    return {"rendered": report["rendered"] + _warm_rows(context, rows), "datasets": report["datasets"] + len(rows)}


def _organization_datasets(organization_id: str) -> list[str]:
    import sqlalchemy as sa
    from ckan import model

    with model.meta.engine.connect() as connection:
        return [row[0] for row in connection.execute(sa.text(
            "SELECT id FROM package WHERE owner_org = :org AND state = 'active' AND NOT private "
            "AND type = 'dataset'"), {"org": organization_id})]


def _on_change() -> bool:
    return toolkit.asbool(toolkit.config.get(ON_CHANGE_OPTION, True)) and fragments.enabled()


def on_action(sender: str, **kwargs) -> None:
    """CKAN's action_succeeded signal (plugin's ISignal): note what the action changed."""
    if sender not in DATASET_ACTIONS and sender not in ORGANIZATION_ACTIONS and sender not in OTHER_ACTIONS:
        return
    if not _on_change():
        return
    result, data_dict = kwargs.get("result"), kwargs.get("data_dict") or {}
    try:
        if sender == "binhduong_quality_compute":
            # Only the datasets whose values changed miss; the walk finds them.
            if not (data_dict.get("dry_run") or background.redis().get(_name("warming"))):
                start(force=True)
            return
        if sender in DATASET_ACTIONS:
            dataset_id = result.get("id") if isinstance(result, dict) else (result if isinstance(result, str) else None)
            ids = [dataset_id or data_dict.get("id")]
        elif sender == "bulk_update_public":
            ids = list(data_dict.get("datasets") or [])
        else:
            ids = _organization_datasets(result["id"]) if isinstance(result, dict) and result.get("id") else []
        background.after_commit(kwargs.get("context") or {}, enqueue_changed, [i for i in ids if i])
    except Exception as error:  # noqa: BLE001 - warming is an optimisation; never fail the action
        log.warning("DCAT warming not queued after %s: %s", sender, error)
