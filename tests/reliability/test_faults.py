"""Faults in the middle of the work: PostgreSQL, Redis and Solr are stopped in turn, through
the project's supervisor, while a harvest job runs and while a publisher uploads a table.
After they come back the catalogue has no lost, duplicated or half-published dataset, and a
job either finished or, re-run, gives the same result as a clean run."""
from __future__ import annotations

import json
import time
import uuid

import ckanapi
import pytest
import requests

from bd_factories import valid_dataset
from local_server import SampleServer
from portal_harvest import finish_jobs, purge_harvest, run_job
from procedures_source import PROCEDURES_PAGES, STATISTICS_CSV, copy_samples, source_config

from .supervisor import state_and_pid, supervisorctl, wait_until

SERVICES = ["postgresql", "redis", "solr"]
PORTAL_PROGRAMS = ["portal:ckan-web", "portal:ckan-worker", "portal:harvest-gather", "portal:harvest-fetch"]
OUTAGE_SECONDS = 4
NOTHING = {"added": 0, "updated": 0, "not modified": 0, "errored": 0, "deleted": 0}
# A job the outage did not break finishes within seconds of the service's return; a broken one
# is re-run rather than waited for.
BROKEN_JOB_WAIT = 10


def _portal_answers(portal_url: str) -> bool:
    try:
        return requests.get(f"{portal_url}/api/3/action/package_search", params={"rows": 0},
                            timeout=10).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def sample_server(tmp_path):
    copy_samples(tmp_path)
    server = SampleServer(tmp_path)
    yield server
    server.close()


@pytest.fixture
def procedures_harvest(portal_api, sample_server):
    suffix = uuid.uuid4().hex[:8]
    names = {"procedures": f"thu-tuc-su-co-{suffix}", "statistics": f"ho-so-su-co-{suffix}"}
    organization = source = None
    try:
        organization = portal_api.action.organization_create(name=f"su-co-{suffix}", title="Kiểm thử sự cố (dữ liệu mẫu)")
        source = portal_api.action.harvest_source_create(
            name=f"nguon-su-co-{suffix}", title="Nguồn kiểm thử sự cố (dữ liệu mẫu)",
            url=sample_server.url(PROCEDURES_PAGES[0]), source_type="bd_procedures", frequency="MANUAL",
            config=json.dumps(source_config(sample_server.url(STATISTICS_CSV), names, organization["name"]),
                              ensure_ascii=False),
            owner_org=organization["id"])
        yield {"organization": organization, "source": source, "names": names}
    finally:
        purge_harvest(portal_api, organization, source, names)


LOAD_SECONDS = 120  # for xloader to load a published CSV into the DataStore


def _rows(api, resource: dict) -> int | None:
    """Rows of the resource's DataStore table once its load is over; None when it has none."""
    if resource.get("format") != "CSV":
        return None

    def loaded():
        status = api.action.xloader_status(resource_id=resource["id"]).get("status")
        return status in ("complete", "error") and status
    try:
        wait_until(loaded, LOAD_SECONDS, f"the DataStore load of {resource['name']}", interval=1)
        return api.action.datastore_search(resource_id=resource["id"], limit=0)["total"]
    except (AssertionError, ckanapi.NotFound):
        return None


def _published(api, harvest) -> dict:
    """What the source has published: dataset name -> {resource name: DataStore rows}."""
    found = api.action.package_search(fq=f'harvest_source_id:"{harvest["source"]["id"]}"', include_private=True,
                                      rows=100)["results"]
    return {dataset["name"]: {resource["name"]: _rows(api, resource) for resource in dataset["resources"]}
            for dataset in found}


