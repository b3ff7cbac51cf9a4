"""A second harvest of an unchanged catalogue by ckanext-dcat's ``dcat_rdf_harvester`` on the
same instance changes nothing.

Which instance: the running portal, harvesting its own ``/catalog.ttl`` (through a forwarding
server on 127.0.0.1: the outbound policy refuses a source on the portal's own web port). It is the instance
the national portal harvests, with everything a harvest goes through there — the catalogue
endpoint with our profile, the Redis queues, the gather and fetch consumers under
supervisord, our scheming schema's validation on import, Solr. The in-process test instance
(var/test.ini) is not served over HTTP, so a harvester could only read a file made from it
and served by a stand-in server, which would not be our endpoint.

So that the catalogue stays unchanged between the two harvests while other tests create and
purge datasets on the same portal, the harvest source reads the catalogue restricted to one
organization of its own (``/catalog.ttl?fq=organization:<name>``, ckanext-dcat's filter); the
harvested copies land in a second organization, outside that feed. Both organizations, the
source datasets, the harvest source with its jobs and objects, and the copies are purged at
the end, also when a step fails.

The proof: the second job adds, updates, deletes nothing and reports no error; every copy
keeps its id, its ``metadata_modified``, its resources and its activity stream (hidden
activities of the harvest user included). A third job after an edit at the source updates
exactly that copy, so the comparison is not blind.

Skipping an unchanged record is the work of dcat/rdf_harvester_hooks.py's ``before_update`` hook, which
the binhduong plugin implements (``IDCATRDFHarvester``).
"""
from __future__ import annotations

import dataclasses
import json
import urllib.parse
import uuid

import pytest

from bd_factories import valid_dataset
from local_server import ForwardingServer
from portal_harvest import purge_harvest, run_job

NOTHING = {"added": 0, "updated": 0, "not modified": 0, "errored": 0, "deleted": 0}
# Fields of our schema that the harvested copy must have exactly as the source has them.
COPIED = ("title", "notes", "author", "contact", "issued", "theme", "spatial_units", "frequency",
          "access_rights", "license_id", "language", "temporal_start", "temporal_end", "legal_basis",
          "maintainer", "maintainer_email", "version", "conforms_to", "url", "identifier")
UNORDERED = {"theme", "language", "spatial_units", "conforms_to"}


@dataclasses.dataclass
class Harvest:
    source_org: dict
    target_org: dict
    source: dict
    datasets: dict[str, dict]  # key -> source dataset as created


