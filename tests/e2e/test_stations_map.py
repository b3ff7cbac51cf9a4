"""The BTS stations harvested by bd_infrastructure, on a map in a real browser (Debian's
Chromium driven by Playwright) on the running portal.

A harvest source on the portal reads the SAMPLE register in VN-2000 (the XLSX that
harvesters/samples/make_infrastructure_samples.py writes, served on 127.0.0.1); the
supervised gather and fetch consumers publish the stations dataset; its GeoJSON resource
carries the map view (`bd_map`), which shows every valid station and none of the flagged
ones. A second job changes nothing and adds no second view. Everything made here is purged.
Screenshots go to test-output/map/."""
from __future__ import annotations

import json
import pathlib
import uuid

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from ckanext.binhduong.harvesters.samples import make_infrastructure_samples as samples
from portal_harvest import purge_harvest

from .test_harvest_portal import SampleSource, run_job

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "map"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REGISTER = "mau-tram-bts.vn2000.xlsx"


VALID = {s["code"] for s in samples.stations() if s["code"] and samples.is_valid(s)}
FLAGGED = {s["code"] for s in samples.stations() if s["code"] and not samples.is_valid(s)} - VALID


@pytest.fixture(scope="module")
def harvested(portal_api, tmp_path_factory):
    root = tmp_path_factory.mktemp("bts-source")
    (root / REGISTER).write_bytes(samples.files()[REGISTER])
    server = SampleSource(root)
    suffix = uuid.uuid4().hex[:8]
    names = {"stations": f"tram-bts-mau-{suffix}", "summary": f"ha-tang-so-theo-xa-mau-{suffix}"}
    organization = source = None
    try:
        organization = portal_api.action.organization_create(
            name=f"thu-thap-ha-tang-{suffix}", title="Kiểm thử thu thập hạ tầng số (dữ liệu mẫu)")
        config = {"stations": {"name": names["stations"], "title": "Trạm BTS (dữ liệu mẫu)"},
                  "summary": {"name": names["summary"], "title": "Hạ tầng số theo xã (dữ liệu mẫu)"},
                  "contact": {"name": "Sở Thông tin và Truyền thông", "email": "stttt@binhduong.gov.vn"},
                  "tags": ["hạ tầng số", "dữ liệu mẫu"]}
        source = portal_api.action.harvest_source_create(
            name=f"nguon-tram-bts-{suffix}", title="Danh sách trạm BTS (dữ liệu mẫu)", url=server.url(REGISTER),
            source_type="bd_infrastructure", frequency="MANUAL", config=json.dumps(config, ensure_ascii=False),
            owner_org=organization["id"])
        job = run_job(portal_api, source["id"])
        yield {"job": job, "source": source, "names": names, "organization": organization}
    finally:
        purge_harvest(portal_api, organization, source, names)
        server.stop()


def _geojson_resource(portal_api, name: str) -> dict:
    dataset = portal_api.action.package_show(id=name)
    (resource,) = [r for r in dataset["resources"] if r["format"].upper() == "GEOJSON"]
    return resource


def _map_views(portal_api, resource: dict) -> list[dict]:
    return [v for v in portal_api.action.resource_view_list(id=resource["id"]) if v["view_type"] == "bd_map"]


def test_the_stations_are_published_with_one_map_view(portal_api, harvested):
    assert harvested["job"]["stats"]["added"] == 2, harvested["job"]
    resource = _geojson_resource(portal_api, harvested["names"]["stations"])
    assert len(_map_views(portal_api, resource)) == 1
    collection = requests.get(resource["url"], timeout=30).json()
    assert {f["properties"]["ma_tram"] for f in collection["features"]} == VALID


def test_the_map_shows_every_valid_station_in_a_browser(portal_api, portal_url, harvested):
    resource = _geojson_resource(portal_api, harvested["names"]["stations"])
    (view,) = _map_views(portal_api, resource)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 1000})
            outside = []
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(("http://127.0.0.1", "data:")) else None)
            page.goto(f"{portal_url}/dataset/{harvested['names']['stations']}/resource/{resource['id']}"
                      f"?view_id={view['id']}")
            container = page.locator(".bd-map-view")
            expect(container).to_have_attribute("data-state", "ready", timeout=15000)
            points = page.locator(".bd-map-view path.bd-map-point")
            expect(points).to_have_count(len(VALID))
            assert container.get_attribute("data-points") == str(len(VALID))
            page.screenshot(path=SCREENSHOTS / "tram-bts.png", full_page=True)
            points.first.click()
            popup = page.locator(".leaflet-popup-content")
            expect(popup).to_contain_text("ma_tram")
            assert any(code in popup.inner_text() for code in VALID)
            assert not any(code in popup.inner_text() for code in FLAGGED)
            page.wait_for_timeout(400)  # the popup fades in
            page.screenshot(path=SCREENSHOTS / "tram-bts-popup.png", full_page=True)
            assert not outside, f"the map page fetched from outside the portal: {outside}"
        finally:
            browser.close()


def test_a_second_job_changes_nothing_and_adds_no_view(portal_api, harvested):
    job = run_job(portal_api, harvested["source"]["id"])
    # The flagged stations are reported again ("errored" counts objects with errors).
    assert (job["stats"]["not modified"], job["stats"]["added"], job["stats"]["updated"]) == (2, 0, 0), job
    resource = _geojson_resource(portal_api, harvested["names"]["stations"])
    assert len(_map_views(portal_api, resource)) == 1
