"""The procedures harvester (bd_procedures) used as a harvest operator uses it: over the Action
API of the running portal, with the jobs done by the supervised gather and fetch consumers
(through Redis) and the DataStore load by the jobs worker (xloader).

The source is the SAMPLE export of the TTHC system (harvesters/samples/), served on 127.0.0.1:
the procedures as the paged JSON API (three pages linked by ``links.next``), the monthly
figures as the CSV with the two-row merged header. One harvest source, in an organization of
its own, goes through three jobs: the first publishes both datasets, the second (same source)
changes nothing, the third (source down) is reported in Vietnamese and changes nothing either.

Everything the module creates — organization, harvest source, its jobs and objects, the two
datasets and their DataStore tables — is purged at the end, also when a step fails.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
import pathlib
import threading
import time
import unicodedata
import uuid

import pytest
import requests
from portal_harvest import purge_harvest, run_job
from procedures_source import PROCEDURES_PAGES, STATISTICS_CSV, copy_samples, source_config

LOAD_TIMEOUT = 90  # seconds for xloader to load a CSV into the DataStore

PROCEDURES_TITLE = "Danh mục thủ tục hành chính"  # procedures.py's default titles
STATISTICS_TITLE = "Tình hình giải quyết hồ sơ TTHC"
NOTHING = {"added": 0, "updated": 0, "not modified": 0, "errored": 0, "deleted": 0}


def is_vietnamese(text: str) -> bool:
    """Written with Vietnamese letters (tone marks, đ), not ASCII stand-ins."""
    return "đ" in text.lower() or any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", text))


class SampleSource:
    """A folder of sample exports on http://127.0.0.1:<random port>/, in a thread. ``outage()``
    takes it down (connections refused) and brings it back on the same port."""

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.port = 0
        self.requests: list[str] = []
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.start()

    def start(self) -> None:
        seen = self.requests

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                seen.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port),
                                                functools.partial(Handler, directory=str(self.root)))
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        self._thread.start()
        self._httpd = httpd

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=10)
            self._httpd = None

    @contextlib.contextmanager
    def outage(self):
        self.stop()
        try:
            yield
        finally:
            self.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"


@dataclasses.dataclass
class Harvest:
    organization: dict
    source: dict
    names: dict[str, str]  # table key -> dataset name
    sample_source: SampleSource
    first_job_requests: list[str] = dataclasses.field(default_factory=list)  # what job 1 fetched


@pytest.fixture(scope="module")
def sample_source(tmp_path_factory):
    root = tmp_path_factory.mktemp("tthc-source")
    copy_samples(root)
    server = SampleSource(root)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def harvest(portal_api, sample_source):
    suffix = uuid.uuid4().hex[:8]
    names = {"procedures": f"danh-muc-thu-tuc-hanh-chinh-{suffix}",
             "statistics": f"tinh-hinh-giai-quyet-ho-so-tthc-{suffix}"}
    organization = source = None
    try:
        organization = portal_api.action.organization_create(
            name=f"thu-thap-tthc-{suffix}", title="Kiểm thử thu thập TTHC (dữ liệu mẫu)")
        config = source_config(sample_source.url(STATISTICS_CSV), names, organization["name"])
        source = portal_api.action.harvest_source_create(
            name=f"tthc-mau-{suffix}",
            title="Hệ thống thông tin giải quyết TTHC (dữ liệu mẫu)",
            url=sample_source.url(PROCEDURES_PAGES[0]),
            source_type="bd_procedures",
            frequency="MANUAL",
            config=json.dumps(config, ensure_ascii=False),
            owner_org=organization["id"],
        )
        yield Harvest(organization, source, names, sample_source)
    finally:
        # Runs even when creating the organization or the source failed.
        purge_harvest(portal_api, organization, source, names)


@pytest.fixture(scope="module")
def first_job(portal_api, harvest):
    job = run_job(portal_api, harvest.source["id"])
    harvest.first_job_requests = list(harvest.sample_source.requests)
    return job


# -- helpers ------------------------------------------------------------------------------

def csv_resource(dataset: dict) -> dict:
    (resource,) = [r for r in dataset["resources"] if r["format"] == "CSV"]
    return resource


def wait_for_datastore(api, names, timeout: float = LOAD_TIMEOUT) -> dict[str, dict]:
    """The CSV resource of each dataset once xloader has finished with it."""
    deadline = time.monotonic() + timeout
    loaded: dict[str, dict] = {}
    while True:
        for name in names:
            if name in loaded:
                continue
            resource = csv_resource(api.action.package_show(id=name))
            status = api.action.xloader_status(resource_id=resource["id"])
            assert status.get("status") != "error", f"xloader failed on {name}: {status}"
            if status.get("status") == "complete" and resource.get("datastore_active"):
                loaded[name] = resource
        if len(loaded) == len(names):
            return loaded
        if time.monotonic() > deadline:
            pytest.fail(f"DataStore load not complete after {timeout} s for "
                        f"{sorted(set(names) - set(loaded))}; is portal:ckan-worker running?")
        time.sleep(1)


def snapshot(api, names) -> dict:
    """What must not move when a job changes nothing: the datasets' modification times, their
    files (checksums, sizes, times) and their activity streams."""
    state = {}
    for name in names:
        dataset = api.action.package_show(id=name)
        state[name] = {
            "metadata_modified": dataset["metadata_modified"],
            "modified": dataset.get("modified"),
            "resources": [(r["id"], r["sha256"], r["size"], r["last_modified"]) for r in dataset["resources"]],
            "activities": [a["id"] for a in api.action.package_activity_list(id=dataset["id"], limit=100)],
        }
    return state


def assert_clean(report: dict) -> None:
    assert report["gather_errors"] == [], report["gather_errors"]
    assert report["object_errors"] == {}, json.dumps(report["object_errors"], ensure_ascii=False, indent=1)


# -- the operator's story -----------------------------------------------------------------

def test_first_job_publishes_both_datasets_without_errors(portal_api, anonymous_api, harvest, first_job):
    assert first_job["stats"] == {**NOTHING, "added": 2}, first_job
    assert_clean(portal_api.action.harvest_job_report(id=first_job["id"]))
    assert {"/" + page for page in PROCEDURES_PAGES} | {"/" + STATISTICS_CSV} <= set(harvest.first_job_requests)

    jobs = portal_api.action.harvest_job_list(source_id=harvest.source["id"])
    assert first_job["id"] in [job["id"] for job in jobs]
    assert portal_api.action.harvest_source_show(id=harvest.source["id"])["status"]["total_datasets"] == 2

    organization = harvest.organization
    for key, title in (("procedures", PROCEDURES_TITLE), ("statistics", STATISTICS_TITLE)):
        name = harvest.names[key]
        dataset = anonymous_api.action.package_show(id=name)  # public: a citizen sees it
        assert dataset["title"] == title
        assert dataset["organization"]["name"] == organization["name"]
        assert dataset["license_id"] == "CC-BY-4.0"
        assert dataset["theme"] == ["GOVE"] and dataset["spatial_units"] == ["74"]
        assert dataset["contact"][0]["email"] == "kstthc@binhduong.gov.vn"
        assert harvest.source["url"] in dataset["provenance"]
        assert sorted(r["format"] for r in dataset["resources"]) == ["CSV", "JSON"]
        for resource in dataset["resources"]:
            assert resource["url_type"] == "upload"
            download = requests.get(resource["url"], timeout=30)
            assert download.status_code == 200, resource["url"]
            assert len(download.content) == resource["size"]

        found = anonymous_api.action.package_search(q=f'"{title}"', fq=f'organization:{organization["name"]}')
        assert name in [d["name"] for d in found["results"]], found

    harvested = portal_api.action.package_search(fq=f'harvest_source_id:"{harvest.source["id"]}"')
    assert sorted(d["name"] for d in harvested["results"]) == sorted(harvest.names.values())


def test_csv_files_are_loaded_into_the_datastore(anonymous_api, portal_api, harvest, first_job):
    loaded = wait_for_datastore(portal_api, harvest.names.values())

    procedures = loaded[harvest.names["procedures"]]
    rows = anonymous_api.action.datastore_search(resource_id=procedures["id"], limit=100)
    assert rows["total"] == 20
    assert [f["id"] for f in rows["fields"] if f["id"] != "_id"][:3] == ["ma_tthc", "ten_thu_tuc", "linh_vuc"]
    (record,) = [r for r in rows["records"] if r["ma_tthc"] == "2.000488"]
    assert record["ten_thu_tuc"].startswith("Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam")
    assert record["co_quan_thuc_hien"] == "Sở Tư pháp"
    assert record["to_chuc"] == harvest.organization["name"]
    assert record["to_chuc_url"].endswith(f"/organization/{harvest.organization['name']}")
    assert record["can_cu_phap_ly"] == "Luật Lý lịch tư pháp năm 2009; Thông tư số 244/2016/TT-BTC"
    assert record["trang_thai"] == "đang áp dụng"

    statistics = loaded[harvest.names["statistics"]]
    rows = anonymous_api.action.datastore_search(resource_id=statistics["id"], limit=100)
    assert rows["total"] == 30  # 6 months x 5 agencies
    (record,) = [r for r in rows["records"] if r["thang"] == "2024-01" and r["co_quan"] == "Sở Tư pháp"]
    # "3.137" in the source is three thousand, the Vietnamese way.
    assert str(record["tiep_nhan"]) == "3137" and str(record["tiep_nhan_truc_tuyen"]) == "2053"


def test_second_job_on_the_unchanged_source_changes_nothing(portal_api, harvest, first_job):
    names = list(harvest.names.values())
    wait_for_datastore(portal_api, names)  # xloader's own update of the resources comes first
    before = snapshot(portal_api, names)
    harvest.sample_source.requests.clear()

    job = run_job(portal_api, harvest.source["id"])

    assert job["stats"] == {**NOTHING, "not modified": 2}, job
    assert_clean(portal_api.action.harvest_job_report(id=job["id"]))
    status = portal_api.action.harvest_source_show(id=harvest.source["id"])["status"]
    assert status["last_job"]["id"] == job["id"]
    assert status["last_job"]["stats"] == {**NOTHING, "not modified": 2}
    assert status["total_datasets"] == 2
    # The source was read again; the datasets, their files and their activity streams did not move.
    assert "/" + STATISTICS_CSV in harvest.sample_source.requests
    assert snapshot(portal_api, names) == before


def test_source_down_is_reported_in_vietnamese_and_published_data_stays(portal_api, harvest, first_job):
    names = list(harvest.names.values())
    wait_for_datastore(portal_api, names)
    before = snapshot(portal_api, names)

    with harvest.sample_source.outage():
        job = run_job(portal_api, harvest.source["id"])

    assert job["stats"]["errored"] >= 1, job
    assert {k: v for k, v in job["stats"].items() if k != "errored"} == {
        k: v for k, v in NOTHING.items() if k != "errored"}, job
    report = portal_api.action.harvest_job_report(id=job["id"])
    messages = [error["message"] for error in report["gather_errors"]]
    refused = [m for m in messages if harvest.source["url"] in m]
    assert refused, messages
    vietnamese, _, english = refused[0].partition(" [EN] ")
    assert is_vietnamese(vietnamese) and "kết nối" in vietnamese, refused[0]
    assert english, refused[0]

    status = portal_api.action.harvest_source_show(id=harvest.source["id"])["status"]
    assert status["last_job"]["id"] == job["id"] and status["last_job"]["stats"]["errored"] >= 1
    assert status["total_datasets"] == 2
    assert snapshot(portal_api, names) == before
    procedures = csv_resource(portal_api.action.package_show(id=harvest.names["procedures"]))
    assert portal_api.action.datastore_search(resource_id=procedures["id"], limit=0)["total"] == 20


def test_an_operator_can_edit_the_source(portal_api, harvest, first_job):
    # With ckanext-harvest's database log handler on (ckan.harvest.log_scope = 0) this update
    # failed with HTTP 500: the handler committed inside CKAN's nested transaction.
    source = harvest.source
    edited = portal_api.action.harvest_source_update(
        id=source["id"], name=source["name"], url=source["url"], source_type=source["source_type"],
        frequency=source["frequency"], config=source["config"], owner_org=source["owner_org"],
        title="Nguồn TTHC (dữ liệu mẫu, đã sửa)")
    assert edited["title"] == "Nguồn TTHC (dữ liệu mẫu, đã sửa)"
    assert edited["url"] == harvest.source["url"]
