"""Purging harvest sources for good.

ckanext-harvest's API can clear a source (its jobs and the datasets it made) and delete it
(the source dataset goes to the trash, the source is marked inactive), and CKAN can purge the
source dataset; but no action removes the harvest_source row and its jobs, objects and
errors. Rows left behind by a purged source dataset stay "active" for the scheduler, which
keeps trying to start jobs for a source nobody can see. These actions remove them.

Datasets a source published are kept (as ordinary datasets, no longer linked to a harvest
object); clear the source first (`harvest_source_clear`) to remove them too.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as toolkit

from ckanext.binhduong.logic import schema

__all__ = ["binhduong_harvest_source_purge", "binhduong_harvest_source_purge_orphans"]

log = logging.getLogger(__name__)


def _validate(data_dict: dict, action_schema: dict, context: dict) -> dict:
    data, errors = toolkit.navl_validate(data_dict, action_schema, context)
    if errors:
        raise toolkit.ValidationError(errors)
    return data


def _source_rows(source_id: str) -> dict[str, Any]:
    """The queries selecting a source's bookkeeping rows, children first."""
    from ckanext.harvest.model import (
        HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError, HarvestObjectExtra,
    )

    jobs = model.Session.query(HarvestJob.id).filter(HarvestJob.source_id == source_id)
    objects = model.Session.query(HarvestObject.id).filter(HarvestObject.harvest_source_id == source_id)
    return {
        "object_extras": model.Session.query(HarvestObjectExtra).filter(
            HarvestObjectExtra.harvest_object_id.in_(objects.scalar_subquery())),
        "object_errors": model.Session.query(HarvestObjectError).filter(
            HarvestObjectError.harvest_object_id.in_(objects.scalar_subquery())),
        "objects": model.Session.query(HarvestObject).filter(HarvestObject.harvest_source_id == source_id),
        "gather_errors": model.Session.query(HarvestGatherError).filter(
            HarvestGatherError.harvest_job_id.in_(jobs.scalar_subquery())),
        "jobs": model.Session.query(HarvestJob).filter(HarvestJob.source_id == source_id),
    }


def _purge_rows(source, dry_run: bool) -> dict[str, Any]:
    from ckanext.harvest.model import HarvestObject

    rows = _source_rows(source.id)
    report: dict[str, Any] = {"id": source.id, "url": source.url, "title": source.title}
    report.update({kind: query.count() for kind, query in rows.items()})
    report["datasets_kept"] = (model.Session.query(HarvestObject.package_id)
                               .filter(HarvestObject.harvest_source_id == source.id,
                                       HarvestObject.package_id.isnot(None))
                               .distinct().count())
    if not dry_run:
        for query in rows.values():
            query.delete(synchronize_session=False)
        model.Session.delete(source)
    return report


def binhduong_harvest_source_purge(context: dict, data_dict: dict) -> dict[str, Any]:
    """Remove a harvest source for good: its jobs, harvest objects and errors, the
    harvest_source row and the source dataset. The datasets it published are kept.

    :param id: the source's id or name
    :param dry_run: report what would be removed without removing it (default false)
    :returns: counts of what was (or would be) removed, and of the datasets kept
    """
    toolkit.check_access("binhduong_harvest_source_purge", context, data_dict)
    data = _validate(data_dict, schema.harvest_source_purge_schema(), context)
    from ckanext.harvest.model import HarvestJob, HarvestSource

    package = model.Package.get(data["id"])
    source = HarvestSource.get(package.id if package else data["id"])
    if source is None:
        raise toolkit.ObjectNotFound(toolkit._("Harvest source not found"))
    running = (model.Session.query(HarvestJob)
               .filter(HarvestJob.source_id == source.id, HarvestJob.status.in_(("New", "Running"))).count())
    if running:
        raise toolkit.ValidationError({"id": [toolkit._(
            "The source has a job that is not finished; stop it (harvest_job_abort) before purging the source")]})
    dry_run = data.get("dry_run", False)
    report = _purge_rows(source, dry_run)
    report["dry_run"] = dry_run
    if dry_run:
        return report
    model.Session.flush()
    if package is not None:
        toolkit.get_action("dataset_purge")(dict(context, ignore_auth=True), {"id": package.id})
    model.Session.commit()
    log.info("Harvest source %s purged: %s", source.id, report)
    return report


def binhduong_harvest_source_purge_orphans(context: dict, data_dict: dict) -> dict[str, Any]:
    """Remove the harvest_source rows (with their jobs, objects and errors) whose source
    dataset no longer exists, as left by purging a source dataset directly.

    :param dry_run: list them without removing anything (default false)
    :returns: ``{"sources": [report per source], "dry_run": ...}``
    """
    toolkit.check_access("binhduong_harvest_source_purge_orphans", context, data_dict)
    data = _validate(data_dict, schema.harvest_source_purge_orphans_schema(), context)
    from ckanext.harvest.model import HarvestSource

    dry_run = data.get("dry_run", False)
    orphans = (model.Session.query(HarvestSource)
               .outerjoin(model.Package, model.Package.id == HarvestSource.id)
               .filter(model.Package.id.is_(None)).order_by(HarvestSource.created).all())
    reports = [_purge_rows(source, dry_run) for source in orphans]
    if not dry_run:
        model.Session.commit()
        log.info("%d orphaned harvest source row(s) purged", len(reports))
    return {"sources": reports, "dry_run": dry_run}
