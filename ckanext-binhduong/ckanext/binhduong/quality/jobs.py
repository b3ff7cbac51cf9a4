"""Background jobs of data quality (CKAN's jobs worker, queue ``bd_background``: background.py).

A dataset created or changed is measured again by ``measure_dataset`` in the worker a moment
later, so pages only ever read the stored row (``compute.stored``). The trigger is CKAN's
``action_succeeded`` signal for ``package_create`` and ``package_update`` (``on_action``), the
one the DCAT warming listens to (dcat/warming.py): it is sent after the action's commit, so
the job reads the version it was queued for. Every other action that changes a dataset goes
through ``package_update``, which sends its own signal: ``package_patch``, ``package_revise``,
the resource actions (create, update, patch, delete, reorder), the ``resource_patch`` of a
DataStore load, the approval of the review workflow (a ``package_patch``). An action called
with ``defer_commit`` (its caller commits) queues the job at that commit
(``background.after_commit``). The scheduled ``ckan binhduong quality compute`` catches
anything a job missed (the worker down, Redis down), so a changed dataset has a fresh score
within one scheduler interval at worst.

The same job validates the dataset's tabular resources (CSV, XLSX) whose file is new or
changed (quality/tables.py): uploads and harvested files alike, since CKAN's resource
actions and the harvesters all go through ``package_create``/``package_update``. After
xloader loaded a table (its data dictionary may be new), ``validate_resource`` validates it
again. A public dataset's new measurement changes its DCAT text (its score is in it): the
job notes the dataset for the DCAT warming once the row is stored.
"""
from __future__ import annotations

import logging

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.binhduong import background

__all__ = ["after_resource_write", "enqueue_measure", "enqueue_validation", "measure_dataset", "measure_key",
           "on_action", "validate_resource"]

log = logging.getLogger(__name__)

# A queued job older than this is dropped (the scheduler's run measures the dataset anyway).
QUEUED_TTL = 24 * 3600
# The actions whose success means a dataset changed (the others go through package_update).
DATASET_ACTIONS = {"package_create", "package_update"}


def _enqueue(function, args: list, title: str, key: str) -> bool:
    """Queue a job unless the same one (``key``) still waits (background.enqueue_once): a
    dataset saved ten times in a row (a harvest's create and updates, a form's steps) is
    measured once."""
    try:
        background.enqueue_once(key, function, args, title=title, ttl=QUEUED_TTL)
    except Exception as error:  # noqa: BLE001 (Redis away: the scheduler's run catches up)
        log.warning("Quality job %r not queued: %s", title, error)
        return False
    return True


def measure_key(dataset_id: str) -> str:
    """The key of a dataset's measurement job (background.enqueue_once, background.waiting)."""
    return f"quality-measure:{dataset_id}"


def enqueue_measure(dataset_id: str) -> bool:
    return _enqueue(measure_dataset, [dataset_id], f"quality: measure {dataset_id}", measure_key(dataset_id))


def enqueue_validation(resource_id: str) -> bool:
    return _enqueue(validate_resource, [resource_id], f"quality: validate table {resource_id}",
                    f"quality-table:{resource_id}")


def on_action(sender: str, **kwargs) -> None:
    """CKAN's action_succeeded signal (plugin's ISignal): measure a created or changed dataset
    again in the background, once the change is committed."""
    if sender not in DATASET_ACTIONS:
        return
    context, result = kwargs.get("context") or {}, kwargs.get("result")
    if context.get("bd_quality_job"):
        return
    # The dataset, or its id alone when the caller asked for return_id_only.
    dataset_id = result.get("id") if isinstance(result, dict) else result if isinstance(result, str) else None
    dataset_id = dataset_id or (kwargs.get("data_dict") or {}).get("id")
    if dataset_id:
        background.after_commit(context, enqueue_measure, dataset_id)


def after_resource_write(resource: dict) -> None:
    """IXloader after_upload: validate the table again in the background (its data
    dictionary is in the DataStore now)."""
    from ckanext.binhduong.quality import tables

    if resource.get("id") and tables.is_tabular(resource):
        enqueue_validation(resource["id"])


def _site_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, "bd_quality_job": True}


def measure_dataset(dataset_id: str) -> dict | None:
    """Job: measure one dataset and store the row (nothing for a dataset gone meanwhile)."""
    from ckanext.binhduong.quality import compute, store, tables

    model.Session.remove()  # a fresh transaction: see what was committed since the last job
    try:
        pkg = toolkit.get_action("package_show")(_site_context(), {"id": dataset_id})
    except toolkit.ObjectNotFound:
        return None
    if pkg.get("state") != "active" or pkg.get("type", "dataset") != "dataset":
        return None
    row = compute.measure(pkg)
    store.save([row])
    for resource in tables.tabular_resources(pkg["id"], changed_only=True):
        tables.validate_and_store(resource["id"])
    if not pkg.get("private"):
        from ckanext.binhduong.dcat import warming

        warming.after_measurement([pkg["id"]])
    return row


def validate_resource(resource_id: str) -> dict | None:
    """Job: validate one tabular resource (quality/tables.py) and store the report."""
    from ckanext.binhduong.quality import tables

    model.Session.remove()
    return tables.validate_and_store(resource_id)
