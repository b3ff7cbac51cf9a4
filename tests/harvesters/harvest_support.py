"""What every harvester test module uses: a harvest source run in process as the queue
consumers run it (gather, then fetch and import of each object, then harvest_jobs_run), and
readers of the job's report."""
from __future__ import annotations

import json
import uuid

from ckan import model
from ckan.plugins import toolkit
from ckan.tests.helpers import call_action
from ckanext.harvest import queue
from ckanext.harvest.model import HarvestJob, HarvestObject, HarvestSource


def plugins_with(harvester: str) -> str:
    """The test ini's plugins, with the harvester last (loaded whatever the ini says)."""
    configured = toolkit.config.get("ckan.plugins") or []
    names = configured.split() if isinstance(configured, str) else list(configured)
    return " ".join([name for name in names if name != harvester] + [harvester])


class Source:
    """A harvest source of ``harvester`` type, run by ``sysadmin``."""

    def __init__(self, source: dict, sysadmin: dict, harvester: str):
        self.id = source["id"]
        self.sysadmin = sysadmin
        self.harvester = harvester

    @classmethod
    def create(cls, sysadmin: dict, owner_org: str, url: str, harvester: str, config: dict | None = None,
               name_prefix: str = "nguon", title: str = "Nguồn thu thập (mẫu)") -> "Source":
        source = call_action(
            "harvest_source_create", context={"user": sysadmin["name"]},
            name=f"{name_prefix}-{uuid.uuid4().hex[:8]}", title=title, url=url, source_type=harvester,
            config=json.dumps(config or {}, ensure_ascii=False), owner_org=owner_org)
        return cls(source, sysadmin, harvester)

    @classmethod
    def maker(cls, sysadmin: dict, organization: dict, harvester: str, name_prefix: str, title: str):
        """make(url, config=None) -> Source: the make_source fixtures' function."""
        def make(url: str, config: dict | None = None) -> "Source":
            return cls.create(sysadmin, organization["id"], url, harvester, config, name_prefix=name_prefix, title=title)
        return make

    def run(self) -> HarvestJob:
        """One harvest job, as the gather and fetch consumers would run it."""
        job_dict = call_action("harvest_job_create", context={"user": self.sysadmin["name"]},
                               source_id=self.id, run=False)
        job = HarvestJob.get(job_dict["id"])
        job.status = "Running"
        job.save()
        harvester = queue.get_harvester(self.harvester)
        assert harvester is not None, f"{self.harvester} is not a loaded harvester"
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


def report(job: HarvestJob) -> dict:
    return call_action("harvest_job_report", id=job.id)


def gather_errors(job: HarvestJob) -> list[str]:
    return [error["message"] for error in report(job)["gather_errors"]]


def object_errors(job: HarvestJob) -> list[str]:
    return [error["message"] for obj in report(job)["object_errors"].values() for error in obj["errors"]]


def statuses(job: HarvestJob) -> dict[str, str]:
    """Report status per dataset key (the harvest object's guid after the source id)."""
    objects = model.Session.query(HarvestObject).filter(HarvestObject.harvest_job_id == job.id).all()
    return {obj.guid.split(":", 1)[1]: obj.report_status for obj in objects}
