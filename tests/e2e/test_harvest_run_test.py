"""`ckan harvester run-test <source>` on the running portal, as an operator checks a new source:
the SAMPLE XLSX workbook of the TTHC system (title rows, merged header cells, several
sheets), served on 127.0.0.1, publishes both datasets with their CSVs loaded into the
DataStore, and running the command again changes nothing.

The portal's gather and fetch consumers stay up meanwhile: run-test also puts its job on the
gather queue, so this proves too that the job is gathered once and no dataset is doubled.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import uuid

import pytest

from portal_harvest import finish_jobs

from .test_harvest_portal import SampleSource, _make_samples, _purge, snapshot, wait_for_datastore

ROOT = pathlib.Path(os.environ.get("BD_ROOT") or pathlib.Path(__file__).resolve().parents[2])
CKAN = ROOT / "var" / "venv" / "bin" / "ckan"
PORTAL_INI = ROOT / "var" / "ckan.ini"
WORKBOOK = "mau-thu-tuc-hanh-chinh.xlsx"


def run_test(source_name: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(CKAN), "-c", str(PORTAL_INI), "harvester", "run-test", source_name],
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def workbook_source(tmp_path_factory):
    samples = _make_samples()
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

        run_test(source["name"])
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
        run_test(source["name"])
        finish_jobs(portal_api, source["id"])
        assert snapshot(portal_api, names.values()) == before
        jobs = sorted(portal_api.action.harvest_job_list(source_id=source["id"]), key=lambda job: job["created"])
        assert len(jobs) == 2
        assert jobs[0]["stats"].get("added") == 2
        assert jobs[1]["stats"].get("not modified") == 2
        assert not jobs[1]["stats"].get("added") and not jobs[1]["stats"].get("updated")
    finally:
        _purge(portal_api, organization, source, names)
