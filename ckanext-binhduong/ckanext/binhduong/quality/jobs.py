"""Background jobs of data quality (CKAN's jobs worker, queue ``bd_background``: background.py).

A dataset created or changed (an edit, a new resource: CKAN's resource actions go through
``package_update``; a harvest) is measured again by ``measure_dataset`` in the worker a
moment later, so pages only ever read the stored row (``compute.stored``). The scheduled
``ckan binhduong quality compute`` catches anything a job missed (the worker down, Redis
down), so a changed dataset has a fresh score within one scheduler interval at worst.

The same job validates the dataset's tabular resources (CSV, XLSX) whose file is new or
changed (quality/tables.py): uploads and harvested files alike, since CKAN's resource
actions and the harvesters all go through ``package_create``/``package_update``. After
xloader loaded a table (its data dictionary may be new), ``validate_resource`` validates it again.
"""
from __future__ import annotations

import logging
import time

import ckan.plugins.toolkit as toolkit
from ckan import model

from ckanext.binhduong import background

__all__ = ["after_dataset_write", "after_resource_write", "enqueue_measure", "enqueue_validation", "measure_dataset", "validate_resource"]

log = logging.getLogger(__name__)

# A queued job older than this is dropped (the scheduler's run measures the dataset anyway).
QUEUED_TTL = 24 * 3600
# The hook runs before package_update commits: the job waits this long at most for the
# version it was queued for to be visible.
WAIT_FOR_COMMIT = 15.0


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


def enqueue_measure(dataset_id: str) -> bool:
    package = model.Package.get(dataset_id)
    expected = package.metadata_modified.isoformat() if package is not None and package.metadata_modified else ""
    return _enqueue(measure_dataset, [dataset_id, expected], f"quality: measure {dataset_id}",
                    f"quality-measure:{dataset_id}")


def enqueue_validation(resource_id: str) -> bool:
    return _enqueue(validate_resource, [resource_id], f"quality: validate table {resource_id}",
                    f"quality-table:{resource_id}")


def after_dataset_write(context: dict, pkg_dict: dict) -> None:
    """IPackageController after create/update: measure the dataset again in the background."""
    dataset_id = pkg_dict.get("id")
    if not dataset_id or context.get("bd_quality_job"):
        return
    enqueue_measure(dataset_id)


def after_resource_write(resource: dict) -> None:
    """IXloader after_upload: validate the table again in the background (its data
    dictionary is in the DataStore now)."""
    from ckanext.binhduong.quality import tables

    if resource.get("id") and tables.is_tabular(resource):
        enqueue_validation(resource["id"])


def _site_context() -> dict:
    site_user = toolkit.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True, "bd_quality_job": True}


def measure_dataset(dataset_id: str, expected_modified: str = "") -> dict | None:
    """Job: measure one dataset and store the row (nothing for a dataset gone meanwhile)."""
    from ckanext.binhduong.quality import compute, store

    deadline = time.monotonic() + WAIT_FOR_COMMIT
    while True:
        model.Session.remove()  # a fresh transaction: see what was committed since
        try:
            pkg = toolkit.get_action("package_show")(_site_context(), {"id": dataset_id})
        except toolkit.ObjectNotFound:
            return None
        if (pkg.get("metadata_modified") or "") >= expected_modified or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    if pkg.get("state") != "active" or pkg.get("type", "dataset") != "dataset":
        return None
    row = compute.measure(pkg)
    store.save([row])
    from ckanext.binhduong.quality import tables

    for resource in tables.tabular_resources(pkg["id"], changed_only=True):
        tables.validate_and_store(resource["id"])
    return row


def validate_resource(resource_id: str) -> dict | None:
    """Job: validate one tabular resource (quality/tables.py) and store the report."""
    from ckanext.binhduong.quality import tables

    model.Session.remove()
    return tables.validate_and_store(resource_id)