def _upload_during(service: str, portal_url: str, token: str, dataset_id: str) -> requests.Response | None:
    """A publisher's table upload sent while ``service`` is stopped (the answer, or None when
    the portal could not answer at all)."""
    table = "ma_xa,ten_xa,so_tram\n25741,Phường Phú Cường,12\n25744,Phường Hiệp Thành,9\n".encode()
    try:
        return requests.post(f"{portal_url}/api/3/action/resource_create", timeout=120,
                             headers={"Authorization": token},
                             data={"package_id": dataset_id, "name": "Trạm theo phường", "format": "CSV"},
                             files={"upload": ("tram.csv", table)})
    except requests.RequestException:
        return None


def _harvest_is_whole(portal_api, procedures_harvest, job: dict) -> None:
    """The job finished, or an operator's re-run finishes it; either way the source's two
    datasets exist once each with their tables loaded, and another run changes nothing."""
    source_id = procedures_harvest["source"]["id"]
    try:
        finish_jobs(portal_api, source_id, timeout=BROKEN_JOB_WAIT)
    except BaseException:  # a job the outage broke is re-run below, as an operator would
        pass
    if portal_api.action.harvest_job_show(id=job["id"])["status"] != "Finished" or not _published(
            portal_api, procedures_harvest):
        portal_api.action.harvest_job_abort(source_id=source_id)
        run_job(portal_api, source_id)
    published = _published(portal_api, procedures_harvest)
    assert set(published) == set(procedures_harvest["names"].values()), published  # none lost, none doubled
    tables = [rows for resources in published.values() for name, rows in resources.items() if "(CSV)" in name]
    assert tables and all(rows for rows in tables), published  # none half-published
    again = run_job(portal_api, source_id)
    assert again["stats"] == {**NOTHING, "not modified": 2}, again  # the same result as a clean run
    assert _published(portal_api, procedures_harvest) == published


def _upload_is_whole_or_absent(portal_api, dataset: dict, response: requests.Response | None) -> None:
    resources = portal_api.action.package_show(id=dataset["id"])["resources"]
    assert len(resources) <= 1, resources  # never doubled
    if response is not None and response.status_code == 200:
        assert [r["id"] for r in resources] == [response.json()["result"]["id"]]
    if resources:  # kept: it must become whole, by itself or by re-running the load
        resource = resources[0]
        if not resource.get("datastore_active"):
            portal_api.action.xloader_submit(resource_id=resource["id"], ignore_hash=True)
        wait_until(lambda: portal_api.action.resource_show(id=resource["id"]).get("datastore_active"), LOAD_SECONDS,
                   "the table loaded into the DataStore")
        assert portal_api.action.datastore_search(resource_id=resource["id"])["total"] == 2
        found = portal_api.action.package_search(fq=f'id:"{dataset["id"]}"', include_private=True)
        assert found["count"] == 1 and len(found["results"][0]["resources"]) == 1  # the index agrees


@pytest.mark.parametrize("service", SERVICES)
def test_a_harvest_job_and_an_upload_survive_an_outage_in_their_middle(
        portal_url, portal_api, agency_editor, sample_server, procedures_harvest, service):
    dataset = portal_api.action.package_create(**valid_dataset(agency_editor["organization"]["id"]))
    sample_server.delay = 1.0  # four requests: the job lasts several seconds
    job = portal_api.action.harvest_job_create(source_id=procedures_harvest["source"]["id"], run=True)
    wait_until(lambda: sample_server.requests, 60, "the job fetching its source")
    supervisorctl("stop", service)
    assert state_and_pid(service)[0] == "STOPPED"
    stopped = time.monotonic()
    try:
        response = _upload_during(service, portal_url, agency_editor["token"], dataset["id"])
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
    finally:
        supervisorctl("start", service)
    wait_until(lambda: state_and_pid(service)[0] == "RUNNING", 120, f"{service} running")
    wait_until(lambda: _portal_answers(portal_url), 180, "the portal answering searches")
    wait_until(lambda: all(state_and_pid(program)[0] == "RUNNING" for program in PORTAL_PROGRAMS), 120,
               "every portal program running")
    sample_server.delay = 0.0
    _upload_is_whole_or_absent(portal_api, dataset, response)
    _harvest_is_whole(portal_api, procedures_harvest, job)
