"""Purging harvest sources for good: the bookkeeping rows go, the published datasets stay, and
rows orphaned by a purged source dataset are found and removed (the scheduler would
otherwise keep starting jobs for them)."""
from __future__ import annotations

import json
import uuid

import pytest
import ckan.model as model
import ckan.plugins.toolkit as toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest.model import (
    HarvestGatherError, HarvestJob, HarvestObject, HarvestObjectError, HarvestObjectExtra, HarvestSource,
)

from bd_factories import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "with_request_context")


@pytest.fixture
def organization():
    return factories.Organization(email="kstthc@binhduong.gov.vn")


def make_source(sysadmin, organization, frequency="MANUAL") -> dict:
    return call_action("harvest_source_create", context={"user": sysadmin["name"]},
                       name=f"nguon-{uuid.uuid4().hex[:8]}", title="Nguồn mẫu", url=f"http://127.0.0.1:9/{uuid.uuid4().hex}.csv",
                       source_type="bd_procedures", frequency=frequency, config=json.dumps({}),
                       owner_org=organization["id"])


def with_history(source: dict, sysadmin: dict, organization: dict) -> dict:
    """A finished job that published one dataset, with an object error and a gather error."""
    job = HarvestJob(source_id=source["id"], status="Finished")
    job.save()
    dataset = call_action("package_create", context={"user": sysadmin["name"]}, **valid_dataset(organization["id"]))
    obj = HarvestObject(guid="thu-tuc", job=job, source=HarvestSource.get(source["id"]), package_id=dataset["id"],
                        content="{}", current=True)
    obj.extras = [HarvestObjectExtra(key="content_hash", value="abc")]
    obj.save()
    HarvestObjectError.create("Dòng 3: mã TTHC sai.", obj, "Import")
    HarvestGatherError.create("Nguồn không phản hồi.", job)
    return dataset


def counts(source_id: str) -> dict[str, int]:
    model.Session.remove()
    jobs = model.Session.query(HarvestJob).filter_by(source_id=source_id)
    objects = model.Session.query(HarvestObject).filter_by(harvest_source_id=source_id)
    return {
        "sources": model.Session.query(HarvestSource).filter_by(id=source_id).count(),
        "jobs": jobs.count(),
        "objects": objects.count(),
        "gather_errors": model.Session.query(HarvestGatherError).filter(
            HarvestGatherError.harvest_job_id.in_([j.id for j in jobs])).count(),
        "object_errors": model.Session.query(HarvestObjectError).filter(
            HarvestObjectError.harvest_object_id.in_([o.id for o in objects])).count(),
    }


def test_a_dry_run_reports_and_keeps_everything(sysadmin, organization):
    source = make_source(sysadmin, organization)
    with_history(source, sysadmin, organization)
    report = call_action("binhduong_harvest_source_purge", context={"user": sysadmin["name"]},
                         id=source["name"], dry_run=True)
    assert (report["jobs"], report["objects"], report["object_errors"], report["gather_errors"],
            report["datasets_kept"], report["dry_run"]) == (1, 1, 1, 1, 1, True)
    assert counts(source["id"]) == {"sources": 1, "jobs": 1, "objects": 1, "gather_errors": 1, "object_errors": 1}
    assert call_action("harvest_source_show", id=source["id"])["id"] == source["id"]


def test_purging_removes_the_source_and_its_history_and_keeps_its_datasets(sysadmin, organization):
    source = make_source(sysadmin, organization)
    dataset = with_history(source, sysadmin, organization)
    report = call_action("binhduong_harvest_source_purge", context={"user": sysadmin["name"]}, id=source["id"])
    assert report["jobs"] == 1 and report["datasets_kept"] == 1 and report["dry_run"] is False
    assert counts(source["id"]) == {"sources": 0, "jobs": 0, "objects": 0, "gather_errors": 0, "object_errors": 0}
    assert model.Package.get(source["id"]) is None
    assert call_action("package_show", id=dataset["id"])["state"] == "active"


def test_a_source_with_an_unfinished_job_is_not_purged(sysadmin, organization):
    source = make_source(sysadmin, organization)
    call_action("harvest_job_create", context={"user": sysadmin["name"]}, source_id=source["id"], run=False)
    with pytest.raises(toolkit.ValidationError) as raised:
        call_action("binhduong_harvest_source_purge", context={"user": sysadmin["name"]}, id=source["id"])
    assert "harvest_job_abort" in str(raised.value.error_dict["id"])
    assert counts(source["id"])["sources"] == 1


def test_orphaned_rows_are_found_and_purged(sysadmin, organization):
    kept = make_source(sysadmin, organization, frequency="DAILY")
    orphan = make_source(sysadmin, organization, frequency="DAILY")
    with_history(orphan, sysadmin, organization)
    call_action("dataset_purge", context={"user": sysadmin["name"]}, id=orphan["id"])  # what tests and admins did
    assert counts(orphan["id"])["sources"] == 1  # ckanext-harvest leaves the row, still active

    listed = call_action("binhduong_harvest_source_purge_orphans", context={"user": sysadmin["name"]}, dry_run=True)
    assert [s["id"] for s in listed["sources"]] == [orphan["id"]] and counts(orphan["id"])["jobs"] == 1

    purged = call_action("binhduong_harvest_source_purge_orphans", context={"user": sysadmin["name"]})
    assert [s["id"] for s in purged["sources"]] == [orphan["id"]]
    assert counts(orphan["id"]) == {"sources": 0, "jobs": 0, "objects": 0, "gather_errors": 0, "object_errors": 0}
    assert counts(kept["id"])["sources"] == 1


@pytest.mark.parametrize("action", ["binhduong_harvest_source_purge", "binhduong_harvest_source_purge_orphans"])
def test_only_sysadmins_may_purge(action, sysadmin, organization):
    source = make_source(sysadmin, organization)
    admin = factories.User()
    call_action("organization_member_create", id=organization["id"], username=admin["name"], role="admin")
    data = {"id": source["id"]} if action == "binhduong_harvest_source_purge" else {}
    with pytest.raises(toolkit.NotAuthorized):
        call_action(action, context={"user": admin["name"], "ignore_auth": False}, **data)
    assert counts(source["id"])["sources"] == 1


def test_unknown_parameters_and_sources_are_refused(sysadmin):
    with pytest.raises(toolkit.ValidationError):
        call_action("binhduong_harvest_source_purge_orphans", context={"user": sysadmin["name"]}, force=True)
    with pytest.raises(toolkit.ObjectNotFound):
        call_action("binhduong_harvest_source_purge", context={"user": sysadmin["name"]}, id="khong-co-nguon-nay")
