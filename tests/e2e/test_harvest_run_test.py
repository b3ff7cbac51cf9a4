"""`ckan harvester run-test <source>` on the running portal, as an operator checks a new source:
the SAMPLE XLSX workbook of the TTHC system (title rows, merged header cells, several
sheets), served on 127.0.0.1, publishes both datasets with their CSVs loaded into the
DataStore, and running the command again changes nothing.

The portal's gather and fetch consumers stay up meanwhile: run-test also puts its job on the
gather queue, so this proves too that the job is gathered once and no dataset is doubled, and
that when the command returns the job is really over: Finished, its datasets published, and
its printed outcome the job's own status and counts. Whichever process took the job — run-test
itself, or the gather consumer (forced in the second test: the job is on the queue and the
consumer is reading the source before run-test starts) — run-test prints the truth.
"""
from __future__ import annotations

import configparser
import functools
import http.server
import json
import os
import pathlib
import subprocess
import threading
import time
import uuid

import pytest
import redis

from portal_harvest import finish_jobs, purge_harvest

from ckanext.binhduong.harvesters.samples import make_samples as samples

from .test_harvest_portal import SampleSource, snapshot, wait_for_datastore

ROOT = pathlib.Path(os.environ.get("BD_ROOT") or pathlib.Path(__file__).resolve().parents[2])
CKAN = ROOT / "var" / "venv" / "bin" / "ckan"
PORTAL_INI = ROOT / "var" / "ckan.ini"
WORKBOOK = "mau-thu-tuc-hanh-chinh.xlsx"


def run_test(source_name: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(CKAN), "-c", str(PORTAL_INI), "harvester", "run-test", source_name],
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def assert_over_when_returned(api, source_id: str, result: subprocess.CompletedProcess, names, **stats) -> dict:
    """Right when run-test has returned (no waiting here): its one new job is Finished with
    ``stats``, every dataset named exists, and the command printed that very outcome."""
    jobs = sorted(api.action.harvest_job_list(source_id=source_id), key=lambda job: job["created"])
    job = api.action.harvest_job_show(id=jobs[-1]["id"])
    output = result.stdout + result.stderr
    assert job["status"] == "Finished", (job, output[-3000:])
    for key, value in stats.items():
        assert job["stats"].get(key) == value, (key, job["stats"], output[-3000:])
    for name in names:
        assert api.action.package_show(id=name)["state"] == "active"
    counts = ", ".join(f"{key}: {job['stats'].get(key, 0)}"
                       for key in ("added", "updated", "not modified", "deleted", "errored"))
    assert f"Harvest job {job['id']}: Finished. Objects: {len(names)}; {counts}" in result.stdout, output[-3000:]
    return job


def portal_redis() -> redis.Redis:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(PORTAL_INI)
    return redis.Redis.from_url(parser.get("app:main", "ckan.redis.url"))