def _source_datasets(org_id: str, suffix: str) -> dict[str, dict]:
    return {
        "bts": valid_dataset(
            org_id,
            name=f"tram-bts-nguon-{suffix}",
            title="Trạm thu phát sóng di động (BTS) (dữ liệu mẫu)",
            notes="Vị trí và nhà mạng của các trạm BTS; dữ liệu mẫu cho kiểm thử thu thập DCAT.",
            contact=[
                {"name": "Phòng Bưu chính - Viễn thông", "email": "vienthong@binhduong.gov.vn", "phone": "0274 3822 123"},
                {"name": "Trung tâm Công nghệ thông tin", "email": "cntt@binhduong.gov.vn"},
            ],
            theme=["TECH", "REGI"],
            tag_string="viễn thông,hạ tầng số,dữ liệu mẫu",
            spatial_units=["718", "2025/25750"],
            temporal_start="2020-01-01",
            temporal_end="2024-12-31",
            language=["vi", "en"],
            legal_basis=[
                {"number": "47/2020/NĐ-CP", "date": "2020-04-09",
                 "title": "Nghị định về quản lý, kết nối và chia sẻ dữ liệu số của cơ quan nhà nước",
                 "url": "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=141080"},
                {"number": "2019/1024", "date": "2019-06-20", "title": "Open Data Directive",
                 "url": "http://data.europa.eu/eli/dir/2019/1024/oj"},
            ],
            version="2.1",
            conforms_to=["https://www.w3.org/TR/tabular-data-primer/"],
            url="https://stttt.binhduong.gov.vn/du-lieu/tram-bts",
            maintainer="Nguyễn Văn An",
            maintainer_email="nvan@binhduong.gov.vn",
            resources=[
                {"url": "https://stttt.binhduong.gov.vn/files/tram-bts-2024.csv", "name": "Danh sách trạm BTS 2024",
                 "format": "CSV", "mimetype": "text/csv", "language": "vi", "status": "COMPLETED",
                 "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
                {"url": "https://api.binhduong.gov.vn/bts/v1", "name": "API tra cứu trạm BTS", "format": "API"},
                {"url": "https://stttt.binhduong.gov.vn/ban-do-bts", "name": "Bản đồ trạm BTS", "format": "HTML",
                 "mimetype": "text/html"},
            ],
        ),
        "wifi": valid_dataset(
            org_id,
            name=f"diem-wifi-nguon-{suffix}",
            title="Điểm wifi công cộng (dữ liệu mẫu)",
            notes="Điểm phát wifi miễn phí; dữ liệu mẫu cho kiểm thử thu thập DCAT.",
            theme=["TECH"],
            spatial_units=["2025/79"],
            frequency="IRREG",
            license_id="CC0-1.0",
            resources=[{"url": "https://stttt.binhduong.gov.vn/files/wifi.xlsx", "name": "Danh sách điểm wifi",
                        "format": "XLSX",
                        "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}],
        ),
    }


@pytest.fixture(scope="module")
def portal_forwarder(portal_url):
    server = ForwardingServer(portal_url)
    yield server
    server.close()


@pytest.fixture(scope="module")
def harvest(portal_api, portal_forwarder):
    suffix = uuid.uuid4().hex[:8]
    source_org = target_org = source = None
    created: dict[str, dict] = {}
    try:
        source_org = portal_api.action.organization_create(
            name=f"dcat-nguon-{suffix}", title="Cơ quan nguồn thu thập DCAT (dữ liệu mẫu)",
            agency_type="department", agency_code="000.00.99.H57", admin_unit="74",
            email="nguon@binhduong.gov.vn", website="https://stttt.binhduong.gov.vn")
        target_org = portal_api.action.organization_create(
            name=f"dcat-thu-thap-{suffix}", title="Bản sao thu thập DCAT (dữ liệu mẫu)")
        for key, dataset in _source_datasets(source_org["id"], suffix).items():
            created[key] = portal_api.action.package_create(**dataset)
        feed = portal_forwarder.url("catalog.ttl?") + urllib.parse.urlencode({"fq": f"organization:{source_org['name']}"})
        source = portal_api.action.harvest_source_create(
            name=f"dcat-nguon-{suffix}", title="Danh mục DCAT của chính cổng (dữ liệu mẫu)",
            url=feed, source_type="dcat_rdf", frequency="MANUAL", owner_org=target_org["id"],
            config=json.dumps({"rdf_format": "turtle"}))
        yield Harvest(source_org, target_org, source, created)
    finally:
        purge_harvest(portal_api, [source_org, target_org], source)


@pytest.fixture(scope="module")
def first_job(portal_api, harvest):
    return run_job(portal_api, harvest.source["id"])


# -- helpers ------------------------------------------------------------------------------

def copies(api, harvest: Harvest) -> dict[str, dict]:
    """The harvested copies, keyed like the source datasets (by identifier, which the copy
    keeps: it is the dataset's dct:identifier)."""
    found = api.action.package_search(fq=f'harvest_source_id:"{harvest.source["id"]}"',
                                      include_private=True, rows=100)["results"]
    by_identifier = {d["identifier"]: api.action.package_show(id=d["id"]) for d in found}
    return {key: by_identifier.get(dataset["identifier"]) for key, dataset in harvest.datasets.items()}


def snapshot(api, datasets: dict[str, dict]) -> dict:
    """What must not move when a job changes nothing."""
    return {
        key: {
            "id": dataset["id"],
            "metadata_modified": dataset["metadata_modified"],
            "resources": [(r["id"], r["url"], r["metadata_modified"]) for r in dataset["resources"]],
            "activities": [a["id"] for a in api.action.package_activity_list(
                id=dataset["id"], include_hidden_activity=True, limit=100)],
        }
        for key, dataset in datasets.items()
    }


def assert_clean(api, job: dict) -> None:
    report = api.action.harvest_job_report(id=job["id"])
    assert report["gather_errors"] == [], report["gather_errors"]
    assert report["object_errors"] == {}, json.dumps(report["object_errors"], ensure_ascii=False, indent=1)


def _comparable(field: str, value):
    if field in UNORDERED and isinstance(value, list):
        return sorted(value)
    if field in ("contact", "legal_basis") and isinstance(value, list):
        return sorted((json.dumps({k: v for k, v in item.items() if v}, sort_keys=True, ensure_ascii=False)
                       for item in value))
    return value


# -- the proof ----------------------------------------------------------------------------

def test_first_job_copies_the_catalogue_into_the_organization_valid_for_our_schema(
        portal_api, harvest, first_job):
    assert first_job["stats"] == {**NOTHING, "added": 2}, first_job
    assert_clean(portal_api, first_job)  # no validation error: the copies passed our schema

    harvested = copies(portal_api, harvest)
    for key, source in harvest.datasets.items():
        copy = harvested[key]
        assert copy is not None, f"{source['name']} was not harvested"
        assert copy["id"] != source["id"]
        assert copy["owner_org"] == harvest.target_org["id"]
        for field in COPIED:
            assert _comparable(field, copy.get(field)) == _comparable(field, source.get(field)), (key, field)
        assert sorted(t["name"] for t in copy["tags"]) == sorted(t["name"] for t in source["tags"])
        # Distributions have no order in RDF.
        assert sorted((r["url"], r["format"], r.get("mimetype") or "") for r in copy["resources"]) == sorted(
            (r["url"], r["format"], r.get("mimetype") or "") for r in source["resources"])
    status = portal_api.action.harvest_source_show(id=harvest.source["id"])["status"]
    assert status["total_datasets"] == 2


def test_the_copies_are_named_from_their_titles(portal_api, harvest, first_job):
    # Not CKAN's munging, which drops Vietnamese letters ("im-wifi-cong-cng-d-liu-mu").
    harvested = copies(portal_api, harvest)
    assert harvested["wifi"]["name"].startswith("diem-wifi-cong-cong-du-lieu-mau")
    assert harvested["bts"]["name"].startswith("tram-thu-phat-song-di-dong-bts-du-lieu-mau")


def test_a_second_job_on_the_unchanged_catalogue_changes_nothing(portal_api, harvest, first_job):
    before = snapshot(portal_api, copies(portal_api, harvest))

    job = run_job(portal_api, harvest.source["id"])

    assert job["stats"] == {**NOTHING, "not modified": 2}, job
    assert_clean(portal_api, job)
    after = copies(portal_api, harvest)
    assert snapshot(portal_api, after) == before
    status = portal_api.action.harvest_source_show(id=harvest.source["id"])["status"]
    assert status["last_job"]["id"] == job["id"]
    assert status["total_datasets"] == 2


def test_an_edit_at_the_source_is_the_only_update_of_the_next_job(portal_api, harvest, first_job):
    # The comparison above is not blind: change one source dataset and only its copy moves.
    before = snapshot(portal_api, copies(portal_api, harvest))
    edited = portal_api.action.package_patch(
        id=harvest.datasets["wifi"]["id"], notes="Điểm phát wifi miễn phí, cập nhật (dữ liệu mẫu).")

    job = run_job(portal_api, harvest.source["id"])

    assert job["stats"] == {**NOTHING, "updated": 1, "not modified": 1}, job
    assert_clean(portal_api, job)
    after = copies(portal_api, harvest)
    assert after["wifi"]["notes"] == edited["notes"]
    assert after["wifi"]["id"] == before["wifi"]["id"]
    assert after["wifi"]["metadata_modified"] != before["wifi"]["metadata_modified"]
    assert snapshot(portal_api, {"bts": after["bts"]}) == {"bts": before["bts"]}
