"""Shared pieces of the bd_civil_registry tests: the sample generator, a harvest source run
as the queue consumers run it, and readers of what was published."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import uuid

import pytest
from ckan import model
from ckan.lib import uploader
from ckan.plugins import toolkit
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource

from .conftest import SAMPLES

HARVESTER = "bd_civil_registry"
DATASET = "thong-ke-su-kien-ho-tich"


def _load_generator():
    spec = importlib.util.spec_from_file_location("bd_make_civil_samples", SAMPLES / "make_civil_registry_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


samples = _load_generator()


def plugins() -> str:
    configured = toolkit.config.get("ckan.plugins") or []
    names = configured.split() if isinstance(configured, str) else list(configured)
    return " ".join([n for n in names if n != HARVESTER] + [HARVESTER])


class Source:
    def __init__(self, source: dict, sysadmin: dict):
        self.id = source["id"]
        self.sysadmin = sysadmin

    def run(self) -> HarvestJob:
        job_dict = call_action("harvest_job_create", context={"user": self.sysadmin["name"]},
                               source_id=self.id, run=False)
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()
        harvester = queue.get_harvester(HARVESTER)
        assert harvester is not None, f"{HARVESTER} is not a loaded harvester"
        object_ids = queue.gather_stage(harvester, job)
        for object_id in object_ids if isinstance(object_ids, list) else []:
            queue.fetch_and_import_stages(harvester, HarvestObject.get(object_id))
        call_action("harvest_jobs_run", source_id=self.id)
        model.Session.remove()
        return HarvestJob.get(job.id)

    def set_url(self, url: str) -> None:
        source = HarvestSource.get(self.id)
        source.url = url
        source.save()


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def registry_office():
    return factories.Organization(name="so-tu-phap", title="Sở Tư pháp tỉnh Bình Dương",
                                  email="sotuphap@binhduong.gov.vn")


@pytest.fixture
def make_source(sysadmin, registry_office):
    def make(url: str, config: dict | None = None) -> Source:
        source = call_action(
            "harvest_source_create", context={"user": sysadmin["name"]},
            name=f"nguon-ho-tich-{uuid.uuid4().hex[:8]}", title="Hệ thống đăng ký hộ tịch (mẫu)", url=url,
            source_type=HARVESTER, config=json.dumps(config or {}, ensure_ascii=False),
            owner_org=registry_office["id"])
        return Source(source, sysadmin)
    return make


def report(job: HarvestJob) -> dict:
    return call_action("harvest_job_report", id=job.id)


def gather_errors(job: HarvestJob) -> list[str]:
    return [error["message"] for error in report(job)["gather_errors"]]


def object_errors(job: HarvestJob) -> list[str]:
    return [error["message"] for obj in report(job)["object_errors"].values() for error in obj["errors"]]


def statuses(job: HarvestJob) -> dict[str, str]:
    objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).all()
    return {obj.guid.split(":", 1)[1]: obj.report_status for obj in objects}


def dataset(name: str = DATASET) -> dict:
    return call_action("package_show", id=name)


def file_of(res: dict) -> bytes:
    path = uploader.get_resource_uploader(dict(res)).get_path(res["id"])
    with open(path, "rb") as handle:
        return handle.read()


def csv_rows(package: dict) -> list[dict]:
    resource = next(r for r in package["resources"] if r["format"] == "CSV")
    return list(csv.DictReader(io.StringIO(file_of(resource).decode("utf-8"))))


def activities(name: str = DATASET) -> int:
    from ckanext.activity.model import Activity

    return model.Session.query(Activity).filter(Activity.object_id == dataset(name)["id"]).count()


def snapshot(name: str = DATASET) -> dict:
    package = dataset(name)
    return {"metadata_modified": package["metadata_modified"], "activities": activities(name),
            "resources": [(r["id"], r.get("sha256"), file_of(r)) for r in package["resources"]]}