def send_to_gather_queue(job_id: str) -> None:
    """What harvest_send_job_to_gather_queue does, without marking the job Running (run-test
    would then ask whether to abort it): the portal's gather consumer receives the job."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(PORTAL_INI)
    site_id = parser.get("app:main", "ckan.site_id", fallback="default")
    portal_redis().rpush(f"ckanext-harvest:{site_id}:harvest_job_id", json.dumps({"harvest_job_id": job_id}))


class SlowSource:
    """One file on http://127.0.0.1:<port>/; the first request is answered after ``delay``
    seconds, and ``first_request`` is set as it arrives (whoever gathers is reading)."""

    def __init__(self, root: pathlib.Path, delay: float):
        self.first_request = threading.Event()
        event = self.first_request

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                if not event.is_set():
                    event.set()
                    time.sleep(delay)
                super().do_GET()

            def log_message(self, *args):
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      functools.partial(Handler, directory=str(root)))
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="module")
def workbook_source(tmp_path_factory):
    root = tmp_path_factory.mktemp("tthc-xlsx")
    (root / WORKBOOK).write_bytes(samples.workbook(samples.procedures(), samples.statistics()))
    server = SampleSource(root)
    yield server, samples
    server.stop()


def test_run_test_publishes_the_xlsx_sample_and_a_rerun_changes_nothing(portal_api, workbook_source):
    server, samples = workbook_source
    suffix = uuid.uuid4().hex[:8]
    names = {"procedures": f"danh-muc-thu-tuc-hanh-chinh-{suffix}",
             "statistics": f"tinh-hinh-giai-quyet-ho-so-tthc-{suffix}"}
    agencies = ({row["Cơ quan thực hiện"] for row in samples.procedures()}
                | {row["agency"] for row in samples.statistics()})
    organization = source = None
    try:
        organization = portal_api.action.organization_create(
            name=f"run-test-tthc-{suffix}", title="Kiểm thử run-test TTHC (dữ liệu mẫu)")
        config = {
            "procedures": {"name": names["procedures"]},
            "statistics": {"name": names["statistics"]},
            "contact": {"name": "Phòng Kiểm soát thủ tục hành chính", "email": "kstthc@binhduong.gov.vn"},
            "agency_map": {agency: "" for agency in agencies},
        }
        source = portal_api.action.harvest_source_create(
            name=f"tthc-xlsx-{suffix}", title="Xuất Excel hệ thống TTHC (dữ liệu mẫu)", url=server.url(WORKBOOK),
            source_type="bd_procedures", frequency="MANUAL", config=json.dumps(config, ensure_ascii=False),
            owner_org=organization["id"])

        first = run_test(source["name"])
        assert_over_when_returned(portal_api, source["id"], first, names.values(), added=2, updated=0)
        finish_jobs(portal_api, source["id"])
        loaded = wait_for_datastore(portal_api, names.values())
        found = portal_api.action.package_search(fq=f'harvest_source_id:"{source["id"]}"', rows=10)
        assert sorted(d["name"] for d in found["results"]) == sorted(names.values())  # none doubled
        for key, name in names.items():
            dataset = portal_api.action.package_show(id=name)
            assert sorted(r["format"] for r in dataset["resources"]) == ["CSV", "JSON"]
            table = portal_api.action.datastore_search(resource_id=loaded[name]["id"], limit=0)
            expected = len(samples.procedures()) if key == "procedures" else len(samples.statistics())
            assert table["total"] == expected, (name, table["total"], expected)

        before = snapshot(portal_api, names.values())
        second = run_test(source["name"])
        assert_over_when_returned(portal_api, source["id"], second, names.values(), **{"not modified": 2})
        finish_jobs(portal_api, source["id"])
        assert snapshot(portal_api, names.values()) == before
        jobs = sorted(portal_api.action.harvest_job_list(source_id=source["id"]), key=lambda job: job["created"])
        assert len(jobs) == 2
        assert jobs[0]["stats"].get("added") == 2
        assert jobs[1]["stats"].get("not modified") == 2
        assert not jobs[1]["stats"].get("added") and not jobs[1]["stats"].get("updated")
    finally:
        purge_harvest(portal_api, organization, source, names)


def test_run_test_waits_for_the_consumer_that_took_the_job(portal_api, workbook_source, tmp_path):
    """The finding: the gather consumer has the job (and its lock) when run-test gathers. run-test
    used to log "gathered by another process", mark nothing done and return at once, before any
    dataset existed. It must wait for the consumers and print the job's real outcome."""
    _, samples = workbook_source
    (tmp_path / WORKBOOK).write_bytes(samples.workbook(samples.procedures(), samples.statistics()))
    server = SlowSource(tmp_path, delay=6)
    suffix = uuid.uuid4().hex[:8]
    names = {"procedures": f"danh-muc-thu-tuc-hanh-chinh-{suffix}",
             "statistics": f"tinh-hinh-giai-quyet-ho-so-tthc-{suffix}"}
    agencies = ({row["Cơ quan thực hiện"] for row in samples.procedures()}
                | {row["agency"] for row in samples.statistics()})
    organization = source = None
    try:
        organization = portal_api.action.organization_create(
            name=f"run-test-consumer-{suffix}", title="Kiểm thử run-test khi bộ thu thập đang chạy (dữ liệu mẫu)")
        config = {
            "procedures": {"name": names["procedures"]},
            "statistics": {"name": names["statistics"]},
            "contact": {"name": "Phòng Kiểm soát thủ tục hành chính", "email": "kstthc@binhduong.gov.vn"},
            "agency_map": {agency: "" for agency in agencies},
        }
        source = portal_api.action.harvest_source_create(
            name=f"tthc-consumer-{suffix}", title="Xuất Excel TTHC, bộ thu thập nhận trước (dữ liệu mẫu)",
            url=server.url(WORKBOOK), source_type="bd_procedures", frequency="MANUAL",
            config=json.dumps(config, ensure_ascii=False), owner_org=organization["id"])

        # A New job on the gather queue: the consumer takes it and is reading the (slow) source,
        # holding the job, when run-test starts; run-test reuses that job ("Reusing existing
        # harvest job") as it does any New job of the source.
        job = portal_api.action.harvest_job_create(source_id=source["id"], run=False)
        send_to_gather_queue(job["id"])
        assert server.first_request.wait(60), "the gather consumer did not take the job (portal:harvest-gather?)"

        result = run_test(source["name"])
        assert "Reusing existing harvest job" in result.stdout + result.stderr
        done = assert_over_when_returned(portal_api, source["id"], result, names.values(), added=2, updated=0)
        assert "taken by another process" in result.stdout, result.stdout[-3000:] + result.stderr[-3000:]
        assert done["id"] == job["id"]
        assert len(portal_api.action.harvest_job_list(source_id=source["id"])) == 1
        found = portal_api.action.package_search(fq=f'harvest_source_id:"{source["id"]}"', rows=10)
        assert sorted(d["name"] for d in found["results"]) == sorted(names.values())  # gathered once
        wait_for_datastore(portal_api, names.values())
    finally:
        server.stop()
        purge_harvest(portal_api, organization, source, names)
