"""Findings 1 and 2: an agency editor reaches the server's files and the portal's internal
services through ckanext-dcat's harvester and xloader. Each attack is made as the editor over
HTTP against the running portal, and refused by the one outbound policy (harvesters/fetch.py,
outbound.py) without a byte of the target in any report."""
from __future__ import annotations

import time
import uuid

import ckanapi
import pytest

from bd_factories import valid_dataset
from portal_datastore import wait_for_load
from portal_harvest import run_job

# What Solr's core-admin answer and ckan.ini contain: none of it may reach a report or table.
LEAK_MARKERS = ("responseHeader", "instanceDir", "sqlalchemy.url", "[app:main]", "SECRET_KEY")


def _editor_api(portal_url, agency_editor):
    return ckanapi.RemoteCKAN(portal_url, apikey=agency_editor["token"], user_agent="binhduong-tests/1")


def _gather_errors(portal_api, job: dict) -> str:
    report = portal_api.action.harvest_job_report(id=job["id"])
    return " ".join(error["message"] for error in report["gather_errors"])


@pytest.mark.parametrize("url", ["/work/main/var/ckan.ini", "file:///etc/passwd", "var/ckan.ini"])
def test_a_dcat_source_on_a_server_path_is_refused_when_made(portal_url, agency_editor, url):
    with _editor_api(portal_url, agency_editor) as api, pytest.raises(ckanapi.ValidationError) as refused:
        api.action.harvest_source_create(name=f"nguon-tep-{uuid.uuid4().hex[:8]}", title="Nguồn tệp máy chủ", url=url,
                                         source_type="dcat_rdf", owner_org=agency_editor["organization"]["id"])
    assert "http://" in str(refused.value.error_dict["url"])


def _source(api, agency_editor, url: str) -> dict:
    source = api.action.harvest_source_create(name=f"nguon-attt-{uuid.uuid4().hex[:8]}", title="Nguồn kiểm thử an toàn",
                                              url=url, source_type="dcat_rdf", frequency="MANUAL",
                                              owner_org=agency_editor["organization"]["id"])
    agency_editor["sources"].append(source["id"])
    return source


def test_a_dcat_source_on_the_search_index_is_refused_when_harvested(portal_url, portal_api, agency_editor,
                                                                     portal_services):
    with _editor_api(portal_url, agency_editor) as api:
        source = _source(api, agency_editor, portal_services["solr_status"])
    job = run_job(portal_api, source["id"])
    errors = _gather_errors(portal_api, job)
    assert "dịch vụ nội bộ của chính cổng dữ liệu" in errors
    assert not any(marker in errors for marker in LEAK_MARKERS), errors
    assert job["stats"].get("added", 0) == 0


def test_a_redirect_to_an_internal_service_is_refused_at_the_hop(portal_url, portal_api, agency_editor,
                                                                 portal_services, local_server):
    with _editor_api(portal_url, agency_editor) as api:
        source = _source(api, agency_editor, local_server.url(f"redirect?to={portal_services['solr_status']}"))
    job = run_job(portal_api, source["id"])
    errors = _gather_errors(portal_api, job)
    assert "dịch vụ nội bộ của chính cổng dữ liệu" in errors, errors
    assert not any(marker in errors for marker in LEAK_MARKERS), errors


def test_credentials_in_a_source_url_are_refused(portal_url, agency_editor):
    with _editor_api(portal_url, agency_editor) as api, pytest.raises(ckanapi.ValidationError) as refused:
        _source(api, agency_editor, "https://can-bo:mat-khau-bi-mat@tthc.example.org/catalog.ttl")
    assert "mật khẩu" in str(refused.value.error_dict["url"])


@pytest.mark.parametrize("target", ["direct", "redirect"])
def test_xloader_does_not_publish_an_internal_service(portal_url, portal_api, anonymous_api, agency_editor,
                                                      portal_services, local_server, target):
    url = portal_services["solr_status"]
    if target == "redirect":
        url = local_server.url(f"redirect?to={url}")
    with _editor_api(portal_url, agency_editor) as api:
        dataset = api.action.package_create(**valid_dataset(agency_editor["organization"]["id"], private=False))
        resource = api.action.resource_create(package_id=dataset["id"], url=url, format="CSV", name="Bảng kiểm thử")
        status = wait_for_load(api, resource["id"], seconds=60, interval=1) if target == "redirect" else None
    time.sleep(3 if target == "direct" else 0)  # a job queued by mistake would have run by now
    if status is not None:
        assert status["status"] == "error", status
        message = str(status.get("task_info"))
        assert not any(marker in message for marker in LEAK_MARKERS), message
    assert portal_api.action.resource_show(id=resource["id"]).get("datastore_active") is not True
    with pytest.raises(ckanapi.NotFound):
        anonymous_api.action.datastore_search(resource_id=resource["id"])


def test_a_page_that_is_not_rdf_is_reported_without_its_bytes(portal_url, portal_api, agency_editor, local_server):
    url = local_server.put("cau-hinh.ttl", b"[app:main]\nsqlalchemy.url = postgresql://u:mat-khau@db/ckan\n",
                           content_type="text/turtle")
    with _editor_api(portal_url, agency_editor) as api:
        source = _source(api, agency_editor, url)
    errors = _gather_errors(portal_api, run_job(portal_api, source["id"]))
    assert "RDF" in errors
    assert not any(marker in errors for marker in LEAK_MARKERS + ("mat-khau",)), errors
